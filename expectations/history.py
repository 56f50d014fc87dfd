"""Across reports: carry_continuity (this year's 上年结转 = the same agency's last 结转下年度)."""

from __future__ import annotations

from expectations.checks import Check, Finding, Operand, Severity, number, sum_identity_expectations, uncertainty_notes
from expectations.requests import COLUMN_LABEL
from parsers.form import REQUEST_ROW_KEYS, REQUEST_ROW_REFERENCE, Table

T = Table.REQUESTS.value
CARRIED_OVER, CARRIED_FORWARD = REQUEST_ROW_KEYS[1], REQUEST_ROW_KEYS[-1]
#: the rows' names without the part numbering (上年结转, 结转下年度)
NAME = {k: REQUEST_ROW_REFERENCE[k].split("、", 1)[1] for k in (CARRIED_OVER, CARRIED_FORWARD)}


def _operands(scope: str | None) -> list[Operand]:
    return [(T, CARRIED_OVER, scope), ("previous:" + T, CARRIED_FORWARD, scope)]


def _message(f: Finding, ctx: dict) -> tuple[str, str]:
    zh_note, en_note = uncertainty_notes(f)
    col = f.scope or ""
    year = ctx.get("year")
    previous = f"{year - 1}年" if isinstance(year, int) else "上一年度"
    return (
        f"{COLUMN_LABEL.get(col, col)}列：本年{NAME[CARRIED_OVER]}为{number(f.left_value)}，"
        f"但{previous}报告的{NAME[CARRIED_FORWARD]}为{number(f.right_value)}{zh_note}",
        f"column {col}: carried over is {number(f.left_value)}, but the same agency's previous report carried "
        f"forward {number(f.right_value)}{en_note}",
    )


CARRY_CONTINUITY = Check(
    key="carry_continuity",
    subject="history",
    severity=Severity.WARNING,
    name_zh="本年上年结转 = 上一年度报告的结转下年度",
    description="三: this year's 上年结转 = the same agency's previous-year 结转下年度, in each column",
    expectations=sum_identity_expectations,  # the two sides: this year's cell, last year's
    operands=_operands,
    message=_message,
    uses_previous_year=True,
)

CHECKS = (CARRY_CONTINUITY,)

"""Across reports: carry_continuity (this year's 上年结转 = the same agency's last 结转下年度)."""

from __future__ import annotations

from expectations.checks import Check, Finding, Operand, Severity, in_list, number, outcome_sql, uncertainty_notes
from expectations.requests import COLUMN_LABEL
from parsers.form import REQUEST_COLUMN_KEYS, REQUEST_ROW_KEYS, REQUEST_ROW_REFERENCE, Table

T = Table.REQUESTS.value
CARRIED_OVER, CARRIED_FORWARD = REQUEST_ROW_KEYS[1], REQUEST_ROW_KEYS[-1]
#: the rows' names without the part numbering (上年结转, 结转下年度)
NAME = {k: REQUEST_ROW_REFERENCE[k].split("、", 1)[1] for k in (CARRIED_OVER, CARRIED_FORWARD)}
#: the same agency's current report of the year before (the same agency key: spellings of one agency are one)
_PREVIOUS = """JOIN agencies ra ON ra.id = r.agency_id JOIN agencies pa ON pa.key = ra.key
    JOIN reports p ON p.agency_id = pa.id AND p.year = r.year - 1 AND p.status = 'parsed'"""


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
    description="三: this year's 上年结转 = the same agency's previous-year 结转下年度, in each column",
    sql=outcome_sql(
        f"""    SELECT c.report_id AS report_id, c.column_key AS scope, MAX(c.value) AS left_value,
    MAX(prev.value) AS right_value,
    SUM(CASE WHEN c.value IS NULL THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.value IS NULL THEN 1 ELSE 0 END)
      + CASE WHEN MIN(prev.value) <> MAX(prev.value) THEN 1 ELSE 0 END AS n_unreadable,
    0 AS n_missing,
    SUM(CASE WHEN c.kind = 'blank' THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.kind = 'blank' THEN 1 ELSE 0 END)
      AS n_blank,
    SUM(CASE WHEN c.kind = 'inferred' THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.kind = 'inferred' THEN 1 ELSE 0 END)
      AS n_inferred
    FROM {{batch}} c JOIN reports r ON r.id = c.report_id
    {_PREVIOUS}
    JOIN cells prev ON prev.report_id = p.id AND prev.tbl = '{T}' AND prev.row_key = '{CARRIED_FORWARD}'
      AND prev.column_key = c.column_key
    WHERE r.status = 'parsed' AND c.tbl = '{T}' AND c.row_key = '{CARRIED_OVER}'
      AND c.column_key IN {in_list(REQUEST_COLUMN_KEYS)}
    GROUP BY c.report_id, c.column_key"""
    ),
    assessed_sql=f"SELECT DISTINCT r.id FROM reports r {_PREVIOUS} WHERE r.status = 'parsed'",
    operands=_operands,
    message=_message,
    uses_previous_year=True,
)

CHECKS = (CARRY_CONTINUITY,)

"""What a check is: an identity (勾稽关系) validated by Great Expectations over its identity view.

Both sides of every identity, for every current report and scope, stand side by
side in the warehouse view ``identity_<check>`` (``warehouse/views.py``); the
views of one subject are stacked in ``identities_<subject>``, the batch of that
subject's expectation suite. Each check declares its expectations in GX's own
terms — built-in ones:

* a sum identity: ``ExpectColumnValuesToNotBeNull`` on each side (a side is NULL
  when an operand is unreadable or missing: UNCERTAIN) and
  ``ExpectColumnPairValuesToBeEqual`` on the two sides (FAIL);
* ``complete``: ``ExpectColumnPairValuesAToBeGreaterThanB`` (valid numbers ≥ cells the form has);
* ``outdated_form``: ``ExpectColumnValuesToBeInSet`` on the form, with a row
  condition on the year.

Every expectation carries the outcome its unexpected rows mean (``meta``), and
:mod:`expectations.run` writes the results from the rows the checkpoint
returned (result format COMPLETE, with the report, scope and both sides as
unexpected-index columns). Outcomes: PASS; FAIL; UNCERTAIN; NOT_ASSESSABLE when
the report has nothing to check (``identity_assessable``: pre-2019, table absent,
no previous year).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from warehouse.views import identity_view


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNCERTAIN = "UNCERTAIN"
    NOT_ASSESSABLE = "NOT_ASSESSABLE"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


#: What the checkpoint returns for every unexpected row (``unexpected_index_column_names``): the report
#: and scope, who and when, both sides as far as they could be read, and the operands' bookkeeping.
INDEX_COLUMNS = (
    "report_id",
    "agency",
    "year",
    "scope",
    "left_readable",
    "right_readable",
    "n_unreadable",
    "n_missing",
    "n_blank",
    "n_inferred",
)


@dataclass(frozen=True)
class Finding:
    """One non-passing scope of one check on one report, as the SQL returned it."""

    report_id: int
    scope: str | None
    left_value: float | None
    right_value: float | None
    n_unreadable: int
    n_missing: int
    n_blank: int
    n_inferred: int
    outcome: Outcome


Operand = tuple[str, str, str | None]  # (tbl, row_key, column_key)


@dataclass(frozen=True)
class Check:
    key: str
    subject: str  # requests, reviews, report, history, copies: the file in expectations/ that declares it
    severity: Severity
    name_zh: str  # the identity in Chinese, for Data Docs
    description: str  # one line, for Data Docs and `nianbao check`
    #: the GX expectations that decide this check, built when a run needs them (GX imports slowly):
    #: each with ``meta = {"check": key, "outcome": FAIL or UNCERTAIN}``, the outcome of its unexpected rows
    expectations: Callable[[Check], list]
    operands: Callable[[str | None], list[Operand]]  # the cells a scope's identity reads
    message: Callable[[Finding, dict], tuple[str, str]]  # (zh, en); the dict carries report context
    uses_previous_year: bool = field(default=False)
    #: when set, a finding's evidence is every cell of the report matching this SQL condition on ``c``
    #: (the cells table), instead of the operands of its scope
    bad_cell_sql: str | None = None
    #: when set, a finding's evidence is the rows of this SQL (over every finding, run once) whose
    #: ``report_id`` and ``scope`` are the finding's; ``tbl``, ``row_key``, ``column_key`` name the cell
    evidence_sql: str | None = None

    @property
    def view(self) -> str:
        return identity_view(self.key)

    def title(self) -> str:
        """How Data Docs name it: ``request_balance · 收支平衡 — 三: 一 + 二 = …``."""
        return f"{self.key} · {self.name_zh} ({self.severity.value}) — {self.description}"

    def gx_expectations(self) -> list:
        return self.expectations(self)


def only(check: Check):
    """The row condition that keeps ``check``'s rows of its subject's batch."""
    from great_expectations.expectations.row_conditions import Column

    return Column("check_key") == check.key


def _meta(check: Check, outcome: Outcome) -> dict:
    return {"check": check.key, "outcome": outcome.value}


def sum_identity_expectations(check: Check) -> list:
    """Both sides readable and present (else UNCERTAIN), and equal (else FAIL)."""
    import great_expectations.expectations as gxe

    out = [
        gxe.ExpectColumnValuesToNotBeNull(
            column=side, row_condition=only(check), meta=_meta(check, Outcome.UNCERTAIN),
            description=f"{check.title()}: the {name} side has every operand, each readable (else UNCERTAIN)",
        )
        for side, name in (("left_value", "left"), ("right_value", "right"))
    ]  # fmt: skip
    out.append(
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="left_value", column_B="right_value", ignore_row_if="either_value_is_missing",
            row_condition=only(check), meta=_meta(check, Outcome.FAIL),
            description=f"{check.title()}: left side = right side (else FAIL)",
        )
    )  # fmt: skip
    return out


def uncertainty_notes(f: Finding) -> tuple[str, str]:
    """What the result notes about its operands (zh, en), prefix and suffix style."""
    zh, en = [], []
    if f.n_unreadable:
        zh.append(f"{f.n_unreadable}个单元格无法识别")
        en.append(f"{f.n_unreadable} operand(s) unreadable")
    if f.n_missing:
        zh.append(f"{f.n_missing}行/列缺失")
        en.append(f"{f.n_missing} operand(s) missing")
    if f.n_blank:
        zh.append(f"{f.n_blank}个空白或“—”按0计")
        en.append(f"{f.n_blank} blank or zero-mark cell(s) counted as 0")
    if f.n_inferred:
        zh.append(f"{f.n_inferred}个单元格为推定值")
        en.append(f"{f.n_inferred} inferred cell(s)")
    return ("（" + "；".join(zh) + "）" if zh else "", " (" + "; ".join(en) + ")" if en else "")


def number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"

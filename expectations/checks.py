"""What a check is: an identity (勾稽关系) written once, as SQL over the long ``cells`` table.

Every check's SQL returns the scopes that do not pass — one row per report and
scope (a column, a row, a group) with the two sides of the identity and how
many operands were unreadable, missing, blank or inferred. The same SQL is

* run by Great Expectations as an ``UnexpectedRowsExpectation`` (``{batch}`` is
  the ``cells`` table), which gives the Data Docs site, and
* run by :mod:`expectations.run` directly, to keep the full list with evidence
  in ``check_results`` (GX returns only a sample of failing rows).

Outcomes: PASS; FAIL; UNCERTAIN when an operand is unreadable or missing
(blank cells and zero marks count as 0 and are noted); NOT_ASSESSABLE when the
report has nothing to check (pre-2019, table absent, no previous year).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNCERTAIN = "UNCERTAIN"
    NOT_ASSESSABLE = "NOT_ASSESSABLE"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


#: The columns every check's SQL returns, in order.
FINDING_COLUMNS = (
    "report_id",
    "scope",
    "left_value",
    "right_value",
    "n_unreadable",
    "n_missing",
    "n_blank",
    "n_inferred",
    "outcome",
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
    description: str  # one line, for Data Docs and `nianbao check`
    sql: str  # non-passing scopes; ``{batch}`` stands for the cells table
    assessed_sql: str  # the ids of the reports this check assessed
    operands: Callable[[str | None], list[Operand]]  # the cells a scope's identity reads
    message: Callable[[Finding, dict], tuple[str, str]]  # (zh, en); the dict carries report context
    uses_previous_year: bool = field(default=False)
    #: when set, a finding's evidence is every cell of the report matching this SQL condition on ``c``
    #: (the cells table), instead of the operands of its scope
    bad_cell_sql: str | None = None
    #: when set, a finding's evidence is the rows of this SQL (over every finding, run once) whose
    #: ``report_id`` and ``scope`` are the finding's; ``tbl``, ``row_key``, ``column_key`` name the cell
    evidence_sql: str | None = None

    def sql_on(self, table: str = "cells") -> str:
        return self.sql.replace("{batch}", table)


def in_list(keys: tuple[str, ...] | list[str]) -> str:
    """``('a', 'b')`` for SQL; keys come from parsers/form.py, never from input."""
    return "(" + ", ".join(f"'{k}'" for k in keys) + ")"


def outcome_sql(aggregate: str, *, compare: str = "a.left_value <> a.right_value") -> str:
    """Wrap an aggregate (aliased columns as FINDING_COLUMNS but outcome) with the outcome, keep non-passing."""
    return f"""SELECT e.* FROM (
  SELECT a.report_id, a.scope, a.left_value, a.right_value, a.n_unreadable, a.n_missing, a.n_blank, a.n_inferred,
    CASE WHEN a.n_unreadable > 0 OR a.n_missing > 0 THEN 'UNCERTAIN'
         WHEN {compare} THEN 'FAIL' ELSE 'PASS' END AS outcome
  FROM (
{aggregate}
  ) a
) e WHERE e.outcome <> 'PASS'"""


def counts_sql(prefix: str = "c") -> str:
    """The operand bookkeeping columns every sum identity shares."""
    return (
        f"SUM(CASE WHEN {prefix}.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,\n"
        f"    SUM(CASE WHEN {prefix}.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,\n"
        f"    SUM(CASE WHEN {prefix}.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred"
    )


def sum_identity_sql(
    *,
    tbl: str,
    scope: str,
    member: str,
    left: tuple[str, ...],
    right: tuple[str, ...],
    expected: str,
    where: str = "",
) -> str:
    """SQL for ``sum(left members) = sum(right members)`` within each scope of each current report.

    ``member`` is the cells column that tells operands apart (``row_key`` or
    ``column_key``), ``scope`` the SQL expression that groups them, and
    ``expected`` the SQL expression for how many distinct members there should be.
    """
    members = tuple(dict.fromkeys(left + right))
    aggregate = f"""    SELECT c.report_id AS report_id, {scope} AS scope,
    SUM(CASE WHEN c.{member} IN {in_list(left)} THEN COALESCE(c.value, 0) ELSE 0 END) AS left_value,
    SUM(CASE WHEN c.{member} IN {in_list(right)} THEN COALESCE(c.value, 0) ELSE 0 END) AS right_value,
    {counts_sql()},
    {expected} - COUNT(DISTINCT c.{member}) AS n_missing
    FROM {{batch}} c JOIN reports r ON r.id = c.report_id
    WHERE r.status = 'parsed' AND c.tbl = '{tbl}' AND c.{member} IN {in_list(members)} {where}
    GROUP BY c.report_id, {scope}"""
    return outcome_sql(aggregate)


def assessed_with_table(tbl: str) -> str:
    return (
        "SELECT DISTINCT c.report_id FROM cells c JOIN reports r ON r.id = c.report_id "
        f"WHERE r.status = 'parsed' AND c.tbl = '{tbl}'"
    )


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

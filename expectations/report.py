"""Report-level checks: outdated_form, and narrative_match (counts the text states vs the tables)."""

from __future__ import annotations

from expectations.checks import Check, Finding, Operand, Severity, number, outcome_sql
from parsers.form import FIRST_YEAR_OF_2021_FORM, FORM_REFERENCES, FormVersion, Table
from warehouse.load import NARRATIVE

_OLD, _NEW = FormVersion.V2019.value, FormVersion.V2021.value


def _outdated_message(f: Finding, ctx: dict) -> tuple[str, str]:
    year = number(f.left_value)
    return (
        f"{year}年度报告仍使用2019年版表格，应使用{FORM_REFERENCES[FormVersion.V2021]}规定的格式",
        f"a {year} report still uses the 2019 form; reports for {FIRST_YEAR_OF_2021_FORM} and later must use the "
        "2021 form",
    )


OUTDATED_FORM = Check(
    key="outdated_form",
    subject="report",
    severity=Severity.ERROR,
    description=f"a report for {FIRST_YEAR_OF_2021_FORM} or later uses the 2021 form",
    sql=outcome_sql(
        f"""    SELECT r.id AS report_id, NULL AS scope, r.year AS left_value, {_OLD} AS right_value,
    0 AS n_unreadable, 0 AS n_missing, 0 AS n_blank, 0 AS n_inferred
    FROM reports r
    WHERE r.status = 'parsed' AND r.year >= {FIRST_YEAR_OF_2021_FORM} AND r.form = '{_OLD}'
      AND EXISTS (SELECT 1 FROM {{batch}} c WHERE c.report_id = r.id)""",
        compare="1 = 1",
    ),
    assessed_sql=(
        "SELECT r.id FROM reports r WHERE r.status = 'parsed' AND r.year IS NOT NULL "
        f"AND r.form IN ('{_OLD}', '{_NEW}')"
    ),
    operands=lambda scope: [],
    message=_outdated_message,
)


def _narrative_operands(scope: str | None) -> list[Operand]:
    return [(NARRATIVE, scope or "", None)]


def _narrative_message(f: Finding, ctx: dict) -> tuple[str, str]:
    sentence = ctx.get("sentence") or ""
    zh_extra = "（有单元格无法识别或缺失）" if f.n_unreadable or f.n_missing else ""
    en_extra = " (an operand is unreadable or missing)" if f.n_unreadable or f.n_missing else ""
    return (
        f"正文称“{sentence}”，即{number(f.left_value)}，但表格中为{number(f.right_value)}{zh_extra}",
        f"the text says {number(f.left_value)} (“{sentence}”), the table {number(f.right_value)}{en_extra}",
    )


NARRATIVE_MATCH = Check(
    key="narrative_match",
    subject="report",
    severity=Severity.WARNING,
    description="counts the text states (共收到申请N件, 上年结转, 结转下年度, 行政复议N件) equal the tables",
    sql=outcome_sql(
        f"""    SELECT n.report_id AS report_id, n.row_key AS scope, MAX(n.value) AS left_value,
    SUM(COALESCE(t.value, 0)) AS right_value,
    SUM(CASE WHEN t.id IS NOT NULL AND t.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,
    (LENGTH(n.row_key) - LENGTH(REPLACE(n.row_key, '+', '')) + 1) - COUNT(t.id) AS n_missing,
    SUM(CASE WHEN t.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,
    SUM(CASE WHEN t.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred
    FROM {{batch}} n JOIN reports r ON r.id = n.report_id
    LEFT JOIN cells t ON t.report_id = n.report_id
      AND t.tbl IN ('{Table.REQUESTS.value}', '{Table.REVIEWS.value}')
      AND ('+' || n.row_key || '+') LIKE ('%+' || t.row_key || '+%')
      AND COALESCE(t.column_key, '') = COALESCE(n.column_key, '')
    WHERE r.status = 'parsed' AND n.tbl = '{NARRATIVE}'
    GROUP BY n.report_id, n.id, n.row_key"""
    ),
    assessed_sql=(
        "SELECT DISTINCT c.report_id FROM cells c JOIN reports r ON r.id = c.report_id "
        f"WHERE r.status = 'parsed' AND c.tbl = '{NARRATIVE}'"
    ),
    operands=_narrative_operands,
    message=_narrative_message,
)

CHECKS = (OUTDATED_FORM, NARRATIVE_MATCH)

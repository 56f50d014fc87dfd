"""Across the documents of one report: documents_agree (every copy of a report carries the same numbers).

A report is often published more than once — the page and its PDF/DOCX attachment, a re-post
under a new URL (warehouse/identity.py). The views count only the current document; this check
compares it, cell by cell, with every other copy still online: its ``alternate`` documents
(published the same day) and ``superseded`` ones at other URLs (an older version at the same URL
was replaced there and is history, not a copy). A finding names both URLs and every cell whose
numbers differ; its scope is the other document (the first 16 hex digits of its SHA-256), so a
reviewer's decision holds until either copy changes.

Self-contained: the SQL below is everything the check reads.
"""

from __future__ import annotations

from expectations.checks import Check, Finding, Severity, number, outcome_sql
from parsers.form import Table

_TABLES = f"('{Table.REQUESTS.value}', '{Table.REVIEWS.value}', '{Table.PROACTIVE.value}')"

#: The current report ``r`` and each other copy ``o`` of the same agency (key) and year, with its document ``od``.
_COPIES = """FROM reports r
    JOIN agencies a ON a.id = r.agency_id
    JOIN agencies oa ON oa.key = a.key
    JOIN reports o ON o.agency_id = oa.id AND o.year = r.year AND o.id <> r.id
      AND o.status IN ('alternate', 'superseded')
    JOIN documents od ON od.id = o.document_id"""
_ONLINE = """NOT EXISTS (SELECT 1 FROM document_urls u JOIN document_urls ou ON ou.url = u.url
      WHERE u.document_id = r.document_id AND ou.document_id = o.document_id)"""
_SAME_CELL = f"""JOIN {{batch}} c ON c.report_id = r.id AND c.tbl IN {_TABLES} AND c.value IS NOT NULL
    JOIN cells oc ON oc.report_id = o.id AND oc.tbl = c.tbl AND oc.row_key = c.row_key
      AND COALESCE(oc.column_key, '') = COALESCE(c.column_key, '') AND oc.value IS NOT NULL"""
_SCOPE = "SUBSTR(od.sha256, 1, 16)"

_LABEL = {Table.REQUESTS.value: "三", Table.REVIEWS.value: "四", Table.PROACTIVE.value: "二"}


def _cell_name(cell: dict) -> str:
    column = f"/{cell['column']}" if cell.get("column") else ""
    return f"{_LABEL.get(cell['table'], cell['table'])} {cell['row']}{column}"


def _message(f: Finding, ctx: dict) -> tuple[str, str]:
    cells = ctx.get("cells") or []
    other = next((c.get("other_url") for c in cells if c.get("other_url")), None) or "?"
    shown = [c for c in cells if c.get("value") != c.get("other_value")][:5]
    more = len([c for c in cells if c.get("value") != c.get("other_value")]) - len(shown)
    zh_cells = "；".join(f"{_cell_name(c)}：{number(c['value'])} 与 {number(c['other_value'])}" for c in shown)
    en_cells = "; ".join(f"{_cell_name(c)}: {number(c['value'])} vs {number(c['other_value'])}" for c in shown)
    zh_more = f"等（另有{more}处）" if more > 0 else ""
    en_more = f" and {more} more" if more > 0 else ""
    count = number(f.left_value)
    return (
        f"同一机关同一年度的两份文件数字不一致（{count}处）：当前文件 {ctx.get('url')} 与 {other}：{zh_cells}{zh_more}",
        f"two documents of the same report disagree in {count} cell(s): the current {ctx.get('url')} and "
        f"{other}: {en_cells}{en_more}",
    )


DOCUMENTS_AGREE = Check(
    key="documents_agree",
    subject="copies",
    severity=Severity.WARNING,
    description="every copy of a report (page, attachment, re-post) carries the same numbers as the current one",
    sql=outcome_sql(
        f"""    SELECT r.id AS report_id, {_SCOPE} AS scope,
    SUM(CASE WHEN c.value <> oc.value THEN 1 ELSE 0 END) AS left_value, COUNT(*) AS right_value,
    0 AS n_unreadable, 0 AS n_missing, 0 AS n_blank, 0 AS n_inferred
    {_COPIES}
    {_SAME_CELL}
    WHERE r.status = 'parsed' AND {_ONLINE}
    GROUP BY r.id, od.sha256""",
        compare="a.left_value > 0",
    ),
    assessed_sql=f"SELECT DISTINCT r.id {_COPIES} WHERE r.status = 'parsed' AND {_ONLINE}",
    operands=lambda scope: [],
    message=_message,
    evidence_sql=f"""SELECT r.id AS report_id, {_SCOPE} AS scope, c.tbl AS tbl, c.row_key AS row_key,
    c.column_key AS column_key, c.value AS value, c.raw AS raw, c.kind AS kind,
    oc.value AS other_value, oc.raw AS other_raw, od.url AS other_url, o.id AS other_report_id
    {_COPIES}
    {_SAME_CELL.replace("{batch}", "cells")}
    WHERE r.status = 'parsed' AND {_ONLINE} AND c.value <> oc.value
    ORDER BY r.id, od.sha256, c.ordinal""",
)

CHECKS = (DOCUMENTS_AGREE,)

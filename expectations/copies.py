"""Across the documents of one report: documents_agree (every copy of a report carries the same numbers).

A report is often published more than once — the page and its PDF/DOCX attachment, a re-post
under a new URL (warehouse/identity.py). The views count only the current document; this check
compares it, cell by cell, with every other copy still online: its ``alternate`` documents
(published the same day) and ``superseded`` ones at other URLs (an older version at the same URL
was replaced there and is history, not a copy).

The view ``identity_documents_agree`` (warehouse/views.py) holds one row per current report, other
copy and cell both print: the current document's value (``left_value``) beside the copy's
(``right_value``), with both URLs. Great Expectations decides: ``ExpectColumnPairValuesToBeEqual``
on the two, and each copy with an unexpected row is a finding. Its scope is the other document
(the first 16 hex digits of its SHA-256), so a reviewer's decision holds until either copy changes;
it names both URLs and every cell whose numbers differ (left/right of the finding: how many cells
differ, of how many compared).
"""

from __future__ import annotations

from expectations.checks import Check, Finding, Outcome, Severity, number, only
from parsers.form import Table
from warehouse.views import identity_view

_LABEL = {Table.REQUESTS.value: "三", Table.REVIEWS.value: "四", Table.PROACTIVE.value: "二"}


def _cell_name(cell: dict) -> str:
    column = f"/{cell['column']}" if cell.get("column") else ""
    return f"{_LABEL.get(cell['table'], cell['table'])} {cell['row']}{column}"


def _message(f: Finding, ctx: dict) -> tuple[str, str]:
    cells = ctx.get("cells") or []
    other = next((c.get("other_url") for c in cells if c.get("other_url")), None) or "?"
    differing = [c for c in cells if c.get("value") != c.get("other_value")]
    shown = differing[:5]
    more = len(differing) - len(shown)
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


def _expectations(check: Check) -> list:
    """The current document's cell = the copy's same cell (else FAIL)."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="left_value", column_B="right_value", ignore_row_if="either_value_is_missing",
            row_condition=only(check), meta={"check": check.key, "outcome": Outcome.FAIL.value},
            description=f"{check.title()}: the current document's cell = the copy's (else FAIL)",
        )
    ]  # fmt: skip


DOCUMENTS_AGREE = Check(
    key="documents_agree",
    subject="copies",
    severity=Severity.WARNING,
    name_zh="同一报告的各份文件数字一致",
    description="every copy of a report (page, attachment, re-post) carries the same numbers as the current one",
    expectations=_expectations,
    operands=lambda scope: [],
    message=_message,
    # the evidence: the cells of the finding's copy whose numbers differ, with both URLs, from the same view
    evidence_sql=f"""SELECT report_id, scope, tbl, row_key, column_key, left_value AS value, raw, kind,
    right_value AS other_value, other_raw, other_url, other_report_id
    FROM {identity_view("documents_agree")} WHERE left_value <> right_value
    ORDER BY report_id, scope, ordinal""",
)

CHECKS = (DOCUMENTS_AGREE,)

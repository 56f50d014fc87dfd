"""Views for people: the printed form, one query away. Same names and columns on SQLite and PostgreSQL.

The SQL is generated from the form declaration (``parsers/form.py``), so the
column names are the canonical keys. The form views show *current* reports
only (status ``parsed``: one document per agency and year, chosen by the rule
in ``warehouse/identity.py``), so a report published as a page and as an
attachment is counted once; its alternates and older versions stay in
``reports`` and ``cells`` and are shown by the report-identity views below
(``report_documents``, ``report_versions``).

A migration that changes a view creates them all from :func:`view_statements`;
the migrations before it keep the SQL they ran frozen in their own file.
"""

from __future__ import annotations

from parsers.form import REQUEST_COLUMN_KEYS, REVIEW_KEYS

FORM_VIEWS = ("report_overview", "report_requests", "report_reviews", "report_proactive")
IDENTITY_VIEWS = ("report_documents", "report_versions")  # report identity (issue 12)
#: every view, in creation order; the check views (identity_*, identities_*) are added below
VIEW_NAMES = FORM_VIEWS + IDENTITY_VIEWS

_REPORT_COLUMNS = """r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form"""
_REPORT_JOIN = "FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id"


def _pivot(columns: tuple[str, ...], key_column: str) -> str:
    return ",\n  ".join(f"MAX(CASE WHEN c.{key_column} = '{k}' THEN c.value END) AS {k}" for k in columns)


def view_statements() -> list[str]:
    """``CREATE VIEW`` statements, in dependency order."""
    overview = overview_statement()
    requests = f"""CREATE VIEW report_requests AS
SELECT {_REPORT_COLUMNS}, f.ordinal AS row_order, c.row_key AS row_key, f.label AS row_label,
  {_pivot(REQUEST_COLUMN_KEYS, "column_key")}
{_REPORT_JOIN}
JOIN cells c ON c.report_id = r.id AND c.tbl = 'requests'
LEFT JOIN form_rows f ON f.tbl = 'requests' AND f.key = c.row_key
WHERE r.status = 'parsed'
GROUP BY r.id, a.name, a.district, a.level, r.year, r.form, f.ordinal, c.row_key, f.label"""
    reviews = f"""CREATE VIEW report_reviews AS
SELECT {_REPORT_COLUMNS},
  {_pivot(REVIEW_KEYS, "row_key")}
{_REPORT_JOIN}
JOIN cells c ON c.report_id = r.id AND c.tbl = 'reviews'
WHERE r.status = 'parsed'
GROUP BY r.id, a.name, a.district, a.level, r.year, r.form"""
    proactive = f"""CREATE VIEW report_proactive AS
SELECT {_REPORT_COLUMNS}, c.ordinal AS item_order, c.row_key AS item, f.label AS item_label,
  c.column_key AS metric, c.value AS value, c.raw AS raw, c.kind AS kind
{_REPORT_JOIN}
JOIN cells c ON c.report_id = r.id AND c.tbl = 'proactive'
LEFT JOIN form_rows f ON f.tbl = 'proactive' AND f.key = c.row_key
WHERE r.status = 'parsed'"""
    return [overview, requests, reviews, proactive, *report_identity_view_statements(), *identity_view_statements()]


#: Whether the stored check results speak for the report as it is now: there are some, and none is older
#: than the report's last load, re-parse or change of current document (``reports.updated_at``), nor than a
#: change to a report its checks read: the same agency's reports of the year before (carry_continuity) and
#: its other copies of the year (documents_agree), any of them loaded, re-parsed or re-elected since.
_CHECKED = """k.n_results IS NOT NULL AND k.checked_at >= r.updated_at
    AND NOT EXISTS (SELECT 1 FROM reports x JOIN agencies xa ON xa.id = x.agency_id
      WHERE xa.key = a.key AND x.year IN (r.year, r.year - 1) AND x.id <> r.id AND x.updated_at > k.checked_at)"""


def overview_statement() -> str:
    """``report_overview``: one row per current report (and per document that is no report), with its check
    state: ``check_status`` is ``unchecked`` until ``nianbao validate`` has checked the report as it is now
    (a report loaded or re-parsed since the last run is ``unchecked`` again, and so is one whose previous
    year or another copy changed since: its checks read them), then ``flagged`` (a check
    failed), ``uncertain`` (none failed, one could not be decided), ``not_assessable`` (no check applied)
    or ``clean``; ``not_checkable`` for a document with no report (failed, in_attachment).
    ``failed_checks`` is NULL unless the report is checked: an unchecked report never counts 0 failures."""
    return f"""CREATE VIEW report_overview AS
SELECT {_REPORT_COLUMNS}, a.key AS agency_key, r.status AS status, r.parser_version AS parser_version,
  d.url AS url, d.sha256 AS sha256, d.version AS document_version, r.n_warnings AS n_warnings,
  CASE WHEN r.status <> 'parsed' THEN 'not_checkable'
    WHEN NOT ({_CHECKED}) THEN 'unchecked'
    WHEN k.n_fail > 0 THEN 'flagged'
    WHEN k.n_uncertain > 0 THEN 'uncertain'
    WHEN k.n_pass = 0 THEN 'not_assessable'
    ELSE 'clean' END AS check_status,
  CASE WHEN r.status = 'parsed' AND {_CHECKED}
    THEN k.n_fail END AS failed_checks,
  CASE WHEN r.status = 'parsed' AND {_CHECKED}
    THEN k.checked_at END AS checked_at,
  r.error_code AS error_code, r.error AS error
{_REPORT_JOIN} JOIN documents d ON d.id = r.document_id
LEFT JOIN (
  SELECT report_id, COUNT(*) AS n_results, MIN(created_at) AS checked_at,
    SUM(CASE WHEN outcome = 'FAIL' THEN 1 ELSE 0 END) AS n_fail,
    SUM(CASE WHEN outcome = 'UNCERTAIN' THEN 1 ELSE 0 END) AS n_uncertain,
    SUM(CASE WHEN outcome = 'PASS' THEN 1 ELSE 0 END) AS n_pass
  FROM check_results GROUP BY report_id
) k ON k.report_id = r.id
WHERE r.status IN ('parsed', 'failed', 'in_attachment')"""


# --- report identity (issue 12): every document of a report, and its history -------------------------

#: The current report of the same identity (agency key and year) as ``r``/``a``.
_CURRENT_OF = """(SELECT MIN(cr.id) FROM reports cr JOIN agencies ca ON ca.id = cr.agency_id
   WHERE ca.key = a.key AND cr.year = r.year AND cr.status = 'parsed')"""
_ROLE = """CASE r.status WHEN 'parsed' THEN 'current' ELSE r.status END"""


def report_identity_view_statements() -> list[str]:
    """``report_documents`` (one row per document URL of each report) and ``report_versions`` (one row per
    document of each report, with how many numbers differ from the current one)."""
    documents = f"""CREATE VIEW report_documents AS
SELECT a.key AS agency_key, a.name AS agency, a.district AS district, r.year AS year,
  {_CURRENT_OF} AS current_report_id, r.id AS report_id, {_ROLE} AS role, r.format AS format,
  u.url AS url, u.version AS url_version, u.published_date AS published_date, u.fetched_at AS fetched_at,
  u.source_page_url AS source_page_url, d.sha256 AS sha256, d.id AS document_id
FROM reports r JOIN agencies a ON a.id = r.agency_id
JOIN documents d ON d.id = r.document_id
JOIN document_urls u ON u.document_id = d.id
WHERE r.status NOT IN ('failed', 'in_attachment') AND r.year IS NOT NULL"""
    versions = f"""CREATE VIEW report_versions AS
SELECT v.agency_key, v.agency, v.district, v.year, v.current_report_id, v.report_id, v.role, v.format,
  v.published_date, v.n_urls, v.url, v.sha256, v.parser_version, v.loaded_at,
  (SELECT COUNT(*) FROM cells c JOIN cells cc ON cc.report_id = v.current_report_id AND cc.tbl = c.tbl
     AND cc.row_key = c.row_key AND COALESCE(cc.column_key, '') = COALESCE(c.column_key, '')
   WHERE c.report_id = v.report_id AND c.tbl IN ('requests', 'reviews', 'proactive')
     AND c.value IS NOT NULL AND cc.value IS NOT NULL AND c.value <> cc.value) AS differing_cells
FROM (
  SELECT a.key AS agency_key, a.name AS agency, a.district AS district, r.year AS year,
    {_CURRENT_OF} AS current_report_id, r.id AS report_id, {_ROLE} AS role, r.format AS format,
    (SELECT MAX(u.published_date) FROM document_urls u WHERE u.document_id = d.id) AS published_date,
    (SELECT COUNT(*) FROM document_urls u WHERE u.document_id = d.id) AS n_urls,
    d.url AS url, d.sha256 AS sha256, r.parser_version AS parser_version, d.loaded_at AS loaded_at
  FROM reports r JOIN agencies a ON a.id = r.agency_id JOIN documents d ON d.id = r.document_id
  WHERE r.status NOT IN ('failed', 'in_attachment') AND r.year IS NOT NULL
) v"""
    return [documents, versions]


def drop_statements() -> list[str]:
    """``DROP VIEW`` for every view of :data:`VIEW_NAMES` (the check views too), dependants first."""
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEW_NAMES)]


# --- the identities (勾稽关系), side by side: what the Great Expectations suites validate -------------
#
# One view per identity, ``identity_<check>``: one row per current report and scope (a column, a row,
# a group, a stated count, the report) with both sides of the identity. ``left_value`` and
# ``right_value`` are NULL when an operand of that side is unreadable or missing (the identity cannot
# be decided: UNCERTAIN); ``left_readable`` and ``right_readable`` are the same sides over the operands
# that could be read, for messages. One view per subject, ``identities_<subject>``, stacks the views
# of its identities: it is the batch its suite validates. ``identity_assessable`` lists the reports
# each identity applies to (the others are NOT_ASSESSABLE). Whether an identity holds is decided by
# the expectations (expectations/), not here.

#: subject -> its identities, in the order of expectations/<subject>.py
IDENTITY_SUBJECTS: dict[str, tuple[str, ...]] = {
    "requests": ("request_balance", "outcome_sum", "applicant_sum", "complete"),
    "reviews": ("review_sum",),
    "report": ("outdated_form", "narrative_match"),
    "history": ("carry_continuity",),
    "copies": ("documents_agree",),
}
IDENTITY_COLUMNS = (
    "check_key", "report_id", "agency", "year", "form", "scope", "left_value", "right_value", "left_readable",
    "right_readable", "n_unreadable", "n_missing", "n_blank", "n_inferred", "operands",
)  # fmt: skip


def identity_view(check_key: str) -> str:
    return f"identity_{check_key}"


def subject_view(subject: str) -> str:
    return f"identities_{subject}"


IDENTITY_VIEW_NAMES = (
    *(identity_view(k) for keys in IDENTITY_SUBJECTS.values() for k in keys),
    *(subject_view(s) for s in IDENTITY_SUBJECTS),
    "identity_assessable",
)
VIEW_NAMES = VIEW_NAMES + IDENTITY_VIEW_NAMES


def _in(keys: tuple[str, ...]) -> str:
    """``('a', 'b')`` for SQL; keys come from parsers/form.py, never from input."""
    return "(" + ", ".join(f"'{k}'" for k in keys) + ")"


def _valid_number() -> str:
    from parsers.form import AMOUNT_METRICS, SIGNED_METRICS, Table

    proactive = Table.PROACTIVE.value
    return (
        "c.value IS NOT NULL AND ("
        f"(c.tbl = '{proactive}' AND (c.value >= 0 OR c.column_key IN {_in(tuple(sorted(SIGNED_METRICS)))}) "
        f"AND (CAST(c.value AS INTEGER) = c.value OR c.column_key IN {_in(tuple(sorted(AMOUNT_METRICS)))})) "
        f"OR (c.tbl <> '{proactive}' AND c.value >= 0 AND CAST(c.value AS INTEGER) = c.value))"
    )


#: a cell ``c`` that ``complete`` counts: present and a non-negative whole number; in part 二 a signed
#: change (本年增/减) may be negative and a money amount (万元) may have a fraction
VALID_NUMBER = _valid_number()


def _sum_identity(
    key: str, *, tbl: str, scope: str, member: str, left: tuple[str, ...], right: tuple[str, ...],
    expected_left: str, expected_right: str, operands: tuple[str, str],
) -> str:  # fmt: skip
    """``sum(left members) = sum(right members)`` within each scope of each current report.

    The operands are the report's cells of ``tbl`` whose ``member`` is one of ``left`` or ``right`` (a cell on
    the left is not on the right); each side is summed, and is NULL when one of its operands is unreadable
    or fewer operands than expected are present. Grouped by ``r.id`` first, so that SQLite reads the cells
    in the order of their index (report, table, row) rather than sorting them. ``operands``: the text before
    and after the scope in the column ``operands``.
    """
    members = tuple(dict.fromkeys(left + right))
    on_left = f"c.{member} = '{left[0]}'" if len(left) == 1 else f"c.{member} IN {_in(left)}"

    # Each aggregate is a step per cell (most of the view's cost): the right side's counts are the whole
    # scope's less the left's; its sum is summed (not a difference: fractions would not subtract exactly).
    present_left, read_left = f"COUNT(CASE WHEN {on_left} THEN 1 END)", f"COUNT(CASE WHEN {on_left} THEN c.value END)"
    sides = {
        "left": (f"COALESCE(SUM(CASE WHEN {on_left} THEN c.value END), 0)", present_left, read_left, expected_left),
        "right": (
            f"COALESCE(SUM(CASE WHEN NOT ({on_left}) THEN c.value END), 0)",
            f"(COUNT(*) - {present_left})",
            f"(COUNT(c.value) - {read_left})",
            expected_right,
        ),
    }
    # a side is decided when every operand present is a number and none is missing
    value = {
        name: f"CASE WHEN {read} = {present} AND {present} >= {expected} THEN {readable} END"
        for name, (readable, present, read, expected) in sides.items()
    }
    left_value, right_value = value["left"], value["right"]
    left_readable, right_readable = sides["left"][0], sides["right"][0]
    return f"""SELECT '{key}' AS check_key, r.id AS report_id, {scope} AS scope,
  {left_value} AS left_value,
  {right_value} AS right_value,
  {left_readable} AS left_readable,
  {right_readable} AS right_readable,
  COUNT(*) - COUNT(c.value) AS n_unreadable,
  ({expected_left}) + ({expected_right}) - COUNT(DISTINCT c.{member}) AS n_missing,
  COUNT(CASE WHEN c.kind = 'blank' THEN 1 END) AS n_blank,
  COUNT(CASE WHEN c.kind = 'inferred' THEN 1 END) AS n_inferred,
  '{operands[0]}' || {scope} || '{operands[1]}' AS operands
FROM reports r JOIN cells c ON c.report_id = r.id AND c.tbl = '{tbl}' AND c.{member} IN {_in(members)}
WHERE r.status = 'parsed'
GROUP BY r.id, {scope}"""


#: the same agency's current report of the year before (the same agency key: spellings of one agency are one)
_PREVIOUS = """JOIN agencies ra ON ra.id = r.agency_id JOIN agencies pa ON pa.key = ra.key
JOIN reports p ON p.agency_id = pa.id AND p.year = r.year - 1 AND p.status = 'parsed'"""


#: The current report ``r`` and each other copy ``o`` of the same agency (key) and year, with its document
#: ``od``: its ``alternate`` documents and ``superseded`` ones (documents_agree, expectations/copies.py)
COPIES = """FROM reports r
JOIN agencies a ON a.id = r.agency_id
JOIN agencies oa ON oa.key = a.key
JOIN reports o ON o.agency_id = oa.id AND o.year = r.year AND o.id <> r.id AND o.status IN ('alternate', 'superseded')
JOIN documents od ON od.id = o.document_id"""
#: ... still online: an older version at the current document's own URL was replaced there (history, not a copy)
COPY_ONLINE = """NOT EXISTS (SELECT 1 FROM document_urls u JOIN document_urls ou ON ou.url = u.url
  WHERE u.document_id = r.document_id AND ou.document_id = o.document_id)"""
#: a copy's scope: the first 16 hex digits of its SHA-256 (a decision holds until either copy changes)
COPY_SCOPE = "SUBSTR(od.sha256, 1, 16)"


def _plus(keys: tuple[str, ...]) -> str:
    return " + ".join(keys)


def identity_selects() -> dict[str, str]:
    """check key -> the SELECT of its identity view (columns: IDENTITY_COLUMNS)."""
    from parsers.form import (
        APPLICANT_COLUMN_KEYS,
        OTHER_ROWS_2021,
        OUTCOME_ROW_KEYS,
        REQUEST_ROW_KEYS,
        REVIEW_GROUPS,
        REVIEW_OUTCOMES,
        FormVersion,
        Table,
        outcome_row_keys,
        proactive_items,
        request_row_keys,
    )

    requests, reviews = Table.REQUESTS.value, Table.REVIEWS.value
    received, settled = REQUEST_ROW_KEYS[:2], (REQUEST_ROW_KEYS[-2], REQUEST_ROW_KEYS[-1])
    total_processed, carried_over, carried_forward = settled[0], received[1], settled[1]
    total_column = REQUEST_COLUMN_KEYS[-1]
    # 1 when a report prints the 2021 (六) rows: how many outcome rows (and cells) to expect depends on it
    is_2021 = f"MAX(CASE WHEN c.row_key IN {_in(OTHER_ROWS_2021)} THEN 1 ELSE 0 END)"
    n_2019, n_2021 = len(outcome_row_keys(FormVersion.V2019)), len(outcome_row_keys(FormVersion.V2021))
    parts = tuple(outcome for outcome, _ in REVIEW_OUTCOMES[:-1])
    total = REVIEW_OUTCOMES[-1][0]
    group_of = " ".join(
        f"WHEN c.row_key IN {_in(tuple(f'{g}_{o}' for o in (*parts, total)))} THEN '{g}'" for g, _ in REVIEW_GROUPS
    )
    old, new = FormVersion.V2019.value, FormVersion.V2021.value
    valid = VALID_NUMBER
    proactive = Table.PROACTIVE.value
    # the part 二 cells of each form version, as item.metric (the form of part 二 is the report's ``form``)
    pairs = {
        v: tuple(f"{i.key}.{m}" for i in proactive_items(v) for m in i.metrics[v])
        for v in (FormVersion.V2019, FormVersion.V2021)
    }
    expected_cells = (
        f"(CASE WHEN {is_2021} = 1 THEN {len(request_row_keys(FormVersion.V2021))} "
        f"ELSE {len(request_row_keys(FormVersion.V2019))} END) * {len(REQUEST_COLUMN_KEYS)} + {len(REVIEW_KEYS)} + "
        f"(CASE WHEN r.form = '{new}' THEN {len(pairs[FormVersion.V2021])} ELSE {len(pairs[FormVersion.V2019])} END)"
    )
    in_form = (
        f"(c.tbl = '{proactive}' AND ((r.form = '{new}' AND (c.row_key || '.' || c.column_key) IN "
        f"{_in(pairs[FormVersion.V2021])}) OR (r.form <> '{new}' AND "
        f"(c.row_key || '.' || c.column_key) IN {_in(pairs[FormVersion.V2019])})))"
    )
    narrative = "narrative"  # warehouse.load.NARRATIVE: the counts a report's text states
    return {
        "request_balance": _sum_identity(
            "request_balance",
            tbl=requests,
            scope="c.column_key",
            member="row_key",
            left=received,
            right=settled,
            expected_left="2",
            expected_right="2",
            operands=(f"{requests}[", f"]: {_plus(received)} = {_plus(settled)}"),
        ),
        "outcome_sum": _sum_identity(
            "outcome_sum",
            tbl=requests,
            scope="c.column_key",
            member="row_key",
            left=(total_processed,),
            right=OUTCOME_ROW_KEYS,
            expected_left="1",
            expected_right=f"(CASE WHEN {is_2021} = 1 THEN {n_2021} ELSE {n_2019} END)",
            operands=(f"{requests}[", f"]: {total_processed} = granted + … + other_*"),
        ),
        "applicant_sum": _sum_identity(
            "applicant_sum",
            tbl=requests,
            scope="c.row_key",
            member="column_key",
            left=(total_column,),
            right=APPLICANT_COLUMN_KEYS,
            expected_left="1",
            expected_right=str(len(APPLICANT_COLUMN_KEYS)),
            operands=(f"{requests}[", f"]: {total_column} = {_plus(APPLICANT_COLUMN_KEYS)}"),
        ),
        "complete": f"""SELECT 'complete' AS check_key, r.id AS report_id, NULL AS scope,
  SUM(CASE WHEN {valid} THEN 1 ELSE 0 END) AS left_value,
  {expected_cells} AS right_value,
  SUM(CASE WHEN {valid} THEN 1 ELSE 0 END) AS left_readable,
  {expected_cells} AS right_readable,
  COUNT(*) - COUNT(c.value) AS n_unreadable,
  0 AS n_missing, COUNT(CASE WHEN c.kind = 'blank' THEN 1 END) AS n_blank,
  COUNT(CASE WHEN c.kind = 'inferred' THEN 1 END) AS n_inferred,
  '{proactive}, {requests}, {reviews}: valid numbers = cells the form has' AS operands
FROM reports r JOIN cells c ON c.report_id = r.id
WHERE r.status = 'parsed' AND (
  (c.tbl = '{requests}' AND c.row_key IN {_in(REQUEST_ROW_KEYS)} AND c.column_key IN {_in(REQUEST_COLUMN_KEYS)})
  OR (c.tbl = '{reviews}' AND c.row_key IN {_in(REVIEW_KEYS)})
  OR {in_form})
GROUP BY r.id""",
        "review_sum": _sum_identity(
            "review_sum",
            tbl=reviews,
            scope=f"CASE {group_of} END",
            member="row_key",
            left=tuple(f"{g}_{total}" for g, _ in REVIEW_GROUPS),
            right=tuple(f"{g}_{p}" for g, _ in REVIEW_GROUPS for p in parts),
            expected_left="1",
            expected_right=str(len(parts)),
            operands=(f"{reviews}: ", f"_{total} = {_plus(parts)}"),
        ),
        "outdated_form": f"""SELECT 'outdated_form' AS check_key, r.id AS report_id, NULL AS scope,
  r.year AS left_value, CAST(r.form AS INTEGER) AS right_value,
  r.year AS left_readable, CAST(r.form AS INTEGER) AS right_readable,
  0 AS n_unreadable, 0 AS n_missing, 0 AS n_blank, 0 AS n_inferred,
  'reports.year, reports.form' AS operands
FROM reports r
WHERE r.status = 'parsed' AND r.year IS NOT NULL AND r.form IN ('{old}', '{new}')
  AND EXISTS (SELECT 1 FROM cells c WHERE c.report_id = r.id)""",
        "narrative_match": f"""SELECT 'narrative_match' AS check_key, n.report_id AS report_id, n.row_key AS scope,
  MAX(n.value) AS left_value,
  CASE WHEN SUM(CASE WHEN t.id IS NOT NULL AND t.value IS NULL THEN 1 ELSE 0 END) = 0
    AND (LENGTH(n.row_key) - LENGTH(REPLACE(n.row_key, '+', '')) + 1) - COUNT(t.id) <= 0
    THEN SUM(COALESCE(t.value, 0)) END AS right_value,
  MAX(n.value) AS left_readable,
  SUM(COALESCE(t.value, 0)) AS right_readable,
  SUM(CASE WHEN t.id IS NOT NULL AND t.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,
  (LENGTH(n.row_key) - LENGTH(REPLACE(n.row_key, '+', '')) + 1) - COUNT(t.id) AS n_missing,
  SUM(CASE WHEN t.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,
  SUM(CASE WHEN t.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred,
  '{narrative}: ' || MAX(n.raw) AS operands
FROM cells n JOIN reports r ON r.id = n.report_id
LEFT JOIN cells t ON t.report_id = n.report_id
  AND t.tbl IN ('{requests}', '{reviews}')
  AND ('+' || n.row_key || '+') LIKE ('%+' || t.row_key || '+%')
  AND COALESCE(t.column_key, '') = COALESCE(n.column_key, '')
WHERE r.status = 'parsed' AND n.tbl = '{narrative}'
GROUP BY n.report_id, n.id, n.row_key""",
        "carry_continuity": f"""SELECT 'carry_continuity' AS check_key, c.report_id AS report_id, c.column_key AS scope,
  CASE WHEN SUM(CASE WHEN c.value IS NULL THEN 1 ELSE 0 END) = 0 THEN MAX(c.value) END AS left_value,
  CASE WHEN SUM(CASE WHEN prev.value IS NULL THEN 1 ELSE 0 END) = 0 AND MIN(prev.value) = MAX(prev.value)
    THEN MAX(prev.value) END AS right_value,
  MAX(c.value) AS left_readable,
  MAX(prev.value) AS right_readable,
  SUM(CASE WHEN c.value IS NULL THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.value IS NULL THEN 1 ELSE 0 END)
    + CASE WHEN MIN(prev.value) <> MAX(prev.value) THEN 1 ELSE 0 END AS n_unreadable,
  0 AS n_missing,
  SUM(CASE WHEN c.kind = 'blank' THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.kind = 'blank' THEN 1 ELSE 0 END)
    AS n_blank,
  SUM(CASE WHEN c.kind = 'inferred' THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.kind = 'inferred' THEN 1 ELSE 0 END)
    AS n_inferred,
  '{requests}[' || c.column_key || ']: {carried_over} = previous year {carried_forward}' AS operands
FROM cells c JOIN reports r ON r.id = c.report_id
{_PREVIOUS}
JOIN cells prev ON prev.report_id = p.id AND prev.tbl = '{requests}' AND prev.row_key = '{carried_forward}'
  AND prev.column_key = c.column_key
WHERE r.status = 'parsed' AND c.tbl = '{requests}' AND c.row_key = '{carried_over}'
  AND c.column_key IN {_in(REQUEST_COLUMN_KEYS)}
GROUP BY c.report_id, c.column_key""",
        "documents_agree": f"""SELECT 'documents_agree' AS check_key, r.id AS report_id, {COPY_SCOPE} AS scope,
  c.value AS left_value, oc.value AS right_value,
  SUM(CASE WHEN c.value <> oc.value THEN 1 ELSE 0 END) OVER (PARTITION BY r.id, od.id) AS left_readable,
  COUNT(*) OVER (PARTITION BY r.id, od.id) AS right_readable,
  0 AS n_unreadable, 0 AS n_missing, 0 AS n_blank, 0 AS n_inferred,
  c.tbl || ' ' || c.row_key || COALESCE('/' || c.column_key, '') || ': ' || d.url || ' vs ' || od.url AS operands,
  c.tbl AS tbl, c.row_key AS row_key, c.column_key AS column_key, c.ordinal AS ordinal, c.raw AS raw,
  c.kind AS kind, oc.raw AS other_raw, d.url AS url, od.url AS other_url, o.id AS other_report_id
{COPIES}
JOIN documents d ON d.id = r.document_id
JOIN cells c ON c.report_id = r.id AND c.tbl IN {_in((Table.REQUESTS.value, reviews, Table.PROACTIVE.value))}
  AND c.value IS NOT NULL
JOIN cells oc ON oc.report_id = o.id AND oc.tbl = c.tbl AND oc.row_key = c.row_key
  AND COALESCE(oc.column_key, '') = COALESCE(c.column_key, '') AND oc.value IS NOT NULL
WHERE r.status = 'parsed' AND {COPY_ONLINE}""",
    }


def assessable_select() -> str:
    """(check_key, report_id) for every identity and every current report it applies to."""
    from parsers.form import FormVersion, Table

    def with_table(key: str, tbl: str) -> str:
        return (
            f"SELECT DISTINCT '{key}' AS check_key, c.report_id AS report_id FROM cells c "
            f"JOIN reports r ON r.id = c.report_id WHERE r.status = 'parsed' AND c.tbl = '{tbl}'"
        )

    requests, reviews = Table.REQUESTS.value, Table.REVIEWS.value
    old, new = FormVersion.V2019.value, FormVersion.V2021.value
    return "\nUNION ALL\n".join(
        [
            *(with_table(k, requests) for k in IDENTITY_SUBJECTS["requests"]),
            with_table("review_sum", reviews),
            "SELECT 'outdated_form' AS check_key, r.id AS report_id FROM reports r WHERE r.status = 'parsed' "
            f"AND r.year IS NOT NULL AND r.form IN ('{old}', '{new}')",
            with_table("narrative_match", "narrative"),
            "SELECT DISTINCT 'carry_continuity' AS check_key, r.id AS report_id FROM reports r "
            f"{_PREVIOUS} "
            "WHERE r.status = 'parsed'",
            f"SELECT DISTINCT 'documents_agree' AS check_key, r.id AS report_id {COPIES} "
            f"WHERE r.status = 'parsed' AND {COPY_ONLINE}",
        ]
    )


def identity_view_statements() -> list[str]:
    """``CREATE VIEW`` statements for the identity, subject and assessable views, in dependency order."""
    selects = identity_selects()
    out = [f"CREATE VIEW {identity_view(k)} AS\n{selects[k]}" for keys in IDENTITY_SUBJECTS.values() for k in keys]
    context = {"agency": "a.name AS agency", "year": "r.year AS year", "form": "r.form AS form"}
    columns = ", ".join(context.get(c, f"i.{c}") for c in IDENTITY_COLUMNS)
    for subject, keys in IDENTITY_SUBJECTS.items():
        # the reports' context joined in each branch, not around the UNION ALL: SQLite then streams the
        # identity views' rows instead of materializing the union first
        union = "\nUNION ALL\n".join(
            f"SELECT {columns} FROM {identity_view(k)} i\n"
            "JOIN reports r ON r.id = i.report_id LEFT JOIN agencies a ON a.id = r.agency_id"
            for k in keys
        )
        out.append(f"CREATE VIEW {subject_view(subject)} AS\n{union}")
    out.append(f"CREATE VIEW identity_assessable AS\n{assessable_select()}")
    return out


#: The snapshot a run validates: the rows of every subject view, taken once at the start of the run (one
#: INSERT per subject), so that Great Expectations' several queries per expectation read a table instead
#: of recomputing the sums, and the suites see one state of the warehouse. It keeps what the suites read:
#: every column of the views but ``operands`` (text for people; no expectation reads it). Rows carry the
#: run's id, each subject's rows are one range of ids (inserted by one statement), and the run deletes
#: them when it ends. No index on the run: the suites read their subject's range of ids (the primary key);
#: the index on ``check_key`` serves their queries per check.
SNAPSHOT_TABLE = "identity_sides"
SNAPSHOT_COLUMNS = tuple(c for c in IDENTITY_COLUMNS if c != "operands")


def snapshot_statements() -> list[str]:
    """``INSERT … SELECT`` per subject view into the snapshot, in the order of :data:`IDENTITY_SUBJECTS`;
    parameter ``:run_id``."""
    columns = ", ".join(SNAPSHOT_COLUMNS)
    return [
        f"INSERT INTO {SNAPSHOT_TABLE} (run_id, subject, {columns}) "
        f"SELECT :run_id, '{subject}', {columns} FROM {subject_view(subject)}"
        for subject in IDENTITY_SUBJECTS
    ]


#: the highest id in the snapshot: read before each subject's INSERT, its rows are the ones after it
SNAPSHOT_LAST_ID = f"SELECT COALESCE(MAX(id), 0) FROM {SNAPSHOT_TABLE}"


def snapshot_batch_query(run_id: str, subject: str, ids: tuple[int, int]) -> str:
    """The batch one subject's suite validates: its rows of this run's snapshot, ids ``first..last``."""
    first, last = (int(i) for i in ids)
    if not run_id.isalnum() or subject not in IDENTITY_SUBJECTS:
        raise ValueError(f"not a run id and subject: {run_id!r}, {subject!r}")
    columns = ", ".join(SNAPSHOT_COLUMNS)
    return (
        f"SELECT {columns} FROM {SNAPSHOT_TABLE} "
        f"WHERE id BETWEEN {first} AND {last} AND run_id = '{run_id}' AND subject = '{subject}'"
    )


def identity_drop_statements() -> list[str]:
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(IDENTITY_VIEW_NAMES)]

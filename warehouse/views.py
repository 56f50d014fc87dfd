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
VIEW_NAMES = FORM_VIEWS + IDENTITY_VIEWS

_REPORT_COLUMNS = """r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form"""
_REPORT_JOIN = "FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id"


def _pivot(columns: tuple[str, ...], key_column: str) -> str:
    return ",\n  ".join(f"MAX(CASE WHEN c.{key_column} = '{k}' THEN c.value END) AS {k}" for k in columns)


def view_statements() -> list[str]:
    """``CREATE VIEW`` statements, in dependency order."""
    overview = f"""CREATE VIEW report_overview AS
SELECT {_REPORT_COLUMNS}, a.key AS agency_key, r.status AS status, r.parser_version AS parser_version,
  d.url AS url, d.sha256 AS sha256, d.version AS document_version, r.n_warnings AS n_warnings,
  (SELECT COUNT(*) FROM check_results k WHERE k.report_id = r.id AND k.outcome = 'FAIL') AS failed_checks,
  r.error_code AS error_code, r.error AS error
{_REPORT_JOIN} JOIN documents d ON d.id = r.document_id
WHERE r.status IN ('parsed', 'failed', 'in_attachment')"""
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
    return [overview, requests, reviews, proactive, *identity_view_statements()]


# --- report identity (issue 12): every document of a report, and its history -------------------------

#: The current report of the same identity (agency key and year) as ``r``/``a``.
_CURRENT_OF = """(SELECT MIN(cr.id) FROM reports cr JOIN agencies ca ON ca.id = cr.agency_id
   WHERE ca.key = a.key AND cr.year = r.year AND cr.status = 'parsed')"""
_ROLE = """CASE r.status WHEN 'parsed' THEN 'current' ELSE r.status END"""


def identity_view_statements() -> list[str]:
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
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEW_NAMES)]

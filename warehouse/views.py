"""Views for people: the printed form, one query away. Same names and columns on SQLite and PostgreSQL.

The SQL is generated from the form declaration (``parsers/form.py``), so the
column names are the canonical keys. Views show *current* reports only (status
``parsed``); superseded versions stay in ``reports`` and ``cells`` as history.
"""

from __future__ import annotations

from parsers.form import REQUEST_COLUMN_KEYS, REVIEW_KEYS

VIEW_NAMES = ("report_overview", "report_requests", "report_reviews", "report_proactive")

_REPORT_COLUMNS = """r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form"""
_REPORT_JOIN = "FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id"


def _pivot(columns: tuple[str, ...], key_column: str) -> str:
    return ",\n  ".join(f"MAX(CASE WHEN c.{key_column} = '{k}' THEN c.value END) AS {k}" for k in columns)


def view_statements() -> list[str]:
    """``CREATE VIEW`` statements, in dependency order."""
    overview = f"""CREATE VIEW report_overview AS
SELECT {_REPORT_COLUMNS}, r.status AS status, r.parser_version AS parser_version,
  d.url AS url, d.sha256 AS sha256, d.version AS document_version, r.n_warnings AS n_warnings,
  (SELECT COUNT(*) FROM check_results k WHERE k.report_id = r.id AND k.outcome = 'FAIL') AS failed_checks,
  r.error_code AS error_code, r.error AS error
{_REPORT_JOIN} JOIN documents d ON d.id = r.document_id
WHERE r.status <> 'superseded'"""
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
    return [overview, requests, reviews, proactive]


def drop_statements() -> list[str]:
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEW_NAMES)]

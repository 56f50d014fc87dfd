"""``report_overview`` says whether each report is checked: ``check_status`` (``unchecked`` until
``nianbao validate`` has checked the report as it is now, then ``flagged``, ``uncertain``, ``not_assessable``
or ``clean``; ``not_checkable`` for a document with no report), ``checked_at``, and ``failed_checks`` NULL
(not 0) for a report never checked (issue 17 item 3).

Only ``report_overview`` changes, and nothing depends on it: it is replaced alone, with its SQL frozen here
(warehouse/views.py's ``overview_statement`` of 0006) so that later changes to views.py do not rewrite it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: report_overview as 0006 makes it
_OVERVIEW_0006 = """CREATE VIEW report_overview AS
SELECT r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form, a.key AS agency_key, r.status AS status, r.parser_version AS parser_version,
  d.url AS url, d.sha256 AS sha256, d.version AS document_version, r.n_warnings AS n_warnings,
  CASE WHEN r.status <> 'parsed' THEN 'not_checkable'
    WHEN NOT (k.n_results IS NOT NULL AND k.checked_at >= r.updated_at) THEN 'unchecked'
    WHEN k.n_fail > 0 THEN 'flagged'
    WHEN k.n_uncertain > 0 THEN 'uncertain'
    WHEN k.n_pass = 0 THEN 'not_assessable'
    ELSE 'clean' END AS check_status,
  CASE WHEN r.status = 'parsed' AND k.n_results IS NOT NULL AND k.checked_at >= r.updated_at
    THEN k.n_fail END AS failed_checks,
  CASE WHEN r.status = 'parsed' AND k.n_results IS NOT NULL AND k.checked_at >= r.updated_at
    THEN k.checked_at END AS checked_at,
  r.error_code AS error_code, r.error AS error
FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id JOIN documents d ON d.id = r.document_id
LEFT JOIN (
  SELECT report_id, COUNT(*) AS n_results, MIN(created_at) AS checked_at,
    SUM(CASE WHEN outcome = 'FAIL' THEN 1 ELSE 0 END) AS n_fail,
    SUM(CASE WHEN outcome = 'UNCERTAIN' THEN 1 ELSE 0 END) AS n_uncertain,
    SUM(CASE WHEN outcome = 'PASS' THEN 1 ELSE 0 END) AS n_pass
  FROM check_results GROUP BY report_id
) k ON k.report_id = r.id
WHERE r.status IN ('parsed', 'failed', 'in_attachment')"""

#: report_overview as 0004 made it (0005 did not change it)
_OVERVIEW_0004 = """CREATE VIEW report_overview AS
SELECT r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form, a.key AS agency_key, r.status AS status, r.parser_version AS parser_version,
  d.url AS url, d.sha256 AS sha256, d.version AS document_version, r.n_warnings AS n_warnings,
  (SELECT COUNT(*) FROM check_results k WHERE k.report_id = r.id AND k.outcome = 'FAIL') AS failed_checks,
  r.error_code AS error_code, r.error AS error
FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id JOIN documents d ON d.id = r.document_id
WHERE r.status IN ('parsed', 'failed', 'in_attachment')"""


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS report_overview")
    op.execute(_OVERVIEW_0006)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS report_overview")
    op.execute(_OVERVIEW_0004)

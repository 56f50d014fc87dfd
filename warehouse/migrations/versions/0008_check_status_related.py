"""``report_overview.check_status`` is ``unchecked`` again when a report the checks read changed since the
last run: the same agency's report of the year before (``carry_continuity``) or another copy of the same
year (``documents_agree``), loaded, re-parsed or re-elected since. Before, such a report stayed ``clean``
or ``flagged`` on results that no longer spoke for it.

Only ``report_overview`` changes, and nothing depends on it: it is replaced alone, with its SQL frozen here
(warehouse/views.py's ``overview_statement`` of 0008); the downgrade restores 0006's, frozen in its file.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from warehouse.db import migration_module

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: report_overview as 0008 makes it
_OVERVIEW_0008 = """CREATE VIEW report_overview AS
SELECT r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form, a.key AS agency_key, r.status AS status, r.parser_version AS parser_version,
  d.url AS url, d.sha256 AS sha256, d.version AS document_version, r.n_warnings AS n_warnings,
  CASE WHEN r.status <> 'parsed' THEN 'not_checkable'
    WHEN NOT (k.n_results IS NOT NULL AND k.checked_at >= r.updated_at
    AND NOT EXISTS (SELECT 1 FROM reports x JOIN agencies xa ON xa.id = x.agency_id
      WHERE xa.key = a.key AND x.year IN (r.year, r.year - 1) AND x.id <> r.id AND x.updated_at > k.checked_at)) THEN 'unchecked'
    WHEN k.n_fail > 0 THEN 'flagged'
    WHEN k.n_uncertain > 0 THEN 'uncertain'
    WHEN k.n_pass = 0 THEN 'not_assessable'
    ELSE 'clean' END AS check_status,
  CASE WHEN r.status = 'parsed' AND k.n_results IS NOT NULL AND k.checked_at >= r.updated_at
    AND NOT EXISTS (SELECT 1 FROM reports x JOIN agencies xa ON xa.id = x.agency_id
      WHERE xa.key = a.key AND x.year IN (r.year, r.year - 1) AND x.id <> r.id AND x.updated_at > k.checked_at)
    THEN k.n_fail END AS failed_checks,
  CASE WHEN r.status = 'parsed' AND k.n_results IS NOT NULL AND k.checked_at >= r.updated_at
    AND NOT EXISTS (SELECT 1 FROM reports x JOIN agencies xa ON xa.id = x.agency_id
      WHERE xa.key = a.key AND x.year IN (r.year, r.year - 1) AND x.id <> r.id AND x.updated_at > k.checked_at)
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
WHERE r.status IN ('parsed', 'failed', 'in_attachment')"""  # noqa: E501


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS report_overview")
    op.execute(_OVERVIEW_0008)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS report_overview")
    op.execute(migration_module("0006_check_status.py")._OVERVIEW_0006)

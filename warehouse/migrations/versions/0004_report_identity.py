"""One report per agency and year: ``agencies.key``, ``document_urls``, the current document of each report,
and views that count each report once (``report_documents`` and ``report_versions`` for the copies).

Existing warehouses keep every row: each document gets its URL in ``document_urls``; every agency
its key (warehouse.identity.agency_key); and each report identity (agency key and year) its current
document by the rule of warehouse/identity.py — the other copies become ``alternate`` or
``superseded``, with their cells, instead of being counted again. Documents with identical bytes
stored under two URLs before 0004 stay two rows (alternates of one report); new loads give such
bytes one document with several URLs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.db import migration_module
from warehouse.identity import agency_key, fingerprint
from warehouse.load import elect

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The views as 0004 made them, frozen (warehouse/views.py of 0004, expanded): later migrations replace them.
_VIEWS_0004_NAMES = (
    "report_overview",
    "report_requests",
    "report_reviews",
    "report_proactive",
    "report_documents",
    "report_versions",
)
_VIEWS_0004 = (
    """CREATE VIEW report_overview AS
SELECT r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form, a.key AS agency_key, r.status AS status, r.parser_version AS parser_version,
  d.url AS url, d.sha256 AS sha256, d.version AS document_version, r.n_warnings AS n_warnings,
  (SELECT COUNT(*) FROM check_results k WHERE k.report_id = r.id AND k.outcome = 'FAIL') AS failed_checks,
  r.error_code AS error_code, r.error AS error
FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id JOIN documents d ON d.id = r.document_id
WHERE r.status IN ('parsed', 'failed', 'in_attachment')""",
    """CREATE VIEW report_requests AS
SELECT r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form, f.ordinal AS row_order, c.row_key AS row_key, f.label AS row_label,
  MAX(CASE WHEN c.column_key = 'natural_person' THEN c.value END) AS natural_person,
  MAX(CASE WHEN c.column_key = 'commercial_enterprise' THEN c.value END) AS commercial_enterprise,
  MAX(CASE WHEN c.column_key = 'research_institution' THEN c.value END) AS research_institution,
  MAX(CASE WHEN c.column_key = 'social_welfare_org' THEN c.value END) AS social_welfare_org,
  MAX(CASE WHEN c.column_key = 'legal_service_agency' THEN c.value END) AS legal_service_agency,
  MAX(CASE WHEN c.column_key = 'other_org' THEN c.value END) AS other_org,
  MAX(CASE WHEN c.column_key = 'total' THEN c.value END) AS total
FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id
JOIN cells c ON c.report_id = r.id AND c.tbl = 'requests'
LEFT JOIN form_rows f ON f.tbl = 'requests' AND f.key = c.row_key
WHERE r.status = 'parsed'
GROUP BY r.id, a.name, a.district, a.level, r.year, r.form, f.ordinal, c.row_key, f.label""",
    """CREATE VIEW report_reviews AS
SELECT r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form,
  MAX(CASE WHEN c.row_key = 'review_upheld' THEN c.value END) AS review_upheld,
  MAX(CASE WHEN c.row_key = 'review_corrected' THEN c.value END) AS review_corrected,
  MAX(CASE WHEN c.row_key = 'review_other' THEN c.value END) AS review_other,
  MAX(CASE WHEN c.row_key = 'review_pending' THEN c.value END) AS review_pending,
  MAX(CASE WHEN c.row_key = 'review_total' THEN c.value END) AS review_total,
  MAX(CASE WHEN c.row_key = 'suit_direct_upheld' THEN c.value END) AS suit_direct_upheld,
  MAX(CASE WHEN c.row_key = 'suit_direct_corrected' THEN c.value END) AS suit_direct_corrected,
  MAX(CASE WHEN c.row_key = 'suit_direct_other' THEN c.value END) AS suit_direct_other,
  MAX(CASE WHEN c.row_key = 'suit_direct_pending' THEN c.value END) AS suit_direct_pending,
  MAX(CASE WHEN c.row_key = 'suit_direct_total' THEN c.value END) AS suit_direct_total,
  MAX(CASE WHEN c.row_key = 'suit_after_review_upheld' THEN c.value END) AS suit_after_review_upheld,
  MAX(CASE WHEN c.row_key = 'suit_after_review_corrected' THEN c.value END) AS suit_after_review_corrected,
  MAX(CASE WHEN c.row_key = 'suit_after_review_other' THEN c.value END) AS suit_after_review_other,
  MAX(CASE WHEN c.row_key = 'suit_after_review_pending' THEN c.value END) AS suit_after_review_pending,
  MAX(CASE WHEN c.row_key = 'suit_after_review_total' THEN c.value END) AS suit_after_review_total
FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id
JOIN cells c ON c.report_id = r.id AND c.tbl = 'reviews'
WHERE r.status = 'parsed'
GROUP BY r.id, a.name, a.district, a.level, r.year, r.form""",
    """CREATE VIEW report_proactive AS
SELECT r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form, c.ordinal AS item_order, c.row_key AS item, f.label AS item_label,
  c.column_key AS metric, c.value AS value, c.raw AS raw, c.kind AS kind
FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id
JOIN cells c ON c.report_id = r.id AND c.tbl = 'proactive'
LEFT JOIN form_rows f ON f.tbl = 'proactive' AND f.key = c.row_key
WHERE r.status = 'parsed'""",
    """CREATE VIEW report_documents AS
SELECT a.key AS agency_key, a.name AS agency, a.district AS district, r.year AS year,
  (SELECT MIN(cr.id) FROM reports cr JOIN agencies ca ON ca.id = cr.agency_id
   WHERE ca.key = a.key AND cr.year = r.year AND cr.status = 'parsed') AS current_report_id, r.id AS report_id, CASE r.status WHEN 'parsed' THEN 'current' ELSE r.status END AS role, r.format AS format,
  u.url AS url, u.version AS url_version, u.published_date AS published_date, u.fetched_at AS fetched_at,
  u.source_page_url AS source_page_url, d.sha256 AS sha256, d.id AS document_id
FROM reports r JOIN agencies a ON a.id = r.agency_id
JOIN documents d ON d.id = r.document_id
JOIN document_urls u ON u.document_id = d.id
WHERE r.status NOT IN ('failed', 'in_attachment') AND r.year IS NOT NULL""",  # noqa: E501
    """CREATE VIEW report_versions AS
SELECT v.agency_key, v.agency, v.district, v.year, v.current_report_id, v.report_id, v.role, v.format,
  v.published_date, v.n_urls, v.url, v.sha256, v.parser_version, v.loaded_at,
  (SELECT COUNT(*) FROM cells c JOIN cells cc ON cc.report_id = v.current_report_id AND cc.tbl = c.tbl
     AND cc.row_key = c.row_key AND COALESCE(cc.column_key, '') = COALESCE(c.column_key, '')
   WHERE c.report_id = v.report_id AND c.tbl IN ('requests', 'reviews', 'proactive')
     AND c.value IS NOT NULL AND cc.value IS NOT NULL AND c.value <> cc.value) AS differing_cells
FROM (
  SELECT a.key AS agency_key, a.name AS agency, a.district AS district, r.year AS year,
    (SELECT MIN(cr.id) FROM reports cr JOIN agencies ca ON ca.id = cr.agency_id
   WHERE ca.key = a.key AND cr.year = r.year AND cr.status = 'parsed') AS current_report_id, r.id AS report_id, CASE r.status WHEN 'parsed' THEN 'current' ELSE r.status END AS role, r.format AS format,
    (SELECT MAX(u.published_date) FROM document_urls u WHERE u.document_id = d.id) AS published_date,
    (SELECT COUNT(*) FROM document_urls u WHERE u.document_id = d.id) AS n_urls,
    d.url AS url, d.sha256 AS sha256, r.parser_version AS parser_version, d.loaded_at AS loaded_at
  FROM reports r JOIN agencies a ON a.id = r.agency_id JOIN documents d ON d.id = r.document_id
  WHERE r.status NOT IN ('failed', 'in_attachment') AND r.year IS NOT NULL
) v""",  # noqa: E501
)


def upgrade() -> None:
    conn = op.get_bind()
    for name in reversed(_VIEWS_0004_NAMES):  # 0001's views, and any of these a failed run left
        op.execute(f"DROP VIEW IF EXISTS {name}")
    # ADD COLUMN, not a batch table copy: SQLite cannot drop a table that reports reference (foreign keys on)
    op.add_column("agencies", sa.Column("key", sa.String(300), nullable=False, server_default=""))
    agencies = sa.table("agencies", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("key"))
    for agency_id, name in conn.execute(sa.select(agencies.c.id, agencies.c.name)).all():
        conn.execute(sa.update(agencies).where(agencies.c.id == agency_id).values(key=agency_key(name)))
    op.create_index("ix_agencies_key", "agencies", ["key"])
    op.create_table(
        "document_urls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("portal", sa.String(100)),
        sa.Column("fetched_at", sa.DateTime(timezone=True)),
        sa.Column("published_date", sa.Date),
        sa.Column("source_page_url", sa.String(2000)),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("url", "document_id", name="uq_document_urls_url_document"),
    )
    op.create_index("ix_document_urls_document_id", "document_urls", ["document_id"])
    op.create_index("ix_document_urls_url", "document_urls", ["url"])
    op.execute(
        "INSERT INTO document_urls (document_id, url, version, portal, fetched_at, published_date, source_page_url, "
        "loaded_at) SELECT id, url, version, portal, fetched_at, published_date, source_page_url, loaded_at "
        "FROM documents"
    )
    groups: set[tuple[str | None, int | None, int | None]] = set()
    for report_id, key, year in conn.execute(
        sa.text(
            "SELECT r.id, a.key, r.year FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id "
            "WHERE r.status NOT IN ('failed', 'in_attachment')"
        )
    ):
        groups.add((key, year, None) if key is not None and year is not None else (None, None, report_id))
    elect(conn, groups)
    _rekey_findings(conn)
    for statement in _VIEWS_0004:
        op.execute(statement)


def _rekey_findings(conn: sa.Connection) -> None:
    """Findings were keyed by the agency's name as printed; now by its key, so that a reviewer's decision
    holds whichever spelling the current document prints. Decisions move with their findings."""
    rows = conn.execute(
        sa.text(
            "SELECT DISTINCT k.fingerprint, a.name, a.key, d.url, r.year, k.check_key, k.scope FROM check_results k "
            "JOIN reports r ON r.id = k.report_id JOIN documents d ON d.id = r.document_id "
            "LEFT JOIN agencies a ON a.id = r.agency_id"
        )
    ).all()
    for old, name, key, url, year, check, scope in rows:
        new = fingerprint(key, url, year, check, scope)
        if old != fingerprint(name, url, year, check, scope) or new == old:
            continue
        conn.execute(
            sa.text("UPDATE check_results SET fingerprint = :new WHERE fingerprint = :old"), {"new": new, "old": old}
        )
        taken = conn.execute(sa.text("SELECT 1 FROM flag_reviews WHERE fingerprint = :new"), {"new": new}).first()
        if taken is None:
            conn.execute(
                sa.text("UPDATE flag_reviews SET fingerprint = :new WHERE fingerprint = :old"), {"new": new, "old": old}
            )


def _views_0001():
    """The views 0001 made (0002 and 0003 changed none)."""
    return migration_module("0001_initial.py")._views_0001()


def downgrade() -> None:
    """Back to one report per document: alternates count again (as they did before 0004)."""
    for name in reversed(_VIEWS_0004_NAMES):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.execute("UPDATE reports SET status = 'parsed' WHERE status = 'alternate'")
    op.drop_index("ix_document_urls_url", "document_urls")
    op.drop_index("ix_document_urls_document_id", "document_urls")
    op.drop_table("document_urls")
    op.drop_index("ix_agencies_key", "agencies")
    op.execute("ALTER TABLE agencies DROP COLUMN key")  # SQLite 3.35+ and PostgreSQL, without a table copy
    for statement in _views_0001():
        op.execute(statement)

"""The first warehouse schema: agencies, documents, reports, cells, form rows, checks, flag reviews, views.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parsers.form import REQUEST_COLUMN_KEYS, REVIEW_KEYS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NUM = sa.Numeric(asdecimal=False)
_VIEWS_0001 = ("report_overview", "report_requests", "report_reviews", "report_proactive")

_REPORT_COLUMNS = """r.id AS report_id, a.name AS agency, a.district AS district, a.level AS level,
  r.year AS year, r.form AS form"""
_REPORT_JOIN = "FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id"


def _pivot(columns: tuple[str, ...], key_column: str) -> str:
    return ",\n  ".join(f"MAX(CASE WHEN c.{key_column} = '{k}' THEN c.value END) AS {k}" for k in columns)


def _views_0001() -> list[str]:
    """The views as 0001 made them (frozen: later migrations replace them from warehouse/views.py)."""
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


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("district", sa.String(100)),
        sa.Column("portal", sa.String(100)),
        sa.Column("level", sa.String(30), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("portal", sa.String(100)),
        sa.Column("fetched_at", sa.DateTime(timezone=True)),
        sa.Column("content_type", sa.String(200)),
        sa.Column("raw_path", sa.String(500)),
        sa.Column("title", sa.String(500)),
        sa.Column("published_date", sa.Date),
        sa.Column("source_page_url", sa.String(2000)),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("url", "sha256", name="uq_documents_url_sha256"),
    )
    op.create_index("ix_documents_url", "documents", ["url"])
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, unique=True
        ),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id")),
        sa.Column("year", sa.Integer),
        sa.Column("form", sa.String(10)),
        sa.Column("table_forms", sa.JSON),
        sa.Column("parser_version", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error_code", sa.String(50)),
        sa.Column("error", sa.Text),
        sa.Column("title", sa.String(500)),
        sa.Column("format", sa.String(20)),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("form_reference", sa.String(100)),
        sa.Column("contact", sa.JSON),
        sa.Column("preamble", sa.Text),
        sa.Column("sections", sa.JSON),
        sa.Column("warnings", sa.JSON),
        sa.Column("n_warnings", sa.Integer, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reports_agency_id", "reports", ["agency_id"])
    op.create_index("ix_reports_year", "reports", ["year"])
    op.create_index("ix_reports_status", "reports", ["status"])
    op.create_table(
        "cells",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tbl", sa.String(20), nullable=False),
        sa.Column("row_key", sa.String(50), nullable=False),
        sa.Column("column_key", sa.String(50)),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("value", NUM),
        sa.Column("raw", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("position", sa.JSON),
        sa.Column("note", sa.String(500)),
    )
    op.create_index("ix_cells_report_table_row", "cells", ["report_id", "tbl", "row_key"])
    op.create_table(
        "form_rows",
        sa.Column("tbl", sa.String(30), primary_key=True),
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("versions", sa.String(50), nullable=False),
    )
    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("check_key", sa.String(50), nullable=False),
        sa.Column("scope", sa.String(50)),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("left_value", NUM),
        sa.Column("right_value", NUM),
        sa.Column("difference", NUM),
        sa.Column("cells", sa.JSON),
        sa.Column("message_zh", sa.Text),
        sa.Column("message_en", sa.Text),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_check_results_run_id", "check_results", ["run_id"])
    op.create_index("ix_check_results_report_id", "check_results", ["report_id"])
    op.create_index("ix_check_results_fingerprint", "check_results", ["fingerprint"])
    op.create_table(
        "flag_reviews",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("numbers_hash", sa.String(64)),
        sa.Column("reviewer", sa.String(100)),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    for statement in _views_0001():
        op.execute(statement)


def downgrade() -> None:
    for name in reversed(_VIEWS_0001):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for table in ("flag_reviews", "check_results", "form_rows", "cells", "reports", "documents", "agencies"):
        op.drop_table(table)

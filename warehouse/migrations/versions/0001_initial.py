"""The first warehouse schema: agencies, documents, reports, cells, form rows, checks, flag reviews, views.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.views import drop_statements, view_statements

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NUM = sa.Numeric(asdecimal=False)


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
    for statement in view_statements():
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements():
        op.execute(statement)
    for table in ("flag_reviews", "check_results", "form_rows", "cells", "reports", "documents", "agencies"):
        op.drop_table(table)

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

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from warehouse.identity import agency_key, fingerprint
from warehouse.load import elect
from warehouse.views import drop_statements, view_statements

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    for statement in drop_statements():
        op.execute(statement)
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
    for statement in view_statements():
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
    path = Path(__file__).with_name("0001_initial.py")
    spec = importlib.util.spec_from_file_location("nianbao_migration_0001", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module._views_0001()


def downgrade() -> None:
    """Back to one report per document: alternates count again (as they did before 0004)."""
    for statement in drop_statements():
        op.execute(statement)
    op.execute("UPDATE reports SET status = 'parsed' WHERE status = 'alternate'")
    op.drop_index("ix_document_urls_url", "document_urls")
    op.drop_index("ix_document_urls_document_id", "document_urls")
    op.drop_table("document_urls")
    op.drop_index("ix_agencies_key", "agencies")
    op.execute("ALTER TABLE agencies DROP COLUMN key")  # SQLite 3.35+ and PostgreSQL, without a table copy
    for statement in _views_0001():
        op.execute(statement)

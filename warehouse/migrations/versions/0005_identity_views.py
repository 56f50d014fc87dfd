"""The identity views: both sides of every identity (勾稽关系) per report and scope (``identity_<check>``,
``identities_<subject>``, ``identity_assessable``), and ``identity_sides``, the snapshot of the subject
views a run takes and the Great Expectations suites validate.

Every view is (re)created from warehouse/views.py: this is the latest migration that changes views, so it
reads the live SQL; a later one that changes views must freeze this one's (as 0001 and 0004 keep theirs).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from warehouse.views import drop_statements, view_statements

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in drop_statements():
        op.execute(statement)
    op.create_table(
        "identity_sides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("check_key", sa.String(40), nullable=False),
        sa.Column("report_id", sa.Integer, nullable=False),
        sa.Column("agency", sa.String(200)),
        sa.Column("year", sa.Integer),
        sa.Column("form", sa.String(10)),
        sa.Column("scope", sa.String(500)),
        *(sa.Column(c, sa.Float) for c in ("left_value", "right_value", "left_readable", "right_readable")),
        *(sa.Column(c, sa.Integer) for c in ("n_unreadable", "n_missing", "n_blank", "n_inferred")),
        sa.Column("operands", sa.Text),
    )
    op.create_index("ix_identity_sides_run_subject_check", "identity_sides", ["run_id", "subject", "check_key"])
    for statement in view_statements():
        op.execute(statement)


def _views_0004() -> list[str]:
    """The views 0004 made, frozen in its file."""
    path = Path(__file__).with_name("0004_report_identity.py")
    spec = importlib.util.spec_from_file_location("nianbao_migration_0004", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return list(module._VIEWS_0004)


def downgrade() -> None:
    for statement in drop_statements():
        op.execute(statement)
    op.drop_index("ix_identity_sides_run_subject_check", "identity_sides")
    op.drop_table("identity_sides")
    for statement in _views_0004():
        op.execute(statement)

"""The identity views: both sides of every identity (勾稽关系) per report and scope (``identity_<check>``,
``identities_<subject>``, ``identity_assessable``), and ``identity_sides``, the snapshot of the subject
views a run takes and the Great Expectations suites validate.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.views import identity_drop_statements, identity_view_statements

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in identity_drop_statements():
        op.execute(statement)
    for statement in identity_view_statements():
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


def downgrade() -> None:
    op.drop_table("identity_sides")
    for statement in identity_drop_statements():
        op.execute(statement)

"""The identity views: both sides of every identity (勾稽关系) per report and scope, which the Great
Expectations suites validate (``identity_<check>``, ``identities_<subject>``, ``identity_assessable``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

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


def downgrade() -> None:
    for statement in identity_drop_statements():
        op.execute(statement)

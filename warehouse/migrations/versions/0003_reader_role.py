"""PostgreSQL: the ``nianbao_reader`` role, which may only SELECT the warehouse (for ``nianbao query``,
psql and BI tools). Nothing on SQLite, where ``nianbao query`` opens the file read-only.

When the migrating login cannot create roles, the role is left to an administrator
(docs/warehouse.md gives the SQL) and ``nianbao query`` refuses to run on PostgreSQL until it exists.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from warehouse.access import grant_reader_role

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    grant_reader_role(op.get_bind())


def downgrade() -> None:
    """The role is cluster-wide and may serve other databases: it is kept."""

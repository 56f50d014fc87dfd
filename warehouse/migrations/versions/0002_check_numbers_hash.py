"""check_results.numbers_hash: the numbers a finding was about, so a reviewer's decision re-opens only
when a new document version changes them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("check_results") as batch:
        batch.add_column(sa.Column("numbers_hash", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("check_results") as batch:
        batch.drop_column("numbers_hash")

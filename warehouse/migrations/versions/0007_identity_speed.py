"""Faster identity views and snapshot (issue 11 item 4: 10,000 reports validated within 15 s on SQLite).

* The identity views group each report's cells by ``r.id`` first, so that SQLite reads them in the order
  of the cells' index instead of sorting them, and count each side with fewer aggregates; their rows and
  columns are the same as 0005's.
* The subject views join the reports' context in each branch of their UNION ALL.
* ``identity_sides`` (the snapshot a run takes) no longer keeps ``operands`` (text for people, which no
  expectation reads), and its index on (run id, subject, check) becomes one on the check alone: a run
  finds its rows by their ids, and Great Expectations' queries per check use the index.

This is the latest migration that changes the identity views, so it reads their live SQL
(warehouse/views.py); a later one that changes them must freeze this one's, as 0005 keeps its own.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.db import migration_module
from warehouse.views import identity_drop_statements, identity_view_statements

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in identity_drop_statements():
        op.execute(statement)
    op.execute("DELETE FROM identity_sides")  # a snapshot a killed run left behind: nobody reads it
    op.drop_index("ix_identity_sides_run_subject_check", "identity_sides")
    with op.batch_alter_table("identity_sides") as batch:
        batch.drop_column("operands")
    op.create_index("ix_identity_sides_check", "identity_sides", ["check_key"])
    for statement in identity_view_statements():
        op.execute(statement)


def downgrade() -> None:
    m0005 = migration_module("0005_identity_views.py")
    for name in reversed(m0005._IDENTITY_VIEW_NAMES_0005):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_index("ix_identity_sides_check", "identity_sides")
    with op.batch_alter_table("identity_sides") as batch:
        batch.add_column(sa.Column("operands", sa.Text))
    op.create_index("ix_identity_sides_run_subject_check", "identity_sides", ["run_id", "subject", "check_key"])
    for statement in m0005._IDENTITY_VIEWS_0005:
        op.execute(statement)

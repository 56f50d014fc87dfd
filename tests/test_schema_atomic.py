"""The schema and the form rows it needs are written in one transaction, and upgrades take turns.

Before: kill -9 right after the migration committed left ``form_rows`` empty for good (labels NULL
in every view, ``db status`` "up to date"), and two loads on a fresh warehouse raced on the schema.
"""

from __future__ import annotations

import subprocess
import sys
import threading

import sqlalchemy as sa
from conftest import ROOT, seed_path

from flows.ingest import load_file
from warehouse.db import current_revision, form_rows, form_rows_in_sync, head_revision, make_engine, upgrade

KILL_MID_UPGRADE = """
import os, sys
import warehouse.db as db
def killed(conn):
    os.kill(os.getpid(), 9)  # the moment the old code had committed the schema but not the form rows
db._sync_form_rows = killed
db.upgrade(db.make_engine(sys.argv[1]))
"""


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_kill_9_during_the_first_upgrade_leaves_nothing_then_the_next_run_builds_it(warehouse_url) -> None:
    child = subprocess.run(
        [sys.executable, "-c", KILL_MID_UPGRADE, warehouse_url], cwd=ROOT, capture_output=True, timeout=120
    )
    assert child.returncode == -9, child.stderr.decode()
    engine = make_engine(warehouse_url)
    assert current_revision(engine) is None
    assert _tables(engine) == set()  # all or nothing: no schema without its form rows
    load_file(engine, seed_path("002"))  # the next run creates it whole
    assert current_revision(engine) == head_revision()
    assert form_rows_in_sync(engine)
    with engine.connect() as conn:
        labels = conn.execute(sa.text("SELECT COUNT(*) FROM report_requests WHERE row_label IS NULL")).scalar()
    assert labels == 0
    engine.dispose()


def test_a_warehouse_left_without_form_rows_is_repaired_by_the_next_load(warehouse_url) -> None:
    engine = make_engine(warehouse_url)
    upgrade(engine)
    with engine.begin() as conn:  # what a kill -9 under the old code left behind
        conn.execute(sa.text("DELETE FROM form_rows"))
    assert not form_rows_in_sync(engine)
    fresh = make_engine(warehouse_url)  # a new process
    load_file(fresh, seed_path("000"))
    assert form_rows_in_sync(fresh)
    with fresh.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM form_rows")).scalar() == len(form_rows())
    fresh.dispose()
    engine.dispose()


def test_concurrent_first_upgrades_take_turns(warehouse_url) -> None:
    engines = [make_engine(warehouse_url) for _ in range(3)]
    start = threading.Barrier(len(engines))
    results: list[object] = [None] * len(engines)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = upgrade(engines[i])
        except Exception as exc:  # the assertion below names it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(engines))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(isinstance(r, tuple) for r in results), results
    befores = sorted((r[0] or "") for r in results)  # type: ignore[index]
    assert befores == ["", head_revision(), head_revision()]  # exactly one created it
    assert form_rows_in_sync(engines[0])
    for engine in engines:
        engine.dispose()


def test_a_new_warehouse_opened_by_many_at_once_opens_for_all(tmp_path) -> None:
    """Switching a new SQLite file to WAL takes an exclusive lock that SQLite does not wait for: six loads
    opening a new warehouse at once each get a connection (before, about one open in ten of such a burst
    failed with "database is locked"), and the warehouse is in WAL mode."""
    failures: list[str] = []
    for trial in range(25):
        url = f"sqlite:///{tmp_path / f'w{trial}.db'}"
        engines = [make_engine(url) for _ in range(6)]
        start = threading.Barrier(len(engines))

        def open_one(engine, start: threading.Barrier, trial: int) -> None:
            start.wait()
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
            except Exception as exc:  # the assertion below names it
                failures.append(f"{trial}: {exc}")

        threads = [threading.Thread(target=open_one, args=(e, start, trial)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        with engines[0].connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        for engine in engines:
            engine.dispose()
    assert failures == []

"""The identity views after migration 0007 (faster SQL) give exactly the rows 0005's gave, on both backends;
and a run's snapshot finds its own rows by their ids, beside another run's, and deletes only them."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from conftest import FIXTURES, seed_path

from expectations.run import _drop_snapshot, _snapshot
from flows.ingest import load_file
from parsers import parse_file
from parsers.form import REQUEST_COLUMN_KEYS, Table
from parsers.report import Cell, CellKind, Report
from warehouse.db import alembic_config, head_revision, make_engine
from warehouse.load import DocumentInfo, store_report
from warehouse.views import IDENTITY_COLUMNS, IDENTITY_SUBJECTS, SNAPSHOT_TABLE, snapshot_batch_query, subject_view

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
DOCUMENTS = sorted(p for p in (FIXTURES / "documents").iterdir() if p.is_file())


def _cell(value: float | None, kind: CellKind) -> Cell:
    return Cell(value=value, raw="" if value is None else str(value), kind=kind)


def _variants(base: Report) -> list[Report]:
    """Reports whose identities exercise every branch of the sums: unreadable, blank, inferred and
    fractional operands, missing rows and columns, the 2021 (六) rows and a missing part 四."""
    requests = {row: dict(cols) for row, cols in base.requests.items()}
    rows = list(requests)
    out = []
    damaged = {row: dict(cols) for row, cols in requests.items()}
    damaged[rows[0]][REQUEST_COLUMN_KEYS[0]] = _cell(None, CellKind.UNREADABLE)
    damaged[rows[1]][REQUEST_COLUMN_KEYS[1]] = _cell(0, CellKind.BLANK)
    damaged[rows[2]][REQUEST_COLUMN_KEYS[2]] = _cell(3, CellKind.INFERRED)
    damaged[rows[3]][REQUEST_COLUMN_KEYS[-1]] = _cell(2.5, CellKind.NUMBER)
    damaged[rows[-1]][REQUEST_COLUMN_KEYS[0]] = _cell(None, CellKind.UNREADABLE)
    damaged[rows[-1]][REQUEST_COLUMN_KEYS[-1]] = _cell(None, CellKind.UNREADABLE)
    out.append(base.model_copy(update={"requests": damaged, "agency": "损坏局"}))
    missing = {row: {c: v for c, v in cols.items() if c != REQUEST_COLUMN_KEYS[3]} for row, cols in requests.items()}
    del missing[rows[5]]
    del missing[rows[-2]]  # total_processed: outcome_sum's left side is missing
    out.append(base.model_copy(update={"requests": missing, "agency": "缺行局"}))
    extra = {row: dict(cols) for row, cols in requests.items()}
    for row in ("other_no_correction", "other_unpaid_fee", "other_misc"):
        extra[row] = {c: _cell(0, CellKind.NUMBER) for c in REQUEST_COLUMN_KEYS}
    out.append(base.model_copy(update={"requests": extra, "agency": "新表局"}))
    reviews = dict(base.reviews)
    reviews.pop(next(iter(reviews)))
    out.append(
        base.model_copy(
            update={
                "reviews": reviews,
                "agency": "无复议局",
                "tables_present": {**base.tables_present, Table.REVIEWS: True},
            }
        )
    )
    return out


@pytest.fixture
def loaded(warehouse_url):
    """A warehouse with the seeds, the fixture documents and the variants; its subject views' rows."""
    engine = make_engine(warehouse_url)
    for path in SEEDS + DOCUMENTS:
        load_file(engine, path)
    for n, report in enumerate(_variants(parse_file(seed_path("000")))):
        sha256 = hashlib.sha256(f"variant-{n}".encode()).hexdigest()
        store_report(engine, DocumentInfo(url=f"https://example.invalid/variant-{n}"), sha256, report)
    yield engine
    engine.dispose()


def _rows(engine) -> dict[str, list[tuple]]:
    """Every subject view's rows, sorted, numbers rounded (the backends sum floats in their own order)."""
    columns = ", ".join(IDENTITY_COLUMNS)
    out = {}
    with engine.connect() as conn:
        for subject in IDENTITY_SUBJECTS:
            rows = conn.execute(sa.text(f"SELECT {columns} FROM {subject_view(subject)}")).all()
            out[subject] = sorted(
                (tuple(round(float(v), 9) if isinstance(v, float) else v for v in row) for row in rows), key=repr
            )
    return out


def test_the_faster_views_give_the_rows_of_0005(loaded) -> None:
    from alembic import command

    now = _rows(loaded)
    assert sum(len(rows) for rows in now.values()) > 500  # the data reach every view
    kinds = {(row[0], row[10] > 0, row[11] > 0) for rows in now.values() for row in rows}
    assert ("request_balance", True, False) in kinds  # an unreadable operand
    assert ("outcome_sum", False, True) in kinds  # a missing operand
    with loaded.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")  # the identity views of 0005
    before = _rows(loaded)
    with loaded.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert now == before
    assert _rows(loaded) == now
    with loaded.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def _same(rows) -> list[str]:
    """Rows comparable across a view and the snapshot's table (whose sides are stored as floats; PostgreSQL's
    sums are numeric)."""
    return sorted(repr(tuple(float(v) if isinstance(v, int | float | Decimal) else v for v in row)) for row in rows)


def test_a_snapshot_finds_its_rows_by_id_beside_another_runs(loaded) -> None:
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    ids = _snapshot(loaded, first)
    other = _snapshot(loaded, second)
    columns = [c for c in IDENTITY_COLUMNS if c != "operands"]
    with loaded.connect() as conn:
        for subject in IDENTITY_SUBJECTS:
            view = conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {subject_view(subject)}")).all()
            for run, spans in ((first, ids), (second, other)):
                batch = conn.execute(sa.text(snapshot_batch_query(run, subject, spans[subject]))).all()
                assert _same(batch) == _same(view), (subject, run)
        assert ids["requests"][1] < other["requests"][0]  # the second run's rows come after the first's
    _drop_snapshot(loaded, first, ids)
    with loaded.connect() as conn:
        left = conn.execute(sa.text(f"SELECT run_id, COUNT(*) FROM {SNAPSHOT_TABLE} GROUP BY run_id")).all()
    assert [run for run, _ in left] == [second]
    _drop_snapshot(loaded, second, None)  # without the ids (a failed snapshot): by the run id alone
    with loaded.connect() as conn:
        assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {SNAPSHOT_TABLE}")).scalar() == 0

"""docs/warehouse.md documents every table, view and column, and its example queries run."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from conftest import FIXTURES, ROOT, reader_url
from sqlmodel import SQLModel

import warehouse.models  # noqa: F401  (registers the tables)
from flows.ingest import load_file
from warehouse.db import make_engine
from warehouse.query import run_query
from warehouse.views import VIEW_NAMES

DOC = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```sql\n(.*?)```", DOC, flags=re.S)


def _section(name: str) -> str:
    m = re.search(rf"^### {name}\n(.*?)(?=^### |^## |\Z)", DOC, flags=re.S | re.M)
    assert m, f"docs/warehouse.md has no section for {name}"
    return m.group(1)


def test_every_table_and_column_is_documented() -> None:
    for table in SQLModel.metadata.sorted_tables:
        section = _section(table.name)
        for column in table.columns:
            assert f"`{column.name}`" in section, f"{table.name}.{column.name}"


def test_every_view_and_column_is_documented(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    load_file(engine, sorted((FIXTURES / "seeds").glob("*.txt"))[0])
    inspector = sa.inspect(engine)
    assert set(VIEW_NAMES) == set(inspector.get_view_names())
    for view in VIEW_NAMES:
        section = _section(view)
        for column in inspector.get_columns(view):
            assert f"`{column['name']}`" in section, f"{view}.{column['name']}"


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 6


@pytest.fixture
def loaded_engine(warehouse_url):
    engine = make_engine(warehouse_url)
    for path in sorted((FIXTURES / "seeds").glob("*.txt")) + sorted((FIXTURES / "documents").glob("*.html")):
        load_file(engine, path)
    yield make_engine(reader_url(warehouse_url), read_only=True)
    engine.dispose()


def test_every_example_query_runs(loaded_engine) -> None:
    results = [run_query(loaded_engine, sql) for sql in EXAMPLES]
    by_first_line = {sql.strip().splitlines()[0]: r for sql, r in zip(EXAMPLES, results, strict=True)}
    denied = by_first_line["SELECT year, SUM(total) AS denied_process_info"]
    assert denied.rows == [(2020, 0)]  # 平川区 2020, seed and its HTML fixture both print 0
    per_district = by_first_line["SELECT district, year, COUNT(*) AS reports, SUM(natural_person) AS natural_person,"]
    # 3 new requests, printed in two documents of one report (seed 002 and its HTML fixture): counted once
    assert ("白银市平川区", 2020, 1, 3, 0, 3) in per_district.rows
    copies = by_first_line["SELECT agency, year, role, format, differing_cells, url"]
    pingchuan = [row[:5] for row in copies.rows if row[:2] == ("白银市平川区", 2020)]
    assert sorted(pingchuan) == [
        ("白银市平川区", 2020, "alternate", "text", 0),
        ("白银市平川区", 2020, "current", "html", 0),
    ]
    unbalanced = by_first_line["SELECT report_id, agency, year,"]
    assert {(agency, year, received, settled) for _, agency, year, received, settled in unbalanced.rows} == {
        ("白银市平川区", 2020, 3, 0)  # seed 002: 3 received, (七)总计 0
    }

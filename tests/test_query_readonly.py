"""nianbao query cannot write, whatever the SQL: one test per trick, on SQLite and PostgreSQL.

The tricks are those a probe of 127 write attempts found working before (issue 18): several
statements in one call, transaction control, COPY TO PROGRAM, server file reads, VACUUM INTO,
ATTACH (also of the warehouse itself, read-write), PRAGMA settings, and runaway queries.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import reader_url, seed_path

from flows.ingest import load_file
from warehouse.db import ReadOnlyViolation, make_engine
from warehouse.query import QueryTimeout, UnsafeLogin, run_query


@pytest.fixture
def loaded(warehouse_url):
    writer = make_engine(warehouse_url)
    load_file(writer, seed_path("002"))
    reader = make_engine(reader_url(warehouse_url), read_only=True)
    yield writer, reader
    reader.dispose()
    writer.dispose()


def _counts(engine) -> tuple:
    """What a write would change, read through the writer's own connection."""
    with engine.connect() as conn:
        counts = tuple(conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in TABLES)
        values = conn.execute(sa.text("SELECT SUM(value), COUNT(DISTINCT value) FROM cells")).one()
        views = conn.execute(sa.text("SELECT COUNT(*) FROM report_overview")).scalar()
    return (*counts, tuple(values), views)


TABLES = ("cells", "reports", "agencies", "documents", "check_results")


BOTH = [
    "INSERT INTO agencies (name, level) VALUES ('x', 'y')",
    "UPDATE cells SET value = 7",
    "DELETE FROM cells",
    "DROP VIEW report_overview",
    "DROP TABLE cells",
    "CREATE TABLE t (x INTEGER)",
    "CREATE VIEW v AS SELECT 1",
    "SELECT 1; DELETE FROM cells",
    "SELECT ';'; DELETE FROM cells",
    "SELECT 1 /* ; */ ; DELETE FROM cells -- the rest",
    "SELECT 1 -- comment\n; UPDATE cells SET value = 7",
    "COMMIT; BEGIN; DELETE FROM cells; COMMIT",
    "INSERT INTO agencies (name, level) SELECT name || 'x', level FROM agencies",
]

POSTGRESQL = [
    "WITH gone AS (DELETE FROM cells RETURNING 1) SELECT COUNT(*) FROM gone",
    "COMMIT; BEGIN READ WRITE; DELETE FROM cells; COMMIT",
    "COMMIT; SET TRANSACTION READ WRITE; UPDATE cells SET value = 7",
    "COPY (SELECT 1) TO PROGRAM 'touch {tmp}/owned'",
    "COPY cells TO '{tmp}/cells.csv'",
    "COPY agencies FROM '/etc/hostname'",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT query_to_xml('DELETE FROM cells RETURNING 1', true, false, '')",
    "SET ROLE nianbao",
    "SET SESSION AUTHORIZATION nianbao",
    "CREATE TEMP TABLE t AS SELECT 1",
    "TRUNCATE cells",
    "GRANT ALL ON cells TO PUBLIC",
    "ALTER VIEW report_overview RENAME TO x",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "DO $$ BEGIN DELETE FROM cells; END $$",
]

SQLITE = [
    "VACUUM INTO '{tmp}/copy.db'",
    "VACUUM",
    "ATTACH DATABASE '{tmp}/new.db' AS other",
    "ATTACH DATABASE 'file:{db}?mode=rw' AS w",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA writable_schema = 1",
    "PRAGMA query_only = 0",
    "PRAGMA user_version = 7",
    "BEGIN IMMEDIATE",
    "REINDEX",
    "ANALYZE",
    "SELECT load_extension('/tmp/x')",
    "REPLACE INTO agencies (name, level) VALUES ('x', 'y')",
]


@pytest.mark.parametrize("sql", BOTH)
def test_writes_are_refused_on_both_backends(loaded, sql, tmp_path) -> None:
    writer, reader = loaded
    before = _counts(writer)
    with pytest.raises(ReadOnlyViolation, match="refused"):
        run_query(reader, sql)
    assert _counts(writer) == before


@pytest.mark.parametrize("warehouse_url", ["postgresql"], indirect=True)
def test_postgresql_tricks_are_refused(loaded, tmp_path) -> None:
    writer, reader = loaded
    tmp_path.chmod(0o777)  # so that a server running as postgres *could* write here, were it allowed
    before = _counts(writer)
    for sql in POSTGRESQL:
        with pytest.raises(ReadOnlyViolation, match="refused"):
            run_query(reader, sql.format(tmp=tmp_path))
        assert _counts(writer) == before, sql
    assert list(tmp_path.iterdir()) == []
    # a session setting made by one call does not outlive it
    run_query(reader, "SELECT set_config('default_transaction_read_only', 'off', false)")
    with pytest.raises(ReadOnlyViolation, match="refused"):
        run_query(reader, "DELETE FROM cells")
    assert _counts(writer) == before


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_sqlite_tricks_are_refused(loaded, tmp_path) -> None:
    writer, reader = loaded
    db = reader.url.database.removeprefix("file:").split("?")[0]
    before = _counts(writer)
    for sql in SQLITE:
        with pytest.raises(ReadOnlyViolation, match="refused"):
            run_query(reader, sql.format(tmp=tmp_path, db=db))
        assert _counts(writer) == before, sql
    assert not (tmp_path / "copy.db").exists()
    assert not (tmp_path / "new.db").exists()


def test_reading_still_works(loaded) -> None:
    _, reader = loaded
    assert run_query(reader, "SELECT COUNT(*) AS n FROM report_overview").rows == [(1,)]
    like = run_query(reader, "SELECT COUNT(*) FROM report_overview WHERE agency LIKE :a", {"a": "%"}).rows
    assert like == [(1,)]
    percent = run_query(reader, "SELECT '50%' AS p, :y AS y", {"y": "2020"})
    assert percent.columns == ["p", "y"]
    assert percent.rows == [("50%", "2020")]
    assert run_query(
        reader, "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 5) SELECT SUM(x) FROM r"
    ).rows == [(15,)]


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_sqlite_reading_pragmas_are_allowed(loaded) -> None:
    _, reader = loaded
    columns = run_query(reader, "PRAGMA table_info(cells)").rows
    assert any(row[1] == "value" for row in columns)


def test_a_runaway_query_is_stopped(loaded) -> None:
    _, reader = loaded
    forever = (
        "SELECT pg_sleep(30)"
        if reader.dialect.name == "postgresql"
        else "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT COUNT(*) FROM r"
    )
    with pytest.raises(QueryTimeout, match="limit"):
        run_query(reader, forever, timeout_s=0.5)
    assert run_query(reader, "SELECT 1").rows == [(1,)]


@pytest.mark.parametrize("warehouse_url", ["postgresql"], indirect=True)
def test_postgresql_refuses_a_login_that_could_write(warehouse_url) -> None:
    writer = make_engine(warehouse_url)
    load_file(writer, seed_path("002"))
    superuser = make_engine(warehouse_url, read_only=True)
    with pytest.raises(UnsafeLogin, match=r"is a superuser.*nianbao db reader"):
        run_query(superuser, "SELECT 1")
    superuser.dispose()
    writer.dispose()


def test_several_statements_are_refused_as_such(loaded) -> None:
    writer, reader = loaded
    before = _counts(writer)
    for sql in ("SELECT 1; SELECT 2", "SELECT 1; DELETE FROM cells"):
        with pytest.raises(ReadOnlyViolation, match="one statement per call"):
            run_query(reader, sql)
    assert _counts(writer) == before

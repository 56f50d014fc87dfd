"""Connecting to the warehouse: engines, schema version, upgrades, read-only access.

SQLite by default (``data/warehouse.db``), PostgreSQL when the URL says so.
Driver errors become :class:`WarehouseError` subclasses with one-line messages.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from parsers.form import (
    PROACTIVE_ITEMS,
    PROACTIVE_METRICS,
    REQUEST_COLUMNS,
    REQUEST_ROWS,
    REVIEW_KEYS,
    REVIEW_LABELS,
    FormVersion,
)
from warehouse.models import FormRow

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class WarehouseError(Exception):
    """A warehouse problem, said in one line."""


class WarehouseUnavailable(WarehouseError):
    pass


class SchemaOutdated(WarehouseError):
    pass


class ReadOnlyViolation(WarehouseError):
    pass


class WarehouseFull(WarehouseError):
    pass


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


#: what a warehouse URL may name: SQLite, or PostgreSQL through psycopg 3 (installed with nianbao)
SUPPORTED_URLS = "sqlite:///PATH or postgresql://USER@HOST/DB"


def check_url(url: str) -> sa.URL:
    """The parsed URL, or a one-line :class:`WarehouseUnavailable` saying what is wrong and how to fix it:
    an unknown or unsupported scheme, a driver that is not installed, an async driver. Connects to nothing."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise WarehouseUnavailable(f"not a database URL: {url!r}; give {SUPPORTED_URLS}") from exc
    shown = describe_url(url)
    backend, _, driver = parsed.drivername.partition("+")  # (get_driver_name() would load the dialect)
    if backend == "postgres":
        fixed = parsed.set(drivername="postgresql" + parsed.drivername[len("postgres") :])
        raise WarehouseUnavailable(
            f"{shown}: SQLAlchemy spells the scheme postgresql://, not postgres:// "
            f"(use {fixed.render_as_string(hide_password=True)})"
        )
    if backend not in ("sqlite", "postgresql"):
        raise WarehouseUnavailable(f"{shown}: nianbao's warehouse runs on SQLite or PostgreSQL, not {backend}; "
                                   f"give {SUPPORTED_URLS}")  # fmt: skip
    if parsed.drivername == "postgresql":  # SQLAlchemy's default would be psycopg2; ours is psycopg 3
        parsed = parsed.set(drivername="postgresql+psycopg")
        driver = "psycopg"
    try:
        dialect = parsed.get_dialect()
        if getattr(dialect, "is_async", False):
            raise WarehouseUnavailable(
                f"{shown}: {driver} is an asyncio driver; the warehouse needs postgresql:// (psycopg 3)"
            )
        dialect.import_dbapi()
    except sa.exc.NoSuchModuleError:
        raise WarehouseUnavailable(
            f"{shown}: SQLAlchemy has no driver {parsed.drivername!r}; give {SUPPORTED_URLS}"
        ) from None
    except ImportError as exc:
        raise WarehouseUnavailable(
            f"{shown}: the driver {driver} is not installed ({exc.name or exc}); use postgresql:// "
            "(psycopg 3, installed with nianbao) or install it into the venv"
        ) from None
    return parsed


def check_warehouse(url: str) -> None:
    """Everything a run needs of its warehouse, checked before any work: a supported URL with its driver,
    a SQLite file whose folder exists (nothing is created for a mistyped path), a server that answers, and
    the schema nianbao needs (an empty database is fine: the first load creates it)."""
    parsed = check_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).parent
            if not folder.is_dir():
                raise WarehouseUnavailable(
                    f"{describe_url(url)}: the folder {folder} does not exist; create it or fix the URL "
                    "(NIANBAO_DATABASE_URL / --db)"
                )
    engine = make_engine(url)
    try:
        with _unreachable_hint(parsed.get_backend_name() != "sqlite"), translate_errors(url):
            current = current_revision(engine)
            if current is None and not sa.inspect(engine).get_table_names():
                return
            head = head_revision()
            if current != head:
                raise SchemaOutdated(
                    f"the warehouse at {describe_url(url)} is at schema {current or 'none'}, "
                    f"nianbao needs {head}: run `nianbao db upgrade` first"
                )
    finally:
        engine.dispose()


@contextmanager
def _unreachable_hint(server: bool = True) -> Iterator[None]:
    """A server that does not answer: say where to look (a SQLite file has no server to ask about)."""
    try:
        yield
    except SchemaOutdated:
        raise
    except WarehouseUnavailable as exc:
        if not server:
            raise
        raise WarehouseUnavailable(f"{exc} (is the server running? check NIANBAO_DATABASE_URL / --db)") from None


#: How long SQLite waits for another connection's lock before "database is locked"
BUSY_TIMEOUT_S = 30


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for ``url``. Read-only engines cannot write by construction:
    SQLite opened with ``mode=ro``, PostgreSQL sessions with ``default_transaction_read_only``.
    The URL is checked first (:func:`check_url`); the folder of a SQLite file is created one level deep at
    most (the data dir), so that a mistyped path does not grow a tree of folders."""
    parsed = check_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database)
            if read_only:
                if not path.exists():
                    raise WarehouseUnavailable(f"no warehouse at {path}: load some reports first (nianbao load)")
                # A warehouse in a folder we cannot write (a shared, read-only copy): SQLite's WAL mode needs
                # its -shm file even to read, so open it immutable, which needs none (nobody can write there).
                mode = "mode=ro" if os.access(path.parent, os.W_OK) else "immutable=1"
                return sa.create_engine(
                    f"sqlite:///file:{path.resolve().as_posix()}?{mode}&uri=true",
                    connect_args={"timeout": BUSY_TIMEOUT_S},
                )
            try:
                path.parent.mkdir(exist_ok=True)
            except FileNotFoundError:
                raise WarehouseUnavailable(
                    f"{describe_url(url)}: the folder {path.parent.parent} does not exist; create it or fix the URL"
                ) from None
            except OSError as exc:
                raise WarehouseUnavailable(
                    f"{describe_url(url)}: cannot create {path.parent}: {exc.strerror}"
                ) from None
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            # WAL: queries can read while a load writes; NORMAL sync is durable across app crashes.
            _journal_mode_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql":
        connect_args = {"connect_timeout": 10}
        if read_only:
            connect_args["options"] = "-c default_transaction_read_only=on"
        return sa.create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    return sa.create_engine(parsed)


def _journal_mode_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode. Switching a new file takes an exclusive lock, and SQLite does not wait
    for it (busy_timeout does not apply): when several loads open a new warehouse at once, one got "database
    is locked" (tests/test_schema_atomic.py, about one run in fifty). Retry for as long as busy_timeout waits."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Turn driver errors into one-line WarehouseErrors."""
    try:
        yield
    except WarehouseError:
        raise
    except sa.exc.OperationalError as exc:
        raise _operational(exc, url) from exc
    except sa.exc.InternalError as exc:  # PostgreSQL: read-only transaction
        if "read-only" in str(exc.orig):
            raise ReadOnlyViolation("refused: this query writes, and the warehouse is opened read-only") from exc
        raise WarehouseError(f"database error: {_first_line(exc.orig)}") from exc
    except sa.exc.DBAPIError as exc:
        raise WarehouseError(f"database error: {_first_line(exc.orig)}") from exc


def _first_line(exc: BaseException | None) -> str:
    return str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else type(exc).__name__


def _operational(exc: sa.exc.OperationalError, url: str) -> WarehouseError:
    message = _first_line(exc.orig)
    lowered = message.lower()
    if "readonly database" in lowered or "read-only" in lowered:
        return ReadOnlyViolation(
            "refused: the warehouse is read-only here (a query cannot write; a load needs a writable database)"
        )
    if "disk is full" in lowered or "no space left" in lowered or "database or disk is full" in lowered:
        return WarehouseFull(f"the disk holding the warehouse is full ({message}); nothing was written")
    if "unable to open database" in lowered:
        return WarehouseUnavailable(f"cannot open the warehouse at {describe_url(url)}: {message}")
    if isinstance(exc.orig, sqlite3.OperationalError):
        return WarehouseError(f"database error: {message}")
    return WarehouseUnavailable(f"cannot reach the warehouse at {describe_url(url)}: {message}")


def alembic_config(connection: sa.Connection | None = None, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS.as_posix())
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migration_module(filename: str):
    """A migration of warehouse/migrations/versions as a module: a later migration reads the SQL an earlier
    one froze in its file (its views), to put it back on the way down."""
    path = MIGRATIONS / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"nianbao_migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise WarehouseError("no migrations found")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the warehouse to the newest schema; return (before, after).

    One transaction holds the migrations and the form rows they need, so a crash leaves either
    the old warehouse or the new one, never a schema without its ``form_rows``. A lock makes
    concurrent upgrades (two loads on a fresh warehouse) take turns: the second finds it done.
    """
    with translate_errors(str(engine.url)), engine.connect() as conn, _locked_transaction(conn, "nianbao schema"):
        before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(alembic_config(conn), "head")
        _sync_form_rows(conn)
    return before, head_revision()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """One write transaction holding the warehouse's write lock: loads (threads or processes) take turns,
    and each sees what the one before it committed — no duplicate documents, no UNIQUE errors."""
    with engine.connect() as conn, _locked_transaction(conn, "nianbao load"):
        yield conn


@contextmanager
def _locked_transaction(conn: sa.Connection, lock: str) -> Iterator[None]:
    """A transaction that holds the lock ``lock`` (and takes DDL with it), on both backends."""
    if conn.dialect.name != "sqlite":
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:lock))"), {"lock": lock})
            yield
        return
    # pysqlite leaves DDL outside its implicit transactions, so a killed migration would stay half
    # done: take the transaction ourselves, IMMEDIATE so that a second process waits for the first
    # (SQLite has one write lock per database: ``lock`` needs no name there).
    dbapi = conn.connection.dbapi_connection
    previous = dbapi.isolation_level
    dbapi.isolation_level = None
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
    finally:
        dbapi.isolation_level = previous


_CHECKED: weakref.WeakSet[Engine] = weakref.WeakSet()


def ensure_writable_schema(engine: Engine) -> None:
    """Refuse to write to a warehouse at another schema; create an empty one.

    An empty database (no tables at all) is upgraded on the spot: that is
    creating, not migrating, and loses nothing. Checked once per engine.
    """
    if engine in _CHECKED:
        return
    with translate_errors(str(engine.url)):
        current = current_revision(engine)
        head = head_revision()
        if current is None and not sa.inspect(engine).get_table_names():
            upgrade(engine)
        elif current == head and not form_rows_in_sync(engine):
            sync_form_rows(engine)  # a warehouse made before the form rows were written with the schema
        elif current != head:
            raise SchemaOutdated(
                f"the warehouse at {describe_url(str(engine.url))} is at schema {current or 'none'}, "
                f"nianbao needs {head}: run `nianbao db upgrade` first"
            )
    _CHECKED.add(engine)


def form_rows() -> list[FormRow]:
    """The form declaration as rows of ``form_rows``."""
    rows: list[FormRow] = []

    def versions(v: frozenset[FormVersion]) -> str:
        return ",".join(sorted(x.value for x in v))

    rows += [
        FormRow(tbl="requests", key=r.key, ordinal=i, label=r.label, versions=versions(r.versions))
        for i, r in enumerate(REQUEST_ROWS)
    ]
    rows += [
        FormRow(tbl="request_columns", key=c.key, ordinal=i, label=c.label, versions=versions(c.versions))
        for i, c in enumerate(REQUEST_COLUMNS)
    ]
    rows += [
        FormRow(tbl="reviews", key=k, ordinal=i, label=REVIEW_LABELS[k], versions="2019,2021")
        for i, k in enumerate(REVIEW_KEYS)
    ]
    rows += [
        FormRow(
            tbl="proactive", key=p.key, ordinal=i, label=p.label, versions=",".join(sorted(v.value for v in p.metrics))
        )
        for i, p in enumerate(PROACTIVE_ITEMS)
    ]
    rows += [
        FormRow(tbl="metrics", key=m.key, ordinal=i, label=m.label, versions=versions(m.versions))
        for i, m in enumerate(PROACTIVE_METRICS)
    ]
    return rows


def form_rows_in_sync(engine: Engine) -> bool:
    """Whether ``form_rows`` equals the declaration (labels in every view depend on it)."""
    with engine.connect() as conn:
        stored = {
            (r.tbl, r.key, r.ordinal, r.label, r.versions)
            for r in conn.execute(sa.text("SELECT tbl, key, ordinal, label, versions FROM form_rows"))
        }
    return stored == {(r.tbl, r.key, r.ordinal, r.label, r.versions) for r in form_rows()}


def sync_form_rows(engine: Engine) -> None:
    """Make ``form_rows`` equal the declaration (idempotent)."""
    with engine.begin() as conn:
        _sync_form_rows(conn)


def _sync_form_rows(conn: sa.Connection) -> None:
    with Session(bind=conn) as session:
        existing = {(r.tbl, r.key): r for r in session.exec(select(FormRow)).all()}
        wanted = {(r.tbl, r.key): r for r in form_rows()}
        for key, row in wanted.items():
            old = existing.get(key)
            if old is None:
                session.add(row)
            elif (old.ordinal, old.label, old.versions) != (row.ordinal, row.label, row.versions):
                old.ordinal, old.label, old.versions = row.ordinal, row.label, row.versions
        for key, old in existing.items():
            if key not in wanted:
                session.delete(old)
        session.flush()

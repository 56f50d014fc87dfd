"""Read-only SQL over the warehouse: ``nianbao query``.

Read-only by construction, not by inspecting the SQL (see :mod:`warehouse.access`):

- SQLite: the file opened ``mode=ro``, an authorizer that allows reading and
  nothing else (ATTACH, VACUUM INTO, PRAGMA settings, transaction control and
  every write are refused), one statement per call, and a time limit.
- PostgreSQL: a login that can only SELECT (a member of ``nianbao_reader``;
  a login that could write, create, or touch server files is refused before
  the SQL is sent), a read-only transaction, one statement per call enforced
  by the server (the extended query protocol cannot carry two), a statement
  timeout, and a connection that is thrown away afterwards so no ``SET`` outlives the call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from rawstore.manifest import ManifestRecord
from warehouse.access import READER_ROLE, login_powers, sqlite_authorizer
from warehouse.db import ReadOnlyViolation, WarehouseError, describe_url, translate_errors

DEFAULT_TIMEOUT_S = 60.0


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


class UnsafeLogin(ReadOnlyViolation):
    """A PostgreSQL login that could do more than read: nianbao query will not use it."""


class QueryTimeout(WarehouseError):
    pass


class OneStatement(ReadOnlyViolation):
    """Several statements in one call: refused, whatever they do."""


_ONE_STATEMENT = "refused: nianbao query runs one statement per call (this SQL has several, separated by ;)"


def plain(value: Any) -> Any:
    """Driver values to plain JSON-able ones: Decimal 3 -> 3, Decimal 1.5 -> 1.5, dates -> ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def number_text(value: Any) -> str:
    """A number as people read it: ``3`` (not ``3.0``), ``1.5``; nothing for None."""
    return "" if value is None else str(plain(value))


_REFUSED = (
    "refused: nianbao query is read-only, and this SQL writes (INSERT, UPDATE, "
    "DELETE, CREATE, DROP, ATTACH, VACUUM, PRAGMA settings … are not allowed)"
)


def run_query(
    engine: Engine, sql: str, params: dict[str, Any] | None = None, *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> QueryResult:
    """Run one read-only statement; raise ReadOnlyViolation (or UnsafeLogin) for anything else."""
    if not sql.strip():
        raise WarehouseError("no SQL given")
    backend = engine.dialect.name
    try:
        with translate_errors(str(engine.url)), engine.connect() as conn:
            try:
                if backend == "sqlite":
                    return _run_sqlite(conn, sql, params or {}, timeout_s)
                if backend == "postgresql":
                    return _run_postgresql(conn, sql, params or {}, timeout_s, str(engine.url))
                raise WarehouseError(f"nianbao query supports SQLite and PostgreSQL, not {backend}")
            finally:
                if backend == "postgresql":
                    conn.invalidate()  # nothing a statement SET survives into the next call
    except (UnsafeLogin, OneStatement):
        raise
    except ReadOnlyViolation as exc:
        raise ReadOnlyViolation(_REFUSED) from exc


def select_rows(engine: Engine, sql: str, params: dict[str, Any] | None = None) -> QueryResult:
    """nianbao's own SQL (flags, reports), run with the engine's own login: never for SQL a user typed."""
    with translate_errors(str(engine.url)), engine.connect() as conn:
        result = conn.execute(sa.text(sql), params or {})
        rows = QueryResult(list(result.keys()), [tuple(plain(v) for v in row) for row in result])
        conn.rollback()
        return rows


def _rows(result: Any) -> QueryResult:
    if result.description is None:
        return QueryResult([], [])
    columns = [d[0] for d in result.description]
    return QueryResult(columns, [tuple(plain(v) for v in row) for row in result.fetchall()])


def _compiled(conn: Connection, sql: str, params: dict[str, Any]) -> tuple[str, Any]:
    """``:name`` parameters to the driver's own style, as SQLAlchemy would send them."""
    try:
        compiled = sa.text(sql).bindparams(**params).compile(dialect=conn.dialect)
    except sa.exc.ArgumentError as exc:
        raise WarehouseError(f"bad query: {str(exc).splitlines()[0]}") from exc
    missing = [name for name, value in compiled.params.items() if value is None and name not in params]
    if missing:
        raise WarehouseError(f"bad query: no value for :{missing[0]} (give it with -p {missing[0]} VALUE)")
    positional = getattr(compiled, "positiontup", None)
    if conn.dialect.paramstyle in ("qmark", "numeric", "format") and positional is not None:
        return compiled.string, tuple(compiled.params[name] for name in positional)
    return compiled.string, dict(compiled.params)


def _run_sqlite(conn: Connection, sql: str, params: dict[str, Any], timeout_s: float) -> QueryResult:
    raw = conn.connection.dbapi_connection
    deadline = time.monotonic() + timeout_s
    timed_out = False

    def over_time() -> int:
        nonlocal timed_out
        timed_out = time.monotonic() > deadline
        return int(timed_out)

    statement, args = _compiled(conn, sql, params)
    raw.set_authorizer(sqlite_authorizer)
    raw.set_progress_handler(over_time, 10_000)
    cursor = raw.cursor()
    try:
        cursor.execute(statement, args)
        return _rows(cursor)
    except Exception as exc:  # the driver's own errors, mapped to one line below
        message = str(exc)
        if timed_out or "interrupted" in message:
            raise QueryTimeout(
                f"refused: the query ran past its {timeout_s:g} s limit (NIANBAO_QUERY_TIMEOUT)"
            ) from exc
        if any(w in message for w in ("not authorized", "authorization denied", "readonly", "read-only")):
            raise ReadOnlyViolation(message) from exc
        if "one statement at a time" in message:
            raise OneStatement(_ONE_STATEMENT) from exc
        raise WarehouseError(f"database error: {message.splitlines()[0] if message else type(exc).__name__}") from exc
    finally:
        cursor.close()
        raw.set_authorizer(None)
        raw.set_progress_handler(None, 0)
        raw.rollback()


def _run_postgresql(conn: Connection, sql: str, params: dict[str, Any], timeout_s: float, url: str) -> QueryResult:
    powers = login_powers(conn)
    if not powers.read_only:
        raise UnsafeLogin(
            f"refused: nianbao query connects to PostgreSQL only with a read-only login, and "
            f"{describe_url(url)} {', '.join(powers.reasons)}; create one with `nianbao db reader NAME` "
            f"(a member of {READER_ROLE}) and set NIANBAO_QUERY_URL=postgresql://NAME@host/db"
        )
    raw = conn.connection.dbapi_connection
    statement, args = _compiled(conn, sql, params)
    cursor = raw.cursor()
    try:
        cursor.execute("SET TRANSACTION READ ONLY")
        cursor.execute(f"SET LOCAL statement_timeout = {max(1, int(timeout_s * 1000))}")
        # prepare=True: the extended query protocol, which the server refuses to give two statements.
        cursor.execute(statement, args, prepare=True)
        return _rows(cursor)
    except Exception as exc:  # psycopg's errors, mapped to one line below
        state = getattr(exc, "sqlstate", None) or ""
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if state == "57014":
            raise QueryTimeout(
                f"refused: the query ran past its {timeout_s:g} s limit (NIANBAO_QUERY_TIMEOUT)"
            ) from exc
        if "multiple commands" in first:
            raise OneStatement(_ONE_STATEMENT) from exc
        if state in ("25006", "42501") or "not allowed" in first:
            raise ReadOnlyViolation(first) from exc
        if state.startswith("08"):
            raise
        raise WarehouseError(f"database error: {first}") from exc
    finally:
        cursor.close()


def _tables(conn: sa.Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def parsed_documents(engine: Engine, parser_version: str) -> set[tuple[str, str]]:
    """(url, sha256) of every document version stored with this parser version, at every URL it was found
    at. One query."""
    with translate_errors(str(engine.url)), engine.connect() as conn:
        if "documents" not in _tables(conn):
            return set()
        rows = conn.execute(
            sa.text(
                "SELECT u.url, d.sha256 FROM documents d JOIN reports r ON r.document_id = d.id "
                "JOIN document_urls u ON u.document_id = d.id WHERE r.parser_version = :version"
            ),
            {"version": parser_version},
        )
        return {(url, sha256) for url, sha256 in rows}


def stored_documents(engine: Engine) -> list[ManifestRecord]:
    """Every document version in the warehouse whose bytes are in the raw store, as manifest records."""
    with translate_errors(str(engine.url)), engine.connect() as conn:
        if "documents" not in _tables(conn):
            return []
        rows = conn.execute(
            sa.text(
                "SELECT url, sha256, raw_path, portal, fetched_at, content_type, title, published_date, "
                "source_page_url FROM documents WHERE raw_path IS NOT NULL ORDER BY url, version"
            )
        ).mappings()
        return [
            ManifestRecord.from_dict({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()})
            for row in rows
        ]


#: A finding's review state, from its ``check_results`` row ``k`` and its ``flag_reviews`` row ``f`` (LEFT JOIN
#: on the fingerprint): ``open`` when never reviewed, the reviewer's decision (``dismissed``, ``confirmed``)
#: while the numbers are the ones reviewed, else ``reopened``. ``nianbao flags`` and the charts both read it.
REVIEW_STATE_SQL = """CASE WHEN f.fingerprint IS NULL THEN 'open'
       WHEN f.numbers_hash = k.numbers_hash THEN f.decision
       ELSE 'reopened' END"""


def failing_fingerprints(engine: Engine) -> set[str]:
    """The fingerprints of the failing check results stored by the last run (none before the first)."""
    with translate_errors(str(engine.url)), engine.connect() as conn:
        if "check_results" not in _tables(conn):
            return set()
        return {row[0] for row in conn.execute(sa.text("SELECT fingerprint FROM check_results WHERE outcome = 'FAIL'"))}

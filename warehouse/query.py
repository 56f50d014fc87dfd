"""Read-only SQL over the warehouse: ``nianbao query``.

Read-only by construction, not by inspecting the SQL: SQLite is opened with
``mode=ro`` and PostgreSQL sessions start read-only, so a write fails in the
database and comes back as :class:`~warehouse.db.ReadOnlyViolation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from rawstore.manifest import ManifestRecord
from warehouse.db import ReadOnlyViolation, WarehouseError, translate_errors


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def plain(value: Any) -> Any:
    """Driver values to plain JSON-able ones: Decimal 3 -> 3, Decimal 1.5 -> 1.5, dates -> ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def run_query(engine: Engine, sql: str, params: dict[str, Any] | None = None) -> QueryResult:
    if not sql.strip():
        raise WarehouseError("no SQL given")
    try:
        return _run(engine, sql, params)
    except ReadOnlyViolation as exc:
        raise ReadOnlyViolation(
            "refused: nianbao query is read-only, and this SQL writes (INSERT, UPDATE, "
            "DELETE, CREATE, DROP … are not allowed)"
        ) from exc


def _run(engine: Engine, sql: str, params: dict[str, Any] | None) -> QueryResult:
    with translate_errors(str(engine.url)), engine.connect() as conn:
        try:
            result = conn.execute(sa.text(sql), params or {})
        except sa.exc.StatementError as exc:
            if isinstance(exc, sa.exc.DBAPIError):
                raise
            raise WarehouseError(f"bad query: {str(exc.orig or exc).splitlines()[0]}") from exc
        if not result.returns_rows:
            conn.rollback()
            return QueryResult([], [])
        columns = list(result.keys())
        rows = [tuple(plain(v) for v in row) for row in result]
        conn.rollback()
        return QueryResult(columns, rows)


def _tables(conn: sa.Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def parsed_documents(engine: Engine, parser_version: str) -> set[tuple[str, str]]:
    """(url, sha256) of every document version stored with this parser version. One query."""
    with translate_errors(str(engine.url)), engine.connect() as conn:
        if "documents" not in _tables(conn):
            return set()
        rows = conn.execute(
            sa.text(
                "SELECT d.url, d.sha256 FROM documents d JOIN reports r ON r.document_id = d.id "
                "WHERE r.parser_version = :version"
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


def failing_fingerprints(engine: Engine) -> set[str]:
    """The fingerprints of the failing check results stored by the last run (none before the first)."""
    with translate_errors(str(engine.url)), engine.connect() as conn:
        if "check_results" not in _tables(conn):
            return set()
        return {row[0] for row in conn.execute(sa.text("SELECT fingerprint FROM check_results WHERE outcome = 'FAIL'"))}

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

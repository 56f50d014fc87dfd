"""Who may read the warehouse, and how ``nianbao query`` stays read-only by construction.

PostgreSQL: the migrations create ``nianbao_reader``, a role without login
that may only SELECT the warehouse's tables and views (and the tables and
views created later, through default privileges). Analysts get a login that
is a member of it (``nianbao db reader NAME`` or the SQL in
docs/warehouse.md); ``nianbao query`` connects with such a login
(``NIANBAO_QUERY_URL``) and refuses a login that could write, create, read
server files or run programs, whatever the SQL says.

SQLite: the file is opened ``mode=ro`` and an authorizer allows reading and
nothing else (no ATTACH, VACUUM INTO, PRAGMA with a value, transaction
control or write), so neither comments nor quoting can smuggle a write past it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

READER_ROLE = "nianbao_reader"

# Pragmas that only report; any pragma given a value (PRAGMA x = y, PRAGMA x(y) with a setter) is refused.
_READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "database_list",
        "collation_list",
        "function_list",
        "pragma_list",
        "compile_options",
        "user_version",
        "schema_version",
        "page_count",
        "page_size",
        "freelist_count",
        "encoding",
        "data_version",
    }
)
# Pragmas whose argument names a table or index rather than setting a value.
_PRAGMAS_WITH_TABLE_ARG = frozenset(
    {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list", "table_list"}
)
_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION})
_RECURSIVE = getattr(sqlite3, "SQLITE_RECURSIVE", 33)
_REFUSED_FUNCTIONS = frozenset({"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"})


def sqlite_authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None) -> int:
    """Allow what reads; deny everything else (sqlite3.Connection.set_authorizer)."""
    if action in _ALLOWED_ACTIONS or action == _RECURSIVE:
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _REFUSED_FUNCTIONS:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in _READ_PRAGMAS and (arg2 is None or name in _PRAGMAS_WITH_TABLE_ARG):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


@dataclass(frozen=True)
class LoginPowers:
    """What a PostgreSQL login could do beyond reading; empty when it may only read."""

    reasons: tuple[str, ...]

    @property
    def read_only(self) -> bool:
        return not self.reasons


_POWERS_SQL = """
SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolreplication,
       pg_has_role(current_user, 'pg_read_server_files', 'USAGE'),
       pg_has_role(current_user, 'pg_write_server_files', 'USAGE'),
       pg_has_role(current_user, 'pg_execute_server_program', 'USAGE'),
       (SELECT string_agg(DISTINCT c.relname, ', ' ORDER BY c.relname)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
           AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S')
           AND (pg_has_role(current_user, c.relowner, 'USAGE')
                OR (c.relkind <> 'S'
                    AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
                OR (c.relkind = 'S' AND has_sequence_privilege(c.oid, 'UPDATE')))),
       (SELECT string_agg(n.nspname, ', ' ORDER BY n.nspname) FROM pg_namespace n
         WHERE n.nspname NOT LIKE 'pg_%' AND n.nspname <> 'information_schema'
           AND has_schema_privilege(n.oid, 'CREATE'))
FROM pg_roles r WHERE r.rolname = current_user
"""


def login_powers(conn: Connection) -> LoginPowers:
    """Everything the connected PostgreSQL login could do besides reading."""
    row = conn.execute(sa.text(_POWERS_SQL)).one()
    flags = (
        "is a superuser",
        "can create roles",
        "can create databases",
        "bypasses row security",
        "can replicate",
        "can read server files",
        "can write server files",
        "can run server programs",
    )
    if row[0]:
        return LoginPowers(("is a superuser",))
    reasons = [flag for flag, on in zip(flags, row[:8], strict=True) if on]
    if row[8]:
        tables = row[8].split(", ")
        reasons.append(f"can change {', '.join(tables[:3])}{' …' if len(tables) > 3 else ''}")
    if row[9]:
        reasons.append(f"can create in schema {row[9]}")
    return LoginPowers(tuple(reasons))


def reader_role_statements(schema: str = "public") -> list[str]:
    """Create ``nianbao_reader`` (if missing) and let it SELECT the warehouse, now and later. Idempotent."""
    return [
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER_ROLE}') THEN
    CREATE ROLE {READER_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION;
  END IF;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$""",
        # Before PostgreSQL 15 everyone could CREATE in public; a warehouse database needs no such thing.
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {READER_ROLE}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {READER_ROLE}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {READER_ROLE}",
    ]


def can_create_roles(conn: Connection) -> bool:
    return bool(
        conn.execute(sa.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")).scalar()
    )


def grant_reader_role(conn: Connection) -> bool:
    """Apply :func:`reader_role_statements` when this login may; return whether it did."""
    if conn.dialect.name != "postgresql":
        return False
    exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": READER_ROLE}).first()
    if not exists and not can_create_roles(conn):
        return False
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar() or "public"
    for statement in reader_role_statements(_identifier(schema)):
        conn.execute(sa.text(statement))
    return True


_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _identifier(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain role or schema name: {name!r} (lower-case letters, digits, _)")
    return name


def create_reader_login(engine: Engine, name: str, password: str | None = None, timeout_s: int = 60) -> None:
    """A login for one analyst: member of ``nianbao_reader``, read-only by default, with a statement timeout.

    Works for psql, a BI tool, or ``NIANBAO_QUERY_URL``. Idempotent: an existing login is brought in line.
    """
    role = _identifier(name)
    with engine.begin() as conn:
        if not grant_reader_role(conn):
            raise PermissionError(
                f"this login cannot create roles; ask a database administrator to run the SQL for {READER_ROLE} "
                "in docs/warehouse.md"
            )
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sa.text(f"{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS")
        )
        if password is not None:
            quoted = conn.execute(sa.text("SELECT quote_literal(:p)"), {"p": password}).scalar()
            conn.execute(sa.text(f"ALTER ROLE {role} PASSWORD {quoted}"))
        conn.execute(sa.text(f"GRANT {READER_ROLE} TO {role}"))
        conn.execute(sa.text(f"ALTER ROLE {role} SET default_transaction_read_only = on"))
        conn.execute(sa.text(f"ALTER ROLE {role} SET statement_timeout = '{int(timeout_s)}s'"))

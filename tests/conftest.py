from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
from pgserver import PgServer, PgUnavailable

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"

sys.path.insert(0, str(ROOT / "scripts"))  # build_golden's helpers are shared with the golden test


@pytest.fixture(autouse=True)
def _messages_in_english(monkeypatch):
    """Messages for people in English whatever the machine's locale (a test that wants Chinese says
    ``--lang zh``); the language a command chose does not leak into the next test."""
    from nianbao import i18n

    monkeypatch.setenv("NIANBAO_LANG", "en")
    yield
    i18n.set_lang(None)


def seed_path(prefix: str) -> Path:
    (path,) = sorted((FIXTURES / "seeds").glob(f"{prefix}_*.txt"))
    return path


@pytest.fixture(scope="session")
def seed_reports():
    from parsers import parse_file

    return {p.name[:3]: parse_file(p) for p in sorted((FIXTURES / "seeds").glob("*.txt"))}


def require_tool(name: str, package: str) -> str:
    """The path of a system tool a test needs: skipped where it is missing, except in CI, where that fails."""
    import shutil

    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (apt-get install {package}, or run scripts/system-deps as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice, for reading .doc/.wps files."""
    return require_tool("soffice", "libreoffice-writer-nogui fonts-noto-cjk")


# --- warehouse backends: SQLite, and a throwaway PostgreSQL server on 127.0.0.1 -------------


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of our own: own data dir, own port, stopped at the end.

    Skipped where PostgreSQL is not installed, except in CI, where that is a failure.
    """
    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request, tmp_path):
    """A fresh, empty warehouse URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.db'}"
        return
    import sqlalchemy as sa

    server = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def reader_url(warehouse_url: str, name: str = "analyst") -> str:
    """The URL ``nianbao query`` should use: on PostgreSQL a read-only login (created here), else the same URL."""
    if not warehouse_url.startswith("postgresql"):
        return warehouse_url
    from sqlalchemy.engine import make_url

    from warehouse.access import create_reader_login
    from warehouse.db import make_engine, upgrade

    engine = make_engine(warehouse_url)
    upgrade(engine)
    create_reader_login(engine, name)
    engine.dispose()
    return make_url(warehouse_url).set(username=name).render_as_string(hide_password=False)

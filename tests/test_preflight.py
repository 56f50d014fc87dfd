"""Bad warehouse settings: demo, run, load and validate say what is wrong in one line, before any work."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import seed_path
from typer.testing import CliRunner

from nianbao.cli import app
from warehouse.db import SchemaOutdated, WarehouseUnavailable, check_url, check_warehouse, make_engine

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

#: URL -> what the one line must say
BAD_URLS = {
    "postgres://alice@db.example/nianbao": "use postgresql://alice@db.example/nianbao",
    "mysql://alice@db.example/nianbao": "runs on SQLite or PostgreSQL, not mysql",
    "postgresql+psycopg2://alice@db.example/nianbao": "the driver psycopg2 is not installed",
    "postgresql+asyncpg://alice@db.example/nianbao": "asyncio driver",
    "oracle+nosuchdriver://x/y": "runs on SQLite or PostgreSQL, not oracle",
    "not a url": "not a database URL",
    # nothing listens on port 1: refused at once
    "postgresql://alice@127.0.0.1:1/nianbao": "cannot reach the warehouse at postgresql://alice@127.0.0.1:1/nianbao",
    "sqlite:////nonexistent-nianbao/dir/x.db": "the folder /nonexistent-nianbao/dir does not exist",
}


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    return tmp_path / "data"


def _one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # a clean exit, no traceback
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("command", [["load", "SEED"], ["validate", "--no-docs"], ["run", "--no-docs"], ["demo"]])
def test_each_bad_setting_is_one_line_before_any_work(env, monkeypatch, url, command) -> None:
    monkeypatch.setenv("NIANBAO_DATABASE_URL", url)
    args = [str(seed_path("000")) if a == "SEED" else a for a in command]
    started = time.monotonic()
    line = _one_error_line(runner.invoke(app, args))
    assert BAD_URLS[url] in line, line
    assert "password" not in line
    assert time.monotonic() - started < 15  # no crawl, no Prefect start-up first
    assert not (env / "raw").exists() and not (env / "crawl").exists()  # no work was done
    assert not Path("/nonexistent-nianbao").exists()


def test_the_password_is_never_shown(env) -> None:
    line = _one_error_line(runner.invoke(app, ["load", "--db", "postgres://alice:s3cret@db/x", str(seed_path("000"))]))
    assert "s3cret" not in line and "***" in line


def test_a_warehouse_at_an_older_schema_is_refused_with_the_fix(env, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:  # a warehouse at some revision this nianbao does not have
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('0000_older')")
    with pytest.raises(SchemaOutdated, match="run `nianbao db upgrade` first"):
        check_warehouse(url)
    line = _one_error_line(runner.invoke(app, ["validate", "--db", url]))
    assert "schema 0000_older" in line and "nianbao db upgrade" in line


def test_good_settings_pass(env, tmp_path) -> None:
    check_warehouse(f"sqlite:///{tmp_path / 'fresh.db'}")  # an empty warehouse is fine: the first load creates it
    assert check_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert check_url("postgresql+psycopg://u@h/d").drivername == "postgresql+psycopg"
    result = runner.invoke(app, ["load", str(seed_path("000"))])  # the default: SQLite in a data dir not made yet
    assert result.exit_code == 0, result.output
    assert (env / "warehouse.db").exists()


def test_make_engine_does_not_grow_folders_for_a_mistyped_path(tmp_path) -> None:
    with pytest.raises(WarehouseUnavailable, match="does not exist"):
        make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'w.db'}")
    assert not (tmp_path / "no").exists()
    make_engine(f"sqlite:///{tmp_path / 'data' / 'w.db'}")  # one level (a new data dir) is created
    assert (tmp_path / "data").is_dir()


def test_the_real_command_prints_one_line(tmp_path) -> None:
    env = {**os.environ, "NIANBAO_DATA_DIR": str(tmp_path / "data"), "NIANBAO_DATABASE_URL": "postgres://a@b/c"}
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "demo"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: postgres://a@b/c: SQLAlchemy spells the scheme postgresql://, not postgres:// (use postgresql://a@b/c)"
    ]


@pytest.mark.parametrize(
    "command",
    [["db", "upgrade"], ["db", "status"], ["query", "SELECT 1"], ["flags"], ["db", "reader", "alice"]],
    ids=lambda c: " ".join(c),
)
@pytest.mark.parametrize("url", ["postgres://alice@db.example/nianbao", "mysql://alice@db.example/nianbao", "nope"])
def test_the_other_warehouse_commands_say_it_in_one_line_too(env, command, url) -> None:
    line = _one_error_line(runner.invoke(app, [*command, "--db", url]))
    assert "postgresql://" in line or "not a database URL" in line, line

"""nianbao db / load / query from the command line: output for people and programs, one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import FIXTURES, seed_path
from typer.testing import CliRunner

from nianbao.cli import app
from warehouse.db import head_revision

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_db_upgrade_then_status(env) -> None:
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0 and f"schema none -> {head_revision()}" in first.stdout
    again = runner.invoke(app, ["db", "upgrade"])
    assert "already the newest" in again.stdout
    status = runner.invoke(app, ["db", "status"])
    assert f"schema {head_revision()}, nianbao needs {head_revision()} (up to date)" in status.stdout
    assert (env / "warehouse.db").exists()


def test_load_is_idempotent_and_stores_raw_bytes(env) -> None:
    files = [str(p) for p in sorted((FIXTURES / "seeds").glob("*.txt"))]
    first = runner.invoke(app, ["load", *files])
    assert first.exit_code == 0, first.output
    assert "loaded 5 file(s): 5 new" in first.stdout
    second = runner.invoke(app, ["load", *files])
    assert "loaded 5 file(s): 5 unchanged" in second.stdout
    assert len(list((env / "raw").rglob("*.bin"))) == 5


def test_load_reports_a_bad_file_in_one_line_and_goes_on(env) -> None:
    bad = FIXTURES / "bad" / "no_part3.html"
    result = runner.invoke(app, ["load", str(bad), str(seed_path("000"))])
    assert result.exit_code == 1
    assert "loaded 2 file(s): 1 failed, 1 new" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {bad}: statistics table missing: part 三 (收到和处理政府信息公开申请情况) table not found "
        "(parts seen: 一、二、四、五、六) "
        "(stored as a failed report #1)"
    ]


def test_load_notes_a_page_that_only_links_its_report(env) -> None:
    page = FIXTURES / "flat" / "attachment_page.html"
    result = runner.invoke(app, ["load", str(page), str(seed_path("000"))])
    assert result.exit_code == 0, result.output
    assert "loaded 2 file(s): 1 in attachment, 1 new" in result.stdout
    assert result.stderr.startswith(f"note: {page}: the report is in an attachment: ")
    assert "in_attachment" in result.stderr


def test_query_formats_and_parameters(env) -> None:
    runner.invoke(app, ["load", str(seed_path("000")), str(seed_path("002"))])
    sql = "SELECT agency, year FROM report_overview WHERE year = :y ORDER BY agency"
    as_json = runner.invoke(app, ["query", sql, "-p", "y", "2020", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == [
        {"agency": "白银市平川区", "year": 2020},
        {"agency": "银川市西夏区审批服务管理局", "year": 2020},
    ]
    as_csv = runner.invoke(
        app,
        [
            "query",
            "SELECT row_key, total FROM report_requests WHERE total > 0 AND agency = :a ORDER BY row_order",
            "--param",
            "a",
            "白银市平川区",
            "--csv",
        ],
    )
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["row_key", "total"],
        ["new_requests", "3"],
        ["unavailable_not_held", "3"],
    ]
    table = runner.invoke(app, ["query", "SELECT COUNT(*) AS n FROM reports"])
    assert "2 row(s)" not in table.stdout and "1 row(s)" in table.stdout
    from_stdin = runner.invoke(app, ["query", "--json"], input="SELECT COUNT(*) AS n FROM reports")
    assert json.loads(from_stdin.stdout) == [{"n": 2}]


@pytest.mark.parametrize(
    "sql", ["DROP TABLE cells", "INSERT INTO agencies (name, level) VALUES ('x', 'y')", "UPDATE cells SET value = 1"]
)
def test_query_refuses_writes_in_one_line(env, sql: str) -> None:
    runner.invoke(app, ["load", str(seed_path("000"))])
    result = runner.invoke(app, ["query", sql])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: refused: nianbao query is read-only, and this SQL writes "
        "(INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH, VACUUM, PRAGMA settings … are not allowed)"
    )


def test_query_errors_are_one_line(env) -> None:
    missing = runner.invoke(app, ["query", "SELECT 1"])
    assert missing.exit_code == 1 and "no warehouse at" in missing.stderr
    runner.invoke(app, ["load", str(seed_path("000"))])
    bad = runner.invoke(app, ["query", "SELECT * FROM nope"])
    assert bad.stderr.strip() == "error: database error: no such table: nope"
    dangling = runner.invoke(app, ["query", "SELECT 1", "-p", "only-a-name"])
    assert dangling.exit_code == 2 and "-p NAME VALUE" in dangling.output


def test_unreachable_database_is_one_line(env) -> None:
    result = runner.invoke(app, ["load", "--db", "postgresql://nobody@127.0.0.1:1/x", str(seed_path("000"))])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach the warehouse at postgresql")


@pytest.mark.parametrize("warehouse_url", ["postgresql"], indirect=True)
def test_postgresql_query_needs_a_reader_login_and_db_reader_makes_one(env, warehouse_url, monkeypatch) -> None:
    monkeypatch.setenv("NIANBAO_DATABASE_URL", warehouse_url)
    monkeypatch.delenv("NIANBAO_QUERY_URL", raising=False)
    assert runner.invoke(app, ["load", str(seed_path("000"))]).exit_code == 0
    as_owner = runner.invoke(app, ["query", "SELECT COUNT(*) AS n FROM reports"])
    assert as_owner.exit_code == 1
    line = as_owner.stderr.strip()
    assert "\n" not in line and "is a superuser" in line and "nianbao db reader NAME" in line

    made = runner.invoke(app, ["db", "reader", "alice"])
    assert made.exit_code == 0, made.output
    reader_url = made.stdout.split("NIANBAO_QUERY_URL=")[1].split()[0]
    assert "alice@" in reader_url
    again = runner.invoke(app, ["db", "reader", "alice"])  # idempotent
    assert again.exit_code == 0, again.output

    monkeypatch.setenv("NIANBAO_QUERY_URL", reader_url)
    counted = runner.invoke(app, ["query", "SELECT COUNT(*) AS n FROM reports", "--json"])
    assert counted.exit_code == 0, counted.output
    assert json.loads(counted.stdout) == [{"n": 1}]
    refused = runner.invoke(app, ["query", "COMMIT; BEGIN READ WRITE; DELETE FROM cells; COMMIT"])
    assert refused.exit_code == 1 and refused.stderr.startswith("error: refused")
    still = runner.invoke(app, ["query", "SELECT COUNT(*) AS n FROM cells", "--json"])
    assert json.loads(still.stdout)[0]["n"] > 0


def test_db_reader_is_for_postgresql(env) -> None:
    result = runner.invoke(app, ["db", "reader", "alice"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: db reader is for PostgreSQL; on SQLite nianbao query opens the file read-only already"
    )


def test_db_status_exits_1_when_an_upgrade_or_a_repair_is_due(env) -> None:
    import sqlalchemy as sa

    from warehouse.db import make_engine

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["db", "status"]).exit_code == 0
    engine = make_engine(f"sqlite:///{env / 'warehouse.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM form_rows"))
    broken = runner.invoke(app, ["db", "status"])
    assert broken.exit_code == 1 and "form rows are incomplete: run `nianbao db upgrade`" in broken.stdout
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["db", "status"]).exit_code == 0
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    outdated = runner.invoke(app, ["db", "status"])
    assert outdated.exit_code == 1 and "(run `nianbao db upgrade`)" in outdated.stdout
    engine.dispose()


def test_db_status_of_a_missing_warehouse_creates_nothing(env, tmp_path) -> None:
    target = tmp_path / "nowhere.db"
    result = runner.invoke(app, ["db", "status", "--db", f"sqlite:///{target}"])
    assert result.exit_code == 1
    assert "no warehouse at" in result.output and "nianbao load" in result.output
    assert not list(tmp_path.glob("nowhere.db*"))  # no empty file, no -wal, no -shm
    assert "server" not in result.output  # a SQLite file has no server to blame


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("NIANBAO_PARSE_TIMEOUT", "abc", "valid number"),
        ("NIANBAO_QUERY_TIMEOUT", "0", "greater than 0"),
        ("NIANBAO_PORTALS", "bypc,nowhere", "unknown portal nowhere"),
        ("NIANBAO_HOST_MAP", "not json", "not valid JSON"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(env, monkeypatch, variable, value, said) -> None:
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["flags"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and said in lines[0]
    assert "Traceback" not in result.output


def test_portals_setting_takes_comma_separated_keys(monkeypatch) -> None:
    from nianbao.settings import Settings

    monkeypatch.setenv("NIANBAO_PORTALS", "bypc, hongsibu")
    assert Settings().portals == ["bypc", "hongsibu"]
    monkeypatch.setenv("NIANBAO_PORTALS", '["ycxixia"]')
    assert Settings().portals == ["ycxixia"]


def test_a_wide_query_prints_one_block_per_row(env) -> None:
    runner.invoke(app, ["load", str(seed_path("000")), str(seed_path("002"))])
    wide = runner.invoke(app, ["query", "SELECT * FROM report_overview ORDER BY report_id"], env={"COLUMNS": "80"})
    assert wide.exit_code == 0
    lines = wide.output.splitlines()
    assert sum("row 1" in line or "row 2" in line for line in lines) == 2
    agency_lines = [line for line in lines if line.strip().startswith("agency ")]
    assert [line.split()[-1] for line in agency_lines] == ["银川市西夏区审批服务管理局", "白银市平川区"]
    assert lines[-1] == "2 row(s)"
    narrow = runner.invoke(app, ["query", "SELECT agency, year FROM report_overview"], env={"COLUMNS": "80"})
    assert "row 1" not in narrow.output and "白银市平川区" in narrow.output  # a table when it fits


@pytest.fixture
def read_only_share(tmp_path):
    """``(data, share)``: ``share`` shows ``data`` on a read-only file system (a bind mount; root only)."""
    import subprocess

    data, share = tmp_path / "data", tmp_path / "share"
    data.mkdir()
    share.mkdir()
    yield data, share
    subprocess.run(["umount", "--lazy", str(share)], check=False, capture_output=True)


def _mount_read_only(data, share) -> None:
    import subprocess

    if subprocess.run(["mount", "--bind", "-o", "ro", str(data), str(share)], capture_output=True).returncode:
        pytest.skip("cannot bind-mount read-only here (needs root and mount rights)")
    subprocess.run(["mount", "-o", "remount,ro,bind", str(share)], check=True, capture_output=True)


def test_a_warehouse_on_a_read_only_file_system_can_be_read(env, read_only_share) -> None:
    """A warehouse copied to a read-only share: WAL mode needs a -shm file even to read, unless immutable."""
    import sqlite3

    data, share = read_only_share
    url = f"sqlite:///{data / 'warehouse.db'}"
    assert runner.invoke(app, ["load", "--db", url, str(seed_path("000"))]).exit_code == 0
    with sqlite3.connect(data / "warehouse.db") as db:  # everything into the main file, as a copy would be
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for leftover in data.glob("warehouse.db-*"):  # a copied warehouse comes without -wal and -shm
        leftover.unlink()
    _mount_read_only(data, share)
    ro_url = f"sqlite:///{share / 'warehouse.db'}"
    query = runner.invoke(app, ["query", "--db", ro_url, "--json", "SELECT COUNT(*) AS n FROM reports"])
    assert query.exit_code == 0, query.output
    assert json.loads(query.output) == [{"n": 1}]
    assert runner.invoke(app, ["flags", "--db", ro_url]).exit_code == 0


def test_crawl_into_a_read_only_data_dir_is_one_line(monkeypatch, read_only_share) -> None:
    data, share = read_only_share
    _mount_read_only(data, share)
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(share))
    result = runner.invoke(app, ["crawl", "bypc", "--mirror"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "cannot write the crawl's files" in result.output
    assert "Traceback" not in result.output


def test_every_setting_is_documented() -> None:
    from conftest import ROOT

    from nianbao.settings import Settings

    table = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`NIANBAO_{name.upper()}`" not in table]
    assert not missing, f"docs/operations.md's settings table lacks {missing}"

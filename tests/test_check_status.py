"""A report is never shown as clean before it is checked (issue 17 item 3): ``report_overview.check_status``,
on SQLite and on PostgreSQL, and from the command line."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from conftest import FIXTURES, seed_path
from typer.testing import CliRunner

import warehouse.load as load_module
from expectations.run import validate_warehouse
from flows.ingest import load_bytes, load_file
from nianbao.cli import app
from warehouse.db import alembic_config, head_revision, make_engine, upgrade
from warehouse.load import DocumentInfo, LoadStatus
from warehouse.query import select_rows

STATE = "SELECT report_id, check_status, failed_checks FROM report_overview ORDER BY report_id"


def _rows(engine, sql: str, **params) -> list[tuple]:
    return select_rows(engine, sql, params).rows


@pytest.fixture
def engine(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_loaded_reports_are_unchecked_until_validated_and_again_when_they_change(engine, monkeypatch) -> None:
    url = "http://www.ycxixia.gov.cn/zwgk/bmxxgkml/spj/xxgknb/202101/t20210120_1.html"
    first = (FIXTURES / "documents" / "000_official.html").read_bytes()
    page = load_bytes(engine, first, DocumentInfo(url=url, portal="ycxixia"))
    flagged = load_file(engine, seed_path("002"))  # its sums do not add up
    clean = load_file(engine, seed_path("003"))
    broken = load_file(engine, FIXTURES / "bad" / "truncated.html")
    assert broken.status is LoadStatus.FAILED
    # loaded, never checked: nothing says 0 failures
    assert _rows(engine, STATE) == [
        (page.report_id, "unchecked", None),
        (flagged.report_id, "unchecked", None),
        (clean.report_id, "unchecked", None),
        (broken.report_id, "not_checkable", None),
    ]

    validate_warehouse(engine)
    fails = dict(
        _rows(engine, "SELECT report_id, COUNT(*) FROM check_results WHERE outcome = 'FAIL' GROUP BY report_id")
    )
    assert fails.get(flagged.report_id) == 4 and clean.report_id not in fails  # two checks, two columns each
    states = {rid: (status, n) for rid, status, n in _rows(engine, STATE)}
    assert states[flagged.report_id] == ("flagged", 4)
    assert states[clean.report_id] == ("clean", 0)
    assert states[page.report_id] == ("flagged" if page.report_id in fails else "clean", fails.get(page.report_id, 0))
    assert states[broken.report_id] == ("not_checkable", None)
    checked_at = _rows(engine, "SELECT checked_at FROM report_overview WHERE report_id = :r", r=clean.report_id)
    assert checked_at[0][0] is not None

    # a changed document at the same URL is a new version: unchecked, the others keep their state
    changed = load_bytes(engine, first.replace(b"<td>83</td>", b"<td>84</td>"), DocumentInfo(url=url))
    assert changed.status is LoadStatus.NEW_VERSION
    states = {rid: (status, n) for rid, status, n in _rows(engine, STATE)}
    assert states[changed.report_id] == ("unchecked", None) and page.report_id not in states
    assert states[flagged.report_id] == ("flagged", 4)

    # a report re-parsed in place (a newer parser) keeps its id, but its results speak for the old parse
    monkeypatch.setattr(load_module, "PARSER_VERSION", "999.0.0")
    again = load_file(engine, seed_path("003"))
    assert again.status is LoadStatus.REPARSED and again.report_id == clean.report_id
    states = {rid: (status, n) for rid, status, n in _rows(engine, STATE)}
    assert states[clean.report_id] == ("unchecked", None)
    assert states[flagged.report_id] == ("flagged", 4)


def test_a_change_to_the_previous_year_or_another_copy_makes_a_report_unchecked(engine) -> None:
    """carry_continuity reads the year before, documents_agree the other copies: when they change after a
    run, the report's results no longer speak for it."""
    import hashlib

    from parsers import parse_file
    from warehouse.load import store_report

    base = parse_file(seed_path("000"))

    def load(report, name: str):
        sha256 = hashlib.sha256(name.encode()).hexdigest()
        return store_report(engine, DocumentInfo(url=f"https://example.invalid/{name}"), sha256, report)

    earlier = load(base.model_copy(update={"year": base.year - 1}), "earlier")
    later = load(base, "later")
    other = load(base.model_copy(update={"agency": "银川市西夏区另一个局"}), "other")
    validate_warehouse(engine)
    status = "SELECT report_id, check_status FROM report_overview WHERE status = 'parsed'"
    assert {s for _, s in _rows(engine, status)} <= {"clean", "flagged", "uncertain"}

    # the year before is loaded again (a new version of its document): both its own and the next year's
    # results are stale; another agency's report is not
    changed = base.model_copy(update={"year": base.year - 1, "preamble": "更正后的报告"})
    again = store_report(engine, DocumentInfo(url="https://example.invalid/earlier"), "e" * 64, changed)
    assert again.status is LoadStatus.NEW_VERSION
    states = dict(_rows(engine, status))
    assert states[again.report_id] == "unchecked" and states[later.report_id] == "unchecked"
    assert states[other.report_id] != "unchecked" and earlier.report_id not in states

    validate_warehouse(engine)
    assert "unchecked" not in dict(_rows(engine, status)).values()
    # a second copy of the later report (another URL, other bytes): its copies are compared again
    copy = load(base.model_copy(update={"preamble": "转载"}), "later-copy")
    states = dict(_rows(engine, status))
    current = later.report_id if later.report_id in states else copy.report_id
    assert states[current] == "unchecked"
    assert states[other.report_id] != "unchecked"


def test_the_migration_goes_down_and_up(engine) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    with engine.connect() as conn:
        columns = [c["name"] for c in sa.inspect(conn).get_columns("report_overview")]
    assert "failed_checks" in columns and "check_status" not in columns
    assert upgrade(engine) == ("0005", head_revision())
    with engine.connect() as conn:
        columns = [c["name"] for c in sa.inspect(conn).get_columns("report_overview")]
    assert {"check_status", "failed_checks", "checked_at"} <= set(columns)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_load_says_unchecked_and_validate_says_what_it_found(env) -> None:
    runner = CliRunner()
    query = ["query", "--json", "SELECT agency, check_status, failed_checks FROM report_overview ORDER BY report_id"]
    loaded = runner.invoke(app, ["load", str(seed_path("002")), str(seed_path("003"))])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout.strip() == (
        "loaded 2 file(s): 2 new; 2 report(s) unchecked: flags appear after nianbao validate (or load --validate)"
    )
    assert json.loads(runner.invoke(app, query).stdout) == [
        {"agency": "白银市平川区", "check_status": "unchecked", "failed_checks": None},
        {"agency": "红寺堡区审批服务管理局", "check_status": "unchecked", "failed_checks": None},
    ]
    validated = runner.invoke(app, ["validate", "--no-docs"])
    assert validated.exit_code == 0, validated.output
    assert validated.stdout.strip().splitlines()[-1] == (
        "checked 2 current report(s): 1 clean, 1 flagged (outcome_sum 1, request_balance 1)"
    )
    assert json.loads(runner.invoke(app, query).stdout) == [
        {"agency": "白银市平川区", "check_status": "flagged", "failed_checks": 4},
        {"agency": "红寺堡区审批服务管理局", "check_status": "clean", "failed_checks": 0},
    ]
    # loading the same files again changes nothing: nothing unchecked to mention
    again = runner.invoke(app, ["load", str(seed_path("003"))])
    assert again.stdout.strip() == "loaded 1 file(s): 1 unchanged"


def test_flags_of_a_report_changed_since_the_check_say_so(env, tmp_path, monkeypatch) -> None:
    """``nianbao flags`` lists what the last run found; a report loaded again since (here: re-parsed by a newer
    parser) is marked, in the line, the details and the JSON, until validate checks it again."""
    runner = CliRunner()
    assert runner.invoke(app, ["load", "--validate", str(seed_path("002")), str(seed_path("003"))]).exit_code == 0
    listed = runner.invoke(app, ["flags"])
    assert "(changed since the check)" not in listed.stdout
    assert {r["stale"] for r in json.loads(runner.invoke(app, ["flags", "--json"]).stdout)} == {False}

    monkeypatch.setattr(load_module, "PARSER_VERSION", "999.0.0")
    assert runner.invoke(app, ["load", str(seed_path("002"))]).exit_code == 0
    listed = runner.invoke(app, ["flags"])
    assert "白银市平川区 2020" in listed.stdout and "(changed since the check)" in listed.stdout
    assert "1 report(s) changed since the check, flagged as they were" in listed.stdout
    assert "(changed since the check)" in runner.invoke(app, ["flags", "--details"]).stdout
    assert {r["stale"] for r in json.loads(runner.invoke(app, ["flags", "--json"]).stdout)} == {True}
    by_report = json.loads(runner.invoke(app, ["flags", "--json", "--by-report"]).stdout)
    assert [r["stale"] for r in by_report] == [True]

    assert runner.invoke(app, ["validate", "--no-docs"]).exit_code == 0
    assert "(changed since the check)" not in runner.invoke(app, ["flags"]).stdout

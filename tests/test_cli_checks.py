"""nianbao check / validate / flags from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import FIXTURES, seed_path
from typer.testing import CliRunner

from nianbao.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_check_exit_status_follows_error_level_failures(env) -> None:
    ok = runner.invoke(app, ["check", str(seed_path("000")), str(seed_path("003"))])
    assert ok.exit_code == 0, ok.output
    assert "PASS" in ok.stdout and "request_balance" in ok.stdout
    assert ok.stdout.rstrip().splitlines()[-1] == "checked 2 file(s): 2 pass, 0 flagged, 0 uncertain, 0 unreadable"
    bad = runner.invoke(app, ["--lang", "zh", "check", str(seed_path("002")), "/no/such/file.txt"])
    assert bad.exit_code == 1
    assert "三、(七)总计 自然人列为0，但各办理结果之和为3" in bad.stdout
    assert bad.stdout.rstrip().splitlines()[-1] == (
        "checked 2 file(s): 0 pass, 1 flagged (request_balance, outcome_sum), 0 uncertain, 1 unreadable"
    )


def test_check_json_lines(env) -> None:
    result = runner.invoke(app, ["check", "--json", str(seed_path("002")), str(seed_path("004"))])
    lines = [json.loads(line) for line in result.stdout.splitlines()]  # the summary is on stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "checked 2 file(s): 0 pass, 1 flagged (request_balance, outcome_sum), 0 uncertain, 1 not assessable, "
        "0 unreadable"
    )
    assert [(d["agency"], d["year"]) for d in lines] == [("白银市平川区", 2020), ("西夏区人民政府", 2014)]
    failing = {(c["check"], c["scope"]) for c in lines[0]["checks"] if c["outcome"] == "FAIL"}
    assert failing == {("request_balance", "natural_person"), ("request_balance", "total"),
                       ("outcome_sum", "natural_person"), ("outcome_sum", "total")}  # fmt: skip
    balance = next(c for c in lines[0]["checks"] if (c["check"], c["scope"]) == ("request_balance", "total"))
    assert (balance["left"], balance["right"], balance["difference"], balance["severity"]) == (3, 0, 3, "error")
    assert {c["outcome"] for c in lines[1]["checks"]} == {"NOT_ASSESSABLE"}


def test_check_reports_bad_files_in_one_line_and_goes_on(env) -> None:
    bad = FIXTURES / "bad" / "truncated.html"
    result = runner.invoke(app, ["check", str(bad), str(seed_path("000"))])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {bad}: truncated document: document ends inside part 三")
    assert "银川市西夏区审批服务管理局" in result.stdout


def test_validate_with_a_relative_data_dir(tmp_path, monkeypatch) -> None:
    """Regression: `make demo` ran with NIANBAO_DATA_DIR=data (relative) and GX refused the docs path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NIANBAO_DATA_DIR", "data")
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    runner.invoke(app, ["load", str(seed_path("000"))])
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "docs" / "index.html").exists()


def test_validate_then_flags_then_review(env) -> None:
    runner.invoke(app, ["load", *map(str, sorted((FIXTURES / "seeds").glob("*.txt")))])
    validated = runner.invoke(app, ["validate"])
    assert validated.exit_code == 0, validated.output
    assert "Data Docs:" in validated.stdout and (env / "docs" / "index.html").exists()
    flags = runner.invoke(app, ["flags", "--json"])
    rows = json.loads(flags.stdout)
    assert {(r["agency"], r["year"], r["check_key"], r["scope"]) for r in rows} == {
        ("白银市平川区", 2020, check, scope)
        for check in ("request_balance", "outcome_sum")
        for scope in ("natural_person", "total")
    }
    assert all(r["url"].startswith("file://") and r["review"] == "open" for r in rows)
    by_district = runner.invoke(app, ["flags", "--district", "西夏区", "--csv"])
    assert list(csv.reader(io.StringIO(by_district.stdout)))[1:] == []
    fingerprint = rows[0]["fingerprint"]
    reviewed = runner.invoke(app, ["flags", "review", fingerprint[:8], "--dismiss", "--note", "district-wide table"])
    assert reviewed.exit_code == 0 and f"{fingerprint}: dismissed" in reviewed.stdout
    assert fingerprint not in runner.invoke(app, ["flags", "--json"]).stdout
    runner.invoke(app, ["validate"])  # a re-run keeps the decision, and both runs' validations
    runs = {p.parent.name for p in (env / "gx" / "validations").rglob("*.json")}
    assert len(runs) == 2  # kept in the data dir: the site's index lists both runs
    assert fingerprint not in runner.invoke(app, ["flags", "--json"]).stdout
    listed = runner.invoke(app, ["flags", "--dismissed", "--details"])
    assert "dismissed" in listed.stdout and fingerprint[:12] in listed.stdout
    per_report = runner.invoke(app, ["flags", "--dismissed"])  # the report's line says a finding was dismissed
    assert "[open 3, dismissed 1]" in per_report.stdout


def test_flags_review_errors_are_one_line(env) -> None:
    runner.invoke(app, ["load", str(seed_path("002"))])
    runner.invoke(app, ["validate", "--no-docs"])
    unknown = runner.invoke(app, ["flags", "review", "ffffffff", "--confirm"])
    assert unknown.exit_code == 1 and "no current flag has fingerprint 'ffffffff'" in unknown.stderr
    both = runner.invoke(app, ["flags", "review", "ff", "--confirm", "--dismiss"])
    assert both.exit_code == 2 and "exactly one of --dismiss and --confirm" in both.stderr


def test_check_all_lists_every_check_once_with_what_it_checks(env) -> None:
    from expectations.suite import CHECKS
    from nianbao import i18n

    try:
        result = runner.invoke(app, ["--lang", "zh", "check", "--all", str(seed_path("000"))], env={"COLUMNS": "200"})
    finally:
        i18n.set_lang(None)
    *lines, summary = result.stdout.splitlines()[1:]
    assert summary.startswith("checked 1 file(s): 1 pass")
    assert len(lines) == len(CHECKS)  # one line per check, no duplicates
    for check, line in zip(CHECKS, lines, strict=True):
        assert line.split()[1] == check.key and check.name_zh in line
    short = runner.invoke(app, ["check", str(seed_path("000"))], env={"COLUMNS": "200"})
    assert len(short.stdout.splitlines()) == 4  # the file, the passing checks, the not-assessable ones, the summary

"""The Prefect flows, run for real against a temporary Prefect API (prefect_test_harness)."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from conftest import FIXTURES
from prefect.client.orchestration import get_client
from prefect.testing.utilities import prefect_test_harness

import flows.tasks as tasks_module
from flows.ingest import load_file
from nianbao.settings import Settings
from rawstore.store import RawStore
from warehouse.db import make_engine
from warehouse.query import select_rows

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    """A temporary Prefect API, and result storage of its own (no parse cache shared with real runs)."""
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings

    with (
        temporary_settings({PREFECT_LOCAL_STORAGE_PATH: tmp_path_factory.mktemp("prefect-results")}),
        prefect_test_harness(server_startup_timeout=120),
    ):
        yield


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def _artifact_keys() -> set[str]:
    with get_client(sync_client=True) as client:
        return {a.key for a in client.read_artifacts()}


def test_reparse_flow_reparses_stored_documents_and_publishes(harness, settings, monkeypatch) -> None:
    from flows.reparse import run_reparse

    engine = make_engine(settings.warehouse_url)
    for path in SEEDS:
        load_file(engine, path, raw_store=RawStore(settings.data_dir / "raw"))
    parsed: list[str] = []
    real = tasks_module.parse_bytes
    monkeypatch.setattr(
        tasks_module, "parse_bytes", lambda data, source, **kw: parsed.append(source) or real(data, source, **kw)
    )
    monkeypatch.setattr(tasks_module, "PARSER_VERSION", f"test-{uuid.uuid4().hex}")  # a fresh cache key

    status = "SELECT DISTINCT check_status FROM report_overview"
    assert select_rows(engine, status).rows == [("unchecked",)]  # loaded, never checked
    first = run_reparse(settings, progress=False)
    assert first["loaded"] == {"unchanged": 5}  # same parser output: nothing to change
    assert {s for (s,) in select_rows(engine, status).rows} == {"clean", "flagged", "not_assessable"}  # checked
    assert first["checks"]["counts"]["request_balance"]["FAIL"] == 1  # seed 002: one report, two columns
    assert len(parsed) == 5
    assert (settings.data_dir / "docs" / "index.html").exists()
    assert {"nianbao-summary", "nianbao-flagged-reports"} <= _artifact_keys()
    assert "| request_balance | 3 | 1 | 0 | 1 |" in first["summary"]
    assert first["report_html"] == str(settings.paths.report_html) and settings.paths.report_html.is_file()

    second = run_reparse(settings, progress=False)
    assert len(parsed) == 5  # every parse came from Prefect's cache (sha256 + parser version)
    assert second["checks"]["new_flags"] == []  # nothing newly flagged
    assert select_rows(engine, "SELECT COUNT(*) FROM reports").rows == [(5,)]


# --- the nightly flow against the portal mirror, served here ---------------------------------

INDEX = json.loads((FIXTURES / "portals" / "index.json").read_text(encoding="utf-8"))
#: attachment types the portals serve that no reader handles yet (the crawl still stores them)
UNREAD_TYPES = ("ofd", "zip", "rar", "et")
MIRROR_REPORTS = [r for portal in INDEX["portals"].values() for r in portal["reports"]]


@pytest.fixture(scope="module")
def mirror():
    from spiders.mirror import serve_mirror

    server, _ = serve_mirror()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nightly_runs(harness, mirror, tmp_path_factory):
    """The nightly flow twice on the mirror, then once with bypc unreachable."""
    from flows.nightly import run_nightly

    settings = Settings(data_dir=tmp_path_factory.mktemp("nightly") / "data")
    first = run_nightly(settings, host_map=mirror.host_map(), since=2014, progress=False)
    second = run_nightly(settings, host_map=mirror.host_map(), since=2014, progress=False)
    broken = mirror.host_map() | {"www.bypc.gov.cn": "127.0.0.1:1"}
    third = run_nightly(settings, host_map=broken, since=2014, progress=False, crawl_retries=0)
    return settings, first, second, third


def _overview(settings: Settings) -> dict[str, tuple]:
    rows = select_rows(make_engine(settings.warehouse_url, read_only=True),
                     "SELECT url, agency, year, status, error_code FROM report_overview").rows  # fmt: skip
    return {url: rest for url, *rest in rows}


def _documents(settings: Settings) -> dict[str, tuple]:
    rows = select_rows(make_engine(settings.warehouse_url, read_only=True),
                       "SELECT url, agency, year, role, current_report_id FROM report_documents").rows  # fmt: skip
    return {url: rest for url, *rest in rows}


def test_nightly_stores_every_mirror_report(nightly_runs) -> None:
    settings, first, _, _ = nightly_runs
    overview = _overview(settings)
    documents = _documents(settings)
    current_urls = {url for url, (_, _, status, _) in overview.items() if status == "parsed"}
    for report in MIRROR_REPORTS:
        urls = ([report["url"]] if report["inline"] else []) + [
            a["url"] if isinstance(a, dict) else a for a in report["attachments"]
        ]
        currents = set()
        for url in urls:
            if url.rsplit(".", 1)[-1] in UNREAD_TYPES:  # crawled and stored, not read: a named failure
                assert url in overview and overview[url][2] == "failed", url
                continue
            assert url in documents, url  # every page and attachment is stored, as a document of its report
            agency, year, _, current = documents[url]
            assert year == report["year"], url
            assert report["agency"].endswith(agency), url  # as the title prints it: 平川区卫生健康局
            currents.add(current)
        assert len(currents) == 1, report["url"]  # a page and its attachments are one report
        assert sum(1 for url in urls if url in current_urls) == 1, report["url"]  # counted once
        if not report["inline"]:
            assert overview[report["url"]][2:] == ["in_attachment", "report_in_attachment"]
    no_report = sum(1 for r in overview.values() if r[2] in ("failed", "in_attachment"))
    assert sum(first["loaded"].values()) == len(documents) + no_report
    identities = select_rows(make_engine(settings.warehouse_url, read_only=True),
                             "SELECT agency_key, year, COUNT(*) FROM report_overview WHERE status = 'parsed' "
                             "GROUP BY agency_key, year").rows  # fmt: skip
    assert all(n == 1 for *_, n in identities)


def test_the_flags_list_each_failing_report_once(nightly_runs) -> None:
    """The mirror has 西夏区人民政府办公室 2024 as a page and its DOCX: the demo listed its flag twice."""
    from expectations.flags import list_flags

    settings, first, _, _ = nightly_runs
    documents = _documents(settings)
    xixia = {url for url, (agency, year, *_) in documents.items() if "人民政府办公室" in agency and year == 2024}
    assert len(xixia) >= 2  # page and attachment
    rows = list_flags(make_engine(settings.warehouse_url, read_only=True)).rows
    keys = [(row[0], row[2], row[3], row[5]) for row in rows]
    assert len(keys) == len(set(keys)), keys
    assert any("人民政府办公室" in row[0] and row[2] == 2024 for row in rows)
    new = [(f["agency"], f["year"], f["check"], f.get("scope")) for f in first["checks"]["new_flags"]]
    assert len(new) == len(set(new))  # the nightly artifact too


def test_nightly_flags_seed_002_and_publishes_artifacts(nightly_runs) -> None:
    settings, first, _, _ = nightly_runs
    new = {(f["agency"], f["year"], f["check"]) for f in first["checks"]["new_flags"]}
    assert ("白银市平川区", 2020, "request_balance") in new and ("白银市平川区", 2020, "outcome_sum") in new
    assert {"nianbao-summary", "nianbao-flagged-reports"} <= _artifact_keys()
    assert "## Portals" in first["summary"] and "broken_link" in first["summary"]
    assert (settings.data_dir / "docs" / "index.html").exists()


def test_a_second_night_downloads_and_adds_nothing(nightly_runs) -> None:
    _, _, second, _ = nightly_runs
    assert second["loaded"] == {}
    for portal, result in second["crawl"].items():
        counts = result["counts"]
        fetched = {k: v for k, v in counts.items() if k.startswith(("new.", "changed.")) and v}
        assert fetched == {}, (portal, fetched)
    assert second["checks"]["new_flags"] == []


def test_an_unreachable_portal_is_a_warning_and_the_others_go_on(nightly_runs) -> None:
    settings, _, _, third = nightly_runs
    assert third["crawl"]["bypc"]["faults"] and not third["crawl"]["bypc"]["ok"]
    assert third["crawl"]["ycxixia"]["counts"]["reports"] == len(INDEX["portals"]["www.ycxixia.gov.cn"]["reports"])
    assert "bypc" in third["summary"]
    assert len(_overview(settings)) >= len(MIRROR_REPORTS)  # nothing already stored was lost


def test_the_parse_fan_out_runs_on_a_dask_cluster(harness, tmp_path) -> None:
    """NIANBAO_DASK_ADDRESS: the parse tasks go to a Dask scheduler (here a local cluster on 127.0.0.1)."""
    from distributed import LocalCluster

    from flows.reparse import run_reparse
    from flows.runner import task_runner_for

    with LocalCluster(n_workers=1, threads_per_worker=2, host="127.0.0.1", dashboard_address=None) as cluster:
        settings = Settings(data_dir=tmp_path / "data", dask_address=cluster.scheduler_address)
        assert type(task_runner_for(settings)).__name__ == "DaskTaskRunner"
        engine = make_engine(settings.warehouse_url)
        for path in SEEDS:
            load_file(engine, path, raw_store=RawStore(settings.data_dir / "raw"))
        from distributed import Client

        result = run_reparse(settings, progress=False, docs=False)
        assert sum(result["loaded"].values()) == len(SEEDS)
        with Client(cluster.scheduler_address) as client:  # the scheduler ran our parse tasks
            prefixes = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
        assert any("parse" in prefix for prefix in prefixes), prefixes


# --- summaries first: the run's summary, flags per report, Prefect's INFO lines off the terminal ----------


def _terminal_rows(text: str, width: int) -> int:
    """How many rows ``text`` takes on a terminal ``width`` columns wide (long lines wrap)."""
    from rich.cells import cell_len

    return sum(max(1, -(-cell_len(line) // width)) for line in text.splitlines())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_demo_summary_fits_one_screen_and_lists_each_flagged_report_once(nightly_runs, lang) -> None:
    """What `nianbao demo` prints after the nightly flow: per portal, then one line per flagged report."""
    from rich.console import Console

    from expectations.flags import flagged_reports, list_flags
    from nianbao.i18n import set_lang
    from nianbao.show import print_run_overview

    settings, first, _, _ = nightly_runs
    engine = make_engine(settings.warehouse_url, read_only=True)
    reports = flagged_reports(engine)
    findings = list_flags(engine).rows
    assert len(findings) > len(reports) > 5  # several findings per report: columns, checks
    assert [f["report_id"] for f in first["checks"]["flagged"]] == [r.report_id for r in reports]
    assert len({(r.agency, r.year) for r in reports}) == len(reports)  # a report with copies is one report
    console = Console(width=100, record=True, file=io.StringIO(), color_system=None)
    set_lang(lang)
    try:
        print_run_overview(console, first, "nianbao nightly run")
    finally:
        set_lang(None)
    text = console.export_text()
    assert _terminal_rows(text, 100) <= 40, text
    lines = text.splitlines()
    for report in reports:
        listed = [line for line in lines if f"{report.agency} {report.year}" in line and report.url in line]
        assert len(listed) == 1, (report, listed)
        assert ", ".join(report.checks) in listed[0]
        if report.largest_difference:
            assert str(int(report.largest_difference)) in listed[0]
    assert sum(1 for line in lines if "http" in line and "://127.0.0.1" not in line) == len(reports)
    assert sum(1 for line in lines if line.startswith("Data Docs:")) == 1
    for row in first["portals"]:  # the table: a row per portal and the total
        assert any(line.startswith(row["portal"]) for line in lines) or row["portal"] == "total"
    by_portal = {row["portal"]: row for row in first["portals"]}
    assert by_portal["total"]["flagged"] == len(reports)
    assert by_portal["ycxixia"]["unreadable"] == 1  # its OFD; a page whose report is an attachment is no failure
    assert sum(row["unreadable"] for p, row in by_portal.items() if p != "total") == first["loaded"]["failed"]


def test_the_nightly_artifact_has_a_row_per_flagged_report(nightly_runs) -> None:
    _, first, _, _ = nightly_runs
    flagged = first["checks"]["flagged"]
    summary = first["summary"]  # the markdown artifact: the portal table, the flagged reports, then the details
    assert summary.index("| portal |") < summary.index("## Flagged reports") < summary.index("## Portals")
    listed = summary[summary.index("## Flagged reports") : summary.index("## Portals")].splitlines()
    assert sum(1 for line in listed if line.startswith("- ")) == len(flagged)
    for report in flagged:
        assert sum(1 for line in listed if line.startswith("- ") and report["url"] in line) == 1
    with get_client(sync_client=True) as client:
        tables = [a.data for a in client.read_artifacts() if a.key == "nianbao-flagged-reports"]
    tables = [json.loads(t) if isinstance(t, str) else t for t in tables]
    nightly = [t for t in tables if all(row["url"].startswith("http") for row in t)]  # not the reparse test's
    assert nightly
    for table in nightly:  # every night flags the same reports: one row each
        assert [(row["url"], row["checks"]) for row in table] == [(f["url"], ", ".join(f["checks"])) for f in flagged]


def test_nianbao_flags_one_line_per_report_details_and_show(nightly_runs, monkeypatch) -> None:
    from typer.testing import CliRunner

    from expectations.flags import FLAG_COLUMNS, flagged_reports, list_flags
    from nianbao.cli import app

    settings, _, _, _ = nightly_runs
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    runner = CliRunner()
    engine = make_engine(settings.warehouse_url, read_only=True)
    reports, findings = flagged_reports(engine), list_flags(engine).rows

    default = runner.invoke(app, ["--lang", "en", "flags"])
    assert default.exit_code == 0, default.output
    report_lines = [line for line in default.stdout.splitlines() if "://" in line]
    assert len(report_lines) == len(reports)  # one line each, however many checks, columns and copies
    assert f"{len(reports)} flagged report(s), {len(findings)} finding(s)" in default.stdout

    details = runner.invoke(app, ["--lang", "en", "flags", "--details"])
    assert sum(1 for line in details.stdout.splitlines() if line.startswith("  http")) == len(findings)
    assert all(row[FLAG_COLUMNS.index("fingerprint")][:12] in details.stdout for row in findings)

    as_json = json.loads(runner.invoke(app, ["flags", "--json"]).stdout)
    assert len(as_json) == len(findings) and set(as_json[0]) == set(FLAG_COLUMNS)  # per finding, as documented
    by_report = json.loads(runner.invoke(app, ["flags", "--json", "--by-report"]).stdout)
    assert [r["report_id"] for r in by_report] == [r.report_id for r in reports]

    balance = next(f for f in findings if f[FLAG_COLUMNS.index("check_key")] == "request_balance")
    fingerprint = balance[FLAG_COLUMNS.index("fingerprint")]
    shown = runner.invoke(app, ["--lang", "en", "flags", "show", fingerprint[:10]])
    assert shown.exit_code == 0, shown.output
    assert fingerprint in shown.stdout and balance[FLAG_COLUMNS.index("message_en")] in shown.stdout
    assert "cells involved (4)" in shown.stdout and "new_requests" in shown.stdout and "carried_forward" in shown.stdout
    zh = runner.invoke(app, ["--lang", "zh", "flags", "show", fingerprint[:10]])
    assert balance[FLAG_COLUMNS.index("message_zh")] in zh.stdout
    ambiguous = runner.invoke(app, ["flags", "show", "0"])
    assert ambiguous.exit_code == 1 and "error:" in ambiguous.stderr


def test_prefect_info_lines_stay_off_the_terminal_but_reach_the_api(harness) -> None:
    """demo and run keep Prefect's INFO lines off the terminal; the Prefect API (and UI) still has them."""
    import logging

    from prefect import flow, get_run_logger
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler, PrefectConsoleHandler

    from nianbao.cli import _quiet_prefect_console

    @flow(name="quiet-check")
    def tiny() -> str:
        logger = get_run_logger()
        logger.info("hello from the flow")
        logger.warning("a portal's fault, said again in the summary")
        logger.error("something broke")
        from prefect.runtime import flow_run

        return flow_run.id

    handlers = [h for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
    saved = [(h.level, list(h.filters), h.console.file) for h in handlers]
    terminal = io.StringIO()  # what Prefect's console handler writes (to stderr, outside the test)
    try:
        for handler in handlers:
            handler.console.file = terminal
        _quiet_prefect_console()
        run_id = tiny()
        APILogHandler().flush()
    finally:
        for handler, (level, filters, file) in zip(handlers, saved, strict=True):
            handler.setLevel(level)
            handler.filters[:] = filters
            handler.console.file = file
    assert handlers  # Prefect's console handler is there to be quietened
    shown = terminal.getvalue()
    assert "something broke" in shown  # errors still reach the terminal
    assert "hello from the flow" not in shown and "Finished in state" not in shown
    assert "said again in the summary" not in shown
    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[uuid.UUID(str(run_id))])))
    messages = {log.message for log in logs}
    assert {"hello from the flow", "a portal's fault, said again in the summary", "something broke"} <= messages


def test_the_nightly_writes_its_run_report_and_publishes_the_charts(nightly_runs) -> None:
    from flows.charts import ARTIFACT_KEY

    settings, first, second, _ = nightly_runs
    assert first["report_html"] == second["report_html"] == str(settings.paths.report_html)
    page = settings.paths.report_html.read_text(encoding="utf-8")
    assert page.count('<img class="chart"') == 3  # the mirror has requests, checks and failing reports
    assert sorted(p.name for p in settings.paths.report_dir.iterdir()) == [
        "checks.svg", "failing.svg", "report.html", "requests.svg",
    ]  # fmt: skip
    with get_client(sync_client=True) as client:  # (other tests' runs publish theirs into the same API)
        ours = [
            a for a in client.read_artifacts() if a.key == ARTIFACT_KEY and str(settings.paths.report_dir) in a.data
        ]
    assert len(ours) == 3  # one per night
    assert all(a.data.count("data:image/png;base64,") == 3 for a in ours)


def test_a_run_report_that_cannot_be_drawn_is_a_warning_not_a_failed_run(harness, tmp_path, caplog) -> None:
    from prefect import flow

    from flows.charts import publish_report

    @flow
    def night() -> dict:
        return {"report_html": publish_report(f"sqlite:///{tmp_path / 'no' / 'such' / 'w.db'}", str(tmp_path))}

    state = night(return_state=True)
    assert state.is_completed() and state.result() == {"report_html": None}
    assert any("the run report was not written" in r.getMessage() for r in caplog.records)
    assert not (tmp_path / "report").exists()

"""The Prefect flows, run for real against a temporary Prefect API (prefect_test_harness)."""

from __future__ import annotations

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

    first = run_reparse(settings, progress=False)
    assert first["loaded"] == {"unchanged": 5}  # same parser output: nothing to change
    assert first["checks"]["counts"]["request_balance"]["FAIL"] == 2
    assert len(parsed) == 5
    assert (settings.data_dir / "docs" / "index.html").exists()
    assert {"nianbao-summary", "nianbao-new-flags"} <= _artifact_keys()
    assert "| request_balance | 3 | 2 | 0 | 1 |" in first["summary"]

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
    assert {"nianbao-summary", "nianbao-new-flags"} <= _artifact_keys()
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

"""The Prefect flows, run for real against a temporary Prefect API (prefect_test_harness)."""

from __future__ import annotations

import uuid

import pytest
from conftest import FIXTURES
from prefect.client.orchestration import get_client
from prefect.testing.utilities import prefect_test_harness

import flows.tasks as tasks_module
from nianbao.settings import Settings
from spiders.rawstore import RawStore
from warehouse.db import make_engine
from warehouse.load import load_file
from warehouse.query import run_query

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
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
    monkeypatch.setattr(tasks_module, "parse_bytes", lambda data, source: parsed.append(source) or real(data, source))
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
    assert run_query(engine, "SELECT COUNT(*) FROM reports").rows == [(5,)]

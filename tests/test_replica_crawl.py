"""A full crawl of hand-written replica sites (tests/fixtures/replica/sites), built from
../shared/portals.md's mechanics and not by scripts/build_mirror.py: the spiders have never been
written against these pages. Every report document is stored, the challenge page and the 412 are
named, and a second crawl downloads no report again."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES

from rawstore.manifest import read_manifest
from spiders.crawl import run_crawl
from spiders.mirror import serve_mirror

REPLICA = FIXTURES / "replica"
TRUTH = json.loads((REPLICA / "sites.json").read_text(encoding="utf-8"))
FAST = {"DOWNLOAD_TIMEOUT": 5, "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("replica") / "sites"
    shutil.copytree(REPLICA / "sites", root)
    server, _ = serve_mirror(root)
    data = tmp_path_factory.mktemp("data")
    runs = []
    try:
        for _ in range(2):
            server.log.clear()
            summary = run_crawl(None, data, server.host_map(), 2014, settings=FAST)
            runs.append((summary, list(server.log), [r.to_dict() for r in read_manifest(data)]))
    finally:
        server.stop()
    return runs


def test_every_report_and_attachment_is_stored(crawled) -> None:
    (summary, _, manifest), _ = crawled
    for portal, urls in TRUTH["reports"].items():
        found = {r["url"] for r in summary["portals"][portal]["reports"]}
        assert found == set(urls), portal
        stored = {r["url"] for r in manifest if r["portal"] == portal}
        assert stored == set(urls) | set(TRUTH["attachments"][portal]), portal


def test_the_challenge_and_the_412_are_named_and_nothing_else(crawled) -> None:
    for summary, _, _ in crawled:
        faults = sorted([f["portal"], f["kind"], f["url"]] for f in summary["faults"])
        assert faults == sorted(TRUTH["faults"])
        assert summary["exit_code"] == 1


def test_a_second_crawl_downloads_no_report_again(crawled) -> None:
    (_, _, first), (second, log, manifest) = crawled
    assert manifest == first
    known = {u.split("://", 1)[1] for p in TRUTH["reports"].values() for u in p}
    assert not [e for e in log if f"{e.host}{e.path}" in known and e.status == 200]
    for portal in TRUTH["reports"]:
        counts = second["portals"][portal]["counts"]
        assert not any(counts.get(f"new.{k}") or counts.get(f"changed.{k}") for k in ("report_page", "attachment"))

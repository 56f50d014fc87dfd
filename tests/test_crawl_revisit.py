"""A portal without ETag/Last-Modified (hongsibu in the mirror): known reports are revisited on a cadence and an
edited one is picked up; the crawl's clock is injected (``-a:today``)."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta

import pytest
from conftest import FIXTURES

from rawstore.manifest import read_manifest
from spiders.crawl import run_crawl
from spiders.mirror import serve_mirror
from spiders.state import REVISIT_OLDER_DAYS, REVISIT_RECENT_DAYS, revisit_due

FAST = {"DOWNLOAD_TIMEOUT": 2, "LOG_LEVEL": "INFO"}
DAY0 = date(2026, 3, 2)
HOST = "www.hongsibu.gov.cn"


def test_the_cadence() -> None:
    recent = {"report_year": 2025, "checked_on": "2026-03-02"}
    older = {"report_year": 2022, "checked_on": "2026-03-02"}
    assert not revisit_due(recent, DAY0 + timedelta(days=REVISIT_RECENT_DAYS - 1))
    assert revisit_due(recent, DAY0 + timedelta(days=REVISIT_RECENT_DAYS)) and REVISIT_RECENT_DAYS <= 7
    assert not revisit_due(older, DAY0 + timedelta(days=REVISIT_RECENT_DAYS))
    assert revisit_due(older, DAY0 + timedelta(days=REVISIT_OLDER_DAYS))
    # a page without its own year: the year before its publication; without either: recent
    assert revisit_due({"published_date": "2025-01-20", "checked_on": "2026-03-02"}, DAY0 + timedelta(days=7))
    assert not revisit_due({"published_date": "2021-01-20", "checked_on": "2026-03-02"}, DAY0 + timedelta(days=7))
    assert revisit_due({"checked_on": "2026-03-02"}, DAY0 + timedelta(days=7))
    assert revisit_due({"fetched_at": "2026-03-02T01:00:00+00:00"}, DAY0 + timedelta(days=7))  # older states
    assert revisit_due({}, DAY0)


@pytest.fixture
def mirror(tmp_path):
    root = tmp_path / "portals"
    shutil.copytree(FIXTURES / "portals", root)
    server, _ = serve_mirror(root)
    yield server
    server.stop()


def _crawl(mirror, data, day: date) -> dict:
    settings = {**FAST, "-a:today": day.isoformat()}
    return run_crawl(["hongsibu"], data, mirror.host_map(), 2022, settings=settings)["portals"]["hongsibu"]


@pytest.mark.slow
def test_an_edited_report_is_picked_up_by_a_later_crawl(mirror, tmp_path) -> None:
    index = json.loads((FIXTURES / "portals" / "index.json").read_text(encoding="utf-8"))["portals"][HOST]
    by_year = {r["year"]: r["url"] for r in index["reports"]}
    recent, older = by_year[2025], by_year[2022]  # 2025: recent in 2026; 2022: older
    data = tmp_path / "data"
    first = _crawl(mirror, data, DAY0)
    assert first["counts"].get("new.report_page") == len(index["reports"])

    for url in (recent, older):
        path = mirror.root / url.split("://", 1)[1]
        path.write_bytes(path.read_bytes() + "<!-- 更正：第三部分数字有误 -->\n".encode())

    next_day = _crawl(mirror, data, DAY0 + timedelta(days=1))  # not due yet: nothing asked for
    assert not next_day["counts"].get("revisit.report_page") and not next_day["counts"].get("changed.report_page")
    assert next_day["counts"].get("known_skipped.report_page") == len(index["reports"])

    week = _crawl(mirror, data, DAY0 + timedelta(days=REVISIT_RECENT_DAYS))  # the recent ones are due
    recent_urls = {r["url"] for r in index["reports"] if r["year"] >= DAY0.year - 2}
    assert week["counts"].get("revisit.report_page") == len(recent_urls)
    assert week["counts"].get("changed.report_page") == 1  # compared by sha256: only the edited one is new
    assert week["counts"].get("unchanged.report_page") == len(recent_urls) - 1
    versions = {r.url: r.version for r in read_manifest(data) if r.version == "changed"}
    assert versions == {recent: "changed"}

    again = _crawl(mirror, data, DAY0 + timedelta(days=REVISIT_RECENT_DAYS + 1))  # just revisited: not again
    assert not again["counts"].get("revisit.report_page")

    quarter = _crawl(mirror, data, DAY0 + timedelta(days=REVISIT_OLDER_DAYS))  # now the older one too
    assert quarter["counts"].get("revisit.report_page") == len(index["reports"])
    assert quarter["counts"].get("changed.report_page") == 1
    assert {r.url for r in read_manifest(data) if r.version == "changed"} == {recent, older}
    text = (data / "crawl" / "summary.txt").read_text(encoding="utf-8")
    assert f"revisited {len(index['reports'])})" in text

"""What a crawl remembers and reports: state, manifest, summary text."""

from __future__ import annotations

import json

import pytest

from rawstore.manifest import read_manifest
from spiders.crawl import summary_text
from spiders.state import CrawlState


def test_state_round_trip_and_conditional_headers(tmp_path) -> None:
    state = CrawlState(tmp_path / "state.json")
    state.documents["http://h/a.html"] = {
        "sha256": "x",
        "etag": '"e1"',
        "last_modified": "Tue, 28 Jan 2026 07:34:00 GMT",
    }
    state.documents["http://h/b.html"] = {"sha256": "y", "etag": None, "last_modified": None}
    state.save()
    loaded = CrawlState.load(tmp_path / "state.json")
    assert loaded.validators("http://h/a.html") == {
        "If-None-Match": '"e1"',
        "If-Modified-Since": "Tue, 28 Jan 2026 07:34:00 GMT",
    }
    assert loaded.validators("http://h/b.html") == {} and loaded.validators("http://h/new.html") == {}


def test_manifest_survives_a_torn_last_line_but_not_a_corrupt_middle(tmp_path) -> None:
    folder = tmp_path / "crawl" / "bypc"
    folder.mkdir(parents=True)
    good = json.dumps({"url": "https://www.bypc.gov.cn/a.html", "sha256": "ab"})
    (folder / "manifest.jsonl").write_text(good + "\n" + '{"url": "https://www.bypc', encoding="utf-8")
    assert [r.url for r in read_manifest(tmp_path)] == ["https://www.bypc.gov.cn/a.html"]
    (folder / "manifest.jsonl").write_text('{"url": \n' + good + "\n", encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        list(read_manifest(tmp_path))
    assert list(read_manifest(tmp_path / "nowhere")) == []


def test_summary_text_names_each_fault_and_the_exit_status() -> None:
    summary = {
        "started_at": "2026-01-29T01:00:00+00:00",
        "finished_at": "2026-01-29T01:20:00+00:00",
        "since": 2024,
        "mirror": None,
        "portals": {
            "bypc": {
                "host": "www.bypc.gov.cn",
                "ok": True,
                "counts": {"reports": 5, "new.report_page": 2},
                "faults": [],
            },
            "ycxixia": {
                "host": "www.ycxixia.gov.cn",
                "ok": False,
                "counts": {"reports": 4},
                "faults": [{"kind": "soft_404", "url": "http://www.ycxixia.gov.cn/x.html", "detail": "listed"}],
                "retries": [{"url": "http://www.ycxixia.gov.cn/y.html", "reasons": ["HTTP 500"], "recovered": True}],
            },
        },
        "faults": [{"portal": "ycxixia", "kind": "soft_404", "url": "http://www.ycxixia.gov.cn/x.html"}],
        "exit_code": 1,
    }
    text = summary_text(summary)
    assert "bypc      www.bypc.gov.cn: ok; reports 5 (new 2," in text
    assert "  soft_404: http://www.ycxixia.gov.cn/x.html (listed)" in text
    assert "  retried (HTTP 500), recovered: http://www.ycxixia.gov.cn/y.html" in text
    assert text.rstrip().endswith("exit status 1: 1 fault(s)")
    assert text.rstrip().splitlines()[-1] == (  # the run in one line, last
        "crawled 2 portal(s): 1 ok, 1 with faults; 9 report(s) listed, 2 new, 0 changed, 0 new attachment(s); "
        "exit status 1: 1 fault(s)"
    )

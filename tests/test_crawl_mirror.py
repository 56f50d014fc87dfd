"""End to end: the real spiders, in their own processes, crawl the mirror served on 127.0.0.1 here.

Each spider finds exactly the reports the mirror holds (index.json, written by the mirror's builder),
stores every page and attachment, downloads none of them again on the next crawl, names every fault,
and never sends a request anywhere but the mirror.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import FIXTURES

from rawstore.manifest import read_manifest
from rawstore.portals import PORTALS, portal_for_host
from spiders import crawl as crawl_module
from spiders.crawl import run_crawl
from spiders.mirror import serve_mirror
from warehouse.load import DocumentInfo

INDEX = json.loads((FIXTURES / "portals" / "index.json").read_text(encoding="utf-8"))["portals"]
SINCE = min(r["year"] for p in INDEX.values() for r in p["reports"])
FAST = {"DOWNLOAD_TIMEOUT": 2, "LOG_LEVEL": "INFO"}


def reports(host: str) -> set[str]:
    return {r["url"] for r in INDEX[host]["reports"]}


def attachments(host: str) -> set[str]:
    return {a for r in INDEX[host]["reports"] for a in r["attachments"]}


def documents(host: str) -> set[str]:
    return reports(host) | attachments(host)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    root = tmp_path_factory.mktemp("mirror") / "portals"
    shutil.copytree(FIXTURES / "portals", root)
    server, _ = serve_mirror(root)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def crawled(mirror, tmp_path_factory):
    """Two crawls of all three portals into one data dir, with the mirror's log of each."""
    data = tmp_path_factory.mktemp("data")
    runs = []
    for _ in range(2):
        mirror.log.clear()
        heard: list[tuple] = []
        summary = run_crawl(None, data, mirror.host_map(), SINCE, settings=FAST,
                            on_progress=lambda *args, heard=heard: heard.append(args))  # fmt: skip
        summary["progress"] = heard
        runs.append((summary, list(mirror.log), [r.to_dict() for r in read_manifest(data)]))
    return data, runs


def test_the_crawl_says_as_each_portal_ends(crawled) -> None:
    _, runs = crawled
    for summary, _, _ in runs:
        heard = summary["progress"]
        assert [(done, total) for done, total, _ in heard] == [(1, 3), (2, 3), (3, 3)]
        ended = [note.split(" done")[0] for _, _, note in heard]
        assert sorted(ended) == sorted(p.key for p in PORTALS)
        assert heard[-1][2] == f"{ended[-1]} done"  # nothing left running


def test_each_spider_finds_exactly_the_reports_the_mirror_holds(crawled) -> None:
    _, runs = crawled
    for summary, _, _ in runs:
        for portal in PORTALS:
            found = [r["url"] for r in summary["portals"][portal.key]["reports"]]
            assert len(found) == len(reports(portal.host)) and set(found) == reports(portal.host), portal.key
            columns = {c["url"] for c in summary["portals"][portal.key]["columns"] if c["ok"]}
            assert columns == {c["url"] for c in INDEX[portal.host]["columns"]}


def test_every_page_and_attachment_is_stored_with_its_manifest_record(crawled) -> None:
    data, [(_, _, manifest), _] = crawled
    for portal in PORTALS:
        records = [r for r in manifest if r["portal"] == portal.key]
        assert sorted(r["url"] for r in records) == sorted(documents(portal.host))
        for record in records:
            raw = data / "raw" / record["raw_path"]
            assert hashlib.sha256(raw.read_bytes()).hexdigest() == record["sha256"] == raw.stem
            assert record["headers"]["Content-Length"] == str(record["size"])
            fields = {k: record[k] for k in ("url", "portal", "content_type", "title", "source_page_url")}
            info = DocumentInfo(
                **fields,
                fetched_at=datetime.fromisoformat(record["fetched_at"]),
                published_date=datetime.fromisoformat(record["published_date"]).date(),
            )
            assert info.title and portal_for_host(info.url.split("/")[2]) is portal
            if record["kind"] == "attachment":
                assert record["source_page_url"] in reports(portal.host)


def test_second_crawl_downloads_no_report_page_or_attachment_again(crawled) -> None:
    _, [(_, _, first), (second, log, manifest)] = crawled
    assert manifest == first  # no new document versions
    known = {u.split("://", 1)[1].split("?")[0] for p in PORTALS for u in documents(p.host)}
    downloaded = [e for e in log if f"{e.host}{e.path.split('?')[0]}" in known and e.status == 200]
    assert downloaded == []
    assert any(e.status == 304 and e.conditional for e in log)  # asked with ETag / Last-Modified
    hongsibu = [e for e in log if e.host == "www.hongsibu.gov.cn" and f"{e.host}{e.path}" in known]
    assert hongsibu == []  # no validators from that server: known documents are not asked for at all
    for host, portal in INDEX.items():  # every list page of every column is read again
        for column in portal["columns"]:
            folder = column["url"].split(host, 1)[1]
            pages = {
                e.path
                for e in log
                if e.host == host and e.status == 200 and (e.path == folder or e.path.startswith(folder + "index"))
            }
            assert len(pages) == column["list_pages"], column["url"]
    for portal in PORTALS:
        counts = second["portals"][portal.key]["counts"]
        assert not any(counts.get(f"{v}.{k}") for v in ("new", "changed") for k in ("report_page", "attachment"))


def test_the_mirrors_broken_link_and_soft_404_are_named_and_the_status_says_so(crawled) -> None:
    _, runs = crawled
    for summary, _, _ in runs:
        expected = {
            (portal.key, kind, url)
            for portal in PORTALS
            for kind, urls in (
                ("broken_link", INDEX[portal.host]["broken_links"]),
                ("soft_404", INDEX[portal.host]["soft_404"]),
                ("challenge", INDEX[portal.host]["challenges"]),
                ("blocked", INDEX[portal.host]["blocked"]),
                ("offsite_redirect", INDEX[portal.host]["offsite_redirects"]),
            )
            for url in urls
        }
        assert {(f["portal"], f["kind"], f["url"]) for f in summary["faults"]} == expected
        assert summary["exit_code"] == 1
        assert summary["portals"]["bypc"]["ok"] and summary["portals"]["hongsibu"]["ok"]
    text = (crawled[0] / "crawl" / "summary.txt").read_text(encoding="utf-8")
    assert all(url in text for _, _, url in expected) and "exit status 1" in text


def test_a_redirect_to_another_portal_is_refused_named_and_never_stored(crawled) -> None:
    data, runs = crawled
    (moved,) = INDEX["www.ycxixia.gov.cn"]["offsite_redirects"]
    for summary, _, manifest in runs:
        (fault,) = [f for f in summary["faults"] if f["kind"] == "offsite_redirect"]
        assert fault["portal"] == "ycxixia" and fault["url"] == moved and "portal bypc" in fault["detail"]
        assert all(r["url"].startswith("http://www.ycxixia.gov.cn/") for r in manifest if r["portal"] == "ycxixia")
        assert summary["portals"]["ycxixia"]["hosts"] == {
            "www.ycxixia.gov.cn": summary["portals"]["ycxixia"]["hosts"]["www.ycxixia.gov.cn"]
        }
    text = (data / "crawl" / "summary.txt").read_text(encoding="utf-8")
    assert moved in text and "offsite_redirect" in text


def test_script_delivered_lists_are_read_through_the_platforms_apis(crawled) -> None:
    _, [(summary, log, _), _] = crawled
    bypc = [e for e in log if e.host == "www.bypc.gov.cn"]
    assert any(e.method == "POST" and e.path.startswith("/module/web/jpage/dataproxy.jsp") for e in bypc)
    unit = [e for e in bypc if e.path.startswith("/api-gateway/jpaas-publish-server/front/page/build/unit")]
    assert len(unit) == 5 and all(e.status == 200 for e in unit)  # 4 shells, and the 年报 column's page 2
    columns = {c["url"]: c for c in summary["portals"]["bypc"]["columns"]}
    assert columns["https://www.bypc.gov.cn/zfxxgk/zfxxgknb/"]["shapes"] == ["unitbuild"]
    assert columns["https://www.bypc.gov.cn/col/col33718/"]["platforms"] == ["hanweb"]
    assert not [f for f in summary["faults"] if f["kind"] in ("list_unfollowed", "list_unrecognised")]


def test_no_request_ever_leaves_for_a_host_outside_the_portals(crawled, mirror) -> None:
    _, runs = crawled
    external = {url for p in INDEX.values() for r in p["reports"] for url in r["external_links"]}
    for summary, log, _ in runs:
        for portal in PORTALS:
            s = summary["portals"][portal.key]
            assert set(s["endpoints"]) == {f"127.0.0.1:{mirror.port}"}  # every byte came from the mirror
            assert set(s["hosts"]) == {portal.host}  # standing for this portal only
            assert s["blocked"] == []
        assert {e.host for e in log} == {p.host for p in PORTALS}
    first = runs[0][0]["portals"]
    assert first["ycxixia"]["counts"]["offsite_filtered"] == len(external) == 1  # the gov.cn attachment link
    assert first["hongsibu"]["counts"]["robots_forbidden"] >= 1
    assert not [e for _, log, _ in runs for e in log if e.path.startswith("/xxgk/bmxxgk/tjj/")]  # robots.txt obeyed


def test_a_changed_document_is_downloaded_again(crawled, mirror, tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(crawled[0], data)
    yc = sorted(reports("www.ycxixia.gov.cn"))[0]
    hs = sorted(reports("www.hongsibu.gov.cn"))[0]
    changed = {}
    for url in (yc, hs):
        path = mirror.root / url.split("://", 1)[1]
        changed[path] = path.read_bytes()
        path.write_bytes(changed[path] + "<!-- 更正 -->\n".encode())
    try:
        summary = run_crawl(None, data, mirror.host_map(), SINCE, settings=FAST)
        assert summary["portals"]["ycxixia"]["counts"].get("changed.report_page") == 1  # its ETag changed
        assert not summary["portals"]["hongsibu"]["counts"].get("changed.report_page")  # no validators: not asked
        summary = run_crawl(["hongsibu"], data, mirror.host_map(), SINCE, settings={**FAST, "-a:recheck": 1})
        assert summary["portals"]["hongsibu"]["counts"].get("changed.report_page") == 1
        versions = [r for r in read_manifest(data) if r.url in (yc, hs)]
        assert [r.version for r in versions if r.url == yc] == ["new", "changed"]
        assert [r.version for r in versions if r.url == hs] == ["new", "changed"]
    finally:
        for path, original in changed.items():
            path.write_bytes(original)


def test_faults_are_survived_and_named(tmp_path) -> None:
    root = tmp_path / "portals"
    shutil.copytree(FIXTURES / "portals", root)
    server, _ = serve_mirror(root)
    yc, hs = INDEX["www.ycxixia.gov.cn"], INDEX["www.hongsibu.gov.cn"]
    flaky = sorted(reports("www.bypc.gov.cn"))[0]
    slow = sorted(a for r in yc["reports"] for a in r["attachments"] if "t20250123" in r["url"])[0]
    truncated = sorted(a for r in hs["reports"] for a in r["attachments"])[0]
    failing_list = "http://www.hongsibu.gov.cn/xxgk/xzxxgk/dhx/xxgknb/index.html"
    key = lambda url: url.split("://", 1)[1]  # noqa: E731
    server.faults.error500[key(flaky)] = 1
    server.faults.slow[key(slow)] = 4
    server.faults.truncate.add(key(truncated))
    server.faults.status[key(failing_list)] = 503
    settings = {**FAST, "DOWNLOAD_TIMEOUT": 1.5}
    try:
        summary = run_crawl(None, tmp_path / "data", server.host_map(), SINCE, settings=settings)
        faults = {(f["portal"], f["kind"], f["url"]) for f in summary["faults"]}
        assert ("ycxixia", "timeout", slow) in faults
        assert ("hongsibu", "download_error", truncated) in faults
        assert ("hongsibu", "http_error", failing_list) in faults
        assert summary["portals"]["bypc"]["ok"]  # a 500 that recovers on retry is no fault…
        assert {"url": flaky, "reasons": ["HTTP 500"], "recovered": True} in summary["portals"]["bypc"]["retries"]
        stored = {r.url for r in read_manifest(tmp_path / "data")}
        for portal in PORTALS:  # …and every retrievable report is stored
            assert reports(portal.host) <= stored
        assert stored == (
            documents("www.ycxixia.gov.cn") | documents("www.bypc.gov.cn") | documents("www.hongsibu.gov.cn")
        ) - {slow, truncated}

        server.faults.slow.clear(), server.faults.truncate.clear(), server.faults.status.clear()
        emptied = "http://www.ycxixia.gov.cn/zwgk/bmxxgkmn/xxqspj/xxgknb/"
        server.faults.empty.add(key(emptied))
        summary = run_crawl(None, tmp_path / "data", server.host_map(), SINCE, settings=settings)
        assert ("ycxixia", "column_emptied", emptied) in {(f["portal"], f["kind"], f["url"]) for f in summary["faults"]}
        assert summary["exit_code"] == 1 and summary["portals"]["bypc"]["ok"] and summary["portals"]["hongsibu"]["ok"]
        stored = {r.url for r in read_manifest(tmp_path / "data")}
        assert {slow, truncated} <= stored  # what failed last night is fetched this night
    finally:
        server.stop()


def test_a_crashed_portal_crawl_is_a_fault_and_the_others_go_on(mirror, tmp_path, monkeypatch) -> None:
    real_command = crawl_module._command

    def command(name, *args):
        return [sys.executable, "-c", "import sys; sys.exit(3)"] if name == "bypc" else real_command(name, *args)

    monkeypatch.setattr(crawl_module, "_command", command)
    summary = run_crawl(["ycxixia", "bypc"], tmp_path, mirror.host_map(), SINCE, settings=FAST)
    (failed,) = [f for f in summary["faults"] if f["portal"] == "bypc"]
    assert failed["kind"] == "crawl_failed" and "exit status 3" in failed["detail"]
    assert {r["url"] for r in summary["portals"]["ycxixia"]["reports"]} == reports("www.ycxixia.gov.cn")
    assert json.loads(Path(tmp_path / "crawl" / "summary.json").read_text(encoding="utf-8"))["exit_code"] == 1

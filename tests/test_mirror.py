"""The local portal mirror: what it serves, how it answers conditional requests, its fault switches,
and that scripts/build_mirror.py builds it deterministically."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

from spiders.mirror import Faults, serve_mirror

MIRROR = FIXTURES / "portals"


@pytest.fixture
def mirror(tmp_path):
    root = tmp_path / "portals"
    shutil.copytree(MIRROR, root)
    server, port = serve_mirror(root)
    yield server, port
    server.stop()


def get(port: int, path: str, host: str | None = None, headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={**({"Host": host} if host else {}), **(headers or {})})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def test_serves_by_host_header_or_path_prefix(mirror) -> None:
    server, port = mirror
    by_host = get(port, "/zwgk/index.html", "www.ycxixia.gov.cn")
    by_prefix = get(port, "/www.ycxixia.gov.cn/zwgk/index.html")
    assert by_host.status == by_prefix.status == 200 and by_host.body == by_prefix.body
    assert "政府信息公开年报".encode() in by_host.body
    assert get(port, "/zwgk/", "www.ycxixia.gov.cn").body == by_host.body  # a folder serves its index.html
    assert server.host_map() == {
        h: f"127.0.0.1:{port}" for h in ("www.bypc.gov.cn", "www.hongsibu.gov.cn", "www.ycxixia.gov.cn")
    }


def test_query_pages_and_downloads(mirror) -> None:
    _, port = mirror
    page2 = get(port, "/zfxxgk/zfxxgknb/index.html?pageNum=2", "www.bypc.gov.cn")
    assert page2.status == 200 and b"var pageNum = 2;" in page2.body
    assert get(port, "/zfxxgk/zfxxgknb/index.html?pageNum=9", "www.bypc.gov.cn").body.count(b"var pageNum = 1;") == 1
    index = json.loads((MIRROR / "index.json").read_text(encoding="utf-8"))
    bypc = index["portals"]["www.bypc.gov.cn"]["reports"]
    download = next(a for r in bypc for a in r["attachments"] if "downfile" in a and a.endswith(".docx"))
    response = get(port, download.split("www.bypc.gov.cn", 1)[1], "www.bypc.gov.cn")
    assert response.status == 200 and response.body.startswith(b"PK")
    assert response.getheader("Content-Type").endswith("wordprocessingml.document")
    assert "attachment; filename=" in response.getheader("Content-Disposition")


def test_missing_files_and_escapes_are_404(mirror) -> None:
    _, port = mirror
    assert get(port, "/zwgk/nothing.html", "www.ycxixia.gov.cn").status == 404
    assert get(port, "/../index.json", "www.ycxixia.gov.cn").status == 404
    assert get(port, "/_mirror.json", "www.ycxixia.gov.cn").status == 404
    assert get(port, "/", "www.unknown.example").status == 404


def test_conditional_requests_per_site(mirror) -> None:
    _, port = mirror
    first = get(port, "/zwgk/zfxxgknb/index.html", "www.ycxixia.gov.cn")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert etag and modified
    assert get(port, "/zwgk/zfxxgknb/index.html", "www.ycxixia.gov.cn", {"If-None-Match": etag}).status == 304
    assert get(port, "/zwgk/zfxxgknb/index.html", "www.ycxixia.gov.cn", {"If-None-Match": '"x"'}).status == 200
    bypc = get(port, "/zfxxgk/index.html", "www.bypc.gov.cn")
    assert bypc.getheader("ETag") is None and bypc.getheader("Last-Modified")  # this site sends Last-Modified only
    since = {"If-Modified-Since": bypc.getheader("Last-Modified")}
    assert get(port, "/zfxxgk/index.html", "www.bypc.gov.cn", since).status == 304
    hongsibu = get(port, "/xxgk/index.html", "www.hongsibu.gov.cn")
    assert hongsibu.getheader("ETag") is None and hongsibu.getheader("Last-Modified") is None


def test_fault_switches(mirror) -> None:
    server, port = mirror
    host, page = "www.ycxixia.gov.cn", "/zwgk/zfxxgknb/index.html"
    server.faults.error500[host + page] = 2
    assert [get(port, page, host).status for _ in range(3)] == [500, 500, 200]  # recovers
    attachment = "/zwgk/bmxxgkmn/xxqspj/xxgknb/"
    name = sorted(p.name for p in (server.root / host / attachment.lstrip("/") / "202101").glob("P0*"))[0]
    server.faults.truncate.add(f"{host}{attachment}202101/{name}")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", f"{attachment}202101/{name}", headers={"Host": host})
    truncated = conn.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        truncated.read()
    server.faults.empty.add(host + "/zwgk/zfxxgknb/")
    emptied = get(port, page, host).body.decode()
    assert "<!-- list:start --><!-- list:end -->" in emptied and "t2025" not in emptied
    server.faults.status[host + "/zwgk/index.html"] = 503
    assert get(port, "/zwgk/index.html", host).status == 503
    assert [(e.host, e.status) for e in server.log[:3]] == [(host, 500), (host, 500), (host, 200)]


def test_fault_specs_from_the_command_line() -> None:
    faults = Faults()
    for spec in ("error500=www.bypc.gov.cn/zfxxgk/index.html:2", "slow=h/p.pdf:3.5", "truncate=h/a.docx", "empty=h/c/"):
        faults.add(spec)
    assert faults.error500 == {"www.bypc.gov.cn/zfxxgk/index.html": 2} and faults.slow == {"h/p.pdf": 3.5}
    assert faults.truncate == {"h/a.docx"} and faults.empty == {"h/c/"}
    with pytest.raises(ValueError, match="unknown fault"):
        faults.add("explode=h/p")


def test_the_mirror_is_small() -> None:
    size = sum(p.stat().st_size for p in MIRROR.rglob("*") if p.is_file())
    assert size < 3 * 1024 * 1024


def test_the_committed_mirror_is_the_builders_output(tmp_path) -> None:
    """The same files and the same truth (index.json) as committed, and the same bytes where they do not
    come from the parsers' reading of the seeds (list pages, navigation, attachments made here)."""
    out = tmp_path / "portals"
    subprocess.run(
        [sys.executable, "scripts/build_mirror.py", "--out", str(out)], cwd=ROOT, check=True, capture_output=True
    )
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    committed = {p.relative_to(MIRROR).as_posix(): p.read_bytes() for p in MIRROR.rglob("*") if p.is_file()}
    assert set(built) == set(committed), "run: python scripts/build_mirror.py"
    assert json.loads(built["index.json"]) == json.loads(committed["index.json"])
    stable = [name for name in built if "/index.html" in name or name.endswith((".txt", ".json", ".docx"))]
    assert len(stable) > 30
    assert [n for n in stable if built[n] != committed[n]] == [], "run: python scripts/build_mirror.py"

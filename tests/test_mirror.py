"""The local portal mirror: what it serves, how it answers conditional requests, its fault switches,
and that scripts/build_mirror.py builds it deterministically."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
from urllib.parse import urlencode

import pytest
from conftest import FIXTURES, ROOT

from spiders.mirror import Faults, content_type, serve_mirror

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
    index = json.loads((MIRROR / "index.json").read_text(encoding="utf-8"))
    bypc = index["portals"]["www.bypc.gov.cn"]["reports"]
    download = next(a for r in bypc for a in r["attachments"] if "downfile" in a and a.endswith(".docx"))
    response = get(port, download.split("www.bypc.gov.cn", 1)[1], "www.bypc.gov.cn")
    assert response.status == 200 and response.body.startswith(b"PK")
    assert response.getheader("Content-Type").endswith("wordprocessingml.document")
    assert "attachment; filename=" in response.getheader("Content-Disposition")
    jpaas = next(a for r in bypc for a in r["attachments"] if "fileName=" in a)  # the type only in fileName
    response = get(port, jpaas.split("www.bypc.gov.cn", 1)[1], "www.bypc.gov.cn")
    assert response.status == 200 and response.getheader("Content-Type") == content_type("x." + jpaas.rsplit(".", 1)[1])


def _unit_url(page: int, size: int = 15) -> str:
    shell = (MIRROR / "www.bypc.gov.cn" / "zfxxgk" / "zfxxgknb" / "index.html").read_text(encoding="utf-8")
    page_id = re.search(r"'pageId':'(\w+)'", shell)[1]
    query = urlencode(
        {"parseType": "bulidstatic", "pageId": page_id, "paramJson": json.dumps({"pageNo": page, "pageSize": size})}
    )
    return "/api-gateway/jpaas-publish-server/front/page/build/unit?" + query


def test_jpaas_unit_api_pages_and_wants_a_referer(mirror) -> None:
    _, port = mirror
    referer = {"Referer": "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/index.html"}
    first = json.loads(get(port, _unit_url(1), "www.bypc.gov.cn", referer).body)
    second = json.loads(get(port, _unit_url(2), "www.bypc.gov.cn", referer).body)
    assert first["success"] and 'rows="2" count="3"' in first["data"]["html"]  # at most 2 rows a page
    assert first["data"]["html"].count("<li") == 2 and second["data"]["html"].count("<li") == 1
    assert json.loads(get(port, _unit_url(1), "www.bypc.gov.cn").body)["success"] is False  # no Referer


def test_dataproxy_answers_post_and_get_as_xml(mirror) -> None:
    _, port = mirror
    form = urlencode({"col": 1, "appid": 1, "webid": 1, "columnid": 33718, "unitid": 212860}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(
        "POST",
        "/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=8&perpage=2",
        body=form,
        headers={"Host": "www.bypc.gov.cn", "Content-Type": "application/x-www-form-urlencoded"},
    )
    post = conn.getresponse()
    body = post.read().decode()
    assert post.status == 200 and post.getheader("Content-Type").startswith("text/xml")
    assert "<totalrecord>3</totalrecord>" in body and body.count("<record>") == 1
    got = get(port, "/module/web/jpage/dataproxy.jsp?page=1&columnid=33718", "www.bypc.gov.cn")
    assert got.body.count(b"<record>") == 2


def test_configured_statuses_and_redirects(mirror) -> None:
    _, port = mirror
    assert get(port, "/zwgk/bmxxgkmn/xxqzjj/xxgknb/index.html", "www.ycxixia.gov.cn").status == 412
    moved = get(port, "/zwgk/zfxxgknb/202501/t20250127_4800901.html", "www.ycxixia.gov.cn")
    assert moved.status == 302 and moved.getheader("Location").startswith("https://www.bypc.gov.cn/")


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

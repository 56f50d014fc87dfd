"""``nianbao probe URL`` against the mirror served on 127.0.0.1: what it recognises on each platform."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from nianbao.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    from spiders.mirror import serve_mirror

    root = tmp_path_factory.mktemp("probe") / "portals"
    shutil.copytree(FIXTURES / "portals", root)
    server, _ = serve_mirror(root)
    yield server
    server.stop()


def probe(mirror, url: str, *extra: str):
    args = ["probe", url, "--json", *extra]
    for host, target in mirror.host_map().items():
        args += ["--host-map", f"{host}={target}"]
    result = runner.invoke(app, args)
    return result.exit_code, (json.loads(result.output) if result.output.startswith("{") else result.output)


def test_jpaas_shell_is_recognised_and_followed_once(mirror) -> None:
    url = "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/index.html"
    code, seen = probe(mirror, url)
    assert (seen["platform"], seen["shapes"], seen["entries"]) == ("jpaas", ["unitbuild"], [])
    assert seen["list_api"] and "/front/page/build/unit?" in seen["list_api"][0]
    assert seen["sub_lists"]  # 2025n and 更多
    code, seen = probe(mirror, url, "--follow")
    assert code == 0 and len(seen["entries"]) == 2 and len(seen["pages"]) == 1  # 2 rows a page, 3 entries
    assert all(e["date"] for e in seen["entries"])
    before = len(mirror.log)
    probe(mirror, url)
    assert len(mirror.log) - before == 2  # robots.txt and the page: nothing more unless asked


def test_classic_hanweb_datastore_and_dataproxy(mirror) -> None:
    code, seen = probe(mirror, "https://www.bypc.gov.cn/col/col33718/index.html", "--follow")
    assert code == 0 and seen["platform"] == "hanweb" and "datastore" in seen["shapes"]
    assert len(seen["entries"]) == 3  # 2 in the page, 1 from dataproxy.jsp


def test_trs_list_pager_and_hasfj_attachments(mirror) -> None:
    code, seen = probe(mirror, "http://www.ycxixia.gov.cn/zwgk/zfxxgknb/index.html")
    assert code == 0 and seen["platform"] == "trs" and len(seen["pages"]) == 2 and len(seen["entries"]) == 2
    report = "http://www.ycxixia.gov.cn/zwgk/bmxxgkml/xxqjyj/xxgknb_1918/202601/t20260115_5123468.html"
    code, seen = probe(mirror, report)
    assert sorted(a["type"] for a in seen["attachments"]) == ["docx", "ofd"]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/zwgk/bmxxgkmn/xxqzjj/xxgknb/index.html", "blocked"),
        ("/zwgk/bmxxgkmn/xxqyjglj/xxgknb/index.html", "challenge"),
        ("/zwgk/zfxxgknb/202501/t20250127_4800901.html", "redirect"),
        ("/zwgk/bmxxgkmn/xxqczj/xxgknb_9490/202501/t20250124_4801136.html", "soft_404"),
    ],
)
def test_faults_are_named_and_exit_1(mirror, path: str, kind: str) -> None:
    code, seen = probe(mirror, "http://www.ycxixia.gov.cn" + path)
    assert code == 1 and [f["kind"] for f in seen["faults"]][:1] == [kind]


def test_robots_txt_is_honoured(mirror) -> None:
    before = len(mirror.log)
    code, seen = probe(mirror, "http://www.hongsibu.gov.cn/xxgk/bmxxgk/tjj/xxgknb/index.html")
    assert code == 1 and seen["faults"][0]["kind"] == "robots"
    assert [e.path for e in mirror.log[before:]] == ["/robots.txt"]


def test_text_output(mirror) -> None:
    args = ["probe", "https://www.bypc.gov.cn/col/col33718/index.html"]
    args += ["--host-map", f"www.bypc.gov.cn={mirror.host_map()['www.bypc.gov.cn']}"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "platform: hanweb" in result.output and "entries: 2" in result.output


def test_no_web_address_and_an_unreachable_page_are_one_line_each() -> None:
    import socket

    runner = CliRunner()
    wrong = runner.invoke(app, ["probe", "notaurl"])
    assert wrong.exit_code == 2 and "not a web address" in wrong.output and len(wrong.output.splitlines()) == 1
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: connections are refused
    refused = runner.invoke(
        app,
        ["probe", "http://www.bypc.gov.cn/col/col33718/index.html", "--host-map", f"www.bypc.gov.cn=127.0.0.1:{port}"],
    )
    assert refused.exit_code == 1, refused.output  # a fault, as --help says, not a usage error
    assert refused.output.count("\n") == 1 and "www.bypc.gov.cn" in refused.output

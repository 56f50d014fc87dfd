"""`nianbao run` and `demo` exit 1 when a portal could not be read at all, so that cron sees a lost night;
faults on single pages leave the exit status 0."""

from __future__ import annotations

import socket

import pytest
import typer

from flows.tasks import portal_unreachable
from nianbao.cli import _exit_if_unreachable
from spiders.crawl import run_crawl
from spiders.mirror import serve_mirror


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the with block ends: connections are refused


def test_a_portal_that_refuses_every_connection_fails_the_run(tmp_path, capsys) -> None:
    summary = run_crawl(["bypc"], tmp_path, host_map={"www.bypc.gov.cn": f"127.0.0.1:{_closed_port()}"})
    crawled = summary["portals"]["bypc"]
    assert portal_unreachable(crawled)
    with pytest.raises(typer.Exit) as ended:
        _exit_if_unreachable({"crawl": {"bypc": crawled}})
    assert ended.value.exit_code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: bypc:") and "download_error" in lines[0]


def test_page_faults_on_a_reachable_portal_leave_the_run_green(tmp_path) -> None:
    server, _ = serve_mirror()
    try:
        summary = run_crawl(["ycxixia"], tmp_path, host_map=server.host_map())
    finally:
        server.stop()
    crawled = summary["portals"]["ycxixia"]
    assert crawled["faults"] and crawled["counts"]["reports"] > 0  # the mirror's ycxixia has faulty pages
    assert not portal_unreachable(crawled)
    _exit_if_unreachable({"crawl": {"ycxixia": crawled}})  # no exit

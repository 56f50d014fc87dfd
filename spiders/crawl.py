"""Run the portal crawls, each in its own process, and write one summary.

    python -m spiders.crawl [PORTAL …] [--data-dir data] [--since YEAR] [--host-map JSON] [--mirror]

Twisted's reactor cannot be restarted in one process, so every portal is a
``scrapy crawl <name>`` child (they run side by side: each is polite to its
own portal). A portal that fails does not stop the others. The combined
summary is ``<data-dir>/crawl/summary.json`` and ``summary.txt``; the exit
status is 0 when no portal recorded a fault, 1 when one did.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rawstore.layout import DataLayout, data_dir_from_env
from rawstore.portals import PORTAL_BY_KEY, PORTALS
from spiders.middlewares import parse_host_map
from spiders.state import write_json_atomic, write_text_atomic

ROOT = Path(__file__).resolve().parent.parent

#: ``on_progress(done, total, note)``: how far the crawl is (the CLI shows it)
OnProgress = Callable[[int, int | None, str | None], None]

#: for a mirror on this machine: no politeness delays (the real portals keep spiders/settings.py's)
LOOPBACK_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_START_DELAY": "0",
    "AUTOTHROTTLE_MAX_DELAY": "1",
    "NIANBAO_RETRY_BACKOFF_BASE": "0.1",
}


def _command(
    name: str, data_dir: Path, host_map: dict[str, str] | None, since: int | None, settings: dict
) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", name, "-s", f"NIANBAO_DATA_DIR={data_dir}"]
    cmd += ["-s", f"LOG_FILE={DataLayout(data_dir).crawl_log(name)}", "-s", "LOG_FILE_APPEND=False"]
    if host_map:
        cmd += ["-s", "NIANBAO_HOST_MAP=" + json.dumps(host_map)]
    if since is not None:
        cmd += ["-a", f"since={since}"]
    for key, value in settings.items():
        if key.startswith("-a:"):
            cmd += ["-a", f"{key[3:]}={value}"]
        else:
            cmd += ["-s", f"{key}={value}"]
    return cmd


def run_crawl(
    portals: Iterable[str] | None,
    data_dir: Path,
    host_map: dict[str, str] | None = None,
    since: int | None = None,
    *,
    settings: dict[str, Any] | None = None,
    timeout: float = 6 * 3600,
    on_progress: OnProgress | None = None,
) -> dict[str, Any]:
    """Crawl ``portals`` (all when None or empty) into ``data_dir``; return the combined summary.

    ``host_map`` sends each real host to a local mirror (``{"www.bypc.gov.cn": "127.0.0.1:8765"}``);
    ``settings`` are extra Scrapy settings (``-a:NAME`` keys are spider arguments, e.g. ``-a:recheck``).
    ``on_progress(done, total, note)`` hears each portal's crawl end.
    """
    names = list(portals or []) or [p.key for p in PORTALS]
    unknown = [n for n in names if n not in PORTAL_BY_KEY]
    if unknown:
        raise ValueError(f"unknown portal(s): {', '.join(unknown)}; known: {', '.join(PORTAL_BY_KEY)}")
    host_map = parse_host_map(host_map) or None
    data_dir = Path(data_dir).resolve()
    extra = {**(LOOPBACK_SETTINGS if host_map else {}), **{k: str(v) for k, v in (settings or {}).items()}}
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    started = datetime.now(UTC).isoformat(timespec="seconds")
    children: dict[str, subprocess.Popen[bytes]] = {}
    for name in names:
        layout = DataLayout(data_dir)
        layout.crawl_dir(name).mkdir(parents=True, exist_ok=True)
        layout.portal_summary(name).unlink(missing_ok=True)  # a crash must not leave last night's summary
        with layout.process_log(name).open("wb") as out:
            children[name] = subprocess.Popen(
                _command(name, data_dir, host_map, since, extra),
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
    results = _wait_all(children, data_dir, time.monotonic() + timeout, on_progress)
    summary = {
        "started_at": started,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(data_dir),
        "since": since,
        "mirror": host_map,
        "portals": results,
        "faults": [{"portal": n, **f} for n, s in results.items() for f in s.get("faults", [])],
    }
    summary["exit_code"] = 1 if summary["faults"] else 0
    write_json_atomic(DataLayout(data_dir).run_summary_json, summary)
    write_text_atomic(DataLayout(data_dir).run_summary_txt, summary_text(summary))
    return summary


def _wait_all(
    children: dict[str, subprocess.Popen[bytes]], data_dir: Path, deadline: float, on_progress: OnProgress | None
) -> dict[str, Any]:
    """Each portal's summary as its process ends (killed at ``deadline``), in the order they were started;
    ``on_progress(done, total, note)`` hears each one end."""
    finished: dict[str, Any] = {}
    while len(finished) < len(children):
        for name, child in children.items():
            if name in finished:
                continue
            code = child.poll()
            if code is None and time.monotonic() >= deadline:
                child.kill()
                code = child.wait()
            if code is not None:
                finished[name] = _portal_summary(data_dir, name, code)
                if on_progress:
                    running = [n for n in children if n not in finished]
                    note = f"{name} done" + (f"; {', '.join(running)} still running" if running else "")
                    on_progress(len(finished), len(children), note)
        if len(finished) < len(children):
            time.sleep(0.2)
    return {name: finished[name] for name in children}


def _portal_summary(data_dir: Path, name: str, code: int) -> dict[str, Any]:
    path = DataLayout(data_dir).portal_summary(name)
    if path.exists():
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary["exit_code"] = code
        return summary
    log = DataLayout(data_dir).process_log(name)
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:] if log.exists() else []
    detail = f"exit status {code}; " + " | ".join(tail)
    return {
        "portal": name,
        "host": PORTAL_BY_KEY[name].host,
        "ok": False,
        "exit_code": code,
        "counts": {},
        "faults": [{"kind": "crawl_failed", "url": PORTAL_BY_KEY[name].base_url + "/", "detail": detail[:500]}],
    }


def summary_text(summary: dict[str, Any], kind_label: Callable[[str], str] = str) -> str:
    """The summary as a person reads it: one block per portal, one line per fault.

    ``kind_label`` names a fault kind for the reader (the CLI passes one in the chosen language, from
    nianbao/messages.py); by default the kind itself, as in the summary file.
    """
    lines = [
        f"nianbao crawl {summary['started_at']} – {summary['finished_at']}"
        + (f", since {summary['since']}" if summary.get("since") else "")
        + (" (mirror)" if summary.get("mirror") else ""),
    ]
    for name, s in summary["portals"].items():
        c = s.get("counts", {})
        status = "ok" if s.get("ok") else f"{len(s.get('faults', []))} fault(s)"
        lines.append(
            f"{name:9} {s.get('host', '')}: {status}; reports {c.get('reports', 0)} "
            f"(new {c.get('new.report_page', 0)}, changed {c.get('changed.report_page', 0)}, "
            f"not modified {c.get('not_modified.report_page', 0)}, known {c.get('known_skipped.report_page', 0)}, "
            f"revisited {c.get('revisit.report_page', 0)}), "
            f"attachments new {c.get('new.attachment', 0)} (revisited {c.get('revisit.attachment', 0)}), "
            f"columns {c.get('columns', 0)}, "
            f"list pages {c.get('list_pages', 0)}, outside the years {c.get('out_of_window', 0)}"
        )
        for fault in s.get("faults", []):
            detail = f" ({fault['detail']})" if fault.get("detail") else ""
            lines.append(f"  {kind_label(fault['kind'])}: {fault['url']}{detail}")
        for retry in s.get("retries", []):
            outcome = "recovered" if retry["recovered"] else "gave up"
            lines.append(f"  retried ({', '.join(retry['reasons'])}), {outcome}: {retry['url']}")
    n = len(summary["faults"])
    lines.append(
        crawled_line(summary) + f"; exit status {summary['exit_code']}: " + (f"{n} fault(s)" if n else "no faults")
    )
    return "\n".join(lines) + "\n"


def crawled_line(summary: dict[str, Any]) -> str:
    """The run in one line: portals ok or not, reports listed, new and changed pages, new attachments."""
    portals = summary["portals"]
    total: dict[str, int] = {}
    for s in portals.values():
        for key, n in (s.get("counts") or {}).items():
            total[key] = total.get(key, 0) + int(n)
    ok = sum(1 for s in portals.values() if s.get("ok"))
    return (
        f"crawled {len(portals)} portal(s): {ok} ok, {len(portals) - ok} with faults; "
        f"{total.get('reports', 0)} report(s) listed, {total.get('new.report_page', 0)} new, "
        f"{total.get('changed.report_page', 0)} changed, {total.get('new.attachment', 0)} new attachment(s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("portals", nargs="*", help=f"default: all ({', '.join(PORTAL_BY_KEY)})")
    parser.add_argument("--data-dir", type=Path, default=data_dir_from_env())
    parser.add_argument("--since", type=int, help="first report year to fetch (default: the previous one)")
    parser.add_argument("--host-map", help='JSON {"www.bypc.gov.cn": "127.0.0.1:8765"} or host=addr,…')
    parser.add_argument("--mirror", action="store_true", help="serve tests/fixtures/portals here and crawl it")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting")
    args = parser.parse_args(argv)
    settings = dict(item.split("=", 1) for item in args.set)
    server = None
    host_map = parse_host_map(args.host_map) if args.host_map else None
    if args.mirror:
        from spiders.mirror import serve_mirror

        server, _ = serve_mirror()
        host_map = server.host_map()
    try:
        summary = run_crawl(args.portals, args.data_dir, host_map, args.since, settings=settings)
    finally:
        if server is not None:
            server.stop()
    sys.stdout.write(summary_text(summary))
    return int(summary["exit_code"])


if __name__ == "__main__":
    sys.exit(main())

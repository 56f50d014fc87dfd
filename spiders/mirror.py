"""A local mirror of the portals: serves ``tests/fixtures/portals/<host>/…`` on 127.0.0.1.

    python -m spiders.mirror [--root DIR] [--port 8765] [--fault KIND=HOST/PATH[:N]] …

The site is chosen by the ``Host`` header (what the spiders' host map sends) or,
for a browser, by a path prefix: ``http://127.0.0.1:8765/www.bypc.gov.cn/zfxxgk/``.
Like the real servers: ``dir/`` serves ``dir/index.html``; ``page?query`` serves
the file ``page@query`` if the mirror has one, else ``page``; ETag and
Last-Modified per ``<host>/_mirror.json`` with 304 answers to If-None-Match and
If-Modified-Since; 404 for a missing file.

Platform emulation, per host in ``<host>/_mirror.json`` (../shared/portals.md):

- ``unit_api``: the Hanweb JPaaS unit API path; ``GET``/``POST`` with ``pageId`` and
  ``paramJson={"pageNo":N,"pageSize":M}`` answers JSON ``{"success":true,"data":{"html":…}}`` built from
  ``_api/unit/<pageId>.json`` (a list of ``<li>`` strings), at most ``unit_max_rows`` rows a page;
  with ``unit_needs_referer`` a request without a Referer gets ``{"success":false}``
- any ``…/dataproxy.jsp``: classic Hanweb paging from ``_api/dataproxy/<columnid>.json``; POST with
  ``startrecord``/``endrecord`` in the query and the form fields, or GET ``page=N`` (``perpage`` from
  the file); answers XML ``<datastore><totalrecord>…``
- ``redirects``: ``{"/path": "http://other.host/…"}`` answered 302
- ``statuses``: ``{"/path": 412}`` answered with that status (a WAF)

Fault switches (``Faults``; change them while serving), keyed by ``host/path``
(with ``?query`` if any):

- ``error500``: answer 500 to the first N requests, then recover
- ``slow``: wait this many seconds before answering (a timeout)
- ``truncate``: promise the whole body, send half, close (a truncated attachment)
- ``empty``: list pages under this prefix served with their list emptied (a column emptied)
- ``status``: always answer this status
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "portals"
LIST_START, LIST_END = "<!-- list:start -->", "<!-- list:end -->"
_LIST_RE = re.compile(re.escape(LIST_START) + r".*?" + re.escape(LIST_END), re.S)
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".wps": "application/kswps",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".css": "text/css",
    ".js": "application/javascript",
    ".json": "application/json;charset=UTF-8",
    ".xml": "text/xml;charset=UTF-8",
    ".ofd": "application/ofd",
    ".zip": "application/zip",
    ".rar": "application/x-rar-compressed",
    ".et": "application/kset",
}
NOT_FOUND = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>404 Not Found</title></head>"
    b"<body><h1>404 Not Found</h1></body></html>"
)


@dataclass
class Faults:
    error500: dict[str, int] = field(default_factory=dict)
    slow: dict[str, float] = field(default_factory=dict)
    truncate: set[str] = field(default_factory=set)
    empty: set[str] = field(default_factory=set)
    status: dict[str, int] = field(default_factory=dict)

    def add(self, spec: str) -> None:
        """``error500=host/path:2``, ``slow=host/path:5``, ``truncate=host/path``, ``empty=host/dir/``,
        ``status=host/path:503``."""
        kind, _, target = spec.partition("=")
        key, _, number = target.rpartition(":") if ":" in target else (target, "", "")
        if kind == "error500":
            self.error500[key] = int(number or 1)
        elif kind == "slow":
            self.slow[key] = float(number or 5)
        elif kind == "status":
            self.status[key] = int(number)
        elif kind in ("truncate", "empty"):
            getattr(self, kind).add(target)
        else:
            raise ValueError(f"unknown fault {kind!r}: use error500, slow, truncate, empty or status")


@dataclass(frozen=True)
class Logged:
    host: str
    path: str
    status: int
    conditional: bool
    method: str = "GET"


class MirrorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], root: Path, faults: Faults | None = None) -> None:
        super().__init__(address, MirrorHandler)
        self.root = Path(root).resolve()
        self.faults = faults or Faults()
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self._config: dict[str, dict[str, Any]] = {}

    @property
    def port(self) -> int:
        return self.server_address[1]

    def hosts(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and "." in p.name)

    def host_map(self) -> dict[str, str]:
        """What to give the spiders: every mirrored host -> this server."""
        return {host: f"127.0.0.1:{self.port}" for host in self.hosts()}

    def config(self, host: str) -> dict[str, Any]:
        if host not in self._config:
            path = self.root / host / "_mirror.json"
            self._config[host] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        return self._config[host]

    def take_error500(self, key: str) -> bool:
        with self.lock:
            left = self.faults.error500.get(key, 0)
            if left > 0:
                self.faults.error500[key] = left - 1
                return True
        return False

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout, a truncated download) is not the mirror's error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class MirrorHandler(BaseHTTPRequestHandler):
    server: MirrorServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the server keeps its own log
        pass

    def _site(self) -> tuple[str, str, str]:
        """(host, path, query) of this request, by Host header or path prefix."""
        parts = urlsplit(self.path)
        path, query = unquote(parts.path) or "/", parts.query
        host = (parts.hostname or self.headers.get("Host", "")).split(":")[0].lower()
        if not (self.server.root / host).is_dir():
            first, _, rest = path.lstrip("/").partition("/")
            host, path = (first, "/" + rest) if (self.server.root / first).is_dir() and "." in first else ("", path)
        return host, path, query

    def _file(self, host: str, path: str, query: str) -> Path | None:
        if not host:
            return None
        site = self.server.root / host
        target = (site / path.lstrip("/")).resolve()
        if site.resolve() not in target.parents and target != site.resolve():
            return None
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
        if query:
            with_query = target.with_name(f"{target.name}@{query}")
            if with_query.is_file():
                return with_query
        return target if target.is_file() and not target.name.startswith("_") else None

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True))
        self._serve(head=False, method="POST")

    def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool, send: int | None = None) -> None:
        host, path, conditional, method = self._entry
        with self.server.lock:  # logged before the answer leaves: a client that has it sees it in the log
            self.server.log.append(Logged(host, path, status, conditional, method))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body[:send] if send is not None else body)
        if send is not None:
            self.wfile.flush()
            self.close_connection = True

    def _serve(self, head: bool, method: str = "GET") -> None:
        self.method = method
        host, path, query = self._site()
        key = f"{host}{path}" + (f"?{query}" if query else "")
        faults = self.server.faults
        conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        self._entry = (host, path + (f"?{query}" if query else ""), conditional, method)
        self._respond(host, path, query, key, faults, head)

    def _respond(self, host: str, path: str, query: str, key: str, faults: Faults, head: bool) -> int:
        if key in faults.slow:
            time.sleep(faults.slow[key])
        if key in faults.status:
            code = faults.status[key]
            self._send(code, f"{code}".encode(), {"Content-Type": "text/plain"}, head)
            return code
        if self.server.take_error500(key):
            self._send(500, b"500 Internal Server Error", {"Content-Type": "text/plain"}, head)
            return 500
        emulated = self._platform(host, path, query, head) if host else None
        if emulated is not None:
            return emulated
        file = self._file(host, path, query)
        if file is None:
            page = self.server.root / host / "_404.html" if host else None
            body = page.read_bytes() if page and page.is_file() else NOT_FOUND
            self._send(404, body, {"Content-Type": "text/html"}, head)
            return 404
        body = file.read_bytes()
        if any(key.startswith(prefix) for prefix in faults.empty) and LIST_START.encode() in body:
            body = _LIST_RE.sub(LIST_START + LIST_END, body.decode("utf-8")).encode("utf-8")
        config = self.server.config(host)
        headers = {"Content-Type": self._content_type(file)}
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]  # noqa: UP031
        mtime = int(file.stat().st_mtime)
        if config.get("etag", True):
            headers["ETag"] = etag
        if config.get("last_modified", True):
            headers["Last-Modified"] = email.utils.formatdate(mtime, usegmt=True)
        if file.name.startswith(("downfile.jsp@", "download@")):
            headers["Content-Disposition"] = f'attachment; filename="{file.name.rsplit("ame=", 1)[-1]}"'
        if self._not_modified(headers, mtime):
            self._send(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"}, head=True)
            return 304
        if key in faults.truncate:
            self._send(200, body, headers, head, send=len(body) // 2)
            return 200
        self._send(200, body, headers, head)
        return 200

    def _platform(self, host: str, path: str, query: str, head: bool) -> int | None:
        """The dynamic answers of the real platforms (see the module doc), or None for a plain file."""
        form = getattr(self, "form", {}) if self.method == "POST" else {}
        answer = platform_answer(self.server.root, host, self.method, path, query, form, dict(self.headers.items()))
        if answer is None:
            return None
        status, headers, body = answer
        self._send(status, body, headers, head)
        return status

    def _content_type(self, file: Path) -> str:
        return content_type(file.name)

    def _not_modified(self, headers: dict[str, str], mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match and "ETag" in headers:
            return headers["ETag"] in [t.strip() for t in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since and "Last-Modified" in headers:
            try:
                return mtime <= email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False


def platform_answer(
    root: Path, host: str, method: str, path: str, query: str, form: dict[str, str], headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes] | None:
    """What the mirrored platform answers dynamically (status, headers, body), or None for a plain
    file: the configured statuses and redirects, the JPaaS unit API, classic Hanweb dataproxy.jsp.
    Pure, so tests that drive a spider over the saved pages offline get the same answers."""
    site = Path(root) / host
    config_file = site / "_mirror.json"
    config: dict[str, Any] = json.loads(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
    if path in config.get("statuses", {}):
        code = int(config["statuses"][path])
        return code, {"Content-Type": "text/html"}, f"<html><body><h1>{code}</h1></body></html>".encode()
    if path in config.get("redirects", {}):
        return 302, {"Location": config["redirects"][path], "Content-Type": "text/html"}, b""
    params = dict(parse_qsl(query, keep_blank_values=True))
    params.update(form if method == "POST" else {})
    if config.get("unit_api") and path == config["unit_api"]:
        return _unit_answer(site, params, config, headers)
    if path.endswith("/dataproxy.jsp"):
        return _dataproxy_answer(site, params, method)
    return None


def _unit_answer(
    site: Path, params: dict[str, str], config: dict[str, Any], headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    records_file = site / "_api" / "unit" / f"{params.get('pageId', '')}.json"
    referer = any(k.lower() == "referer" for k in headers)
    if not records_file.is_file() or (config.get("unit_needs_referer") and not referer):
        answer: dict[str, Any] = {"success": False, "message": "参数错误", "data": None}
    else:
        records = json.loads(records_file.read_text(encoding="utf-8"))
        try:
            paging = json.loads(params.get("paramJson") or "{}")
        except ValueError:
            paging = {}
        rows = min(int(paging.get("pageSize") or 15), int(config.get("unit_max_rows", 15)))
        page = max(int(paging.get("pageNo") or 1), 1)
        chunk = records[(page - 1) * rows : page * rows]
        html_list = '<ul class="list">' + "".join(chunk) + "</ul>"
        pager = f'<div class="pagination" rows="{rows}" count="{len(records)}"></div>'
        answer = {"success": True, "message": "", "data": {"html": html_list + pager}}
    body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    return 200, {"Content-Type": "application/json;charset=UTF-8"}, body


def _dataproxy_answer(site: Path, params: dict[str, str], method: str) -> tuple[int, dict[str, str], bytes]:
    records_file = site / "_api" / "dataproxy" / f"{params.get('columnid', '')}.json"
    if not records_file.is_file():
        return 404, {"Content-Type": "text/html"}, NOT_FOUND
    data = json.loads(records_file.read_text(encoding="utf-8"))
    records, per = data["records"], int(data.get("perpage", 15))
    if method == "POST" and not data.get("post", True):
        return 405, {"Content-Type": "text/plain"}, b"Method Not Allowed"
    if method == "POST" and "startrecord" in params:
        start, end = int(params["startrecord"]), int(params.get("endrecord") or 0)
    else:
        page = int(params.get("page") or 1)
        start, end = (page - 1) * per + 1, page * per
    chunk = records[start - 1 : end]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
        f"<totalrecord>{len(records)}</totalrecord>\n<totalpage>{-(-len(records) // per)}</totalpage>\n"
        "<recordset>\n" + "".join(f"<record><![CDATA[{r}]]></record>\n" for r in chunk) + "</recordset>\n</datastore>"
    ).encode("utf-8")
    return 200, {"Content-Type": "text/xml;charset=UTF-8"}, body


def content_type(name: str) -> str:
    """By the file's extension; ``page@query`` files by the page, ``downfile.jsp@…filename=x.pdf`` by x."""
    page, _, query = name.partition("@")
    low = query.lower()
    name = query[low.rindex("filename=") + 9 :].split("&")[0] if "filename=" in low else page
    return CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def serve_mirror(
    root: Path = DEFAULT_ROOT, port: int = 0, faults: Faults | None = None, host: str = "127.0.0.1"
) -> tuple[MirrorServer, int]:
    """Serve the mirror in a background thread; ``server.stop()`` ends it. Returns (server, port)."""
    server = MirrorServer((host, port), root, faults)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="nianbao-mirror", daemon=True)
    thread.start()
    return server, server.port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fault", action="append", default=[], help="e.g. error500=www.bypc.gov.cn/zfxxgk/:1")
    args = parser.parse_args(argv)
    faults = Faults()
    for spec in args.fault:
        faults.add(spec)
    server = MirrorServer(("127.0.0.1", args.port), args.root, faults)
    print(f"serving {args.root} on http://127.0.0.1:{server.port}/ — host map:")
    print(json.dumps(server.host_map()))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

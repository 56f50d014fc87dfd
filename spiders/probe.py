"""``nianbao probe URL``: fetch one portal page politely and say what the spider sees there.

For the first contact with a live site: the project's User-Agent, robots.txt honoured, one request
for the page (plus robots.txt), and with ``follow`` one more for a script-delivered list (the JPaaS
unit API's first page, or dataproxy.jsp's next records). Nothing is stored. It prints the CMS family
detected on the page, the list's shape, its entries (title, date, URL), the paging the crawl would
follow, sub-lists (year sub-columns, 更多, iframes), attachments, and any fault.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from spiders.middlewares import parse_host_map
from spiders.pages import (
    SOFT_404_RE,
    attachment_extension,
    dataproxy_answer,
    detect_platform,
    list_dataproxy,
    list_entries,
    list_shape,
    list_sub_lists,
    list_to_page_urls,
    list_unit_apis,
    page_is_challenge,
    page_is_soft_404,
    page_to_attachments,
    unit_answer,
)
from spiders.settings import USER_AGENT

SCRIPT_SHAPES = ("datastore", "initdata", "dataproxy", "unitbuild", "iframe")
#: the crawl's User-Agent as bytes on the wire (UTF-8, as Scrapy sends it; http.client wants latin-1 str)
_UA_WIRE = USER_AGENT.encode("utf-8").decode("latin-1")


@dataclass
class Probe:
    url: str
    status: int | None = None
    bytes: int = 0
    content_type: str | None = None
    platform: str | None = None
    shapes: list[str] = field(default_factory=list)
    entries: list[dict[str, str | None]] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    sub_lists: list[str] = field(default_factory=list)
    list_api: list[str] = field(default_factory=list)
    attachments: list[dict[str, str | None]] = field(default_factory=list)
    faults: list[dict[str, str]] = field(default_factory=list)

    def fault(self, kind: str, detail: str) -> None:
        self.faults.append({"kind": kind, "url": self.url, "detail": detail})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is reported, not followed


def _fetch(
    url: str, host_map: dict[str, str], timeout: float, data: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    target = host_map.get((parts.hostname or "").lower())
    real = url
    if target:  # a mirror on this machine stands for the real host
        url = urlunsplit(("http", target, parts.path or "/", parts.query, ""))
    request = urllib.request.Request(url, data=data, headers={"User-Agent": _UA_WIRE, **(headers or {})})
    if target:
        request.add_header("Host", parts.netloc)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise ConnectionError(f"{real}: {getattr(exc, 'reason', exc)}") from None


def robots_allow(url: str, host_map: dict[str, str], timeout: float) -> bool:
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        status, _, body = _fetch(robots_url, host_map, timeout)
    except ConnectionError:
        return True
    if status >= 400:
        return True
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(body.decode("utf-8", "replace").splitlines())
    return parser.can_fetch(USER_AGENT, url)


def _decode(body: bytes, headers: dict[str, str]) -> str:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
    if "charset=" in content_type:
        try:
            return body.decode(content_type.split("charset=")[-1].split(";")[0].strip(), "replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", "replace")


def probe(url: str, *, host_map: Any = None, follow: bool = False, timeout: float = 30.0) -> Probe:
    """What the spider sees on ``url`` (see the module doc); raises ConnectionError when unreachable."""
    mapping = parse_host_map(host_map)
    result = Probe(url)
    if not robots_allow(url, mapping, timeout):
        result.fault("robots", "robots.txt disallows this URL for our User-Agent: not fetched")
        return result
    status, headers, body = _fetch(url, mapping, timeout)
    result.status, result.bytes = status, len(body)
    result.content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if 300 <= status < 400:
        location = next((v for k, v in headers.items() if k.lower() == "location"), "")
        result.fault("redirect", f"HTTP {status} to {location}: the crawl refuses it if it leaves the portal")
        return result
    if status in (403, 412, 429):
        result.fault("blocked", f"HTTP {status}: the site refuses this crawler; see docs/portals.md (rate)")
        return result
    if status >= 400:
        result.fault("http_error", f"HTTP {status}")
        return result
    sel = Selector(text=_decode(body, headers))
    if page_is_challenge(body, sel):
        result.fault("challenge", f"{len(body)} bytes: a JavaScript challenge or stub page, not the list")
        return result
    if page_is_soft_404(sel) or SOFT_404_RE.search(sel.css("title::text").get() or ""):
        result.fault("soft_404", "the page says 页面不存在")
    result.platform = detect_platform(sel, url)
    result.shapes = list_shape(sel) or ["dom"]
    entries = list_entries(sel, url)
    result.pages = list_to_page_urls(sel, url)
    result.sub_lists = list_sub_lists(sel, url)
    apis = list_unit_apis(sel, url)
    proxy = list_dataproxy(sel, url)
    result.list_api = [a.page_url(1, 15) for a in apis] + (
        [proxy.post_url(len(entries) + 1, len(entries) + 3 * proxy.per_page)] if proxy else []
    )
    if follow and apis:
        _, _, answer = _fetch(apis[0].page_url(1, 15), mapping, timeout, headers={"Referer": url})
        html, count, rows = unit_answer(_decode(answer, {}))
        if html is None:
            result.fault("list_unfollowed", "the unit API answered no data.html")
        else:
            entries += list_entries(Selector(text=html), url)
            if count and rows:
                result.pages += [apis[0].page_url(n, rows) for n in range(2, -(-count // rows) + 1)]
    elif follow and proxy:
        start = len(entries) + 1
        data = "&".join(f"{k}={v}" for k, v in proxy.form().items()).encode()
        _, _, answer = _fetch(
            proxy.post_url(start, start + 3 * proxy.per_page - 1), mapping, timeout, data=data, headers={"Referer": url}
        )
        records, _ = dataproxy_answer(_decode(answer, {}), url)
        entries += list_entries(Selector(text="<ul>" + "".join(records) + "</ul>"), url)
    result.entries = [{"title": e.title, "date": e.date.isoformat() if e.date else None, "url": e.url} for e in entries]
    result.attachments = [
        {"url": a.url, "text": a.text, "type": attachment_extension(a.url, a.text)}
        for a in page_to_attachments(sel, url)
    ]
    scripted = [s for s in result.shapes if s in SCRIPT_SHAPES]
    if not result.entries and not result.sub_lists and not result.attachments:
        if scripted and not (apis or proxy):
            result.fault("list_unfollowed", f"a {'/'.join(scripted)} list this spider cannot read")
        elif scripted:
            result.fault("list_unfollowed", "a script-delivered list: run with --follow to read its first page")
        else:
            result.fault("list_unrecognised", "no entry, no sub-list, no attachment: a shape the spider does not know")
    return result


def probe_text(result: Probe, kind_label: Callable[[str], str] = str) -> str:
    """What the spider sees, for a person; ``kind_label`` names a fault kind (the CLI's is in the chosen language)."""
    lines = [
        f"{result.url}",
        f"  HTTP {result.status}, {result.bytes} bytes, {result.content_type or '?'}",
        f"  platform: {result.platform or 'unknown'}; list shape: {', '.join(result.shapes) or '-'}",
        f"  entries: {len(result.entries)}",
    ]
    lines += [f"    {e['date'] or '????-??-??'}  {e['title']}  {e['url']}" for e in result.entries]
    for label, urls in (("paging", result.pages), ("sub-lists", result.sub_lists), ("list API", result.list_api)):
        if urls:
            lines.append(f"  {label}: {len(urls)}")
            lines += [f"    {u}" for u in urls]
    if result.attachments:
        lines.append(f"  attachments: {len(result.attachments)}")
        lines += [f"    {a['type']}  {a['text']}  {a['url']}" for a in result.attachments]
    lines += [f"  fault {kind_label(f['kind'])}: {f['detail']}" for f in result.faults]
    lines.append("  ok" if not result.faults else f"  {len(result.faults)} fault(s)")
    return "\n".join(lines)

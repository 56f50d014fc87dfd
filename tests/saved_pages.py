"""Spiders on saved pages, offline: the mirror's files as responses, and a tiny driver that follows
a spider's requests through them (robots.txt obeyed, nothing sent anywhere)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from conftest import FIXTURES
from protego import Protego
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from spiders.base import PortalSpider
from spiders.items import FetchedDocument
from spiders.mirror import content_type, platform_answer

MIRROR = FIXTURES / "portals"
INDEX: dict[str, Any] = json.loads((MIRROR / "index.json").read_text(encoding="utf-8"))["portals"]


def saved_file(url: str) -> Path | None:
    """The mirror file a URL serves (as spiders/mirror.py maps it), or None."""
    parts = urlsplit(url)
    path = MIRROR / parts.netloc / parts.path.lstrip("/")
    if parts.path.endswith("/"):
        path = path / "index.html"
    if parts.query and path.with_name(f"{path.name}@{parts.query}").is_file():
        return path.with_name(f"{path.name}@{parts.query}")
    return path if path.is_file() else None


def saved_response(url: str, request: Request | None = None) -> Response:
    """A response for ``url`` from the saved pages (404 when the mirror has no such file)."""
    request = request or Request(url)
    parts = urlsplit(url)
    form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)) if request.method == "POST" else {}
    headers = {k.decode(): b", ".join(v).decode() for k, v in request.headers.items()}
    answer = platform_answer(MIRROR, parts.netloc, request.method, parts.path or "/", parts.query, form, headers)
    if answer is not None:  # the platform's dynamic answers (unit API, dataproxy.jsp, statuses, redirects)
        status, answer_headers, body = answer
        cls = HtmlResponse if "html" in answer_headers.get("Content-Type", "") else TextResponse
        return cls(url, status=status, body=body, headers=answer_headers, request=request, encoding="utf-8")
    path = saved_file(url)
    if path is None:
        return HtmlResponse(url, status=404, body=b"404 Not Found", request=request)
    mime = content_type(path.name)
    cls = HtmlResponse if mime == "text/html" else Response
    return cls(url, body=path.read_bytes(), headers={"Content-Type": mime}, request=request)


def make_spider(cls: type[PortalSpider], data_dir: Path, **kwargs: Any) -> PortalSpider:
    crawler = get_crawler(cls, {"NIANBAO_DATA_DIR": str(data_dir)})
    spider = cls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


def call(request: Request, response: Response) -> list[Any]:
    return list(request.callback(response, **request.cb_kwargs) or [])


async def _start(spider: PortalSpider) -> list[Request]:
    return [r async for r in spider.start()]


def start_requests(spider: PortalSpider) -> list[Request]:
    import asyncio

    return asyncio.run(_start(spider))


def drive(spider: PortalSpider, requests: Iterable[Request] | None = None) -> tuple[list[FetchedDocument], list[str]]:
    """Follow the spider's requests over the saved pages; return its items and every URL it asked for."""
    queue = deque(requests if requests is not None else start_requests(spider))
    robots: dict[str, Protego] = {}
    seen: set[tuple[str, str, bytes]] = set()
    asked: list[str] = []
    items: list[FetchedDocument] = []
    domain = spider.portal.domain
    while queue:
        request = queue.popleft()
        host = urlsplit(request.url).hostname or ""
        asked.append(request.url)
        key = (request.method, request.url, request.body)
        if key in seen or not (host == domain or host.endswith("." + domain)):
            continue  # the scheduler's dupefilter and the offsite middleware
        seen.add(key)
        if host not in robots:
            robots_file = saved_file(f"http://{host}/robots.txt")
            robots[host] = Protego.parse(robots_file.read_text() if robots_file else "")
        if not robots[host].can_fetch(request.url, "nianbao"):
            continue
        response = saved_response(request.url, request)
        if 300 <= response.status < 400:  # spiders.middlewares.StayInPortalMiddleware, then the redirect
            target = urljoin(request.url, response.headers["Location"].decode())
            target_host = urlsplit(target).hostname or ""
            if target_host == domain or target_host.endswith("." + domain):
                queue.append(request.replace(url=target))
            else:
                spider.fault("offsite_redirect", request.url, f"HTTP {response.status} to {target}: refused")
            continue
        if response.status >= 400:
            failure = Failure(HttpError(response, "Ignoring non-200 response"))
            failure.request = request  # as Scrapy sets it for an errback
            request.errback(failure)
            continue
        for output in call(request, response):
            if isinstance(output, Request):
                queue.append(output)
            else:
                items.append(output)
    return items, asked


def index_for(spider_cls: type[PortalSpider]) -> dict[str, Any]:
    return INDEX[spider_cls.portal.host]


_CRAWLS: dict[
    tuple[type[PortalSpider], str | None, str | None], tuple[PortalSpider, list[FetchedDocument], list[str]]
] = {}


def crawl_saved(
    cls: type[PortalSpider], since: str | None = "2000", today: str | None = None
) -> tuple[PortalSpider, list[FetchedDocument], list[str]]:
    """The spider driven over every saved page of its portal (once per test session)."""
    import tempfile

    key = (cls, since, today)
    if key not in _CRAWLS:
        spider = make_spider(cls, Path(tempfile.mkdtemp(prefix="nianbao-saved-")), since=since, today=today)
        items, asked = drive(spider)
        _CRAWLS[key] = (spider, items, asked)
    return _CRAWLS[key]


def reports_by_url(cls: type[PortalSpider]) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in index_for(cls)["reports"]}


def attachment_sources(cls: type[PortalSpider]) -> dict[str, str]:
    return {a: r["url"] for r in index_for(cls)["reports"] for a in r["attachments"]}


MAGIC = {
    "pdf": b"%PDF-",
    "docx": b"PK\x03\x04",
    "xlsx": b"PK\x03\x04",
    "doc": b"\xd0\xcf\x11\xe0",
    "xls": b"\xd0\xcf\x11\xe0",
    "wps": b"\xd0\xcf\x11\xe0",  # an OLE compound file, like .doc
    "ofd": b"PK\x03\x04",  # a ZIP package with OFD.xml
    "zip": b"PK\x03\x04",
}


def check_item(cls: type[PortalSpider], item: FetchedDocument) -> None:
    """What every item of every spider must be, checked against the mirror's truth (index.json)."""
    portal = cls.portal
    assert urlsplit(item.url).netloc == portal.host and item.url.startswith(portal.base_url + "/")
    assert item.portal == portal.key
    assert item.body and item.status == 200 and item.fetched_at
    assert item.body == saved_file(item.url).read_bytes()  # type: ignore[union-attr]  # stored unedited
    if item.kind == "report_page":
        truth = reports_by_url(cls)[item.url]
        assert item.title == truth["title"]
        assert (item.report_year, item.report_year_source) == (truth["year"], "title")
        assert item.published_date == truth["published"][:10]
        assert item.column and item.url.startswith(urlsplit(item.column).scheme + "://")
        assert sorted(item.attachments) == sorted(truth["attachments"] + truth["external_links"])
        assert item.encoding == ("gb18030" if truth["encoding"] != "utf-8" else "utf-8")
        assert set(item.metadata) >= {"index_no", "owner", "publisher", "published", "source"}
        assert item.metadata["published"].startswith(truth["published"])
        assert item.source_page_url is None
    else:
        assert item.kind == "attachment"
        source = attachment_sources(cls)[item.url]
        assert item.source_page_url == source
        assert item.title == reports_by_url(cls)[source]["title"]
        ext = item.link_text.rsplit(".", 1)[-1]  # type: ignore[union-attr]
        assert item.body.startswith(MAGIC[ext]), f"{item.url} is not a {ext}"
        assert item.content_type == content_type(f"x.{ext}")
        assert item.report_year is None  # an attachment's year is its report page's

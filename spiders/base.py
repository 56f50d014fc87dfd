"""What every portal spider does; the CMS families (spiders/trs.py, spiders/hanweb.py) and the
portal files (one per portal) only configure it.

home page -> 政府信息公开 section -> catalogues and agency pages -> 年报 columns (plus the
configured ones) -> every list page -> each report page in the year window -> its attachments.

Report pages and attachments already stored are not downloaded again: with the server's
ETag/Last-Modified they are asked for conditionally (304), without them they are revisited on a
cadence (spiders/state.py: weekly for recent reports, quarterly for older) and compared by sha256.
List pages are fetched every time. Every failure is recorded as a ``Fault`` with its URL
in ``crawl/<portal>/summary.json``; the crawl goes on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy import FormRequest, Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.encoding import html_body_declared_encoding

from rawstore.layout import DataLayout, data_dir_from_env
from rawstore.portals import FAMILIES, Family, Portal
from spiders.items import FetchedDocument
from spiders.middlewares import parse_host_map, real_url
from spiders.pages import (
    DataProxy,
    Entry,
    UnitApi,
    all_article_url_res,
    column_of,
    dataproxy_answer,
    detect_platform,
    list_dataproxy,
    list_dated_link_count,
    list_entries,
    list_is_marked_empty,
    list_shape,
    list_sub_lists,
    list_to_page_urls,
    list_unit_apis,
    page_content_text,
    page_is_challenge,
    page_is_soft_404,
    page_to_attachments,
    page_to_metadata,
    report_year,
    section_to_links,
    title_to_report_year,
    unit_answer,
)
from spiders.state import CrawlState, Fault, fault_dicts, revisit_due, write_json_atomic

#: how deep below a 政府信息公开 section the spider looks for columns (section -> catalogue -> agency)
MAX_SECTION_DEPTH = 3
#: list shapes delivered by a script: a page showing one and yielding no entry is a named fault
SCRIPT_SHAPES = ("datastore", "initdata", "dataproxy", "unitbuild", "iframe")
#: rows per page asked of a JPaaS unit API (the server may answer fewer: its ``rows`` is then used)
UNIT_PAGE_SIZE = 15


def default_since(today: date) -> int:
    """The previous report year: reports for year Y appear from January Y+1, so in 2026 the window
    is 2024 (late and re-posted reports) and 2025 (the current one)."""
    return today.year - 2


def decoded(response: Response) -> TextResponse | Response:
    """The response decoded right: its declared charset, else UTF-8, else GB18030 (GB2312/GBK)."""
    if not isinstance(response, TextResponse):
        return response
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if "charset=" in content_type or html_body_declared_encoding(response.body):
        return response
    try:
        response.body.decode("utf-8")
    except UnicodeDecodeError:
        return response.replace(encoding="gb18030")
    return response.replace(encoding="utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1"): b", ".join(v).decode("latin-1")
        for k, v in response.headers.items()
        if k.lower() not in (b"set-cookie",)
    }


class PortalSpider(scrapy.Spider):
    portal: ClassVar[Portal]
    family: ClassVar[Family]

    def __init__(
        self,
        *args: Any,
        since: str | int | None = None,
        recheck: str | bool = False,
        today: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.today = date.fromisoformat(today) if today else date.today()
        self.since = int(since) if since not in (None, "") else default_since(self.today)  # type: ignore[arg-type]
        if not 1990 <= self.since <= self.today.year:
            raise ValueError(f"since={self.since}: not a report year")
        self.recheck = str(recheck).lower() in ("1", "true", "yes")
        self.state = CrawlState(Path("state.json"))  # replaced from the data dir in from_crawler
        self.data_dir: Path | None = None
        self.counts: Counter[str] = Counter()
        self.faults: dict[tuple[str, str], Fault] = {}
        self.retries: dict[str, list[str]] = {}
        self.succeeded: set[str] = set()
        self.blocked: set[str] = set()
        self.endpoints: Counter[str] = Counter()
        self.hosts: Counter[str] = Counter()
        self.columns: dict[str, dict[str, Any]] = {}
        self.reports: dict[str, dict[str, Any]] = {}
        self.requested: set[str] = set()
        self.started_at = _now()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.data_dir = data_dir_from_env(crawler.settings.get("NIANBAO_DATA_DIR"))
        spider.state = CrawlState.load(DataLayout(spider.data_dir).crawl_state(spider.name))
        crawler.signals.connect(spider._reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(spider._spider_error, signal=signals.spider_error)
        return spider

    # --- bookkeeping ---------------------------------------------------------------------------

    def tally(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def _fetched(self, response: Any, kind: str, url: str, **fields: Any) -> FetchedDocument:
        """What every fetched document carries from its response; ``fields`` add the page's own metadata."""
        return FetchedDocument(
            kind=kind,
            url=url,
            portal=self.portal.key,
            body=response.body,
            status=response.status,
            headers=_headers(response),
            fetched_at=_now(),
            **fields,
        )

    def fault(self, kind: str, url: str, detail: str = "") -> None:
        self.faults.setdefault((kind, url), Fault(kind, url, detail))
        self.logger.warning("fault %s: %s %s", kind, url, detail)

    def note_retry(self, url: str, reason: str) -> None:
        self.retries.setdefault(url, []).append(reason)

    def _reached_downloader(self, request: Request, spider: Any = None) -> None:
        self.endpoints[urlsplit(request.url).netloc] += 1
        self.hosts[urlsplit(real_url(request)).netloc] += 1

    def _spider_error(self, failure: Failure, response: Response, spider: Any = None) -> None:
        self.fault("spider_error", response.url, repr(failure.value))

    def _column(self, url: str, configured: bool = False, via: str | None = None) -> dict[str, Any]:
        column = self.columns.setdefault(
            url,
            {
                "configured": False,
                "via": via,
                "entries": set(),
                "in_window": set(),
                "pages": 0,
                "ok": None,
                "platforms": set(),
                "shapes": set(),
                "children": set(),
                "marked_empty": False,
            },
        )
        column["configured"] |= configured
        return column

    # --- requests --------------------------------------------------------------------------------

    def _page(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        return Request(url, callback=callback, errback=self.on_error, cb_kwargs=cb_kwargs)

    def _list(self, url: str, column: str, page: int) -> Request:
        return Request(url, callback=self.parse_list, errback=self.on_error, cb_kwargs={"column": column, "page": page})

    def _document(self, url: str, callback: Any, kind: str, **cb_kwargs: Any) -> Request | None:
        """A report page or attachment: new ones fetched, known ones asked for conditionally or skipped."""
        headers: dict[str, str] = {}
        if url in self.state.documents and not self.recheck:
            headers = self.state.validators(url)
            if not headers:
                if not revisit_due(self.state.documents[url], self.today):
                    self.tally(f"known_skipped.{kind}")
                    return None
                self.tally(f"revisit.{kind}")  # no validators: fetched again on the cadence, compared by sha256
        self.requested.add(url)
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            headers=headers,
            cb_kwargs=cb_kwargs,
            meta={"handle_httpstatus_list": [304], "nianbao_kind": kind},
        )

    async def start(self) -> AsyncIterator[Request]:
        home, *sections = self.portal.start_urls
        yield self._page(home, self.parse_section, depth=0, prefix=None)
        for url in sections:
            yield self._page(url, self.parse_section, depth=1, prefix=None)
        for url in self.portal.column_urls:
            self._column(url, configured=True)
            yield self._list(url + "index.html", url, 1)

    # --- callbacks -------------------------------------------------------------------------------

    def _html(self, response: Response, what: str) -> TextResponse | None:
        """The page decoded, or None (and a fault) when it is not a web page at all."""
        page = decoded(response)
        if isinstance(page, TextResponse):
            return page
        self.fault(
            "selector_empty", response.url, f"{what} is not an HTML page ({response.headers.get('Content-Type')})"
        )
        return None

    def parse_section(self, response: Response, depth: int, prefix: str | None) -> Iterator[Request]:
        """The home page (depth 0), a 政府信息公开 section (1), a catalogue or an agency page (2, 3)."""
        if (page := self._html(response, "a section page")) is None:
            return
        response, sel = page, page.selector
        if page_is_soft_404(sel):
            self.fault("soft_404", response.url, "a section or catalogue page says 页面不存在")
            return
        if self._challenged(response, sel, None):
            return
        sections, columns, catalogs = section_to_links(sel, response.url, self.family.article_url)
        if depth == 1:
            prefix = urlsplit(response.url).path.rsplit("/", 1)[0] + "/"
        for link in columns:
            page1 = link.url + "index.html" if link.url.endswith("/") else link.url
            column = column_of(page1)
            self._column(column, via=response.url)
            yield self._list(page1, column, 1)
        if depth == 0:
            for link in sections:
                yield self._page(link.url, self.parse_section, depth=1, prefix=None)
        elif depth < MAX_SECTION_DEPTH and prefix:
            for link in catalogs:
                parts = urlsplit(link.url)
                if parts.netloc == urlsplit(response.url).netloc and parts.path.startswith(prefix):
                    yield self._page(link.url, self.parse_section, depth=depth + 1, prefix=prefix)
        nothing = not columns and (not catalogs if depth == 1 else not sections and not self.portal.sections)
        if depth <= 1 and nothing:
            self.fault("selector_empty", response.url, "no 政府信息公开 section, catalogue or 年报 column link")

    def _challenged(self, response: Response, sel: Selector, col: dict[str, Any] | None) -> bool:
        if not page_is_challenge(response.body, sel):
            return False
        self.fault(
            "challenge",
            response.url,
            f"HTTP {response.status}, {len(response.body)} bytes: a JavaScript challenge or stub page, not the list",
        )
        if col is not None and col["ok"] is None:
            col["ok"] = False
        return True

    def parse_list(self, response: Response, column: str, page: int) -> Iterator[Request]:
        col = self._column(column)
        if (html := self._html(response, "a list page")) is None:
            return
        response, sel = html, html.selector
        if page_is_soft_404(sel):
            self.fault("soft_404", response.url, "a list page says 页面不存在")
            col["ok"] = False if col["ok"] is None else col["ok"]
            return
        if self._challenged(response, sel, col):
            return
        col["pages"] += 1
        col["ok"] = True
        self.tally("list_pages")
        shapes = list_shape(sel)
        col["shapes"].update(shapes or ["dom"])
        if platform := detect_platform(sel, response.url):
            col["platforms"].add(platform)
        entries = list_entries(sel, response.url, (self.family.article_url, *all_article_url_res()))
        followed = False
        apis = list_unit_apis(sel, response.url)
        for api in apis:  # Hanweb JPaaS shell
            followed = True
            yield self._unit(api, column, 1, UNIT_PAGE_SIZE, response.url)
        if "unitbuild" in shapes and not apis:
            self.fault("list_unfollowed", response.url, "a unitbuild.js shell without a readable url/queryData")
        proxy = list_dataproxy(sel, response.url)  # classic Hanweb datastore: further pages from dataproxy.jsp
        if proxy is not None and (proxy.total is None or proxy.total > len(entries)):
            followed = True
            start = len(entries) + 1
            yield self._dataproxy(proxy, column, start, start + 3 * proxy.per_page - 1, response.url)
        for url in list_sub_lists(sel, response.url):  # year sub-columns, 更多, iframe shells
            sub = column_of(url)
            if sub != column:
                followed = True
                col["children"].add(sub)
            if sub == column or sub in self.columns:  # itself, or a list already asked for (X/ and X/index.html)
                continue
            self._column(sub, via=response.url)
            yield self._list(url, sub, 1)
        if list_is_marked_empty(sel):
            col["marked_empty"] = True
        elif not entries and not followed:
            scripted = [s for s in shapes if s in SCRIPT_SHAPES]
            if scripted:
                self.fault("list_unfollowed", response.url, f"a {'/'.join(scripted)} list the spider could not read")
            elif dated := list_dated_link_count(sel):
                self.fault("selector_empty", response.url, f"{dated} dated links, none like {self.family.article_url}")
        max_pages = self.settings.getint("NIANBAO_MAX_LIST_PAGES", 50)
        here = column_of(response.url)
        for url in list_to_page_urls(sel, response.url, max_pages):
            if col["pages"] < max_pages and column_of(url) == here:
                yield self._list(url, column, page + 1)
        yield from self._entries(entries, column)

    def _entries(self, entries: list[Entry], column: str) -> Iterator[Request]:
        col = self._column(column)
        for entry in entries:
            col["entries"].add(entry.url)
            yield from self._report(entry, column)

    # --- Hanweb JPaaS: the unit API behind a column shell ------------------------------------------

    def _unit(self, api: UnitApi, column: str, page: int, size: int, referer: str) -> Request:
        return Request(
            api.page_url(page, size),
            callback=self.parse_unit,
            errback=self.on_error,
            headers={"Referer": referer, "Accept": "application/json, text/javascript, */*"},
            cb_kwargs={"column": column, "api": api, "page": page, "referer": referer},
            meta={"nianbao_list": column},
        )

    def parse_unit(self, response: Response, column: str, api: UnitApi, page: int, referer: str) -> Iterator[Request]:
        col = self._column(column)
        text = response.body.decode(getattr(response, "encoding", None) or "utf-8", "replace")
        html, count, rows = unit_answer(text)
        if html is None:
            self.fault(
                "list_unfollowed", response.url, f"the unit API answered no data.html ({len(response.body)} bytes)"
            )
            return
        self.tally("list_api_pages")
        entries = list_entries(Selector(text=html), referer)
        if page == 1 and count and rows:
            max_pages = self.settings.getint("NIANBAO_MAX_LIST_PAGES", 50)
            last = min(-(-count // rows), max_pages)
            for n in range(2, last + 1):
                yield self._unit(api, column, n, rows, referer)
        if page == 1 and not entries and count:
            self.fault("list_unfollowed", response.url, f"the unit API says {count} entries, none read")
        yield from self._entries(entries, column)
        col["ok"] = True if col["ok"] is None else col["ok"]

    # --- classic Hanweb JCMS: dataproxy.jsp ----------------------------------------------------------

    def _dataproxy(self, proxy: DataProxy, column: str, start: int, end: int, referer: str) -> Request:
        return FormRequest(
            proxy.post_url(start, end),
            formdata=proxy.form(),
            callback=self.parse_dataproxy,
            errback=self.on_dataproxy_error,
            headers={"Referer": referer},
            cb_kwargs={"column": column, "proxy": proxy, "start": start, "end": end, "referer": referer},
            meta={"nianbao_list": column},
        )

    def parse_dataproxy(
        self, response: Response, column: str, proxy: DataProxy, start: int, end: int, referer: str, get: bool = False
    ) -> Iterator[Request]:
        text = response.body.decode(getattr(response, "encoding", None) or "utf-8", "replace")
        records, total = dataproxy_answer(text, response.url)
        if not records and not total:
            self.fault("list_unfollowed", response.url, "dataproxy.jsp answered no <record> and no totalrecord")
            return
        self.tally("list_api_pages")
        entries = list_entries(Selector(text="<ul>" + "".join(records) + "</ul>"), referer)
        max_records = self.settings.getint("NIANBAO_MAX_LIST_PAGES", 50) * proxy.per_page
        if get:
            if start == 2 and total:
                for n in range(3, min(-(-total // proxy.per_page), 50) + 1):
                    yield self._dataproxy_get(proxy, column, n, referer)
        elif total and end < min(total, max_records):
            yield self._dataproxy(proxy, column, end + 1, end + 3 * proxy.per_page, referer)
        yield from self._entries(entries, column)

    def _dataproxy_get(self, proxy: DataProxy, column: str, n: int, referer: str) -> Request:
        return Request(
            proxy.page_url(n),
            callback=self.parse_dataproxy,
            errback=self.on_error,
            headers={"Referer": referer},
            cb_kwargs={"column": column, "proxy": proxy, "start": n, "end": n, "referer": referer, "get": True},
            meta={"nianbao_list": column},
        )

    def on_dataproxy_error(self, failure: Failure) -> Iterator[Request]:
        """A POST to dataproxy.jsp refused: its GET form (``page=N``) instead, before naming a fault."""
        request = failure.request  # type: ignore[attr-defined]
        kw = request.cb_kwargs
        if failure.check(HttpError) and kw["start"] > 1:
            self.note_retry(real_url(request), f"POST refused (HTTP {failure.value.response.status}): GET page=N")
            yield self._dataproxy_get(kw["proxy"], kw["column"], 2, kw["referer"])
            return
        self.on_error(failure)

    def _report(self, entry: Entry, column: str) -> list[Request]:
        """A listed report: skipped when outside the year window, known, or already asked for."""
        year = title_to_report_year(entry.title)
        if (year is not None and year < self.since) or (year is None and entry.date and entry.date.year <= self.since):
            self.tally("out_of_window")
            return []
        if entry.url in self.state.out_of_window:
            self.tally("out_of_window")
            return []
        self.columns[column]["in_window"].add(entry.url)
        if entry.url in self.requested or entry.url in self.reports:
            return []
        request = self._document(
            entry.url, self.parse_report, "report_page", column=column, list_title=entry.title, list_date=entry.date
        )
        if request is not None:
            return [request]
        # known, and the server gives no validators to ask with: only its attachments not stored yet
        known = self.state.documents[entry.url]
        self.reports[entry.url] = {"year": known.get("report_year"), "title": known.get("title"), "how": "known"}
        return self._known_attachments(entry.url, known)

    def _known_attachments(self, url: str, known: dict[str, Any]) -> list[Request]:
        """The attachments of an unchanged report page: asked for again conditionally, or fetched if a
        previous crawl failed to store them."""
        page = {k: known.get(k) for k in ("title", "published_date", "column")}
        requests = (
            self._document(a, self.parse_attachment, "attachment", source=url, link_text=None, page=page)
            for a in known.get("attachments", [])
        )
        return [r for r in requests if r is not None]

    def _family_of(self, url: str) -> Family:
        """The CMS family of an article by its URL: the declared one is a hint, a portal can mix."""
        if re.search(self.family.article_url, urlsplit(url).path):
            return self.family
        return next((f for f in FAMILIES.values() if re.search(f.article_url, urlsplit(url).path)), self.family)

    def parse_report(
        self, response: Response, column: str, list_title: str, list_date: date | None
    ) -> Iterator[FetchedDocument | Request]:
        url = response.url
        if response.status == 304:
            self.succeeded.add(url)
            self.tally("not_modified.report_page")
            known = self.state.documents.get(url, {})
            self.reports[url] = {"year": known.get("report_year"), "title": known.get("title"), "how": "not_modified"}
            yield from self._known_attachments(url, known)
            return
        self.succeeded.add(url)
        if (page_response := self._html(response, "a report page")) is None:
            return
        response, sel = page_response, page_response.selector
        if page_is_soft_404(sel):
            self.fault("soft_404", url, f"listed as {list_title!r} in {column}")
            return
        family = self._family_of(url)
        meta = page_to_metadata(sel, family.title_css)
        body = page_content_text(sel, family.content_css)
        if body is None:
            self.fault("selector_empty", url, f"no report body ({family.content_css})")
        if not meta["title"]:
            self.fault("selector_empty", url, "no title")
        published = date.fromisoformat(meta["published_date"]) if meta["published_date"] else list_date
        year, year_source = report_year(meta["title"] or list_title, body, published)
        if year is not None and year < self.since:
            self.state.out_of_window[url] = year
            self.tally("out_of_window")
            return
        attachments = page_to_attachments(sel, url)
        title = meta.pop("title") or list_title
        page = {"title": title, "published_date": published.isoformat() if published else None, "column": column}
        self.reports[url] = {"year": year, "title": title, "how": "downloaded"}
        yield self._fetched(
            response,
            "report_page",
            url,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            title=title,
            published_date=page["published_date"],
            column=column,
            metadata={k: v for k, v in meta.items() if k != "published_date"},
            report_year=year,
            report_year_source=year_source,
            encoding=getattr(response, "encoding", None),
            attachments=[a.url for a in attachments],
        )
        for link in attachments:
            request = self._document(
                link.url, self.parse_attachment, "attachment", source=url, link_text=link.text, page=page
            )
            if request is not None:
                yield request

    def parse_attachment(
        self, response: Response, source: str, link_text: str | None, page: dict[str, Any]
    ) -> Iterator[FetchedDocument]:
        url = response.url
        self.succeeded.add(url)
        if response.status == 304:
            self.tally("not_modified.attachment")
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        page_response = decoded(response)
        if (
            isinstance(page_response, TextResponse)
            and "html" in (content_type or "")
            and page_is_soft_404(page_response.selector)
        ):
            self.fault("soft_404", url, f"attachment of {source}")
            return
        yield self._fetched(
            response,
            "attachment",
            url,
            content_type=content_type,
            title=page.get("title"),
            published_date=page.get("published_date"),
            source_page_url=source,
            column=page.get("column"),
            link_text=link_text,
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        url = real_url(request)
        kind = request.meta.get("nianbao_kind")
        if failure.check(HttpError):
            status = failure.value.response.status
            what = "linked report or attachment" if kind else "page"
            if status in (403, 412, 429):
                self.fault(
                    "blocked",
                    url,
                    f"HTTP {status} ({what}): the site refuses this crawler; lower the rate "
                    "(DOWNLOAD_DELAY, AUTOTHROTTLE_START_DELAY) as docs/portals.md says",
                )
            else:
                kind_ = "broken_link" if status in (404, 410) and kind else "http_error"
                self.fault(kind_, url, f"HTTP {status} ({what})")
        elif failure.check(scrapy.exceptions.IgnoreRequest):
            self.tally("ignored")
            return
        elif re.search(r"Timeout|TimedOut", type(failure.value).__name__):
            self.fault("timeout", url, type(failure.value).__name__)
        else:
            self.fault("download_error", url, f"{type(failure.value).__name__}: {failure.value}"[:200])
        column = request.cb_kwargs.get("column") if request.callback == self.parse_list else None
        column = column or request.meta.get("nianbao_list")
        if column and column in self.columns and self.columns[column]["ok"] is None:
            self.columns[column]["ok"] = False

    # --- the end of a crawl: column checks, state, summary -----------------------------------------

    def closed(self, reason: str) -> None:
        previous = self.state.columns
        for url, col in self.columns.items():
            before = previous.get(url, {}).get("listed", 0)
            if col["ok"] and not col["entries"] and before:
                self.fault("column_emptied", url, f"0 reports listed; {before} at the last crawl")
            elif col["ok"] and not col["entries"] and not col["children"] and not col["marked_empty"]:
                shapes = "/".join(sorted(col["shapes"])) or "none"
                self.fault(
                    "list_unrecognised",
                    url,
                    f"0 entries on {col['pages']} list page(s) (shape: {shapes}) and no 暂无信息 mark",
                )
            if col["ok"]:
                previous[url] = {"listed": len(col["entries"]), "in_window": len(col["in_window"]), "seen": _now()}
        for url, before in sorted(previous.items()):
            if url not in self.columns and before.get("listed"):
                self.fault("column_missing", url, f"not reached; {before['listed']} reports listed before")
        if not any(col["entries"] for col in self.columns.values()) and reason == "finished":
            self.fault("no_reports", self.portal.base_url + "/", "no column listed any report")
        self.state.save()
        if self.data_dir is not None:
            write_json_atomic(DataLayout(self.data_dir).portal_summary(self.name), self.summary(reason))

    def summary(self, reason: str) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats() if getattr(self, "crawler", None) else {}
        counts = dict(sorted(self.counts.items()))
        counts["reports"] = len(self.reports)
        counts["columns"] = len(self.columns)
        counts["offsite_filtered"] = stats.get("offsite/filtered", 0)
        counts["robots_forbidden"] = stats.get("robotstxt/forbidden", 0)
        faults = sorted(self.faults.values(), key=lambda f: (f.kind, f.url))
        return {
            "portal": self.portal.key,
            "host": self.portal.host,
            "since": self.since,
            "started_at": self.started_at,
            "finished_at": _now(),
            "finish_reason": reason,
            "mirror": parse_host_map(self.settings.get("NIANBAO_HOST_MAP")) or None,
            "ok": not faults and reason == "finished",
            "counts": counts,
            "reports": [{"url": url, **info} for url, info in sorted(self.reports.items())],
            "columns": [
                {
                    "url": url,
                    "configured": col["configured"],
                    "via": col["via"],
                    "listed": len(col["entries"]),
                    "in_window": len(col["in_window"]),
                    "pages": col["pages"],
                    "ok": bool(col["ok"]),
                    "platforms": sorted(col["platforms"]),
                    "shapes": sorted(col["shapes"]),
                    "sub_lists": sorted(col["children"]),
                }
                for url, col in sorted(self.columns.items())
            ],
            "faults": fault_dicts(faults),
            "retries": [
                {"url": url, "reasons": reasons, "recovered": url in self.succeeded}
                for url, reasons in sorted(self.retries.items())
            ],
            "blocked": sorted(self.blocked),
            "endpoints": dict(sorted(self.endpoints.items())),
            "hosts": dict(sorted(self.hosts.items())),
        }

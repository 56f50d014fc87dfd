"""The raw store and its manifest: every fetched document kept unedited, one JSON line per version.

Files are named by their sha256 (``rawstore/store.py``), never by anything the
server says. A document whose bytes did not change since the last crawl adds no
line; new bytes at a known URL add one (a new version).
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from rawstore.layout import DataLayout, data_dir_from_env
from rawstore.manifest import ManifestRecord, ManifestWriter
from rawstore.store import RawStore
from spiders.items import FetchedDocument


class RawStorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.layout = DataLayout(data_dir_from_env(crawler.settings.get("NIANBAO_DATA_DIR")))
        self.store = RawStore(self.layout.raw)
        self._manifest: ManifestWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawStorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        self._manifest = ManifestWriter(self.layout.manifest(self.crawler.spider.name)).open()

    def close_spider(self, spider: Any = None) -> None:
        if self._manifest is not None:
            self._manifest.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, FetchedDocument):
            return item
        spider = self.crawler.spider
        sha256, path = self.store.put(item.body)
        known = spider.state.documents.get(item.url)
        version = "new" if known is None else "unchanged" if known.get("sha256") == sha256 else "changed"
        headers = {k.lower(): v for k, v in item.headers.items()}
        spider.state.documents[item.url] = {
            "kind": item.kind,
            "sha256": sha256,
            "etag": headers.get("etag"),
            "last_modified": headers.get("last-modified"),
            "fetched_at": item.fetched_at,
            "checked_on": spider.today.isoformat(),  # the crawl's date (injectable): revisits count from it
            "report_year": item.report_year,
            "title": item.title,
            "published_date": item.published_date,
            "column": item.column,
            "attachments": item.attachments,
        }
        spider.tally(f"{version}.{item.kind}")
        if version != "unchanged":
            record = ManifestRecord(
                url=item.url,
                kind=item.kind,
                portal=item.portal,
                sha256=sha256,
                size=len(item.body),
                raw_path=self.store.relative(path),
                version=version,
                fetched_at=item.fetched_at,
                status=item.status,
                headers=item.headers,
                content_type=item.content_type,
                title=item.title,
                published_date=item.published_date,
                source_page_url=item.source_page_url,
                column=item.column,
                metadata=item.metadata,
                report_year=item.report_year,
                report_year_source=item.report_year_source,
                link_text=item.link_text,
                encoding=item.encoding,
            )
            assert self._manifest is not None
            self._manifest.append(record)
        item.body = b""  # stored; keep memory flat
        return item

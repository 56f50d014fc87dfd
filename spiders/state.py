"""What a crawl remembers between nights, and what it reports.

Under the data dir, per portal:

    crawl/<portal>/state.json      known documents (sha256, ETag, Last-Modified, checked_on), columns and their counts
    crawl/<portal>/manifest.jsonl  one line per stored document version (see spiders/pipelines.py)
    crawl/<portal>/summary.json    the last crawl's summary: counts, columns, faults
    raw/ab/<sha256>.bin            the bytes (rawstore/store.py)

(the paths are spelled once, in rawstore/layout.py; the manifest is rawstore/manifest.py)

A known document is asked for again every night when its server gave an ETag or Last-Modified (a 304
costs nothing); without them it is revisited on a cadence (``revisit_due``): weekly for recent reports,
quarterly for older ones, and its bytes compared by sha256, a changed one stored as a new version.

``Fault`` kinds: http_error, broken_link, timeout, download_error, soft_404,
selector_empty, column_emptied, column_missing, no_reports, spider_error,
crawl_failed, challenge, blocked, list_unfollowed, list_unrecognised,
offsite_redirect. Any fault makes the crawl's exit status 1.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rawstore.layout import DataLayout

#: Revisits of documents whose server sends no ETag/Last-Modified (nothing to ask conditionally with):
#: re-fetched when the last fetch is this many days old, and compared by sha256 (spiders/pipelines.py).
#: Recent reports — published this year or last year, i.e. report year >= today's year - 2 — weekly, so an
#: edited report is seen within a week of the edit by a nightly crawl; older ones once a quarter.
REVISIT_RECENT_DAYS = 7
REVISIT_OLDER_DAYS = 90

FAULT_KINDS = {
    "http_error": "answered an HTTP error after retries",
    "broken_link": "a linked report or attachment answers 404/410",
    "timeout": "no answer within the download timeout, after retries",
    "download_error": "the download failed (connection lost, truncated body …) after retries",
    "soft_404": "answers 200 with a 页面不存在 page",
    "selector_empty": "a page where the selectors found nothing they expected",
    "column_emptied": "a column lists 0 reports where it listed some before",
    "column_missing": "a column seen before was not reached",
    "no_reports": "the portal yielded no report link at all",
    "spider_error": "the spider code raised an exception",
    "crawl_failed": "the crawl process failed or wrote no summary",
    "challenge": "answered 200 with a JavaScript challenge or stub page instead of the page",
    "blocked": "answered 403/412/429: the site refuses this crawler (lower the rate, see below)",
    "list_unfollowed": "a list delivered by a script (datastore, dataproxy, unit API, InitData, iframe) not read",
    "list_unrecognised": "a column read without error lists 0 entries and says nothing of being empty",
    "offsite_redirect": "a redirect to another portal's or any other host: refused, nothing stored",
}


@dataclass(frozen=True)
class Fault:
    kind: str
    url: str
    detail: str = ""


def crawl_dir(data_dir: Path, portal: str) -> Path:
    return DataLayout(Path(data_dir)).crawl_dir(portal)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that a reader (or a crawl running beside this one) never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


@dataclass
class CrawlState:
    """Known documents and column counts of one portal, loaded at start and saved at the end."""

    path: Path
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> sha256, etag, last_modified …
    out_of_window: dict[str, int] = field(default_factory=dict)  # report url -> its year, below the window
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)  # column url -> listed, last_crawl

    @classmethod
    def load(cls, path: Path) -> CrawlState:
        if not path.exists():
            return cls(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(path, data.get("documents", {}), data.get("out_of_window", {}), data.get("columns", {}))

    def save(self) -> None:
        write_json_atomic(
            self.path, {"documents": self.documents, "out_of_window": self.out_of_window, "columns": self.columns}
        )

    def validators(self, url: str) -> dict[str, str]:
        """Conditional-request headers for a known document ({} if unknown or the server gave none)."""
        known = self.documents.get(url, {})
        headers = {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        return headers


def _checked_on(known: dict[str, Any]) -> date | None:
    """The date of the crawl that last fetched a document (``checked_on``, else the date of ``fetched_at``)."""
    try:
        return date.fromisoformat(str(known.get("checked_on") or known.get("fetched_at"))[:10])
    except ValueError:
        return None


def report_year_of(known: dict[str, Any]) -> int | None:
    """The report year of a known document: its own, else the year before its publication (reports for year
    Y appear from January Y+1), else None."""
    if isinstance(known.get("report_year"), int):
        return known["report_year"]
    published = str(known.get("published_date") or "")[:4]
    return int(published) - 1 if published.isdigit() else None


def revisit_days(known: dict[str, Any], today: date) -> int:
    """How often a known document without validators is fetched again (an unknown year counts as recent)."""
    year = report_year_of(known)
    return REVISIT_RECENT_DAYS if year is None or year >= today.year - 2 else REVISIT_OLDER_DAYS


def revisit_due(known: dict[str, Any], today: date) -> bool:
    """Whether a known document without validators is due to be fetched again on ``today``."""
    checked = _checked_on(known)
    return checked is None or (today - checked).days >= revisit_days(known, today)


def fault_dicts(faults: list[Fault]) -> list[dict[str, str]]:
    return [asdict(f) for f in faults]

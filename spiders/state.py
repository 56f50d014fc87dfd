"""What a crawl remembers between nights, and what it reports.

Under the data dir, per portal:

    crawl/<portal>/state.json      known documents (sha256, ETag, Last-Modified), columns and their counts
    crawl/<portal>/manifest.jsonl  one line per stored document version (see spiders/pipelines.py)
    crawl/<portal>/summary.json    the last crawl's summary: counts, columns, faults
    raw/ab/<sha256>.bin            the bytes (rawstore/store.py)

(the paths are spelled once, in rawstore/layout.py; the manifest is rawstore/manifest.py)

``Fault`` kinds: http_error, broken_link, timeout, download_error, soft_404,
selector_empty, column_emptied, column_missing, no_reports, spider_error,
crawl_failed. Any fault makes the crawl's exit status 1.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rawstore.layout import DataLayout

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


def fault_dicts(faults: list[Fault]) -> list[dict[str, str]]:
    return [asdict(f) for f in faults]

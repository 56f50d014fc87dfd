"""The manifest: one typed record per stored document version, one JSON line each.

Written by the crawl (``spiders/pipelines.py``), read by the flows and the tests.
A document whose bytes did not change since the last crawl adds no line; new
bytes at a known URL add one (``version="changed"``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rawstore.layout import DataLayout


@dataclass(frozen=True)
class ManifestRecord:
    """One stored document version: where it came from, what the crawl saw, where its bytes are."""

    url: str  # the real URL, never the mirror's
    sha256: str  # the bytes, in the raw store
    kind: str | None = None  # "report_page" or "attachment"
    portal: str | None = None
    size: int | None = None
    raw_path: str | None = None  # relative to the raw store's root
    version: str | None = None  # "new" or "changed"
    fetched_at: str | None = None  # ISO 8601, UTC
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    title: str | None = None
    published_date: str | None = None  # ISO date of 发布时间
    source_page_url: str | None = None  # attachments: the report page that links them
    column: str | None = None  # the 年报 column the report was listed in
    metadata: dict[str, Any] = field(default_factory=dict)  # 索引号, 所属机构, 发布机构, 发布时间, 信息来源, 文号
    report_year: int | None = None
    report_year_source: str | None = None  # title, body or published; never the folder name
    link_text: str | None = None  # attachments: the text of the link
    encoding: str | None = None  # report pages: the encoding the page was decoded with

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManifestRecord:
        """A record from its JSON object; keys this version does not know are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json_line(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"


class ManifestWriter:
    """Appends records to one portal's manifest, each flushed as it is written."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None

    def open(self) -> ManifestWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")
        return self

    def append(self, record: ManifestRecord) -> None:
        if self._file is None:
            self.open()
        assert self._file is not None
        self._file.write(record.to_json_line())
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_manifest(data_dir: Path, portals: list[str] | None = None) -> Iterator[ManifestRecord]:
    """Every manifest record under ``data_dir``, portal by portal, oldest first."""
    layout = DataLayout(Path(data_dir))
    root = layout.crawl
    if portals is None:
        portals = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for name in portals:
        path = layout.manifest(name)
        if not path.exists():
            continue
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for n, line in enumerate(lines, 1):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                if n < len(lines):
                    raise
                continue  # the last line of a crawl killed mid-write: that document is fetched again next time
            yield ManifestRecord.from_dict(data)

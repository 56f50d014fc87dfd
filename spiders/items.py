"""What a spider yields: one fetched document (a report page or an attachment), bytes unedited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FetchedDocument:
    kind: str  # "report_page" or "attachment"
    url: str  # the real URL, never the mirror's
    portal: str
    body: bytes = field(repr=False)
    status: int
    headers: dict[str, str]
    fetched_at: str  # ISO 8601, UTC
    content_type: str | None
    title: str | None = None  # the report page's title (attachments: the page's title)
    published_date: str | None = None  # ISO date of 发布时间
    source_page_url: str | None = None  # attachments: the report page that links them
    column: str | None = None  # the 年报 column the report was listed in
    metadata: dict[str, Any] = field(default_factory=dict)  # 索引号, 所属机构, 发布机构, 发布时间, 信息来源, 文号
    report_year: int | None = None
    report_year_source: str | None = None  # title, body or published; never the folder name
    link_text: str | None = None  # attachments: the text of the link
    encoding: str | None = None  # report pages: the encoding the page was decoded with
    attachments: list[str] = field(default_factory=list)  # report pages: the attachment URLs they link

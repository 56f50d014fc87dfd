"""HTML report pages: ``html_to_document``.

Portal pages wrap the report in chrome: a breadcrumb, a metadata table
(索引号, 所属机构 …), share bars, and layout tables nested several deep. The
reader keeps document order and emits

* every *leaf* table (one that contains no other table) as a grid, with
  ``rowspan``/``colspan`` expanded;
* all other text as paragraphs, split at block-level elements and ``<br>``.

Which tables and paragraphs belong to the report is the matcher's business:
chrome survives here as paragraphs and tables the matcher does not recognise.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from parsers.decode import bytes_to_text
from parsers.errors import NotText
from parsers.grid import Document, GridCell, Paragraph, TableBlock, expand_spans

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u3000\xa0]+")

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "div", "dl", "dt"),
        *("fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "td", "th", "tr", "ul"),
    }
)
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "select", "button"}
)


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or any(
        tag in data[:65536].lower() for tag in (b"<table", b"<body", b"<p>", b"<p ", b"<div")
    )


def _declared_charset(data: bytes) -> str | None:
    m = _CHARSET_RE.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def _clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _cell_text(cell: etree._Element) -> str:
    """A cell's text: line breaks inside a cell are wraps, so they join without space."""
    parts: list[str] = []
    for node in cell.iter():
        if node.tag in _SKIP_TAGS:
            continue
        if node is not cell and node.tag == "br":
            parts.append("\n")
        if node.text and node.tag not in _SKIP_TAGS and isinstance(node.tag, str):
            parts.append(node.text)
        if node is not cell and node.tail:
            parts.append(node.tail)
    lines = [_clean(p) for p in "".join(parts).split("\n")]
    return "".join(line for line in lines if line)


def _span(cell: etree._Element, name: str) -> int:
    m = re.match(r"\s*(\d+)", cell.get(name) or "")
    return int(m.group(1)) if m else 1


def table_to_grid(table: etree._Element, index: int) -> TableBlock:
    """One leaf ``<table>`` to a grid with spans expanded."""
    raw_rows: list[list[tuple[str, int, int]]] = []
    for tr in table.iter("tr"):
        raw_rows.append(
            [
                (_cell_text(td), _span(td, "rowspan"), _span(td, "colspan"))
                for td in tr
                if isinstance(td.tag, str) and td.tag in ("td", "th")
            ]
        )
    block = TableBlock(index=index)
    for r, row in enumerate(expand_spans(raw_rows)):
        block.rows.append(
            [
                GridCell(text=text, row=r, col=c, rowspan_copy=rcopy, colspan_copy=ccopy)
                for c, (text, rcopy, ccopy) in enumerate(row)
            ]
        )
    return block


class _Walker:
    """Walks the element tree in document order, emitting blocks."""

    def __init__(self) -> None:
        self.blocks: list[Paragraph | TableBlock] = []
        self.buffer: list[str] = []
        self.n_tables = 0

    def flush(self) -> None:
        text = _clean("".join(self.buffer))
        self.buffer = []
        if text:
            self.blocks.append(Paragraph(text=text))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS or not tag:  # comments, processing instructions
            return
        if tag == "table" and not any(True for _ in el.iter("table") if _ is not el):
            self.flush()
            self.blocks.append(table_to_grid(el, self.n_tables))
            self.n_tables += 1
            return
        if tag == "br":
            self.flush()
            return
        block = tag in _BLOCK_TAGS or tag == "table"
        if block:
            self.flush()
        if el.text:
            self.buffer.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buffer.append(child.tail)
        if block:
            self.flush()


def html_to_document(data: bytes) -> Document:
    text, encoding = bytes_to_text(data, declared=_declared_charset(data))
    text = _XML_DECL_RE.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise NotText(f"not an HTML document ({exc})") from exc
    title_el = root.find(".//title")
    title = _clean(title_el.text_content()) if title_el is not None else None
    body = root.find("body")
    walker = _Walker()
    walker.walk(body if body is not None else root)
    walker.flush()
    return Document(blocks=walker.blocks, format="html", encoding=encoding, title_hint=title or None)

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

from parsers.decode import Decoded, bytes_to_text, repair_note
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


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    body = text[:65536].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or any(
        tag in body for tag in ("<table", "<body", "<p>", "<p ", "<div")
    )


def declared_charset(data: bytes) -> str | None:
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
    m = re.match(r"\s*(\d{1,7})", cell.get(name) or "")  # (a span of thousands of digits is no int)
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


def _is_leaf_table(el: etree._Element) -> bool:
    return not any(True for t in el.iter("table") if t is not el)


def tree_to_blocks(root: etree._Element) -> list[Paragraph | TableBlock]:
    """Walk the tree in document order (iteratively: pages nest thousands deep), emitting blocks."""
    blocks: list[Paragraph | TableBlock] = []
    buffer: list[str] = []
    n_tables = 0

    def flush() -> None:
        text = _clean("".join(buffer))
        buffer.clear()
        if text:
            blocks.append(Paragraph(text=text))

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _SKIP_TAGS or not tag:  # comments, processing instructions, scripts
                walker.skip_subtree()
                continue
            if tag == "table" and _is_leaf_table(el):
                flush()
                blocks.append(table_to_grid(el, n_tables))
                n_tables += 1
                walker.skip_subtree()
                continue
            if tag == "br" or tag in _BLOCK_TAGS or tag == "table":
                flush()
            if el.text:
                buffer.append(el.text)
        else:
            if tag in _BLOCK_TAGS or tag == "table":
                flush()
            if el is not root and el.tail:
                buffer.append(el.tail)
    flush()
    return blocks


_TAG_RE = re.compile(r"<[^>]*>")


def _check_nothing_lost(source: str, blocks: list[Paragraph | TableBlock]) -> None:
    """libxml2 drops what is nested a few thousand elements deep; say so rather than read an empty page."""
    visible = len(_SPACE_RE.sub("", _TAG_RE.sub("", source)))
    kept = sum(
        len(b.text) if isinstance(b, Paragraph) else sum(len(c.text) for row in b.rows for c in row) for b in blocks
    )
    if visible > 200 and kept < visible // 20:
        raise NotText("the HTML parser could not read this page (nested too deeply?): almost all its text was lost")


_PARSER = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)


def html_to_document(data: bytes) -> Document:
    return decoded_html_to_document(bytes_to_text(data, declared=declared_charset(data)))


def decoded_html_to_document(decoded: Decoded) -> Document:
    text = _XML_DECL_RE.sub("", decoded.text.lstrip("\ufeff"), count=1)
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise NotText(f"not an HTML document ({exc})") from exc
    title_el = root.find(".//title")
    title = _clean(title_el.text_content()) if title_el is not None else None
    body = root.find("body")
    blocks = tree_to_blocks(body if body is not None else root)
    _check_nothing_lost(text, blocks)
    return Document(
        blocks=blocks,
        format="html",
        encoding=decoded.encoding,
        title_hint=title or None,
        notes=repair_note(decoded),
        links=document_links(body if body is not None else root),
    )


_DOCUMENT_HREF_RE = re.compile(r"\.(?:docx?|wps|pdf|rtf|odt|ofd)(?:[?#].*)?$", re.I)


# a link written inside a script string, as TRS article pages list their attachments
# (``var hasFJ='<a href="./P0….docx">…</a>'``); the script is never run, only read
_SCRIPT_LINK_RE = re.compile(r"""<a\b[^<>]*?\bhref\s*=\s*(["'])(.*?)\1[^<>]*>(.*?)</a\s*>""", re.I | re.S)
_TAG_RE = re.compile(r"<[^<>]*>")


def document_links(root: etree._Element) -> list[tuple[str, str]]:
    """``(text, href)`` of every link to a document file (.doc, .docx, .wps, .pdf …), in page order,
    including links that a script string holds (the TRS ``hasFJ`` attachment list)."""
    links: list[tuple[str, str]] = []
    for el in root.iter("a", "script"):
        if el.tag == "script":
            code = (el.text or "").replace("\\/", "/").replace('\\"', '"').replace("\\'", "'")
            for match in _SCRIPT_LINK_RE.finditer(code):
                href = match.group(2).strip()
                if href and _DOCUMENT_HREF_RE.search(href):
                    links.append((_clean(_TAG_RE.sub("", match.group(3))), href))
            continue
        href = (el.get("href") or "").strip()
        if href and _DOCUMENT_HREF_RE.search(href):
            links.append((_clean(el.text_content()), href))
    return links

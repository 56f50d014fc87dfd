"""PDF reports: ``pdf_to_document``.

Two sources of glyphs and ruling lines feed the same steps: PDFium
(:mod:`parsers.pdfium_source`, C; the default, about five times faster) and
pdfplumber (pdfminer, pure Python: the reference, and the way for whatever
PDFium declines: encrypted with a user password, damaged, text-less, rotated
pages, glyphs without characters or set at an angle). Ruled tables are found by
pdfplumber's own ``TableFinder`` either way (on the fast path step by step, one
step recomputed the same way: ``pdfium_source.find_tables``), and duplicate
glyphs dropped as pdfplumber's ``dedupe_chars`` drops them;
tests/test_pdf_engines.py holds both ways to the same documents on every
fixture PDF.

A PDF has no paragraphs or tables, only glyphs and lines at positions. Per
page, each step named after what it converts:

``page_to_glyphs``            the text layer, de-duplicated (faux bold draws every glyph twice), with
                              glyphs that map to no character marked; ruling lines that are invisible dropped
``table_to_grid``             a ruled table pdfplumber found -> a grid; merged cells rebuilt from cell geometry
``glyphs_to_lines``           the glyphs outside ruled tables -> text lines (one baseline, left to right)
``lines_to_unruled_tables``   runs of lines whose words stand in columns of numbers -> grids (tables drawn
                              without ruling lines), labels that wrap onto lines of their own joined to their row
``lines_to_paragraphs``       the other lines -> paragraphs (wrapped lines joined, page numbers dropped)

Tables that continue on the next page come out as one grid per page: the
matcher reads the tables of one part in order, so a repeated header, or a
row group whose merged label is cut by the page break, needs nothing here.

A page without a text layer (a scan) or whose glyphs map to no characters
(``(cid:NNN)``) is never read as text; a document with no readable page is a
:class:`~parsers.errors.NeedsOCR` error. Every cell keeps its page and bbox
(``x0, top, x1, bottom`` in PDF points from the page's top-left corner).
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import unicodedata
import zlib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter, itemgetter
from statistics import median
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import PDFException
from pdfminer.psparser import PSException
from pdfplumber.table import Table
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from parsers.errors import CorruptDocument, EmptyDocument, EncryptedDocument, NeedsOCR, TooLarge
from parsers.grid import Document, GridCell, Paragraph, TableBlock
from parsers.limits import Deadline
from parsers.pdfium_source import (
    Declined,
    RulingPage,
    find_tables,
    load_page,
    open_document,
    page_geometry,
    page_has_images,
    page_to_edges,
    page_to_glyph_records,
)
from parsers.values import is_annotated_number, looks_like_value

#: More pages than any annual report has: beyond this, a document is refused.
MAX_PAGES = 1000
#: Glyphs closer than this (fraction of the font size) belong to one word; wider gaps print as a space.
SPACE_GAP = 0.22
#: A gap this wide (fraction of the font size) separates the columns of a table drawn without lines.
COLUMN_GAP = 0.9
#: The widest gap between two lines of one table drawn without lines (fraction of the font size).
ROW_GAP = 2.5
#: Lines in the top and bottom margins (fraction of the page height) that hold only a page number are dropped.
MARGIN_BAND = 0.1

_BBox = tuple[float, float, float, float]

#: Kangxi and CJK radicals, CJK compatibility ideographs -> the unified ideographs they stand for
#: (fonts in PDFs saved from Word map 一, 方, 行 … to U+2F00 radicals that look the same).
_FOLD = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for block in (range(0x2E80, 0x2FE0), range(0xF900, 0xFB00))
    for cp in block
    if len(unicodedata.normalize("NFKC", chr(cp))) == 1 and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
_FOLD_CHARS = {chr(cp): folded for cp, folded in _FOLD.items()}
_UNMAPPED = "\ufffd"  # what a glyph with no character prints as: a cell holding one is unreadable, never a number

_PAGE_NUMBER_RE = re.compile(
    r"^[\s\-—–－·]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[\s\-—–－·]*$"
)
_HEADING_START_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,2}\s*[、.．]|[（(][一二三四五六七八九十]{1,2}[)）])")


@dataclass(slots=True)
class Glyph:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    font: Any = None  # PDFium's font identity (grouping duplicates); pdfplumber's glyphs are deduplicated as chars


@dataclass(slots=True)
class Segment:
    """Glyphs of one line with no column-wide gap between them."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Line:
    glyphs: list[Glyph]
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    segments: list[Segment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


@dataclass
class PageReading:
    """What one page gave: blocks in reading order (each with its top), and what could not be read."""

    number: int
    blocks: list[tuple[float, Paragraph | TableBlock]] = field(default_factory=list)
    state: str = "text"  # text, empty (no glyphs), scan (images, no glyphs), unmapped (glyphs without characters)
    unmapped: int = 0
    first_line: Line | None = None
    last_line: Line | None = None
    left: float = 0.0  # the text body's left and right edges
    right: float = 0.0
    indented: bool = False  # paragraphs open with a first-line indent


# --- opening ----------------------------------------------------------------------


def open_pdf(data: bytes) -> pdfplumber.PDF:
    """Open with the empty password (what every reader does), or say why not."""
    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedDocument("the PDF is encrypted with a password (it does not open without one)") from None
        if isinstance(cause, PDFEncryptionError):
            raise EncryptedDocument(f"the PDF uses an encryption the reader does not support ({cause})") from None
        raise CorruptDocument(f"not a readable PDF, damaged or truncated ({_describe_exception(cause)})") from None


@contextlib.contextmanager
def _quietly_closed(pdf: pdfplumber.PDF) -> Iterator[pdfplumber.PDF]:
    """pdfplumber's ``close()`` walks the page tree again: on a damaged one it raises again, which would
    replace the reader's own error (or a good reading) with pdfminer's."""
    try:
        yield pdf
    finally:
        with contextlib.suppress(Exception):
            pdf.close()


def _describe_exception(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


#: What pdfminer raises on damaged files, besides its own exceptions: it trusts the file's structure.
_DAMAGE = (
    PdfminerException,
    MalformedPDFException,
    PSException,
    PDFException,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AssertionError,
    struct.error,
    zlib.error,
    RecursionError,
)


# --- glyphs -------------------------------------------------------------------


def _is_white(color: Any) -> bool:
    """Gray 1, RGB (1, 1, 1) or CMYK (0, 0, 0, 0); pdfplumber gives a gray as a bare number."""
    if isinstance(color, (int, float)):
        return color >= 0.98
    if not isinstance(color, (tuple, list)) or not color:
        return False
    values = [v for v in color if isinstance(v, (int, float))]
    if len(values) != len(color):
        return False
    if len(values) == 4:  # CMYK
        return all(v <= 0.02 for v in values)
    return all(v >= 0.98 for v in values)


def _visible_graphic(obj: dict[str, Any]) -> bool:
    """Lines and boxes that print: hidden (white, unstroked) ruling lines make phantom columns."""
    kind = obj.get("object_type")
    if kind not in ("line", "rect", "curve"):
        return True
    stroked = obj.get("stroke", True) and not _is_white(obj.get("stroking_color"))
    filled = kind == "rect" and obj.get("fill") and not _is_white(obj.get("non_stroking_color"))
    return bool(stroked or filled)


def dedupe_chars(chars: list[dict[str, Any]], tolerance: float = 1) -> list[dict[str, Any]]:
    """``page.dedupe_chars()``: faux bold draws each glyph twice, a hair apart; keep one.

    The same chars as pdfplumber's ``utils.dedupe_chars`` (same grouping by
    text, font and size, same clustering by position, same survivor, same
    order; ``tests/test_pdf_reader.py`` holds them equal), computed as the
    chars it drops: pdfplumber restores the order of the survivors with a
    quadratic ``list.index`` sort (40% of the time of reading a report),
    and its general clustering costs more than the glyphs of a page need.
    """
    return _dedupe(chars, _CHAR_KEY, _CHAR_TOP, _CHAR_X0, tolerance)


_CHAR_KEY = itemgetter("upright", "text", "fontname", "size")
_CHAR_TOP, _CHAR_X0 = itemgetter("doctop"), itemgetter("x0")
#: PDFium's glyphs (:mod:`parsers.pdfium_source`), as they come: every one upright, its top its ``doctop``.
_GLYPH_KEY = attrgetter("text", "font", "size")
_GLYPH_TOP, _GLYPH_X0 = attrgetter("top"), attrgetter("x0")


def _dedupe(items: list[Any], key: Any, top: Any, x0: Any, tolerance: float = 1) -> list[Any]:
    """``dedupe_chars`` on items whose fields the getters read: pdfplumber's chars or PDFium's records."""
    groups: dict[Any, list[Any]] = {}
    for c in items:
        groups.setdefault(key(c), []).append(c)
    dropped: set[int] = set()
    for group in groups.values():
        if len(group) == 1:
            continue
        for y_cluster in _clusters(group, top, tolerance):
            if len(y_cluster) == 1:
                continue
            for x_cluster in _clusters(y_cluster, x0, tolerance):
                if len(x_cluster) > 1:
                    keep = min(x_cluster, key=lambda c: (top(c), x0(c)))
                    dropped.update(id(c) for c in x_cluster if c is not keep)
    return [c for c in items if id(c) not in dropped] if dropped else list(items)


def _clusters(items: list[Any], value: Any, tolerance: float) -> list[list[Any]]:
    """pdfplumber's ``cluster_objects``: the distinct values, sorted, chained while each is within
    ``tolerance`` of the one before; the items by cluster, in their order within it."""
    values = sorted({value(c) for c in items})
    cluster_of: dict[float, int] = {}
    n, last = 0, values[0]
    for v in values:
        if not v <= last + tolerance:
            n += 1
        cluster_of[v] = n
        last = v
    if n + 1 == len(items):
        return [[c] for c in items]  # every item alone (the order of singletons does not matter here)
    clusters: list[list[Any]] = [[] for _ in range(n + 1)]
    for c in items:
        clusters[cluster_of[value(c)]].append(c)
    return clusters


def chars_to_glyphs(chars: list[dict[str, Any]]) -> tuple[list[Glyph], int]:
    """pdfplumber's chars (from either source) -> glyphs, duplicates dropped; and how many glyphs map to
    no character."""
    glyphs: list[Glyph] = []
    unmapped = 0
    for ch in dedupe_chars(chars):
        text = ch["text"]
        if text.startswith("(cid:"):
            unmapped += 1
            text = _UNMAPPED
        elif not text.strip():
            continue
        glyphs.append(Glyph(text.translate(_FOLD), ch["x0"], ch["top"], ch["x1"], ch["bottom"], ch.get("size") or 10.0))
    return glyphs, unmapped


def dedupe_glyphs(glyphs: list[Glyph]) -> list[Glyph]:
    """PDFium's glyphs, as they come (characters not folded yet), duplicates dropped and characters folded:
    what ``chars_to_glyphs`` makes of the same glyphs as pdfplumber's chars (every one a printed character,
    none unmapped: PDFium declines those)."""
    kept = _dedupe(glyphs, _GLYPH_KEY, _GLYPH_TOP, _GLYPH_X0)
    fold = _FOLD_CHARS
    for g in kept:
        if g.text in fold:
            g.text = fold[g.text]
        if not g.size:
            g.size = 10.0
    return kept


def page_to_glyphs(page: pdfplumber.page.Page) -> tuple[pdfplumber.page.Page, list[Glyph], int, bool]:
    """The page with invisible graphics dropped (for the table finder); its glyphs, duplicates dropped;
    how many glyphs map to no character; whether it shows images."""
    drawn = page.filter(_visible_graphic)
    glyphs, unmapped = chars_to_glyphs(page.chars)
    return drawn, glyphs, unmapped, bool(page.images)


# --- lines and segments -------------------------------------------------------------


_TOP_X0, _X0 = attrgetter("top", "x0"), attrgetter("x0")


def glyphs_to_lines(glyphs: list[Glyph]) -> list[Line]:
    """Glyphs on one baseline, left to right; lines top to bottom."""
    lines: list[Line] = []
    for g in sorted(glyphs, key=_TOP_X0):
        centre = (g.top + g.bottom) / 2
        if lines and lines[-1].top <= centre <= lines[-1].bottom:
            line = lines[-1]
            line.glyphs.append(g)
            line.bottom = max(line.bottom, g.bottom)
        else:
            lines.append(Line(glyphs=[g], top=g.top, bottom=g.bottom))
    for line in lines:
        line.glyphs.sort(key=_X0)
        line.x0 = line.glyphs[0].x0
        line.x1 = max(g.x1 for g in line.glyphs)
        line.size = _median([g.size for g in line.glyphs])
        line.segments = _segments(line.glyphs, line.size)
    return lines


def _median(values: list[float]) -> float:
    """``statistics.median`` (the same value), without its overhead: it runs once per line and per cell."""
    values.sort()
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def _segments(glyphs: list[Glyph], size: float) -> list[Segment]:
    segments: list[Segment] = []
    parts: list[str] = []
    start = prev = glyphs[0]
    top, bottom = start.top, start.bottom
    for g in glyphs[1:]:
        gap = g.x0 - prev.x1
        if gap > COLUMN_GAP * size:
            segments.append(Segment("".join(parts) + prev.text, start.x0, top, prev.x1, bottom))
            parts, start, top, bottom = [], g, g.top, g.bottom
        else:
            parts.append(prev.text + (" " if gap > SPACE_GAP * size else ""))
            top, bottom = min(top, g.top), max(bottom, g.bottom)
        prev = g
    segments.append(Segment("".join(parts) + prev.text, start.x0, top, prev.x1, bottom))
    return segments


def _cell_text(glyphs: list[Glyph]) -> str:
    """A cell's text: its lines joined without space (a label wrapped in a narrow cell is one label)."""
    if not glyphs:
        return ""
    return "".join(line.text.strip() for line in glyphs_to_lines(glyphs))


# --- ruled tables ---------------------------------------------------------------


def _cluster(values: list[float], tolerance: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tolerance:
            continue
        out.append(v)
    return out


def _nearest(coords: list[float], value: float) -> int:
    i = bisect_right(coords, value)
    if i == 0:
        return 0
    if i == len(coords):
        return len(coords) - 1
    return i if coords[i] - value < value - coords[i - 1] else i - 1


def table_to_grid(cells: list[_BBox], glyphs: list[Glyph], page: int) -> TableBlock | None:
    """A ruled table's cells (pdfplumber's bboxes; a merged cell is one big box) -> a grid.

    The grid lines are every distinct cell edge; a cell covering several grid
    positions is copied into each, flagged ``rowspan_copy``/``colspan_copy``,
    as the HTML reader expands ``rowspan``/``colspan``. None for a box of one
    column: a frame around text, not a table.
    """
    xs = _cluster([c[0] for c in cells] + [c[2] for c in cells])
    ys = _cluster([c[1] for c in cells] + [c[3] for c in cells])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 2:
        return None
    owner: list[list[int | None]] = [[None] * n_cols for _ in range(n_rows)]
    origin: list[tuple[int, int]] = []
    boxes: list[_BBox] = []
    for box in sorted(cells, key=lambda c: (c[1], c[0])):
        c0, c1 = _nearest(xs, box[0]), _nearest(xs, box[2])
        r0, r1 = _nearest(ys, box[1]), _nearest(ys, box[3])
        if c1 <= c0 or r1 <= r0:
            continue
        k = len(boxes)
        boxes.append(tuple(round(v, 2) for v in box))  # type: ignore[arg-type]
        origin.append((r0, c0))
        for r in range(r0, r1):
            for c in range(c0, c1):
                if owner[r][c] is None:
                    owner[r][c] = k
    contents: list[list[Glyph]] = [[] for _ in boxes]
    for g in glyphs:
        c = bisect_right(xs, (g.x0 + g.x1) / 2) - 1
        r = bisect_right(ys, (g.top + g.bottom) / 2) - 1
        if 0 <= r < n_rows and 0 <= c < n_cols and (k := owner[r][c]) is not None:
            contents[k].append(g)
    texts = [_cell_text(c) for c in contents]
    block = TableBlock(index=-1)
    for r in range(n_rows):
        row: list[GridCell] = []
        for c in range(n_cols):
            k = owner[r][c]
            if k is None:  # a hole in the ruling
                row.append(GridCell(text="", row=r, col=c, page=page))
                continue
            r0, c0 = origin[k]
            row.append(
                GridCell(
                    text=texts[k], row=r, col=c, page=page, bbox=boxes[k], rowspan_copy=r > r0, colspan_copy=c > c0
                )
            )
        block.rows.append(row)
    return block


def _contains(outer: _BBox, inner: _BBox, slack: float = 1.0) -> bool:
    return (
        outer[0] - slack <= inner[0]
        and outer[1] - slack <= inner[1]
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


# --- tables without ruling lines ------------------------------------------------------


def _is_value_segment(s: Segment) -> bool:
    return looks_like_value(s.text) or is_annotated_number(s.text)


def _n_values(line: Line) -> int:
    return sum(1 for s in line.segments if _is_value_segment(s))


def _same_size(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) <= 0.15 * max(a.size, b.size)


@dataclass
class _Region:
    start: int
    end: int  # inclusive
    data: list[int]
    value_left: float


def _table_like(line: Line, value_left: float) -> bool:
    """A line that can stand in a table: several cells, or one that stays on its side of the label/value edge."""
    if len(line.segments) >= 2:
        return True
    tolerance = 0.5 * line.size
    return line.x1 <= value_left + tolerance or line.x0 >= value_left - tolerance


def _find_regions(lines: list[Line]) -> list[_Region]:
    """Runs of lines that make a table without ruling lines.

    Lines with two or more numbers anchor a region; consecutive anchors join
    when the lines between could stand in a table (``_table_like``), are in
    the same type size, and no gap between lines is wider than ``ROW_GAP``.
    A region then takes in the header lines above it, and below it the rows
    with one number and the labels wrapped onto lines of their own. It is a
    table if it has two rows of numbers, or one under a header of several
    cells.
    """
    data = [i for i, line in enumerate(lines) if _n_values(line) >= 2]
    regions: list[_Region] = []
    for i in data:
        left = min(s.x0 for s in lines[i].segments if _is_value_segment(s))
        region = regions[-1] if regions else None
        if region and region.end < i and _same_size(lines[region.data[-1]], lines[i]):
            between = lines[region.end + 1 : i]
            edge = min(region.value_left, left)
            chain = lines[region.end : i + 1]
            near = all(b.top - a.bottom <= ROW_GAP * lines[i].size for a, b in pairwise(chain))
            if near and all(_table_like(ln, edge) and _same_size(ln, lines[i]) for ln in between):
                region.end, region.value_left = i, edge
                region.data.append(i)
                continue
        regions.append(_Region(start=i, end=i, data=[i], value_left=left))
    accepted: list[_Region] = []
    for n, region in enumerate(regions):
        first = lines[region.start]
        stop = regions[n + 1].start if n + 1 < len(regions) else len(lines)
        # header lines above the first row of numbers
        start = region.start
        while start > 0 and region.start - start < 6:
            above = lines[start - 1]
            if not (_same_size(above, first) and _table_like(above, region.value_left)):
                break
            if lines[start].top - above.bottom > ROW_GAP * first.size:
                break
            if accepted and start - 1 <= accepted[-1].end:
                break
            start -= 1
        # rows below the last with two numbers: rows with one, and wrapped labels
        end, labels_only = region.end, 0
        while end + 1 < stop and labels_only < 3:
            below = lines[end + 1]
            if not _same_size(below, first) or below.top - lines[end].bottom > ROW_GAP * first.size:
                break
            if _n_values(below) and _table_like(below, region.value_left):
                labels_only = 0
            elif len(below.segments) == 1 and below.x1 <= region.value_left + below.size:
                labels_only += 1
            else:
                break
            end += 1
        headers = [ln for ln in lines[start : region.start] if len(ln.segments) >= 2]
        if len(region.data) >= 2 or headers:
            accepted.append(_Region(start=start, end=end, data=region.data, value_left=region.value_left))
    return accepted


def _columns(lines: list[Line], value_left: float) -> list[tuple[float, float]]:
    """Value columns: the x-ranges where the numbers of the data lines stand, overlapping ranges merged."""
    spans = sorted(
        (s.x0, s.x1) for line in lines for s in line.segments if _is_value_segment(s) and s.x0 >= value_left - 1
    )
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + 1:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _column_of(segment: Segment, columns: list[tuple[float, float]]) -> tuple[int, int]:
    """The first and last column a segment overlaps (the nearest one when it overlaps none)."""
    hits = [i for i, (a, b) in enumerate(columns) if segment.x0 <= b and segment.x1 >= a]
    if hits:
        return hits[0], hits[-1]
    centre = (segment.x0 + segment.x1) / 2
    nearest = min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - centre))
    return nearest, nearest


def _union(segments: list[Segment]) -> _BBox:
    return (
        round(min(s.x0 for s in segments), 2),
        round(min(s.top for s in segments), 2),
        round(max(s.x1 for s in segments), 2),
        round(max(s.bottom for s in segments), 2),
    )


def _region_to_grid(lines: list[Line], region: _Region, page: int) -> TableBlock:
    """One unruled table: a label column (everything left of the numbers) and one column per value column.

    A line with labels only, after the first row of numbers, is a wrapped label: it joins the row of
    numbers nearest to it (numbers are often centred beside a label of two lines). A row whose
    values leave the first and the last column empty was printed across merged columns: its values
    are read in order.
    """
    data_set = set(region.data)
    columns = _columns([lines[i] for i in region.data], region.value_left)
    first_data = region.data[0]
    rows: list[tuple[list[Segment], list[Segment]]] = []  # (label segments, value segments) per grid row
    row_of_line: dict[int, int] = {}
    for i in range(region.start, region.end + 1):
        line = lines[i]
        labels = [s for s in line.segments if s.x1 <= region.value_left + 0.5 * line.size and not _is_value_segment(s)]
        values = [s for s in line.segments if s not in labels]
        if i in data_set or i < first_data or values:  # numbers, a header, or a row spanning the value columns
            row_of_line[i] = len(rows)
            rows.append((labels, values))
    for i in range(first_data, region.end + 1):
        if i in row_of_line:
            continue
        line = lines[i]
        nearest = min(region.data, key=lambda d: (abs(lines[d].top - line.top), lines[d].top > line.top))
        labels, _ = rows[row_of_line[nearest]]
        labels.extend(line.segments)
    block = TableBlock(index=-1)
    width = len(columns) + 1
    has_labels = any(labels for labels, _ in rows)  # a table of numbers only (part 四) has no label column
    for r, (labels, values) in enumerate(rows):
        labels.sort(key=lambda s: (s.top, s.x0))
        label = GridCell(text="".join(s.text for s in labels), row=r, col=0, page=page)
        label.bbox = _union(labels) if labels else None
        row = [label] if has_labels else []
        placed = [(_column_of(s, columns), s) for s in values]
        is_data = any(_is_value_segment(s) for s in values)
        if is_data and placed and all(a > 0 and b < len(columns) - 1 for (a, b), _ in placed):
            for s in values:  # printed across merged columns: in order
                row.append(GridCell(text=s.text, row=r, col=len(row), page=page, bbox=_union([s])))
            block.rows.append(row)
            continue
        offset = len(row)
        slots: list[GridCell | None] = [None] * (width - 1)
        for (a, b), s in placed:
            if slots[a] is not None:  # two segments in one column: one cell
                slots[a].text += s.text  # type: ignore[union-attr]
                continue
            for c in range(a, b + 1):
                slots[c] = GridCell(text=s.text, row=r, col=c + offset, page=page, bbox=_union([s]), colspan_copy=c > a)
        row += [slot or GridCell(text="", row=r, col=c + offset, page=page) for c, slot in enumerate(slots)]
        block.rows.append(row)
    return block


def lines_to_unruled_tables(lines: list[Line], page: int) -> tuple[list[tuple[float, TableBlock]], list[Line]]:
    """Tables drawn without ruling lines, found by their columns of numbers; and the lines left over."""
    tables: list[tuple[float, TableBlock]] = []
    used: set[int] = set()
    for region in _find_regions(lines):
        tables.append((lines[region.start].top, _region_to_grid(lines, region, page)))
        used.update(range(region.start, region.end + 1))
    return tables, [line for i, line in enumerate(lines) if i not in used]


# --- paragraphs -------------------------------------------------------------------


def _continues(prev: Line, line: Line, left: float, right: float, indented: bool, same_page: bool = True) -> bool:
    """Whether ``line`` wraps on from ``prev`` in one paragraph.

    Where paragraphs open with a first-line indent (``indented``, as Chinese
    documents do), any line flush with the left edge continues one; else a
    line continues one only after a line that ran to the right edge.
    """
    size = max(prev.size, line.size)
    if not _same_size(prev, line) or _HEADING_START_RE.match(line.text):
        return False
    if same_page and line.top - prev.bottom > 0.9 * size:
        return False
    if line.x0 > left + (1.0 if indented else 1.5) * size:
        return False
    return indented or prev.x1 >= right - 2.5 * size


def _title_continues(prev: Line, line: Line, left: float, right: float, body_size: float) -> bool:
    """A title in large type, centred over two lines ("…政府信息公开工作" / "年度报告"), is one paragraph."""
    middle = (left + right) / 2
    return (
        _same_size(prev, line)
        and line.size >= 1.15 * body_size
        and line.top - prev.bottom <= 0.9 * line.size
        and abs((prev.x0 + prev.x1) / 2 - middle) <= line.size
        and abs((line.x0 + line.x1) / 2 - middle) <= line.size
        and line.x0 > left + 2 * line.size
    )


def _uses_indent(lines: list[Line], left: float) -> bool:
    """Whether paragraphs open with a first-line indent (of one to three characters)."""
    return sum(1 for ln in lines if left + 1.2 * ln.size <= ln.x0 <= left + 3.2 * ln.size) >= 2


def _join(a: str, b: str) -> str:
    return a + (" " if a[-1:].isascii() and a[-1:].isalnum() and b[:1].isascii() and b[:1].isalnum() else "") + b


def lines_to_paragraphs(
    lines: list[Line], page: int, height: float
) -> tuple[list[tuple[float, Paragraph, Line, Line]], float, float, bool]:
    """Lines joined into paragraphs, page numbers in the margins dropped. Returns (top, paragraph,
    first line, last line) per paragraph; the left and right edges of the text; whether its
    paragraphs open with an indent."""
    body = [
        ln
        for ln in lines
        if not (
            (ln.bottom < MARGIN_BAND * height or ln.top > (1 - MARGIN_BAND) * height) and _PAGE_NUMBER_RE.match(ln.text)
        )
    ]
    if not body:
        return [], 0.0, 0.0, False
    left = min(ln.x0 for ln in body)
    right = max(ln.x1 for ln in body)
    indented = _uses_indent(body, left)
    body_size = median(ln.size for ln in body)
    out: list[tuple[float, Paragraph, Line, Line]] = []
    for line in body:
        text = line.text.strip()
        if out and (
            _continues(out[-1][3], line, left, right, indented)
            or _title_continues(out[-1][3], line, left, right, body_size)
        ):
            top, paragraph, first, _ = out[-1]
            paragraph.text = _join(paragraph.text, text)
            out[-1] = (top, paragraph, first, line)
        else:
            out.append((line.top, Paragraph(text=text, page=page), line, line))
    return out, left, right, indented


# --- pages and the document ---------------------------------------------------------


def page_to_blocks(page: pdfplumber.page.Page, number: int) -> PageReading:
    """One page read by pdfplumber (the reference path): its glyphs and ruled tables, then the shared steps."""
    try:
        clean, glyphs, unmapped, has_images = page_to_glyphs(page)
        found = clean.find_tables() if glyphs else []
    except _DAMAGE as exc:
        raise CorruptDocument(f"page {number} of the PDF cannot be read ({_describe_exception(exc)})") from None
    return glyphs_to_reading(number, float(page.height), glyphs, unmapped, has_images, found)


def glyphs_to_reading(
    number: int, height: float, glyphs: list[Glyph], unmapped: int, has_images: bool, found: list[Table]
) -> PageReading:
    """One page: ruled tables (``found`` by pdfplumber's table finder), unruled tables and paragraphs,
    top to bottom. Both sources of glyphs and ruling lines meet here."""
    reading = PageReading(number=number)
    reading.unmapped = unmapped
    if not glyphs:
        reading.state = "scan" if has_images else "empty"
        return reading
    if unmapped > len(glyphs) / 2:
        reading.state = "unmapped"
        return reading
    boxes = [t.bbox for t in found]  # a glyph is inside a box when its centre is
    tables: list[tuple[float, TableBlock]] = []
    claimed: list[_BBox] = []
    centres = [((g.x0 + g.x1) / 2, (g.top + g.bottom) / 2) for g in glyphs] if found else []
    for table, box in zip(found, boxes, strict=True):
        if any(other is not box and _contains(box, other) for other in boxes):
            continue  # a frame around other tables
        x0, top, x1, bottom = box
        inside = [g for g, (x, y) in zip(glyphs, centres, strict=True) if x0 <= x <= x1 and top <= y <= bottom]
        grid = table_to_grid(table.cells, inside, number)
        if grid is not None:
            tables.append((box[1], grid))
            claimed.append(box)
    rest = glyphs
    if claimed:
        rest = [
            g
            for g, (x, y) in zip(glyphs, centres, strict=True)
            if not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in claimed)
        ]
    lines = glyphs_to_lines(rest)
    unruled, lines = lines_to_unruled_tables(lines, number)
    paragraphs, reading.left, reading.right, reading.indented = lines_to_paragraphs(lines, number, height)
    if paragraphs:
        reading.first_line, reading.last_line = paragraphs[0][2], paragraphs[-1][3]
    items: list[tuple[float, Paragraph | TableBlock]] = [*tables, *unruled, *((p[0], p[1]) for p in paragraphs)]
    reading.blocks = sorted(items, key=lambda item: item[0])
    return reading


def _page_list(pages: list[int]) -> str:
    return ", ".join(str(p) for p in pages[:10]) + (" …" if len(pages) > 10 else "")


def readings_to_document(readings: list[PageReading]) -> Document:
    """Pages in order; a paragraph that runs on over a page break joined; unreadable pages noted."""
    blocks: list[Paragraph | TableBlock] = []
    notes: list[tuple[str, str]] = []
    previous: PageReading | None = None
    for reading in readings:
        items = [block for _, block in reading.blocks]
        if (
            previous is not None
            and items
            and blocks
            and isinstance(items[0], Paragraph)
            and isinstance(blocks[-1], Paragraph)
            and previous.last_line is not None
            and reading.first_line is not None
            and previous.blocks
            and previous.blocks[-1][1] is blocks[-1]
            and _continues(
                previous.last_line,
                reading.first_line,
                min(previous.left, reading.left),
                previous.right,
                previous.indented or reading.indented,
                same_page=False,
            )
        ):
            blocks[-1].text = _join(blocks[-1].text, items.pop(0).text)  # type: ignore[union-attr]
        blocks.extend(items)
        if reading.state == "text" or reading.blocks:
            previous = reading
        if reading.unmapped and reading.state == "text":
            notes.append(
                (
                    "glyphs_unmapped",
                    f"page {reading.number}: {reading.unmapped} glyph(s) map to no character "
                    f"(their font has no Unicode map); shown as {_UNMAPPED}, never read as numbers",
                )
            )
    n = 0
    for block in blocks:
        if isinstance(block, TableBlock):
            block.index = n
            n += 1
    scans = [r.number for r in readings if r.state == "scan"]
    unmapped = [r.number for r in readings if r.state == "unmapped"]
    if not any(r.state == "text" for r in readings):
        if unmapped:
            raise NeedsOCR(
                f"no readable text: the glyphs on page(s) {_page_list(unmapped)} map to no characters "
                "(fonts without a Unicode map); it needs OCR"
            )
        if scans:
            raise NeedsOCR(f"no text layer: page(s) {_page_list(scans)} are images (a scan?); it needs OCR")
        raise EmptyDocument("the PDF's pages are blank: no text and no images")
    if scans:
        notes.append(("pages_unreadable", f"page(s) {_page_list(scans)} have no text layer (scanned?); not read"))
    if unmapped:
        notes.append(
            ("pages_unreadable", f"page(s) {_page_list(unmapped)} print glyphs that map to no characters; not read")
        )
    return Document(blocks=blocks, format="pdf", notes=notes)


#: The ways to read a PDF: ``pdfium`` (fast; may decline), ``pdfplumber`` (the reference), ``auto`` (the first,
#: the second where it declines).
ENGINES = ("auto", "pdfium", "pdfplumber")


def pdf_to_document(data: bytes, deadline: Deadline | None = None, engine: str = "auto") -> Document:
    """Read a PDF's text layer into paragraphs and grids. Raises a ParseError on damaged, encrypted,
    empty, over-long or text-less PDFs.

    ``auto`` reads with PDFium and, where PDFium declines (see :mod:`parsers.pdfium_source`), with
    pdfplumber; both feed the same steps, and tests/test_pdf_engines.py holds their documents equal.
    ``pdfium`` raises :class:`~parsers.pdfium_source.Declined` instead of falling back."""
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}; one of {', '.join(ENGINES)}")
    deadline = deadline or Deadline(None)
    if engine != "pdfplumber":
        try:
            return pdfium_to_document(data, deadline)
        except Declined:
            if engine == "pdfium":
                raise
    return pdfplumber_to_document(data, deadline)


def pdfium_to_document(data: bytes, deadline: Deadline) -> Document:
    """The fast path: glyphs and ruling lines from PDFium, tables by pdfplumber's own finder, then the
    same steps as the reference path. Raises :class:`Declined` where PDFium cannot vouch for the result."""
    with open_document(data) as pdf:
        n_pages = len(pdf)
        if not n_pages:
            raise Declined("no pages")  # the reference path says so
        if n_pages > MAX_PAGES:
            raise TooLarge(f"the PDF has {n_pages} pages (limit {MAX_PAGES}); not an annual report")
        readings = []
        for number in range(1, n_pages + 1):
            deadline.check(f"reading page {number} of {n_pages}")
            page = load_page(pdf, number)
            try:
                width, height = page_geometry(page)
                textpage = page.get_textpage()
                try:
                    glyphs, unmapped = dedupe_glyphs(page_to_glyph_records(textpage, height, Glyph)), 0
                finally:
                    textpage.close()
                has_images = not glyphs and page_has_images(page)
                found = find_tables(RulingPage(page_to_edges(page, height), width, height)) if glyphs else []
            finally:
                page.close()
            readings.append(glyphs_to_reading(number, height, glyphs, unmapped, has_images, found))
    if not any(r.state == "text" for r in readings):
        raise Declined("no page with text")  # a scan or blank pages: the reference path says which
    return readings_to_document(readings)


def pdfplumber_to_document(data: bytes, deadline: Deadline) -> Document:
    """The reference path: everything through pdfplumber (pdfminer)."""
    pdf = open_pdf(data)
    with _quietly_closed(pdf):
        try:
            pages = pdf.pages
        except _DAMAGE as exc:
            raise CorruptDocument(f"the PDF's page tree cannot be read ({_describe_exception(exc)})") from None
        if not pages:
            raise EmptyDocument("the PDF has no pages")
        if len(pages) > MAX_PAGES:
            raise TooLarge(f"the PDF has {len(pages)} pages (limit {MAX_PAGES}); not an annual report")
        readings = []
        for number, page in enumerate(pages, start=1):
            deadline.check(f"reading page {number} of {len(pages)}")
            readings.append(page_to_blocks(page, number))
            page.close()
    return readings_to_document(readings)

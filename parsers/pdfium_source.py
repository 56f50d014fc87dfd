"""PDFium as the PDF reader's source of glyphs and ruling lines: the fast path of :mod:`parsers.pdf`.

pdfplumber builds its objects by interpreting every content stream in pure
Python (pdfminer); PDFium does the same work in C. This module asks PDFium
(through pypdfium2's raw bindings) for what the PDF reader uses and hands it
over in the shapes pdfplumber gives, so that the reader's own steps and
pdfplumber's table algorithms (edge merging, intersections, cells) run
unchanged on it:

``page_to_glyph_records``  the text layer: one glyph (text, box, size, font) per printed character, in
                    page coordinates from the top-left, as pdfplumber's chars give them
``page_to_edges``   the visible ruling lines: every stroked (or filled rectangular) path split into
                    pdfplumber's line, rect and curve objects (pdfminer's rules for the split), then into
                    edges by pdfplumber's own ``obj_to_edges``
``RulingPage``      what pdfplumber's ``TableFinder`` needs of a page: its edges and its bbox
``find_tables``     pdfplumber's ``TableFinder`` on such a page, step by step with pdfplumber's functions,
                    but for ``intersections_to_cells``, computed the same way without its per-call costs

It lives apart from :mod:`parsers.pdf` (one reader per format) because it is
a second source for the same reader, with its own native-library concerns
(PDFium is not thread-safe: one lock; a forked child gets a fresh one).

Where PDFium cannot vouch for giving what pdfplumber gives, it declines
(:class:`Declined`) and the reader goes the reference way, through
pdfplumber: a PDF PDFium cannot open (encrypted with a user password,
damaged), a rotated or offset page, a glyph PDFium maps to no character, a
glyph set at an angle, a document without any glyph (a scan: the reference
path says why). One thing is known to differ: pdfminer places a glyph's box
from the font's declared ``/Descent``, which this source takes as 0 (as every
LibreOffice-made PDF declares it); for a font that declares another descent,
glyph boxes sit that fraction of the font size higher than pdfplumber's.
"""

from __future__ import annotations

import ctypes
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils import obj_to_edges
from pdfplumber.utils.geometry import bbox_getter

#: PDFium keeps global state and is not thread-safe: one caller at a time in a process.
_LOCK = threading.Lock()


def _fresh_lock() -> None:
    """A forked child starts with the lock as its parent's thread left it: give it a free one."""
    global _LOCK
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock)

_NOT_TEXT = frozenset(map(chr, (0, 0xFFFE, 0xFFFF)))
_CLOSE_WITH_LINE = re.compile(r"m[^m]+")


class Declined(Exception):
    """PDFium cannot vouch for this document: read it the reference way (pdfplumber)."""


class RulingPage:
    """The part of a pdfplumber page that ``pdfplumber.table.TableFinder`` reads with the "lines" strategy."""

    def __init__(self, edges: list[dict[str, Any]], width: float, height: float) -> None:
        self.edges = edges
        self.bbox = (0.0, 0.0, width, height)


def find_tables(page: RulingPage) -> list[Table]:
    """``TableFinder(page).tables``: pdfplumber's edge merging, intersections and grouping of cells into
    tables, with its ``intersections_to_cells`` replaced by :func:`intersections_to_cells` (the same cells in
    the same order; tests/test_pdf_engines.py holds them equal on every fixture page)."""
    finder = TableFinder.__new__(TableFinder)
    finder.page = page  # type: ignore[assignment]
    finder.settings = TableSettings.resolve(None)
    finder.edges = finder.get_edges()
    finder.intersections = edges_to_intersections(
        finder.edges, finder.settings.intersection_x_tolerance, finder.settings.intersection_y_tolerance
    )
    finder.cells = intersections_to_cells(finder.intersections)
    finder.tables = [Table(page, group) for group in cells_to_tables(finder.cells)]  # type: ignore[arg-type]
    return finder.tables


def intersections_to_cells(intersections: dict[tuple[float, float], dict[str, list[dict[str, Any]]]]) -> list:
    """pdfplumber's ``table.intersections_to_cells``, the same cells in the same order: for each point (in
    sorted order), the smallest cell it opens, the points below and to its right tried in order, two points
    joined where one ruling edge (by its box) touches both. pdfplumber builds each point's set of edge boxes
    anew for every pair it tries (and evaluates a typing annotation each time, in a nested ``def``); here each
    set is built once, and the points below and to the right come from per-column and per-row lists."""
    points = sorted(intersections)
    v_boxes = {p: frozenset(map(bbox_getter, intersections[p]["v"])) for p in points}
    h_boxes = {p: frozenset(map(bbox_getter, intersections[p]["h"])) for p in points}
    columns: dict[float, list[tuple[float, float]]] = {}
    rows: dict[float, list[tuple[float, float]]] = {}
    places = []  # per point: its column and row, and its place in each
    for p in points:  # sorted by x, then y: a column's points top to bottom, a row's left to right
        column, row = columns.setdefault(p[0], []), rows.setdefault(p[1], [])
        places.append((column, len(column), row, len(row)))
        column.append(p)
        row.append(p)

    def vertical(p1: tuple[float, float], p2: tuple[float, float]) -> bool:  # same x
        return not v_boxes[p1].isdisjoint(v_boxes[p2])

    def horizontal(p1: tuple[float, float], p2: tuple[float, float]) -> bool:  # same y
        return not h_boxes[p1].isdisjoint(h_boxes[p2])

    cells = []
    for pt, (column, i, row, j) in zip(points, places, strict=True):
        below, right = column[i + 1 :], row[j + 1 :]
        found = None
        for below_pt in below:
            if not vertical(pt, below_pt):
                continue
            for right_pt in right:
                if not horizontal(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in v_boxes and vertical(corner, right_pt) and horizontal(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


@contextmanager
def open_document(data: bytes) -> Iterator[pdfium.PdfDocument]:
    """The document, under the lock; :class:`Declined` when PDFium cannot open it."""
    with _LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise Declined(f"PDFium cannot open it ({exc})") from None
        try:
            yield doc
        finally:
            doc.close()


def load_page(pdf: pdfium.PdfDocument, number: int) -> pdfium.PdfPage:
    """Page ``number`` (1-based); :class:`Declined` when PDFium cannot load it (a damaged page object:
    the reference path then reads the document, or says what is wrong with it)."""
    try:
        return pdf[number - 1]
    except pdfium.PdfiumError as exc:
        raise Declined(f"PDFium cannot load page {number} ({exc})") from None


def page_geometry(page: pdfium.PdfPage) -> tuple[float, float]:
    """Width and height of a page whose coordinates pdfplumber and PDFium share (no rotation, no offset)."""
    media = page.get_mediabox()
    if page.get_rotation() or media[0] or media[1] or page.get_cropbox() != media:
        raise Declined("a rotated, offset or cropped page")
    return media[2], media[3]


# --- glyphs ---------------------------------------------------------------------------------


def _plain(fn: Any, restype: Any, *argtypes: Any) -> Any:
    """A PDFium function with handles as plain integers: pypdfium2's typed pointers cost a ctypes cast
    per call, and the glyph loop makes several calls per glyph."""
    address = ctypes.cast(fn, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_P, _I, _D, _F = ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_float)
_count_chars = _plain(pdfium_c.FPDFText_CountChars, _I, _P)
_get_unicode = _plain(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, _P, _I)
_get_text_object = _plain(pdfium_c.FPDFText_GetTextObject, _P, _P, _I)
_get_origin = _plain(pdfium_c.FPDFText_GetCharOrigin, _I, _P, _I, _D, _D)
_get_loose_box = _plain(pdfium_c.FPDFText_GetLooseCharBox, _I, _P, _I, ctypes.POINTER(pdfium_c.FS_RECTF))
_unmapped = _plain(pdfium_c.FPDFText_HasUnicodeMapError, _I, _P, _I)
_get_text = _plain(pdfium_c.FPDFText_GetText, _I, _P, _I, _I, ctypes.c_void_p)


def _untyped(fn: Any, restype: Any) -> Any:
    """A PDFium function called without declared argument types, for the calls made once per glyph: ctypes
    then passes Python ints as C ints and ctypes objects as they are, without converting each argument
    through its declared type (2-3 times faster a call). The handle must be passed as a ``c_void_p``
    (a bare int would be cut to 32 bits)."""
    address = ctypes.cast(fn, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype)(address)


_glyph_object = _untyped(pdfium_c.FPDFText_GetTextObject, _P)
_glyph_origin = _untyped(pdfium_c.FPDFText_GetCharOrigin, _I)
_glyph_unmapped = _untyped(pdfium_c.FPDFText_HasUnicodeMapError, _I)


def page_to_glyph_records(textpage: pdfium.PdfTextPage, height: float, make: Any) -> list[Any]:
    """Every printed glyph as ``make(text, x0, top, x1, bottom, size, font)`` (the PDF reader's ``Glyph``;
    ``font`` an identity that glyphs of one font share), whitespace and PDFium's generated characters left
    out (the reader drops them), in PDFium's order (content-stream order, as pdfminer's).

    The box runs from the origin on the baseline across the advance width, the font size high (pdfminer's
    box, for a font whose ``/Descent`` is 0). PDFium gives no advance width as pdfminer reads it from the
    font's widths; within a run of text it is where the next glyph of the same text object starts (as it
    is in pdfminer's boxes, runs without character spacing abut), and for the last glyph of a run the
    width of PDFium's loose box.
    """
    raw = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    handle = ctypes.c_void_p(raw)
    ox, oy, box = ctypes.c_double(), ctypes.c_double(), pdfium_c.FS_RECTF()
    ox_ref, oy_ref, box_ref = ctypes.byref(ox), ctypes.byref(oy), ctypes.byref(box)
    get_object, get_origin, unmapped = _glyph_object, _glyph_origin, _glyph_unmapped
    objects: dict[int, tuple[int, float]] = {}
    records: list[Any] = []
    last: Any = None  # the glyph before, while its run may go on
    last_key = last_index = 0
    last_x0 = last_reach = last_bottom = 0.0
    n = _count_chars(raw)
    texts = _page_text(raw, n)
    not_text = _NOT_TEXT
    for i in range(n):
        key = get_object(handle, i)
        if not key:  # generated by PDFium (a space, a line break): not in the content stream
            continue
        get_origin(handle, i, ox_ref, oy_ref)
        x, bottom = ox.value, height - oy.value
        if last is not None:
            if key == last_key and bottom == last_bottom and last_x0 < x <= last_reach:
                last.x1 = x
            else:  # the last glyph of a run: as wide as PDFium's loose box
                _get_loose_box(raw, last_index, box_ref)
                last.x1 = max(box.right, last_x0)
            last = None
        if unmapped(handle, i):
            raise Declined("a glyph PDFium maps to no character")
        text = texts[i] if texts is not None else chr(_get_unicode(raw, i))
        if text in not_text or text.isspace():
            continue
        font = objects.get(key)
        if font is None:
            font = objects[key] = _text_object_font(key)
        fontname, size = font
        last = make(text, x, bottom - size, x, bottom, size, fontname)
        last_key, last_index, last_x0, last_reach, last_bottom = key, i, x, x + 1.5 * size, bottom
        records.append(last)
    if last is not None:
        _get_loose_box(raw, last_index, box_ref)
        last.x1 = max(box.right, last_x0)
    return records


def _page_text(raw: int, n: int) -> str | None:
    """The characters of all ``n`` glyphs in one call, where the page's text is one character per glyph
    (no control character left out, nothing outside the Basic Multilingual Plane); else None."""
    if not n:
        return None
    buffer = ctypes.create_string_buffer(2 * (n + 1))
    written = _get_text(raw, 0, n, ctypes.addressof(buffer))
    if written != n + 1:
        return None
    text = buffer.raw[: 2 * n].decode("utf-16-le", errors="replace")
    if len(text) != n or any(ord(text[i]) != _get_unicode(raw, i) for i in (0, n // 2, n - 1)):
        return None  # not aligned with the glyphs after all: ask glyph by glyph
    return text


_MATRIX = pdfium_c.FS_MATRIX()
_MATRIX_REF = ctypes.byref(_MATRIX)
_TF = ctypes.c_float()
_TF_REF = ctypes.byref(_TF)
_object_matrix = _untyped(pdfium_c.FPDFPageObj_GetMatrix, _I)
_object_font_size = _untyped(pdfium_c.FPDFTextObj_GetFontSize, _I)
_object_font = _untyped(pdfium_c.FPDFTextObj_GetFont, _P)


def _text_object_font(obj: int) -> tuple[int, float]:
    """(font identity, size as pdfminer gives it) of a text object; declined when it is set at an angle."""
    matrix, handle = _MATRIX, ctypes.c_void_p(obj)
    if not (_object_matrix(handle, _MATRIX_REF) and _object_font_size(handle, _TF_REF)):
        raise Declined("a text object without matrix or size")
    if matrix.b or matrix.c or matrix.a <= 0 or matrix.d <= 0:
        raise Declined("text set at an angle, mirrored or on its side")
    return _object_font(handle) or 0, _TF.value * matrix.d


# --- ruling lines ---------------------------------------------------------------------------


def _is_white(r: int, g: int, b: int) -> bool:
    return min(r, g, b) >= 250  # 0.98 of 255, as the reference path's test on pdfplumber's colours


def _color(getter: Any, obj: Any) -> tuple[int, int, int] | None:
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not getter(obj, r, g, b, a):
        return None
    return r.value, g.value, b.value


_count_objects = _untyped(pdfium_c.FPDFPage_CountObjects, _I)
_get_object = _untyped(pdfium_c.FPDFPage_GetObject, _P)
_object_type = _untyped(pdfium_c.FPDFPageObj_GetType, _I)
_form_count_objects = _untyped(pdfium_c.FPDFFormObj_CountObjects, _I)
_form_get_object = _untyped(pdfium_c.FPDFFormObj_GetObject, _P)
_FORM, _PATH, _IMAGE = pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE


def _page_objects(page: pdfium.PdfPage) -> Iterator[tuple[int, int]]:
    """(kind, handle as an int) of every page object, form XObjects opened (as pdfminer's figures are), in
    content order. Untyped calls (see ``_untyped``): a page of text holds a thousand objects or more."""
    handle = ctypes.c_void_p(ctypes.cast(page.raw, ctypes.c_void_p).value)
    stack = [_get_object(handle, i) for i in reversed(range(_count_objects(handle)))]
    while stack:
        obj = stack.pop()
        if not obj:
            continue
        obj_handle = ctypes.c_void_p(obj)
        kind = _object_type(obj_handle)
        if kind == _FORM:
            stack.extend(_form_get_object(obj_handle, i) for i in reversed(range(_form_count_objects(obj_handle))))
        else:
            yield kind, obj


def page_has_images(page: pdfium.PdfPage) -> bool:
    return any(kind == _IMAGE for kind, _ in _page_objects(page))


def _path_points(obj: Any, height: float) -> tuple[str, list[tuple[float, float]]]:
    """A path's operators as pdfminer spells them (m, l, c, h) and its points in top-left coordinates."""
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
        raise Declined("a path without a matrix")
    a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    x, y = ctypes.c_float(), ctypes.c_float()
    ops: list[str] = []
    pts: list[tuple[float, float]] = []
    start: tuple[float, float] | None = None
    pending_curve = 0
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            ops.append("m")
            start = point
            pts.append(point)
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            ops.append("l")
            pts.append(point)
        elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:  # three points per curve; pdfminer keeps the last
            pending_curve += 1
            if pending_curve == 3:
                ops.append("c")
                pts.append(point)
                pending_curve = 0
        else:
            raise Declined("a path segment of unknown kind")
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            ops.append("h")
            pts.append(start)
    return "".join(ops), pts


def _path_objects(obj: Any, height: float, stroke: bool, fill: bool) -> list[dict[str, Any]]:
    """pdfminer's ``paint_path``: one object per subpath; a single segment is a line, a closed
    axis-aligned four-sided one a rect, anything else a curve (pdfplumber's dicts, the keys edges use)."""
    shape, pts = _path_points(obj, height)
    out: list[dict[str, Any]] = []
    for m in _CLOSE_WITH_LINE.finditer(shape):
        sub, sub_pts = m.group(0), pts[m.start() : m.end()]
        if len(sub) > 3 and sub[-2:] == "lh" and sub_pts[-2] == sub_pts[0]:
            sub = sub[:-2] + "h"
            sub_pts = sub_pts[:-2] + sub_pts[-1:]
        kind = "curve"
        if sub in ("mlh", "ml"):
            kind = "line"
            sub_pts = sub_pts[:2]
        elif sub in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = sub_pts
            if sub_pts[0] == sub_pts[4] and (
                (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
            ):
                kind = "rect"
        xs, ys = [p[0] for p in sub_pts], [p[1] for p in sub_pts]
        x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
        out.append(
            {
                "object_type": kind,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "doctop": top,
                "y0": height - bottom,
                "y1": height - top,
                "width": x1 - x0,
                "height": bottom - top,
                "pts": sub_pts,
                "stroke": stroke,
                "fill": fill,
            }
        )
    return out


def page_to_edges(page: pdfium.PdfPage, height: float) -> list[dict[str, Any]]:
    """The edges of every path that prints (stroked in a colour other than white, or a filled rectangle
    not white: as the reference path's ``_visible_graphic``), by pdfplumber's ``obj_to_edges``."""
    edges: list[dict[str, Any]] = []
    fill_mode, stroke_flag = ctypes.c_int(), ctypes.c_int()
    for kind, address in _page_objects(page):
        if kind != _PATH:
            continue
        obj = ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT)
        if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke_flag):
            continue
        stroke, fill = bool(stroke_flag.value), fill_mode.value != 0
        stroke_color = _color(pdfium_c.FPDFPageObj_GetStrokeColor, obj) if stroke else None
        fill_color = _color(pdfium_c.FPDFPageObj_GetFillColor, obj) if fill else None
        stroked = stroke and not (stroke_color is not None and _is_white(*stroke_color))
        filled = fill and not (fill_color is not None and _is_white(*fill_color))
        if not (stroked or filled):
            continue
        for item in _path_objects(obj, height, stroke, fill):
            if stroked or (filled and item["object_type"] == "rect"):
                edges.extend(obj_to_edges(item))
    return edges

"""The PDF reader's two ways give the same reports: the fast path (PDFium's glyphs and ruling lines,
pdfplumber's table finder) and the reference path (pdfplumber throughout).

Every fixture PDF is read both ways and must give the same document (paragraphs, every cell's text,
place and span flags; boxes within ``BOX_TOLERANCE`` points) and the same report. What PDFium cannot
vouch for it declines, and the reference path reads it: encrypted, damaged, text-less PDFs give
exactly the errors they gave before. Drawn cases (``scripts/minipdf.py``) cover what no fixture has.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import FIXTURES
from minipdf import MiniPdf

from parsers import parse_bytes
from parsers.errors import ParseError, TimeLimitExceeded
from parsers.grid import Document, Paragraph
from parsers.limits import Deadline, run_isolated
from parsers.match import document_to_report
from parsers.pdf import pdf_to_document
from parsers.pdfium_source import Declined

#: How far (PDF points) a cell's box may lie from the reference path's: glyph boxes differ by hundredths.
BOX_TOLERANCE = 1.0
#: minipdf's font declares ``/Descent -120``, which pdfminer hangs its glyph boxes from and the fast path
#: does not know (it takes 0, as LibreOffice's fonts declare): boxes of unruled cells sit 0.12 em higher.
DRAWN_BOX_TOLERANCE = 0.12 * 10.5 + 0.1

#: Every PDF among the fixtures that is a report: the LibreOffice documents and the portal mirror's attachments.
REPORT_PDFS = sorted((FIXTURES / "documents").glob("*.pdf")) + sorted((FIXTURES / "portals").rglob("*.pdf"))
BAD = FIXTURES / "bad"


def _shape(doc: Document) -> list[tuple]:
    """A document without its boxes: what must be identical."""
    out: list[tuple] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            out.append(("paragraph", block.page, block.text))
        else:
            rows = [[(c.text, c.row, c.col, c.page, c.rowspan_copy, c.colspan_copy) for c in row] for row in block.rows]
            out.append(("table", block.index, rows))
    return [*out, ("notes", tuple(doc.notes))]


def _boxes(doc: Document) -> list[tuple[float, float, float, float] | None]:
    return [c.bbox for t in doc.tables for row in t.rows for c in row]


def _assert_same_documents(fast: Document, reference: Document, tolerance: float = BOX_TOLERANCE) -> None:
    assert _shape(fast) == _shape(reference)
    for a, b in zip(_boxes(fast), _boxes(reference), strict=True):
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert max(abs(x - y) for x, y in zip(a, b, strict=True)) <= tolerance, (a, b)


def _report_without_boxes(doc: Document) -> dict:
    report = document_to_report(doc, source="x.pdf", sha256="0" * 64).to_json_dict()

    def strip(node):
        if isinstance(node, dict):
            return {k: (None if k == "bbox" else strip(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(report)


@pytest.mark.parametrize("path", REPORT_PDFS, ids=lambda p: p.name[-40:])
def test_every_fixture_pdf_reads_the_same_both_ways(path: Path) -> None:
    data = path.read_bytes()
    fast = pdf_to_document(data, engine="pdfium")  # never declined on a fixture report
    reference = pdf_to_document(data, engine="pdfplumber")
    _assert_same_documents(fast, reference)
    assert _report_without_boxes(fast) == _report_without_boxes(reference)


@pytest.mark.parametrize("path", REPORT_PDFS, ids=lambda p: p.name[-40:])
def test_every_cell_of_the_report_is_the_same_with_its_position(path: Path) -> None:
    data = path.read_bytes()
    fast = document_to_report(pdf_to_document(data, engine="pdfium"), source="x", sha256="0")
    reference = document_to_report(pdf_to_document(data, engine="pdfplumber"), source="x", sha256="0")

    def cells(report):
        yield from ((f"{r}.{c}", cell) for r, row in report.requests.items() for c, cell in row.items())
        yield from ((k, cell) for k, cell in report.reviews.items())
        yield from ((f"{p.item}.{p.metric}", p.cell) for p in report.proactive)

    fast_cells, reference_cells = dict(cells(fast)), dict(cells(reference))
    assert fast_cells.keys() == reference_cells.keys() and fast_cells
    for key, a in fast_cells.items():
        b = reference_cells[key]
        assert (a.value, a.raw, a.kind, a.note) == (b.value, b.raw, b.kind, b.note), key
        pa, pb = a.position, b.position
        assert (pa.page, pa.table, pa.row, pa.col) == (pb.page, pb.table, pb.row, pb.col), key
        assert (pa.bbox is None) == (pb.bbox is None), key
        if pa.bbox and pb.bbox:
            assert max(abs(x - y) for x, y in zip(pa.bbox, pb.bbox, strict=True)) <= BOX_TOLERANCE, key


def test_the_default_way_is_the_fast_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """``parse_bytes`` reads a report through PDFium, never pdfplumber, unless PDFium declines."""
    import parsers.pdf

    data = (FIXTURES / "documents" / "000_pdf.pdf").read_bytes()
    expected = parse_bytes(data, time_limit=None)

    def refuse(*_args: object) -> None:
        raise AssertionError("the reference path was taken")

    monkeypatch.setattr(parsers.pdf, "pdfplumber_to_document", refuse)
    assert parse_bytes(data, time_limit=None) == expected
    with pytest.raises(AssertionError, match="reference path"):
        pdf_to_document((BAD / "scanned.pdf").read_bytes())


# --- what PDFium declines, the reference path reads as before ------------------------------------


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("user_password.pdf", "cannot open"),
        ("corrupt.pdf", "cannot open"),
        ("truncated.pdf", "cannot open"),
        ("zero_pages.pdf", "cannot open"),
        ("scanned.pdf", "no page with text"),
        ("unmapped_glyphs.pdf", "maps to no character"),
    ],
)
def test_bad_pdfs_give_the_errors_they_gave_before(name: str, why: str) -> None:
    data = (BAD / name).read_bytes()
    with pytest.raises(ParseError) as reference:
        pdf_to_document(data, engine="pdfplumber")
    with pytest.raises(type(reference.value)) as auto:
        pdf_to_document(data)
    assert str(auto.value) == str(reference.value)
    with pytest.raises(Declined, match=why):
        pdf_to_document(data, engine="pdfium")


def test_an_owner_password_pdf_is_decrypted_by_pdfium() -> None:
    data = (FIXTURES / "documents" / "000_owner_password.pdf").read_bytes()
    _assert_same_documents(pdf_to_document(data, engine="pdfium"), pdf_to_document(data, engine="pdfplumber"))


def test_split_and_unruled_tables_are_read_by_pdfium_as_by_pdfplumber() -> None:
    for name in ("001_split_group.pdf", "003_split_header.pdf", "002_unruled.pdf"):
        data = (FIXTURES / "documents" / name).read_bytes()
        fast = pdf_to_document(data, engine="pdfium")
        _assert_same_documents(fast, pdf_to_document(data, engine="pdfplumber"))
        assert fast.tables


# --- drawn cases -------------------------------------------------------------------------------


def _ruled(pdf: MiniPdf, rows: list[list[str]], double: bool = False, white_line: bool = False) -> bytes:
    page = pdf.add_page()
    xs, ys = [72.0, 272.0, 332.0, 392.0], [100.0 + 20 * r for r in range(len(rows) + 1)]
    page.grid(xs, ys)
    if white_line:
        page.line(302, 100, 302, ys[-1], gray=1)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            page.text(xs[c] + 3, ys[r] + 5, text)
            if double:
                page.text(xs[c] + 3.3, ys[r] + 5, text)
    return pdf.to_bytes()


def _drawn() -> dict[str, bytes]:
    rows = [["本年新收政府信息公开申请数量", "12", "0"], ["予以公开", "3", "—"]]
    unruled = MiniPdf()
    page = unruled.add_page()
    for top, label, values in ((80, "（七）总计", ("9", "9")), (100, "四、结转下年度继续办理", ("1", "1"))):
        page.text(72, top, label)
        page.text(320, top, values[0])
        page.text(420, top, values[1])
    paragraphs = MiniPdf()
    page = paragraphs.add_page()
    for i, text in enumerate(["一、总体情况", "本局" + "政府信息公开工作" * 4, "⼀是完善制度。"]):
        page.text(96 if i != 1 else 72, 100 + 20 * i, text, size=12)
    page.text(290, 800, "- 1 -", size=10)
    return {
        "ruled": _ruled(MiniPdf(), rows),
        "faux_bold": _ruled(MiniPdf(), rows, double=True),
        "hidden_line": _ruled(MiniPdf(), rows, white_line=True),
        "unruled": unruled.to_bytes(),
        "paragraphs": paragraphs.to_bytes(),
    }


@pytest.mark.parametrize("name", ["ruled", "faux_bold", "hidden_line", "unruled", "paragraphs"])
def test_drawn_pdfs_read_the_same_both_ways(name: str) -> None:
    data = _drawn()[name]
    fast = pdf_to_document(data, engine="pdfium")
    _assert_same_documents(fast, pdf_to_document(data, engine="pdfplumber"), DRAWN_BOX_TOLERANCE)
    assert fast.blocks


def test_a_glyph_without_a_character_sends_the_document_the_reference_way() -> None:
    pdf = MiniPdf()
    page = pdf.add_page()
    page.text(72, 100, "本年新收政府信息公开申请数量")
    page.text(300, 100, "7", font="unmapped")
    data = pdf.to_bytes()
    reference = pdf_to_document(data, engine="pdfplumber")
    assert [code for code, _ in reference.notes] == ["glyphs_unmapped"]
    try:
        fast = pdf_to_document(data, engine="pdfium")
    except Declined:
        fast = None
    if fast is not None:  # PDFium may see the character where pdfminer sees none: then it must agree
        _assert_same_documents(fast, reference, DRAWN_BOX_TOLERANCE)
    _assert_same_documents(pdf_to_document(data), reference, DRAWN_BOX_TOLERANCE)


# --- limits, processes and threads -------------------------------------------------------------------


def test_the_fast_path_keeps_the_per_document_deadline() -> None:
    data = (FIXTURES / "documents" / "000_pdf.pdf").read_bytes()
    deadline = Deadline(0.0)
    time.sleep(0.01)
    with pytest.raises(TimeLimitExceeded, match="reading page 1 of 5"):
        pdf_to_document(data, deadline, engine="pdfium")


def test_a_child_forked_while_pdfium_is_busy_in_another_thread_is_not_stuck() -> None:
    """The fork copies PDFium's lock as a parent thread holds it: the child must get a free one."""
    import parsers.pdfium_source as source

    data = (FIXTURES / "documents" / "003_pdf.pdf").read_bytes()
    with source._LOCK:
        doc = run_isolated(pdf_to_document, data, None, "pdfium", seconds=30, what="reading the PDF")
    assert doc.tables


def test_threads_reading_in_process_share_pdfium_safely() -> None:
    paths = [FIXTURES / "documents" / n for n in ("000_pdf.pdf", "001_pdf.pdf", "002_pdf.pdf", "003_pdf.pdf")] * 2
    expected = [parse_bytes(p.read_bytes(), time_limit=None).to_json_dict() for p in paths[:4]] * 2
    barrier = threading.Barrier(4)

    def read(path: Path) -> dict:
        barrier.wait(timeout=30)
        return parse_bytes(path.read_bytes(), time_limit=None).to_json_dict()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(read, paths)) == expected


def test_a_page_pdfium_cannot_load_is_read_the_reference_way() -> None:
    """Found by bench/fuzz.py (seed 18, mutant 01259): two flipped bits leave a page object PDFium cannot load
    ("Failed to load page"). The fast path declines and the reference path reads the document, instead of the
    document ending as an unexpected reader error."""
    data = bytearray((FIXTURES / "documents" / "002_pdf.pdf").read_bytes())
    assert (data[7206], data[220133]) == (164, 32)  # the fixture the flips were found on
    data[7206], data[220133] = 160, 34
    with pytest.raises(Declined, match="cannot load page"):
        pdf_to_document(bytes(data), engine="pdfium")
    report = parse_bytes(bytes(data))
    assert report.requests["new_requests"]["total"].value is not None


# --- the fast path's own versions of pdfplumber's steps, pinned to pdfplumber's -------------------


def _pdfium_pages(path: Path):
    from parsers.pdfium_source import RulingPage, load_page, open_document, page_geometry, page_to_edges

    with open_document(path.read_bytes()) as pdf:
        for number in range(1, len(pdf) + 1):
            page = load_page(pdf, number)
            try:
                width, height = page_geometry(page)
                textpage = page.get_textpage()
                try:
                    yield textpage, height, RulingPage(page_to_edges(page, height), width, height)
                finally:
                    textpage.close()
            finally:
                page.close()


@pytest.mark.parametrize("path", REPORT_PDFS, ids=lambda p: p.name[-40:])
def test_cells_and_tables_are_pdfplumbers_own_on_every_fixture_page(path: Path) -> None:
    """``find_tables`` replaces pdfplumber's ``intersections_to_cells`` only: the same cells in the same order,
    the same tables, as ``TableFinder`` on the same edges."""
    from pdfplumber.table import TableFinder, intersections_to_cells

    import parsers.pdfium_source as source

    pages_with_cells = 0
    for _, _, ruling in _pdfium_pages(path):
        reference = TableFinder(ruling)
        assert source.intersections_to_cells(reference.intersections) == intersections_to_cells(reference.intersections)
        assert [t.cells for t in source.find_tables(ruling)] == [t.cells for t in reference.tables]
        pages_with_cells += bool(reference.cells)
    assert pages_with_cells or path.name == "002_unruled.pdf"  # every other fixture report has ruled tables


@pytest.mark.parametrize("path", REPORT_PDFS, ids=lambda p: p.name[-40:])
def test_pdfium_glyphs_are_deduplicated_as_pdfplumber_dedupes_the_same_chars(path: Path) -> None:
    """``dedupe_glyphs`` on PDFium's glyphs keeps the glyphs pdfplumber's ``dedupe_chars`` keeps of the same
    glyphs as chars, in the same order."""
    from pdfplumber.utils import dedupe_chars as pdfplumber_dedupe

    from parsers.pdf import Glyph, dedupe_glyphs
    from parsers.pdfium_source import page_to_glyph_records

    for textpage, height, _ in _pdfium_pages(path):
        glyphs = page_to_glyph_records(textpage, height, Glyph)
        chars = [
            {"text": g.text, "fontname": g.font, "size": g.size, "upright": True, "doctop": g.top, "top": g.top,
             "x0": g.x0, "x1": g.x1, "bottom": g.bottom, "glyph": g}
            for g in glyphs
        ]  # fmt: skip
        expected = [c["glyph"] for c in pdfplumber_dedupe(chars)]
        assert [id(g) for g in dedupe_glyphs(glyphs)] == [id(g) for g in expected]


def test_faux_bold_duplicates_are_dropped_on_the_fast_path() -> None:
    rows = [["本年新收政府信息公开申请数量", "12", "0"]]
    doubled = pdf_to_document(_ruled(MiniPdf(), rows, double=True), engine="pdfium")
    single = pdf_to_document(_ruled(MiniPdf(), rows), engine="pdfium")
    assert _shape(doubled) == _shape(single)
    assert doubled.tables[0].rows[0][0].text == "本年新收政府信息公开申请数量"

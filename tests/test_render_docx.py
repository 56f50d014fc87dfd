"""The DOCX renderer: the official layout with genuinely merged cells, byte-for-byte reproducible."""

from __future__ import annotations

import io
import zipfile

import docx
from render import CellPrinter, Span, Style, request_layout
from render_docx import FIXED_TIME, DocxStyle, layout_to_table, report_to_docx

from parsers.docx import docx_to_document
from parsers.form import FormVersion
from parsers.html import html_to_document


def _document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode()


def test_rendering_twice_gives_the_same_bytes(seed_reports) -> None:
    first = report_to_docx(seed_reports["003"], DocxStyle(repeat_header=True))
    assert first == report_to_docx(seed_reports["003"], DocxStyle(repeat_header=True))
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {FIXED_TIME.timetuple()[:6]}
        assert "2021-01-28T09:00:00Z" in archive.read("docProps/core.xml").decode()


def _grid(table) -> list[list[tuple[str, bool, bool]]]:
    return [[(c.text, c.rowspan_copy, c.colspan_copy) for c in row] for row in table.rows]


def test_a_layout_becomes_the_same_grid_in_word_as_in_html(seed_reports) -> None:
    """Word cells merged from the layout read back as the HTML reader reads the same layout's rowspan/colspan."""
    layout = request_layout(seed_reports["000"], FormVersion.V2019, CellPrinter(Style()))
    document = docx.Document()
    layout_to_table(document, layout, [10.0, 18.0, 48.0] + [12.0] * 7, DocxStyle())
    buffer = io.BytesIO()
    document.save(buffer)
    from render import _html_row

    html = "<table>" + "".join(f"<tr>{_html_row(row)}</tr>" for row in layout) + "</table>"
    assert _grid(docx_to_document(buffer.getvalue()).tables[0]) == _grid(html_to_document(html.encode()).tables[0])


def test_spans_are_word_merges_and_styles_show_in_the_xml(seed_reports) -> None:
    xml = _document_xml(report_to_docx(seed_reports["001"], DocxStyle(repeat_header=True)))
    assert xml.count('w:vMerge w:val="restart"') >= 5  # 三、本年度办理结果, (三), (四), (五), 申请人情况 …
    assert 'w:gridSpan w:val="7"' in xml  # 申请人情况 over the seven applicant columns
    assert xml.count("<w:tblHeader/>") == 3  # part 三's three header rows repeat on each page
    assert 'w:tblStyle w:val="TableGrid"' in xml
    unruled = _document_xml(report_to_docx(seed_reports["001"], DocxStyle(ruled=False)))
    assert "TableGrid" not in unruled and '<w:insideH w:val="nil"/>' in unruled


def test_zero_marks_and_full_width_digits_are_printed(seed_reports) -> None:
    doc = docx_to_document(report_to_docx(seed_reports["002"], DocxStyle(zero_marks=("—",), fullwidth_digits=True)))
    texts = {c.text for t in doc.tables for row in t.rows for c in row}
    assert "—" in texts and "３" in texts and "0" not in texts


def test_a_span_past_the_last_row_is_cut_at_the_table() -> None:
    document = docx.Document()
    table = layout_to_table(document, [[Span("A", rowspan=5), Span("1")], [Span("2")]], [20.0, 20.0], DocxStyle())
    assert len(table.rows) == 2 and table.cell(1, 0).text == "A"

"""Render a report as a Word document (DOCX) in the official layout, with genuinely merged cells.

The DOCX sibling of :mod:`render`: the same table layouts
(:func:`~render.proactive_layout`, :func:`~render.request_layout`,
:func:`~render.review_layout`, built from ``parsers.form``), written with
python-docx. Row and column spans become ``w:vMerge`` / ``w:gridSpan`` through
``cell.merge``, as Word writes them. Used by ``scripts/build_fixtures.py`` to
build the DOCX fixtures, which LibreOffice then turns into PDF and DOC.

The output is byte-for-byte reproducible: fixed core properties and fixed
timestamps inside the ZIP container.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from render import CellPrinter, Layout, Style, proactive_layout, request_layout, review_layout

from parsers.form import CHINESE_NUMERALS, SECTIONS, Table
from parsers.report import Report

#: A CJK font installed with fonts-noto-cjk, so LibreOffice writes a real Chinese text layer.
FONT = "Noto Serif CJK SC"
#: ZIP entry timestamps and core-property dates: fixed, so a rebuilt file is byte-identical.
FIXED_TIME = datetime(2021, 1, 28, 9, 0, 0)
PAGE_HEIGHT_MM = 297
MARGIN_MM = 25

#: Column widths (mm) of each table: label columns wide, value columns narrow. 160 mm in all.
_WIDTHS: dict[Table, list[float]] = {
    Table.PROACTIVE: [52.0, 36.0, 36.0, 36.0],
    Table.REQUESTS: [10.0, 18.0, 48.0] + [12.0] * 7,
    Table.REVIEWS: [160.0 / 15] * 15,
}


@dataclass(frozen=True)
class DocxStyle:
    """How a rendered Word document differs from the plain official layout."""

    zero_marks: tuple[str, ...] = ()  # print zeros as these marks, in turn ("", "—", "/")
    fullwidth_digits: bool = False
    ruled: bool = True  # table borders; False leaves tables without ruling lines
    repeat_header: bool = False  # the header rows of part 三 repeat on every page (w:tblHeader)
    new_page_before: int | None = None  # start part N (1-6) on a new page
    space_before_requests: float | None = None  # an empty paragraph, with this many points of space above it,
    # between part 三's heading and its table (moves where the table breaks across pages)


def _set_font(run_properties_owner, size: float | None = None) -> None:
    """Latin and East Asian font on a style or run (python-docx sets only the Latin one)."""
    font = run_properties_owner.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    rpr = run_properties_owner.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _new_document() -> docx.document.Document:
    document = docx.Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(PAGE_HEIGHT_MM), Mm(210)
    section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    _set_font(document.styles["Normal"], 12)
    props = document.core_properties
    props.author = props.last_modified_by = "nianbao"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    return document


def _row_property(row, name: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement(name))


def _no_borders(table: DocxTable) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def layout_to_table(
    document: docx.document.Document, layout: Layout, widths: list[float], style: DocxStyle, header_rows: int = 0
) -> DocxTable:
    """Write one table layout into ``document``: cells placed by HTML's rule, spans merged."""
    n_cols = len(widths)
    table = document.add_table(rows=len(layout), cols=n_cols)
    if style.ruled:
        table.style = "Table Grid"
    else:
        _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Mm(width)
    # every cell, fetched once (python-docx's table.cell() rebuilds the whole grid on each call); the
    # widths go on before merging, which adds up the widths of the cells it joins
    cells = [list(row.cells) for row in table.rows]
    for r, row in enumerate(table.rows):
        for col, width in enumerate(widths):
            cells[r][col].width = Mm(width)
        _row_property(row, "w:cantSplit")
        if r < header_rows:
            _row_property(row, "w:tblHeader")
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(layout):
        c = 0
        for span in row:
            while (r, c) in taken:
                c += 1
            rowspan = min(span.rowspan, len(layout) - r)
            taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(span.colspan))
            cell = cells[r][c]
            if rowspan > 1 or span.colspan > 1:
                cell = cell.merge(cells[r + rowspan - 1][c + span.colspan - 1])
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if len(span.text) <= 12 else WD_ALIGN_PARAGRAPH.LEFT
            _set_font(paragraph.add_run(span.text), 9)
            c += span.colspan
    return table


def _paragraph(document: docx.document.Document, text: str, *, bold: bool = False, center: bool = False) -> None:
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        paragraph.paragraph_format.first_line_indent = Pt(24)
    run = paragraph.add_run(text)
    run.bold = bold
    _set_font(run)


def report_to_docx_document(report: Report, style: DocxStyle = DocxStyle()) -> docx.document.Document:
    """The report as a python-docx Document: title, preamble, the six parts with their tables."""
    cell_text = CellPrinter(Style(zero_marks=style.zero_marks, fullwidth_digits=style.fullwidth_digits))
    document = _new_document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report.title or "")
    run.bold = True
    _set_font(run, 18)
    for line in report.preamble.splitlines():
        if line.strip():
            _paragraph(document, line)
    by_number = {s.number: s for s in report.sections}
    has_tables = any(report.tables_present.values())
    for number in sorted(by_number) if not has_tables else range(1, 7):
        section = by_number.get(number)
        heading = section.title if section else f"{CHINESE_NUMERALS[number - 1]}、{SECTIONS[number - 1].title}"
        if style.new_page_before == number:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _paragraph(document, heading, bold=True)
        part = {2: Table.PROACTIVE, 3: Table.REQUESTS, 4: Table.REVIEWS}.get(number) if has_tables else None
        if part is not None and report.tables_present.get(part):
            version = report.table_forms.get(part, report.form)
            if part is Table.PROACTIVE:
                layout_to_table(document, proactive_layout(report, version, cell_text), _WIDTHS[part], style)
            elif part is Table.REQUESTS:
                if style.space_before_requests is not None:
                    spacer = document.add_paragraph()
                    spacer.paragraph_format.space_before = Pt(style.space_before_requests)
                header_rows = 3 if style.repeat_header else 0
                layout = request_layout(report, version, cell_text)
                layout_to_table(document, layout, _WIDTHS[part], style, header_rows)
            else:
                layout_to_table(document, review_layout(report, cell_text), _WIDTHS[part], style)
        for line in section.text.splitlines() if section else []:
            if line.strip():
                _paragraph(document, line)
    return document


def fixed_timestamps(data: bytes) -> bytes:
    """Rewrite a ZIP container with every entry dated ``FIXED_TIME``, in the same order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def report_to_docx(report: Report, style: DocxStyle = DocxStyle()) -> bytes:
    """The report as DOCX bytes, reproducible byte for byte."""
    buffer = io.BytesIO()
    report_to_docx_document(report, style).save(buffer)
    return fixed_timestamps(buffer.getvalue())

"""The DOCX reader: merged cells into the shared grid, document order, Word's numbering, and hostile packages."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES
from docx.oxml import parse_xml
from lxml import etree

from parsers import parse_bytes, parse_file
from parsers.docx import (
    MAX_SPAN,
    Numbering,
    docx_to_document,
    format_number,
    paragraph_to_text,
    prolog_declares_dtd,
    table_to_grid,
)
from parsers.errors import CorruptDocument, TimeLimitExceeded, TooLarge, UnsafeDocument, UnsupportedFormat
from parsers.limits import Deadline

BAD = FIXTURES / "bad"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _grid(table):
    return [[(c.text, c.rowspan_copy, c.colspan_copy) for c in row] for row in table.rows]


def test_merged_cells_expand_like_html_rowspan_and_colspan() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 1)).text = "A"
    table.cell(0, 2).text, table.cell(1, 2).text = "B", "C"
    table.cell(2, 0).text = "D"
    table.cell(2, 1).merge(table.cell(2, 2)).text = "E"
    doc = docx_to_document(_save(document))
    assert _grid(doc.tables[0]) == [
        [("A", False, False), ("A", False, True), ("B", False, False)],
        [("A", True, False), ("A", True, True), ("C", False, False)],
        [("D", False, False), ("E", False, False), ("E", False, True)],
    ]


def test_paragraphs_and_tables_come_in_document_order() -> None:
    document = docx.Document()
    document.add_paragraph("标题")
    document.add_table(rows=1, cols=2).cell(0, 0).text = "规章"
    document.add_paragraph("正文一")
    document.add_paragraph("正文二\n第二行")  # a line break inside a paragraph prints two lines
    document.add_table(rows=1, cols=1).cell(0, 0).text = "行政复议"
    doc = docx_to_document(_save(document))
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "TableBlock", "Paragraph", "Paragraph", "Paragraph", "TableBlock"]
    assert [p.text for p in doc.paragraphs] == ["标题", "正文一", "正文二", "第二行"]
    assert [t.index for t in doc.tables] == [0, 1]


def _tbl(rows: str):
    return parse_xml(f"<w:tbl {W_NS}>{rows}</w:tbl>")


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_vmerge_continue_with_and_without_val_and_grid_before() -> None:
    restart, bare, cont = "<w:vMerge w:val='restart'/>", "<w:vMerge/>", "<w:vMerge w:val='continue'/>"
    table = _tbl(
        f"<w:tr>{_tc('组', restart)}{_tc('1')}</w:tr>"
        f"<w:tr>{_tc('', bare)}{_tc('2')}</w:tr>"
        f"<w:tr>{_tc('', cont)}{_tc('3')}</w:tr>"
        f"<w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>{_tc('4')}</w:tr>"
    )
    assert _grid(table_to_grid(table, 0, Numbering())) == [
        [("组", False, False), ("1", False, False)],
        [("组", True, False), ("2", False, False)],
        [("组", True, False), ("3", False, False)],
        [("", False, False), ("4", False, False)],
    ]


def test_a_huge_grid_span_is_capped() -> None:
    span = "<w:gridSpan w:val='100000000'/>"
    table = _tbl(f"<w:tr>{_tc('x', span)}</w:tr>")
    (row,) = table_to_grid(table, 0, Numbering()).rows
    assert len(row) == MAX_SPAN and row[1].colspan_copy


def test_tracked_changes_and_fallback_content() -> None:
    p = parse_xml(
        f'<w:p {W_NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        "<w:pPr><w:tabs><w:tab w:val='left' w:pos='720'/></w:tabs></w:pPr>"
        "<w:r><w:t>本年</w:t></w:r><w:ins><w:r><w:t>新收</w:t></w:r></w:ins>"
        "<w:del><w:r><w:delText>旧</w:delText></w:r></w:del>"
        "<w:r><w:tab/><w:t>3</w:t></w:r>"
        "<mc:AlternateContent><mc:Choice Requires='wps'><w:r><w:t>件</w:t></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:t>件</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"
    )
    assert paragraph_to_text(p, Numbering()) == "本年新收 3件"


@pytest.mark.parametrize(
    ("n", "fmt", "printed"),
    [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (12, "chineseCounting", "十二"),
     (21, "chineseCountingThousand", "二十一"), (3, "decimal", "3"), (2, "decimalFullWidth", "２"),
     (4, "upperRoman", "IV"), (2, "ideographTraditional", "乙"), (1, "bullet", "")],
)  # fmt: skip
def test_list_counters_print_as_word_does(n: int, fmt: str, printed: str) -> None:
    assert format_number(n, fmt) == printed


NUMBERING = (
    f"<w:numbering {W_NS}>"
    '<w:abstractNum w:abstractNumId="7">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
    "</w:abstractNum>"
    '<w:num w:numId="5"><w:abstractNumId w:val="7"/></w:num></w:numbering>'
)


def _numbered(document, text: str, level: int) -> None:
    p = document.add_paragraph(text)
    p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {W_NS}><w:ilvl w:val="{level}"/><w:numId w:val="5"/></w:numPr>'))


def test_automatic_numbering_is_printed_so_part_headings_are_found() -> None:
    """Word documents often number 一、二、… by a list, not in the text: the reader prints the numbers."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    for child in parse_xml(NUMBERING):
        numbering.append(child)
    document.add_paragraph("银川市西夏区某局2017年政府信息公开工作年度报告")
    _numbered(document, "概述", 0)
    _numbered(document, "工作机制", 1)
    _numbered(document, "平台建设", 1)
    _numbered(document, "依申请公开情况", 0)
    _numbered(document, "受理情况", 1)
    doc = docx_to_document(_save(document))
    assert [p.text for p in doc.paragraphs[1:]] == [
        "一、概述",
        "（一）工作机制",
        "（二）平台建设",
        "二、依申请公开情况",
        "（一）受理情况",
    ]
    report = parse_bytes(_save(document))
    assert [s.title for s in report.sections] == ["一、概述", "二、依申请公开情况"]


def test_word_fixture_cells_keep_table_row_and_column() -> None:
    report = parse_file(FIXTURES / "documents" / "000_word.docx")
    assert report.format == "docx"
    cell = report.requests["new_requests"]["natural_person"]
    assert (cell.value, cell.raw) == (1, "1")
    position = cell.position
    assert position.table is not None and position.row is not None and position.col is not None
    assert position.page is None and position.bbox is None


def test_word_fixture_has_genuinely_merged_cells() -> None:
    with zipfile.ZipFile(FIXTURES / "documents" / "000_word.docx") as archive:
        xml = archive.read("word/document.xml").decode()
    assert 'w:gridSpan w:val="3"' in xml and 'w:vMerge w:val="restart"' in xml
    doc = docx_to_document((FIXTURES / "documents" / "000_word.docx").read_bytes())
    part3 = next(t for t in doc.tables if any("本年度办理结果" in c.text for row in t.rows for c in row))
    group = [c for row in part3.rows for c in row if c.text == "三、本年度办理结果"]
    assert sum(not c.is_copy for c in group) == 1 and sum(c.rowspan_copy for c in group) > 10


def test_zip_bomb_is_refused_before_unpacking() -> None:
    started = time.perf_counter()
    with pytest.raises(TooLarge, match="zip bomb"):
        parse_file(BAD / "zip_bomb.docx")
    assert time.perf_counter() - started < 1.0


def _lying_zip() -> bytes:
    """A DOCX whose document.xml declares 1 KB but inflates to 50 MB: zipfile stops at the declared size."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * 50_000_000)
    data = bytearray(out.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature, data.find(b"word/document.xml") - 60 if signature == b"PK\x03\x04" else 0)
        while at >= 0:
            name_len = struct.unpack_from("<H", data, at + (26 if signature == b"PK\x03\x04" else 28))[0]
            start = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[start : start + name_len] == b"word/document.xml":
                struct.pack_into("<I", data, at + offset, 1024)
                break
            at = data.find(signature, at + 4)
    return bytes(data)


def test_a_zip_that_lies_about_its_sizes_is_corrupt_not_a_bomb() -> None:
    with pytest.raises(CorruptDocument, match="damaged"):
        parse_bytes(_lying_zip())


def test_external_entity_is_refused() -> None:
    with pytest.raises(UnsafeDocument, match="DTD"):
        parse_file(BAD / "external_entity.docx")


def test_python_docx_itself_never_resolves_external_entities(tmp_path: Path) -> None:
    """Defence in depth: even past our check, the XML parser python-docx uses leaves entities unresolved
    (where a resolving parser, given the same part, reads the file in)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    out = io.BytesIO()
    with zipfile.ZipFile(BAD / "external_entity.docx") as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"file:///etc/hostname", secret.as_uri().encode())
                resolving = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
                assert b"TOP-SECRET-MARKER" in etree.tostring(etree.fromstring(data, resolving))
            dst.writestr(info, data)
    document = docx.Document(io.BytesIO(out.getvalue()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "年度报告" in text and "TOP-SECRET-MARKER" not in text


def test_a_zip_that_is_not_word() -> None:
    with pytest.raises(UnsupportedFormat, match="not a Word document"):
        parse_file(BAD / "plain_zip.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
        )
    with pytest.raises(UnsupportedFormat, match=r"^an Excel workbook \(XLSX\), not a Word document$"):
        parse_bytes(out.getvalue())


def test_a_damaged_container_is_corrupt() -> None:
    data = (FIXTURES / "documents" / "000_word.docx").read_bytes()
    with pytest.raises(CorruptDocument):
        parse_bytes(data[: len(data) // 2])


def test_a_pdf_named_docx_is_read_by_its_content() -> None:
    report = parse_file(FIXTURES / "documents" / "003_pdf_named.docx")
    assert (report.format, report.agency) == ("pdf", "红寺堡区审批服务管理局")


def test_the_time_limit_applies_to_word_documents() -> None:
    with pytest.raises(TimeLimitExceeded, match="time limit"):
        docx_to_document((FIXTURES / "documents" / "000_word.docx").read_bytes(), Deadline(0))


@pytest.mark.parametrize(
    ("xml", "declares"),
    [
        (b'<?xml version="1.0"?><w:document/>', False),
        (
            b'<?xml version="1.0"?>\n<!-- ' + b"x" * 10_000 + b' --><!DOCTYPE d [<!ENTITY e SYSTEM "file:///x">]><d/>',
            True,
        ),
        (b"<?xml version='1.0'?>" + b"<?pi " + b"y" * 9000 + b"?>\n<!DOCTYPE d><d/>", True),
        (b"\xef\xbb\xbf<root><!-- <!DOCTYPE in a comment inside the root is text, not a DTD --></root>", False),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d><d/>'.encode("utf-16"), True),
    ],
    ids=["plain", "after_a_long_comment", "after_a_long_instruction", "inside_the_root", "utf16"],
)
def test_a_dtd_is_found_anywhere_in_the_prolog(xml: bytes, declares: bool) -> None:
    assert prolog_declares_dtd(io.BytesIO(xml), chunk=512) is declares

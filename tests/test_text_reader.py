from __future__ import annotations

from parsers.grid import Paragraph, TableBlock
from parsers.text import text_to_document


def test_tab_rows_and_paragraphs_keep_line_numbers() -> None:
    doc = text_to_document("标题\n\n规章\t0\t1\n\n规范性文件\t2\t3\n正文\n".encode())
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "TableBlock", "Paragraph"]
    table = doc.blocks[1]
    assert isinstance(table, TableBlock)
    assert [[c.text for c in row] for row in table.rows] == [["规章", "0", "1"], ["规范性文件", "2", "3"]]
    assert table.rows[1][2].line == 5


def test_one_cell_per_line_rows_with_wrapped_cells() -> None:
    doc = text_to_document("\t信息内容\n\t本年新\n制作数量\n\n\t规章\n\t 0\n\t0 \n".encode())
    (table,) = doc.tables
    assert [[c.text for c in row] for row in table.rows] == [["信息内容", "本年新制作数量"], ["规章", "0", "0"]]
    assert [c.line for c in table.rows[1]] == [5, 6, 7]


def test_gbk_text_is_decoded() -> None:
    doc = text_to_document("二、主动公开政府信息情况".encode("gbk"))
    assert doc.encoding == "gb18030"
    assert doc.blocks == [Paragraph(text="二、主动公开政府信息情况", line=1)]


def test_utf8_cut_mid_character_keeps_the_rest() -> None:
    data = "一、总体情况".encode()[:-1]  # the last character loses its last byte
    assert text_to_document(data).paragraphs[0].text == "一、总体情"

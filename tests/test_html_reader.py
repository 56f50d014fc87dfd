from __future__ import annotations

from parsers.html import html_to_document


def _grid(doc, n=0):
    return [[(c.text, c.rowspan_copy, c.colspan_copy) for c in row] for row in doc.tables[n].rows]


def test_rowspan_and_colspan_expand_into_a_grid() -> None:
    page = """<table>
      <tr><td rowspan="2" colspan="2">A</td><td>B</td></tr>
      <tr><td>C</td></tr>
      <tr><td>D</td><td colspan="2">E</td></tr>
    </table>"""
    doc = html_to_document(page.encode())
    assert _grid(doc) == [
        [("A", False, False), ("A", False, True), ("B", False, False)],
        [("A", True, False), ("A", True, True), ("C", False, False)],
        [("D", False, False), ("E", False, False), ("E", False, True)],
    ]


def test_rowspan_past_the_last_row_adds_no_rows() -> None:
    doc = html_to_document(b"<table><tr><td rowspan='9'>A</td><td>1</td></tr><tr><td>2</td></tr></table>")
    assert len(doc.tables[0].rows) == 2


def test_nested_layout_tables_yield_only_the_leaf_table_and_the_text_around_it() -> None:
    page = """<html><body><table><tr><td>
        <div>当前位置：首页 &gt; 年报</div>
        <table><tr><td><p>标题</p><table><tr><td>规章</td><td>0</td></tr></table><p>正文</p></td></tr></table>
      </td></tr></table></body></html>"""
    doc = html_to_document(page.encode())
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Paragraph", "TableBlock", "Paragraph"]
    assert [p.text for p in doc.paragraphs] == ["当前位置：首页 > 年报", "标题", "正文"]
    assert _grid(doc) == [[("规章", False, False), ("0", False, False)]]


def test_cell_text_joins_wrapped_lines_and_skips_scripts() -> None:
    page = "<table><tr><td>本年新<br/>制作数量<script>var x='9';</script></td><td> 3&nbsp;</td></tr></table>"
    doc = html_to_document(page.encode())
    assert [c.text for c in doc.tables[0].rows[0]] == ["本年新制作数量", "3"]


def test_declared_gb2312_and_undeclared_gbk() -> None:
    body = "<p>政府信息公开工作年度报告</p>"
    declared = f'<html><head><meta charset="gb2312"></head><body>{body}</body></html>'.encode("gbk")
    undeclared = f"<html><body>{body}</body></html>".encode("gbk")
    for data in (declared, undeclared):
        doc = html_to_document(data)
        assert doc.encoding == "gb18030"
        assert doc.paragraphs[0].text == "政府信息公开工作年度报告"


def test_wrong_declared_charset_falls_back_to_what_decodes() -> None:
    data = '<html><head><meta charset="gbk"></head><body><p>总计：三</p></body></html>'.encode()
    doc = html_to_document(data)
    assert (doc.encoding, doc.paragraphs[0].text) == ("utf-8", "总计：三")


def test_xml_declaration_is_accepted() -> None:
    doc = html_to_document('<?xml version="1.0" encoding="utf-8"?><html><body><p>年报</p></body></html>'.encode())
    assert doc.paragraphs[0].text == "年报"

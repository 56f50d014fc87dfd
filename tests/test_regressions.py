"""One test per bug found by trying to break the parser as a new user would (review of 2026-11-22)."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, seed_path
from render import Style, report_to_html

from parsers import parse_bytes, parse_file
from parsers.errors import NotText
from parsers.form import REQUEST_COLUMN_KEYS, REVIEW_KEYS
from parsers.report import CellKind


@pytest.fixture(scope="module")
def seed003():
    return parse_file(seed_path("003"))


@pytest.fixture(scope="module")
def html000() -> str:
    return (FIXTURES / "documents" / "000_official.html").read_text(encoding="utf-8")


def _review_row_html(values: list[str]) -> str:
    return "<tr>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"


def test_issue_reviews_all_blank_are_fifteen_blank_zeros(seed003) -> None:
    report = parse_bytes(report_to_html(seed003, Style(zero_marks=("",))))
    assert [report.reviews[k].kind for k in REVIEW_KEYS] == [CellKind.BLANK] * 15
    assert [report.reviews[k].value for k in REVIEW_KEYS] == [0] * 15
    assert report.warnings == []


def test_issue_reviews_trailing_blanks_are_blank_zeros(html000: str) -> None:
    zeros = _review_row_html(["0"] * 15)
    assert zeros in html000
    page = html000.replace(zeros, _review_row_html(["1", "", "", "", "1"] + [""] * 10))
    report = parse_bytes(page.encode())
    assert [report.reviews[k].value for k in REVIEW_KEYS] == [1, 0, 0, 0, 1] + [0] * 10
    assert [w.code for w in report.warnings] == []


def test_issue_a_number_with_a_note_stays_in_its_column(html000: str) -> None:
    row = '<td colspan="3">一、本年新收政府信息公开申请数量</td><td>1</td>'
    assert row in html000
    report = parse_bytes(html000.replace(row, row[: -len("<td>1</td>")] + "<td>1（含转办2件）</td>").encode())
    cells = report.requests["new_requests"]
    assert (cells["natural_person"].value, cells["natural_person"].kind) == (None, CellKind.UNREADABLE)
    assert cells["natural_person"].raw == "1（含转办2件）"
    assert [cells[c].value for c in REQUEST_COLUMN_KEYS[1:]] == [0, 0, 0, 0, 0, 1]
    assert cells["total"].kind is CellKind.NUMBER  # not "inferred": nothing was lost


def test_issue_pre2019_report_with_its_own_small_table() -> None:
    page = (
        "<html><body><p>西夏区民政局2017年政府信息公开工作年度报告</p><p>一、概述</p><p>我局高度重视。</p>"
        "<p>二、依申请公开情况</p><table><tr><td>项目</td><td>数量</td></tr><tr><td>收到申请</td><td>10</td></tr>"
        "<tr><td>予以公开</td><td>6</td></tr><tr><td>不予公开</td><td>2</td></tr></table>"
        "<p>三、存在的问题和改进措施</p><p>继续加强。</p></body></html>"
    )
    report = parse_bytes(page.encode())
    assert (report.agency, report.year, report.form.value) == ("西夏区民政局", 2017, "pre2019")
    assert report.requests == {}
    assert "no_tables" in [w.code for w in report.warnings]


def test_issue_two_reports_on_one_page_read_the_first(seed003, html000: str) -> None:
    second = report_to_html(seed003).decode()
    body = second[second.index("<body>") + 6 : second.index("</body>")]
    report = parse_bytes(html000.replace("</body>", body + "</body>").encode())
    assert (report.agency, report.year, report.form.value) == ("银川市西夏区审批服务管理局", 2020, "2019")
    assert [w.code for w in report.warnings] == ["multiple_reports"]
    assert len(report.proactive) == 22


def test_issue_a_summary_table_in_part_one_is_not_part_two(html000: str) -> None:
    heading = "<p><strong>一、总体情况</strong></p>"
    summary = (
        "<table><tr><td>信息类别</td><td>数量</td></tr><tr><td>行政许可</td><td>120</td></tr>"
        "<tr><td>行政处罚</td><td>30</td></tr><tr><td>规范性文件</td><td>5</td></tr></table>"
    )
    report = parse_bytes(html000.replace(heading, heading + summary).encode())
    licensing = [(p.metric, p.cell.value) for p in report.proactive if p.item == "licensing"]
    assert licensing == [("items_last_year", 83), ("items_change", 117), ("decisions", 11034)]
    assert report.warnings == []


def test_issue_title_in_a_layout_table_cell() -> None:
    page = (
        "<html><head><title>平川区人民政府</title></head><body>"
        "<table><tr><td>索引号：</td><td>11620403013912770D/2026-206748</td></tr>"
        "<tr><td>所属机构：</td><td>平川区政府办</td></tr></table>"
        "<table><tr><td class='title'>平川区种田乡2025年政府信息公开工作年度报告</td></tr></table>"
        "<p>本报告统计数据从2025年1月1日至12月31日。如有疑问，请与乡党政办联系。</p>"
        "<p>一、总体情况</p><p>无。</p></body></html>"
    )
    with pytest.raises(Exception, match="part 三"):  # a 2025 report without tables is an error …
        parse_bytes(page.encode())
    report = parse_bytes(page.replace("2025年", "2017年").replace("2025年1月1日", "2017年1月1日").encode())
    assert (report.title, report.agency, report.year) == (
        "平川区种田乡2017年政府信息公开工作年度报告",
        "平川区种田乡",
        2017,
    )


def test_issue_one_stray_byte_is_repaired_and_said(html000: str) -> None:
    data = html000.encode().replace("当前位置".encode(), "当前位置".encode() + b"\xa0")
    data = data.replace(b"<body>", b"<body><div>\xa0</div>")
    report = parse_bytes(data)
    assert report.encoding == "utf-8"
    assert [w.code for w in report.warnings] == ["encoding_repaired"]
    assert report.requests["new_requests"]["total"].value == 1


def test_issue_utf16_html_with_bom_and_utf16_text_without(html000: str) -> None:
    report = parse_bytes(html000.encode("utf-16"))
    assert (report.format, report.agency) == ("html", "银川市西夏区审批服务管理局")
    text = seed_path("003").read_text(encoding="utf-8")
    plain = parse_bytes(text.encode("utf-16-le"))
    assert (plain.format, plain.encoding, plain.agency) == ("text", "utf-16-le", "红寺堡区审批服务管理局")


def test_issue_gbk_page_declaring_latin1(html000: str) -> None:
    page = html000.replace("charset=utf-8", "charset=iso-8859-1")
    report = parse_bytes(page.encode("gbk", errors="xmlcharrefreplace"))
    assert (report.encoding, report.agency) == ("gb18030", "银川市西夏区审批服务管理局")


def test_issue_deep_nesting_is_read_or_said() -> None:
    page = (FIXTURES / "documents" / "000_official.html").read_text(encoding="utf-8")
    body = page[page.index("<body>") + 6 : page.index("</body>")]
    deep = "<html><body>" + "<div>" * 1000 + body + "</div>" * 1000 + "</body></html>"
    assert parse_bytes(deep.encode()).agency == "银川市西夏区审批服务管理局"
    deeper = "<html><body>" + "<div>" * 20000 + body + "</div>" * 20000 + "</body></html>"
    with pytest.raises(NotText, match="nested too deeply"):
        parse_bytes(deeper.encode())


def test_issue_year_in_chinese_numerals(html000: str) -> None:
    assert "审批服务管理局 2020 年" in html000
    report = parse_bytes(html000.replace("审批服务管理局 2020 年", "审批服务管理局二〇二〇年").encode())
    assert (report.agency, report.year) == ("银川市西夏区审批服务管理局", 2020)
    assert report.title == "银川市西夏区审批服务管理局二〇二〇年政府信息公开工作年度报告"


def test_issue_related_articles_are_not_part_six(html000: str) -> None:
    chrome = (
        "<h4>相关文章</h4><ul><li>西夏区某局2021年政府信息公开工作年度报告</li></ul>"
        "<div><p>银川市西夏区人民政府办公室 主办</p></div>"
    )
    report = parse_bytes(html000.replace("</body>", chrome + "</body>").encode())
    assert report.sections[-1].text == "无。"
    assert [w.code for w in report.warnings] == []


def test_issue_spaced_digits_are_not_joined(html000: str) -> None:
    row = "<td>83</td>"
    report = parse_bytes(html000.replace(row, "<td>8 3</td>", 1).encode())
    cell = next(p.cell for p in report.proactive if (p.item, p.metric) == ("licensing", "items_last_year"))
    assert (cell.value, cell.kind, cell.raw) == (None, CellKind.UNREADABLE, "8 3")


def test_issue_a_repeated_item_row_is_kept_once_and_said(html000: str) -> None:
    row = "<tr><td>行政许可</td><td>83</td><td>+117</td><td>11034</td></tr>"
    assert row in html000
    report = parse_bytes(html000.replace(row, row + row.replace("83", "99")).encode())
    licensing = [(p.metric, p.cell.value) for p in report.proactive if p.item == "licensing"]
    assert licensing == [("items_last_year", 83), ("items_change", 117), ("decisions", 11034)]
    assert [w.code for w in report.warnings] == ["duplicate_item"]


def test_issue_short_agency_in_the_title_full_name_in_the_text() -> None:
    page = (
        "<html><body><p>种田乡2025年政府信息公开工作年度报告</p>"
        "<p>由白银市平川区种田乡人民政府编制完成本报告。本报告所列数据的统计期限自2025年1月1日至2025年12月31日。</p>"
        "<p>一、总体情况</p><p>无。</p></body></html>"
    )
    with pytest.raises(Exception, match="part 三"):
        parse_bytes(page.encode())
    report = parse_bytes(page.replace("2025", "2017").encode())
    assert report.agency == "白银市平川区种田乡人民政府"

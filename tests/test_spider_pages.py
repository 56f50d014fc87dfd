"""The page steps of spiders/pages.py, one by one, on small real-shaped snippets."""

from __future__ import annotations

from datetime import date

import pytest
from parsel import Selector

from rawstore.portals import FAMILIES
from spiders.base import default_since
from spiders.pages import (
    attachment_extension,
    column_of,
    list_to_page_urls,
    page_is_soft_404,
    page_to_metadata,
    report_year,
    section_to_links,
    title_to_report_year,
)


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("西夏区人民政府办公室2024年政府信息公开工作年度报告", 2024),
        ("西夏区人民政府 2014 年政府信息 公开工作情况报告", 2014),
        ("2025年政府信息公开工作年度报告", 2025),
        ("红寺堡区审批服务管理局2022 年政府信息公开工作年度报告", 2022),
        ("政府信息公开工作年度报告", None),
    ],
)
def test_title_to_report_year(title: str, year: int | None) -> None:
    assert title_to_report_year(title) == year


def test_report_year_falls_back_to_the_body_then_the_publication_date() -> None:
    assert report_year("政府信息公开工作年度报告", "本报告统计期限自2023年1月1日至12月31日", None) == (2023, "body")
    assert report_year("年度报告", "平川区2021年度政府信息公开工作", None) == (2021, "body")
    assert report_year("年度报告", "", date(2026, 1, 28)) == (2025, "published")
    assert report_year(None, None, None) == (None, "unknown")


def test_default_window_is_the_current_and_previous_report_year() -> None:
    assert default_since(date(2026, 11, 22)) == 2024
    assert default_since(date(2027, 1, 5)) == 2025


@pytest.mark.parametrize(
    ("url", "text", "ext"),
    [
        ("http://x.gov.cn/a/P020250123512346.pdf", "", "pdf"),
        ("http://x.gov.cn/a/P020250123512346.DOCX", "", "docx"),
        ("https://x.gov.cn/module/download/downfile.jsp?classid=0&filename=abc.wps", "", "wps"),
        ("http://x.gov.cn/download?id=7", "年报统计表.xlsx", "xlsx"),
        ("http://x.gov.cn/a/t20250123_1.html", "年报", None),
        ("http://x.gov.cn/a/report.pdf.html", "", None),
    ],
)
def test_attachment_extension(url: str, text: str, ext: str | None) -> None:
    assert attachment_extension(url, text) == ext


def test_column_of_strips_page_and_query() -> None:
    assert column_of("https://h/zfxxgk/zfxxgknb/index.html?pageNum=2") == "https://h/zfxxgk/zfxxgknb/"
    assert column_of("http://h/zwgk/x/xxgknb_9490/index_3.html") == "http://h/zwgk/x/xxgknb_9490/"


BASE = "http://www.example.gov.cn/zwgk/col/index.html"


@pytest.mark.parametrize(
    ("html", "urls"),
    [
        ('<script>createPageHTML(3, 0, "index", "html");</script>', ["index_1.html", "index_2.html"]),
        ("<script>createPageHTML('2','0','index','shtml')</script>", ["index_1.shtml"]),
        ('<script>var pageNum = 1; var totalPage = 3; var u = "index.html?pageNum=";</script>',
         ["index.html?pageNum=2", "index.html?pageNum=3"]),
        ('<div><a href="index.html">首页</a> <a href="index_1.html">下一页</a> <a href="index_4.html">尾页</a></div>',
         ["index_1.html", "index_4.html"]),
        ('<script>createPageHTML(1, 0, "index", "html");</script>', []),
        ("<p>暂无信息</p>", []),
    ],
)  # fmt: skip
def test_list_to_page_urls(html: str, urls: list[str]) -> None:
    got = list_to_page_urls(Selector(text=f"<html><body>{html}</body></html>"), BASE)
    assert got == ["http://www.example.gov.cn/zwgk/col/" + u for u in urls]


def test_list_pages_are_capped() -> None:
    html = '<script>createPageHTML(900, 0, "index", "html");</script>'
    assert len(list_to_page_urls(Selector(text=html), BASE, max_pages=50)) == 49


def test_section_links_sort_columns_from_catalogues_and_skip_articles() -> None:
    sel = Selector(
        text='<a href="/zwgk/">政府信息公开</a><a href="nb/">政府信息公开年报</a><a href="b/">信息公开年报</a>'
        '<a href="bm/">部门信息公开目录</a><a href="cz/">西夏区财政局</a><a href="zn/">政府信息公开指南</a>'
        '<a href="t/202501/t20250123_1.html">西夏区财政局2024年政府信息公开工作年度报告</a>'
    )
    sections, columns, catalogs = section_to_links(sel, "http://h.gov.cn/zwgk/index.html", FAMILIES["trs"].article_url)
    assert [s.text for s in sections] == ["政府信息公开"]
    assert [c.url for c in columns] == ["http://h.gov.cn/zwgk/nb/", "http://h.gov.cn/zwgk/b/"]
    assert [c.text for c in catalogs] == ["部门信息公开目录", "西夏区财政局"]


def test_metadata_labels_in_cells_and_in_one_line() -> None:
    sel = Selector(
        text="<body><table><tr><td>索引号：</td><td>640105/2025-00013</td><td>发布机构：</td><td></td></tr></table>"
        "<h1>某局2024年政府信息公开工作年度报告</h1>"
        "<div>信息来源：某局　发布时间：2025-01-23 10:12　浏览次数：<span>5</span></div></body>"
    )
    meta = page_to_metadata(sel, "h1")
    assert meta["index_no"] == "640105/2025-00013" and meta["publisher"] == ""
    assert (meta["source"], meta["published"], meta["published_date"]) == ("某局", "2025-01-23 10:12", "2025-01-23")
    assert meta["title"] == "某局2024年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    ("html", "soft"),
    [
        ("<title>页面不存在</title><p>抱歉，您访问的页面不存在或已被删除！</p>", True),
        ("<title>西夏区人民政府</title><p>您访问的页面不存在</p>", True),
        (
            "<title>西夏区2024年政府信息公开工作年度报告</title><p>页面不存在的问题已整改。</p>" + "<p>正文</p>" * 10,
            False,
        ),
    ],
)
def test_soft_404(html: str, soft: bool) -> None:
    assert page_is_soft_404(Selector(text=f"<html><head>{html.split('</title>')[0]}</title></head><body>"
                                         f"{html.split('</title>')[1]}</body></html>")) is soft  # fmt: skip

"""The bypc spider (Hanweb family) on the saved pages of www.bypc.gov.cn."""

from __future__ import annotations

import pytest
from saved_pages import check_item, crawl_saved, index_for, make_spider, saved_response

from spiders.bypc import BypcSpider

SPIDER, ITEMS, ASKED = crawl_saved(BypcSpider)
INDEX = index_for(BypcSpider)
GOV = "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/"


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.url.rsplit("/", 1)[-1][:40])
def test_item(item) -> None:
    check_item(BypcSpider, item)


def test_finds_exactly_the_reports_and_attachments_the_portal_holds() -> None:
    assert sorted(i.url for i in ITEMS if i.kind == "report_page") == sorted(r["url"] for r in INDEX["reports"])
    assert sorted(i.url for i in ITEMS if i.kind == "attachment") == sorted(
        a for r in INDEX["reports"] for a in r["attachments"]
    )
    assert not SPIDER.faults


def test_government_office_departments_and_townships() -> None:
    found = {url for url, col in SPIDER.columns.items() if col["ok"]}
    assert found == {c["url"] for c in INDEX["columns"]}
    assert any("/bmdw/" in u for u in found - set(BypcSpider.portal.column_urls))  # a department, discovered
    assert any("/xzjd/" in u and u.endswith("/zfxxgknb/") for u in found)  # a township's column


def test_script_pagination_by_page_num(tmp_path) -> None:
    spider = make_spider(BypcSpider, tmp_path, since="2000")
    (page2,) = [r for r in spider.parse_list(saved_response(GOV + "index.html"), GOV, 1) if "pageNum" in r.url]
    assert page2.url == GOV + "index.html?pageNum=2"
    assert SPIDER.columns[GOV]["pages"] == 2


def test_report_year_comes_from_the_title_not_the_folder() -> None:
    """发展和改革局's 2025 report is filed under 2024n; its title names no agency."""
    url = "https://www.bypc.gov.cn/zfxxgk/bmdwxzjd/bmdw/qfgj/xxgknb/2024n/art/2026/art_4a25005ad4da4e0bbca9a04b98caea18.html"
    (item,) = [i for i in ITEMS if i.url == url]
    assert "/2024n/" in item.url and item.report_year == 2025
    assert item.title == "2025年政府信息公开工作年度报告"


def test_metadata_table() -> None:
    (item,) = [i for i in ITEMS if i.url.endswith("art_3ceec784b6f543d0810d3acb2dd22159.html")]
    assert item.metadata == {
        "index_no": "11620403013912770D/2026-206748",
        "owner": "平川区政府办",
        "publisher": "",  # empty on the page, not the next thing after it
        "published": "2026-01-28 15:34",
        "source": "平川区人民政府",
        "doc_no": None,
    }


def test_downfile_attachments_are_recognised_by_their_query() -> None:
    items = [i for i in ITEMS if "downfile.jsp" in i.url]
    assert items
    for item in items:
        assert item.url.rsplit(".", 1)[1] == item.link_text.rsplit(".", 1)[1]


def test_a_list_whose_links_no_longer_match_is_a_selector_fault(tmp_path) -> None:
    response = saved_response(GOV + "index.html")
    changed = response.replace(body=response.body.replace(b"/art_", b"/article_"))
    spider = make_spider(BypcSpider, tmp_path, since="2000")
    assert [r.url for r in spider.parse_list(changed, GOV, 1)] == [GOV + "index.html?pageNum=2"]
    assert [(f.kind, f.url) for f in spider.faults.values()] == [("selector_empty", GOV + "index.html")]

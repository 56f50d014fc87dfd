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


def test_jpaas_shell_is_read_through_the_unit_api_page_by_page() -> None:
    """The column page has no list link: unitbuild.js's unit API answers 2 rows a page, 3 entries."""
    api = [u for u in ASKED if "/front/page/build/unit?" in u and "bypc-column" not in u]
    gov_pages = [u for u in api if "%22pageNo%22%3A+2" in u]
    assert gov_pages  # the second API page was asked for
    assert len(SPIDER.columns[GOV]["entries"]) == 3 and SPIDER.columns[GOV]["shapes"] == {"unitbuild"}
    assert SPIDER.columns[GOV]["platforms"] == {"jpaas"}


def test_the_unit_api_is_asked_with_the_column_page_as_referer(tmp_path) -> None:
    spider = make_spider(BypcSpider, tmp_path, since="2000")
    (unit,) = [r for r in spider.parse_list(saved_response(GOV + "index.html"), GOV, 1) if "/build/unit" in r.url]
    assert unit.headers["Referer"] == (GOV + "index.html").encode()
    bare = unit.replace(headers={})  # without it the platform answers success:false: a named fault
    list(spider.parse_unit(saved_response(bare.url, bare), **bare.cb_kwargs))
    assert [f.kind for f in spider.faults.values()] == ["list_unfollowed"]


def test_classic_hanweb_datastore_then_dataproxy_post() -> None:
    column = "https://www.bypc.gov.cn/col/col33718/"
    assert len(SPIDER.columns[column]["entries"]) == 3  # 2 in the page's <datastore>, 1 only from dataproxy.jsp
    assert any("dataproxy.jsp?startrecord=3" in u for u in ASKED)
    assert SPIDER.columns[column]["platforms"] == {"hanweb"}


def test_a_refused_dataproxy_post_falls_back_to_get_pages(tmp_path) -> None:
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    spider = make_spider(BypcSpider, tmp_path, since="2000")
    column = "https://www.bypc.gov.cn/col/col33718/"
    (post,) = [r for r in spider.parse_list(saved_response(column + "index.html"), column, 1) if r.method == "POST"]
    refused = saved_response(post.url, post).replace(status=405)
    failure = Failure(HttpError(refused, "405"))
    failure.request = post
    (get,) = list(spider.on_dataproxy_error(failure))
    assert get.method == "GET" and "page=2" in get.url
    list(spider.parse_dataproxy(saved_response(get.url, get), **get.cb_kwargs))
    assert len(spider.columns[column]["entries"]) == 3 and not spider.faults


def test_year_sub_columns_more_links_and_iframe_shells_are_followed() -> None:
    subs = {u for col in SPIDER.columns.values() for u in col["children"]}
    base = "https://www.bypc.gov.cn"
    assert {
        base + "/zfxxgk/zfxxgknb/2025n/",
        base + "/zfxxgk/zfxxgknb/2025n/bmdw/",
        base + "/zfxxgk/nbhz/",  # 更多
        base + "/zfxxgk/bmdwxzjd/bmdw/qfgj/xxgknb/2024n/",
        base + "/zfxxgk/bmdwxzjd/xzjd/ztx/zfxxgknb/nblist/",  # the iframe
    } <= subs


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
    column = "https://www.bypc.gov.cn/zfxxgk/nbhz/"
    response = saved_response(column + "index.html")
    changed = response.replace(body=response.body.replace(b"/art_", b"/article_"))
    spider = make_spider(BypcSpider, tmp_path, since="2000")
    assert list(spider.parse_list(changed, column, 1)) == []
    assert [(f.kind, f.url) for f in spider.faults.values()] == [("selector_empty", column + "index.html")]


def test_a_shell_whose_loader_is_unreadable_is_a_named_fault(tmp_path) -> None:
    response = saved_response(GOV + "index.html")
    changed = response.replace(body=response.body.replace(b"url=", b"data-x="))
    spider = make_spider(BypcSpider, tmp_path, since="2000")
    requests = list(spider.parse_list(changed, GOV, 1))
    assert not [r for r in requests if "/build/unit" in r.url]
    assert ("list_unfollowed", GOV + "index.html") in {(f.kind, f.url) for f in spider.faults.values()}

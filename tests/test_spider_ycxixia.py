"""The ycxixia spider (TRS family) on the saved pages of www.ycxixia.gov.cn."""

from __future__ import annotations

import pytest
from saved_pages import check_item, crawl_saved, index_for, make_spider, saved_response
from scrapy import Request

from spiders.ycxixia import YcxixiaSpider

SPIDER, ITEMS, ASKED = crawl_saved(YcxixiaSpider)
INDEX = index_for(YcxixiaSpider)


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.url.rsplit("/", 1)[-1])
def test_item(item) -> None:
    check_item(YcxixiaSpider, item)


def test_finds_exactly_the_reports_and_attachments_the_portal_holds() -> None:
    pages = [i.url for i in ITEMS if i.kind == "report_page"]
    assert sorted(pages) == sorted(r["url"] for r in INDEX["reports"])
    attachments = [i.url for i in ITEMS if i.kind == "attachment"]
    assert sorted(attachments) == sorted(a for r in INDEX["reports"] for a in r["attachments"])


def test_columns_discovered_and_configured() -> None:
    found = {url for url, col in SPIDER.columns.items() if col["ok"]}
    assert found == {c["url"] for c in INDEX["columns"]}
    configured = set(YcxixiaSpider.portal.column_urls)
    assert configured < found  # the rest were discovered from 政府信息公开 and its catalogues
    orphan = "http://www.ycxixia.gov.cn/zwgk/bmxxgkml/xxqjyj/xxgknb_1918/"
    assert orphan in configured and SPIDER.columns[orphan]["via"] is None  # nothing links to it
    assert SPIDER.columns["http://www.ycxixia.gov.cn/zwgk/bmxxgkmn/xxqczj/xxgknb_9490/"]["via"].endswith(
        "/zwgk/bmxxgkmn/xxqczj/index.html"
    )


def test_broken_link_soft_404_challenge_412_and_offsite_redirect_are_faults_with_their_urls() -> None:
    faults = {(f.kind, f.url) for f in SPIDER.faults.values()}
    assert faults == (
        {("broken_link", u) for u in INDEX["broken_links"]}
        | {("soft_404", u) for u in INDEX["soft_404"]}
        | {("challenge", u) for u in INDEX["challenges"]}
        | {("blocked", u) for u in INDEX["blocked"]}
        | {("offsite_redirect", u) for u in INDEX["offsite_redirects"]}
    )
    assert INDEX["challenges"] and INDEX["blocked"] and INDEX["offsite_redirects"]
    assert not [i for i in ITEMS if "bypc" in i.url]  # the redirect's target is never stored here


def test_six_argument_pager_reaches_every_page_of_a_three_page_column() -> None:
    column = "http://www.ycxixia.gov.cn/zwgk/zfxxgknb/"
    assert SPIDER.columns[column]["pages"] == 3
    assert {column + "index_1.html", column + "index_2.html"} <= set(ASKED)


def test_entries_wrapped_in_their_link_keep_their_own_dates(tmp_path) -> None:
    from spiders.pages import list_entries

    column = "http://www.ycxixia.gov.cn/zwgk/zfxxgknb/"
    entries = list_entries(saved_response(column + "index.html").selector, column + "index.html")
    dates = {e.url.rsplit("/", 1)[1]: e.date.isoformat() for e in entries}
    assert dates == {"t20250123_4800850.html": "2025-01-23", "t20250124_4801136.html": "2025-01-24"}


def test_attachments_only_in_the_hasfj_script_string_are_found() -> None:
    url = "http://www.ycxixia.gov.cn/zwgk/bmxxgkml/xxqjyj/xxgknb_1918/202601/t20260115_5123468.html"
    assert (
        b"var hasFJ='" in saved_response(url).body
        and b'<a href="./P0' not in saved_response(url).body.split(b"<script>\nvar hasFJ")[0]
    )
    found = sorted(i.url.rsplit(".", 1)[1] for i in ITEMS if i.kind == "attachment" and i.source_page_url == url)
    assert found == ["docx", "ofd"]


def test_a_year_sub_column_and_its_more_link_are_followed() -> None:
    column = "http://www.ycxixia.gov.cn/zwgk/bmxxgkml/xxqjyj/xxgknb_1918/"
    assert SPIDER.columns[column]["children"] == {column + "2025n/"}
    assert len(SPIDER.columns[column + "2025n/"]["entries"]) == 1


def test_every_list_page_is_followed() -> None:
    for column in INDEX["columns"]:
        assert SPIDER.columns[column["url"]]["pages"] == column["list_pages"]
        assert len(SPIDER.columns[column["url"]]["entries"]) == column["listed"]


def test_gbk_pages_are_decoded_right() -> None:
    """The 街道 list page is GBK without a declared charset; its report page declares gb2312."""
    column = "http://www.ycxixia.gov.cn/zwgk/jdxxgkml/xhylj/xxgknb/"
    request = Request(column + "index.html", cb_kwargs={"column": column, "page": 1})
    spider = make_spider(YcxixiaSpider, SPIDER.data_dir, since="2000")
    (report_request,) = spider.parse_list(saved_response(request.url, request), column, 1)
    assert report_request.cb_kwargs["list_title"] == "银川市西夏区西花园路街道办事处2020年政府信息公开工作年度报告"
    (item,) = [i for i in ITEMS if i.url == report_request.url]
    assert item.encoding == "gb18030" and item.metadata["publisher"] == "银川市西夏区西花园路街道办事处"


def test_the_external_attachment_is_left_to_offsite_protection() -> None:
    external = [u for u in ASKED if "ycxixia.gov.cn" not in u]
    assert sorted(set(external)) == sorted(e for r in INDEX["reports"] for e in r["external_links"])


def test_default_year_window_asks_only_for_recent_reports() -> None:
    spider, items, asked = crawl_saved(YcxixiaSpider, since=None, today="2026-11-22")
    assert spider.since == 2024
    recent = {r["url"] for r in INDEX["reports"] if r["year"] >= 2024}
    assert {i.url for i in items if i.kind == "report_page"} == recent
    older = {r["url"] for r in INDEX["reports"]} - recent
    assert not older & set(asked)  # filtered on the list page, by the year in the title: never fetched


def test_a_list_whose_links_no_longer_match_is_a_selector_fault(tmp_path) -> None:
    column = "http://www.ycxixia.gov.cn/zwgk/zfxxgknb/"
    response = saved_response(column + "index.html")
    changed = response.replace(body=response.body.replace(b"/t20", b"/article-20"))
    spider = make_spider(YcxixiaSpider, tmp_path, since="2000")
    requests = list(spider.parse_list(changed, column, 1))
    assert all("article-20" not in r.url for r in requests)
    (fault,) = spider.faults.values()
    assert (fault.kind, fault.url) == ("selector_empty", column + "index.html")

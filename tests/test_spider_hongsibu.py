"""The hongsibu spider (TRS family, assumed) on the saved pages of www.hongsibu.gov.cn.

Nothing is configured for this portal but its host: every column is discovered."""

from __future__ import annotations

import pytest
from saved_pages import check_item, crawl_saved, index_for, make_spider, saved_response

from spiders.hongsibu import HongsibuSpider

SPIDER, ITEMS, ASKED = crawl_saved(HongsibuSpider)
INDEX = index_for(HongsibuSpider)


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.url.rsplit("/", 1)[-1])
def test_item(item) -> None:
    check_item(HongsibuSpider, item)


def test_finds_exactly_the_reports_the_portal_holds() -> None:
    assert sorted(i.url for i in ITEMS if i.kind == "report_page") == sorted(r["url"] for r in INDEX["reports"])
    assert sorted(i.url for i in ITEMS if i.kind == "attachment") == sorted(
        a for r in INDEX["reports"] for a in r["attachments"]
    )
    assert not SPIDER.faults


def test_every_column_is_discovered_from_the_home_page() -> None:
    assert HongsibuSpider.portal.columns == () and HongsibuSpider.portal.sections == ()
    found = {url for url, col in SPIDER.columns.items() if col["ok"]}
    assert found == {c["url"] for c in INDEX["columns"]}
    assert all(col["via"] for col in SPIDER.columns.values())


def test_robots_disallowed_catalogue_is_asked_for_and_never_fetched() -> None:
    """The spider follows the 统计局 link; robots.txt forbids it (Scrapy's middleware in a real crawl)."""
    assert "http://www.hongsibu.gov.cn/xxgk/bmxxgk/tjj/index.html" in ASKED
    assert not {i.url for i in ITEMS} & set(INDEX["robots_blocked"])


def test_static_next_page_links() -> None:
    column = "http://www.hongsibu.gov.cn/xxgk/zfxxgknb/"
    spider = make_spider(HongsibuSpider, SPIDER.data_dir, since="2000")
    requests = list(spider.parse_list(saved_response(column + "index.html"), column, 1))
    assert [r.url for r in requests if r.callback == spider.parse_list] == [column + "index_1.html"]
    assert SPIDER.columns[column]["pages"] == 2


def test_publication_date_label_of_this_site() -> None:
    (item,) = [i for i in ITEMS if i.url.endswith("t20250122_4521307.html")]
    assert item.metadata["published"] == "2025-01-22 16:30" and item.published_date == "2025-01-22"
    assert item.metadata["index_no"] is None  # this site prints no 索引号

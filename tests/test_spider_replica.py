"""The spiders' page reading against hand-written replicas of the real platforms' markup
(tests/fixtures/replica, written from ../shared/portals.md, not by scripts/build_mirror.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from parsel import Selector

from spiders.pages import (
    attachment_extension,
    dataproxy_answer,
    detect_platform,
    list_dataproxy,
    list_entries,
    list_shape,
    list_sub_lists,
    list_to_page_urls,
    list_unit_apis,
    page_is_challenge,
    page_to_attachments,
    unit_answer,
)

REPLICA = Path(__file__).parent / "fixtures" / "replica"


def page(name: str) -> Selector:
    return Selector(text=(REPLICA / name).read_text(encoding="utf-8"))


def test_trs_a_wrapping_li_gives_each_entry_its_own_date_and_title() -> None:
    base = "http://www.hongsibu.gov.cn/xxgk/xxgknb/index.html"
    entries = list_entries(page("trs_nx_list.html"), base)
    assert [(e.url.rsplit("/", 1)[1], e.title, e.date) for e in entries] == [
        ("t20260119_5301117.html", "红寺堡区民政局2025年政府信息公开工作年度报告", date(2026, 1, 19)),
        ("t20260112_5297740.html", "红寺堡区财政局2025年政府信息公开工作年度报告", date(2026, 1, 12)),
        ("t20251230_5290001.html", "关于元旦放假的通知", date(2025, 12, 30)),
    ]
    assert detect_platform(page("trs_nx_list.html"), base) == "trs"


def test_trs_six_argument_pager_and_sub_lists() -> None:
    base = "http://www.hongsibu.gov.cn/xxgk/xxgknb/index.html"
    sel = page("trs_nx_list.html")
    assert list_to_page_urls(sel, base) == [
        "http://www.hongsibu.gov.cn/xxgk/xxgknb/index_1.html",
        "http://www.hongsibu.gov.cn/xxgk/xxgknb/index_2.html",
    ]
    assert list_sub_lists(sel, base) == [
        "http://www.hongsibu.gov.cn/xxgk/xxgknb/2025n/index.html",
        "http://www.hongsibu.gov.cn/xxgk/xxgknb/2024n/",
    ]


def test_trs_attachments_only_in_a_hasfj_script_string() -> None:
    base = "http://www.ycxixia.gov.cn/zwgk/yjglj/xxgknb/202601/t20260121_5300001.html"
    found = [
        (a.url.rsplit("/", 1)[1], attachment_extension(a.url, a.text))
        for a in page_to_attachments(page("trs_nx_article.html"), base)
    ]
    assert found == [
        ("P020260121391234567890.pdf", "pdf"),
        ("P020260121391234567891.ofd", "ofd"),
        ("W020260121391234567892.et", "et"),
    ]


def test_trs_document_write_attachments_and_last_page_link() -> None:
    base = "http://www.example.gov.cn/col/nb/202601/t20260105_1.html"
    sel = page("trs_docwrite_article.html")
    assert [a.url.rsplit("/", 1)[1] for a in page_to_attachments(sel, base)] == [
        "P020260105556677889900.zip",
        "P020260105556677889901.rar",
    ]
    assert "http://www.example.gov.cn/col/nb/202601/index_4.html" in list_to_page_urls(sel, base)


def test_jcms_datastore_records_and_dataproxy_paging() -> None:
    base = "http://www.jingtai.gov.cn/col/col33718/index.html"
    sel = page("jcms_column.html")
    assert "datastore" in list_shape(sel) and detect_platform(sel, base) == "hanweb"
    entries = list_entries(sel, base)
    assert [e.url for e in entries][:1] == ["http://www.jingtai.gov.cn/art/2026/1/20/art_33718_11828204.html"]
    assert [e.date for e in entries] == [date(2026, 1, 20), date(2026, 1, 16), date(2025, 1, 22)]
    proxy = list_dataproxy(sel, base)
    assert proxy is not None and proxy.total == 7 and proxy.per_page == 3
    assert proxy.form()["columnid"] == "33718" and proxy.form()["unitid"] == "212860"
    assert (
        proxy.post_url(4, 6)
        == "http://www.jingtai.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3"
    )
    assert "page=2&" in proxy.page_url(2)
    records, total = dataproxy_answer((REPLICA / "jcms_dataproxy.xml").read_text(encoding="utf-8"), base)
    assert total == 7 and len(records) == 3
    more = list_entries(Selector(text="".join(records)), base)
    assert [e.date for e in more] == [date(2025, 1, 15), date(2024, 1, 25), date(2024, 1, 18)]


def test_jcms_initdata_array() -> None:
    base = "http://www.huining.gov.cn/col/col4021/index.html"
    entries = list_entries(page("jcms_initdata.html"), base)
    assert [e.url.rsplit("/", 1)[1] for e in entries] == ["art_4021_889012.html", "art_4021_780033.html"]
    assert "initdata" in list_shape(page("jcms_initdata.html"))


def test_jcms_downfile_attachments_take_their_type_from_showname() -> None:
    base = "http://www.jingtai.gov.cn/art/2026/1/16/art_33718_11820011.html"
    types = [attachment_extension(a.url, a.text) for a in page_to_attachments(page("jcms_article.html"), base)]
    assert types == ["pdf", "wps"]


def test_jpaas_shell_unit_api_and_its_answer() -> None:
    base = "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/index.html"
    sel = page("jpaas_column.html")
    assert list_entries(sel, base) == [] and detect_platform(sel, base) == "jpaas"
    (api,) = list_unit_apis(sel, base)
    assert api.url == "https://www.bypc.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
    params = dict(api.params)
    assert params["parseType"] == "bulidstatic" and params["pageId"] == "5f3c0a7b9d2e4f6a8b1c3d5e7f9a0b2c"
    assert "paramJson=%7B%22pageNo%22%3A+2" in api.page_url(2, 15)
    html, count, rows = unit_answer((REPLICA / "jpaas_unit.json").read_text(encoding="utf-8"))
    assert (count, rows) == (5, 2)
    entries = list_entries(Selector(text=html), base)
    assert [e.date for e in entries] == [date(2026, 1, 28), date(2026, 1, 27)]
    assert entries[1].title == "2025年政府信息公开工作年度报告"


def test_jpaas_nianbao_column_year_sub_columns_and_more() -> None:
    base = "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/index.html"
    assert list_sub_lists(page("jpaas_nianbao.html"), base) == [
        "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/2025n/index.html",
        "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/2024n/index.html",
        "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/2025n/bmdw/",
        "https://www.bypc.gov.cn/zfxxgk/bmdwxzjd/xzjd/nb/index.html",
    ]


def test_jpaas_attachment_type_from_file_name() -> None:
    base = "https://www.bypc.gov.cn/zfxxgk/x/art/2026/art_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b.html"
    types = [attachment_extension(a.url, a.text) for a in page_to_attachments(page("jpaas_article.html"), base)]
    assert types == ["ofd", "pdf"]


def test_challenge_page_and_iframe_shell() -> None:
    body = (REPLICA / "challenge.html").read_bytes()
    assert page_is_challenge(body, Selector(text=body.decode()))
    normal = (REPLICA / "trs_nx_list.html").read_bytes()
    assert not page_is_challenge(normal, Selector(text=normal.decode()))
    base = "http://www.jingtai.gov.cn/col/col4411/index.html"
    assert list_sub_lists(page("iframe_shell.html"), base) == [
        "http://www.jingtai.gov.cn/col/col4412/index.html?uid=19850&pageNum=1"
    ]
    assert "iframe" in list_shape(page("iframe_shell.html"))


def test_a_small_jpaas_shell_is_no_challenge() -> None:
    """Found by the replica crawl: a shell of 500 bytes, a script and no link, is a list loader."""
    body = (REPLICA / "sites" / "www.bypc.gov.cn" / "zfxxgk" / "zfxxgknb" / "index.html").read_bytes()
    assert len(body) < 1024 and not page_is_challenge(body, Selector(text=body.decode()))

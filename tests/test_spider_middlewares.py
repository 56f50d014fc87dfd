"""Host map to the mirror, offsite protection, and the polite settings."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from spiders import settings as project_settings
from spiders.bypc import BypcSpider
from spiders.hongsibu import HongsibuSpider
from spiders.middlewares import MIRROR_OF, HostMapMiddleware, parse_host_map
from spiders.ycxixia import YcxixiaSpider

MAP = {"www.bypc.gov.cn": "127.0.0.1:8765"}


def _middleware(tmp_path, host_map=MAP) -> HostMapMiddleware:
    crawler = get_crawler(BypcSpider, {"NIANBAO_HOST_MAP": host_map, "NIANBAO_DATA_DIR": str(tmp_path)})
    crawler.spider = BypcSpider.from_crawler(crawler)
    return HostMapMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    "value",
    [MAP, '{"www.bypc.gov.cn": "127.0.0.1:8765"}', "www.bypc.gov.cn=127.0.0.1:8765", "WWW.BYPC.GOV.CN=127.0.0.1:8765"],
)
def test_host_map_forms(value) -> None:
    assert parse_host_map(value) == MAP


@pytest.mark.parametrize("target", ["10.0.0.5:80", "www.example.com:80", "127.0.0.1", "8.8.8.8:53"])
def test_host_map_points_only_at_this_machine(target: str) -> None:
    with pytest.raises(ValueError, match="not a loopback"):
        parse_host_map({"www.bypc.gov.cn": target})


def test_mapped_request_goes_to_the_mirror_and_comes_back_under_its_real_url(tmp_path) -> None:
    mw = _middleware(tmp_path)
    real = "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/index.html?pageNum=2"
    request = Request(real, meta={"nianbao_kind": "report_page"})
    mirrored = mw.process_request(request)
    assert mirrored.url == "http://127.0.0.1:8765/zfxxgk/zfxxgknb/index.html?pageNum=2"
    assert mirrored.headers["Host"] == b"www.bypc.gov.cn"
    assert mirrored.meta[MIRROR_OF] == real and mirrored.meta["download_slot"] == "www.bypc.gov.cn"
    assert mirrored.meta["nianbao_kind"] == "report_page"
    assert mw.process_request(mirrored) is None  # downloaded as it is
    response = mw.process_response(mirrored, HtmlResponse(mirrored.url, body=b"<html></html>", request=mirrored))
    assert response.url == real and response.request.url == real
    assert MIRROR_OF not in response.meta and b"Host" not in response.request.headers


@pytest.mark.parametrize(
    "url",
    [
        "http://www.gov.cn/zhengce/x.pdf",  # off the portal
        "http://file.bypc.gov.cn/a.pdf",  # on the portal's domain, but not mirrored: never sent to the network
        "http://127.0.0.1:8765/zfxxgk/",  # the mirror itself, without a real URL behind it
    ],
)
def test_while_mapped_nothing_unmapped_is_sent(url: str, tmp_path) -> None:
    mw = _middleware(tmp_path)
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request(url))
    if "127.0.0.1" not in url:
        assert mw.crawler.spider.blocked == {url}  # named in the crawl summary


@pytest.mark.parametrize("spider_cls", [YcxixiaSpider, BypcSpider, HongsibuSpider])
def test_offsite_protection_keeps_each_spider_on_its_portal(spider_cls, tmp_path) -> None:
    crawler = get_crawler(spider_cls, {"NIANBAO_DATA_DIR": str(tmp_path)})
    crawler.spider = spider_cls.from_crawler(crawler)
    offsite = OffsiteMiddleware.from_crawler(crawler)
    offsite.spider_opened(crawler.spider)
    portal = spider_cls.portal
    offsite.process_request(Request(portal.base_url + "/zwgk/index.html"))
    offsite.process_request(Request(f"http://file.{portal.domain}/P0.pdf"))  # its subdomains are the portal's
    for outside in ("http://www.gov.cn/x.pdf", f"http://{portal.domain}.evil.example/", "http://127.0.0.1:8765/"):
        with pytest.raises(IgnoreRequest):
            offsite.process_request(Request(outside))


def test_polite_project_settings() -> None:
    s = Settings()
    s.setmodule(project_settings)
    assert s.getbool("ROBOTSTXT_OBEY") and s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert not s.getbool("HTTPCACHE_ENABLED")
    assert s.getint("DOWNLOAD_MAXSIZE") <= 64 * 1024 * 1024 and s.getint("RETRY_TIMES") >= 2
    assert s.get("USER_AGENT").startswith("nianbao/")
    base = s.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert base["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"] is not None
    assert max(v for v in base.values() if v is not None) == base["spiders.middlewares.HostMapMiddleware"]


def test_a_redirect_off_the_portal_is_refused_and_named(tmp_path) -> None:
    from spiders.middlewares import StayInPortalMiddleware

    crawler = get_crawler(YcxixiaSpider, {"NIANBAO_DATA_DIR": str(tmp_path)})
    crawler.spider = spider = YcxixiaSpider.from_crawler(crawler)
    middleware = StayInPortalMiddleware.from_crawler(crawler)
    url = "http://www.ycxixia.gov.cn/zwgk/zfxxgknb/202501/t20250127_4800901.html"
    request = Request(url)

    def answer(location: str) -> HtmlResponse:
        return HtmlResponse(url, status=302, headers={"Location": location}, request=request)

    inside = answer("/zwgk/zfxxgknb/202501/t20250127_4800902.html")
    assert middleware.process_response(request, inside, spider) is inside  # within the portal: followed
    assert middleware.process_response(request, answer("http://mail.ycxixia.gov.cn/x"), spider).status == 302
    for target, whose in (("https://www.bypc.gov.cn/zfxxgk/", "portal bypc"), ("http://evil.example/", "not a portal")):
        with pytest.raises(IgnoreRequest):
            middleware.process_response(request, answer(target), spider)
        fault = spider.faults.pop(("offsite_redirect", url))
        assert target in fault.detail and whose in fault.detail
    assert "spiders.middlewares.StayInPortalMiddleware" in project_settings.DOWNLOADER_MIDDLEWARES
    assert (
        project_settings.DOWNLOADER_MIDDLEWARES["spiders.middlewares.StayInPortalMiddleware"] > 600
    )  # before Redirect

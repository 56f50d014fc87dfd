"""Downloader middlewares: the portal-to-mirror host map, and waiting before retries.

``HostMapMiddleware`` sends requests for a real portal host to a local mirror
(``NIANBAO_HOST_MAP = {"www.ycxixia.gov.cn": "127.0.0.1:8765"}``) with the
real ``Host`` header, and gives the spider the response under the real URL:
URLs, offsite checks, robots.txt, download slots and the manifest all keep the
real host names. While a map is set, a request for any host not in it is
dropped: a crawl of the mirror never reaches the network.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)

#: meta key of a mirrored request: the real URL it stands for
MIRROR_OF = "nianbao_mirror_of"


def parse_host_map(value: Any) -> dict[str, str]:
    """``{"host": "127.0.0.1:PORT"}`` from a dict, a JSON object or ``host=addr,host=addr``.

    Raises ValueError for a target that is not a loopback ``address:port``:
    the map exists to point spiders at a local mirror, nothing else.
    """
    if not value:
        return {}
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = json.loads(text)
        else:
            value = dict(pair.split("=", 1) for pair in text.split(",") if pair.strip())
    host_map = {str(k).strip().lower(): str(v).strip() for k, v in dict(value).items()}
    for host, target in host_map.items():
        address, _, port = target.rpartition(":")
        address = address.strip("[]")
        try:
            loopback = address == "localhost" or ipaddress.ip_address(address).is_loopback
        except ValueError:
            loopback = False
        if not (loopback and port.isdigit()):
            raise ValueError(f"NIANBAO_HOST_MAP: {host} -> {target!r} is not a loopback address:port")
    return host_map


def real_url(request: Request) -> str:
    """The URL a request stands for, mirrored or not."""
    return request.meta.get(MIRROR_OF) or request.url


class HostMapMiddleware:
    def __init__(self, crawler: Crawler, host_map: dict[str, str]) -> None:
        self.crawler = crawler
        self.host_map = host_map
        self.endpoints = set(host_map.values())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        host_map = parse_host_map(crawler.settings.get("NIANBAO_HOST_MAP"))
        if not host_map:
            raise NotConfigured("no NIANBAO_HOST_MAP: requests go to the real hosts")
        return cls(crawler, host_map)

    def process_request(self, request: Request, spider: Any = None) -> Request | None:
        parts = urlsplit(request.url)
        if parts.netloc in self.endpoints:
            if MIRROR_OF in request.meta:
                return None  # already mirrored: download it
            raise IgnoreRequest(f"a request straight to the mirror endpoint {parts.netloc}")
        target = self.host_map.get((parts.hostname or "").lower())
        if target is None:
            self.crawler.stats.inc_value("nianbao/blocked_unmapped")
            blocked = getattr(self.crawler.spider, "blocked", None)
            if blocked is not None:
                blocked.add(request.url)
            raise IgnoreRequest(f"{parts.hostname} is not in NIANBAO_HOST_MAP: not sent anywhere")
        mirrored = urlunsplit(("http", target, parts.path or "/", parts.query, ""))
        headers = request.headers.copy()
        headers["Host"] = parts.netloc
        meta = {
            **request.meta,
            MIRROR_OF: request.url,
            "download_slot": parts.hostname,  # politeness per real portal
            "allow_offsite": True,  # the real URL passed the offsite check already
            "dont_obey_robotstxt": True,  # and robots.txt of the real host
        }
        return request.replace(url=mirrored, headers=headers, meta=meta, dont_filter=True)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        real = request.meta.get(MIRROR_OF)
        if not real:
            return response
        meta = {k: v for k, v in request.meta.items() if k not in (MIRROR_OF, "allow_offsite")}
        headers = request.headers.copy()
        headers.pop("Host", None)
        original = request.replace(url=real, headers=headers, meta=meta)
        return response.replace(url=real, request=original)


class StayInPortalMiddleware:
    """Refuses a redirect that leaves the spider's portal (another portal's host or any other host):
    it is named as an ``offsite_redirect`` fault and nothing is fetched or stored under the wrong
    portal. Placed after RedirectMiddleware (600) so it sees the 3xx answer first; with a host map it
    sees the real URL (HostMapMiddleware has put it back)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StayInPortalMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        spider = spider or self.crawler.spider
        portal = getattr(spider, "portal", None)
        location = response.headers.get(b"Location")
        if portal is None or not (300 <= response.status < 400) or not location:
            return response
        source = real_url(request)
        target = urljoin(source, location.decode("latin-1").strip())
        host = (urlsplit(target).hostname or "").lower()
        if host == portal.domain or host.endswith("." + portal.domain):
            return response
        from rawstore.portals import portal_for_host

        other = portal_for_host(host)
        whose = f"portal {other.key}" if other else "not a portal"
        self.crawler.stats.inc_value("nianbao/offsite_redirect")
        fault = getattr(spider, "fault", None)
        if fault is not None:
            fault("offsite_redirect", source, f"HTTP {response.status} to {target} ({whose}): refused")
        raise IgnoreRequest(f"redirect from {source} to {target} leaves {portal.host}")


class RetryBackoffMiddleware:
    """Waits ``base * 2**(n-1)`` seconds (at most ``max``) before the n-th retry of a request,
    and tells the spider which URLs needed a retry and why (its summary lists them)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.base = crawler.settings.getfloat("NIANBAO_RETRY_BACKOFF_BASE", 2.0)
        self.max = crawler.settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX", 60.0)
        self.retry_codes = {int(code) for code in crawler.settings.getlist("RETRY_HTTP_CODES")}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        attempt = request.meta.get("retry_times", 0)
        if attempt and self.base > 0:
            from twisted.internet import reactor

            delay = min(self.base * 2 ** (attempt - 1), self.max)
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))  # type: ignore[arg-type]
        return None

    def _note(self, request: Request, reason: str) -> None:
        note = getattr(self.crawler.spider, "note_retry", None)
        if note is not None:
            note(real_url(request), reason)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status in self.retry_codes:
            self._note(request, f"HTTP {response.status}")
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        if not isinstance(exception, IgnoreRequest):  # robots.txt, offsite, unmapped: not a failure to retry
            self._note(request, type(exception).__name__)
        return None

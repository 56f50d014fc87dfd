"""The portals nianbao crawls, declared once: host, district, CMS family.

The spiders (one file per portal) read their host from here; the warehouse
reads the district of an agency from here; docs/portals.md is generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Portal:
    key: str  # the spider's name
    host: str
    district: str  # full name, e.g. 银川市西夏区
    short: str  # how reports name it, e.g. 西夏区
    family: str  # CMS family: "trs" (static tYYYYMMDD_ pages) or "hanweb" (art_ pages)


PORTALS: tuple[Portal, ...] = (
    Portal("ycxixia", "www.ycxixia.gov.cn", "银川市西夏区", "西夏区", "trs"),
    Portal("bypc", "www.bypc.gov.cn", "白银市平川区", "平川区", "hanweb"),
    Portal("hongsibu", "www.hongsibu.gov.cn", "吴忠市红寺堡区", "红寺堡区", "trs"),
)
PORTAL_BY_KEY: dict[str, Portal] = {p.key: p for p in PORTALS}


def portal_for_host(host: str) -> Portal | None:
    host = host.lower().split(":")[0]
    return next((p for p in PORTALS if host == p.host or host.endswith("." + p.host.removeprefix("www."))), None)


def portal_for_agency(agency: str) -> Portal | None:
    """The district portal whose district an agency's name mentions."""
    return next((p for p in PORTALS if p.short in agency), None)

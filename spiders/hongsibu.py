"""吴忠市红寺堡区 — www.hongsibu.gov.cn (TRS-style static pages, assumed).

Configuration in rawstore/portals.py; behaviour from the CMS family's base class.
"""

from __future__ import annotations

from rawstore.portals import PORTAL_BY_KEY
from spiders.trs import TRSSpider


class HongsibuSpider(TRSSpider):
    portal = PORTAL_BY_KEY["hongsibu"]
    name = portal.key
    allowed_domains = portal.allowed_domains

"""白银市平川区 — www.bypc.gov.cn (Hanweb-style art_ pages).

Configuration in rawstore/portals.py; behaviour from the CMS family's base class.
"""

from __future__ import annotations

from rawstore.portals import PORTAL_BY_KEY
from spiders.hanweb import HanwebSpider


class BypcSpider(HanwebSpider):
    portal = PORTAL_BY_KEY["bypc"]
    name = portal.key
    allowed_domains = portal.allowed_domains

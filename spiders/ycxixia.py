"""银川市西夏区 — www.ycxixia.gov.cn (TRS-style static pages).

Configuration in rawstore/portals.py; behaviour from the CMS family's base class.
"""

from __future__ import annotations

from rawstore.portals import PORTAL_BY_KEY
from spiders.trs import TRSSpider


class YcxixiaSpider(TRSSpider):
    portal = PORTAL_BY_KEY["ycxixia"]
    name = portal.key
    allowed_domains = portal.allowed_domains

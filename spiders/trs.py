"""TRS-style portals: static article pages ``…/<column>/YYYYMM/tYYYYMMDD_<docid>.html``,
list pages ``index.html``, ``index_1.html`` … (count in ``createPageHTML(n, …)``) or 下一页 links."""

from __future__ import annotations

from rawstore.portals import FAMILIES
from spiders.base import PortalSpider


class TRSSpider(PortalSpider):
    family = FAMILIES["trs"]

"""Hanweb-style portals: article pages ``…/art/<pubYYYY>/art_<hex32>.html`` with a metadata table
(索引号, 所属机构, 发布机构 …), list pages paged by a script (``pageNum=N``)."""

from __future__ import annotations

from rawstore.portals import FAMILIES
from spiders.base import PortalSpider


class HanwebSpider(PortalSpider):
    family = FAMILIES["hanweb"]

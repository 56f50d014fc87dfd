"""Step 1 of the data path: fetch. Scrapy spiders, one per portal, on a base class per CMS family.

portals.py (the portals, declared once) · base.py (what every spider does) · trs.py, hanweb.py (the
CMS families) · ycxixia.py, bypc.py, hongsibu.py (one per portal) · pages.py (pure page steps) ·
pipelines.py + rawstore.py + state.py (raw store, manifest, what the next crawl knows) ·
middlewares.py (host map to a local mirror, retry backoff) · crawl.py (a run: one process per portal,
one summary) · mirror.py (the local mirror server) · settings.py (Scrapy settings).
"""

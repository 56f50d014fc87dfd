"""Scrapy settings for nianbao's spiders: polite by default.

Override per run with ``scrapy crawl NAME -s KEY=VALUE``. nianbao's own
settings are read from ``NIANBAO_*`` environment variables here, once:

- ``NIANBAO_DATA_DIR``: raw store, manifests, state and summaries (default ``data``)
- ``NIANBAO_HOST_MAP``: send a portal's requests to a local mirror, e.g.
  ``{"www.ycxixia.gov.cn": "127.0.0.1:8765"}`` (JSON) or ``host=addr,host=addr``
- ``NIANBAO_USER_AGENT``: the identifying User-Agent (give a contact)
"""

from __future__ import annotations

import os
from importlib import metadata

from rawstore.layout import data_dir_from_env

try:
    _VERSION = metadata.version("nianbao")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    _VERSION = "0"

BOT_NAME = "nianbao"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

NIANBAO_DATA_DIR = str(data_dir_from_env())
NIANBAO_HOST_MAP = os.environ.get("NIANBAO_HOST_MAP", "")
NIANBAO_MAX_LIST_PAGES = 50  # per column: a runaway pager stops here
NIANBAO_RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry, doubling each time
NIANBAO_RETRY_BACKOFF_MAX = 60.0

# Who we are, and how politely we ask.
USER_AGENT = os.environ.get(
    "NIANBAO_USER_AGENT",
    f"nianbao/{_VERSION} (reads 政府信息公开工作年度报告 once a night; 2 requests at a time; obeys robots.txt)",
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Failures: retried with a growing wait (spiders.middlewares.RetryBackoffMiddleware), then reported.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # a report PDF is rarely above 20 MB
DOWNLOAD_WARNSIZE = 24 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated attachment is a failure, never a stored document

# Incremental crawling is ours (state.json + conditional requests), not Scrapy's cache.
HTTPCACHE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # Offsite protection (scrapy.downloadermiddlewares.offsite.OffsiteMiddleware, 50) is on by default:
    # each spider's allowed_domains is its portal's domain.
    "spiders.middlewares.RetryBackoffMiddleware": 560,
    "spiders.middlewares.StayInPortalMiddleware": 610,  # sees a 3xx before RedirectMiddleware (600)
    "spiders.middlewares.HostMapMiddleware": 950,  # last before the downloader
}
ITEM_PIPELINES = {"spiders.pipelines.RawStorePipeline": 300}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

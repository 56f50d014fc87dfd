"""Step 1 of the data path: fetch. Scrapy spiders, one per portal (see issue: spiders)."""

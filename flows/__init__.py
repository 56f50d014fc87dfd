"""Step 5: Prefect flows that run crawl → parse → load → check."""

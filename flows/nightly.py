"""The nightly pipeline: crawl every portal, parse what is new or changed, load, check, report.

A portal that cannot be reached is a warning in the summary, not a failed
run; the run fails only when something is really broken (the warehouse, the
checks). Only the crawl retries. Parses are cached by sha256 and parser
version, so a second run parses nothing and downloads no report again.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict

from prefect import flow, get_run_logger

from flows.charts import publish_report
from flows.runner import start_prefect, task_runner_for
from flows.tasks import (
    crawl_portal,
    load_parsed,
    pages_with_attachments,
    parse_document,
    pending_documents,
    portal_rows,
    publish_artifacts,
    validate,
)
from nianbao.settings import Settings
from rawstore.manifest import ManifestRecord, read_manifest
from warehouse.db import check_warehouse


def parse_all(records: list[ManifestRecord], raw_root: str, progress: bool, settings: Settings | None = None) -> list:
    """Fan the parse tasks out on the flow's task runner (each under the settings' time limit and size cap);
    a Rich bar on stderr when a person is watching, else a log line every ``progress_interval`` seconds."""
    settings = settings or Settings()
    limits = (settings.parse_timeout, settings.max_document_bytes)
    futures = [parse_document.submit(r.sha256, raw_root, r.url, *limits) for r in records]
    if not futures:
        return []
    if not progress:
        logger, last, results = get_run_logger(), time.monotonic(), []
        for done, future in enumerate(futures, 1):
            results.append(future.result())
            if time.monotonic() - last >= settings.progress_interval or done == len(futures):
                logger.info("parsed %d/%d document(s)", done, len(futures))
                last = time.monotonic()
        return results
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("parsing", total=len(futures))
        results = []
        for future in futures:
            results.append(future.result())
            bar.advance(task)
    return results


@flow(name="nightly", description="Crawl the portals, parse new and changed reports, load, check, report.")
def nightly(
    data_dir: str | None = None,
    database_url: str | None = None,
    portals: list[str] | None = None,
    host_map: dict[str, str] | None = None,
    since: int | None = None,
    docs: bool = True,
    progress: bool = False,
    crawl_retries: int = 2,
) -> dict:
    settings = Settings(**{k: v for k, v in {"data_dir": data_dir, "database_url": database_url}.items() if v})
    logger = get_run_logger()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the crawl's, and the default warehouse's
    check_warehouse(settings.warehouse_url)  # a bad URL or an old schema fails the run now, not after the crawl
    data = str(settings.data_dir)
    crawl: dict[str, dict] = {}
    submitted = {
        p: crawl_portal.with_options(retries=crawl_retries).submit(
            p, data, host_map or settings.host_map or None, since
        )
        for p in portals or settings.portals
    }
    for portal, future in submitted.items():
        state = future.wait() or future.state
        if state.is_completed():
            crawl[portal] = future.result()
        else:  # unreachable after the retries: a warning, the other portals go on
            fault = {"kind": "crawl_failed", "url": portal, "detail": str(state.message)}
            crawl[portal] = {"ok": False, "counts": {}, "faults": [fault]}
            logger.warning("portal %s failed: %s", portal, state.message)
    records = [r for r in read_manifest(settings.data_dir) if r.sha256]
    pending = pending_documents(records, settings.warehouse_url)
    logger.info("%d document(s) to parse", len(pending))
    parsed = parse_all(pending, str(settings.paths.raw), progress, settings)
    stats = load_parsed(
        pending, parsed, settings.warehouse_url, data, n=len(pending), with_attachments=pages_with_attachments(records)
    )
    checked = validate(settings.warehouse_url, str(settings.paths.docs) if docs else None)
    portals = portal_rows(crawl, stats, checked["flagged"])
    markdown = publish_artifacts("nianbao nightly run", crawl, stats, checked, portals)
    report_html = publish_report(settings.warehouse_url, data)
    errors = [asdict(e) for e in stats.errors]
    return {"crawl": crawl, "loaded": dict(stats.counts), "errors": errors, "checks": checked, "portals": portals,
            "summary": markdown, "report_html": report_html}  # fmt: skip


def run_nightly(settings: Settings, **parameters) -> dict:
    """Run the flow once here, on the task runner the settings ask for (Prefect's ephemeral API if no server)."""
    parameters.setdefault("progress", sys.stderr.isatty())
    start_prefect()  # with room for a busy machine, one start-up at a time
    runnable = nightly.with_options(task_runner=task_runner_for(settings))
    return runnable(data_dir=str(settings.data_dir), database_url=settings.warehouse_url, **parameters)


if __name__ == "__main__":
    print(run_nightly(Settings())["summary"])
    sys.exit(0)

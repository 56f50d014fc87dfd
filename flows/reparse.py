"""Re-parse and re-check every stored document, without crawling (after a parser upgrade)."""

from __future__ import annotations

import sys
from dataclasses import asdict

from prefect import flow, get_run_logger

from flows.charts import publish_report
from flows.nightly import parse_all
from flows.runner import start_prefect, task_runner_for
from flows.tasks import load_parsed, pages_with_attachments, portal_rows, publish_artifacts, validate
from nianbao.settings import Settings
from warehouse.db import make_engine
from warehouse.query import stored_documents


@flow(name="reparse", description="Re-parse and re-check every stored document (after a parser upgrade).")
def reparse(data_dir: str | None = None, database_url: str | None = None, docs: bool = True,
            progress: bool = False) -> dict:  # fmt: skip
    settings = Settings(**{k: v for k, v in {"data_dir": data_dir, "database_url": database_url}.items() if v})
    logger = get_run_logger()
    engine = make_engine(settings.warehouse_url)
    records = stored_documents(engine)
    engine.dispose()
    logger.info("re-parsing %d stored document(s)", len(records))
    parsed = parse_all(records, str(settings.paths.raw), progress, settings)
    stats = load_parsed(
        records, parsed, settings.warehouse_url, str(settings.data_dir), n=len(records),
        with_attachments=pages_with_attachments(records),
    )  # fmt: skip
    checked = validate(settings.warehouse_url, str(settings.paths.docs) if docs else None)
    portals = portal_rows({}, stats, checked["flagged"])
    markdown = publish_artifacts("nianbao re-parse", {}, stats, checked, portals)
    report_html = publish_report(settings.warehouse_url, str(settings.data_dir))
    errors = [asdict(e) for e in stats.errors]
    return {"loaded": dict(stats.counts), "errors": errors, "checks": checked, "portals": portals,
            "summary": markdown, "report_html": report_html}  # fmt: skip


def run_reparse(settings: Settings, **parameters) -> dict:
    parameters.setdefault("progress", sys.stderr.isatty())
    start_prefect()  # with room for a busy machine, one start-up at a time
    runnable = reparse.with_options(task_runner=task_runner_for(settings))
    return runnable(data_dir=str(settings.data_dir), database_url=settings.warehouse_url, **parameters)

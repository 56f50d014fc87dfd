"""The Prefect tasks the flows are made of: fetch (retried), parse (cached), load, validate, report.

Network IO (the crawl) is apart from parsing, so each can be retried or cached
on its own: only fetching retries; a parse is cached by the document's sha256
and the parser version, so an unchanged document is never parsed twice.
Settings come in as arguments (plain values), never from globals. Between the tasks travel typed
records: a ManifestRecord per document, a Report or a ParseFailure per parse.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from parsers import DEFAULT_MAX_BYTES, DEFAULT_TIME_LIMIT, ParseError, parse_bytes
from parsers.errors import ParseFailure
from parsers.report import PARSER_VERSION, Report
from rawstore.layout import DataLayout
from rawstore.manifest import ManifestRecord
from rawstore.store import RawStore


def _parse_cache_key(context: Any, parameters: dict[str, Any]) -> str:
    return f"nianbao-parse-{parameters['sha256']}-{PARSER_VERSION}-typed"  # -typed: Parsed holds a Report


@dataclass
class Parsed:
    """What a parse task hands on: the report, or why there is none."""

    sha256: str
    result: Report | ParseFailure


@dataclass(frozen=True)
class LoadError:
    """A document that is no readable report."""

    url: str
    code: str
    message: str


@dataclass
class LoadStats:
    counts: Counter = field(default_factory=Counter)  # load status -> documents
    errors: list[LoadError] = field(default_factory=list)  # the documents that did not parse


@task(retries=2, retry_delay_seconds=[5, 30], task_run_name="crawl {portal}")
def crawl_portal(portal: str, data_dir: str, host_map: dict[str, str] | None = None, since: int | None = None) -> dict:
    """Crawl one portal in its own process (Twisted's reactor cannot restart in this one)."""
    from spiders.crawl import run_crawl

    logger = get_run_logger()
    summary = run_crawl([portal], Path(data_dir), host_map=host_map, since=since)
    result = summary["portals"][portal]
    crashed = [f for f in result.get("faults", []) if f.get("kind") == "crawl_failed"]
    if crashed:  # the crawl process itself failed: worth a retry (faults on single pages are not)
        raise RuntimeError(f"crawl of {portal} failed: {crashed[0].get('detail', '')}")
    for fault in result.get("faults", []):
        logger.warning("%s: %s %s", portal, fault.get("kind"), fault.get("url"))
    logger.info("crawled %s: %s", portal, result.get("counts", {}))
    return result


@task(cache_key_fn=_parse_cache_key, persist_result=True, task_run_name="parse {sha256:.12}")
def parse_document(
    sha256: str,
    raw_root: str,
    url: str,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Parsed:
    """Parse one stored document under the settings' limits. Cached by sha256 and parser version; never
    retried (parsing is pure)."""
    data = RawStore(Path(raw_root)).get(sha256)
    try:
        return Parsed(sha256, parse_bytes(data, source=url, time_limit=time_limit, max_bytes=max_bytes))
    except ParseError as exc:
        return Parsed(sha256, ParseFailure.of(exc))


def pages_with_attachments(records: list[ManifestRecord]) -> set[str]:
    """The report pages that link attachments (from the attachments' ``source_page_url``)."""
    return {r.source_page_url for r in records if r.source_page_url}


@task(task_run_name="load {n} document(s)")
def load_parsed(
    records: list[ManifestRecord],
    parsed: list[Parsed],
    database_url: str,
    data_dir: str,
    n: int = 0,
    with_attachments: set[str] | None = None,
) -> LoadStats:
    """Store every parse in the warehouse: one transaction per document, idempotent.

    A report page that is no report itself but links attachments is stored as failed with the code
    ``report_in_attachment``: its report is read from the attachments.
    """
    from warehouse.db import make_engine
    from warehouse.load import DocumentInfo, LoadStatus, store_report

    engine = make_engine(database_url)
    store = RawStore(DataLayout(Path(data_dir)).raw)
    stats = LoadStats()
    for record, parse in zip(records, parsed, strict=True):
        info = DocumentInfo.from_record(record)
        result = parse.result
        if isinstance(result, ParseFailure) and info.url in (with_attachments or set()):
            note = f"the page holds no report of its own ({result.message}); its attachments do"
            result = ParseFailure("report_in_attachment", note)
        raw_path = store.relative(store.path_for(parse.sha256))
        loaded = store_report(engine, info, parse.sha256, result, raw_path=raw_path)
        stats.counts[loaded.status.value] += 1
        if loaded.status is LoadStatus.FAILED and isinstance(result, ParseFailure):
            stats.errors.append(LoadError(info.url, result.code, result.message))
    engine.dispose()
    return stats


@task(task_run_name="validate")
def validate(database_url: str, docs_dir: str | None) -> dict:
    """Run the expectation suites on the warehouse; return counts and the findings that are new since the
    last run."""
    from expectations.run import validate_warehouse
    from warehouse.db import make_engine
    from warehouse.query import failing_fingerprints

    engine = make_engine(database_url)
    before = failing_fingerprints(engine)
    summary = validate_warehouse(engine, docs_dir=Path(docs_dir) if docs_dir else None)
    new = [
        {
            "agency": summary.reports[r.report_id]["agency"],
            "year": summary.reports[r.report_id]["year"],
            "check": r.check.key,
            "scope": r.scope,
            "message": r.message_zh,
            "url": summary.reports[r.report_id]["url"],
        }
        for r in summary.results
        if r.outcome.value == "FAIL" and r.fingerprint not in before
    ]
    engine.dispose()
    return {
        "counts": summary.counts(),
        "new_flags": new,
        "docs_index": str(summary.docs_index) if summary.docs_index else None,
        "reports": len(summary.reports),
    }


def publish_artifacts(title: str, crawl: dict[str, dict], stats: LoadStats, checked: dict) -> str:
    """A markdown summary (per portal, loads, failures, checks, Data Docs) and a table of new flags."""
    lines = [f"# {title}", ""]
    if crawl:
        lines += ["## Portals", "",
                  "| portal | status | reports listed | list pages | new or changed pages | new attachments | faults |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for portal, result in crawl.items():
            faults = result.get("faults") or []
            c = result.get("counts", {})
            status = "ok" if result.get("ok") else ("unreachable" if not c else "faults")
            changed = c.get("new.report_page", 0) + c.get("changed.report_page", 0)
            lines.append(
                f"| {portal} | {status} | {c.get('reports', 0)} | {c.get('list_pages', 0)} | {changed} | "
                f"{c.get('new.attachment', 0) + c.get('changed.attachment', 0)} | {len(faults)} |"
            )
        faults = [(portal, f) for portal, result in crawl.items() for f in result.get("faults") or []]
        if faults:
            lines += ["", "Faults (the run goes on):", ""]
            lines += [f"- {p}: `{f.get('kind', '')}` {f.get('url', '')} {f.get('detail', '')}" for p, f in faults[:50]]
        lines.append("")
    lines += ["## Documents", ""]
    lines += [f"- {status.replace('_', ' ')}: {n}" for status, n in sorted(stats.counts.items())] or ["- none"]
    if stats.errors:
        lines += ["", "Documents that are not readable reports:", ""]
        lines += [f"- `{e.code}` {e.url}: {e.message}" for e in stats.errors[:50]]
    lines += ["", "## Checks", "", "| check | PASS | FAIL | UNCERTAIN | NOT_ASSESSABLE |", "|---|---|---|---|---|"]
    for key, counts in checked.get("counts", {}).items():
        lines.append(
            f"| {key} | {counts['PASS']} | {counts['FAIL']} | {counts['UNCERTAIN']} | {counts['NOT_ASSESSABLE']} |"
        )
    lines += ["", f"New flags: {len(checked.get('new_flags', []))} (`nianbao flags` lists them all)."]
    if checked.get("docs_index"):
        lines += ["", f"Data Docs: `{checked['docs_index']}`"]
    markdown = "\n".join(lines)
    create_markdown_artifact(markdown=markdown, key="nianbao-summary", description=title)
    no_flags = [{"agency": "", "year": "", "check": "", "scope": "", "message": "no new flags", "url": ""}]
    create_table_artifact(
        table=checked.get("new_flags") or no_flags,
        key="nianbao-new-flags",
        description="Reports newly flagged by this run: agency, year, check, message, source URL",
    )
    return markdown


@task(task_run_name="find documents to parse")
def pending_documents(records: list[ManifestRecord], database_url: str) -> list[ManifestRecord]:
    """The documents not yet in the warehouse with this parser version: new, changed or parsed by an older
    parser. One query, whatever the number of documents."""
    from warehouse.db import make_engine
    from warehouse.query import parsed_documents

    engine = make_engine(database_url)
    done = parsed_documents(engine, PARSER_VERSION)
    engine.dispose()
    latest: dict[tuple[str, str], ManifestRecord] = {}
    for record in records:
        latest[(record.url, record.sha256)] = record
    return [r for key, r in latest.items() if key not in done]

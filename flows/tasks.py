"""The Prefect tasks the flows are made of: fetch (retried), parse (cached), load, validate, report.

Network IO (the crawl) is apart from parsing, so each can be retried or cached
on its own: only fetching retries; a parse is cached by the document's sha256
and the parser version, so an unchanged document is never parsed twice.
Settings come in as arguments (plain values), never from globals.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from parsers import ParseError, parse_bytes
from parsers.report import PARSER_VERSION, Report
from rawstore.store import RawStore


def _parse_cache_key(context: Any, parameters: dict[str, Any]) -> str:
    return f"nianbao-parse-{parameters['sha256']}-{PARSER_VERSION}"


@dataclass
class Parsed:
    """What a parse task hands on: the report as JSON, or the error."""

    sha256: str
    report: dict | None = None
    error_code: str | None = None
    error: str | None = None


@dataclass
class LoadStats:
    counts: Counter = field(default_factory=Counter)  # load status -> documents
    errors: list[dict] = field(default_factory=list)  # url, code, message of documents that did not parse


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
def parse_document(sha256: str, raw_root: str, url: str) -> Parsed:
    """Parse one stored document. Cached by sha256 and parser version; never retried (parsing is pure)."""
    data = RawStore(Path(raw_root)).get(sha256)
    try:
        report = parse_bytes(data, source=url)
    except ParseError as exc:
        return Parsed(sha256, error_code=exc.code, error=str(exc))
    return Parsed(sha256, report=report.model_dump(mode="json"))


class _StoredParseError(ParseError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def pages_with_attachments(records: list[dict]) -> set[str]:
    """The report pages that link attachments (from the attachments' ``source_page_url``)."""
    return {r["source_page_url"] for r in records if r.get("source_page_url")}


@task(task_run_name="load {n} document(s)")
def load_parsed(
    records: list[dict],
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
    from warehouse.load import DocumentInfo, LoadStatus, load_bytes

    engine = make_engine(database_url)
    store = RawStore(Path(data_dir) / "raw")
    stats = LoadStats()
    for record, result in zip(records, parsed, strict=True):
        info = DocumentInfo(
            url=record["url"],
            portal=record.get("portal"),
            fetched_at=_datetime(record.get("fetched_at")),
            content_type=record.get("content_type"),
            title=record.get("title"),
            published_date=_date(record.get("published_date")),
            source_page_url=record.get("source_page_url"),
        )

        if result.report is None and info.url in (with_attachments or set()):
            note = f"the page holds no report of its own ({result.error}); its attachments do"
            result = Parsed(result.sha256, error_code="report_in_attachment", error=note)

        def parse(_data: bytes, _url: str, result: Parsed = result) -> Report:
            if result.report is None:
                raise _StoredParseError(result.error_code or "parse_error", result.error or "")
            return Report.model_validate(result.report)

        loaded = load_bytes(engine, store.get(result.sha256), info, raw_store=store, parse=parse)
        stats.counts[loaded.status.value] += 1
        if loaded.status is LoadStatus.FAILED:
            stats.errors.append({"url": info.url, "code": result.error_code, "message": result.error})
    engine.dispose()
    return stats


@task(task_run_name="validate")
def validate(database_url: str, docs_dir: str | None) -> dict:
    """Run the expectation suites on the warehouse; return counts and the findings that are new since the
    last run."""
    import sqlalchemy as sa

    from expectations.run import validate_warehouse
    from warehouse.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        before = (
            {row[0] for row in conn.execute(sa.text("SELECT fingerprint FROM check_results WHERE outcome = 'FAIL'"))}
            if "check_results" in tables
            else set()
        )
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
        lines += [f"- `{e['code']}` {e['url']}: {e['message']}" for e in stats.errors[:50]]
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
def pending_documents(records: list[dict], database_url: str) -> list[dict]:
    """The documents not yet in the warehouse with this parser version: new, changed or parsed by an older
    parser. One query, whatever the number of documents."""
    import sqlalchemy as sa

    from warehouse.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as conn:
        if "documents" not in sa.inspect(conn).get_table_names():
            done: set[tuple[str, str]] = set()
        else:
            done = set(
                conn.execute(
                    sa.text(
                        "SELECT d.url, d.sha256 FROM documents d JOIN reports r ON r.document_id = d.id "
                        "WHERE r.parser_version = :version"
                    ),
                    {"version": PARSER_VERSION},
                ).all()
            )
    engine.dispose()
    latest: dict[tuple[str, str], dict] = {}
    for record in records:
        latest[(record["url"], record["sha256"])] = record
    return [r for key, r in latest.items() if key not in done]

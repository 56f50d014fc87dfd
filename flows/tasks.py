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
from warehouse.query import number_text


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
    by_portal: dict[str, Counter] = field(default_factory=dict)  # portal -> load status -> documents


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
        stats.by_portal.setdefault(info.portal or "", Counter())[loaded.status.value] += 1
        if loaded.status is LoadStatus.FAILED and isinstance(result, ParseFailure):
            stats.errors.append(LoadError(info.url, result.code, result.message))
    engine.dispose()
    return stats


@task(task_run_name="validate")
def validate(database_url: str, docs_dir: str | None) -> dict:
    """Run the expectation suites on the warehouse; return counts, the findings that are new since the last
    run, and the flagged reports (one record each, ``new`` when one of its findings is)."""
    from expectations.flags import flagged_reports
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
            "message_en": r.message_en,
            "url": summary.reports[r.report_id]["url"],
        }
        for r in summary.results
        if r.outcome.value == "FAIL" and r.fingerprint not in before
    ]
    flagged = [
        {**report.as_dict(), "new": not set(report.fingerprints) <= before} for report in flagged_reports(engine)
    ]
    engine.dispose()
    return {
        "counts": summary.counts(),
        "new_flags": new,
        "flagged": flagged,
        "docs_index": str(summary.docs_index) if summary.docs_index else None,
        "reports": len(summary.reports),
    }


#: load statuses counted as new, changed and unreadable documents in a run's portal table
NEW_STATUSES = ("new", "new_url")
CHANGED_STATUSES = ("new_version", "reparsed")
UNREADABLE_STATUSES = ("failed",)  # a page whose report is in its attachments (in_attachment) is no failure


def portal_unreachable(result: dict) -> bool:
    """A portal of which nothing could be read: no list page, no report, and faults (refused, DNS, timeouts,
    blocked) or a crawl process that failed. Unlike a fault on a single page, this fails the run."""
    counts = result.get("counts") or {}
    return (
        not result.get("ok")
        and bool(result.get("faults"))
        and not counts.get("reports")
        and not counts.get("list_pages")
    )


def portal_status(result: dict) -> str:
    """``ok``, ``unreachable`` (nothing read: :func:`portal_unreachable`) or ``faults`` (some pages)."""
    return "ok" if result.get("ok") else "unreachable" if portal_unreachable(result) else "faults"


def portal_rows(crawl: dict[str, dict], stats: LoadStats, flagged: list[dict]) -> list[dict]:
    """One row per portal (the crawl's, the documents', the flagged reports'), then a total row: reports
    listed, documents new, changed and unreadable, reports flagged, faults. A portal that was not crawled
    has ``reports`` None."""
    names = list(crawl) + sorted({*stats.by_portal, *(f.get("portal") or "" for f in flagged)} - set(crawl))
    rows = []
    for name in names:
        result = crawl.get(name)
        loaded = stats.by_portal.get(name, Counter())
        counts = (result or {}).get("counts") or {}
        rows.append({
            "portal": name or None,
            "status": None if result is None else portal_status(result),
            "reports": None if result is None else counts.get("reports", 0),
            "new": sum(loaded[s] for s in NEW_STATUSES),
            "changed": sum(loaded[s] for s in CHANGED_STATUSES),
            "unreadable": sum(loaded[s] for s in UNREADABLE_STATUSES),
            "flagged": sum(1 for f in flagged if (f.get("portal") or "") == name),
            "faults": len((result or {}).get("faults") or []),
        })  # fmt: skip
    if len(rows) != 1:
        total = {"portal": "total", "status": None}
        for key in ("reports", "new", "changed", "unreadable", "flagged", "faults"):
            values = [r[key] for r in rows if r[key] is not None]
            total[key] = sum(values) if values else None
        rows.append(total)
    return rows


def flagged_line(report: dict) -> str:
    """One flagged report in one line of markdown: who, which checks, the largest difference, the URL."""
    who = f"{report.get('agency') or '(agency unknown)'} {report.get('year') or ''}".strip()
    gap = number_text(report.get("largest_difference"))
    parts = [f"**{who}**", ", ".join(f"`{c}`" for c in report["checks"])]
    if gap:
        parts.append(f"largest difference {gap}")
    reviews = report.get("reviews") or {}
    if set(reviews) - {"open"}:
        parts.append(", ".join(f"{state} {n}" for state, n in reviews.items()))
    parts.append(report.get("url") or "")
    return " · ".join(p for p in parts if p) + (" (new)" if report.get("new") else "")


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def publish_artifacts(title: str, crawl: dict[str, dict], stats: LoadStats, checked: dict, rows: list[dict]) -> str:
    """The run's markdown artifact, summary first — per portal (``rows``, :func:`portal_rows`): reports
    listed, documents new, changed and unreadable, reports flagged; then one line per flagged report — then
    the details (faults, unreadable documents, checks, Data Docs); and a table artifact with one row per
    flagged report."""
    flagged = checked.get("flagged", [])
    lines = [f"# {title}", ""]
    lines += ["| portal | status | reports listed | new documents | changed documents | unreadable documents "
              "| flagged reports | faults |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(
            f"| {r['portal'] or '(no portal)'} | {_cell(r['status'])} | {_cell(r['reports'])} | {r['new']} "
            f"| {r['changed']} | {r['unreadable']} | {r['flagged']} | {r['faults']} |"
        )
    new_reports = sum(1 for f in flagged if f.get("new"))
    lines += ["", f"## Flagged reports: {len(flagged)} ({new_reports} new)", ""]
    lines += [f"- {flagged_line(f)}" for f in flagged] or ["- none"]
    lines += ["", "Every finding: `nianbao flags --details`; one finding's evidence: `nianbao flags show FINGERPRINT`."]
    if crawl:
        lines += ["", "## Portals", "",
                  "| portal | status | reports listed | list pages | new or changed pages | new attachments | faults |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for portal, result in crawl.items():
            faults = result.get("faults") or []
            c = result.get("counts", {})
            status = portal_status(result)
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
    lines += ["", "## Checks (reports per check: a report counts once, under its worst outcome)", "",
              "| check | PASS | FAIL | UNCERTAIN | NOT_ASSESSABLE |", "|---|---|---|---|---|"]  # fmt: skip
    for key, counts in checked.get("counts", {}).items():
        lines.append(
            f"| {key} | {counts['PASS']} | {counts['FAIL']} | {counts['UNCERTAIN']} | {counts['NOT_ASSESSABLE']} |"
        )
    lines += ["", f"New findings: {len(checked.get('new_flags', []))}."]
    if checked.get("docs_index"):
        lines += ["", f"Data Docs: `{checked['docs_index']}`"]
    markdown = "\n".join(lines)
    create_markdown_artifact(markdown=markdown, key="nianbao-summary", description=title)
    table = [
        {
            "agency": f.get("agency") or "", "district": f.get("district") or "", "year": _cell(f.get("year")),
            "checks": ", ".join(f["checks"]), "largest difference": number_text(f.get("largest_difference")),
            "review": f.get("review") or "", "new": "new" if f.get("new") else "", "url": f.get("url") or "",
            "fingerprints": ", ".join(fp[:12] for fp in f.get("fingerprints", [])),
        }
        for f in flagged
    ]  # fmt: skip
    no_flags = [dict.fromkeys(("agency", "district", "year", "checks", "largest difference", "review", "new", "url",
                               "fingerprints"), "") | {"checks": "no flagged report"}]  # fmt: skip
    create_table_artifact(
        table=table or no_flags,
        key="nianbao-flagged-reports",
        description="Flagged reports, one row each: agency, year, the failing checks, the largest difference, URL",
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

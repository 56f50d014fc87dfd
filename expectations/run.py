"""Running the suites: on the warehouse (``nianbao validate``) or on files (``nianbao check``).

Great Expectations decides: one checkpoint validates each subject's identity view
(``identities_<subject>``) with that subject's suite, in result format COMPLETE
with the report, scope and both sides as unexpected-index columns, so every
failing report and scope comes back. The results are written from those
unexpected rows — nothing evaluates the identities a second time. nianbao then
adds what a person needs: which reports each check applies to (the others are
NOT_ASSESSABLE), the reports' context, the evidence cells, messages and
fingerprints; and replaces ``check_results`` in one transaction.

One run issues a fixed number of SQL statements, whatever the number of reports
(bench/validate.py, docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from expectations.checks import INDEX_COLUMNS, Check, Finding, Outcome, Severity
from expectations.datadocs import make_offline
from expectations.suite import CHECKS
from parsers.errors import ParseFailure
from parsers.report import Report
from rawstore.layout import DataLayout
from warehouse.db import WarehouseError, ensure_writable_schema, translate_errors, write_transaction
from warehouse.identity import fingerprint
from warehouse.load import DocumentInfo, store_report
from warehouse.models import CheckResult, utcnow
from warehouse.query import plain
from warehouse.views import (
    IDENTITY_SUBJECTS,
    SNAPSHOT_LAST_ID,
    SNAPSHOT_TABLE,
    snapshot_batch_query,
    snapshot_statements,
    subject_view,
)

log = logging.getLogger(__name__)


@dataclass
class Result:
    """One stored outcome: a check on a report (and a scope, for non-passing ones)."""

    report_id: int
    check: Check
    outcome: Outcome
    scope: str | None = None
    left_value: float | None = None
    right_value: float | None = None
    cells: list[dict] = field(default_factory=list)
    message_zh: str | None = None
    message_en: str | None = None
    fingerprint: str = ""
    numbers_hash: str | None = None

    @property
    def difference(self) -> float | None:
        if self.left_value is None or self.right_value is None:
            return None
        return plain(self.left_value - self.right_value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.key,
            "severity": self.check.severity.value,
            "outcome": self.outcome.value,
            "scope": self.scope,
            "left": plain(self.left_value),
            "right": plain(self.right_value),
            "difference": self.difference,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "cells": self.cells,
            "fingerprint": self.fingerprint,
        }


@dataclass
class RunSummary:
    run_id: str
    results: list[Result]
    reports: dict[int, dict]  # report id -> agency, year, form, url
    docs_index: Path | None = None
    gx: GXRun | None = None  # what the checkpoint returned

    def counts(self) -> dict[str, dict[str, int]]:
        """Reports per check and outcome: a report counts once per check, under its worst outcome over the
        scopes (columns, rows) it was checked in — FAIL, then UNCERTAIN, then PASS, then NOT_ASSESSABLE."""
        rank = {Outcome.FAIL: 3, Outcome.UNCERTAIN: 2, Outcome.PASS: 1, Outcome.NOT_ASSESSABLE: 0}
        worst: dict[tuple[str, int], Outcome] = {}
        for r in self.results:
            key = (r.check.key, r.report_id)
            if key not in worst or rank[r.outcome] > rank[worst[key]]:
                worst[key] = r.outcome
        table: dict[str, dict[str, int]] = {c.key: {o.value: 0 for o in Outcome} for c in CHECKS}
        for (check, _), outcome in worst.items():
            table[check][outcome.value] += 1
        return table

    def failing_errors(self) -> list[Result]:
        return [r for r in self.results if r.outcome is Outcome.FAIL and r.check.severity is Severity.ERROR]


def _numbers_hash(left: Any, right: Any, cells: list[dict]) -> str:
    payload = json.dumps([plain(left), plain(right), [c.get("value") for c in cells]], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _report_context(conn: Connection) -> dict[int, dict]:
    rows = conn.execute(
        sa.text(
            "SELECT r.id, a.name, a.key, r.year, r.form, d.url FROM reports r JOIN documents d ON d.id = r.document_id "
            "LEFT JOIN agencies a ON a.id = r.agency_id WHERE r.status = 'parsed'"
        )
    )
    return {
        rid: {"agency": agency, "agency_key": key, "year": year, "form": form, "url": url}
        for rid, agency, key, year, form, url in rows
    }


def _evidence(
    conn: Connection, report_ids: set[int], checks: tuple[Check, ...]
) -> tuple[dict[int, list[tuple]], dict[int, list[int]]]:
    """Every cell of the reports with findings, and their previous-year reports; one temp table, two queries."""
    cells: dict[int, list[tuple]] = defaultdict(list)
    previous: dict[int, list[int]] = defaultdict(list)
    if not report_ids:
        return cells, previous
    conn.execute(sa.text("CREATE TEMPORARY TABLE nianbao_finding_reports (id INTEGER PRIMARY KEY)"))
    try:
        conn.execute(sa.text("INSERT INTO nianbao_finding_reports (id) VALUES (:id)"), [{"id": i} for i in report_ids])
        for rid, pid in conn.execute(
            sa.text(
                "SELECT r.id, p.id FROM reports r JOIN nianbao_finding_reports f ON f.id = r.id "
                "JOIN agencies ra ON ra.id = r.agency_id JOIN agencies pa ON pa.key = ra.key "
                "JOIN reports p ON p.agency_id = pa.id AND p.year = r.year - 1 AND p.status = 'parsed'"
            )
        ):
            previous[rid].append(pid)
        earlier = {p for ps in previous.values() for p in ps} - report_ids  # shared by several reports
        if earlier:
            conn.execute(sa.text("INSERT INTO nianbao_finding_reports (id) VALUES (:id)"), [{"id": p} for p in earlier])
        flagged = [c for c in checks if c.bad_cell_sql]  # one 0/1 column per check whose evidence is bad cells
        flags = "".join(f", CASE WHEN {c.bad_cell_sql} THEN 1 ELSE 0 END" for c in flagged)
        for row in conn.execute(
            sa.text(
                f"SELECT c.report_id, c.tbl, c.row_key, c.column_key, c.value, c.raw, c.kind{flags} "
                # IN (SELECT …): SQLite then looks the few reports up in the cells' index instead of scanning
                # every cell of the warehouse for them
                "FROM cells c WHERE c.report_id IN (SELECT id FROM nianbao_finding_reports) "
                "ORDER BY c.report_id, c.ordinal"
            )
        ):
            bad = frozenset(c.key for c, flag in zip(flagged, row[7:], strict=True) if flag)
            cells[row[0]].append((*row[1:7], bad))
    finally:
        conn.execute(sa.text("DROP TABLE nianbao_finding_reports"))
    return cells, previous


_EVIDENCE_KEYS = {"tbl": "table", "row_key": "row", "column_key": "column"}


def _check_evidence(conn: Connection, checks: tuple[Check, ...], findings: dict[str, list[Finding]]):
    """The evidence rows of the checks that declare ``evidence_sql``: one query per such check with findings."""
    out: dict[tuple[str, int, str | None], list[dict]] = defaultdict(list)
    for check in checks:
        if check.evidence_sql and findings.get(check.key):
            for row in conn.execute(sa.text(check.evidence_sql)).mappings():
                item = {_EVIDENCE_KEYS.get(k, k): plain(v) for k, v in row.items() if k != "scope"}
                out[(check.key, row["report_id"], row["scope"])].append(item)
    return out


def _cells_for(check: Check, finding: Finding, cells: dict[int, list[tuple]], previous: dict[int, list[int]]):
    own = {(t, r, c): (v, raw, kind) for t, r, c, v, raw, kind, _ in cells.get(finding.report_id, [])}
    if check.bad_cell_sql:
        return [
            {"table": t, "row": r, "column": c, "value": plain(v), "raw": raw, "kind": kind}
            for t, r, c, v, raw, kind, bad in cells.get(finding.report_id, [])
            if check.key in bad and t != "narrative"
        ]
    out = []
    for tbl, row, col in check.operands(finding.scope):
        source, report_id = own, finding.report_id
        if tbl.startswith("previous:"):
            tbl = tbl.split(":", 1)[1]
            pid = (previous.get(finding.report_id) or [None])[0]
            report_id = pid
            source = {(t, r, c): (v, raw, kind) for t, r, c, v, raw, kind, _ in cells.get(pid, [])} if pid else {}
        found = source.get((tbl, row, col)) or next(
            (v for (t, r, _), v in source.items() if (t, r) == (tbl, row) and col is None), None
        )
        value, raw, kind = found or (None, None, "missing")
        out.append(
            {"report_id": report_id, "table": tbl, "row": row, "column": col, "value": plain(value), "raw": raw,
             "kind": kind}
        )  # fmt: skip
    return out


#: subject -> the first and last id of its rows in this run's snapshot (first > last: none)
SnapshotIds = dict[str, tuple[int, int]]


def _snapshot(engine: Engine, run_id: str) -> SnapshotIds:
    """This run's snapshot of the subject views (``identity_sides``), in one transaction holding the write
    lock (no load commits meanwhile): the batches GX validates, one state of the warehouse. Returns where
    each subject's rows are."""
    with translate_errors(str(engine.url)), write_transaction(engine) as conn:
        return _insert_snapshot(conn, run_id)


def _insert_snapshot(conn: Connection, run_id: str) -> SnapshotIds:
    """Insert the snapshot's rows subject by subject; return where each subject's are.
    Ids are given in increasing order (SQLite: the largest + 1; PostgreSQL: a sequence), so a subject's
    rows come after the largest id seen before its INSERT; a concurrent run's rows may lie among them
    (PostgreSQL), and the run id tells them apart."""
    ids: SnapshotIds = {}
    for subject, statement in zip(IDENTITY_SUBJECTS, snapshot_statements(), strict=True):
        before = conn.execute(sa.text(SNAPSHOT_LAST_ID)).scalar_one()
        conn.execute(sa.text(statement), {"run_id": run_id})
        first, last = conn.execute(
            sa.text(f"SELECT MIN(id), MAX(id) FROM {SNAPSHOT_TABLE} WHERE id > :before AND run_id = :run_id "
                    "AND subject = :subject"),
            {"before": before, "run_id": run_id, "subject": subject},
        ).one()  # fmt: skip
        ids[subject] = (first, last) if first is not None else (before + 1, before)
    return ids


def _drop_snapshot(engine: Engine, run_id: str, ids: SnapshotIds | None) -> None:
    """Delete this run's snapshot rows (by their ids when the snapshot was taken: no index needed)."""
    where, params = "run_id = :run_id", {"run_id": run_id}
    if ids is not None:
        where += " AND id BETWEEN :first AND :last"
        params |= {"first": min(f for f, _ in ids.values()), "last": max(t for _, t in ids.values())}
    with translate_errors(str(engine.url)), engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {SNAPSHOT_TABLE} WHERE {where}"), params)


def _context(engine: Engine) -> tuple[dict[int, dict], dict[str, set[int]]]:
    """The reports' context, and which reports each check applies to."""
    with translate_errors(str(engine.url)), engine.begin() as conn:
        return _report_context(conn), _assessable(conn)


def _assessable(conn: Connection) -> dict[str, set[int]]:
    assessed: dict[str, set[int]] = defaultdict(set)
    for key, report_id in conn.execute(sa.text("SELECT check_key, report_id FROM identity_assessable")):
        assessed[key].add(report_id)
    return assessed


def evaluate(engine: Engine, checks: tuple[Check, ...] = CHECKS, *, docs_dir: Path | None = None) -> RunSummary:
    """Validate the warehouse with the GX suites and turn the rows they found unexpected into results
    with evidence (not stored: see :func:`store`)."""
    with translate_errors(str(engine.url)), engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # Fresh planner statistics (sampled: milliseconds): without them SQLite joins reports to their
            # previous year (carry_continuity) in seconds instead of milliseconds. PostgreSQL autovacuums.
            conn.execute(sa.text("PRAGMA analysis_limit=1000"))
            conn.execute(sa.text("ANALYZE"))
    run_id = uuid.uuid4().hex
    # Two things at once, on our two cores: the warehouse computes this run's snapshot of the identity views
    # (SQL: the driver releases Python's lock meanwhile) while Python imports GX and sets up its suites and
    # checkpoint; then the checkpoint runs while the warehouse reads the reports' context.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nianbao-warehouse") as pool:
        snapshot = pool.submit(_snapshot, engine, run_id)
        context = pool.submit(_context, engine)  # after the snapshot (one worker)
        try:
            prepared = prepare_gx(engine.url.render_as_string(hide_password=False), docs_dir, checks, run_id=run_id)
            gx_run = prepared.run(snapshot.result())
            reports, assessed = context.result()
        except BaseException:
            context.cancel()  # not started yet: after an error
            futures_wait([snapshot, context])  # never delete the snapshot while it is being written
            ok = snapshot.done() and not snapshot.cancelled() and snapshot.exception() is None
            _drop_snapshot(engine, run_id, snapshot.result() if ok else None)
            raise
        # the snapshot is deleted while the evidence is read (a write after reads: SQLite takes both at once)
        dropped = pool.submit(_drop_snapshot, engine, run_id, snapshot.result())
        findings = gx_run.findings
        with translate_errors(str(engine.url)), engine.begin() as conn:
            cells, previous = _evidence(conn, {f.report_id for fs in findings.values() for f in fs}, checks)
            declared = _check_evidence(conn, checks, findings)
        dropped.result()

    results: list[Result] = []
    for check in checks:
        failing = defaultdict(list)
        for f in findings.get(check.key, []):
            failing[f.report_id].append(f)
        for report_id, ctx in reports.items():
            if report_id not in assessed[check.key]:
                results.append(Result(report_id, check, Outcome.NOT_ASSESSABLE))
                continue
            for f in failing.get(report_id, []):
                if check.evidence_sql:
                    evidence = declared.get((check.key, report_id, f.scope), [])
                else:
                    evidence = _cells_for(check, f, cells, previous)
                sentence = next((c["raw"] for c in evidence if c["table"] == "narrative"), None)
                zh, en = check.message(f, ctx | {"sentence": sentence, "cells": evidence})
                results.append(
                    Result(
                        report_id, check, f.outcome, f.scope, plain(f.left_value), plain(f.right_value), evidence,
                        zh, en, fingerprint(ctx["agency_key"], ctx["url"], ctx["year"], check.key, f.scope),
                        _numbers_hash(f.left_value, f.right_value, evidence),
                    )
                )  # fmt: skip
            if report_id not in failing:
                results.append(Result(report_id, check, Outcome.PASS))
    for r in results:
        if not r.fingerprint:
            ctx = reports[r.report_id]
            r.fingerprint = fingerprint(ctx["agency_key"], ctx["url"], ctx["year"], r.check.key, r.scope)
    return RunSummary(run_id=run_id, results=results, reports=reports, docs_index=gx_run.docs_index,
                      gx=gx_run)  # fmt: skip


def store(engine: Engine, summary: RunSummary) -> None:
    """Replace the stored results with this run's, in one transaction."""
    now = utcnow()
    findings, plain_rows = [], []
    for r in summary.results:
        bare = (r.scope, r.left_value, r.right_value, r.message_zh, r.message_en, r.numbers_hash) == (None,) * 6
        if bare and not r.cells:  # a pass or a not-assessable: who, which check, the outcome
            plain_rows.append((r.report_id, r.check.key, r.check.severity.value, r.outcome.value, r.fingerprint))
            continue
        findings.append(
            {
                "run_id": summary.run_id, "report_id": r.report_id, "check_key": r.check.key, "scope": r.scope,
                "severity": r.check.severity.value, "outcome": r.outcome.value, "left_value": r.left_value,
                "right_value": r.right_value, "difference": r.difference, "cells": r.cells or None,
                "message_zh": r.message_zh, "message_en": r.message_en, "fingerprint": r.fingerprint,
                "numbers_hash": r.numbers_hash, "created_at": now,
            }
        )  # fmt: skip
    with translate_errors(str(engine.url)), engine.begin() as conn:
        conn.execute(sa.delete(CheckResult.__table__))
        if findings:
            conn.execute(sa.insert(CheckResult.__table__), findings)
        if plain_rows:
            _insert_plain(
                conn, ("report_id", "check_key", "severity", "outcome", "fingerprint"), plain_rows,
                {"run_id": summary.run_id, "scope": None, "left_value": None, "right_value": None,
                 "difference": None, "cells": None, "message_zh": None, "message_en": None, "numbers_hash": None,
                 "created_at": now},
            )  # fmt: skip


def _insert_plain(conn: Connection, keys: tuple[str, ...], rows: list[tuple], same: dict[str, Any]) -> None:
    """Insert ``rows`` (values of ``keys``) with the values ``same`` in every row into ``check_results``:
    the passes and not-assessables, nine results in ten. The statement is SQLAlchemy's and each value goes
    through its column type's bind processing, as SQLAlchemy does it, but ``same`` once instead of once per
    row; the driver's executemany sends them (SQLAlchemy's bookkeeping per row cost twice the insert)."""
    table = CheckResult.__table__
    compiled = sa.insert(table).compile(dialect=conn.dialect, column_keys=[*keys, *same])

    def processor(key: str) -> Callable[[Any], Any] | None:
        return table.c[key].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)

    fixed = {k: (p(v) if (p := processor(k)) else v) for k, v in same.items()}
    varying = [(i, k, processor(k)) for i, k in enumerate(keys)]
    params = [fixed | {k: (p(row[i]) if p else row[i]) for i, k, p in varying} for row in rows]
    if compiled.positional:  # SQLite: ? in the statement's order
        params = [tuple(p[k] for k in compiled.positiontup) for p in params]
    conn.exec_driver_sql(compiled.string, params)


def _quiet_gx() -> None:
    """No analytics, no INFO chatter from GX in nianbao's output (its progress bars are off per context)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations  # noqa: F401  (its loggers exist once it is imported)

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)


class ValidationFailed(WarehouseError):
    """Great Expectations could not evaluate an expectation: the run has no answer for it."""


#: Every failing report and scope, with both sides (see expectations.checks.INDEX_COLUMNS).
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": list(INDEX_COLUMNS),
    # GX 1.24 cuts the unexpected-index list at partial_unexpected_count even in COMPLETE: ask for all of them
    "partial_unexpected_count": 1_000_000_000,
}


@dataclass
class GXRun:
    """What the checkpoint returned, read into findings: check key -> its unexpected rows."""

    findings: dict[str, list[Finding]]
    unexpected: dict[str, int]  # per check: how many report-scopes GX found unexpected
    success: bool
    docs_index: Path | None = None


def _raised(info) -> str | None:
    """The message of an exception GX caught while evaluating an expectation (flat, or per metric)."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "an exception")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "an exception")
    return None


def _findings(validation_results) -> tuple[dict[str, list[Finding]], dict[str, int]]:
    """One finding per report and scope, from the unexpected-index rows of each expectation."""
    by_scope: dict[str, dict[tuple[int, str | None], Finding]] = defaultdict(dict)
    for validation in validation_results:
        for r in validation.results:
            config = r.expectation_config
            key, outcome = config.meta["check"], Outcome(config.meta["outcome"])
            problem = _raised(r.exception_info)
            if problem is not None:
                raise ValidationFailed(f"Great Expectations could not evaluate {key}: {problem}")
            if not r.success and not r.result.get("unexpected_index_list"):
                raise ValidationFailed(f"Great Expectations failed {key} without saying which rows")
            rows = r.result.get("unexpected_index_list")
            if len(rows or []) != int(r.result.get("unexpected_count") or 0):
                raise ValidationFailed(
                    f"Great Expectations counted {r.result.get('unexpected_count')} unexpected rows for {key} "
                    f"but returned {len(rows or [])}"
                )
            for row in rows or []:
                scope_key = (int(row["report_id"]), row["scope"])
                if scope_key in by_scope[key]:  # both sides unreadable: one UNCERTAIN finding
                    continue
                by_scope[key][scope_key] = Finding(
                    report_id=int(row["report_id"]), scope=row["scope"], left_value=row["left_readable"],
                    right_value=row["right_readable"], n_unreadable=int(row["n_unreadable"] or 0),
                    n_missing=int(row["n_missing"] or 0), n_blank=int(row["n_blank"] or 0),
                    n_inferred=int(row["n_inferred"] or 0), outcome=outcome,
                )  # fmt: skip
    findings = {
        key: sorted(found.values(), key=lambda f: (f.report_id, f.scope or "")) for key, found in by_scope.items()
    }
    return findings, {key: len(found) for key, found in findings.items()}


@dataclass
class PreparedGX:
    """GX set up for one run: the context, its data source, one suite per subject and the Data Docs site;
    the batches and the checkpoint (one validation per subject) once the snapshot is taken (:meth:`run`)."""

    context: Any
    source: Any
    suites: dict[str, Any]  # subject -> its suite
    run_id: str
    docs_dir: Path | None
    run_name: str | None = None  # how Data Docs name the run: the warehouse and the run id

    def checkpoint(self, ids: SnapshotIds) -> Any:
        """The checkpoint validating each subject's rows of this run's snapshot (``ids``: where they are)."""
        import great_expectations as gx

        definitions = []
        for subject, suite in self.suites.items():
            asset = self.source.add_query_asset(
                name=subject_view(subject), query=snapshot_batch_query(self.run_id, subject, ids[subject])
            )
            batch = asset.add_batch_definition_whole_table(subject)
            definitions.append(
                self.context.validation_definitions.add(gx.ValidationDefinition(name=subject, data=batch, suite=suite))
            )
        return self.context.checkpoints.add(
            gx.Checkpoint(name="nianbao", validation_definitions=definitions, result_format=RESULT_FORMAT)
        )

    def run(self, ids: SnapshotIds) -> GXRun:
        """Run the checkpoint over this run's snapshot; build the Data Docs site once, for every validation."""
        from great_expectations.core.run_identifier import RunIdentifier

        result = self.checkpoint(ids).run(run_id=RunIdentifier(run_name=self.run_name))
        index = None
        if self.docs_dir is not None:
            from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

            # One build for the whole run: GX's UpdateDataDocsAction builds the site once per validation (the
            # index and every template compiled again each time), five times the work for the same pages.
            identifiers = [*result.run_results]
            identifiers += [ExpectationSuiteIdentifier(name=r.suite_name) for r in result.run_results.values()]
            self.context.build_data_docs(site_names=["nianbao"], resource_identifiers=identifiers)
            make_offline(self.docs_dir)  # the site's CSS/JS from the data dir, not CDNs
            if (self.docs_dir / "index.html").exists():
                index = self.docs_dir / "index.html"
        findings, unexpected = _findings(result.run_results.values())
        return GXRun(findings=findings, unexpected=unexpected, success=bool(result.success), docs_index=index)


def _warehouse_name(url: str) -> str:
    """The warehouse in a few words, without slashes (a run name is a file name in GX's stores):
    ``sqlite:warehouse.db``, ``postgresql:db-host:nianbao``."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        where = Path(parsed.database or "memory").name
    else:
        where = ":".join(str(p) for p in (parsed.host, parsed.port, parsed.database) if p)
    return f"{parsed.get_backend_name()}:{where}".replace("/", "_").replace("\\", "_")


def prepare_gx(url: str, docs_dir: Path | None, checks: tuple[Check, ...] = CHECKS, *, run_id: str) -> PreparedGX:
    """GX for one run: one suite per subject, each to validate its subject's identity view (this run's
    snapshot of it, ``identity_sides``); the Data Docs site in ``docs_dir``. Nothing is read from the
    warehouse until :meth:`PreparedGX.run`."""
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    if docs_dir is not None:
        docs_dir = docs_dir.resolve()  # GX wants an absolute base_directory (data/docs is relative)
        docs_dir.mkdir(parents=True, exist_ok=True)
        # every run's validation results kept beside the site (data/docs/../gx/validations): the site's
        # index lists the runs, so that the last ones can be compared
        context.add_store(
            "nianbao_validations",
            {
                "class_name": "ValidationResultsStore",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir.parent / "gx" / "validations"),
                },
            },
        )
        context.validation_results_store_name = "nianbao_validations"
        context.add_data_docs_site(
            site_name="nianbao",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    if url.startswith("sqlite"):
        source = context.data_sources.add_sqlite(name="warehouse", connection_string=url)
    elif url.startswith("postgresql"):
        source = context.data_sources.add_postgres(name="warehouse", connection_string=url)
    else:
        source = context.data_sources.add_sql(name="warehouse", connection_string=url)
    suites = {}
    for subject in dict.fromkeys(c.subject for c in checks):
        suite = suites[subject] = context.suites.add(gx.ExpectationSuite(name=f"nianbao.{subject}"))
        for check in checks:
            if check.subject == subject:
                for expectation in check.gx_expectations():
                    suite.add_expectation(expectation)
    run_name = f"{_warehouse_name(url)} · {run_id[:12]}"
    return PreparedGX(context=context, source=source, suites=suites, run_id=run_id, docs_dir=docs_dir,
                      run_name=run_name)  # fmt: skip


#: ``on_progress(done, total, note)``: how far a long step is (the CLI shows it; None: nobody watches)
OnProgress = Callable[[int, int | None, str | None], None]


def validate_warehouse(engine: Engine, *, docs_dir: Path | None = None,
                       on_progress: OnProgress | None = None) -> RunSummary:  # fmt: skip
    """The warehouse run: the GX checkpoint decides every check on every report, the results are stored,
    the Data Docs site is built into ``docs_dir``. ``on_progress`` hears each of the two steps begin."""
    ensure_writable_schema(engine)
    if on_progress:
        on_progress(0, 2, "Great Expectations checkpoint" + (" and Data Docs" if docs_dir else ""))
    with _cyclic_gc_paused():
        summary = evaluate(engine, docs_dir=docs_dir)
        if on_progress:
            on_progress(1, 2, f"storing {len(summary.results)} result(s)")
        store(engine, summary)
    if on_progress:
        on_progress(2, 2, None)
    return summary


@contextlib.contextmanager
def _cyclic_gc_paused():
    """No cyclic garbage collection during a run: the run makes a few hundred thousand objects that live to
    its end (GX's modules and metrics, the results, their rows), and each full collection meanwhile walks
    every object of the process: about a second of a 10,000-report run (bench/validate.py). Reference
    counting still frees what it can; the cycles left are collected once the run is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class FileCheck:
    path: Path
    error: str | None = None
    error_code: str | None = None  # the ParseError's code, when the file could not be read
    report: dict | None = None  # agency, year, form
    results: list[Result] = field(default_factory=list)


def check_reports(
    parsed: list[tuple[Path, Report | ParseFailure | str]],
    *,
    docs_dir: Path | None = None,
    work_dir: Path | None = None,
    on_progress: OnProgress | None = None,
) -> list[FileCheck]:
    """Check parsed files without a warehouse: a throwaway SQLite warehouse, the same suite.

    Each file comes with its Report, its ParseFailure, or a string saying why it could not be read. The
    warehouse lives in ``work_dir`` (an empty directory the caller removes), else in a temporary one.
    ``on_progress`` hears the steps of the validation (see :func:`validate_warehouse`).
    """
    from warehouse.db import WarehouseError, make_engine

    out = [FileCheck(Path(p)) for p, _ in parsed]
    scratch = tempfile.TemporaryDirectory(prefix="nianbao-check-") if work_dir is None else None
    with scratch or contextlib.nullcontext(str(work_dir)) as tmp:
        engine = make_engine(f"sqlite:///{DataLayout(Path(tmp)).warehouse}")
        report_of: dict[int, list[FileCheck]] = defaultdict(list)
        for item, (_, result) in zip(out, parsed, strict=True):
            if not isinstance(result, Report):
                item.error, item.error_code = str(result), getattr(result, "code", None)
                continue
            info = DocumentInfo(url=item.path.resolve().as_uri())
            # every file is checked on its own: no current document is chosen among them
            try:
                report_of[store_report(engine, info, result.sha256, result, elect=False).report_id].append(item)
            except WarehouseError:
                raise
            except Exception as exc:  # one report the warehouse cannot take: its error, the others go on
                item.error = f"the report could not be checked ({type(exc).__name__}: {exc!s:.200})"
        summary = validate_warehouse(engine, docs_dir=docs_dir, on_progress=on_progress)
        engine.dispose()
    for r in summary.results:
        for item in report_of.get(r.report_id, []):  # identical files are one document
            item.report = summary.reports[r.report_id]
            item.results.append(r)
    return out

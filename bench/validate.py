"""Benchmark: validating N generated reports in the warehouse, and the SQL queries it takes.

    .venv/bin/python bench/validate.py [--n 10000] [--backend sqlite|postgresql|both] [--broken 0.05] [--without-docs]

Generates N reports that pass every check (parts 二, 三 and 四 complete, every
identity holding), breaks a share of them (one part 三 cell each), loads them,
then times ``validate_warehouse`` — the snapshot of the identity views, Great
Expectations' checkpoint (which decides every check) with the Data Docs site,
and storing the results — and counts every SQL statement sent (nianbao's and
GX's). It exits 1 unless exactly the broken cells' checks FAIL (and nothing is
UNCERTAIN). ``--without-docs`` times a second run without the Data Docs site (in
the same process: GX is imported by then, which the first run's time includes).
Figures we measured are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from expectations.checks import Outcome  # noqa: E402
from expectations.run import RunSummary, validate_warehouse  # noqa: E402
from parsers.form import (  # noqa: E402
    APPLICANT_COLUMN_KEYS,
    REQUEST_COLUMN_KEYS,
    REQUEST_ROW_KEYS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    FormVersion,
    Table,
    outcome_row_keys,
    proactive_items,
)
from parsers.report import Cell, CellKind, ProactiveCell, Report  # noqa: E402
from warehouse.db import make_engine  # noqa: E402
from warehouse.load import DocumentInfo, store_report  # noqa: E402

NEW, CARRIED_OVER, TOTAL_PROCESSED, CARRIED_FORWARD = (
    REQUEST_ROW_KEYS[0], REQUEST_ROW_KEYS[1], REQUEST_ROW_KEYS[-2], REQUEST_ROW_KEYS[-1]
)  # fmt: skip


def _cell(value: int) -> Cell:
    return Cell(value=value, raw=str(value), kind=CellKind.NUMBER)


def consistent_report(rng: random.Random, i: int) -> Report:
    """A report that passes every check: parts 三 and 四 satisfy every identity, and parts 二, 三 and 四
    hold every cell of the form's version (``complete``), each a valid number."""
    form = FormVersion.V2019 if i % 3 == 0 else FormVersion.V2021
    rows: dict[str, dict[str, int]] = {}
    for col in APPLICANT_COLUMN_KEYS:
        outcomes = {row: rng.choice((0, 0, 0, 1, 2)) for row in outcome_row_keys(form)}
        processed = sum(outcomes.values())
        forward = rng.choice((0, 0, 1))
        new = rng.randint(0, processed + forward)
        column = outcomes | {NEW: new, CARRIED_OVER: processed + forward - new, TOTAL_PROCESSED: processed,
                             CARRIED_FORWARD: forward}  # fmt: skip
        for row, value in column.items():
            rows.setdefault(row, {})[col] = value
    requests = {}
    for row, cols in rows.items():
        requests[row] = {c: _cell(v) for c, v in cols.items()} | {REQUEST_COLUMN_KEYS[-1]: _cell(sum(cols.values()))}
    reviews = {}
    for group, _ in REVIEW_GROUPS:
        parts = {f"{group}_{o}": rng.choice((0, 0, 1)) for o, _ in REVIEW_OUTCOMES[:-1]}
        reviews |= {k: _cell(v) for k, v in parts.items()} | {
            f"{group}_{REVIEW_OUTCOMES[-1][0]}": _cell(sum(parts.values()))
        }
    proactive = [
        ProactiveCell(item=item.key, metric=metric, cell=_cell(rng.randint(0, 40)))
        for item in proactive_items(form)
        for metric in item.metrics[form]
    ]
    year = 2020 if form is FormVersion.V2019 else 2021 + i % 4
    return Report(source=f"generated-{i}", sha256="", format="generated", form=form, year=year,
                  agency=f"银川市西夏区测试局{i}", requests=requests, reviews=reviews, proactive=proactive,
                  table_forms={Table.PROACTIVE: form, Table.REQUESTS: form, Table.REVIEWS: form},
                  tables_present={Table.PROACTIVE: True, Table.REQUESTS: True, Table.REVIEWS: True})  # fmt: skip


#: the checks one broken cell fails: (check, scope) -> when; the cell is a part 三 row of the first column
BROKEN_COLUMN = REQUEST_COLUMN_KEYS[0]


def failures_of(report: Report, row: str) -> set[tuple[str, str]]:
    """The (check, scope) pairs that truly fail once ``row``'s cell in the first column is one more."""
    out = {("applicant_sum", row)}  # that row's 总计 no longer adds up
    if row in (NEW, CARRIED_OVER, TOTAL_PROCESSED, CARRIED_FORWARD):
        out.add(("request_balance", BROKEN_COLUMN))
    if row == TOTAL_PROCESSED or row in outcome_row_keys(report.form):
        out.add(("outcome_sum", BROKEN_COLUMN))
    return out


def build(url: str, n: int, broken: float) -> dict[int, set[tuple[str, str]]]:
    """Load ``n`` generated reports, a share ``broken`` of them with one cell one more than it should be;
    return report id -> the (check, scope) pairs that truly fail (only the broken reports have any)."""
    rng = random.Random(11)
    engine = make_engine(url)
    expected: dict[int, set[tuple[str, str]]] = {}
    for i in range(n):
        report = consistent_report(rng, i)
        failing: set[tuple[str, str]] = set()
        if rng.random() < broken:
            row = rng.choice(list(report.requests))
            report.requests[row][BROKEN_COLUMN] = _cell(report.requests[row][BROKEN_COLUMN].value + 1)
            failing = failures_of(report, row)
        sha256 = hashlib.sha256(f"r{i}".encode()).hexdigest()
        stored = store_report(engine, DocumentInfo(url=f"https://bench.invalid/{i}"), sha256, report)
        expected[stored.report_id] = failing
    engine.dispose()
    return expected


def bench(url: str, docs: Path | None) -> tuple[float, float, int, RunSummary]:
    """Time ``validate_warehouse`` (with the Data Docs site unless ``docs`` is None), counting every statement:
    (wall seconds, CPU seconds of every thread of this process — SQLite's work included —, statements, summary).
    The CPU time is what a loaded machine does not inflate; on an idle machine the wall time is at most that."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        engine = make_engine(url)
        started, cpu = time.perf_counter(), time.process_time()
        summary = validate_warehouse(engine, docs_dir=docs)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    return elapsed, cpu, len(statements), summary


def unexpected_outcomes(summary: RunSummary, expected: dict[int, set[tuple[str, str]]]) -> list[str]:
    """What the run flagged that it should not have, or missed: empty when only the broken cells fail."""
    flagged: dict[int, set[tuple[str, str]]] = {rid: set() for rid in expected}
    problems = []
    for r in summary.results:
        if r.outcome is Outcome.FAIL:
            flagged.setdefault(r.report_id, set()).add((r.check.key, r.scope))
        elif r.outcome is Outcome.UNCERTAIN:
            problems.append(f"report {r.report_id}: {r.check.key} {r.scope} UNCERTAIN")
    for rid, fails in flagged.items():
        want = expected.get(rid, set())
        if fails != want:
            problems.append(f"report {rid}: FAIL {sorted(fails)}, expected {sorted(want)}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--broken", type=float, default=0.05)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--without-docs", action="store_true", help="also time a second run without Data Docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = []
        if args.backend in ("sqlite", "both"):
            targets.append(("sqlite", f"sqlite:///{tmp}/warehouse.db", None))
        server = None
        if args.backend in ("postgresql", "both"):
            from pgserver import PgServer

            server = PgServer.start()
            admin = sa.create_engine(f"{server.url}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text("CREATE DATABASE bench"))
            admin.dispose()
            targets.append(("postgresql", f"{server.url}/bench", server))
        try:
            for name, url, _ in targets:
                t0 = time.perf_counter()
                expected = build(url, args.n, args.broken)
                n_broken = sum(1 for fails in expected.values() if fails)
                n_fail = sum(len(fails) for fails in expected.values())
                print(f"{name}: loaded {args.n} reports ({n_broken} broken) in {time.perf_counter() - t0:.1f} s")
                for run, docs in enumerate((Path(tmp) / f"docs-{name}", None)[: 2 if args.without_docs else 1]):
                    elapsed, cpu, queries, summary = bench(url, docs)
                    failing = sum(1 for r in summary.results if r.outcome is Outcome.FAIL)
                    print(f"{name}: validated in {elapsed:.1f} s ({cpu:.1f} s CPU) {'with' if docs else 'without'} "
                          f"Data Docs{', GX imported already' if run else ''}, {queries} SQL statements, "
                          f"{failing} FAIL results")  # fmt: skip
                    problems = unexpected_outcomes(summary, expected)
                    if problems:
                        print(f"{name}: {len(problems)} report(s) not flagged as generated, e.g. {problems[0]}")
                        sys.exit(1)
                    print(f"{name}: every report flagged as generated ({n_fail} FAIL on the {n_broken} broken ones)")
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()

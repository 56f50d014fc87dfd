"""Benchmark: validating N generated reports in the warehouse, and the SQL queries it takes.

    .venv/bin/python bench/validate.py [--n 10000] [--backend sqlite|postgresql|both] [--broken 0.05]

Generates N reports whose tables satisfy every identity, breaks a share of
them (one cell each), loads them, then times ``validate_warehouse`` — the
snapshot of the identity views, Great Expectations' checkpoint (which decides
every check) with the Data Docs site, and storing the results — and counts
every SQL statement sent (nianbao's and GX's). Figures we measured are in
docs/benchmarks.md.
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

from expectations.run import validate_warehouse  # noqa: E402
from parsers.form import (  # noqa: E402
    APPLICANT_COLUMN_KEYS,
    REQUEST_COLUMN_KEYS,
    REQUEST_ROW_KEYS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    FormVersion,
    Table,
    outcome_row_keys,
)
from parsers.report import Cell, CellKind, Report  # noqa: E402
from warehouse.db import make_engine  # noqa: E402
from warehouse.load import DocumentInfo, store_report  # noqa: E402

NEW, CARRIED_OVER, TOTAL_PROCESSED, CARRIED_FORWARD = (
    REQUEST_ROW_KEYS[0], REQUEST_ROW_KEYS[1], REQUEST_ROW_KEYS[-2], REQUEST_ROW_KEYS[-1]
)  # fmt: skip


def _cell(value: int) -> Cell:
    return Cell(value=value, raw=str(value), kind=CellKind.NUMBER)


def consistent_report(rng: random.Random, i: int) -> Report:
    """A report whose part 三 and 四 satisfy every identity."""
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
    year = 2020 if form is FormVersion.V2019 else 2021 + i % 4
    return Report(source=f"generated-{i}", sha256="", format="generated", form=form, year=year,
                  agency=f"银川市西夏区测试局{i}", requests=requests, reviews=reviews,
                  table_forms={Table.REQUESTS: form},
                  tables_present={Table.PROACTIVE: False, Table.REQUESTS: True, Table.REVIEWS: True})  # fmt: skip


def build(url: str, n: int, broken: float) -> int:
    rng = random.Random(11)
    engine = make_engine(url)
    n_broken = 0
    for i in range(n):
        report = consistent_report(rng, i)
        if rng.random() < broken:
            n_broken += 1
            row = rng.choice(list(report.requests))
            report.requests[row][REQUEST_COLUMN_KEYS[0]] = _cell(report.requests[row][REQUEST_COLUMN_KEYS[0]].value + 1)
        sha256 = hashlib.sha256(f"r{i}".encode()).hexdigest()
        store_report(engine, DocumentInfo(url=f"https://bench.invalid/{i}"), sha256, report)
    engine.dispose()
    return n_broken


def bench(url: str, docs: Path) -> tuple[float, int, int]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        engine = make_engine(url)
        started = time.perf_counter()
        summary = validate_warehouse(engine, docs_dir=docs)
        elapsed = time.perf_counter() - started
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    failing = sum(1 for r in summary.results if r.outcome.value == "FAIL")
    return elapsed, len(statements), failing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--broken", type=float, default=0.05)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
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
                n_broken = build(url, args.n, args.broken)
                print(f"{name}: loaded {args.n} reports ({n_broken} broken) in {time.perf_counter() - t0:.1f} s")
                elapsed, queries, failing = bench(url, Path(tmp) / f"docs-{name}")
                print(f"{name}: validated in {elapsed:.1f} s, {queries} SQL statements, {failing} FAIL results")
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()

"""Benchmark: loading generated reports into the warehouse, on SQLite and PostgreSQL.

    .venv/bin/python bench/load.py [--n 10000] [--backend sqlite|postgresql|both]

Generates N reports of both forms (random numbers, ~200 cells each), then
stores them through warehouse.load.store_report (the warehouse never parses;
the reports are pre-built), so the figure is the warehouse's: one transaction per
document, document/report/cells rows, agency lookup. PostgreSQL runs on a
throwaway local server (tests/pgserver.py). Prints reports/second; the
figures we measured are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from parsers.form import (  # noqa: E402
    AMOUNT_METRICS,
    REQUEST_COLUMN_KEYS,
    REVIEW_KEYS,
    SIGNED_METRICS,
    FormVersion,
    Table,
    proactive_items,
    request_row_keys,
)
from parsers.report import Cell, CellKind, ProactiveCell, Report  # noqa: E402
from warehouse.db import make_engine  # noqa: E402
from warehouse.load import DocumentInfo, store_report  # noqa: E402

AGENCIES = ["银川市西夏区审批服务管理局", "银川市西夏区兴泾镇", "白银市平川区发展和改革局", "白银市平川区种田乡",
            "红寺堡区教育局", "吴忠市红寺堡区人民政府"]  # fmt: skip


def _cell(value: int | float) -> Cell:
    return Cell(value=value, raw=str(value), kind=CellKind.NUMBER)


def generate(n: int, seed: int = 7) -> list[Report]:
    rng = random.Random(seed)
    reports = []
    for i in range(n):
        form = FormVersion.V2019 if i % 3 == 0 else FormVersion.V2021
        year = 2020 if form is FormVersion.V2019 else 2021 + i % 5
        proactive = []
        for item in proactive_items(form):
            for metric in item.metrics[form]:
                if metric in SIGNED_METRICS:
                    value: int | float = rng.randint(-50, 50)
                elif metric in AMOUNT_METRICS:
                    value = round(rng.random() * 1000, 4)
                else:
                    value = rng.randint(0, 5000)
                proactive.append(ProactiveCell(item=item.key, metric=metric, cell=_cell(value)))
        reports.append(
            Report(
                source=f"generated-{i}", sha256="", format="generated", form=form, year=year,
                agency=f"{AGENCIES[i % len(AGENCIES)]}{i // len(AGENCIES) % 200}",
                table_forms={Table.PROACTIVE: form, Table.REQUESTS: form},
                tables_present={Table.PROACTIVE: True, Table.REQUESTS: True, Table.REVIEWS: True},
                requests={
                    r: {c: _cell(rng.randint(0, 30)) for c in REQUEST_COLUMN_KEYS} for r in request_row_keys(form)
                },
                reviews={k: _cell(rng.randint(0, 3)) for k in REVIEW_KEYS},
                proactive=proactive,
            )
        )  # fmt: skip
    return reports


def bench(url: str, reports: list[Report]) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    for i, report in enumerate(reports):
        sha256 = hashlib.sha256(f"generated report {i}".encode()).hexdigest()
        store_report(engine, DocumentInfo(url=f"https://bench.invalid/report/{i}.html"), sha256, report)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    reports = generate(args.n)
    cells = sum(1 for _ in reports[0].iter_cell_dicts())
    print(f"{args.n} generated reports, about {cells} cells each")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            elapsed = bench(f"sqlite:///{tmp}/warehouse.db", reports)
        print(f"sqlite      {elapsed:8.1f} s  {args.n / elapsed:8.1f} reports/s")
    if args.backend in ("postgresql", "both"):
        from pgserver import PgServer

        server = PgServer.start()
        try:
            import sqlalchemy as sa

            admin = sa.create_engine(f"{server.url}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text("CREATE DATABASE bench"))
            admin.dispose()
            elapsed = bench(f"{server.url}/bench", reports)
            print(f"postgresql  {elapsed:8.1f} s  {args.n / elapsed:8.1f} reports/s (fsync off, local socket)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()

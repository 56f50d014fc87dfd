"""Benchmark: reading text that lost its line structure (parsers/flat.py, parsers/splits.py).

    .venv/bin/python bench/flat.py [--repeat 3] [--n 20]

Three sets, each parsed ``--repeat`` times (``parse_bytes``, reader and matcher; the median counts):

* the flat fixtures (tests/fixtures/flat): the seeds and HTML pages as one line, space-separated and
  run together;
* long lines: seed 000 as one line with part 一's narrative repeated until the line is 0.1, 1 and 4 MB
  (nothing in the reader may be quadratic in the line length);
* hard cuts: ``--n`` reports with every part 三 cell a 2–5 digit number that keeps the identities,
  rendered run together: many rows have several cuts, so the table identities are searched
  (bounded by ``parsers.splits.MAX_COMBINATIONS``).

The figures we measured are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAT = ROOT / "tests" / "fixtures" / "flat"
sys.path.insert(0, str(ROOT / "scripts"))

from flatten import run_together  # noqa: E402
from render import report_to_text  # noqa: E402

from parsers import ParseError, parse_bytes, parse_file  # noqa: E402
from parsers.form import APPLICANT_COLUMN_KEYS, REQUEST_COLUMN_KEYS, REQUEST_ROW_KEYS, outcome_row_keys  # noqa: E402
from parsers.report import Cell, CellKind  # noqa: E402


def timed(data: bytes, repeat: int) -> float:
    """Median milliseconds of ``repeat`` parses (a page that only links its report counts as parsed)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(ParseError):
            parse_bytes(data)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def long_line(megabytes: float) -> bytes:
    text = (FLAT / "000_oneline.txt").read_text(encoding="utf-8")
    start, end = text.index("一、总体情况") + 6, text.index("二、主动公开")
    narrative = text[start:end]
    copies = max(1, int(megabytes * 1_000_000 / len(narrative.encode())))
    return (text[:end] + narrative * copies + text[end:]).encode()


def hard_report(seed, rng: random.Random):
    """The seed with every part 三 cell 0 or a 2–4 digit count, keeping the identities (many cuts, one answer)."""
    report = seed.model_copy(deep=True)
    form = report.table_forms[next(iter(report.table_forms))] if report.table_forms else report.form
    rows = {}
    for key in outcome_row_keys(form):
        applicants = [rng.choice([0, rng.randint(10, 99), rng.randint(100, 9999)]) for _ in APPLICANT_COLUMN_KEYS]
        rows[key] = [*applicants, sum(applicants)]
    processed = [sum(r[c] for r in rows.values()) for c in range(7)]
    forward = [rng.randint(0, 50) for _ in APPLICANT_COLUMN_KEYS]
    forward.append(sum(forward))
    due = [processed[c] + forward[c] for c in range(6)]
    carried = [rng.randint(0, d) for d in due]
    new = [d - c for d, c in zip(due, carried, strict=True)]
    rows |= {
        REQUEST_ROW_KEYS[0]: [*new, sum(new)],
        REQUEST_ROW_KEYS[1]: [*carried, sum(carried)],
        REQUEST_ROW_KEYS[-2]: processed,
        REQUEST_ROW_KEYS[-1]: forward,
    }
    for key, values in rows.items():
        report.requests[key] = {
            col: Cell(value=v, raw=str(v), kind=CellKind.NUMBER)
            for col, v in zip(REQUEST_COLUMN_KEYS, values, strict=True)
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()

    by_form: dict[str, list[float]] = {}
    for path in sorted(FLAT.iterdir()):
        form = path.stem.rsplit("_", 1)[-1]
        kind = form if form in ("oneline", "spaces", "runtogether") else "attachment, pre-2019"
        by_form.setdefault(kind, []).append(timed(path.read_bytes(), args.repeat))
    print("| fixtures | files | median ms | max ms |\n|---|---|---|---|")
    for kind, times in sorted(by_form.items()):
        print(f"| {kind} | {len(times)} | {statistics.median(times):.1f} | {max(times):.1f} |")

    print("\n| one line of | ms | ms per MB |\n|---|---|---|")
    for mb in (0.1, 1, 4):
        data = long_line(mb)
        ms = timed(data, args.repeat)
        print(f"| {len(data) / 1e6:.1f} MB | {ms:.0f} | {ms / (len(data) / 1e6):.0f} |")

    rng = random.Random(14)
    seeds = [parse_file(p) for p in sorted((ROOT / "tests" / "fixtures" / "seeds").glob("00[0-3]_*.txt"))]
    times, unreadable, cells = [], 0, 0
    for i in range(args.n):
        report = hard_report(seeds[i % len(seeds)], rng)
        data = run_together(report_to_text(report, "tabs").decode()).encode()
        times.append(timed(data, args.repeat))
        parsed = parse_bytes(data)
        for row in parsed.requests.values():
            cells += len(row)
            unreadable += sum(1 for c in row.values() if c.kind is CellKind.UNREADABLE)
    print("\n| hard cuts | reports | median ms | max ms | part 三 cells unreadable |\n|---|---|---|---|---|")
    print(
        f"| run together, 2–4 digit counts | {len(times)} | {statistics.median(times):.0f} | {max(times):.0f} | "
        f"{unreadable / max(cells, 1):.0%} |"
    )


if __name__ == "__main__":
    main()

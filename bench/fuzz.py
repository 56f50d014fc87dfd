"""Fuzz: hostile documents built from the fixtures, through the whole parse path (``parse_bytes``: size cap,
isolated reader with its time limit and memory ceiling, matcher).

    .venv/bin/python bench/fuzz.py [--n 2000] [--seed 18] [--time-limit 20] [--workers 2] [--budget 1800]

Reports, for ``--n`` documents (scripts/hostile.py: bit flips, truncations, deletions, duplications, ZIP
tricks, re-encodings and odd charsets, huge cells, markup, spans) plus the crash classes of issue 18:

* tracebacks: anything ``parse_bytes`` raised that is no ParseError (must be 0), and ``reader_error``
  (a reader bug caught and turned into that document's error: the run went on, but it is a bug);
* hangs: documents whose parse took longer than the time limit plus 5 s (must be 0), and how many
  were stopped at the limit;
* peak memory: the largest reader child's and this process's maximum resident set;
* silent corruptions: a mutant that still parses, whose cells differ from its original's, and that
  carries no warning its original did not: a changed number nobody was told about.

Bounded: ``--budget`` seconds in all (it stops early and says so). The figures we measured are in
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # the hostile document builders live there, not in the package

from hostile import ORIGINS, crash_classes, mutants, origin_bytes  # noqa: E402

from parsers import parse_bytes  # noqa: E402
from parsers.errors import ParseError  # noqa: E402
from parsers.report import Report  # noqa: E402


def cells(report: Report) -> dict[tuple, object]:
    return {(c["table"], c["row"], c["column"]): c["value"] for c in report.iter_cell_dicts()}


def one(name: str, data: bytes, time_limit: float) -> tuple[str, object, float]:
    started = time.perf_counter()
    try:
        outcome: object = parse_bytes(data, source=name, time_limit=time_limit)
    except ParseError as exc:
        outcome = exc
    except BaseException as exc:  # what must never happen: reported, not raised
        outcome = ("traceback", f"{type(exc).__name__}: {exc}")
    return name, outcome, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="mutants to build (default 2000)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--time-limit", type=float, default=20.0, help="per document (s)")
    parser.add_argument("--workers", type=int, default=2, help="documents parsed side by side")
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds for the whole run")
    args = parser.parse_args()

    originals = {name: parse_bytes(origin_bytes(name)) for name in ORIGINS}
    expected = {name: cells(r) for name, r in originals.items()}
    warned = {name: {w.code for w in r.warnings} for name, r in originals.items()}
    docs = [(f"crash-{n}", "crash class", d, None) for n, d in crash_classes().items()]
    docs += list(mutants(args.seed, args.n))
    kinds = {name: name.split("-")[1] if name[0].isdigit() else "crash_class" for name, *_ in docs}
    started = time.perf_counter()
    codes: Counter = Counter()
    parsed_by_kind: Counter = Counter()
    tracebacks, hangs, stopped, silent, slowest = [], [], 0, [], (0.0, "")
    done = 0
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = [(name, what, origin, pool.submit(one, name, data, args.time_limit))
                   for name, what, data, origin in docs]  # fmt: skip
        for name, what, origin, future in futures:
            if time.perf_counter() - started > args.budget:
                future.cancel()
                continue
            _, outcome, seconds = future.result()
            done += 1
            slowest = max(slowest, (seconds, name))
            if seconds > args.time_limit + 5:
                hangs.append((name, seconds))
            if isinstance(outcome, tuple):
                tracebacks.append((name, what, outcome[1]))
                codes["TRACEBACK"] += 1
            elif isinstance(outcome, ParseError):
                codes[outcome.code] += 1
                stopped += outcome.code == "time_limit"
                if outcome.code == "reader_error":
                    tracebacks.append((name, what, f"(caught) {outcome}"))
            else:
                codes["parsed"] += 1
                parsed_by_kind[kinds[name]] += 1
                if origin is None:
                    continue
                got = cells(outcome)
                if got != expected[origin] and not ({w.code for w in outcome.warnings} - warned[origin]):
                    diff = sorted(k for k in set(got) | set(expected[origin]) if got.get(k) != expected[origin].get(k))
                    silent.append((name, what, diff[:4]))
    elapsed = time.perf_counter() - started
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    cut = "" if done == len(docs) else " — stopped by --budget"
    print(f"fuzz: {done} of {len(docs)} documents in {elapsed:.0f} s (seed {args.seed}, time limit "
          f"{args.time_limit:g} s, {args.workers} workers){cut}")  # fmt: skip
    print(f"  mutants per kind: {dict(Counter(kinds[n] for n, *_ in docs))}")
    print(f"  outcomes: {dict(codes.most_common())}")
    print(f"  still parsed, per kind: {dict(parsed_by_kind.most_common())}")
    uncaught = [t for t in tracebacks if not t[2].startswith("(caught)")]
    print(f"  tracebacks (uncaught): {len(uncaught)}; reader errors caught as the document's error: "
          f"{len(tracebacks) - len(uncaught)}")  # fmt: skip
    for name, what, text in tracebacks[:20]:
        print(f"    {name} [{what}]: {text[:200]}")
    print(f"  hangs past the limit + 5 s: {len(hangs)}; stopped at the time limit: {stopped}; "
          f"slowest {slowest[0]:.1f} s ({slowest[1]})")  # fmt: skip
    print(f"  peak memory: largest reader child {child:,.0f} MB, this process {own:,.0f} MB")
    print(f"  silent corruptions (cells changed, no new warning): {len(silent)}")
    for name, what, diff in silent[:30]:
        print(f"    {name} [{what}]: {diff}")
    return 1 if uncaught or hangs else 0


if __name__ == "__main__":
    sys.exit(main())

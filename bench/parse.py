"""Benchmark: parsing speed per format, and the PDF reader against ``pdftotext -layout``.

    .venv/bin/python bench/parse.py [--n 40] [--repeat 3] [--before REV]

Two sets of reports:

* the fixtures: tests/fixtures/seeds (text), tests/fixtures/documents (HTML, DOCX, PDF, DOC/WPS) and the
  PDFs the portals published (tests/fixtures/portals);
* a generated set: ``--n`` reports per format, the four seeds with tables with random numbers,
  rendered as HTML and DOCX and converted by LibreOffice to PDF and DOC (``--n`` / 4 DOCs: each
  costs a LibreOffice start).

Each report is parsed ``--repeat`` times (``parse_bytes``, the whole path: reader and matcher);
its time is the median of those, and a format's figure is the median over its reports.

A PDF is read both ways the PDF reader has, side by side in one loop so that both see the same
machine load: the fast path (PDFium's glyphs and ruling lines, what ``parse_bytes`` runs) and the
reference path (pdfplumber throughout), each as ``parse_bytes`` runs it (in a forked child under the
time limit), the fast path also in-process; and ``pdftotext -layout FILE /dev/null`` on the same file
(the floor for reading a text layer, process start included). Each round times all of them one
after the other; a report's time per way is the median over the rounds, and its ratio is that over
pdftotext's median. The two ways must give the same report (the bench stops if not). Needs
LibreOffice and poppler-utils (``scripts/system-deps``). The figures we measured are in
docs/benchmarks.md.

``--before REV`` times another version of the parsers (``git archive REV parsers``, e.g. ``main``) in
the same rounds: a helper process imports that version and runs its ``parse_bytes`` on each PDF when
asked, between the other ways, so that before and after see the same load; its report must be the
same as this version's (boxes within 1 pt; the bench says whether they are identical).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
sys.path.insert(0, str(ROOT / "scripts"))  # the fixture renderers live there, not in the package

from render import report_to_html  # noqa: E402
from render_docx import report_to_docx  # noqa: E402

from parsers import parse_bytes, parse_file, sniff_format  # noqa: E402
from parsers.form import AMOUNT_METRICS, SIGNED_METRICS  # noqa: E402
from parsers.limits import DEFAULT_TIME_LIMIT, Deadline, run_isolated  # noqa: E402
from parsers.match import document_to_report  # noqa: E402
from parsers.pdf import pdf_to_document  # noqa: E402
from parsers.report import Cell, CellKind, ProactiveCell, Report  # noqa: E402


def _number(value: int | float) -> Cell:
    return Cell(value=value, raw=str(value), kind=CellKind.NUMBER)


def vary(report: Report, rng: random.Random) -> Report:
    """The report with every number drawn at random (same layout, same form, same text)."""
    requests = {row: {col: _number(rng.randint(0, 300)) for col in cols} for row, cols in report.requests.items()}
    reviews = {key: _number(rng.randint(0, 20)) for key in report.reviews}
    proactive = []
    for p in report.proactive:
        if p.metric in SIGNED_METRICS:
            value: int | float = rng.randint(-99, 99)
        elif p.metric in AMOUNT_METRICS:
            value = round(rng.random() * 10000, 2)
        else:
            value = rng.randint(0, 20000)
        proactive.append(ProactiveCell(item=p.item, metric=p.metric, cell=_number(value)))
    return report.model_copy(update={"requests": requests, "reviews": reviews, "proactive": proactive})


def libreoffice_batch(sources: list[Path], target: str, outdir: Path) -> None:
    """Convert many files in one LibreOffice run (one start-up for all)."""
    profile = Path(tempfile.mkdtemp(prefix="nianbao-bench-profile-"))
    try:
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", target, "--outdir", str(outdir), *map(str, sources)],
            check=True, capture_output=True, timeout=1800,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def generate(n: int, workdir: Path, seed: int = 11) -> list[Path]:
    rng = random.Random(seed)
    seeds = [parse_file(p) for p in sorted((FIXTURES / "seeds").glob("00[0-3]_*.txt"))]
    files: list[Path] = []
    docx_files: list[Path] = []
    for i in range(n):
        report = vary(seeds[i % len(seeds)], rng)
        html = workdir / f"gen{i:03d}.html"
        html.write_bytes(report_to_html(report))
        docx = workdir / f"gen{i:03d}.docx"
        docx.write_bytes(report_to_docx(report))
        files += [html, docx]
        docx_files.append(docx)
    pdf_dir, doc_dir = workdir / "pdf", workdir / "doc"
    pdf_dir.mkdir()
    doc_dir.mkdir()
    libreoffice_batch(docx_files, "pdf", pdf_dir)
    libreoffice_batch(docx_files[: max(1, n // 4)], "doc:MS Word 97", doc_dir)
    return files + sorted(pdf_dir.glob("*.pdf")) + sorted(doc_dir.glob("*.doc"))


def fixture_files() -> list[Path]:
    """The seeds, the documents, and the real portals' PDFs of the mirror (tests/fixtures/portals)."""
    return (
        sorted((FIXTURES / "seeds").glob("*.txt"))
        + sorted(p for p in (FIXTURES / "documents").iterdir() if p.is_file())
        + sorted((FIXTURES / "portals").rglob("*.pdf"))
    )


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def parse_pdf(data: bytes, engine: str) -> Report:
    """``parse_bytes`` for a PDF, with the reader's way chosen: the same reader process, time limit and matcher."""
    doc = run_isolated(
        pdf_to_document, data, Deadline(None), engine, seconds=DEFAULT_TIME_LIMIT, what="reading the PDF", reuse=True
    )
    return document_to_report(doc, source="<bytes>", sha256="")


def same_report(a: object, b: object, tolerance: float = 1.0) -> bool:
    """Two reports' JSON equal, but for boxes (PDF points), which may differ by ``tolerance``."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(
            (k == "bbox" and a[k] and b[k] and max(abs(x - y) for x, y in zip(a[k], b[k], strict=True)) <= tolerance)
            or same_report(a[k], b[k], tolerance)
            for k in a
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_report(x, y, tolerance) for x, y in zip(a, b, strict=True))
    return a == b


_BEFORE_HELPER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from parsers import parse_bytes
for line in sys.stdin:
    command, path = line.rstrip("\\n").split("\\t", 1)
    data = open(path, "rb").read()
    started = time.perf_counter()
    report = parse_bytes(data)
    elapsed = time.perf_counter() - started
    out = report.model_copy(update={"sha256": ""}).to_json_dict() if command == "report" else elapsed
    print(json.dumps(out, ensure_ascii=False), flush=True)
"""


class Before:
    """Another version of the parsers, in a helper process of its own, timed on request."""

    def __init__(self, rev: str, workdir: Path) -> None:
        self.rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", rev], check=True, capture_output=True, text=True
        ).stdout.strip()
        tree = workdir / f"before-{self.rev}"
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "parsers"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BEFORE_HELPER, str(tree)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, command: str, path: Path) -> object:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{command}\t{path}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


@dataclass
class PdfTimes:
    name: str
    fast: float  # parse_bytes (reader process), the fast path
    fast_in_process: float
    reference: float  # the same, pdfplumber throughout
    floor: float  # pdftotext -layout
    before: float | None = None  # parse_bytes of the --before version, in its helper process
    identical_to_before: bool | None = None


def time_pdf(path: Path, data: bytes, repeat: int, before: Before | None = None) -> PdfTimes:
    """All ways on one PDF, round after round, so that each round sees the same load."""
    fast = parse_bytes(data).model_copy(update={"sha256": ""}).to_json_dict()
    reference = parse_pdf(data, "pdfplumber").to_json_dict()
    if not same_report(fast, reference):
        sys.exit(f"{path.name}: the fast path and the reference path give different reports")
    identical = None
    if before is not None:
        earlier = before.ask("report", path)
        if not same_report(fast, earlier):
            sys.exit(f"{path.name}: this version and {before.rev} give different reports")
        identical = json.loads(json.dumps(fast, ensure_ascii=False)) == earlier
    ways = {
        "fast": lambda: parse_bytes(data),
        "fast_in_process": lambda: parse_bytes(data, time_limit=None),
        "reference": lambda: parse_pdf(data, "pdfplumber"),
        "floor": lambda: subprocess.run(["pdftotext", "-layout", str(path), "/dev/null"], check=True),
    }
    if before is not None:
        ways["before"] = lambda: before.ask("time", path)
    rounds: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeat):
        for way, fn in ways.items():
            started = time.perf_counter()
            answer = fn()
            # the helper's own timing: the request's way there and back is not the parse
            rounds[way].append(answer if way == "before" else time.perf_counter() - started)  # type: ignore[arg-type]
    times = {way: statistics.median(values) for way, values in rounds.items()}
    return PdfTimes(path.name, **times, identical_to_before=identical)


def measure(
    files: list[Path], repeat: int, before: Before | None = None
) -> tuple[dict[str, list[float]], list[PdfTimes]]:
    per_format: dict[str, list[float]] = defaultdict(list)
    pdfs: list[PdfTimes] = []
    for path in files:
        data = path.read_bytes()
        fmt = sniff_format(data)
        parse_bytes(data)  # warm: imports, caches
        if fmt == "pdf":
            pdfs.append(time_pdf(path, data, repeat, before))
            per_format[fmt].append(pdfs[-1].fast)
        else:
            per_format[fmt].append(timed(lambda data=data: parse_bytes(data), repeat))
    return per_format, pdfs


def _ratios(pdfs: list[PdfTimes], way: str) -> str:
    ratios = [getattr(p, way) / p.floor for p in pdfs]
    return f"{statistics.median(ratios):.1f}× | {min(ratios):.1f}× | {max(ratios):.1f}×"


def report_figures(
    title: str, per_format: dict[str, list[float]], pdfs: list[PdfTimes], before_rev: str | None = None
) -> None:
    print(f"\n### {title}\n")
    print("| format | reports | median ms/report | min | max |")
    print("|---|---|---|---|---|")
    for fmt in ("text", "html", "docx", "pdf", "doc"):
        times = per_format.get(fmt)
        if times:
            print(
                f"| {fmt} | {len(times)} | {statistics.median(times) * 1000:.1f} | "
                f"{min(times) * 1000:.1f} | {max(times) * 1000:.1f} |"
            )
    if pdfs:
        print(f"\nPDF / `pdftotext -layout` per report ({len(pdfs)} PDFs, ", end="")
        print(f"pdftotext median {statistics.median(p.floor for p in pdfs) * 1000:.1f} ms):\n")
        print("| way | median ratio | min | max | median ms |")
        print("|---|---|---|---|---|")
        ways = [
            ("fast", "fast path (PDFium), as parse_bytes runs it"),
            ("fast_in_process", "fast path, in-process"),
            ("reference", "reference path (pdfplumber), as parse_bytes runs it"),
        ]
        if pdfs[0].before is not None:
            ways.insert(0, ("before", f"before: parse_bytes at {before_rev}, in the same rounds"))
        for way, label in ways:
            ms = statistics.median(getattr(p, way) for p in pdfs) * 1000
            print(f"| {label} | {_ratios(pdfs, way)} | {ms:.0f} |")
        if pdfs[0].before is not None:
            same = sum(bool(p.identical_to_before) for p in pdfs)
            rest = "" if same == len(pdfs) else "; the others have boxes within 1 pt of its"
            print(f"\nReports identical to {before_rev}'s, boxes included: {same} of {len(pdfs)}{rest}.")
        if len(pdfs) <= 20:
            print("\n| PDF | before ratio | fast ms | reference ms | pdftotext ms | fast ratio | reference ratio |")
            print("|---|---|---|---|---|---|---|")
            for p in pdfs:
                earlier = f"{p.before / p.floor:.1f}×" if p.before is not None else "–"
                print(
                    f"| {p.name} | {earlier} | {p.fast * 1000:.0f} | {p.reference * 1000:.0f} | {p.floor * 1000:.0f} | "
                    f"{p.fast / p.floor:.1f}× | {p.reference / p.floor:.1f}× |"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="generated reports per format (DOC: n/4); 0: fixtures only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", metavar="REV", help="time this git revision's parsers in the same rounds")
    args = parser.parse_args()
    for tool in ("soffice", "pdftotext"):
        if shutil.which(tool) is None:
            sys.exit(f"bench/parse.py needs {tool}: run scripts/system-deps as root")
    print(
        f"Python {platform.python_version()}, {platform.machine()}, repeat {args.repeat}, "
        f"load average at start {' '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        before = Before(args.before, Path(tmp)) if args.before else None
        rev = before.rev if before else None
        try:
            per_format, pdfs = measure(fixture_files(), args.repeat, before)
            report_figures("fixtures", per_format, pdfs, rev)
            if args.n:
                started = time.perf_counter()
                files = generate(args.n, Path(tmp))
                print(f"\n(generated {len(files)} files in {time.perf_counter() - started:.0f} s)")
                per_format, pdfs = measure(files, args.repeat, before)
                report_figures(f"generated: {args.n} reports per format", per_format, pdfs, rev)
        finally:
            if before is not None:
                before.close()
    print(f"\nload average at the end {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()

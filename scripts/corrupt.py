"""Damage every fixture report and hold the parser to one rule: no number changes silently.

    python scripts/corrupt.py                       # every format, 3 damages of each kind per document
    python scripts/corrupt.py --per-kind 6 --seed 7 --formats html,text --show silent

Each fixture report (tests/fixtures/documents: HTML, DOCX, PDF; tests/fixtures/seeds and flat: text) is
damaged in ways real files get damaged — a table row deleted or duplicated, two header cells
swapped, a character removed from a cell, a digit replaced, bits flipped or bytes deleted or
duplicated — then parsed, and its cells compared with the undamaged parse. Every difference must
come with a warning about its table that the undamaged parse did not give, or with a change in the
checks that cover that table (request_balance, outcome_sum, applicant_sum, review_sum, complete,
narrative_match); a damaged file may also fail to parse (one error line, never a traceback).

Outcomes per damaged document: ``error`` (refused with a ParseError), ``crash`` (any other
exception: a bug), ``same`` (the cells did not change), ``flagged`` (they changed, with a warning or
a check), ``silent`` (they changed with neither: a bug), and ``undetectable``: the only change is one
part 二 number that still reads as a well-formed number (a digit replaced) — part 二 has no identity
(FORM.md defines none), so nothing can tell it from the truth. The exit status is 1 when any damaged
document is ``crash`` or ``silent``.

Bounded: the damages are drawn from ``--seed``, ``--per-kind`` of each kind per document.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
sys.path.insert(0, str(ROOT))

from parsers import parse_bytes, sniff_format  # noqa: E402
from parsers.errors import ParseError  # noqa: E402
from parsers.form import (  # noqa: E402
    PROACTIVE_HEADER,
    PROACTIVE_METRICS,
    REQUEST_COLUMNS,
    REQUEST_HEADER,
    REVIEW_OUTCOMES,
    Table,
)
from parsers.report import Report  # noqa: E402

#: Warnings about the whole document that explain a change anywhere in it (the file itself is damaged).
DOCUMENT_DAMAGE_CODES = frozenset({"encoding_repaired", "glyphs_unmapped", "pages_unreadable", "multiple_reports"})
#: The checks that look at each table's numbers.
CHECKS_OF_TABLE: dict[str, frozenset[str]] = {
    Table.REQUESTS.value: frozenset({"request_balance", "outcome_sum", "applicant_sum", "complete", "narrative_match"}),
    Table.REVIEWS.value: frozenset({"review_sum", "complete", "narrative_match"}),
    Table.PROACTIVE.value: frozenset({"complete"}),
}
#: Texts that mark a header row (the rows whose cells `header_swap` swaps).
HEADER_WORDS = (
    PROACTIVE_HEADER,
    REQUEST_HEADER,
    *(c.label.split("/")[-1].strip() for c in REQUEST_COLUMNS[:2]),
    REVIEW_OUTCOMES[0][1],
    *(m.label for m in PROACTIVE_METRICS),
)

KINDS = (
    "row_delete",
    "row_duplicate",
    "header_swap",
    "char_delete",
    "digit_change",
    "bit_flip",
    "byte_delete",
    "byte_duplicate",
)


# --- the damage ---------------------------------------------------------------------------------


@dataclass
class Markup:
    """A document as editable text: its table rows, their cells and the cells' text, as spans."""

    text: str
    rows: list[tuple[int, int]]  # spans of whole rows
    cells: Callable[[str], list[tuple[int, int]]]  # spans of the cells in a row's text
    texts: Callable[[str], list[tuple[int, int]]]  # spans of printed text in a cell's text


def _spans(pattern: str, flags: int = 0, group: int = 0) -> Callable[[str], list[tuple[int, int]]]:
    rx = re.compile(pattern, flags)
    return lambda s: [m.span(group) for m in rx.finditer(s)]


HTML_ROWS = _spans(r"<tr\b.*?</tr>", re.S | re.I)
HTML_CELLS = _spans(r"<t[dh]\b.*?</t[dh]>", re.S | re.I)
HTML_TEXTS = _spans(r">([^<>]+)<", group=1)
DOCX_ROWS = _spans(r"<w:tr\b.*?</w:tr>", re.S)
DOCX_CELLS = _spans(r"<w:tc\b.*?</w:tc>", re.S)
DOCX_TEXTS = _spans(r"<w:t(?:\s[^>]*)?>([^<]+)</w:t>", group=1)


def text_markup(text: str) -> Markup:
    rows = [m.span() for m in re.finditer(r"^[^\n]*\t[^\n]*$", text, re.M)]
    return Markup(text, rows, _spans(r"[^\t]+"), _spans(r"\S+"))


def html_markup(text: str) -> Markup:
    return Markup(text, HTML_ROWS(text), HTML_CELLS, HTML_TEXTS)


def docx_markup(text: str) -> Markup:
    return Markup(text, DOCX_ROWS(text), DOCX_CELLS, DOCX_TEXTS)


def _cut(s: str, span: tuple[int, int], new: str) -> str:
    return s[: span[0]] + new + s[span[1] :]


def damage_markup(m: Markup, kind: str, rng: random.Random) -> tuple[str, str] | None:
    """One text-level damage of ``kind``: the damaged text and where it was done; None if it cannot apply."""
    s = m.text
    if not m.rows:
        return None
    if kind in ("row_delete", "row_duplicate"):
        start, end = rng.choice(m.rows)
        row = s[start:end]
        new = "" if kind == "row_delete" else row + ("\n" if s[end : end + 1] == "\n" else "") + row
        return _cut(s, (start, end), new), f"row at {start}: {_short(row)}"
    if kind == "header_swap":
        headers = [r for r in m.rows if any(w in s[r[0] : r[1]] for w in HEADER_WORDS)]
        if not headers:
            return None
        start, end = rng.choice(headers)
        row = s[start:end]
        cells = m.cells(row)
        if len(cells) < 3:
            return None
        a, b = sorted(rng.sample(range(1, len(cells)), 2))
        (a0, a1), (b0, b1) = cells[a], cells[b]
        swapped = row[:a0] + row[b0:b1] + row[a1:b0] + row[a0:a1] + row[b1:]
        return _cut(s, (start, end), swapped), f"header cells {a} and {b} swapped: {_short(row)}"
    if kind in ("char_delete", "digit_change"):
        spots = []
        for start, end in m.rows:
            row = s[start:end]
            for t0, t1 in m.texts(row):
                for i in range(start + t0, start + t1):
                    if kind == "char_delete" or s[i].isdigit():
                        spots.append(i)
        if not spots:
            return None
        i = rng.choice(spots)
        if kind == "char_delete":
            return _cut(s, (i, i + 1), ""), f"character {s[i]!r} at {i} removed"
        digit = rng.choice([d for d in "0123456789" if d != s[i]])
        return _cut(s, (i, i + 1), digit), f"digit {s[i]!r} at {i} changed to {digit!r}"
    return None


def damage_bytes(
    data: bytes, kind: str, rng: random.Random, region: tuple[int, int] | None = None
) -> tuple[bytes, str]:
    lo, hi = region or (0, len(data))
    i = rng.randrange(lo, max(lo + 1, hi))
    if kind == "bit_flip":
        bit = 1 << rng.randrange(8)
        return data[:i] + bytes([data[i] ^ bit]) + data[i + 1 :], f"bit {bit:#04x} of byte {i} flipped"
    if kind == "byte_delete":
        return data[:i] + data[i + 1 :], f"byte {i} deleted"
    return data[:i] + data[i : i + 1] + data[i:], f"byte {i} duplicated"


def _short(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:60]


# --- per format -----------------------------------------------------------------------------------


def _table_region(text: str, rows: list[tuple[int, int]]) -> tuple[int, int]:
    return (rows[0][0], rows[-1][1]) if rows else (0, len(text))


def damage_text_like(data: bytes, kind: str, rng: random.Random, fmt: str) -> tuple[bytes, str] | None:
    """HTML and plain text: edit the decoded text and encode it back the same way; bytes in the tables."""
    from parsers.decode import bytes_to_text
    from parsers.html import declared_charset

    decoded = bytes_to_text(data, declared=declared_charset(data) if fmt == "html" else None)
    encoding = decoded.encoding or "utf-8"
    markup = html_markup(decoded.text) if fmt == "html" else text_markup(decoded.text)
    if kind in ("bit_flip", "byte_delete", "byte_duplicate"):
        start, end = _table_region(decoded.text, markup.rows)
        lo = len(decoded.text[:start].encode(encoding, errors="replace"))
        hi = lo + len(decoded.text[start:end].encode(encoding, errors="replace"))
        return damage_bytes(data, kind, rng, (lo, hi))
    done = damage_markup(markup, kind, rng)
    if done is None:
        return None
    return done[0].encode(encoding, errors="replace"), done[1]


def _rezip(data: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, content if info.filename == member else src.read(info.filename))
    return out.getvalue()


def damage_docx(data: bytes, kind: str, rng: random.Random) -> tuple[bytes, str] | None:
    """DOCX: damage word/document.xml and zip it again (a broken container is a parse error, not news)."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    if kind in ("bit_flip", "byte_delete", "byte_duplicate"):
        text = xml.decode("utf-8")
        rows = DOCX_ROWS(text)
        start, end = _table_region(text, rows)
        lo, hi = len(text[:start].encode()), len(text[:end].encode())
        damaged, where = damage_bytes(xml, kind, rng, (lo, hi))
        return _rezip(data, "word/document.xml", damaged), f"document.xml: {where}"
    done = damage_markup(docx_markup(xml.decode("utf-8")), kind, rng)
    if done is None:
        return None
    return _rezip(data, "word/document.xml", done[0].encode("utf-8")), f"document.xml: {done[1]}"


_STREAM_RE = re.compile(rb"<<(?P<dict>(?:(?!>>).)*?)/Length (?P<ref>\d+) 0 R(?P<rest>[^>]*)>>\s*stream\r?\n", re.S)
_TEXT_BLOCK_RE = re.compile(rb"BT\n(?P<x>[\d.]+) (?P<y>[\d.]+) Td (?P<font>/F\d+ [\d.]+ Tf)(?P<show>.*?)\nET", re.S)


def _pdf_pages(data: bytes) -> list[tuple[int, int, int, bytes]]:
    """The FlateDecode streams that show text: (data start, data end, length object number, content)."""
    out = []
    for m in _STREAM_RE.finditer(data):
        end = data.find(b"endstream", m.end())
        try:
            content = zlib.decompress(data[m.end() : end])
        except zlib.error:
            continue
        if b"Tj" in content or b"TJ" in content:
            out.append((m.end(), end, int(m["ref"]), content))
    return out


def _rebuild_pdf(data: bytes, start: int, end: int, length_obj: int, content: bytes) -> bytes:
    """Put a new content stream in, with its length and a fresh cross-reference table."""
    packed = zlib.compress(content)
    trail = b"\n" if data[end - 1 : end] == b"\n" else b""
    data = data[:start] + packed + trail + data[end:]
    data = re.sub(rb"(\n%d 0 obj\s*)\d+" % length_obj, rb"\g<1>%d" % len(packed), data, count=1)
    xref = data.rfind(b"\nxref")
    body = data[: xref + 1]
    offsets = {int(m[1]): m.start(1) for m in re.finditer(rb"(?<=\n)(\d+) 0 obj", body)}
    size = max(offsets) + 1
    table = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
    for n in range(1, size):
        table.append(b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n")
    trailer = data[data.find(b"trailer", xref) : data.find(b"startxref", xref)]
    return body + b"".join(table) + trailer + b"startxref\n%d\n%%%%EOF\n" % len(body)


def damage_pdf(data: bytes, kind: str, rng: random.Random) -> tuple[bytes, str] | None:
    """PDF: damage the text-showing operators of a page's content stream (a row is every text block on one
    baseline; a cell is one block; a character is one glyph code) and write the stream back."""
    pages = _pdf_pages(data)
    if not pages:
        return None
    start, end, length_obj, content = rng.choice(pages)
    blocks = list(_TEXT_BLOCK_RE.finditer(content))
    if not blocks:
        return None
    if kind in ("row_delete", "row_duplicate"):
        y = rng.choice(blocks)["y"]
        line = [b for b in blocks if b["y"] == y]
        if kind == "row_delete":
            new = content
            for b in reversed(line):
                new = new[: b.start()] + new[b.end() :]
        else:  # the row printed again one line lower, over the next row's place
            shifted = b"\n".join(b[0].replace(b" %s Td" % y, b" %.3f Td" % (float(y) - 19.8)) for b in line)
            new = content[: line[-1].end()] + b"\n" + shifted + content[line[-1].end() :]
        return _rebuild_pdf(data, start, end, length_obj, new), f"{kind} of the text line at y={y.decode()}"
    if kind == "header_swap":
        ys = Counter(b["y"] for b in blocks)
        lines = [y for y, n in ys.items() if n >= 3]
        if not lines:
            return None
        y = rng.choice(lines)
        line = [b for b in blocks if b["y"] == y]
        a, b = sorted(rng.sample(range(1, len(line)), 2))
        first, second = line[a], line[b]
        new = (
            content[: first.start("show")]
            + second["show"]
            + content[first.end("show") : second.start("show")]
            + first["show"]
            + content[second.end("show") :]
        )
        return _rebuild_pdf(data, start, end, length_obj, new), f"texts of blocks {a} and {b} swapped on one line"
    if kind in ("char_delete", "digit_change", "bit_flip", "byte_delete", "byte_duplicate"):
        codes = [(m.start(1), m.end(1)) for b in blocks for m in re.finditer(rb"<([0-9A-F]+)>", b[0])]
        glyphs = []
        for b in blocks:
            for m in re.finditer(rb"<([0-9A-F]+)>", b[0]):
                glyphs += [b.start() + m.start(1) + i for i in range(0, m.end(1) - m.start(1), 2)]
        if not codes or not glyphs:
            return None
        i = rng.choice(glyphs)
        if kind == "char_delete":
            new = content[:i] + content[i + 2 :]
        elif kind == "byte_duplicate":
            new = content[:i] + content[i : i + 2] + content[i:]
        elif kind == "byte_delete":
            new = content[:i] + content[i + 1 :] if rng.random() < 0.5 else content[:i] + content[i + 2 :]
        else:  # a glyph code changed: one bit of it, or to a neighbouring code (a digit's neighbour is a digit)
            code = int(content[i : i + 2], 16)
            code = code ^ (1 << rng.randrange(8)) if kind == "bit_flip" else (code + rng.choice((-1, 1))) % 256
            new = content[:i] + b"%02X" % code + content[i + 2 :]
        return _rebuild_pdf(data, start, end, length_obj, new), f"{kind} at glyph offset {i}"
    return None


def damage(data: bytes, fmt: str, kind: str, rng: random.Random) -> tuple[bytes, str] | None:
    if fmt in ("html", "text"):
        return damage_text_like(data, kind, rng, fmt)
    if fmt == "docx":
        return damage_docx(data, kind, rng)
    if fmt == "pdf":
        return damage_pdf(data, kind, rng)
    return None


# --- comparing ------------------------------------------------------------------------------------


def cells_of(report: Report) -> dict[tuple[str, str, str | None], dict]:
    return {(c["table"], c["row"], c["column"]): c for c in report.iter_cell_dicts()}


def warnings_of(report: Report) -> Counter:
    return Counter((w.code, w.table.value if w.table else None, w.row, w.column) for w in report.warnings)


def findings_of(results) -> dict[tuple[str, str | None], tuple]:
    return {
        (r.check.key, r.scope): (r.outcome.value, r.left_value, r.right_value)
        for r in results
        if r.outcome.value in ("FAIL", "UNCERTAIN")
    }


@dataclass
class Outcome:
    document: str
    kind: str
    where: str
    outcome: str  # error, crash, same, flagged, silent, undetectable
    detail: str = ""
    differences: list[str] = field(default_factory=list)


def judge(original: Report, damaged: Report, original_checks: dict, damaged_checks: dict) -> tuple[str, list[str], str]:
    """same, flagged, silent or undetectable; the differences; what flagged them."""
    before, after = cells_of(original), cells_of(damaged)

    def value(cells: dict, key: tuple) -> object:
        return (cells.get(key) or {}).get("value")

    keys = before.keys() | after.keys()
    changed = sorted((k for k in keys if value(before, k) != value(after, k) or (k in before) != (k in after)), key=str)
    new_warnings = warnings_of(damaged) - warnings_of(original)
    if not changed:
        return "same", [], ", ".join(sorted({code for code, *_ in new_warnings}))
    changed_checks = {
        check
        for key in original_checks.keys() | damaged_checks.keys()
        if original_checks.get(key) != damaged_checks.get(key)
        for check in (key[0],)
    }
    differences, unexplained = [], []
    for key in changed:
        table = key[0]
        b, a = before.get(key), after.get(key)
        differences.append(f"{'.'.join(str(p) for p in key if p)}: {b and b['raw']!r} -> {a and a['raw']!r}")
        warned = any(t == table or (t is None and code in DOCUMENT_DAMAGE_CODES) for code, t, _, _ in new_warnings)
        checked = bool(changed_checks & CHECKS_OF_TABLE[table])
        if not (warned or checked):
            unexplained.append(key)
    if not unexplained:
        how = sorted({code for code, *_ in new_warnings}) + sorted(changed_checks)
        return "flagged", differences, ", ".join(how)
    if len(changed) == 1 and changed[0][0] == Table.PROACTIVE.value:
        a = after.get(changed[0])
        if a is not None and a["kind"] == "number":
            return "undetectable", differences, "a part 二 number replaced by another well-formed number"
    return "silent", differences, ""


def run(formats: set[str], per_kind: int, seed: int, kinds: tuple[str, ...] = KINDS) -> list[Outcome]:
    from expectations.run import check_reports

    paths = sorted(p for p in (FIXTURES / "documents").iterdir() if p.is_file())
    for folder in ("seeds", "flat"):  # text: with its line structure, and without (one line, run together)
        paths += sorted(p for p in (FIXTURES / folder).glob("*.txt") if not p.name.startswith("004"))
    outcomes: list[Outcome] = []
    for path in paths:
        data = path.read_bytes()
        fmt = sniff_format(data)
        if fmt not in formats:
            continue
        try:
            original = parse_bytes(data, source=path.name)
        except ParseError:
            continue  # a fixture that is no report itself (a page pointing to its attachment): nothing to damage
        rng = random.Random(f"{seed}:{path.name}")
        variants: list[tuple[str, str, Report]] = []
        for kind in kinds:
            for _ in range(per_kind):
                done = damage(data, fmt, kind, rng)
                if done is None:
                    continue
                damaged, where = done
                try:
                    report = parse_bytes(damaged, source=f"{path.name} ({kind})", time_limit=30)
                except ParseError as exc:
                    outcomes.append(Outcome(path.name, kind, where, "error", f"{exc.code}: {exc}"))
                    continue
                except Exception as exc:
                    outcomes.append(Outcome(path.name, kind, where, "crash", f"{type(exc).__name__}: {exc}"))
                    continue
                variants.append((kind, where, report))
        batch = [(Path(f"/corrupt/{path.name}/original"), original)]
        batch += [(Path(f"/corrupt/{path.name}/{n}"), r) for n, (_, _, r) in enumerate(variants)]
        checked = check_reports(batch)
        original_checks = findings_of(checked[0].results)
        for (kind, where, report), item in zip(variants, checked[1:], strict=True):
            verdict, differences, how = judge(original, report, original_checks, findings_of(item.results))
            outcomes.append(Outcome(path.name, kind, where, verdict, how, differences))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=3, help="damages of each kind per document")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="html,text,docx,pdf")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--show", default="silent,crash", help="outcomes to list one by one")
    parser.add_argument("--json", action="store_true", help="every outcome as a JSON line")
    args = parser.parse_args(argv)
    outcomes = run(set(args.formats.split(",")), args.per_kind, args.seed, tuple(args.kinds.split(",")))
    show = set(args.show.split(","))
    for o in outcomes:
        if args.json:
            print(json.dumps(o.__dict__, ensure_ascii=False))
        elif o.outcome in show:
            print(f"{o.outcome}: {o.document} {o.kind} ({o.where}) {o.detail} {'; '.join(o.differences[:4])}")
    table = Counter((o.kind, o.outcome) for o in outcomes)
    names = ("error", "crash", "same", "flagged", "undetectable", "silent")
    print(f"{'damage':16}" + "".join(f"{n:>14}" for n in names), file=sys.stderr)
    for kind in dict.fromkeys(o.kind for o in outcomes):
        print(f"{kind:16}" + "".join(f"{table[(kind, n)]:>14}" for n in names), file=sys.stderr)
    totals = Counter(o.outcome for o in outcomes)
    print(f"{'all':16}" + "".join(f"{totals[n]:>14}" for n in names), file=sys.stderr)
    return 1 if totals["silent"] or totals["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())

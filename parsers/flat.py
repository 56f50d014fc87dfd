"""Text that lost its structure: parts, table rows and cells found by content, not line breaks.

A portal page saved as plain text, a browser copy-paste, an archive crawler's
rendering or a PDF text layer without line breaks puts the whole body on one
or a few very long lines: parts 一 to 六 separated only by spaces, table cells
separated by single spaces (``新收 20 0 0 0 0 1 21``) or by nothing at all
(``本年新收政府信息公开申请数量21710000218``).

:func:`is_flat` tells such text from the tab layouts :mod:`parsers.text`
reads line by line; :func:`flat_to_blocks` rebuilds what the matcher expects:

1. the part headings (一、总体情况 …) are found inside the lines by their
   numeral and title (table labels such as 一、本年新收 are not headings);
2. in parts 二, 三 and 四 the table starts at its first label (第二十条,
   申请人情况/本年新收, 行政复议…行政诉讼) and ends at the last number before the
   narrative resumes (a sentence ending in 。);
3. the table text is cut into label and number pieces; a row is a label
   followed by numbers (a new row also starts at a row label's own numbering:
   一、, (三), 2., or a part 二 item);
4. a row with fewer numbers than the form has cells was run together: it is
   cut by :mod:`parsers.splits`, and every cell so recovered carries a note
   saying how (``inferred``), or stays null with the candidates
   (``unreadable``).

Line numbers are the original ones (every piece keeps the line it came from).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from parsers.form import (
    AMOUNT_METRICS,
    BALANCE_NOTE,
    CHINESE_NUMERALS,
    OTHER_ROWS_2021,
    PROACTIVE_HEADER,
    PROACTIVE_ITEMS,
    PROACTIVE_METRICS,
    REQUEST_COLUMN_KEYS,
    REQUEST_COLUMNS,
    REQUEST_HEADER,
    REQUEST_ROW_BY_KEY,
    REQUEST_ROW_REFERENCE,
    REQUEST_ROWS,
    RESULT_GROUP_LABEL,
    REVIEW_GROUPS,
    REVIEW_KEYS,
    SECTIONS,
    SIGNED_METRICS,
    TABLE_STRONG_HINTS,
    ZERO_MARKS,
    FormVersion,
    Table,
    nfkc,
    norm,
)
from parsers.grid import Block, GridCell, Paragraph, TableBlock
from parsers.meta import is_title_text
from parsers.splits import (
    AMOUNT_RE,
    COUNT_RE,
    SIGNED_RE,
    Sums,
    consistent_rows,
    lost_cell_placements,
    split_runs,
)
from parsers.values import text_to_value

#: A line this long holding two part headings, or two part 三 rows with their numbers, is flat.
_ROW_SIGNATURES = sorted({s for row in REQUEST_ROWS for s in row.signatures if len(s) >= 3}, key=len, reverse=True)
_FLAT_ROW_RE = re.compile("(" + "|".join(map(re.escape, _ROW_SIGNATURES)) + r")[^\t\d。]{0,40}?\d")
_TITLES = {s.number: s.title for s in SECTIONS}
_HEADING_RE = re.compile(rf"(?<![（(十])([{CHINESE_NUMERALS[:6]}])\s*、\s*")
#: Table labels that look like headings: part 三's own rows 一、 … 四、.
_NOT_HEADING = (
    *(s for key in REQUEST_ROW_REFERENCE for s in REQUEST_ROW_BY_KEY[key].signatures if len(s) >= 3),
    RESULT_GROUP_LABEL.split("、", 1)[1],
    norm(BALANCE_NOTE)[:4],
)
_TITLE_END_RE = re.compile(r"^[^。，,；;：:\d]{0,34}?(?:情况|事项|打算|问题)")
_VALUE_RE = re.compile(r"(?:增加|减少|新增|[增减+\-])?\d+(?:\.\d+)?(?:万元)?")
_NUMBERING_AFTER_RE = re.compile(r"^\s?[.．、]\s?\D")
_REQUEST_ROW_START_RE = re.compile(r"[一二三四]、|[（(][一二三四五六七][)）]|\d[.．、](?=\D)")
_DIGIT_FOLD = str.maketrans("０１２３４５６７８９＋－．", "0123456789+-.")

_REVIEW, _SUIT = REVIEW_GROUPS[0][1], REVIEW_GROUPS[1][1].split()[0]  # 行政复议, 行政诉讼
_TABLE_START = {
    2: TABLE_STRONG_HINTS[Table.PROACTIVE],
    3: (norm(BALANCE_NOTE)[:4], REQUEST_HEADER, *REQUEST_ROWS[0].signatures),
    4: (_REVIEW,),
}
_ONLY_2021_METRICS = tuple(s for m in PROACTIVE_METRICS if FormVersion.V2019 not in m.versions for s in m.signatures)


def is_flat(text: str) -> bool:
    """Whether the text lost its line structure (rather than being one of the tab layouts).

    Flat: a long line holding two part headings or two part 三 rows with their numbers, or starting with
    the title and going on into part 一; or a text
    with no tab at all that prints part 三's header and two of its rows followed by numbers.
    """
    for line in text.splitlines():
        if "\t" in line or len(line) < 200:
            continue
        folded = nfkc(line)
        if len({m.group(1) for m in _FLAT_ROW_RE.finditer(folded)}) >= 2 or len(_headings(line)) >= 2:
            return True
        chrome, title, rest = _split_title(line)
        if title and not chrome and len(rest) >= 100 and _headings(rest):  # a title, then the body, one line
            return True
    if "\t" in text or not any(h in text for h in (REQUEST_HEADER, *REQUEST_COLUMNS[1].signatures)):
        return False
    return len({m.group(1) for m in _FLAT_ROW_RE.finditer(nfkc(text))}) >= 2


@dataclass
class _Text:
    """The document as one string (lines joined by a space), remembering each character's line."""

    text: str
    starts: list[int]

    @classmethod
    def of(cls, lines: list[str]) -> _Text:
        parts: list[str] = []
        starts: list[int] = []
        pos = 0
        for line in lines:
            starts.append(pos)
            clean = re.sub(r"[\t\u3000\xa0]", " ", line.rstrip("\r"))
            parts.append(clean)
            pos += len(clean) + 1
        return cls(" ".join(parts), starts)

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)


def _heading_title(text: str, start: int, number: int) -> int | None:
    """End of a heading's title beginning at ``start``, or None when it is no heading."""
    rest = text[start : start + 60]
    if any(rest.lstrip().startswith(w) for w in _NOT_HEADING):
        return None
    known = _TITLES[number]
    for title in (known, "政府信息公开" + known):
        if rest.startswith(title):
            return start + len(title)
    space = rest.find(" ")
    if 2 <= space <= 40 and not re.search(r"[。，,；;]", rest[:space]):
        return start + space
    m = _TITLE_END_RE.match(rest)
    return start + m.end() if m else None


def _headings(text: str) -> list[tuple[int, int, int, str]]:
    """``(start, end, number, heading text)`` of the part headings, numbers increasing."""
    found: list[tuple[int, int, int, str]] = []
    last = 0
    for m in _HEADING_RE.finditer(text):
        number = CHINESE_NUMERALS.index(m.group(1)) + 1
        if number <= last or number > last + 2:
            continue
        end = _heading_title(text, m.end(), number)
        if end is None:
            continue
        found.append((m.start(), end, number, text[m.start() : end].strip()))
        last = number
    return found


# --- pieces -------------------------------------------------------------------


@dataclass
class _Piece:
    kind: str  # "L" label text, "V" a printed number (or several run together)
    text: str
    pos: int
    sep_before: bool  # whitespace before it in the source


_MARKS = "—–―─/／\\-"
_MARK_RE = re.compile(r"——|[—–―─/／\\\-]|无")


def _valueish(word: str, i: int) -> bool:
    """Position ``i`` of ``word`` is a digit, a zero mark, or outside the word (a separator)."""
    return i < 0 or i >= len(word) or word[i].isdigit() or word[i] in _MARKS or word[i] == "无"


def _label_or_marks(out: list[_Piece], word: str, a: int, b: int, base: int, first: bool) -> bool:
    """Append ``word[a:b]`` as label text, except zero marks printed among numbers (``3—/无0``): each is a cell.
    A dash or slash counts when a number, a mark or a separator is on one side (``增/减`` is a label); 无 when
    on both (``无法提供`` is a label). Returns whether the next piece is still the first of its word."""
    cursor = a
    for m in _MARK_RE.finditer(word, a, b):
        i, j = m.start(), m.end()
        left, right = _valueish(word, i - 1), _valueish(word, j)
        if not ((left and right) if m.group(0) == "无" else (left or right)):
            continue
        if i > cursor:
            out.append(_Piece("L", word[cursor:i], base + cursor, first))
            first = False
        out.append(_Piece("V", m.group(0), base + i, first))
        first = False
        cursor = j
    if b > cursor:
        out.append(_Piece("L", word[cursor:b], base + cursor, first))
        first = False
    return first


def _pieces(text: str, offset: int) -> list[_Piece]:
    """Cut table text into label and number pieces (a number piece may hold several cells run together)."""
    out: list[_Piece] = []
    for token in re.finditer(r"\S+", text):
        word = token.group(0).translate(_DIGIT_FOLD)
        base = offset + token.start()
        if word in ZERO_MARKS:
            out.append(_Piece("V", word, base, True))
            continue
        cursor = 0
        first = True
        for m in _VALUE_RE.finditer(word):
            start, end = m.start(), m.end()
            digits = m.group(0)
            if _NUMBERING_AFTER_RE.match(word[end:] + "x") and digits.isdigit():
                # "…00000002.其他…": the last digit numbers the next row's label
                end -= 1
                digits = digits[:-1]
            if not digits:
                continue
            first = _label_or_marks(out, word, cursor, start, base, first)
            out.append(_Piece("V", digits, base + start, first))
            first = False
            cursor = end
        if cursor < len(word):
            _label_or_marks(out, word, cursor, len(word), base, first)
    for i, piece in enumerate(out):  # "无" before a label is the label's first word, not a zero
        word_mark = piece.kind == "V" and not re.search(r"[\d\-—–―─/／\\]", piece.text)
        if word_mark and i + 1 < len(out) and out[i + 1].kind == "L":
            piece.kind = "L"
    return out


@dataclass
class _Row:
    label: str
    label_pos: int
    values: list[_Piece]


def _rows(pieces: list[_Piece], starts: re.Pattern[str] | None) -> list[_Row]:
    """Rows: label pieces, then number pieces; a label after a number, or at a row start, opens a row."""
    rows: list[_Row] = []
    current: _Row | None = None
    for piece in pieces:
        if piece.kind == "V":
            if current is None:
                current = _Row("", piece.pos, [])
                rows.append(current)
            current.values.append(piece)
            continue
        chunks = [piece.text]
        offsets = [0]
        if starts is not None:
            cuts = sorted({m.start() for m in starts.finditer(piece.text)} - {0})
            bounds = [0, *cuts, len(piece.text)]
            chunks = [piece.text[a:b] for a, b in itertools.pairwise(bounds)]
            offsets = bounds[:-1]
        for n, (chunk, off) in enumerate(zip(chunks, offsets, strict=True)):
            opens = (
                current is None
                or bool(current.values)
                or n > 0
                or (starts is not None and starts.match(chunk) is not None and bool(current.label))
            )
            if opens:
                current = _Row(chunk, piece.pos + off, [])
                rows.append(current)
            else:
                assert current is not None
                current.label += (" " if piece.sep_before else "") + chunk
    return rows


# --- the three tables ---------------------------------------------------------


def _signature_key(label: str, labels) -> str | None:
    text = norm(label)
    best, length = None, 0
    for lab in labels:
        n = max((len(s) for s in lab.signatures if s in text), default=0)
        if n > length:
            best, length = lab.key, n
    return best


def _runs(values: list[_Piece]) -> list[str]:
    """The printed value strings to cut; a zero mark ("—", "/") is one cell, 0."""
    return ["0" if p.text in ZERO_MARKS else p.text for p in values]


def _int(text: str) -> int | None:
    value, _ = text_to_value(text)
    return value if isinstance(value, int) else None


def _cuts_text(cut: tuple[str, ...]) -> str:
    return "|".join(cut)


def _split_cells(
    runs: list[_Piece], width: int, cuts: list[tuple[str, ...]] | None, how: str, line: int
) -> list[tuple[str, str | None, bool]]:
    """Cell texts for a split row: ``(text, note, unreadable)`` per cell."""
    printed = " ".join(p.text for p in runs)
    if not cuts:
        why = "too many ways to cut it" if cuts is None else "no cut fits the form"
        note = f"{width} cells run together; {why}: not read"
        return [(printed, note, True)] * width
    if len(cuts) == 1:
        note = f'cut from "{printed}" (line {line}) as {_cuts_text(cuts[0])}: {how}'
        return [(cell, note, False) for cell in cuts[0]]
    shown = "; ".join(_cuts_text(c) for c in cuts[:5]) + ("; …" if len(cuts) > 5 else "")
    out = []
    for i in range(width):
        values = {c[i] for c in cuts}
        if len(values) == 1:
            note = (
                f'cut from "{printed}" (line {line}): {len(cuts)} cuts fit ({shown}); all give this cell {cuts[0][i]}'
            )
            out.append((cuts[0][i], note, False))
        else:
            note = f"{len(cuts)} cuts fit the form ({shown}): not guessed"
            out.append((printed, note, True))
    return out


_ROW_SUM = "the only cut into seven cells without leading zeros where 总计 = the sum of the six applicant columns"
_TABLE_SUM = (
    "several cuts fit the row; the only one that keeps the table's identities "
    "(一 + 二 = (七)总计 + 四, (七)总计 = the sum of the outcome rows)"
)


def _request_cells(rows: list[_Row], doc: _Text) -> list[list[tuple[str, str | None, bool, int]]]:
    """Part 三 value cells per row: printed pieces, or cuts of run-together rows solved with the identities."""
    width = len(REQUEST_COLUMN_KEYS)
    patterns = [COUNT_RE] * width
    sums = [Sums(0, width - 1)]
    keys = [_signature_key(r.label, REQUEST_ROWS) if r.values else None for r in rows]
    seen = [k for k in keys if k]
    unique_keys = {k for k in seen if seen.count(k) == 1}
    version = FormVersion.V2021 if unique_keys & set(OTHER_ROWS_2021) else FormVersion.V2019
    fixed: dict[str, tuple[int | None, ...]] = {}
    options: dict[str, list[tuple[int, ...]]] = {}
    cuts_of: dict[int, list[tuple[str, ...]] | None] = {}
    lost_of: dict[int, list[tuple[int, ...]]] = {}
    for i, (row, key) in enumerate(zip(rows, keys, strict=True)):
        if not row.values:
            continue
        if len(row.values) >= width:
            if key in unique_keys and len(row.values) == width:
                fixed[key] = tuple(_int(p.text) for p in row.values)
            continue
        cuts = split_runs(_runs(row.values), patterns, sums)
        runs = _runs(row.values)
        if cuts and len(runs) == width - 1 and all(r.isdigit() for r in runs):
            # printed apart, one short: a cell lost is as likely as two run together; both stay candidates
            lost = [tuple(map(str, p)) for p in lost_cell_placements([int(r) for r in runs], width)]
            cuts = [*cuts, *(p for p in lost if p not in cuts)]
        shorter = split_runs(runs, patterns[:-1]) if cuts == [] else None
        if shorter is not None and len(shorter) == 1:  # one cell fewer than the form: a cell was lost
            lost = lost_cell_placements([int(v) for v in shorter[0]], width)
            if lost:
                lost_of[i] = lost
                if key in unique_keys:
                    options[key] = lost
                continue
        cuts_of[i] = cuts
        if key in unique_keys and cuts is not None:
            options[key] = [tuple(int(c) for c in cut) for cut in cuts]
    solved = consistent_rows(fixed, options, version) if options else None
    out: list[list[tuple[str, str | None, bool, int]]] = []
    for i, row in enumerate(rows):
        line = doc.line(row.values[0].pos) if row.values else doc.line(row.label_pos)
        if i in lost_of:
            placements = lost_of[i]
            which = "every placement of the gap"
            if solved is not None and keys[i] in solved and solved[keys[i]] and solved[keys[i]] != placements:
                placements = solved[keys[i]]
                which = "every placement of the gap that keeps the table's identities"
            shown = "; ".join("|".join(map(str, p)) for p in placements[:5])
            printed = " ".join(p.text for p in row.values)
            cells = []
            for c in range(width):
                vals = {p[c] for p in placements}
                if len(vals) == 1:
                    note = (
                        f'"{printed}" (line {line}): one of {width} cells lost in the text; {which} '
                        f"({shown}) gives this cell {placements[0][c]}"
                    )
                    cells.append((str(placements[0][c]), note, False, line))
                else:
                    note = f"one of {width} cells lost in the text; which one is unknown ({shown}): not guessed"
                    cells.append((printed, note, True, line))
            out.append(cells)
            continue
        if i not in cuts_of:
            out.append([(p.text, None, False, doc.line(p.pos)) for p in row.values])
            continue
        cuts = cuts_of[i]
        how = _ROW_SUM
        if cuts and len(cuts) > 1 and solved is not None and keys[i] in solved and solved[keys[i]]:
            kept = {tuple(str(v) for v in cut) for cut in solved[keys[i]]}
            narrowed = [c for c in cuts if c in kept]
            if narrowed and len(narrowed) < len(cuts):
                cuts, how = narrowed, _TABLE_SUM
        out.append([(t, n, u, line) for t, n, u in _split_cells(row.values, width, cuts, how, line)])
    return out


def _review_cells(values: list[_Piece], doc: _Text) -> list[tuple[str, str | None, bool, int]]:
    width = len(REVIEW_KEYS)
    if len(values) >= width:
        return [(p.text, None, False, doc.line(p.pos)) for p in values]
    sums = [Sums(g * 5, g * 5 + 4) for g in range(3)]
    cuts = split_runs(_runs(values), [COUNT_RE] * width, sums)
    how = "the only cut into fifteen cells without leading zeros where each 总计 = the sum of its four results"
    line = doc.line(values[0].pos)
    return [(t, n, u, line) for t, n, u in _split_cells(values, width, cuts, how, line)]


def _metric_pattern(metric: str) -> re.Pattern[str]:
    if metric in SIGNED_METRICS:
        return SIGNED_RE
    if metric in AMOUNT_METRICS:
        return AMOUNT_RE
    return COUNT_RE


def _proactive_rows(rows: list[_Row], region: str, doc: _Text) -> list[list[GridCell]]:
    version = FormVersion.V2021 if any(s in norm(region) for s in _ONLY_2021_METRICS) else None
    if version is None:
        version = FormVersion.V2019
    out: list[list[GridCell]] = []
    for r, row in enumerate(rows):
        label_line = doc.line(row.label_pos)
        cells = [GridCell(text=row.label, row=r, col=0, line=label_line)]
        item_key = _signature_key(row.label, PROACTIVE_ITEMS) if row.values else None
        if not row.values:
            text = norm(row.label)
            found = sorted(
                (min(text.find(s) for s in m.signatures if s in text), m.label)
                for m in PROACTIVE_METRICS
                if any(s in text for s in m.signatures)
            )
            if found and PROACTIVE_HEADER in text:
                cells = [GridCell(text=PROACTIVE_HEADER, row=r, col=0, line=label_line)]
                cells += [GridCell(text=lab, row=r, col=n + 1, line=label_line) for n, (_, lab) in enumerate(found)]
            out.append(cells)
            continue
        item = next((i for i in PROACTIVE_ITEMS if i.key == item_key), None)
        metrics = (item.metrics.get(version) or next(iter(item.metrics.values()))) if item else ()
        if item is None or len(row.values) >= len(metrics):
            cells += [GridCell(text=p.text, row=r, col=n + 1, line=doc.line(p.pos)) for n, p in enumerate(row.values)]
        else:
            cuts = split_runs(_runs(row.values), [_metric_pattern(m) for m in metrics])
            how = f"the only cut into the {len(metrics)} cells of {item.label} that reads as numbers"
            line = doc.line(row.values[0].pos)
            for n, (t, note, bad) in enumerate(_split_cells(row.values, len(metrics), cuts, how, line)):
                cells.append(GridCell(text=t, row=r, col=n + 1, line=line, note=note, unreadable=bad))
        out.append(cells)
    return out


# --- the document -------------------------------------------------------------


def _table_start(body: str, number: int) -> int | None:
    hits = [body.find(m) for m in _TABLE_START[number] if m in body]
    if number == 4:
        hits = [m.start() for m in re.finditer(_REVIEW, body) if _SUIT in body[m.end() : m.end() + 40]][:1]
    if not hits:
        return None
    start = min(hits)
    while start > 0 and body[start - 1] in "(（":
        start -= 1
    return start


def _table_end(pieces: list[_Piece]) -> int:
    """Number of pieces that belong to the table: up to the last number before a sentence resumes."""
    last_value = -1
    for i, piece in enumerate(pieces):
        if piece.kind == "V":
            last_value = i
        elif "。" in piece.text and last_value >= 0:
            break
    return last_value + 1


def _split_title(text: str) -> tuple[str, str, str]:
    """What precedes the title (portal chrome), the title, and the rest (the preamble)."""
    for m in re.finditer("报告", text[:400]):
        end = m.end()
        begin = max(0, end - 80)
        for stop in ("。", ">", "：", ":", "|"):
            k = text.rfind(stop, begin, end)
            if k >= 0:
                begin = k + 1
        candidate = text[begin:end].strip()
        if candidate and len(re.sub(r"\s", "", candidate)) <= 80 and is_title_text(candidate):
            return text[:begin].strip(), re.sub(r"\s+", " ", candidate), text[end:].strip()
    return "", "", text.strip()


def _paragraph(text: str, pos: int, doc: _Text) -> Paragraph | None:
    stripped = text.strip()
    if not stripped:
        return None
    return Paragraph(text=stripped, line=doc.line(pos + len(text) - len(text.lstrip())))


def flat_to_blocks(lines: list[str]) -> list[Block]:
    """Paragraphs and tables rebuilt from text whose structure is in its content only."""
    doc = _Text.of(lines)
    text = doc.text
    headings = _headings(text)
    blocks: list[Block] = []
    head_end = headings[0][0] if headings else len(text)
    chrome, title, _ = _split_title(text[:head_end])
    title_end = 0
    if title:
        title_at = text.find(title.split(" ")[0])
        title_end = text.find("报告", title_at) + 2
        if chrome:
            blocks.append(Paragraph(text=chrome, line=1))
        blocks.append(Paragraph(text=title, line=doc.line(title_at)))
    if headings:
        if (p := _paragraph(text[title_end:head_end], title_end, doc)) is not None:
            blocks.append(p)
        spans = headings
    else:  # no part headings at all: look for the tables anywhere after the title
        spans = [(title_end, title_end, 0, "")]
    n_tables = 0
    for n, (start, end, number, heading) in enumerate(spans):
        stop = spans[n + 1][0] if n + 1 < len(spans) else len(text)
        if heading:
            blocks.append(Paragraph(text=heading, line=doc.line(start)))
        body = text[end:stop]
        parts = (number,) if number in _TABLE_START else ((2, 3, 4) if number == 0 else ())
        cursor = 0
        for part in parts:
            at = _table_start(body[cursor:], part)
            if at is None:
                continue
            at += cursor
            pieces = _pieces(body[at:], end + at)
            pieces = pieces[: _table_end(pieces)]
            if not pieces:
                continue
            if (p := _paragraph(body[cursor:at], end + cursor, doc)) is not None:
                blocks.append(p)
            table_stop = pieces[-1].pos + len(pieces[-1].text) - end
            blocks.append(_table(part, pieces, body[at:table_stop], doc, n_tables))
            n_tables += 1
            cursor = table_stop
        if (p := _paragraph(body[cursor:], end + cursor, doc)) is not None:
            blocks.append(p)
    return blocks


def _table(part: int, pieces: list[_Piece], region: str, doc: _Text, index: int) -> TableBlock:
    table = TableBlock(index=index)
    if part == 2:
        starts = re.compile(
            "|".join(re.escape(s) for item in PROACTIVE_ITEMS for s in item.signatures) + "|第二十条|信息内容"
        )
        table.rows = _proactive_rows(_rows(pieces, starts), region, doc)
    elif part == 3:
        rows = _rows(pieces, _REQUEST_ROW_START_RE)
        for r, (row, cells) in enumerate(zip(rows, _request_cells(rows, doc), strict=True)):
            grid = [GridCell(text=row.label, row=r, col=0, line=doc.line(row.label_pos))]
            grid += [
                GridCell(text=t, row=r, col=c + 1, line=line, note=note, unreadable=bad)
                for c, (t, note, bad, line) in enumerate(cells)
            ]
            table.rows.append(grid)
    else:
        last_label = max((i for i, p in enumerate(pieces) if p.kind == "L"), default=-1)
        label = " ".join(p.text for p in pieces[: last_label + 1] if p.kind == "L")
        values = [p for p in pieces[last_label + 1 :] if p.kind == "V"]
        row = [GridCell(text=label, row=0, col=0, line=doc.line(pieces[0].pos))]
        if values:
            row += [
                GridCell(text=t, row=0, col=c + 1, line=line, note=note, unreadable=bad)
                for c, (t, note, bad, line) in enumerate(_review_cells(values, doc))
            ]
        table.rows.append(row)
    return table

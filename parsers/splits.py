"""Cells run together with no separator: the splits the form allows.

A text rendering that dropped the separators prints part 三's row
``217 1 0 0 0 0 218`` as ``21710000218``. Which cut is right is decided only by
the form, never guessed:

* a row has a fixed number of cells (seven in part 三, fifteen in part 四, one
  per metric in part 二), every printed character belongs to exactly one cell,
  and a printed number has no leading zero (``05`` is not a count);
* within a row, 总计 is the sum of the six applicant columns (part 三) and each
  review group's 总计 the sum of its four outcomes (part 四);
* across part 三's rows, per column: 一 + 二 = 三(七)总计 + 四, and (七)总计 =
  the sum of the outcome rows (FORM.md, ``request_balance``, ``outcome_sum``).

:func:`split_runs` lists every cut of one row that the row allows;
:func:`consistent_rows` keeps, across rows, the cuts that some assignment
satisfying the table's identities uses. A caller marks a cell ``inferred``
when every remaining cut gives it the same value, and ``unreadable`` (with the
candidates) otherwise. When the table itself breaks an identity, no assignment
satisfies it and only the row-level cuts count: rows with several cuts stay
unreadable rather than forced.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from parsers.form import REQUEST_ROW_KEYS, FormVersion, outcome_row_keys

#: A count as printed: no leading zero, at most this many digits (totals of a year's requests).
MAX_DIGITS = 7
COUNT_RE = re.compile(rf"0|[1-9]\d{{0,{MAX_DIGITS - 1}}}")
SIGNED_RE = re.compile(rf"(?:[+\-]|增加?|减少?|新增)?(?:0|[1-9]\d{{0,{MAX_DIGITS - 1}}})")
AMOUNT_RE = re.compile(r"(?:0|[1-9]\d{0,9})(?:\.\d{1,6})?(?:万元|元)?")

#: Give up enumerating beyond this many cuts of one row (the cells stay unreadable).
MAX_SPLITS = 2000
#: Give up combining rows beyond this many assignments (rows keep their row-level cuts).
MAX_COMBINATIONS = 20_000


@dataclass(frozen=True)
class Sums:
    """Cell ``last`` equals the sum of the cells ``first`` … ``last - 1`` (indices into the row)."""

    first: int
    last: int


def split_runs(
    runs: Sequence[str],
    patterns: Sequence[re.Pattern[str]],
    sums: Sequence[Sums] = (),
    limit: int = MAX_SPLITS,
) -> list[tuple[str, ...]] | None:
    """Every way to cut ``runs`` (printed value strings, each a whole number of cells) into
    ``len(patterns)`` cells, cell *i* matching ``patterns[i]`` and every :class:`Sums` holding.

    Returns the cuts as tuples of cell texts, or None when there are more than ``limit``.
    """
    width = len(patterns)
    text = "".join(runs)
    ends = set(itertools.accumulate(len(r) for r in runs))
    if list(sums) == [Sums(0, width - 1)] and all(p is COUNT_RE for p in patterns):
        return _split_total_last(text, ends, width, limit)
    sum_at = {s.last: s for s in sums}
    out: list[tuple[str, ...]] = []
    cells: list[str] = []

    def value(cell: str) -> int | None:
        digits = re.sub(r"\D", "", cell)
        return int(digits) if digits and cell.isdigit() else None

    def walk(pos: int) -> bool:
        i = len(cells)
        if i == width:
            if pos == len(text):
                out.append(tuple(cells))
                return len(out) <= limit
            return True
        left = len(text) - pos
        if left < width - i:
            return True
        candidates: list[str]
        if i in sum_at:
            parts = [value(c) for c in cells[sum_at[i].first : i]]
            if any(p is None for p in parts):
                return True
            candidates = [str(sum(parts))]  # type: ignore[arg-type]
        else:
            candidates = []
            for n in range(1, left - (width - i - 1) + 1):
                piece = text[pos : pos + n]
                if any(pos < e < pos + n for e in ends):
                    break  # a cell never spans a separator that was printed
                candidates.append(piece)
        for piece in candidates:
            end = pos + len(piece)
            if text[pos:end] != piece or any(pos < e < end for e in ends):
                continue
            if not patterns[i].fullmatch(piece):
                continue
            cells.append(piece)
            ok = walk(end)
            cells.pop()
            if not ok:
                return False
        return True

    if not walk(0):
        return None
    return out


def _split_total_last(text: str, ends: set[int], width: int, limit: int) -> list[tuple[str, ...]] | None:
    """The cuts of a row whose last cell is the sum of all the others (part 三): the total is a suffix of
    the text, so each possible total bounds the cells before it (fast where plain enumeration is not)."""
    out: list[tuple[str, ...]] = []
    for size in range(1, min(MAX_DIGITS, len(text) - width + 1) + 1):
        start = len(text) - size
        total_text = text[start:]
        if any(start < e < len(text) for e in ends) or not COUNT_RE.fullmatch(total_text):
            continue
        cut = _Cut(text, ends, width - 1, start, int(total_text), size)
        if not cut.walk(0, 0, []):
            return None
        out += [(*cells, total_text) for cells in cut.found]
        if len(out) > limit:
            return None
    return out


@dataclass
class _Cut:
    """Cut ``text[:stop]`` into ``cells`` counts of at most ``size`` digits that sum to ``total``."""

    text: str
    ends: set[int]
    cells: int
    stop: int
    total: int
    size: int
    found: list[tuple[str, ...]] = field(default_factory=list)

    def walk(self, pos: int, partial: int, cells: list[str]) -> bool:
        left_cells = self.cells - len(cells)
        if left_cells == 0:
            if pos == self.stop and partial == self.total:
                self.found.append(tuple(cells))
                return len(self.found) <= MAX_SPLITS
            return True
        left = self.stop - pos
        if left < left_cells or left > left_cells * self.size:
            return True
        for n in range(1, min(self.size, left - left_cells + 1) + 1):
            end = pos + n
            if any(pos < e < end for e in self.ends):
                break
            piece = self.text[pos:end]
            if not COUNT_RE.fullmatch(piece):
                continue
            value = int(piece)
            if partial + value > self.total:
                break  # longer pieces are larger still
            if not self.walk(end, partial + value, [*cells, piece]):
                return False
        return True


def lost_cell_placements(values: Sequence[int], width: int) -> list[tuple[int, ...]]:
    """A row printed with one cell fewer than ``width`` (a cell lost, not run together): every
    placement of the gap, the lost cell recovered from 总计 = the sum of the others (last cell)."""
    if len(values) != width - 1:
        return []
    out: list[tuple[int, ...]] = []
    for gap in range(width):
        row = [*list(values[:gap]), 0, *list(values[gap:])]
        if gap == width - 1:
            row[gap] = sum(row[:-1])
        else:
            row[gap] = row[-1] - sum(v for j, v in enumerate(row[:-1]) if j != gap)
        if row[gap] >= 0 and row not in ([list(o) for o in out]):
            out.append(tuple(row))
    return out


def consistent_rows(
    fixed: dict[str, tuple[int | None, ...]],
    options: dict[str, list[tuple[int, ...]]],
    version: FormVersion,
) -> dict[str, list[tuple[int, ...]]] | None:
    """Part 三: the cuts of each ambiguous row that some assignment keeping the table's identities uses.

    ``fixed`` holds rows read as printed, ``options`` the candidate cuts of split rows (row key ->
    list of 7-tuples). Returns None when no assignment keeps them (the table breaks an identity),
    when a row the identities need is missing, or when there are too many assignments to try.
    """
    outcomes = outcome_row_keys(version)
    new, carried = REQUEST_ROW_KEYS[:2]  # 一、本年新收, 二、上年结转
    processed, forward = REQUEST_ROW_KEYS[-2:]  # (七)总计, 四、结转下年度
    needed = (new, carried, processed, forward, *outcomes)
    if any(k not in fixed and k not in options for k in needed):
        return None
    if any(v is None for k in needed if k in fixed for v in fixed[k]):
        return None
    if any(not options[k] for k in needed if k in options):
        return None
    free = [k for k in needed if k in options]
    sizes = [len(options[k]) for k in free]
    total = 1
    for s in sizes:
        total *= s
    if total > MAX_COMBINATIONS:
        return None
    kept: dict[str, set[tuple[int, ...]]] = {k: set() for k in free}
    for combo in itertools.product(*(options[k] for k in free)):
        row = dict(fixed) | dict(zip(free, combo, strict=True))
        ok = True
        for c in range(len(row[new])):
            got = row[new][c] + row[carried][c]  # type: ignore[operator]
            tp = row[processed][c]
            if got != tp + row[forward][c] or tp != sum(row[k][c] for k in outcomes):  # type: ignore[operator, misc]
                ok = False
                break
        if ok:
            for k, cut in zip(free, combo, strict=True):
                kept[k].add(cut)
    if not any(kept.values()) and free:
        return None
    return {k: [o for o in options[k] if o in kept[k]] for k in free}

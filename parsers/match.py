"""The matcher: a :class:`~parsers.grid.Document` to a :class:`~parsers.report.Report`.

Every reader meets here. The steps, each named after what it converts:

``grid_to_rows``       a table's cells to rows with a label and a value region
``tables_to_parts``    tables to parts 二/三/四, by what they contain
``rows_to_requests``   part 三 rows to the canonical request rows (and the form version)
``rows_to_reviews``    part 四 rows to the fifteen review/litigation numbers
``rows_to_proactive``  part 二 rows to (item, metric) values
``document_to_report`` all of it, plus metadata and sections

Labels are matched by short signature phrases (see :mod:`parsers.form`); where
a label is cut or scrambled beyond recognition, rows are placed by their
position within the known form, and the report says so in ``warnings``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsers.errors import MissingTable, NotAReport, ReportInAttachment, TruncatedDocument
from parsers.form import (
    AMOUNT_METRICS,
    APPLICANT_COLUMN_KEYS,
    CHINESE_NUMERALS,
    FIRST_YEAR_OF_2019_FORM,
    PROACTIVE_HEADER,
    PROACTIVE_ITEMS,
    PROACTIVE_ITEMS_ONLY_2019,
    PROACTIVE_METRIC_BY_KEY,
    PROACTIVE_METRICS,
    REQUEST_COLUMN_KEYS,
    REQUEST_COLUMN_SHORT,
    REQUEST_COLUMNS,
    REQUEST_ROW_BY_KEY,
    REQUEST_ROWS,
    REVIEW_GROUPS,
    REVIEW_KEYS,
    REVIEW_OUTCOMES,
    TABLE_HINTS,
    TABLE_STRONG_HINTS,
    FormVersion,
    Label,
    ProactiveItem,
    Table,
    nfkc,
    norm,
    proactive_item_label,
    proactive_items,
    request_row_keys,
)
from parsers.grid import Document, GridCell, Paragraph, TableBlock
from parsers.meta import (
    agency_from_body,
    find_contact,
    find_headings,
    find_period,
    find_reference,
    find_stated_counts,
    find_title,
    is_first_heading,
    is_title_text,
    paragraphs_to_preamble,
    paragraphs_to_sections,
)
from parsers.report import Cell, CellKind, ParseWarning, Position, ProactiveCell, Report
from parsers.values import is_annotated_number, looks_like_value, text_to_value

# --- rows -------------------------------------------------------------------


@dataclass
class Row:
    table: int
    index: int
    label: str  # the row's own label cells, joined
    context: str  # label cells including merged labels from rows above
    values: list[GridCell]  # the cells after the last label cell


def _is_label(cell: GridCell) -> bool:
    """Text that names a row, not a value slot (a number with a note, ``100（含转办2件）``, is a value slot)."""
    if cell.note is not None:  # a value slot a reader recovered (cells run together), whatever it prints
        return False
    return bool(cell.text.strip()) and not looks_like_value(cell.text) and not is_annotated_number(cell.text)


def grid_to_rows(table: TableBlock) -> list[Row]:
    rows: list[Row] = []
    for r, cells in enumerate(table.rows):
        cells = [c for c in cells if not c.colspan_copy]
        last_label = max((i for i, c in enumerate(cells) if _is_label(c)), default=-1)
        labels = cells[: last_label + 1]
        rows.append(
            Row(
                table=table.index,
                index=r,
                label="".join(c.text for c in labels if not c.rowspan_copy and _is_label(c)),
                context="".join(c.text for c in labels if _is_label(c)),
                values=[c for c in cells[last_label + 1 :] if not c.is_copy],
            )
        )
    return rows


def _fit_region(values: list[GridCell], width: int) -> list[GridCell]:
    """Trim padding: empty cells after the values, then empty cells before them."""
    region = list(values)
    while len(region) > width and region and not region[-1].text.strip():
        region.pop()
    while len(region) > width and region and not region[0].text.strip():
        region.pop(0)
    return region


# --- parts ------------------------------------------------------------------

_PART_BY_SECTION = {2: Table.PROACTIVE, 3: Table.REQUESTS, 4: Table.REVIEWS}


def classify_table(table: TableBlock, section: int | None) -> Table | None:
    """Which statistics table this is, by what it contains and the part it stands in.

    Under part 一, 五 or 六 a table is an agency's own summary (信息类别/数量 …)
    unless it prints what only the official form prints.
    """
    text = norm("".join(c.text for row in table.rows for c in row if not c.is_copy))
    scores = {part: sum(1 for h in hints if h in text) for part, hints in TABLE_HINTS.items()}
    best = max(scores, key=lambda p: scores[p])
    if section is not None and section not in _PART_BY_SECTION:
        return best if scores[best] >= 2 and any(h in text for h in TABLE_STRONG_HINTS[best]) else None
    if scores[best] >= 2:
        return best
    has_values = any(looks_like_value(c.text) for row in table.rows for c in row)
    if section in _PART_BY_SECTION and has_values:
        return _PART_BY_SECTION[section]
    return best if scores[best] == 1 and has_values else None


def tables_to_parts(doc: Document, heading_at: dict[int, int]) -> dict[Table, list[TableBlock]]:
    """Group tables by the part they belong to, keeping document order.

    ``heading_at`` maps a block index to the part number whose heading it is.
    """
    parts: dict[Table, list[TableBlock]] = {}
    section: int | None = None
    for i, block in enumerate(doc.blocks):
        if i in heading_at:
            section = heading_at[i]
        if isinstance(block, TableBlock):
            part = classify_table(block, section)
            if part is not None:
                parts.setdefault(part, []).append(block)
    return parts


# --- part 三: requests --------------------------------------------------------


def _signature_length(text: str, label: Label) -> int:
    return max((len(s) for s in label.signatures if s in text), default=0)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if a and b else 0.0


@dataclass
class _Alignment:
    score: float
    pairs: list[tuple[int, str, bool]]  # (row index, key, placed by signature?)


def _align(rows: list[Row], keys: tuple[str, ...]) -> _Alignment:
    """Order-preserving alignment of data rows to form rows (dynamic programming).

    A row whose own label carries a key's signature scores high on that key
    and negative on every other; a row with no recognisable label scores by
    character-bigram similarity, so it lands where its neighbours leave room.
    """
    own = [norm(r.label) for r in rows]
    ctx = [norm(r.context) for r in rows]
    labels = [REQUEST_ROW_BY_KEY[k] for k in keys]
    best_len = []
    for i in range(len(rows)):
        lengths = [_signature_length(own[i], lab) for lab in labels]
        if not any(lengths):
            lengths = [_signature_length(ctx[i], lab) for lab in labels]
        best_len.append(lengths)

    def score(i: int, j: int) -> tuple[float, bool]:
        lengths = best_len[i]
        top = max(lengths)
        if top:
            return (3.0, True) if lengths[j] == top else (-1.0, False)
        return 0.5 + _similarity(own[i] or ctx[i], norm(labels[j].label)), False

    n, m = len(rows), len(keys)
    skip_row, skip_key = -0.6, -0.3
    dp = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]  # 1 assign, 2 skip row, 3 skip key
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            options = []
            if i and j:
                options.append((dp[i - 1][j - 1] + score(i - 1, j - 1)[0], 1))
            if i:
                options.append((dp[i - 1][j] + skip_row, 2))
            if j:
                options.append((dp[i][j - 1] + skip_key, 3))
            dp[i][j], move[i][j] = max(options)
    pairs: list[tuple[int, str, bool]] = []
    i, j = n, m
    while i or j:
        step = move[i][j]
        if step == 1:
            pairs.append((i - 1, keys[j - 1], score(i - 1, j - 1)[1]))
            i, j = i - 1, j - 1
        elif step == 2:
            i -= 1
        else:
            j -= 1
    return _Alignment(dp[n][m], pairs[::-1])


def _is_request_data_row(row: Row, empty_is_blank: bool) -> bool:
    if any(c.note is not None or looks_like_value(c.text) for c in row.values):
        return True
    recognised = any(_signature_length(norm(row.label), lab) for lab in REQUEST_ROWS)
    return empty_is_blank and recognised and len(row.values) >= len(APPLICANT_COLUMN_KEYS)


@dataclass
class _Builder:
    """Collects cells and warnings while a report is matched."""

    empty_is_blank: bool
    warnings: list[ParseWarning] = field(default_factory=list)

    def warn(
        self, code: str, message: str, table: Table | None = None, row: str | None = None, column: str | None = None
    ) -> None:
        self.warnings.append(ParseWarning(code=code, message=message, table=table, row=row, column=column))

    def cell(self, grid_cell: GridCell | None, table_index: int, *, decimals: bool = False) -> Cell:
        if grid_cell is None:
            return Cell(value=None, raw="", kind=CellKind.UNREADABLE, note="no cell in the source")
        position = Position(
            table=table_index,
            row=grid_cell.row,
            col=grid_cell.col,
            line=grid_cell.line,
            page=grid_cell.page,
            bbox=grid_cell.bbox,
        )
        if grid_cell.note is not None:  # recovered by the reader (cells run together): never a plain number
            value, kind = (
                (None, CellKind.UNREADABLE)
                if grid_cell.unreadable
                else text_to_value(grid_cell.text, decimals=decimals)
            )
            kind = CellKind.INFERRED if kind is not CellKind.UNREADABLE else kind
            return Cell(value=value, raw=grid_cell.text, kind=kind, position=position, note=grid_cell.note)
        if not grid_cell.text.strip() and not self.empty_is_blank:
            return Cell(
                value=None,
                raw="",
                kind=CellKind.UNREADABLE,
                position=position,
                note="empty slot in extracted text: the cell was lost",
            )
        value, kind = text_to_value(grid_cell.text, decimals=decimals)
        note = "not a number" if kind is CellKind.UNREADABLE else None
        if kind is CellKind.NUMBER:
            odd = odd_digits(grid_cell.text)
            if odd:
                value, kind, note = None, CellKind.UNREADABLE, f"{odd} only looks like a digit: a damaged character?"
            elif mixed_digit_widths(grid_cell.text):
                note = "mixes full-width and ASCII digits in one number: a damaged character?"
            elif _LEADING_ZERO_RE.search(nfkc(grid_cell.text)):
                note = "a number printed with a leading zero: a damaged digit?"
        return Cell(value=value, raw=grid_cell.text, kind=kind, position=position, note=note)

    def suspect(self, cell: Cell, part: str, table: Table, row: str, column: str | None) -> None:
        """Warn of a number kept but printed oddly (``cell_suspect``)."""
        if cell.kind is CellKind.NUMBER and cell.note:
            self.warn("cell_suspect", f"part {part} {_describe(row, column, cell)}", table, row, column)


_LEADING_ZERO_RE = re.compile(r"(?<![\d.])0\d")

#: The digits reports print: ASCII and full-width (a whole report in full-width digits is common).
_PLAIN_DIGITS = frozenset("0123456789０１２３４５６７８９")


def odd_digits(raw: str) -> str | None:
    """The first character that reads as a digit but is neither an ASCII nor a full-width one — a
    superscript ``²``, a circled ``①``, an Arabic-Indic ``٣``, a mathematical ``𝟑`` — named with its code
    point; None when there is none. Such a character in a count is damage or a wrong glyph, never data."""
    for ch in raw:
        if ch not in _PLAIN_DIGITS and (ch.isdigit() or any(c.isdigit() for c in nfkc(ch))):
            return f"U+{ord(ch):04X} {ch!r}"
    return None


def mixed_digit_widths(raw: str) -> bool:
    """ASCII and full-width digits in one number (``1２``): a report prints one or the other."""
    return any("0" <= ch <= "9" for ch in raw) and any("０" <= ch <= "９" for ch in raw)


def _warn_split(b: _Builder, part: str, table: Table, row: str, cells: dict[str | None, Cell]) -> None:
    """One ``cells_split`` warning per row and way of recovery for cells a reader cut from run-together digits."""
    by_note: dict[str, list[str]] = {}
    for col, cell in cells.items():
        if cell.kind is CellKind.INFERRED and cell.raw and cell.note:
            by_note.setdefault(cell.note, []).append(col or row)
    for note, cols in by_note.items():
        b.warn("cells_split", f"part {part} {row} ({', '.join(cols)}): {note}", table, row)


def _describe(row: str, col: str | None, cell: Cell) -> str:
    if cell.position.line:
        where = f"line {cell.position.line}"
    elif cell.position.row is not None:
        where = f"table {cell.position.table}, row {cell.position.row}, column {cell.position.col}"
    else:
        where = "not in the source"
    name = f"{row}.{col}" if col else row
    printed = f'"{cell.raw}"' if cell.raw else "nothing"
    return f"{name} ({where}): printed {printed}, {cell.note or 'unreadable'}"


def _infer_lost_cell(cells: dict[str, Cell]) -> str | None:
    """Recover one lost cell of a row from 总计 = the sum of the six applicant columns."""
    lost = [c for c in REQUEST_COLUMN_KEYS if cells[c].kind is CellKind.UNREADABLE and not cells[c].raw]
    unreadable = [c for c in REQUEST_COLUMN_KEYS if cells[c].kind is CellKind.UNREADABLE]
    if len(lost) != 1 or len(unreadable) != 1:
        return None
    col = lost[0]
    known = {c: cells[c].value for c in REQUEST_COLUMN_KEYS if c != col}
    if col == "total":
        value = sum(known[c] for c in APPLICANT_COLUMN_KEYS)  # type: ignore[misc]
    else:
        value = known["total"] - sum(known[c] for c in APPLICANT_COLUMN_KEYS if c != col)  # type: ignore[operator]
    if not isinstance(value, int) or value < 0:
        return None
    cells[col] = cells[col].model_copy(
        update={
            "value": value,
            "kind": CellKind.INFERRED,
            "note": "lost in the source; recovered as 总计 minus the other applicant columns"
            if col != "total"
            else "lost in the source; recovered as the sum of the applicant columns",
        }
    )
    return col


#: A part 三 table must show this many form rows by their labels; fewer is some other table.
MIN_RECOGNISED_ROWS = 4


def rows_to_requests(rows: list[Row], b: _Builder) -> tuple[dict[str, dict[str, Cell]], FormVersion | None, list[str]]:
    """Part 三 rows to ``{row_key: {column_key: Cell}}``; also the form version seen
    and the keys of the form rows that were not found."""
    data = [r for r in rows if _is_request_data_row(r, b.empty_is_blank)]
    if not data:
        return {}, None, []
    alignments = {v: _align(data, request_row_keys(v)) for v in (FormVersion.V2021, FormVersion.V2019)}
    version = max(alignments, key=lambda v: alignments[v].score)
    alignment = alignments[version]
    recognised = sum(1 for _, _, by_signature in alignment.pairs if by_signature)
    if recognised < MIN_RECOGNISED_ROWS:
        b.warn(
            "table_unrecognised",
            f"a table that looks like part 三 has only {recognised} row(s) of the form; not read as part 三",
            Table.REQUESTS,
        )
        return {}, None, []
    assigned = {i for i, _, _ in alignment.pairs}
    for i, r in enumerate(data):
        if i not in assigned:
            b.warn(
                "row_unrecognised",
                f'part 三: row "{r.label or r.context or " | ".join(c.text for c in r.values)}" matches no form '
                "row; ignored",
                Table.REQUESTS,
            )
    width = len(REQUEST_COLUMN_KEYS)
    table: dict[str, dict[str, Cell]] = {}
    for i, key, by_signature in alignment.pairs:
        row = data[i]
        if not by_signature:
            b.warn(
                "matched_by_position",
                f'part 三: label "{row.label or row.context}" not recognised; taken as {key} by its position',
                Table.REQUESTS,
                key,
            )
        region = _fit_region(row.values, width)
        if len(region) != width:
            b.warn("row_width", f"part 三 {key}: {len(region)} cells where the form has {width}", Table.REQUESTS, key)
        cells = {
            col: b.cell(region[n] if n < len(region) else None, row.table) for n, col in enumerate(REQUEST_COLUMN_KEYS)
        }
        _warn_split(b, "三", Table.REQUESTS, key, dict(cells))
        inferred = _infer_lost_cell(cells)
        if inferred:
            b.warn(
                "cell_inferred", "part 三 " + _describe(key, inferred, cells[inferred]), Table.REQUESTS, key, inferred
            )
        for col, cell in cells.items():
            if cell.kind is CellKind.UNREADABLE:
                b.warn("cell_unreadable", "part 三 " + _describe(key, col, cell), Table.REQUESTS, key, col)
            b.suspect(cell, "三", Table.REQUESTS, key, col)
        table[key] = cells
    missing = [k for k in request_row_keys(version) if k not in table]
    for key in missing:
        b.warn("row_missing", f"part 三: row {key} ({REQUEST_ROW_BY_KEY[key].label}) not found", Table.REQUESTS, key)
    return table, version, missing


# --- part 四: reviews ---------------------------------------------------------


def rows_to_reviews(rows: list[Row], b: _Builder) -> dict[str, Cell]:
    """Part 四: the fifteen numbers, read across the data rows in printed order."""
    collected: list[tuple[GridCell, int]] = []
    for r in rows:
        has_values = any(c.note is not None or looks_like_value(c.text) for c in r.values)
        blank_row = b.empty_is_blank and not r.context and len(r.values) >= 5
        if not (has_values or blank_row):
            continue
        region = r.values
        if not b.empty_is_blank:  # in extracted text, empty slots at the ends are padding
            while region and not region[-1].text.strip():
                region = region[:-1]
            while region and not region[0].text.strip():
                region = region[1:]
        collected += [(c, r.table) for c in region]
    while len(collected) > len(REVIEW_KEYS) and not collected[-1][0].text.strip():
        collected.pop()  # padding cells after the fifteenth
    if not collected:
        b.warn("table_empty", "part 四 table found, but no numbers in it", Table.REVIEWS)
        return {}
    if len(collected) != len(REVIEW_KEYS):
        b.warn("row_width", f"part 四: {len(collected)} numbers where the form has {len(REVIEW_KEYS)}", Table.REVIEWS)
    reviews: dict[str, Cell] = {}
    for n, key in enumerate(REVIEW_KEYS):
        grid_cell, table_index = collected[n] if n < len(collected) else (None, 0)
        cell = b.cell(grid_cell, table_index)
        if cell.kind is CellKind.UNREADABLE:
            b.warn("cell_unreadable", "part 四 " + _describe(key, None, cell), Table.REVIEWS, key)
        b.suspect(cell, "四", Table.REVIEWS, key, None)
        reviews[key] = cell
    _warn_split(b, "四", Table.REVIEWS, "reviews", dict(reviews))
    return reviews


# --- the column headings of parts 三 and 四 ----------------------------------------
#
# Parts 三 and 四 are read by position: the form fixes their columns. Their printed headings are held
# to the form all the same, so that a header whose cells were swapped, lost or damaged is said, not
# trusted silently. In HTML and Word tables every heading must be there; in extracted text (plain text,
# PDF) headings come cut and scattered, so only their order within a row is held to the form.

#: The formats whose tables keep every heading in its own cell.
EXACT_GRID_FORMATS = frozenset({"html", "docx", "doc"})


def _header_rows(table: TableBlock) -> list[list[GridCell]]:
    """The rows above a table's first row of values, without span copies."""
    out = []
    for cells in table.rows:
        cells = [c for c in cells if not c.is_copy]
        if any(looks_like_value(c.text) for c in cells):
            break
        out.append(cells)
    return out


def _request_column_of(text: str) -> str | None:
    """The part 三 column a heading names. A short signature (其他, 总计) must be the whole heading: 其他 is
    also inside 法人或其他组织, the heading over five columns, which names none."""
    t = norm(text)
    if not t:
        return None
    for column in REQUEST_COLUMNS:
        if any(s == t if len(s) <= 2 else s in t for s in column.signatures):
            return column.key
    return None


#: part 四 group headings as printed (行政复议, 未经复议直接起诉, 复议后起诉), longest first.
_REVIEW_GROUP_HEADINGS = sorted(
    ((norm(label.split()[-1]), key) for key, label in REVIEW_GROUPS), key=lambda h: -len(h[0])
)


def _review_heading_of(text: str) -> tuple[str, str] | None:
    """("group", key) or ("outcome", key) for a part 四 heading."""
    t = norm(text)
    group = next((key for heading, key in _REVIEW_GROUP_HEADINGS if heading in t), None)
    if group:
        return "group", group
    return next((("outcome", key) for key, label in REVIEW_OUTCOMES if norm(label) == t), None)


def _runs(keys: list[str], order: list[str]) -> list[list[str]]:
    """``keys`` cut into runs that follow the form's order."""
    runs: list[list[str]] = []
    for key in keys:
        if runs and order.index(key) > order.index(runs[-1][-1]):
            runs[-1].append(key)
        else:
            runs.append([key])
    return runs


def _header_where(cells: list[GridCell], table_index: int) -> str:
    first = next((c for c in cells if c.text.strip()), cells[0])
    return _where(first, table_index)


def check_request_header(tables: list[TableBlock], b: _Builder, exact: bool) -> None:
    """Warn (``header_mismatch``) when part 三's column headings depart from the form's."""
    order = list(REQUEST_COLUMN_KEYS)
    for table in tables:
        seen: list[str] = []
        by_column: list[tuple[int, str]] = []
        for cells in _header_rows(table):
            keys = [k for k in (_request_column_of(c.text) for c in cells) if k]
            seen += keys
            by_column += [(c.col, k) for c in cells if (k := _request_column_of(c.text))]
            if len(_runs(keys, order)) > 1:
                b.warn(
                    "header_mismatch",
                    f"part 三 header ({_header_where(cells, table.index)}) reads "
                    f"{' | '.join(REQUEST_COLUMN_SHORT[k] for k in keys)}, out of the form's order; "
                    "the columns are read in the form's order",
                    Table.REQUESTS,
                )
        if exact and len(_runs([k for _, k in sorted(by_column)], order)) > 1:
            b.warn(
                "header_mismatch",
                f"part 三 header (table {table.index}): the headings stand over other columns than the form's "
                f"({' | '.join(REQUEST_COLUMN_SHORT[k] for _, k in sorted(by_column))}); "
                "the columns are read in the form's order",
                Table.REQUESTS,
            )
        if exact and seen and sorted(seen) != sorted(order):
            lost = [REQUEST_COLUMN_SHORT[k] for k in order if k not in seen]
            twice = sorted({REQUEST_COLUMN_SHORT[k] for k in seen if seen.count(k) > 1})
            b.warn(
                "header_mismatch",
                f"part 三 header (table {table.index}) "
                + "; ".join(
                    ([f"lacks {', '.join(lost)}"] if lost else [])
                    + ([f"prints {', '.join(twice)} twice"] if twice else [])
                )
                + "; the columns are read in the form's order",
                Table.REQUESTS,
            )


def check_review_header(tables: list[TableBlock], b: _Builder, exact: bool) -> None:
    """Warn (``header_mismatch``) when part 四's headings depart from the form's: three groups, in order,
    each with 结果维持 / 结果纠正 / 其他结果 / 尚未审结 / 总计."""
    outcomes = [key for key, _ in REVIEW_OUTCOMES]
    groups = [key for key, _ in REVIEW_GROUPS]
    for table in tables:
        runs: list[list[str]] = []
        found_groups: list[str] = []
        problems: list[str] = []
        for cells in _header_rows(table):
            headings = [h for h in (_review_heading_of(c.text) for c in cells) if h]
            row_groups = [k for kind, k in headings if kind == "group"]
            row_runs = _runs([k for kind, k in headings if kind == "outcome"], outcomes)
            if len(_runs(row_groups, groups)) > 1 or len(row_runs) > len(groups):
                problems.append(f"the headings at {_header_where(cells, table.index)} are out of the form's order")
            runs += row_runs
            found_groups += row_groups
        if len(runs) > len(groups) and not problems:
            problems.append(f"{len(runs)} groups of result headings where the form has {len(groups)}")
        if exact and runs and (any(r != outcomes for r in runs) or sorted(found_groups) != sorted(groups)):
            problems.append("a heading is missing, damaged or repeated")
        if problems:
            b.warn(
                "header_mismatch",
                f"part 四 header (table {table.index}): {'; '.join(problems)}; "
                "the numbers are read in the form's order",
                Table.REVIEWS,
            )


# --- part 二: proactive -------------------------------------------------------


def _match_item(label: str) -> ProactiveItem | None:
    best, best_len = None, 0
    for item in PROACTIVE_ITEMS:
        length = max((len(s) for s in item.signatures if s in label), default=0)
        if length > best_len:
            best, best_len = item, length
    return best


def _metric_of(text: str) -> str | None:
    """The part 二 metric a header cell names (by its longest signature), or None."""
    hit = max(PROACTIVE_METRICS, key=lambda m: _signature_length(text, m))
    return hit.key if _signature_length(text, hit) else None


@dataclass
class _Header:
    """A part 二 header row: the metric each value column names, by position (None: a heading the form
    does not print, e.g. damaged), and where it is printed."""

    slots: list[str | None]
    where: str

    @property
    def metrics(self) -> list[str]:
        return [s for s in self.slots if s]


def _where(cell: GridCell, table_index: int) -> str:
    return f"line {cell.line}" if cell.line else f"table {table_index}, row {cell.row}"


def _header_of(cells: list[GridCell], table_index: int) -> _Header | None:
    """A part 二 header row (``信息内容 | 本年新制作数量 | …``) read by position, or None for any other row.

    The value columns are the cells after the 信息内容 cell (after the first cell when that heading is
    damaged); empty cells after the last heading are padding.
    """
    cells = [c for c in cells if not c.is_copy]
    texts = [norm(c.text) for c in cells]
    slots = [_metric_of(t) for t in texts]
    head = max((i for i, t in enumerate(texts) if norm(PROACTIVE_HEADER) in t), default=-1)
    if head < 0 and not any(slots):
        return None
    if head < 0:
        head = 0 if texts and not slots[0] else -1
    first = next((c for c in cells if c.text.strip()), cells[0])
    value_slots = list(zip(texts[head + 1 :], slots[head + 1 :], strict=True))
    while value_slots and not value_slots[-1][0]:
        value_slots.pop()
    return _Header([slot for _, slot in value_slots], _where(first, table_index))


#: What every block heading of part 二 starts with: the article of the Regulations its items come under.
_BLOCK_PREFIX = os.path.commonprefix([norm(i.section) for i in PROACTIVE_ITEMS])  # noqa: RUF071 (text, not paths)


def _is_section_row(cells: list[GridCell]) -> bool:
    """The row that opens each block of the part 二 table, citing its article and item."""
    return _BLOCK_PREFIX in norm("".join(c.text for c in cells if not c.is_copy))


def _proactive_version(headers: list[list[str]], items: set[str]) -> FormVersion | None:
    seen = {m for h in headers for m in h}
    only_2019 = {m.key for m in PROACTIVE_METRICS if m.versions == frozenset({FormVersion.V2019})}
    only_2021 = {m.key for m in PROACTIVE_METRICS if m.versions == frozenset({FormVersion.V2021})}
    if seen & only_2021 and not seen & only_2019:
        return FormVersion.V2021
    if seen & only_2019 or items & PROACTIVE_ITEMS_ONLY_2019:
        return FormVersion.V2019
    return None


def _metric_names(metrics: list[str | None] | tuple[str, ...]) -> str:
    return " | ".join(PROACTIVE_METRIC_BY_KEY[m].label if m else "?" for m in metrics) or "nothing"


def _columns_of(header: _Header | None, defaults: tuple[str, ...]) -> tuple[list[str], str | None]:
    """The metrics of an item row's value columns, and what is wrong with its header (None: nothing).

    A header that prints the form's columns in the form's order is read as printed. One that prints them
    all in another order is read by the header. Anything else — a heading missing, damaged, added, or
    naming another item's metric — is not trusted: the values are read in the form's order, and said so.
    """
    if header is None:
        return list(defaults), "no header row names its columns; read in the form's order"
    if header.slots == list(defaults):
        return list(defaults), None
    if sorted(header.metrics) == sorted(defaults) and len(header.slots) == len(defaults):
        return header.metrics, (
            f"the header ({header.where}) prints the columns in another order than the form "
            f"({_metric_names(header.slots)}; the form: {_metric_names(defaults)}); read by the header"
        )
    return list(defaults), (
        f"the header ({header.where}) reads {_metric_names(header.slots)} where the form has "
        f"{_metric_names(defaults)}; read in the form's order"
    )


def rows_to_proactive(
    table_rows: list[list[GridCell]], rows: list[Row], b: _Builder
) -> tuple[list[ProactiveCell], FormVersion | None]:
    """Part 二 rows to (item, metric) cells, and the form version the table shows.

    Every departure from the form is a warning with its place: a header that does not read as the
    form's (``header_mismatch``), a row with a label the form does not have (``row_unrecognised``), an
    item out of the form's order (``row_order``), a row with more or fewer values (``row_width``), an
    item printed twice (``duplicate_item``). Items the form has but the table lacks are found by
    :func:`missing_proactive`.
    """
    headers: list[list[str]] = []
    item_rows: list[tuple[ProactiveItem, Row, _Header | None]] = []
    current: _Header | None = None
    for cells, row in zip(table_rows, rows, strict=True):
        label = norm(row.label)
        item = _match_item(label) if row.values or b.empty_is_blank else None
        if item is not None:
            item_rows.append((item, row, current))
            continue
        header = _header_of(cells, row.table)
        if header is not None:
            current = header
            headers.append(header.metrics)
        elif _is_section_row(cells):
            current = None  # a new block: its own header follows
        elif any(looks_like_value(c.text) for c in row.values):
            where = _where(row.values[0], row.table)
            printed = row.label or row.context or " | ".join(c.text for c in row.values)
            b.warn(
                "row_unrecognised",
                f'part 二 ({where}): row "{printed}" matches no item of the form; ignored',
                Table.PROACTIVE,
            )
    version = _proactive_version(headers, {i.key for i, _, _ in item_rows})
    out: list[ProactiveCell] = []
    seen: set[str] = set()
    order = [i.key for i in PROACTIVE_ITEMS]
    last = -1
    header_warned: set[tuple[int, tuple[str, ...]]] = set()
    for item, row, header in item_rows:
        where = _where(row.values[0], row.table) if row.values else f"table {row.table}, row {row.index}"
        if item.key in seen:
            b.warn(
                "duplicate_item",
                f'part 二 ({where}): a second row for {item.key} ("{row.label}"); the first was kept',
                Table.PROACTIVE,
                item.key,
            )
            continue
        seen.add(item.key)
        if order.index(item.key) < last:
            b.warn(
                "row_order",
                f'part 二 ({where}): row {item.key} ("{row.label}") is printed after {order[last]}, '
                "out of the form's order",
                Table.PROACTIVE,
                item.key,
            )
        last = max(last, order.index(item.key))
        item_version = version or (FormVersion.V2019 if FormVersion.V2019 in item.metrics else FormVersion.V2021)
        defaults = item.metrics.get(item_version) or next(iter(item.metrics.values()))
        metrics, problem = _columns_of(header, defaults)
        if problem and (id(header), defaults) not in header_warned:
            header_warned.add((id(header), defaults))
            b.warn("header_mismatch", f"part 二 {item.key}: {problem}", Table.PROACTIVE, item.key)
        region = list(row.values)
        while len(region) > len(metrics) and region and not region[-1].text.strip():
            region.pop()
        if len(region) != len(metrics):
            b.warn(
                "row_width",
                f"part 二 {item.key} ({where}): {len(region)} cells where the form has {len(metrics)}",
                Table.PROACTIVE,
                item.key,
            )
        for n, metric in enumerate(metrics):
            cell = b.cell(region[n] if n < len(region) else None, row.table, decimals=metric in AMOUNT_METRICS)
            if cell.kind is CellKind.UNREADABLE:
                b.warn(
                    "cell_unreadable", "part 二 " + _describe(item.key, metric, cell), Table.PROACTIVE, item.key, metric
                )
            b.suspect(cell, "二", Table.PROACTIVE, item.key, metric)
            out.append(ProactiveCell(item=item.key, metric=metric, cell=cell))
        _warn_split(b, "二", Table.PROACTIVE, item.key, {p.metric: p.cell for p in out if p.item == item.key})
    return out, version


def missing_proactive(cells: list[ProactiveCell], version: FormVersion, b: _Builder) -> list[str]:
    """Warn of every part 二 item the form version has and the table does not print (``row_missing``)."""
    present = {p.item for p in cells}
    missing = [i for i in proactive_items(version) if i.key not in present]
    for item in missing:
        b.warn(
            "row_missing",
            f"part 二: row {item.key} ({proactive_item_label(item, version)}) of the {version} form not found",
            Table.PROACTIVE,
            item.key,
        )
    return [i.key for i in missing]


# --- the report -------------------------------------------------------------


def _rows_of(tables: list[TableBlock]) -> tuple[list[list[GridCell]], list[Row]]:
    grid_rows = [cells for t in tables for cells in t.rows]
    rows = [row for t in tables for row in grid_to_rows(t)]
    return grid_rows, rows


def _title_candidates(doc: Document) -> tuple[list[Paragraph], list[int]]:
    """Paragraphs, and the cells of small tables (portals print titles in layout cells), in document order,
    with the block index each came from."""
    candidates: list[Paragraph] = []
    blocks: list[int] = []
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            candidates.append(block)
            blocks.append(i)
        elif len(block.rows) <= MAX_TITLE_TABLE_ROWS:
            for row in block.rows:
                for cell in row:
                    if cell.text.strip() and not cell.is_copy:
                        candidates.append(Paragraph(text=cell.text, line=cell.line))
                        blocks.append(i)
    return candidates, blocks


#: Tables with more rows than this are not searched for the title (statistics tables are long).
MAX_TITLE_TABLE_ROWS = 8


def _second_report(paragraphs: list[Paragraph], after: int) -> int | None:
    """Index of a second report's title: a title after the first report's part 一 has begun, followed
    by a fresh part 一 heading of its own. (A page repeating its title above the body is one report.)"""
    firsts = [i for i, p in enumerate(paragraphs) if i > after and is_first_heading(p.text)]
    if len(firsts) < 2:
        return None
    for i in range(firsts[0] + 1, len(paragraphs)):
        if is_title_text(paragraphs[i].text) and any(j > i for j in firsts):
            return i
    return None


MISSING_REQUESTS = "part 三 (收到和处理政府信息公开申请情况) table not found"
#: A page whose text after the title is shorter than this, with a link to a document, only points to its report.
MAX_POINTER_TEXT = 600
_SENTENCE_END = tuple('。.!！?？;；…」』”")）】>》')


def _attachment_pointer(doc: Document, body: list[Paragraph], source: str) -> ReportInAttachment | None:
    """A page that is only a title and a link to the report's file: the typed outcome that says so."""
    if not doc.links:
        return None
    text = "".join(p.text for p in body)
    for name, _ in doc.links:
        text = text.replace(name, "")
    if len(text) > MAX_POINTER_TEXT:
        return None
    mentions = "附件" in text or "下载" in text or any("报告" in name or "年报" in name for name, _ in doc.links)
    if not mentions:
        return None
    base = source if re.match(r"^[a-z][a-z0-9+.-]*://", source, re.I) else None
    links: list[str] = []
    shown: list[str] = []
    for name, href in doc.links:
        address = urljoin(base, href) if base and href else href
        if address and address in links:
            continue
        if address:
            links.append(address)
        if address and name and name != address:
            shown.append(f"{name} <{address}>")
        elif address or name:
            shown.append(address or name)
    if not shown:
        return None
    return ReportInAttachment("the report is in an attachment: " + "; ".join(dict.fromkeys(shown)), links)


def _stops_mid_way(doc: Document) -> bool:
    """The document really stops mid-way: it ends in a table, or its last paragraph ends mid-sentence."""
    for block in reversed(doc.blocks):
        if isinstance(block, TableBlock):
            return bool(block.rows)
        text = block.text.strip()
        if text:
            return not text.endswith(_SENTENCE_END)
    return False


def document_to_report(doc: Document, source: str, sha256: str) -> Report:
    b = _Builder(empty_is_blank=doc.format != "text")
    for code, message in doc.notes:
        b.warn(code, message)
    candidates, candidate_blocks = _title_candidates(doc)
    title = find_title(candidates)
    title_block = candidate_blocks[title.index] if title else -1
    paragraphs = doc.paragraphs
    paragraph_block = {id(p): i for i, p in enumerate(doc.blocks) if isinstance(p, Paragraph)}
    start = sum(1 for p in paragraphs if paragraph_block[id(p)] <= title_block)
    second = _second_report(paragraphs, start - 1) if title else None
    if second is not None:
        b.warn(
            "multiple_reports",
            "the document holds more than one report; only the first was read "
            f'(the next begins "{paragraphs[second].text[:60]}")',
        )
        doc = Document(
            blocks=doc.blocks[: paragraph_block[id(paragraphs[second])]],
            format=doc.format,
            encoding=doc.encoding,
            title_hint=doc.title_hint,
            links=doc.links,
        )
        paragraphs = doc.paragraphs
    headings = find_headings(paragraphs, start)
    heading_at = {paragraph_block[id(paragraphs[i])]: number for i, number, _ in headings}
    parts = tables_to_parts(doc, heading_at)

    full_text = "\n".join(p.text for p in paragraphs)
    year = title.year if title else None
    period = find_period(full_text)
    if year is None and period is not None:
        year = int(period.start[:4])
    if year is not None and year < FIRST_YEAR_OF_2019_FORM and parts:
        # the statistics form began with the 2019 reports: an older table is the agency's own, never the form
        b.warn("tables_ignored", f"a {year} report predates the statistics form; its tables were not read as one")
        parts = {}

    requests: dict[str, dict[str, Cell]] = {}
    request_form = proactive_form = None
    missing_rows: list[str] = []
    exact = doc.format in EXACT_GRID_FORMATS
    if Table.REQUESTS in parts:
        _, rows = _rows_of(parts[Table.REQUESTS])
        requests, request_form, missing_rows = rows_to_requests(rows, b)
        if requests:
            check_request_header(parts[Table.REQUESTS], b, exact)
    reviews = rows_to_reviews(_rows_of(parts[Table.REVIEWS])[1], b) if Table.REVIEWS in parts else {}
    if reviews:
        check_review_header(parts[Table.REVIEWS], b, exact)
    proactive: list[ProactiveCell] = []
    if Table.PROACTIVE in parts:
        grid_rows, rows = _rows_of(parts[Table.PROACTIVE])
        proactive, proactive_form = rows_to_proactive(grid_rows, rows, b)

    any_table = bool(requests or reviews or proactive)
    if not any_table and len(headings) < 2:
        pointer = _attachment_pointer(doc, paragraphs[start:], source)
        if pointer is not None:
            raise pointer
    if not any_table and title is None:
        raise NotAReport("no annual report here: no title naming 政府信息公开…报告 and no statistics tables")
    if not requests and (any_table or (year is not None and year >= FIRST_YEAR_OF_2019_FORM)):
        last_part = headings[-1][1] if headings else 0
        if last_part < 3 and not reviews and _stops_mid_way(doc):
            raise TruncatedDocument(
                f"document ends in part {'一二'[max(last_part, 1) - 1]}, before part 三: truncated?"
            )
        missing = MISSING_REQUESTS
        if not headings:
            raise MissingTable(missing + ", and no part headings (一、…六、) either")
        raise MissingTable(
            missing + " (parts seen: " + "、".join(CHINESE_NUMERALS[n - 1] for _, n, _ in headings) + ")"
        )
    if requests and missing_rows and missing_rows[-1] == request_row_keys(request_form)[-1] and not reviews:
        raise TruncatedDocument(
            f"document ends inside part 三 (rows {', '.join(missing_rows[:3])}… missing, no part 四): truncated?"
        )

    table_forms: dict[Table, FormVersion] = {}
    if proactive_form:
        table_forms[Table.PROACTIVE] = proactive_form
    if request_form:
        table_forms[Table.REQUESTS] = request_form
    if proactive or (Table.PROACTIVE in parts and (proactive_form or request_form)):
        missing_proactive(proactive, proactive_form or request_form or FormVersion.V2021, b)
    if not any_table:
        form = FormVersion.PRE2019
        b.warn("no_tables", "pre-2019 report: narrative only, the statistics tables are absent")
    else:
        form = proactive_form or request_form or FormVersion.V2021
        if proactive_form and request_form and proactive_form != request_form:
            b.warn("mixed_form", f"part 二 uses the {proactive_form} form but part 三 the {request_form} form")
    for part in (Table.PROACTIVE, Table.REVIEWS):
        if any_table and part not in parts:
            b.warn("table_missing", f"part {'二' if part is Table.PROACTIVE else '四'} table not found", part)

    agency = title.agency if title else None
    named = agency_from_body(paragraphs)
    if agency is None and named:
        agency = named
        b.warn("agency_from_body", f"the title does not name the agency; {agency} is taken from the text")
    elif agency and named and agency != named and agency in named:
        agency = named  # the title's short name (种田乡), the text's full one (白银市平川区种田乡人民政府)
    if agency is None:
        b.warn("agency_unknown", "the report does not name its agency in its title or first paragraphs")
    if year is None:
        b.warn("year_unknown", "no report year in the title or the statistics period")
    standard = form is not FormVersion.PRE2019
    return Report(
        source=source,
        sha256=sha256,
        format=doc.format,
        encoding=doc.encoding,
        title=title.text if title else doc.title_hint,
        agency=agency,
        year=year,
        form=form,
        table_forms=table_forms,
        period=period,
        form_reference=find_reference(full_text),
        contact=find_contact("\n".join(p.text for p in paragraphs[: start + 3])) or find_contact(full_text),
        preamble=paragraphs_to_preamble(paragraphs, start, headings),
        sections=(sections := paragraphs_to_sections(paragraphs, headings, standard)),
        stated=find_stated_counts([paragraphs_to_preamble(paragraphs, start, headings)] + [s.text for s in sections]),
        tables_present={
            t: bool(v) for t, v in ((Table.PROACTIVE, proactive), (Table.REQUESTS, requests), (Table.REVIEWS, reviews))
        },
        requests=requests,
        reviews=reviews,
        proactive=proactive,
        warnings=b.warnings,
    )

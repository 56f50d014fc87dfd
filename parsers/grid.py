"""The shape every reader produces: a document as paragraphs and grids of cells.

A reader (text, HTML, and later DOCX and PDF) turns bytes into a
:class:`Document`; the matcher (:mod:`parsers.match`) turns a Document into a
:class:`~parsers.report.Report`. Nothing here knows about the form.

Cells keep the text as printed and where it came from, so every number in a
report can be traced back to its place in the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.errors import TooLarge

#: No report table is wider than this; a larger colspan is damage (or an attack on memory).
MAX_COLSPAN = 64
#: Grid positions one table may expand to: a 38 KB page of 20 cells with colspan=1000 in 500 rows once
#: expanded to ten million (2 GB); a report's largest table has a few hundred.
MAX_TABLE_CELLS = 500_000
#: Paragraphs and tables one document may have: a 300-page report has a few thousand; three million once
#: took 40 s and 2.5 GB before the matcher could say there was no report.
MAX_BLOCKS = 100_000


def check_block_count(n: int, what: str = "paragraphs and tables", limit: int = MAX_BLOCKS) -> None:
    """Refuse a document of more than ``limit`` blocks (lines, elements) (:class:`TooLarge`)."""
    if n > limit:
        raise TooLarge(f"{n:,} {what} (limit {limit:,}): not an annual report")


@dataclass(slots=True)
class GridCell:
    """One cell of a table, after row/column spans are expanded.

    A cell spanning several grid positions appears once per position; the
    copies have ``rowspan_copy`` or ``colspan_copy`` set, so a matcher can use
    a merged label as context for every row it covers without counting a
    merged value twice.
    """

    text: str
    row: int
    col: int
    line: int | None = None  # 1-based line number in a text source
    page: int | None = None  # 1-based page number in a paged source
    bbox: tuple[float, float, float, float] | None = None
    rowspan_copy: bool = False
    colspan_copy: bool = False
    #: Set by a reader that recovered this cell rather than read it (cells run together, see
    #: parsers/splits.py): how. The matcher makes the cell ``inferred`` with this note, or
    #: ``unreadable`` (value null) when ``unreadable`` is set.
    note: str | None = None
    unreadable: bool = False

    @property
    def is_copy(self) -> bool:
        return self.rowspan_copy or self.colspan_copy


@dataclass(slots=True)
class TableBlock:
    """A table: rows of cells, in document order."""

    index: int  # 0-based, in the order tables occur in the document
    rows: list[list[GridCell]] = field(default_factory=list)


@dataclass(slots=True)
class Paragraph:
    text: str
    line: int | None = None
    page: int | None = None


Block = Paragraph | TableBlock


@dataclass(slots=True)
class Document:
    """What a reader hands the matcher."""

    blocks: list[Block]
    format: str  # "text", "html", …
    encoding: str | None = None
    title_hint: str | None = None  # e.g. an HTML <title>, used only as a last resort
    notes: list[tuple[str, str]] = field(default_factory=list)  # (warning code, message) from the reader
    #: Links to documents the page offers (name as printed, address as written): a page whose body
    #: is only a title and such a link holds its report in the attachment.
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[tuple[str, bool, bool]]]:
    """Expand ``(text, rowspan, colspan)`` rows into a rectangular-ish grid.

    Returns, per grid row, ``(text, rowspan_copy, colspan_copy)`` entries. The
    classic HTML table algorithm: a cell occupies the first free column of its
    row and reserves the positions below and to the right of it. A colspan is capped at ``MAX_COLSPAN``
    and a rowspan at the table's end; a table that still expands beyond ``MAX_TABLE_CELLS`` is refused.
    """
    grid: list[list[tuple[str, bool, bool] | None]] = []
    positions = 0
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for text, rowspan, colspan in row:
            current = grid[r]
            while c < len(current) and current[c] is not None:
                c += 1
            rowspan = max(1, min(rowspan, len(rows) - r))
            colspan = max(1, min(colspan, MAX_COLSPAN))
            positions += rowspan * colspan
            if positions > MAX_TABLE_CELLS:
                raise TooLarge(f"a table whose merged cells expand to more than {MAX_TABLE_CELLS:,} cells")
            for dr in range(rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                for dc in range(colspan):
                    while len(target) <= c + dc:
                        target.append(None)
                    target[c + dc] = (text, dr > 0, dc > 0)
            c += colspan
    return [[cell if cell is not None else ("", False, False) for cell in row] for row in grid]

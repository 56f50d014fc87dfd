"""Plain-text reports: ``text_to_document``.

Text pulled out of Word or PDF files comes in two table layouts, both seen in
the seeds:

* one row per line, cells separated by tabs (seeds 000, 001, 003);
* one cell per line, each starting with a tab, rows separated by blank lines,
  long cells wrapped onto lines without a tab (seed 002).

Lines without a tab are paragraphs. Table rows that follow each other with
only blank lines between them form one table.

Text that lost its line structure altogether (a whole body on one line, cells
separated by single spaces or by nothing) is read by :mod:`parsers.flat`.
"""

from __future__ import annotations

import re

from parsers.decode import Decoded, bytes_to_text, repair_note
from parsers.flat import flat_to_blocks, is_flat
from parsers.grid import Document, GridCell, Paragraph, TableBlock


def _is_blank(line: str) -> bool:
    return "\t" not in line and not line.strip()


def _is_cell_line(line: str) -> bool:
    """A line of the one-cell-per-line layout: a tab, then at most one cell."""
    return line.startswith("\t") and sum(1 for f in line.split("\t") if f.strip()) <= 1


def _groups(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, with their 1-based line numbers."""
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if _is_blank(line):
            if current:
                groups.append(current)
                current = []
        else:
            current.append((number, line.rstrip("\r")))
    if current:
        groups.append(current)
    return groups


def _cell_per_line_row(group: list[tuple[int, str]], row: int) -> list[GridCell]:
    cells: list[GridCell] = []
    for number, line in group:
        if line.startswith("\t"):
            cells.append(GridCell(text=line[1:].strip(), row=row, col=len(cells), line=number))
        else:  # a wrapped continuation of the cell above
            cells[-1].text += line.strip()
    return cells


def text_to_document(data: bytes) -> Document:
    return decoded_text_to_document(bytes_to_text(data))


def decoded_text_to_document(decoded: Decoded) -> Document:
    lines = decoded.text.splitlines()
    if is_flat(decoded.text):
        longest = max(len(line) for line in lines)
        note = (
            "text_restructured",
            f"the text lost its line structure ({len(lines)} line(s), the longest {longest} characters): "
            "parts, table rows and cells were found by their content",
        )
        return Document(
            blocks=flat_to_blocks(lines),
            format="text",
            encoding=decoded.encoding,
            notes=[*repair_note(decoded), note],
            links=text_links(decoded.text),
        )
    blocks: list[Paragraph | TableBlock] = []
    table: TableBlock | None = None
    n_tables = 0

    def table_row() -> tuple[list[GridCell], int]:
        """Append an empty row to the open table (opening one); return it and its index."""
        nonlocal table, n_tables
        if table is None:
            table = TableBlock(index=n_tables)
            n_tables += 1
            blocks.append(table)
        table.rows.append([])
        return table.rows[-1], len(table.rows) - 1

    for group in _groups(lines):
        if _is_cell_line(group[0][1]) and all(_is_cell_line(ln) or "\t" not in ln for _, ln in group):
            row, r = table_row()
            row.extend(_cell_per_line_row(group, r))
            continue
        for number, line in group:
            if "\t" in line:
                row, r = table_row()
                row.extend(
                    GridCell(text=field.strip(), row=r, col=c, line=number) for c, field in enumerate(line.split("\t"))
                )
            else:
                table = None
                blocks.append(Paragraph(text=line.strip(), line=number))
    return Document(
        blocks=blocks,
        format="text",
        encoding=decoded.encoding,
        notes=repair_note(decoded),
        links=text_links(decoded.text),
    )


_LINK_RE = re.compile(
    r"(?P<url>(?:https?://|/)[^\s<>\"'()（）]+?\.(?:docx?|wps|pdf|rtf|odt))(?![\w.])"
    r"|(?P<name>[^\s<>\"'()（）：:，,。]{1,80}?\.(?:docx?|wps|pdf|rtf|odt))(?![\w.])",
    re.I,
)


def text_links(text: str) -> list[tuple[str, str]]:
    """Document files a text names: addresses (``http://…/x.docx``) and bare file names (``…年度报告.doc``)."""
    links: list[tuple[str, str]] = []
    for m in _LINK_RE.finditer(text):
        links.append((m["url"] or m["name"], m["url"] or ""))
    return links

"""Rows for people and programs: one formatter shared by every command that prints rows; and
``safe``, which every name and message from outside (a file name, a URL, a document's own text) goes
through before it reaches a terminal."""

from __future__ import annotations

import csv
import json
import re
import sys
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

#: Characters that must not reach a terminal as they are: C0 and C1 controls (ANSI escapes start with
#: ESC or CSI), DEL, line and paragraph separators, and the bidirectional overrides that reorder text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return named.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def plain(text: object) -> str:
    """``text`` on one line with nothing a terminal acts on: control characters (a newline that would
    forge a second ``error:`` line, an ANSI escape) shown as ``\\n``, ``\\x1b``…"""
    return _UNSAFE.sub(_visible, str(text))


def safe(text: object) -> str:
    """``plain(text)`` with Rich markup escaped, for printing inside a markup string: ``[bold red]`` or
    ``[/]`` in a file name prints as written."""
    return escape(plain(text))


def print_rows(console: Console, columns: list[str], rows: list[tuple[Any, ...]], fmt: str = "table") -> None:
    if fmt == "json":
        sys.stdout.write(
            json.dumps([dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, indent=1, default=str)
            + "\n"
        )
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    elif not _fits(console, columns, rows):  # too many columns for the terminal: one block per row
        name_width = max(cell_len(c) for c in columns)
        for number, row in enumerate(rows, 1):
            console.rule(f"row {number}", align="left", style="dim")
            for name, value in zip(columns, row, strict=True):
                shown = "" if value is None else plain(value)
                console.print(f"{name.rjust(name_width)}  {shown}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"{len(rows)} row(s)", style="dim", highlight=False)
    else:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False)
        for name in columns:
            table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
        console.print(f"{len(rows)} row(s)", style="dim", highlight=False)


def _fits(console: Console, columns: list[str], rows: list[tuple[Any, ...]]) -> bool:
    """Whether a table of these rows is readable at the console's width: every column at least as wide
    as its name and its values up to 12 cells, without folding them into slivers."""
    need = 0
    for i, name in enumerate(columns):
        widest = max((cell_len("" if r[i] is None else str(r[i])) for r in rows[:200]), default=0)
        need += max(cell_len(name), min(widest, 12)) + 2
    return need <= console.width

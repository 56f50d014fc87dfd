"""The typed report every parser produces, and its JSON form.

A :class:`Report` holds the metadata, the six sections' text and the three
statistics tables under the canonical keys of :mod:`parsers.form`. Every
number is a :class:`Cell` that keeps the printed text (``raw``), what kind of
value it is, and where in the source it came from.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from parsers.form import (
    REQUEST_COLUMN_KEYS,
    REQUEST_ROW_KEYS,
    REVIEW_KEYS,
    FormVersion,
    Table,
)

PARSER_VERSION = "0.5.0"  # 0.5: text without line structure, run-together cells, report_in_attachment


class CellKind(StrEnum):
    NUMBER = "number"  # a number as printed
    BLANK = "blank"  # empty, or a zero mark ("—", "/", "无"): value 0
    UNREADABLE = "unreadable"  # present but not a number, or lost: value null
    INFERRED = "inferred"  # lost in the source, recovered from an identity


class Position(BaseModel):
    """Where a cell came from: a table/row/column index, a line, a page and box."""

    table: int | None = None
    row: int | None = None
    col: int | None = None
    line: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None


class Cell(BaseModel):
    value: int | float | None
    raw: str
    kind: CellKind
    position: Position = Field(default_factory=Position)
    note: str | None = None  # why a value is inferred or unreadable


class ProactiveCell(BaseModel):
    item: str
    metric: str
    cell: Cell


class ParseWarning(BaseModel):
    code: str  # e.g. "cell_unreadable", "matched_by_position", "mixed_form"
    message: str
    table: Table | None = None
    row: str | None = None
    column: str | None = None


class StatedCount(BaseModel):
    """A number the narrative states, to hold against the tables (check ``narrative_match``)."""

    table: Table
    cells: list[tuple[str, str | None]]  # the (row, column) cells whose sum the number must equal
    value: int
    text: str  # the sentence as printed


class Section(BaseModel):
    number: int  # 1..6 as printed (一 … 六)
    key: str | None  # overview, proactive, requests, reviews, problems, other
    title: str  # the heading as printed
    text: str


class Period(BaseModel):
    start: str  # ISO date
    end: str


class Report(BaseModel):
    source: str
    sha256: str
    format: str  # the reader that produced it: text, html, …
    encoding: str | None = None
    parser_version: str = PARSER_VERSION
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    form: FormVersion
    table_forms: dict[Table, FormVersion] = Field(default_factory=dict)
    period: Period | None = None
    form_reference: str | None = None  # the 国办公开办函 cited
    contact: dict[str, str] = Field(default_factory=dict)
    preamble: str = ""  # the text between the title and part 一
    sections: list[Section] = Field(default_factory=list)
    stated: list[StatedCount] = Field(default_factory=list)
    tables_present: dict[Table, bool] = Field(default_factory=dict)
    requests: dict[str, dict[str, Cell]] = Field(default_factory=dict)
    reviews: dict[str, Cell] = Field(default_factory=dict)
    proactive: list[ProactiveCell] = Field(default_factory=list)
    warnings: list[ParseWarning] = Field(default_factory=list)

    # --- the JSON contract (see docs/json.md) -------------------------------

    def to_json_dict(self) -> dict[str, Any]:
        """The ``nianbao parse --json`` object: FORM.md keys, printed order."""
        requests = {
            row: {col: self.requests[row][col].value for col in REQUEST_COLUMN_KEYS if col in self.requests[row]}
            for row in REQUEST_ROW_KEYS
            if row in self.requests
        }
        reviews = {key: self.reviews[key].value for key in REVIEW_KEYS if key in self.reviews}
        proactive = [
            {"item": p.item, "metric": p.metric, "value": p.cell.value, "raw": p.cell.raw} for p in self.proactive
        ]
        return {
            "source": self.source,
            "sha256": self.sha256,
            "format": self.format,
            "encoding": self.encoding,
            "parser_version": self.parser_version,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "form": self.form.value,
            "table_forms": {t.value: v.value for t, v in self.table_forms.items()},
            "period": self.period.model_dump() if self.period else None,
            "form_reference": self.form_reference,
            "contact": self.contact,
            "tables_present": {t.value: v for t, v in self.tables_present.items()},
            "requests": requests,
            "reviews": reviews,
            "proactive": proactive,
            "cells": [c for c in self.iter_cell_dicts()],
            "preamble": self.preamble,
            "sections": [s.model_dump() for s in self.sections],
            "stated": [s.model_dump(mode="json") for s in self.stated],
            "warnings": [w.model_dump(mode="json", exclude_none=True) for w in self.warnings],
        }

    def iter_cell_dicts(self):
        """Every cell in long form: table, row, column (or item/metric), value, raw."""
        for row in REQUEST_ROW_KEYS:
            for col in REQUEST_COLUMN_KEYS:
                cell = self.requests.get(row, {}).get(col)
                if cell is not None:
                    yield _cell_dict(Table.REQUESTS, row, col, cell)
        for key in REVIEW_KEYS:
            if key in self.reviews:
                yield _cell_dict(Table.REVIEWS, key, None, self.reviews[key])
        for p in self.proactive:
            yield _cell_dict(Table.PROACTIVE, p.item, p.metric, p.cell)


def _cell_dict(table: Table, row: str, column: str | None, cell: Cell) -> dict[str, Any]:
    out: dict[str, Any] = {
        "table": table.value,
        "row": row,
        "column": column,
        "value": cell.value,
        "raw": cell.raw,
        "kind": cell.kind.value,
        "position": cell.position.model_dump(mode="json", exclude_none=True),
    }
    if cell.note:
        out["note"] = cell.note
    return out

from __future__ import annotations

import pytest

from parsers.report import CellKind
from parsers.values import looks_like_value, text_to_value


@pytest.mark.parametrize(
    ("raw", "value", "kind"),
    [
        ("0", 0, CellKind.NUMBER),
        (" 3 ", 3, CellKind.NUMBER),
        ("１２", 12, CellKind.NUMBER),
        ("+117", 117, CellKind.NUMBER),
        ("-2", -2, CellKind.NUMBER),
        ("增169", 169, CellKind.NUMBER),
        ("减79", -79, CellKind.NUMBER),
        ("1,234", 1234, CellKind.NUMBER),
        ("", 0, CellKind.BLANK),
        ("—", 0, CellKind.BLANK),
        ("/", 0, CellKind.BLANK),
        ("／", 0, CellKind.BLANK),
        ("无", 0, CellKind.BLANK),
        ("-", 0, CellKind.BLANK),
        ("1.1", None, CellKind.UNREADABLE),
        ("\\vdash", None, CellKind.UNREADABLE),
        ("(cid:1234)", None, CellKind.UNREADABLE),
        ("三", None, CellKind.UNREADABLE),
        ("12a", None, CellKind.UNREADABLE),
    ],
)
def test_counts(raw: str, value: int | None, kind: CellKind) -> None:
    assert text_to_value(raw) == (value, kind)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("45822.4584万元", 45822.4584), ("0.5", 0.5), ("12万元", 12), ("3.0", 3)],
)
def test_amounts_keep_their_fraction(raw: str, value: float) -> None:
    assert text_to_value(raw, decimals=True) == (value, CellKind.NUMBER)


def test_a_fraction_is_never_rounded_into_a_count() -> None:
    assert text_to_value("45822.4584万元") == (None, CellKind.UNREADABLE)


@pytest.mark.parametrize(("raw", "expected"), [("0", True), ("—", True), ("", False), ("自然人", False)])
def test_looks_like_value(raw: str, expected: bool) -> None:
    assert looks_like_value(raw) is expected

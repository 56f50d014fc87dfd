"""Printed cell text to a value: ``text_to_value``.

Real reports write ``+117``, ``增169``, ``减79``, ``45822.4584万元``,
full-width digits, ``—`` or ``/`` for zero, and stray spaces. Nothing that is
not clearly a number or a zero mark becomes a number.
"""

from __future__ import annotations

import re

from parsers.form import ZERO_MARKS, nfkc
from parsers.report import CellKind

_NUMBER_RE = re.compile(
    r"^(?P<sign>[+\-]|增加?|减少?|新增)?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?P<unit>万元|元|件|条|个|项|人次|次)?$"
)


#: Digits a value may have: past this a float loses units (2**53), and Python refuses to convert an int
#: of more than 4,300 digits. A count of requests or an amount in 万元 has a handful.
MAX_DIGITS = 15

_ANNOTATED_RE = re.compile(r"^[+\-]?\d[\d,.]*\s*(?:件|条|个|项|次|万元|元)?\s*[(\[（【<《].*$")
_SPLIT_DIGITS_RE = re.compile(r"\d\s+\d")


_SPACE_RE = re.compile(r"\s+")


def _clean(raw: str) -> str:
    return _SPACE_RE.sub("", nfkc(raw))


def is_annotated_number(raw: str) -> bool:
    """A number with a note after it, ``100（含转办2件）``: a value slot that is not a plain number."""
    return _ANNOTATED_RE.match(nfkc(raw).strip()) is not None


def text_to_value(raw: str, *, decimals: bool = False) -> tuple[int | float | None, CellKind]:
    """Parse one cell's printed text.

    ``decimals`` allows fractional values (money amounts); elsewhere a
    fraction such as ``1.1`` is unreadable, not rounded.
    """
    if _SPLIT_DIGITS_RE.search(nfkc(raw)):
        return None, CellKind.UNREADABLE  # "1 0 5": two cells run together, or one number spaced out?
    text = _clean(raw)
    if text in ZERO_MARKS:
        return 0, CellKind.BLANK
    m = _NUMBER_RE.match(text)
    if not m:
        return None, CellKind.UNREADABLE
    digits = m["num"].replace(",", "")
    if len(digits.lstrip("0")) + len(m["frac"] or "") > MAX_DIGITS:
        return None, CellKind.UNREADABLE  # no count or amount has so many digits: damage, not a number
    sign = -1 if m["sign"] in ("-", "减", "减少") else 1
    if m["frac"]:
        if not decimals:
            return None, CellKind.UNREADABLE
        value: int | float = float(digits + m["frac"])
        if value.is_integer():
            value = int(value)
    else:
        value = int(digits)
    return sign * value, CellKind.NUMBER


def looks_like_value(raw: str) -> bool:
    """True for a non-empty cell that reads as a number or a zero mark."""
    text = _clean(raw)
    if not text:
        return False
    if text in ZERO_MARKS:
        return True
    return _NUMBER_RE.match(text) is not None

"""A report's identity — the agency that publishes it and the year — and which of its documents is current.

The same report is often published more than once: the inline page and its
PDF/DOCX attachment (全真版 / 文字版 / 文件下载), a re-post under a new URL, a
correction months later. All of them are documents of one report, identified by
:func:`agency_key` and the report year; the warehouse keeps every one and marks
one **current** (:func:`elect_current`), and the views count only that one.

The rule, in order:

1. An older version of a URL whose newer version parsed is history (``superseded``).
2. The latest published document wins (the portal's 发布时间; an attachment carries
   the date of the page that links it). A document without a date (a local file)
   counts as published before every dated one.
3. Between documents published the same day (or all undated) — alternates of one
   another — the one that reads most completely wins: most readable cells, then
   fewest parse warnings, then the format that keeps the most (HTML, DOCX, text,
   PDF, legacy DOC).
4. Ties are broken by URL, then by the bytes' SHA-256: the same documents always
   give the same answer, whatever order they were loaded in.

The others are ``alternate`` (published the same day as the current one) or
``superseded`` (published earlier, or an older version of a URL).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rawstore.portals import PORTALS

#: How well a reader keeps a report's numbers, best first (rule 3's last criterion).
FORMAT_RANK = {"html": 0, "docx": 1, "text": 2, "pdf": 3, "doc": 4}

_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "［": "(", "］": ")", "【": "(", "】": ")", "﹙": "(", "﹚": ")"})
_SPACE = re.compile(r"\s+")


def _district_prefixes() -> list[tuple[str, str]]:
    """(prefix, district) pairs, longest prefix first: 银川市西夏区, 西夏区, …"""
    pairs = [(p.district, p.district) for p in PORTALS] + [(p.short, p.district) for p in PORTALS]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def agency_key(name: str) -> str:
    """The one spelling of an agency that its reports are grouped by: ``district|name``.

    ``银川市西夏区人民政府办公室``, ``西夏区人民政府办公室`` and ``西夏区 人民政府办公室 `` are one
    agency; full-width and half-width brackets and spaces do not matter (Unicode NFKC, then
    every space removed). The district is the portal district the name starts with (with or
    without its city), or empty when the name names none.
    """
    text = _SPACE.sub("", unicodedata.normalize("NFKC", name).translate(_BRACKETS))
    for prefix, district in _district_prefixes():
        if text.startswith(prefix):
            return f"{district}|{text[len(prefix) :]}"
    return f"|{text}"


@dataclass(frozen=True)
class Candidate:
    """One parsed document of a report identity, with what the rule reads."""

    report_id: int
    urls: tuple[str, ...]  # every URL the bytes were found at
    sha256: str
    published: date | None
    readable_cells: int
    n_warnings: int
    format: str | None
    status: str = "parsed"  # its status before the election
    outdated: bool = False  # an older version of one of its URLs, whose newer version parsed: never current

    def sort_key(self) -> tuple:
        return (
            -(self.published or date.min).toordinal(),
            -self.readable_cells,
            self.n_warnings,
            FORMAT_RANK.get(self.format or "", len(FORMAT_RANK)),
            min(self.urls) if self.urls else "",
            self.sha256,
        )


def elect_current(candidates: list[Candidate]) -> dict[int, str]:
    """The status of every candidate: ``parsed`` (the current one), ``alternate`` or ``superseded``."""
    status = {c.report_id: "superseded" for c in candidates if c.outdated}
    ordered = sorted((c for c in candidates if not c.outdated), key=Candidate.sort_key)
    if not ordered:
        return status
    current = ordered[0]
    status[current.report_id] = "parsed"
    for other in ordered[1:]:
        status[other.report_id] = "alternate" if other.published == current.published else "superseded"
    return status


def fingerprint(agency: str | None, url: str, year: int | None, check: str, scope: str | None) -> str:
    """A finding's identity, stable across runs, re-parses, new versions and a change of current document:
    the report (agency key and year; the URL for a report without an agency), the check and the scope.
    Reviewers' decisions (``flag_reviews``) are keyed by it."""
    key = f"{agency or url}|{year}|{check}|{scope or ''}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]

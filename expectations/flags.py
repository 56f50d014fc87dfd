"""Flags for people: the failing findings of the last run, and reviewers' decisions on them.

A decision is keyed by the finding's fingerprint (agency, year, check, scope),
so it survives re-runs, re-parses and new document versions; it holds while
the numbers stay the same (``numbers_hash``) and re-opens when they change.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from expectations.checks import sum_identity_expectations
from expectations.suite import CHECK_BY_KEY, CHECKS
from warehouse.db import WarehouseError, ensure_writable_schema, translate_errors
from warehouse.models import CheckResult, FlagReview, utcnow
from warehouse.query import REVIEW_STATE_SQL, QueryResult, plain, select_rows


class Decision(StrEnum):
    DISMISSED = "dismissed"
    CONFIRMED = "confirmed"


class UnknownFlag(WarehouseError):
    pass


#: What ``nianbao flags --json/--csv`` prints: one row per finding (docs/checks.md).
FLAG_COLUMNS = ("agency", "district", "year", "check_key", "severity", "scope", "message_zh", "message_en", "url",
                "fingerprint", "review", "stale")  # fmt: skip

_FINDINGS_SQL = f"""SELECT k.report_id, o.agency, o.district, o.year, k.check_key, k.severity, k.outcome, k.scope,
  k.left_value, k.right_value, k.difference, k.cells, k.message_zh, k.message_en, o.url, d.portal, k.fingerprint,
  {REVIEW_STATE_SQL} AS review,
  f.decision AS decision, f.note AS review_note, f.reviewer AS reviewer, f.decided_at AS decided_at,
  CASE WHEN o.check_status = 'unchecked' THEN 1 ELSE 0 END AS stale
FROM check_results k
JOIN report_overview o ON o.report_id = k.report_id
JOIN reports r ON r.id = k.report_id
JOIN documents d ON d.id = r.document_id
LEFT JOIN flag_reviews f ON f.fingerprint = k.fingerprint
WHERE k.outcome IN ({{outcomes}}) {{filters}}
ORDER BY o.district, o.agency, o.year, k.check_key, k.scope"""


def _findings(
    engine: Engine,
    *,
    year: int | None = None,
    district: str | None = None,
    include_uncertain: bool = False,
    include_dismissed: bool = False,
    fingerprint_prefix: str | None = None,
) -> list[dict[str, Any]]:
    """The non-passing findings of the last run, each a dict of :data:`_FINDINGS_SQL`'s columns."""
    filters, params = [], {}
    if year is not None:
        filters.append("AND o.year = :year")
        params["year"] = year
    if district:
        filters.append("AND (o.district = :district OR o.district LIKE :district_like)")
        params |= {"district": district, "district_like": f"%{district}%"}
    if fingerprint_prefix is not None:
        filters.append("AND k.fingerprint LIKE :fp")
        params["fp"] = f"{fingerprint_prefix}%"
    outcomes = "'FAIL', 'UNCERTAIN'" if include_uncertain else "'FAIL'"
    result = select_rows(engine, _FINDINGS_SQL.format(outcomes=outcomes, filters=" ".join(filters)), params)
    rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    for row in rows:  # the report changed since the run that found this (report_overview.check_status)
        row["stale"] = bool(row["stale"])
    if not include_dismissed:
        rows = [row for row in rows if row["review"] != Decision.DISMISSED.value]
    return rows


def list_flags(
    engine: Engine,
    *,
    year: int | None = None,
    district: str | None = None,
    include_uncertain: bool = False,
    include_dismissed: bool = False,
) -> QueryResult:
    """Failing findings, one row each: agency, year, check, message and source URL (dismissed ones hidden)."""
    rows = _findings(engine, year=year, district=district, include_uncertain=include_uncertain,
                     include_dismissed=include_dismissed)  # fmt: skip
    return QueryResult(list(FLAG_COLUMNS), [tuple(row[c] for c in FLAG_COLUMNS) for row in rows])


#: A report's review state is its most urgent finding's: a re-opened flag first, then an open one.
REVIEW_ORDER = ("reopened", "open", "confirmed", "dismissed")


@dataclass(frozen=True)
class FlaggedReport:
    """One flagged report, however many checks, scopes and copies its findings cover."""

    report_id: int
    agency: str | None
    district: str | None
    year: int | None
    portal: str | None
    url: str | None
    checks: tuple[str, ...]  # the failing checks' keys, in the suite's order
    #: the largest |left - right| over its sum identities' findings (None: only other kinds of check failed)
    largest_difference: float | None
    fingerprints: tuple[str, ...]  # every finding of the report, in the order of ``checks``
    review: str  # the most urgent of its findings' review states (REVIEW_ORDER)
    reviews: dict[str, int]  # review state -> findings, in REVIEW_ORDER
    severity: str  # error when any of its findings is an error, else warning
    #: the report changed since the run that flagged it (loaded, re-parsed, or its previous year or another
    #: copy changed: report_overview.check_status is unchecked): the flags are of the report as it was
    stale: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "checks": list(self.checks), "fingerprints": list(self.fingerprints)}


def _has_sum(check_key: str) -> bool:
    """Whether a check's left - right is a gap between two sums (not a year, a form or a count of cells)."""
    check = CHECK_BY_KEY.get(check_key)
    return check is not None and check.expectations is sum_identity_expectations


def _urgency(review: str) -> int:
    return REVIEW_ORDER.index(review) if review in REVIEW_ORDER else 0


def findings_to_reports(findings: list[dict[str, Any]]) -> list[FlaggedReport]:
    """Group findings (rows of :func:`_findings`) by report, in the order the reports first appear."""
    order = {c.key: i for i, c in enumerate(CHECKS)}
    by_report: dict[int, list[dict[str, Any]]] = {}
    for row in findings:
        by_report.setdefault(row["report_id"], []).append(row)
    reports = []
    for report_id, rows in by_report.items():
        rows = sorted(rows, key=lambda r: (order.get(r["check_key"], len(order)), r["scope"] or ""))
        gaps = [abs(r["difference"]) for r in rows if r["difference"] is not None and _has_sum(r["check_key"])]
        first = rows[0]
        reports.append(
            FlaggedReport(
                report_id=report_id, agency=first["agency"], district=first["district"], year=first["year"],
                portal=first["portal"], url=first["url"],
                checks=tuple(dict.fromkeys(r["check_key"] for r in rows)),
                largest_difference=plain(max(gaps)) if gaps else None,
                fingerprints=tuple(r["fingerprint"] for r in rows),
                review=min((r["review"] for r in rows), key=_urgency),
                reviews=dict(sorted(Counter(r["review"] for r in rows).items(), key=lambda kv: _urgency(kv[0]))),
                severity="error" if any(r["severity"] == "error" for r in rows) else "warning",
                stale=any(r.get("stale") for r in rows),
            )
        )  # fmt: skip
    return reports


def flagged_reports(
    engine: Engine,
    *,
    year: int | None = None,
    district: str | None = None,
    include_uncertain: bool = False,
    include_dismissed: bool = False,
) -> list[FlaggedReport]:
    """The flagged reports of the last run, one record each (``nianbao flags``, demo, run, the nightly
    artifact); a report whose every finding is dismissed is left out unless ``include_dismissed``."""
    findings = _findings(engine, year=year, district=district, include_uncertain=include_uncertain,
                         include_dismissed=include_dismissed)  # fmt: skip
    return findings_to_reports(findings)


def flag_evidence(engine: Engine, fp: str) -> dict[str, Any]:
    """Everything stored about one finding, named by its fingerprint or a unique prefix of it: check, scope,
    both sides, difference, the cells involved, both messages, the URL, the review."""
    prefix = fp.strip().lower()
    if not re.fullmatch(r"[0-9a-f]+", prefix):
        raise UnknownFlag(f"{fp!r} is no fingerprint: give its hex digits, as `nianbao flags --details` shows them")
    rows = _findings(engine, include_uncertain=True, include_dismissed=True, fingerprint_prefix=prefix)
    if not rows:
        raise UnknownFlag(f"no current flag has fingerprint {fp!r} (see `nianbao flags --details`)")
    if len({r["fingerprint"] for r in rows}) > 1:
        raise UnknownFlag(f"fingerprint prefix {fp!r} is ambiguous: give more characters")
    row = dict(rows[0])
    cells = row["cells"]
    row["cells"] = json.loads(cells) if isinstance(cells, str) else (cells or [])
    row["sum_identity"] = _has_sum(row["check_key"])  # whether left - right is a gap between two sums
    return row


def review_flag(engine: Engine, fp: str, decision: Decision, note: str | None, reviewer: str | None = None) -> str:
    """Record a reviewer's decision on the finding ``fp`` (a fingerprint, or a unique prefix of one)."""
    ensure_writable_schema(engine)
    with translate_errors(str(engine.url)), Session(engine) as session, session.begin():
        matches = session.execute(
            sa.select(CheckResult.fingerprint, CheckResult.numbers_hash)
            .where(CheckResult.fingerprint.like(f"{fp}%"), CheckResult.outcome.in_(["FAIL", "UNCERTAIN"]))
            .distinct()
        ).all()
        if not matches:
            raise UnknownFlag(f"no current flag has fingerprint {fp!r} (see `nianbao flags`)")
        if len({m[0] for m in matches}) > 1:
            raise UnknownFlag(f"fingerprint prefix {fp!r} is ambiguous: give more characters")
        fingerprint, numbers_hash = matches[0]
        review = session.get(FlagReview, fingerprint) or FlagReview(fingerprint=fingerprint, decision=decision.value)
        review.decision, review.note, review.reviewer = decision.value, note, reviewer
        review.numbers_hash, review.decided_at = numbers_hash, utcnow()
        session.add(review)
        return fingerprint

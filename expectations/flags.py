"""Flags for people: the failing findings of the last run, and reviewers' decisions on them.

A decision is keyed by the finding's fingerprint (agency, year, check, scope),
so it survives re-runs, re-parses and new document versions; it holds while
the numbers stay the same (``numbers_hash``) and re-opens when they change.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from warehouse.db import WarehouseError, ensure_writable_schema, translate_errors
from warehouse.models import CheckResult, FlagReview, utcnow
from warehouse.query import QueryResult, select_rows


class Decision(StrEnum):
    DISMISSED = "dismissed"
    CONFIRMED = "confirmed"


class UnknownFlag(WarehouseError):
    pass


_FLAGS_SQL = """SELECT o.agency, o.district, o.year, k.check_key, k.severity, k.scope, k.message_zh, k.message_en,
  o.url, k.fingerprint,
  CASE WHEN f.fingerprint IS NULL THEN 'open'
       WHEN f.numbers_hash = k.numbers_hash THEN f.decision
       ELSE 'reopened' END AS review
FROM check_results k
JOIN report_overview o ON o.report_id = k.report_id
LEFT JOIN flag_reviews f ON f.fingerprint = k.fingerprint
WHERE k.outcome IN ({outcomes}) {filters}
ORDER BY o.district, o.agency, o.year, k.check_key, k.scope"""


def list_flags(
    engine: Engine,
    *,
    year: int | None = None,
    district: str | None = None,
    include_uncertain: bool = False,
    include_dismissed: bool = False,
) -> QueryResult:
    """Failing findings with agency, year, check, message and source URL (dismissed ones hidden)."""
    filters, params = [], {}
    if year is not None:
        filters.append("AND o.year = :year")
        params["year"] = year
    if district:
        filters.append("AND (o.district = :district OR o.district LIKE :district_like)")
        params |= {"district": district, "district_like": f"%{district}%"}
    outcomes = "'FAIL', 'UNCERTAIN'" if include_uncertain else "'FAIL'"
    result = select_rows(engine, _FLAGS_SQL.format(outcomes=outcomes, filters=" ".join(filters)), params)
    if not include_dismissed:
        review = result.columns.index("review")
        result.rows = [row for row in result.rows if row[review] != Decision.DISMISSED.value]
    return result


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

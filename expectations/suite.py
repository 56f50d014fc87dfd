"""The whole suite: every check, each declared once in its subject's file."""

from __future__ import annotations

from expectations import copies, history, report, requests, reviews
from expectations.checks import Check

CHECKS: tuple[Check, ...] = requests.CHECKS + reviews.CHECKS + report.CHECKS + history.CHECKS + copies.CHECKS
CHECK_BY_KEY: dict[str, Check] = {c.key: c for c in CHECKS}

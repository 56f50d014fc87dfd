"""The counts behind the run report's charts (flows/charts.py): read from the documented views and tables.

Three questions, one query each, the same SQL on SQLite and PostgreSQL:

- requests per district and year: row 一、本年新收 (the first request row), column 总计, over the current
  reports (``report_requests``), with how many reports printed no readable total (never counted as 0);
- reports checked vs flagged per portal and year: the current reports (``report_overview``, status
  ``parsed``), those checked as they are now (``check_status`` is not ``unchecked``: a report loaded or
  re-parsed since the last check run is not counted as checked), and of those, the ones with an open
  flag (a FAIL whose review state, ``warehouse.query.REVIEW_STATE_SQL`` as ``nianbao flags`` shows it,
  is not ``dismissed``);
- the failing checks by kind: per check key, how many checked current reports it flags (open flags).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from parsers.form import REQUEST_COLUMN_KEYS, REQUEST_ROW_KEYS
from warehouse.db import translate_errors
from warehouse.query import REVIEW_STATE_SQL

#: The request row and column the requests chart counts: 一、本年新收 and 总计.
NEW_REQUESTS_ROW = REQUEST_ROW_KEYS[0]
TOTAL_COLUMN = REQUEST_COLUMN_KEYS[-1]
#: A portal for reports that came from no crawl (``nianbao load`` of local files).
NO_PORTAL = "local"


@dataclass(frozen=True)
class DistrictYear:
    district: str
    year: int
    new_requests: float  # the sum of the readable totals
    reports: int  # current reports of the district and year that print the row
    unreadable: int  # of those, how many print no readable total (not in the sum)


@dataclass(frozen=True)
class PortalYear:
    portal: str
    year: int
    reports: int  # current reports
    checked: int  # checked as they are now (report_overview.check_status is not unchecked)
    flagged: int  # of those, with at least one open flag


@dataclass(frozen=True)
class CheckCount:
    check_key: str
    flagged: int  # current reports with an open flag of this check


@dataclass(frozen=True)
class WarehouseStats:
    requests: list[DistrictYear]
    checks: list[PortalYear]
    failing: list[CheckCount]
    reports: int  # current reports
    failed_documents: int  # documents that are no readable report (status failed)
    checked_reports: int
    flagged_reports: int
    as_of: str | None  # when the newest document entered the warehouse (ISO), None when it is empty

    @property
    def empty(self) -> bool:
        return self.reports == 0


_REQUESTS_SQL = f"""SELECT COALESCE(district, '') AS district, year, SUM({TOTAL_COLUMN}) AS new_requests,
  COUNT(*) AS reports, SUM(CASE WHEN {TOTAL_COLUMN} IS NULL THEN 1 ELSE 0 END) AS unreadable
FROM report_requests WHERE row_key = :row AND year IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2"""

#: the checked current reports ``o`` (report_overview): checked as they are now
_CHECKED = "o.status = 'parsed' AND o.check_status <> 'unchecked'"
#: an open flag of report ``o``: a FAIL whose review state is not dismissed, as ``nianbao flags`` shows it
_OPEN_FAIL = f"""EXISTS (SELECT 1 FROM check_results k LEFT JOIN flag_reviews f ON f.fingerprint = k.fingerprint
  WHERE k.report_id = o.report_id AND k.outcome = 'FAIL' AND {REVIEW_STATE_SQL} <> 'dismissed')"""

_CHECKS_SQL = f"""SELECT COALESCE(a.portal, d.portal, :none) AS portal, o.year AS year, COUNT(*) AS reports,
  SUM(CASE WHEN {_CHECKED} THEN 1 ELSE 0 END) AS checked,
  SUM(CASE WHEN {_CHECKED} AND {_OPEN_FAIL} THEN 1 ELSE 0 END) AS flagged
FROM report_overview o
JOIN reports r ON r.id = o.report_id
JOIN documents d ON d.id = r.document_id
LEFT JOIN agencies a ON a.id = r.agency_id
WHERE o.status = 'parsed' AND o.year IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2"""

_FAILING_SQL = f"""SELECT k.check_key AS check_key, COUNT(DISTINCT k.report_id) AS flagged
FROM check_results k JOIN report_overview o ON o.report_id = k.report_id
LEFT JOIN flag_reviews f ON f.fingerprint = k.fingerprint
WHERE {_CHECKED} AND k.outcome = 'FAIL' AND {REVIEW_STATE_SQL} <> 'dismissed'
GROUP BY k.check_key ORDER BY 2 DESC, 1"""

_TOTALS_SQL = f"""SELECT
  (SELECT COUNT(*) FROM reports WHERE status = 'parsed') AS reports,
  (SELECT COUNT(*) FROM reports WHERE status = 'failed') AS failed_documents,
  (SELECT COUNT(*) FROM report_overview o WHERE {_CHECKED}) AS checked,
  (SELECT COUNT(*) FROM report_overview o WHERE {_CHECKED} AND {_OPEN_FAIL}) AS flagged,
  (SELECT MAX(loaded_at) FROM documents) AS as_of"""


def _number(value: object) -> float:
    return float(value) if value is not None else 0.0


def warehouse_stats(engine: Engine) -> WarehouseStats:
    """The counts of the run report; an empty (or not yet created) warehouse gives empty lists and zeros."""
    with translate_errors(str(engine.url)), engine.connect() as conn:
        if "report_requests" not in set(sa.inspect(conn).get_view_names()):
            return WarehouseStats([], [], [], 0, 0, 0, 0, None)
        requests = [
            DistrictYear(row.district, int(row.year), _number(row.new_requests), int(row.reports), int(row.unreadable))
            for row in conn.execute(sa.text(_REQUESTS_SQL), {"row": NEW_REQUESTS_ROW})
        ]
        checks = [
            PortalYear(row.portal, int(row.year), int(row.reports), int(row.checked or 0), int(row.flagged or 0))
            for row in conn.execute(sa.text(_CHECKS_SQL), {"none": NO_PORTAL})
        ]
        failing = [CheckCount(row.check_key, int(row.flagged)) for row in conn.execute(sa.text(_FAILING_SQL))]
        totals = conn.execute(sa.text(_TOTALS_SQL)).one()
    as_of = totals.as_of
    if as_of is not None and hasattr(as_of, "isoformat"):
        as_of = as_of.isoformat(sep=" ", timespec="seconds")
    elif as_of is not None:
        as_of = str(as_of).split(".")[0]
    return WarehouseStats(
        requests, checks, failing, int(totals.reports), int(totals.failed_documents), int(totals.checked or 0),
        int(totals.flagged or 0), as_of,
    )  # fmt: skip

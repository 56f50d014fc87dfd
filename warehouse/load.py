"""Loading parsed reports: idempotent, versioned, all-or-nothing per document.

* The same bytes at the same URL again change nothing (``unchanged``).
* New bytes at a known URL are a new document version; once they parse, the
  previous version's report is marked ``superseded`` (history kept).
* A document parsed by an older parser version is re-parsed and its cells
  replaced in one transaction (``reparsed``).
* A document that does not parse is stored as a ``failed`` report with the
  error, and supersedes nothing; a page that only links its report (a
  ``.doc``/``.pdf`` attachment) is stored as ``in_attachment``, with the links in
  ``error``: not a failure, its report is read from the attachment.

The warehouse stores what it is given — a :class:`~parsers.report.Report` or a
:class:`~parsers.errors.ParseFailure` — and never parses: the flows (and
``flows/ingest.py`` for local files) parse, then call :func:`store_report`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from parsers.errors import ParseFailure, ReportInAttachment
from parsers.report import PARSER_VERSION, Report
from rawstore.manifest import ManifestRecord
from rawstore.portals import PORTALS, portal_for_agency
from warehouse.db import ensure_writable_schema, translate_errors
from warehouse.models import Agency, AgencyLevel, Document, ReportStatus, StoredCell, StoredReport, utcnow


class LoadStatus(StrEnum):
    NEW = "new"
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    REPARSED = "reparsed"
    FAILED = "failed"  # stored, with the parse error
    IN_ATTACHMENT = "in_attachment"  # stored: a page that holds no report of its own, only a link to it


@dataclass
class DocumentInfo:
    """What is known of a document besides its bytes (from the crawl, or the command line)."""

    url: str
    portal: str | None = None
    fetched_at: datetime | None = None
    content_type: str | None = None
    title: str | None = None
    published_date: date | None = None
    source_page_url: str | None = None

    @classmethod
    def from_record(cls, record: ManifestRecord) -> DocumentInfo:
        return cls(
            url=record.url,
            portal=record.portal,
            fetched_at=_datetime(record.fetched_at),
            content_type=record.content_type,
            title=record.title,
            published_date=_date(record.published_date),
            source_page_url=record.source_page_url,
        )


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass
class LoadResult:
    url: str
    sha256: str
    status: LoadStatus
    report_id: int
    document_id: int
    error: str | None = None
    superseded: tuple[int, ...] = ()


_TOWNSHIP_RE = re.compile(r"(乡|镇|街道|街道办事处|街道办)(人民政府)?$")
_DISTRICT_GOV_RE = re.compile(r"^[^局委办厅处]*?(区|县|市|旗)(人民政府)?$")


def agency_level(name: str) -> AgencyLevel:
    if _TOWNSHIP_RE.search(name) or "街道办事处" in name:
        return AgencyLevel.TOWNSHIP
    if any(name in (p.district, p.short, p.short + "人民政府", p.district + "人民政府") for p in PORTALS):
        return AgencyLevel.DISTRICT
    if _DISTRICT_GOV_RE.match(name):
        return AgencyLevel.DISTRICT
    return AgencyLevel.DEPARTMENT


def _agency(session: Session, name: str | None, portal: str | None) -> int | None:
    if not name:
        return None
    found = session.exec(select(Agency).where(Agency.name == name)).first()
    if found is not None:
        return found.id
    home = portal_for_agency(name)
    agency = Agency(
        name=name,
        district=home.district if home else None,
        portal=portal or (home.key if home else None),
        level=agency_level(name).value,
    )
    session.add(agency)
    session.flush()
    return agency.id


#: ``cells.tbl`` of the counts the narrative states (one row each; several cells joined by "+").
NARRATIVE = "narrative"


def _cell_rows(report_id: int, report: Report) -> list[dict]:
    """The report's table cells, then the counts its narrative states, in long form."""
    rows = [
        {
            "report_id": report_id,
            "tbl": cell["table"],
            "row_key": cell["row"],
            "column_key": cell["column"],
            "ordinal": n,
            "value": cell["value"],
            "raw": cell["raw"][:200],
            "kind": cell["kind"],
            "position": cell["position"] or None,
            "note": cell.get("note"),
        }
        for n, cell in enumerate(report.iter_cell_dicts())
    ]
    for stated in report.stated:
        columns = {column for _, column in stated.cells}
        rows.append(
            {
                "report_id": report_id,
                "tbl": NARRATIVE,
                "row_key": "+".join(row for row, _ in stated.cells),
                "column_key": columns.pop() if len(columns) == 1 else None,
                "ordinal": len(rows),
                "value": stated.value,
                "raw": stated.text[:200],
                "kind": "number",
                "position": {"table": stated.table.value},
                "note": None,
            }
        )
    return rows


def _in_attachment(error: ParseFailure | None) -> bool:
    return error is not None and error.code == ReportInAttachment.code


def _failure_status(error: ParseFailure | None) -> LoadStatus:
    return LoadStatus.IN_ATTACHMENT if _in_attachment(error) else LoadStatus.FAILED


def _report_fields(report: Report | None, error: ParseFailure | None) -> dict:
    if report is None:
        return {
            "status": (ReportStatus.IN_ATTACHMENT if _in_attachment(error) else ReportStatus.FAILED).value,
            "error_code": error.code if error else "parse_error",
            "error": str(error) if error else None,
            "agency_id": None, "year": None, "form": None, "table_forms": None, "title": None, "format": None,
            "period_start": None, "period_end": None, "form_reference": None, "contact": None, "preamble": None,
            "sections": None, "warnings": None, "n_warnings": 0,
        }  # fmt: skip
    data = report.to_json_dict()
    return {
        "status": ReportStatus.PARSED.value,
        "error_code": None,
        "error": None,
        "year": report.year,
        "form": report.form.value,
        "table_forms": data["table_forms"],
        "title": (report.title or "")[:500] or None,
        "format": report.format,
        "period_start": date.fromisoformat(report.period.start) if report.period else None,
        "period_end": date.fromisoformat(report.period.end) if report.period else None,
        "form_reference": report.form_reference,
        "contact": report.contact,
        "preamble": report.preamble,
        "sections": data["sections"],
        "warnings": data["warnings"],
        "n_warnings": len(report.warnings),
    }


def _write_report(
    session: Session, row: StoredReport, report: Report | None, error: ParseFailure | None, portal: str | None
) -> None:
    """Fill ``row`` from the parse and replace its cells (inside the caller's transaction)."""
    fields = _report_fields(report, error)
    if report is not None:
        fields["agency_id"] = _agency(session, report.agency, portal)
    for key, value in fields.items():
        setattr(row, key, value)
    row.parser_version = PARSER_VERSION
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    session.execute(sa.delete(StoredCell).where(StoredCell.report_id == row.id))
    if report is not None:
        cells = _cell_rows(row.id, report)  # type: ignore[arg-type]
        if cells:
            session.connection().execute(sa.insert(StoredCell.__table__), cells)  # Core: batched VALUES


def _stored(engine: Engine, url: str, sha256: str) -> tuple[Document | None, StoredReport | None]:
    with Session(engine) as session:
        known = session.exec(select(Document).where(Document.url == url, Document.sha256 == sha256)).first()
        stored = (
            session.exec(select(StoredReport).where(StoredReport.document_id == known.id)).first() if known else None
        )
        return known, stored


def current_load(engine: Engine, url: str, sha256: str) -> LoadResult | None:
    """The stored result for these bytes at this URL if this parser version made it (nothing to do), else None."""
    with translate_errors(str(engine.url)):
        ensure_writable_schema(engine)
        known, stored = _stored(engine, url, sha256)
    if known is not None and stored is not None and stored.parser_version == PARSER_VERSION:
        return LoadResult(url, sha256, LoadStatus.UNCHANGED, stored.id, known.id, stored.error)  # type: ignore[arg-type]
    return None


def store_report(
    engine: Engine,
    info: DocumentInfo,
    sha256: str,
    parsed: Report | ParseFailure,
    *,
    raw_path: str | None = None,
) -> LoadResult:
    """Store the parse of the bytes ``sha256`` as the document at ``info.url``; one transaction.

    ``raw_path`` is where the bytes are in the raw store (relative to its root), if they are kept.
    """
    report = parsed if isinstance(parsed, Report) else None
    error = parsed if isinstance(parsed, ParseFailure) else None
    with translate_errors(str(engine.url)):
        unchanged = current_load(engine, info.url, sha256)
        if unchanged is not None:
            return unchanged
        known, stored = _stored(engine, info.url, sha256)
        with Session(engine) as session, session.begin():
            superseded: tuple[int, ...] = ()
            if known is not None and stored is not None:
                stored = session.get(StoredReport, stored.id)
                status = LoadStatus.REPARSED if report is not None else _failure_status(error)
                document_id = known.id
            else:
                versions = session.exec(select(sa.func.max(Document.version)).where(Document.url == info.url)).one()
                previous = versions or 0
                document = Document(
                    url=info.url, sha256=sha256, version=previous + 1, portal=info.portal,
                    fetched_at=info.fetched_at, content_type=info.content_type, raw_path=raw_path,
                    title=info.title, published_date=info.published_date, source_page_url=info.source_page_url,
                )  # fmt: skip
                session.add(document)
                session.flush()
                document_id = document.id
                stored = StoredReport(document_id=document.id, parser_version=PARSER_VERSION, status="", n_warnings=0)
                if report is None:
                    status = _failure_status(error)
                else:
                    status = LoadStatus.NEW_VERSION if previous else LoadStatus.NEW
                    superseded = _supersede(session, info.url, document.id)
            _write_report(session, stored, report, error, info.portal)  # type: ignore[arg-type]
            return LoadResult(
                info.url,
                sha256,
                status,
                stored.id,
                document_id,
                str(error) if error else None,
                superseded,  # type: ignore[arg-type, union-attr]
            )


def _supersede(session: Session, url: str, keep_document_id: int) -> tuple[int, ...]:
    """Mark the current parsed reports of older versions of ``url`` as superseded."""
    older = session.exec(
        select(StoredReport)
        .join(Document, Document.id == StoredReport.document_id)
        .where(
            Document.url == url,
            Document.id != keep_document_id,
            StoredReport.status == ReportStatus.PARSED.value,
        )
    ).all()
    for row in older:
        row.status = ReportStatus.SUPERSEDED.value
        row.updated_at = utcnow()
        session.add(row)
    return tuple(r.id for r in older)  # type: ignore[misc]

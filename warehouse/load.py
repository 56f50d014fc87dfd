"""Loading parsed reports: idempotent, versioned, all-or-nothing per document.

* The same bytes at the same URL again change nothing (``unchanged``).
* The same bytes at another URL are the same document with one more URL
  (``new_url``, a row in ``document_urls``; nothing is parsed again).
* New bytes at a known URL are a new document version; once they parse, the
  previous version's report is marked ``superseded`` (history kept).
* After every load the report's current document is chosen again among all the
  documents of its agency and year (warehouse/identity.py): the others become
  ``alternate`` or ``superseded``, and the views count the report once.
* A document parsed by an older parser version is re-parsed and its cells
  replaced in one transaction (``reparsed``).
* A document that does not parse is stored as a ``failed`` report with the
  error, and supersedes nothing; a page that only links its report (a
  ``.doc``/``.pdf`` attachment) is stored as ``in_attachment``, with the links in
  ``error``: not a failure, its report is read from the attachment.

The warehouse stores what it is given — a :class:`~parsers.report.Report` or a
:class:`~parsers.errors.ParseFailure` — and never parses: the flows (and
``flows/ingest.py`` for local files) parse, then call :func:`store_report`.
Each document's transaction holds the warehouse's write lock
(:func:`warehouse.db.write_transaction`), so concurrent loads take turns.
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
from warehouse.db import ensure_writable_schema, translate_errors, write_transaction
from warehouse.identity import Candidate, agency_key, elect_current
from warehouse.models import (
    Agency,
    AgencyLevel,
    Document,
    DocumentUrl,
    ReportStatus,
    StoredCell,
    StoredReport,
    utcnow,
)


class LoadStatus(StrEnum):
    NEW = "new"
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    REPARSED = "reparsed"
    NEW_URL = "new_url"  # bytes already stored under another URL: one document, one more URL
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
    error_code: str | None = None  # the ParseError's code (a headline for people: nianbao/messages.py)


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
        key=agency_key(name),
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
    """The document with these bytes (the one first found at ``url`` if there are several), and its report."""
    with Session(engine) as session:
        return _stored_in(session, url, sha256)


def _stored_in(session: Session, url: str, sha256: str) -> tuple[Document | None, StoredReport | None]:
    candidates = session.exec(select(Document).where(Document.sha256 == sha256).order_by(Document.id)).all()
    known = next((d for d in candidates if d.url == url), candidates[0] if candidates else None)
    stored = session.exec(select(StoredReport).where(StoredReport.document_id == known.id)).first() if known else None
    return known, stored


def _has_url(session: Session, document_id: int, url: str) -> bool:
    found = session.exec(
        select(DocumentUrl.id).where(DocumentUrl.document_id == document_id, DocumentUrl.url == url)
    ).first()
    return found is not None


def current_load(engine: Engine, url: str, sha256: str) -> LoadResult | None:
    """The stored result for these bytes at this URL if this parser version made it (nothing to do), else None."""
    with translate_errors(str(engine.url)):
        ensure_writable_schema(engine)
        known, stored = _stored(engine, url, sha256)
        if known is None or stored is None or stored.parser_version != PARSER_VERSION:
            return None
        with Session(engine) as session:
            if not _has_url(session, known.id, url):  # type: ignore[arg-type]
                return None  # the bytes are known, the URL is not: attach_url records it
    return _known_result(url, sha256, LoadStatus.UNCHANGED, stored, known)


def _known_result(url: str, sha256: str, status: LoadStatus, stored: StoredReport, known: Document) -> LoadResult:
    """The result for bytes stored before: their report's id, and its error (with its code) if it failed."""
    return LoadResult(url, sha256, status, stored.id, known.id, stored.error, error_code=stored.error_code)  # type: ignore[arg-type]


def attach_url(engine: Engine, info: DocumentInfo, sha256: str) -> LoadResult | None:
    """Identical bytes already stored (and parsed by this parser version) under another URL: record this URL
    on that document, parse nothing, and return ``new_url``. None when the bytes still need a parse."""
    with translate_errors(str(engine.url)):
        ensure_writable_schema(engine)
        known, stored = _stored(engine, info.url, sha256)
        if known is None or stored is None or stored.parser_version != PARSER_VERSION:
            return None
        with write_transaction(engine) as conn, Session(bind=conn) as session:
            known, stored = _stored_in(session, info.url, sha256)
            if known is None or stored is None or stored.parser_version != PARSER_VERSION:
                return None  # another load changed it meanwhile: parse as usual
            status = LoadStatus.UNCHANGED
            if not _has_url(session, known.id, info.url):  # type: ignore[arg-type]
                _add_url(session, known.id, info)  # type: ignore[arg-type]
                status = LoadStatus.NEW_URL
                _elect(session, _groups(session, [stored.id]))  # type: ignore[list-item]
            session.flush()
            return _known_result(info.url, sha256, status, stored, known)


def _next_version(session: Session, url: str) -> int:
    versions = session.exec(select(sa.func.max(DocumentUrl.version)).where(DocumentUrl.url == url)).one()
    return (versions or 0) + 1


def _add_url(session: Session, document_id: int, info: DocumentInfo) -> DocumentUrl:
    row = DocumentUrl(
        document_id=document_id, url=info.url, version=_next_version(session, info.url), portal=info.portal,
        fetched_at=info.fetched_at, published_date=info.published_date, source_page_url=info.source_page_url,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def store_report(
    engine: Engine,
    info: DocumentInfo,
    sha256: str,
    parsed: Report | ParseFailure,
    *,
    raw_path: str | None = None,
    elect: bool = True,
) -> LoadResult:
    """Store the parse of the bytes ``sha256`` as the document at ``info.url``; one transaction.

    ``raw_path`` is where the bytes are in the raw store (relative to its root), if they are kept.
    Identical bytes already stored under another URL are that document, with one more URL.
    With ``elect`` (the default) the report's current document is chosen again
    (warehouse/identity.py); ``nianbao check`` of files passes False to check every file.
    The transaction holds the warehouse's write lock, so concurrent loads of the same files take
    turns and the second finds the first one's rows.
    """
    report = parsed if isinstance(parsed, Report) else None
    error = parsed if isinstance(parsed, ParseFailure) else None
    with translate_errors(str(engine.url)):
        unchanged = current_load(engine, info.url, sha256)
        if unchanged is not None:
            return unchanged
        with write_transaction(engine) as conn, Session(bind=conn) as session:
            known, stored = _stored_in(session, info.url, sha256)
            if known is not None and stored is not None and stored.parser_version == PARSER_VERSION:
                # stored meanwhile (a concurrent load), or the same bytes under another URL
                status = LoadStatus.UNCHANGED
                if not _has_url(session, known.id, info.url):  # type: ignore[arg-type]
                    _add_url(session, known.id, info)  # type: ignore[arg-type]
                    status = LoadStatus.NEW_URL
                    if elect:
                        _elect(session, _groups(session, [stored.id]))  # type: ignore[list-item]
                session.flush()
                return _known_result(info.url, sha256, status, stored, known)
            before: set[tuple[str | None, int | None, int | None]] = set()
            if known is not None and stored is not None:
                before = _groups(session, [stored.id])  # type: ignore[list-item]
                status = LoadStatus.REPARSED if report is not None else _failure_status(error)
                document_id = known.id
                if not _has_url(session, known.id, info.url):  # type: ignore[arg-type]
                    _add_url(session, known.id, info)  # type: ignore[arg-type]
            else:
                version = _next_version(session, info.url)
                document = Document(
                    url=info.url, sha256=sha256, version=version, portal=info.portal,
                    fetched_at=info.fetched_at, content_type=info.content_type, raw_path=raw_path,
                    title=info.title, published_date=info.published_date, source_page_url=info.source_page_url,
                )  # fmt: skip
                session.add(document)
                session.flush()
                document_id = document.id
                _add_url(session, document.id, info)  # type: ignore[arg-type]
                stored = StoredReport(document_id=document.id, parser_version=PARSER_VERSION, status="", n_warnings=0)
                if report is None:
                    status = _failure_status(error)
                else:
                    status = LoadStatus.NEW_VERSION if version > 1 else LoadStatus.NEW
            _write_report(session, stored, report, error, info.portal)  # type: ignore[arg-type]
            superseded: tuple[int, ...] = ()
            if elect:
                groups = before | _groups(session, [stored.id]) | _url_groups(session, document_id)  # type: ignore[list-item, arg-type]
                changed = _elect(session, groups)
                superseded = tuple(
                    sorted(r for r, (old, new) in changed.items() if old == "parsed" != new and r != stored.id)
                )
            session.flush()
            return LoadResult(
                info.url,
                sha256,
                status,
                stored.id,  # type: ignore[arg-type]
                document_id,  # type: ignore[arg-type]
                str(error) if error else None,
                superseded,
                error.code if error else None,
            )


#: Statuses of documents that carry no report of their own: never a candidate for current.
NO_REPORT = (ReportStatus.FAILED.value, ReportStatus.IN_ATTACHMENT.value)
NO_REPORT_SQL = "(" + ", ".join(f"'{s}'" for s in NO_REPORT) + ")"

#: A report identity: (agency key, year, report id) — the report id only when the report has no
#: agency or year, so that it stands alone.
Group = tuple[str | None, int | None, int | None]


def _groups(session: Session, report_ids: list[int]) -> set[Group]:
    """The identities of these reports."""
    rows = session.execute(
        sa.select(StoredReport.id, Agency.key, StoredReport.year, StoredReport.status)
        .outerjoin(Agency, Agency.id == StoredReport.agency_id)
        .where(StoredReport.id.in_(report_ids))
    ).all()
    return {_group(rid, key, year) for rid, key, year, status in rows if status not in NO_REPORT}


def _group(report_id: int, key: str | None, year: int | None) -> Group:
    return (key, year, None) if key is not None and year is not None else (None, None, report_id)


def _url_groups(session: Session, document_id: int) -> set[Group]:
    """The identities of the other documents at this document's URLs (older versions to supersede)."""
    urls = sa.select(DocumentUrl.url).where(DocumentUrl.document_id == document_id)
    others = sa.select(DocumentUrl.document_id).where(DocumentUrl.url.in_(urls))
    ids = session.execute(sa.select(StoredReport.id).where(StoredReport.document_id.in_(others))).scalars().all()
    return _groups(session, list(ids))


def _elect(session: Session, groups: set[Group]) -> dict[int, tuple[str, str]]:
    """Choose the current document of each identity (warehouse/identity.py) and set the statuses;
    return the reports whose status changed, with (old, new)."""
    session.flush()
    return elect(session.connection(), groups)


def elect(conn: sa.Connection, groups: set[Group]) -> dict[int, tuple[str, str]]:
    """:func:`_elect` on a connection (also run by migration 0004 over every identity)."""
    changed: dict[int, tuple[str, str]] = {}
    for group in sorted(groups, key=str):
        found = candidates(conn, group)
        statuses = elect_current(found)
        old = {c.report_id: c.status for c in found}
        for report_id, status in statuses.items():
            if old[report_id] != status:
                conn.execute(
                    sa.update(StoredReport.__table__)
                    .where(StoredReport.__table__.c.id == report_id)
                    .values(status=status, updated_at=utcnow())
                )
                changed[report_id] = (old[report_id], status)
    return changed


def candidates(conn: sa.Connection, group: Group) -> list[Candidate]:
    """The parsed documents of one report identity, with what the rule reads. Also used by migration 0004."""
    key, year, alone = group
    where = "r.id = :alone" if alone is not None else "a.key = :key AND r.year = :year"
    rows = conn.execute(
        sa.text(
            f"""SELECT r.id, r.status, d.id, d.sha256, d.published_date, r.n_warnings, r.format,
  (SELECT COUNT(*) FROM cells c WHERE c.report_id = r.id AND c.tbl IN ('requests', 'reviews', 'proactive')
     AND c.value IS NOT NULL) AS readable,
  (SELECT MAX(u.published_date) FROM document_urls u WHERE u.document_id = d.id) AS url_published,
  EXISTS (SELECT 1 FROM document_urls u JOIN document_urls newer ON newer.url = u.url AND newer.version > u.version
          JOIN reports nr ON nr.document_id = newer.document_id AND nr.status NOT IN {NO_REPORT_SQL}
          WHERE u.document_id = d.id AND newer.document_id <> d.id) AS outdated
FROM reports r JOIN documents d ON d.id = r.document_id LEFT JOIN agencies a ON a.id = r.agency_id
WHERE {where} AND r.status NOT IN {NO_REPORT_SQL}"""
        ),
        {"alone": alone, "key": key, "year": year},
    ).all()
    urls: dict[int, list[str]] = {}
    if rows:
        for document_id, url in conn.execute(
            sa.select(DocumentUrl.document_id, DocumentUrl.url).where(
                DocumentUrl.document_id.in_([row[2] for row in rows])
            )
        ):
            urls.setdefault(document_id, []).append(url)
    return [
        Candidate(
            report_id=rid,
            urls=tuple(sorted(urls.get(did, []))),
            sha256=sha,
            published=_date(str(url_published or published or "")),
            readable_cells=int(readable or 0),
            n_warnings=int(n_warnings or 0),
            format=fmt,
            outdated=bool(outdated),
            status=status,
        )
        for rid, status, did, sha, published, n_warnings, fmt, readable, url_published, outdated in rows
    ]

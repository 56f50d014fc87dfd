"""The warehouse schema (SQLModel). Cells in long form are the single source of truth;
the views in :mod:`warehouse.views` read like the printed form.

Every change here needs an Alembic migration in ``warehouse/migrations/versions``;
a test compares this metadata with the migrated schema.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class AgencyLevel(StrEnum):
    DISTRICT = "district_government"
    DEPARTMENT = "department"
    TOWNSHIP = "township"
    UNKNOWN = "unknown"


class ReportStatus(StrEnum):
    """``parsed`` is the current document of its report (agency and year; see warehouse/identity.py)."""

    PARSED = "parsed"
    FAILED = "failed"
    IN_ATTACHMENT = "in_attachment"  # a page that only links its report (error_code report_in_attachment)
    SUPERSEDED = "superseded"  # an older version, or a copy published before the current one
    ALTERNATE = "alternate"  # a copy published together with the current one (page vs attachment)


def _json() -> Any:
    return Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))


class Agency(SQLModel, table=True):
    __tablename__ = "agencies"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    #: the agency's identity, ``district|name`` (warehouse.identity.agency_key): spellings of one agency share it
    key: str = Field(sa_column=sa.Column(sa.String(300), nullable=False, index=True))
    district: str | None = Field(default=None, max_length=100)
    portal: str | None = Field(default=None, max_length=100)
    level: str = Field(default=AgencyLevel.UNKNOWN.value, max_length=30)


class Document(SQLModel, table=True):
    """One document: one set of bytes (the same URL with new bytes is a new row, a new version); ``url`` is
    where it was first found, ``document_urls`` every URL it was found at."""

    __tablename__ = "documents"
    __table_args__ = (sa.UniqueConstraint("url", "sha256", name="uq_documents_url_sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=sa.Column(sa.String(2000), nullable=False, index=True))
    sha256: str = Field(max_length=64, index=True)
    version: int = Field(default=1)  # 1, 2, … per URL, in the order they were loaded
    portal: str | None = Field(default=None, max_length=100)
    fetched_at: datetime | None = None
    content_type: str | None = Field(default=None, max_length=200)
    raw_path: str | None = Field(default=None, max_length=500)  # relative to the raw store
    title: str | None = Field(default=None, max_length=500)
    published_date: date | None = None
    source_page_url: str | None = Field(default=None, max_length=2000)  # the page an attachment came from
    loaded_at: datetime = Field(default_factory=utcnow)


class DocumentUrl(SQLModel, table=True):
    """Every URL a document's bytes were found at: identical bytes under several URLs are one document."""

    __tablename__ = "document_urls"
    __table_args__ = (sa.UniqueConstraint("url", "document_id", name="uq_document_urls_url_document"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    url: str = Field(sa_column=sa.Column(sa.String(2000), nullable=False, index=True))
    version: int = Field(default=1)  # 1, 2, … per URL, in the order new bytes were found there
    portal: str | None = Field(default=None, max_length=100)
    fetched_at: datetime | None = None
    published_date: date | None = None
    source_page_url: str | None = Field(default=None, max_length=2000)
    loaded_at: datetime = Field(default_factory=utcnow)


class StoredReport(SQLModel, table=True):
    """The parse of one document: ``parsed`` (the current document of its agency and year), ``alternate``,
    ``superseded`` or ``failed`` (with the error)."""

    __tablename__ = "reports"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    agency_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    year: int | None = Field(default=None, index=True)
    form: str | None = Field(default=None, max_length=10)
    table_forms: dict | None = _json()
    parser_version: str = Field(max_length=20)
    status: str = Field(max_length=20, index=True)
    error_code: str | None = Field(default=None, max_length=50)
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    title: str | None = Field(default=None, max_length=500)
    format: str | None = Field(default=None, max_length=20)
    period_start: date | None = None
    period_end: date | None = None
    form_reference: str | None = Field(default=None, max_length=100)
    contact: dict | None = _json()
    preamble: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    sections: list | None = _json()
    warnings: list | None = _json()
    n_warnings: int = Field(default=0)
    loaded_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class StoredCell(SQLModel, table=True):
    """One number of one report: the single source of truth every view reads."""

    __tablename__ = "cells"
    __table_args__ = (sa.Index("ix_cells_report_table_row", "report_id", "tbl", "row_key"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    )
    tbl: str = Field(max_length=20)  # requests, reviews, proactive
    row_key: str = Field(max_length=50)  # request row, review key, or proactive item
    column_key: str | None = Field(default=None, max_length=50)  # request column or proactive metric
    ordinal: int = Field(default=0)  # printed order within the report
    value: float | None = Field(default=None, sa_column=sa.Column(sa.Numeric(asdecimal=False), nullable=True))
    raw: str = Field(default="", max_length=200)
    kind: str = Field(max_length=20)  # number, blank, unreadable, inferred
    position: dict | None = _json()
    note: str | None = Field(default=None, max_length=500)


class FormRow(SQLModel, table=True):
    """The form as declared in parsers/form.py, for ordering and labelling in SQL."""

    __tablename__ = "form_rows"

    tbl: str = Field(primary_key=True, max_length=30)  # requests, request_columns, reviews, proactive, metrics
    key: str = Field(primary_key=True, max_length=50)
    ordinal: int
    label: str = Field(max_length=300)
    versions: str = Field(default="", max_length=50)  # comma-separated form versions


class CheckResult(SQLModel, table=True):
    """One outcome of one identity check on one report (written by the expectations)."""

    __tablename__ = "check_results"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(max_length=64, index=True)
    report_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    check_key: str = Field(max_length=50)
    scope: str | None = Field(default=None, max_length=50)  # the column, row or group checked
    severity: str = Field(max_length=10)  # error, warning
    outcome: str = Field(max_length=20)  # PASS, FAIL, UNCERTAIN, NOT_ASSESSABLE
    left_value: float | None = Field(default=None, sa_column=sa.Column(sa.Numeric(asdecimal=False), nullable=True))
    right_value: float | None = Field(default=None, sa_column=sa.Column(sa.Numeric(asdecimal=False), nullable=True))
    difference: float | None = Field(default=None, sa_column=sa.Column(sa.Numeric(asdecimal=False), nullable=True))
    cells: list | None = _json()
    message_zh: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    message_en: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    fingerprint: str = Field(max_length=64, index=True)
    numbers_hash: str | None = Field(default=None, max_length=64)  # the numbers this finding is about
    created_at: datetime = Field(default_factory=utcnow)


class FlagReview(SQLModel, table=True):
    """A reviewer's decision on a flag; survives re-runs (keyed by the flag's fingerprint)."""

    __tablename__ = "flag_reviews"

    fingerprint: str = Field(primary_key=True, max_length=64)
    decision: str = Field(max_length=20)  # dismissed, confirmed
    note: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    numbers_hash: str | None = Field(default=None, max_length=64)  # the numbers the decision was about
    reviewer: str | None = Field(default=None, max_length=100)
    decided_at: datetime = Field(default_factory=utcnow)


class IdentitySide(SQLModel, table=True):
    """One row of a check run's snapshot of the identity views (warehouse/views.py): both sides of one
    identity on one report and scope. Great Expectations validates these; the run deletes its rows. No
    index on the run: a run finds its rows by their ids (``warehouse.views.snapshot_batch_query``), and
    Great Expectations' queries for one check use the index on ``check_key``."""

    __tablename__ = "identity_sides"
    __table_args__ = (sa.Index("ix_identity_sides_check", "check_key"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(max_length=64)
    subject: str = Field(max_length=20)
    check_key: str = Field(max_length=40)
    report_id: int
    agency: str | None = Field(default=None, max_length=200)
    year: int | None = None
    form: str | None = Field(default=None, max_length=10)
    scope: str | None = Field(default=None, max_length=500)
    left_value: float | None = None
    right_value: float | None = None
    left_readable: float | None = None
    right_readable: float | None = None
    n_unreadable: int | None = None
    n_missing: int | None = None
    n_blank: int | None = None
    n_inferred: int | None = None

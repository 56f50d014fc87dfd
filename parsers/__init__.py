"""Step 2 of the data path: documents (bytes) in, typed reports out.

Parsers are pure: they read bytes, never the network or the warehouse.
``parse_bytes`` sniffs the format from the content (not the file name),
hands it to one reader per format (text, HTML, DOCX, PDF, DOC/WPS), and the
matcher maps what the reader saw onto the form. Every document is read under
a time limit (``time_limit`` seconds, ``None`` for none); PDFs are read in a
child process that is stopped when the time is up.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from parsers.decode import bytes_to_text
from parsers.errors import NeedsOCR, ParseError
from parsers.grid import Document
from parsers.html import declared_charset, decoded_html_to_document, looks_like_html
from parsers.limits import DEFAULT_TIME_LIMIT, Deadline, isolation_available, run_isolated
from parsers.match import document_to_report
from parsers.report import Report
from parsers.text import decoded_text_to_document

__all__ = ["DEFAULT_TIME_LIMIT", "ParseError", "Report", "parse_bytes", "parse_file", "sniff_format"]

_BINARY_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
)


def sniff_binary(data: bytes) -> str | None:
    """A binary document format by its magic bytes: pdf, docx, doc; None for text-like data."""
    head = data[:8].lstrip()
    return next((name for signature, name in _BINARY_SIGNATURES if head.startswith(signature)), None)


def sniff_format(data: bytes) -> str:
    """The document format by content: pdf, docx, doc, html or text."""
    binary = sniff_binary(data)
    if binary:
        return binary
    return "html" if looks_like_html(bytes_to_text(data).text) else "text"


def _read_pdf(data: bytes, time_limit: float | None) -> Document:
    from parsers.pdf import pdf_to_document

    if time_limit is None or not isolation_available():
        return pdf_to_document(data, Deadline(time_limit))
    return run_isolated(pdf_to_document, data, seconds=time_limit, what="reading the PDF")


def bytes_to_document(data: bytes, time_limit: float | None = DEFAULT_TIME_LIMIT) -> Document:
    """Hand binary formats to their readers; decode text once, then hand it to the HTML or the text reader."""
    binary = sniff_binary(data)
    if binary == "pdf":
        return _read_pdf(data, time_limit)
    if binary == "docx":
        from parsers.docx import docx_to_document

        return docx_to_document(data, Deadline(time_limit))
    if binary == "doc":
        from parsers.doc import doc_to_document

        return doc_to_document(data, Deadline(time_limit))
    decoded = bytes_to_text(data, declared=declared_charset(data))
    if looks_like_html(decoded.text):
        return decoded_html_to_document(decoded)
    return decoded_text_to_document(decoded)


def document_to_checked_report(doc: Document, source: str, sha256: str) -> Report:
    """The matcher's report; when pages could not be read and the report is not found, that is why."""
    try:
        return document_to_report(doc, source=source, sha256=sha256)
    except ParseError as exc:
        unread = [message for code, message in doc.notes if code == "pages_unreadable"]
        if unread:
            raise NeedsOCR(f"{exc}; {'; '.join(unread)}: it needs OCR") from exc
        raise


def parse_bytes(data: bytes, source: str = "<bytes>", *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> Report:
    """Parse one document. Raises a :class:`ParseError` subclass on bad input."""
    sha256 = hashlib.sha256(data).hexdigest()
    return document_to_checked_report(bytes_to_document(data, time_limit), source=source, sha256=sha256)


def parse_file(path: str | Path, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> Report:
    path = Path(path)
    return parse_bytes(path.read_bytes(), source=str(path), time_limit=time_limit)

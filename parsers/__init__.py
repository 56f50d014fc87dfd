"""Step 2 of the data path: documents (bytes) in, typed reports out.

Parsers are pure: they read bytes, never the network or the warehouse.
``parse_bytes`` sniffs the format from the content (not the file name),
hands it to one reader per format (text, HTML, DOCX, PDF, DOC/WPS), and the
matcher maps what the reader saw onto the form. Every document is held to a
size cap (``max_bytes``) and read under a time limit (``time_limit`` seconds,
``None`` for none): the reader and the matcher run in a child process with a
memory ceiling that is stopped when the time is up (LibreOffice, for DOC/WPS,
runs under the same limit before it). Whatever goes wrong while reading one
document is a :class:`ParseError` (see :mod:`parsers.limits`).
"""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

from parsers.decode import bytes_to_text
from parsers.errors import NeedsOCR, ParseError
from parsers.grid import MAX_BLOCKS, Document, check_block_count
from parsers.html import declared_charset, decoded_html_to_document, looks_like_html
from parsers.limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIME_LIMIT,
    Deadline,
    guarded,
    isolation_available,
    read_document,
    run_isolated,
    too_large,
)
from parsers.match import document_to_report
from parsers.report import Report
from parsers.text import decoded_text_to_document

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIME_LIMIT",
    "ParseError",
    "Report",
    "parse_bytes",
    "parse_file",
    "read_document",
    "sniff_format",
]

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


def bytes_to_document(data: bytes, deadline: Deadline | None = None, *, converted_from: str | None = None) -> Document:
    """Hand binary formats to their readers; decode text once, then hand it to the HTML or the text reader.
    A DOC/WPS is converted here (LibreOffice); ``converted_from="doc"`` marks a DOCX that was one."""
    deadline = deadline or Deadline(None)
    binary = sniff_binary(data)
    if binary == "pdf":
        from parsers.pdf import pdf_to_document

        return pdf_to_document(data, deadline)
    if binary == "docx":
        from parsers.docx import docx_to_document

        return docx_to_document(data, deadline, format=converted_from or "docx")
    if binary == "doc":
        from parsers.doc import doc_to_document

        return doc_to_document(data, deadline)
    decoded = bytes_to_text(data, declared=declared_charset(data))
    if looks_like_html(decoded.text):
        check_block_count(decoded.text.count("<"), "HTML tags", MAX_BLOCKS * TAGS_PER_BLOCK)
        return decoded_html_to_document(decoded)
    check_block_count(decoded.text.count("\n"), "lines")
    return decoded_text_to_document(decoded)


#: HTML elements counted as one block when sizing a page up before parsing it: a report's page has a few
#: thousand; 20 per paragraph allows for Word's verbose HTML.
TAGS_PER_BLOCK = 20


def document_to_checked_report(doc: Document, source: str, sha256: str) -> Report:
    """The matcher's report; when pages could not be read and the report is not found, that is why. A
    document of more than ``MAX_BLOCKS`` blocks is refused before matching."""
    check_block_count(len(doc.blocks))
    try:
        return document_to_report(doc, source=source, sha256=sha256)
    except ParseError as exc:
        unread = [message for code, message in doc.notes if code == "pages_unreadable"]
        if unread:
            raise NeedsOCR(f"{exc}; {'; '.join(unread)}: it needs OCR") from exc
        raise


_DOING = {"pdf": "reading the PDF", "docx": "reading the DOCX", "doc": "reading the DOC/WPS converted to DOCX"}
_READER_MODULES = {"pdf": "parsers.pdf", "docx": "parsers.docx", "doc": "parsers.doc"}


def bytes_to_report(data: bytes, source: str, sha256: str, deadline: Deadline, converted_from: str | None) -> Report:
    """Reader and matcher, in this process: what ``parse_bytes`` runs in its child."""
    return document_to_checked_report(bytes_to_document(data, deadline, converted_from=converted_from), source, sha256)


def parse_bytes(
    data: bytes,
    source: str = "<bytes>",
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Report:
    """Parse one document. Raises a :class:`ParseError` subclass on bad input, and on anything else that
    goes wrong while reading it (``ReaderFailed``): never another exception.

    With a time limit, the reader and the matcher run in a forked child with a memory ceiling, stopped
    when the time is up; ``time_limit=None`` reads in this process, without limits."""
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    binary = sniff_binary(data)
    if binary in _READER_MODULES:  # imported here once, not in every child
        importlib.import_module(_READER_MODULES[binary])
    sha256 = hashlib.sha256(data).hexdigest()
    deadline = Deadline(time_limit)
    converted_from = None
    if binary == "doc":  # LibreOffice runs in its own process, under the same deadline
        from parsers.doc import doc_to_docx

        data, converted_from = guarded(doc_to_docx, data, deadline), "doc"
    if time_limit is None or not isolation_available():
        return guarded(bytes_to_report, data, source, sha256, deadline, converted_from)
    return run_isolated(
        bytes_to_report,
        data,
        source,
        sha256,
        deadline,
        converted_from,
        seconds=deadline.remaining() or 0.0,
        limit=time_limit,
        reuse=True,
        what=_DOING.get(converted_from or binary, "reading the HTML or text"),
    )


def parse_file(
    path: str | Path, *, time_limit: float | None = DEFAULT_TIME_LIMIT, max_bytes: int = DEFAULT_MAX_BYTES
) -> Report:
    """Parse a file: refused unread when it is no regular file or over ``max_bytes`` (see ``read_document``)."""
    data = read_document(path, max_bytes)
    return parse_bytes(data, source=str(path), time_limit=time_limit, max_bytes=max_bytes)

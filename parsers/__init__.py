"""Step 2 of the data path: documents (bytes) in, typed reports out.

Parsers are pure: they read bytes, never the network or the warehouse.
``parse_bytes`` sniffs the format from the content (not the file name),
hands it to one reader per format, and the matcher maps what the reader saw
onto the form.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from parsers.decode import bytes_to_text
from parsers.errors import ParseError, UnsupportedFormat
from parsers.grid import Document
from parsers.html import declared_charset, decoded_html_to_document, looks_like_html
from parsers.match import document_to_report
from parsers.report import Report
from parsers.text import decoded_text_to_document

__all__ = ["ParseError", "Report", "parse_bytes", "parse_file", "sniff_format"]

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


def bytes_to_document(data: bytes) -> Document:
    """Decode once, then hand the text to the HTML or the text reader."""
    binary = sniff_binary(data)
    if binary:
        raise UnsupportedFormat(f"{binary.upper()} documents are not readable yet (only text and HTML)")
    decoded = bytes_to_text(data, declared=declared_charset(data))
    if looks_like_html(decoded.text):
        return decoded_html_to_document(decoded)
    return decoded_text_to_document(decoded)


def parse_bytes(data: bytes, source: str = "<bytes>") -> Report:
    """Parse one document. Raises a :class:`ParseError` subclass on bad input."""
    sha256 = hashlib.sha256(data).hexdigest()
    return document_to_report(bytes_to_document(data), source=source, sha256=sha256)


def parse_file(path: str | Path) -> Report:
    path = Path(path)
    return parse_bytes(path.read_bytes(), source=str(path))

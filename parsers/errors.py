"""Specific errors a parser raises. The CLI turns each into one line."""

from __future__ import annotations


class ParseError(Exception):
    """A document could not be read as an annual report.

    ``code`` is stable and machine-readable; the message is one line for
    people. The file name is added by whoever knows it (the CLI, a flow).
    """

    code = "parse_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class EmptyDocument(ParseError):
    code = "empty"


class NotText(ParseError):
    """Bytes that decode as no known text encoding (binary, random bytes)."""

    code = "not_text"


class UnsupportedFormat(ParseError):
    code = "unsupported_format"


class NotAReport(ParseError):
    code = "not_a_report"


class MissingTable(ParseError):
    code = "missing_table"


class TruncatedDocument(ParseError):
    code = "truncated"

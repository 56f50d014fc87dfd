"""Specific errors a parser raises. The CLI turns each into one line."""

from __future__ import annotations

from dataclasses import dataclass


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


class ReportInAttachment(ParseError):
    """A page that holds no report of its own: only a title and a link to the report's .doc/.docx/.pdf/.wps.

    Not a failure of the page: the report is read from the attachment. ``links`` are the
    attachments' addresses (absolute when the page's own address is known).
    """

    code = "report_in_attachment"

    def __init__(self, message: str, links: list[str] | None = None) -> None:
        super().__init__(message)
        self.links = list(links or [])

    def __reduce__(self) -> tuple:  # it travels back from the isolated reader with its links
        return (type(self), (self.message, self.links))


class CorruptDocument(ParseError):
    """A PDF or Word file whose structure cannot be read (damaged, truncated, not what its magic says)."""

    code = "corrupt"


class EncryptedDocument(ParseError):
    """A document that needs a password to open."""

    code = "encrypted"


class NeedsOCR(ParseError):
    """A PDF without a readable text layer: scanned pages, or fonts whose glyphs map to no characters."""

    code = "needs_ocr"


class TooLarge(ParseError):
    """A document beyond the reader's limits: a zip bomb, thousands of pages, memory exhausted."""

    code = "too_large"


class UnsafeDocument(ParseError):
    """A document carrying something a reader must not follow (a DTD with external entities in a DOCX)."""

    code = "unsafe"


class TimeLimitExceeded(ParseError):
    """The per-document time limit ran out; the reader was stopped."""

    code = "time_limit"


class ConverterMissing(ParseError):
    """A format that needs an external converter (LibreOffice for .doc/.wps) that is not installed."""

    code = "converter_missing"


class ConversionFailed(ParseError):
    """The external converter ran but produced nothing readable."""

    code = "conversion_failed"


class ReaderCrashed(ParseError):
    """The isolated reader process died without an answer (a crash in a native library, killed)."""

    code = "reader_crashed"


class ReaderFailed(ParseError):
    """The reader stopped on something it does not handle (an exception that is no ParseError): a bug in
    nianbao's reader, or in a library, met on this document. ``detail`` holds the traceback."""

    code = "reader_error"

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail

    def __reduce__(self) -> tuple:
        return (type(self), (self.message, self.detail))

    @classmethod
    def of(cls, exc: BaseException, detail: str = "") -> ReaderFailed:
        """One line naming the exception (its first line, cut short), for an exception no reader expected."""
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        return cls(f"the reader failed on it unexpectedly ({what})", detail)


class NotAFile(ParseError):
    """A path that is no regular file (a FIFO, a device such as /dev/zero, a socket): never read."""

    code = "not_a_file"


@dataclass(frozen=True)
class ParseFailure:
    """A document that did not parse, as a value the later stages store and show (not an exception)."""

    code: str
    message: str

    @classmethod
    def of(cls, error: ParseError) -> ParseFailure:
        return cls(error.code, str(error))

    def __str__(self) -> str:
        return self.message

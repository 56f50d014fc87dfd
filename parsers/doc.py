"""Legacy Word (.doc) and WPS (.wps) reports: ``doc_to_document``.

Both are OLE compound files (magic ``d0 cf 11 e0``) holding a ``WordDocument``
stream. LibreOffice converts them to DOCX (``soffice --headless
--convert-to docx``), in a temporary directory with a profile of its own (so
conversions can run side by side and never touch a user's LibreOffice
settings), under a time limit; the DOCX reader does the rest. The directory is removed however the
conversion ends, and one left by a killed run is removed (with its LibreOffice) by the next conversion
(``parsers.limits.scratch_dir``). Cells keep
their table, row and column in the converted document.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time

from parsers.docx import docx_to_document
from parsers.errors import (
    ConversionFailed,
    ConverterMissing,
    CorruptDocument,
    EncryptedDocument,
    TimeLimitExceeded,
    UnsupportedFormat,
)
from parsers.grid import Document
from parsers.limits import Deadline, scratch_dir

INSTALL_HINT = (
    "reading .doc/.wps files needs LibreOffice: install it with "
    "`apt-get install libreoffice-writer-nogui fonts-noto-cjk` (or `make system-deps` as root)"
)
#: Seconds a conversion may take when the caller sets no deadline.
CONVERSION_TIMEOUT = 120.0


def _stream_name(name: str) -> bytes:
    return name.encode("utf-16-le")


def check_ole(data: bytes) -> None:
    """An OLE file must be a Word/WPS document: encrypted Office files, spreadsheets and slides are OLE too.
    (Stream names are looked for in the raw bytes: the directory stores them in UTF-16.)"""
    if _stream_name("Root Entry") not in data:
        raise CorruptDocument("a damaged or truncated .doc/.wps (OLE) file: its directory is missing")
    if _stream_name("EncryptedPackage") in data or _stream_name("EncryptionInfo") in data:
        raise EncryptedDocument("the Word document is encrypted with a password (it does not open without one)")
    if _stream_name("WordDocument") not in data:
        kinds = {"Workbook": "an Excel workbook", "PowerPoint Document": "a PowerPoint presentation"}
        kind = next((k for stream, k in kinds.items() if _stream_name(stream) in data), "no WordDocument stream")
        raise UnsupportedFormat(f"an OLE compound file that is not a Word/WPS document ({kind})")


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(data: bytes, suffix: str, target: str, timeout: float) -> bytes:
    """``data`` converted by LibreOffice into ``target`` (``docx``, ``pdf``, ``doc`` …); the bytes."""
    soffice = find_soffice()
    if soffice is None:
        raise ConverterMissing(INSTALL_HINT)
    with scratch_dir("soffice") as work:
        source = work / f"document{suffix}"
        source.write_bytes(data)
        outdir = work / "out"
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop_group(process)
            raise TimeLimitExceeded(f"LibreOffice did not finish converting it within {timeout:g} s; stopped") from None
        finally:  # however the conversion ends (SIGTERM, Ctrl-C too): no LibreOffice outlives it
            _stop_group(process)
        converted = outdir / f"document.{target.split(':')[0]}"
        if not converted.is_file() or converted.stat().st_size == 0:
            reason = stderr.decode("utf-8", "replace").strip().splitlines()
            raise ConversionFailed(
                "LibreOffice could not convert it"
                + (f" ({reason[-1][:160]})" if reason else " (damaged or protected?)")
            )
        return converted.read_bytes()


def _stop_group(process: subprocess.Popen) -> None:
    """Kill LibreOffice's process group (oosplash and soffice.bin) and wait until it is gone, so that its
    scratch directory can be removed with nothing still writing into it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for _ in range(100):
        try:
            os.killpg(process.pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.02)


def doc_to_docx(data: bytes, deadline: Deadline | None = None) -> bytes:
    """A .doc/.wps file converted to DOCX by LibreOffice, within what is left of ``deadline``."""
    check_ole(data)
    remaining = (deadline or Deadline(None)).remaining()
    return convert_with_libreoffice(
        data, ".doc", "docx:MS Word 2007 XML", CONVERSION_TIMEOUT if remaining is None else remaining
    )


def doc_to_document(data: bytes, deadline: Deadline | None = None) -> Document:
    """Read a .doc/.wps file through LibreOffice's DOCX conversion."""
    deadline = deadline or Deadline(None)
    return docx_to_document(doc_to_docx(data, deadline), deadline, format="doc")

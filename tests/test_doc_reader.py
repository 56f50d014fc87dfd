"""Legacy .doc/.wps: read through LibreOffice, and every way that can go wrong said in one line."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES

from parsers import parse_bytes, parse_file
from parsers.doc import INSTALL_HINT, convert_with_libreoffice, doc_to_document
from parsers.errors import (
    ConversionFailed,
    ConverterMissing,
    CorruptDocument,
    EncryptedDocument,
    TimeLimitExceeded,
    UnsupportedFormat,
)

DOCUMENTS = FIXTURES / "documents"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole(*streams: str) -> bytes:
    return OLE + bytes(504) + b"".join(name.encode("utf-16-le") + bytes(16) for name in ("Root Entry", *streams))


@pytest.mark.parametrize("name", ["002_legacy.doc", "001_legacy.wps"])
def test_doc_and_wps_are_read_through_libreoffice(soffice: str, name: str, seed_reports) -> None:
    report = parse_file(DOCUMENTS / name)
    seed = seed_reports[name[:3]]
    assert report.format == "doc"
    assert (report.agency, report.year, report.form) == (seed.agency, seed.year, seed.form)
    cell = report.requests["new_requests"]["total"]
    assert cell.value == seed.requests["new_requests"]["total"].value
    assert (cell.position.table, cell.position.page) == (1, None) and cell.position.row is not None


def test_a_missing_libreoffice_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("parsers.doc.shutil.which", lambda name: None)
    with pytest.raises(ConverterMissing, match="apt-get install libreoffice-writer-nogui") as caught:
        parse_bytes(_ole("WordDocument"))
    assert str(caught.value) == INSTALL_HINT


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_a_conversion_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "pid"
    hang = f"echo $$ > {pid_file}; exec {sys.executable} -c 'import time; time.sleep(60)'"
    monkeypatch.setattr("parsers.doc.find_soffice", lambda: _fake_soffice(tmp_path, hang))
    started = time.perf_counter()
    with pytest.raises(TimeLimitExceeded, match="LibreOffice did not finish"):
        convert_with_libreoffice(b"data", ".doc", "docx", timeout=0.5)
    assert time.perf_counter() - started < 5
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_a_conversion_that_writes_nothing_fails_with_its_message(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(
        "parsers.doc.find_soffice", lambda: _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2")
    )
    with pytest.raises(ConversionFailed, match="source file could not be loaded"):
        doc_to_document(_ole("WordDocument"))


@pytest.mark.parametrize(
    ("data", "error", "says"),
    [
        (_ole("EncryptionInfo", "EncryptedPackage"), EncryptedDocument, "encrypted with a password"),
        (_ole("Workbook"), UnsupportedFormat, "an Excel workbook"),
        (OLE + bytes(2040), CorruptDocument, "directory is missing"),
    ],
    ids=["encrypted_office_file", "spreadsheet", "no_directory"],
)
def test_ole_files_that_are_not_readable_word_documents(data: bytes, error: type, says: str) -> None:
    with pytest.raises(error, match=says):
        parse_bytes(data)


def test_a_damaged_doc_is_one_clean_error(soffice: str) -> None:
    data = (DOCUMENTS / "002_legacy.doc").read_bytes()
    damaged = data[:4096] + bytes(len(data) - 8192) + data[-4096:]  # header and directory kept, content zeroed
    with pytest.raises(ConversionFailed, match="LibreOffice could not convert it") as caught:
        parse_bytes(damaged)
    assert "\n" not in str(caught.value)

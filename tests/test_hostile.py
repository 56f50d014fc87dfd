"""Hostile files: each class that once ended a whole run is one document's one-line error, and the good
file after it is still read (issue 18); limits hold for every format; names cannot forge output."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from hostile import crash_classes
from typer.testing import CliRunner

from nianbao.cli import app
from parsers import parse_bytes, parse_file
from parsers.errors import NotAFile, ParseError, TimeLimitExceeded, TooLarge
from parsers.limits import read_document, scratch_dir, sweep_scratch

runner = CliRunner()
GOOD = FIXTURES / "documents" / "000_official.html"
GOOD_AGENCY = "银川市西夏区审批服务管理局"

#: What each crash class is now: its error code, or "ok" (read, with the damage marked).
EXPECTED = {
    "docx_zlib_error.docx": "corrupt",
    "docx_bytes_deleted.docx": "corrupt",
    "docx_bytes_duplicated.docx": "corrupt",
    "pdf_mediabox_keyword.pdf": "corrupt|ok",  # the pdfium fast path may read past a bad MediaBox
    "pdf_mediabox_short.pdf": "corrupt|ok",
    "pdf_flipped_xref.pdf": "ok",
    "cell_4301_digits.html": "ok",
    "cell_4300_digits.html": "ok",
    "docx_numbering_ilvl_x.docx": "ok",
    "docx_numbering_start_abc.docx": "ok",
    "docx_numbering_level_50.docx": "ok",
    "docx_grid_before_x.docx": "ok",
    "docx_encrypted_member.docx": "encrypted",
    "docx_content_type_markup.docx": "unsupported_format",
    "docx_part_name_markup.docx": "corrupt",
    "docx_main_part_named_XML.docx": "unsafe",
    "[bold red]name with markup.html": "ok",
    **{f"charset_{c}.html": "ok" for c in ("zlib", "base64", "hex", "rot13", "uu", "bz2", "quopri", "undefined")},
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> list[Path]:
    """Every crash class as a file, a name with a newline and an ANSI escape, a path with ``[/]`` in it,
    and the good report last."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = []
    for name, data in crash_classes().items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    forged = folder / "evil\nerror: forged.html \x1b[31mred"
    forged.write_bytes(b"not a report at all, but text")
    (folder / "dir[").mkdir()
    markup_path = folder / "dir[" / "]name.html"  # the path reads dir[/]name.html
    markup_path.write_bytes(b"<html><body><p>nothing</p></body></html>")
    good = folder / "zz_good.html"
    good.write_bytes(GOOD.read_bytes())
    return [*paths, forged, markup_path, good]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_every_crash_class_is_expected() -> None:
    assert set(crash_classes()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_crash_class_is_a_clear_parse_error_or_a_marked_reading(name: str) -> None:
    data = crash_classes()[name]
    try:
        report = parse_bytes(data, source=name)
    except ParseError as exc:
        assert exc.code in EXPECTED[name].split("|"), str(exc)
        assert "\n" not in str(exc)
        return
    assert "ok" in EXPECTED[name].split("|")
    assert report.agency and report.agency.endswith(("管理局", "办事处"))
    if name.startswith("cell_43"):  # thousands of digits: unreadable and said so, never a number
        cell = report.requests[next(iter(report.requests))]["natural_person"]
        assert cell.value is None and cell.kind == "unreadable"
        assert any(w.code == "cell_unreadable" for w in report.warnings)


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def _n_failing(files: list[Path]) -> int:
    return sum(1 for p in files if _fails(p) and p.name != "zz_good.html")


def _fails(path: Path) -> bool:
    """Whether a file gives an error line (a bad MediaBox: whatever the PDF reader makes of it now)."""
    expected = EXPECTED.get(path.name, "bad")
    if expected == "corrupt|ok":
        try:
            parse_bytes(path.read_bytes())
        except ParseError:
            return True
        return False
    return expected != "ok"


def test_parse_json_goes_on_after_every_crash_class(hostile_files: list[Path]) -> None:
    result = runner.invoke(app, ["parse", "--json", *map(str, hostile_files)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[-1]["source"].endswith("zz_good.html")
    assert lines[-1]["agency"] == GOOD_AGENCY and lines[-1]["requests"]["new_requests"]["natural_person"] == 1
    errors = _errors(result.stderr)
    assert len(errors) == _n_failing(hostile_files) == len(hostile_files) - len(lines)
    assert len(result.stderr.strip().splitlines()) == len(errors) + 1  # and the count line: nothing else


def test_parse_tables_go_on_and_names_print_as_written(hostile_files: list[Path]) -> None:
    result = runner.invoke(app, ["parse", *map(str, hostile_files)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and GOOD_AGENCY in result.stdout
    errors = _errors(result.stderr)
    assert len(errors) == _n_failing(hostile_files)
    assert "\x1b" not in result.output
    forged = [e for e in errors if "forged" in e]
    assert len(forged) == 1 and not any(e.startswith("error: forged") for e in errors)  # one line, not two
    assert "evil\\nerror: forged.html \\x1b[31mred" in forged[0]
    assert any("dir[/]name.html" in e for e in errors)
    assert any("([/][bold red]application/x-evil)" in e for e in errors)
    assert any("'word/[/]doc.xml'" in e for e in errors)


def test_a_report_titled_by_its_name_prints_the_name_as_written() -> None:
    from rich.console import Console

    from nianbao.show import print_report

    report = parse_bytes(GOOD.read_bytes(), source="[bold red]x[/]\x1b[31m.html")
    console = Console(record=True, width=200, force_terminal=True)
    print_report(console, report)
    text = console.export_text()
    assert "[bold red]x[/]\\x1b[31m.html" in text


def test_check_goes_on_after_every_crash_class(hostile_files: list[Path], env: Path) -> None:
    result = runner.invoke(app, ["check", "--json", *map(str, hostile_files)])
    assert "Traceback" not in result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines, (result.exit_code, result.stderr[-2000:], result.exception)
    assert lines[-1]["source"].endswith("zz_good.html") and lines[-1]["agency"] == GOOD_AGENCY
    assert lines[-1]["checks"]
    assert len(_errors(result.stderr)) == _n_failing(hostile_files) == len(hostile_files) - len(lines)


def test_load_stores_every_bad_document_as_failed_and_goes_on(hostile_files: list[Path], env: Path) -> None:
    result = runner.invoke(app, ["load", *map(str, hostile_files)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(_errors(result.stderr)) == _n_failing(hostile_files)
    with sqlite3.connect(env / "warehouse.db") as db:
        statuses = dict(db.execute("SELECT d.url, r.status FROM documents d JOIN reports r ON r.document_id = d.id"))
        by_name = {Path(url).name: status for url, status in statuses.items()}
        distinct = {hashlib.sha256(p.read_bytes()).hexdigest() for p in hostile_files}
        assert len(statuses) == len(distinct)  # every one stored (identical bytes once), the bad ones as failed
        assert by_name.get("zz_good.html", by_name.get("%5Bbold%20red%5Dname%20with%20markup.html")) != "failed"
        assert by_name["docx_zlib_error.docx"] == "failed"
        assert by_name["cell_4300_digits.html"] != "failed"  # stored, its cell unreadable (no float overflow)


# --- limits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_unread(device: str) -> None:
    started = time.perf_counter()
    with pytest.raises(NotAFile, match="a device"):
        parse_file(device)
    assert time.perf_counter() - started < 1


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    started = time.perf_counter()
    with pytest.raises(NotAFile, match="a FIFO"):
        read_document(fifo)
    assert time.perf_counter() - started < 1


def test_an_oversized_file_is_one_line_and_nothing_is_stored(env: Path, tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "big.html"
    page = GOOD.read_bytes()
    big.write_bytes(page * (1024**2 // len(page) + 1))  # over 1 MB
    monkeypatch.setenv("NIANBAO_MAX_DOCUMENT_MB", "0.5")
    parsed = runner.invoke(app, ["parse", str(big), str(GOOD)])
    assert parsed.exit_code == 1 and GOOD_AGENCY in parsed.stdout
    (line,) = _errors(parsed.stderr)
    assert "big.html" in line and "more than the limit of 524,288 bytes" in line and "NIANBAO_MAX_DOCUMENT_MB" in line
    loaded = runner.invoke(app, ["load", str(big)])
    assert loaded.exit_code == 1 and "nothing stored" in loaded.stderr
    raw = env / "raw"
    assert not raw.exists() or not any(p.is_file() for p in raw.rglob("*"))
    if (env / "warehouse.db").exists():
        with sqlite3.connect(env / "warehouse.db") as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "documents" in tables:
                assert db.execute("SELECT count(*) FROM documents").fetchone() == (0,)


def test_parse_bytes_holds_the_size_cap_too() -> None:
    with pytest.raises(TooLarge, match="per document"):
        parse_bytes(b"x" * 2000, max_bytes=1000)


@pytest.mark.parametrize(
    "data",
    [
        ("<html><body><table>" + ("<tr>" + '<td colspan="1000">x</td>' * 20 + "</tr>") * 500 + "</table>").encode(),
        ("段落\n" * 3_000_000).encode(),
        ("<html><body>" + "<p>段落</p>" * 3_000_000 + "</body></html>").encode(),
    ],
    ids=["colspan_1000_x_500_rows", "3M_lines_of_text", "3M_html_paragraphs"],
)
def test_blown_up_documents_are_refused_quickly(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(TooLarge, match=r"not an annual report|expand to more than"):
        parse_bytes(data)
    assert time.perf_counter() - started < 20


def test_html_and_text_have_the_time_limit_too() -> None:
    page = GOOD.read_bytes()
    with pytest.raises(TimeLimitExceeded, match=r"time limit of 0\.001 s, while reading the HTML or text"):
        parse_bytes(page, time_limit=0.001)
    with pytest.raises(TimeLimitExceeded, match="time limit"):
        parse_bytes((FIXTURES / "seeds").glob("*.txt").__next__().read_bytes(), time_limit=0.001)


def test_a_docx_of_whitespace_before_its_root_is_refused_at_once() -> None:
    from hostile import origin_bytes, replace_member

    data = replace_member(origin_bytes("000_word.docx"), "word/document.xml", lambda c: b" " * (200 * 1024**2) + c)
    started = time.perf_counter()
    with pytest.raises(ParseError, match="before the root element"):
        parse_bytes(data)
    assert time.perf_counter() - started < 10


# --- scratch directories --------------------------------------------------------------------------


def test_a_scratch_dir_is_removed_on_error_and_a_dead_runs_is_swept(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), scratch_dir("check", tmp_path) as work:
        (work / "x").write_text("x")
        raise RuntimeError("boom")
    assert not work.exists()
    # a run killed with SIGKILL in the middle of its scratch dir
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nsys.path.insert(0, sys.argv[1])\n"
         "from parsers.limits import scratch_dir\n"
         "with scratch_dir('soffice', sys.argv[2]) as w:\n    print(w, flush=True)\n    time.sleep(60)\n",
         str(ROOT), str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    left = Path(child.stdout.readline().strip())
    assert left.is_dir()
    assert sweep_scratch(tmp_path) == []  # alive: its lock is held, nobody removes it
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert left.is_dir()  # SIGKILL runs no cleanup
    with scratch_dir("check", tmp_path) as fresh:  # the next run sweeps it
        assert fresh.is_dir()
    assert not left.exists()
    assert not list(tmp_path.iterdir())


def _kill_in_the_middle(args: list[str], tmp: Path, wait_for: str, sig: int) -> None:
    env = {**os.environ, "TMPDIR": str(tmp), "NIANBAO_DATA_DIR": str(tmp / "data")}
    child = subprocess.Popen([str(Path(sys.executable).parent / "nianbao"), *args], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(wait_for) for p in tmp.iterdir()):
        assert child.poll() is None and time.monotonic() < deadline, "no scratch directory appeared"
        time.sleep(0.02)
    child.send_signal(sig)
    child.wait(timeout=60)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killed_libreoffice_conversions_leave_no_directory(tmp_path: Path, sig: int, soffice: str) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    doc = FIXTURES / "documents" / "002_legacy.doc"
    _kill_in_the_middle(["parse", str(doc)], tmp, "nianbao-soffice-", sig)
    time.sleep(0.5)
    if sig == signal.SIGTERM:  # cleanup ran: nothing left, LibreOffice stopped
        assert not [p for p in tmp.iterdir() if p.name.startswith("nianbao-")]
    subprocess.run([str(Path(sys.executable).parent / "nianbao"), "parse", str(doc)], env={**os.environ,
                   "TMPDIR": str(tmp)}, capture_output=True, check=True, timeout=300)  # fmt: skip
    assert not [p for p in tmp.iterdir() if p.name.startswith("nianbao-")]
    found = subprocess.run(["pgrep", "-f", str(tmp)], capture_output=True, text=True).stdout.split()
    assert found == []  # no LibreOffice left running on the removed directory


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killed_check_runs_leave_no_directory(tmp_path: Path, sig: int) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    seeds = sorted(map(str, (FIXTURES / "seeds").glob("*.txt")))
    _kill_in_the_middle(["check", *seeds], tmp, "nianbao-check-", sig)
    if sig == signal.SIGTERM:
        assert not [p for p in tmp.iterdir() if p.name.startswith("nianbao-")]
    with scratch_dir("check", tmp):
        pass
    assert not [p for p in tmp.iterdir() if p.name.startswith("nianbao-")]

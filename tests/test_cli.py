"""The nianbao command as people and programs use it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, seed_path
from typer.testing import CliRunner

from nianbao.cli import app

runner = CliRunner()
BAD = FIXTURES / "bad"

#: bad input -> the problem its one line must name
BAD_INPUTS = {
    "empty.txt": "empty file",
    "whitespace.html": "empty file",
    "random.bin": "not a text document",
    "not_a_report.html": "not an annual report: no title naming",
    "no_part3.html": "part 三 (收到和处理政府信息公开申请情况) table not found",
    "truncated.html": "truncated?",
    "pdf_named_txt.txt": "not a readable PDF, damaged or truncated",
    "corrupt.pdf": "not a readable PDF, damaged or truncated",
    "truncated.pdf": "not a readable PDF, damaged or truncated",
    "zero_pages.pdf": "the PDF has no pages",
    "scanned.pdf": "no text layer: page(s) 1, 2 are images (a scan?); it needs OCR",
    "unmapped_glyphs.pdf": "map to no characters (fonts without a Unicode map); it needs OCR",
    "user_password.pdf": "the PDF is encrypted with a password",
    "zip_bomb.docx": "the DOCX would unpack to 300 MB (limit 256 MB): a zip bomb?",
    "external_entity.docx": "declares a DTD (external entities?)",
    "plain_zip.docx": "a ZIP archive, not a Word document",
    "not_word.doc": "a damaged or truncated .doc/.wps (OLE) file",
}


def test_json_lines_carry_the_documented_keys() -> None:
    result = runner.invoke(app, ["parse", "--json", str(seed_path("002")), str(seed_path("003"))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    for key in ("source", "sha256", "agency", "year", "form", "requests", "reviews", "proactive", "cells", "warnings"):
        assert key in first
    assert first["requests"]["new_requests"]["natural_person"] == 3
    assert first["reviews"]["review_total"] == 0
    assert {"item": "procurement", "metric": "amount", "value": 45822.4584, "raw": "45822.4584万元"} in first[
        "proactive"
    ]
    cell = next(c for c in first["cells"] if c["row"] == "new_requests" and c["column"] == "natural_person")
    assert cell == {
        "table": "requests",
        "row": "new_requests",
        "column": "natural_person",
        "value": 3,
        "raw": "3",
        "kind": "number",
        "position": {"table": 1, "row": 4, "col": 1, "line": 110},
    }
    assert json.loads(lines[1])["form"] == "2021"


def test_every_key_of_the_json_is_documented() -> None:
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    result = runner.invoke(app, ["parse", "--json", str(seed_path("001"))])
    data = json.loads(result.stdout)
    for key in data:
        assert f"`{key}`" in doc, key
    for key in data["cells"][0]:
        assert f"`{key}`" in doc, key


def test_readable_output_shows_the_tables() -> None:
    result = runner.invoke(app, ["parse", str(seed_path("000"))])
    assert result.exit_code == 0
    out = result.stdout
    assert "银川市西夏区审批服务管理局" in out and "form 2019" in out
    assert re.search(r"不掌握\s+1\s+0\s+0\s+0\s+0\s+0\s+1", out)
    assert "items_change=117 (+117)" in out


def test_pre2019_says_tables_are_absent() -> None:
    result = runner.invoke(app, ["parse", str(seed_path("004"))])
    assert result.exit_code == 0
    assert "No statistics tables (pre2019 report)" in result.stdout


@pytest.mark.parametrize(("name", "problem"), sorted(BAD_INPUTS.items()))
def test_bad_input_gives_one_line_naming_file_and_problem(name: str, problem: str) -> None:
    path = BAD / name
    result = runner.invoke(app, ["parse", str(path), str(seed_path("000")), "--json"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [line for line in errors if line.startswith(f"error: {path}: ")]
    assert len(errors) == 1 and problem in errors[0]
    assert "Traceback" not in result.output
    # the good file in the same call is still parsed
    assert json.loads(result.stdout)["agency"] == "银川市西夏区审批服务管理局"


def test_all_bad_inputs_in_one_call() -> None:
    paths = [str(BAD / n) for n in sorted(BAD_INPUTS)] + ["/no/such/file.html", str(FIXTURES)]
    result = runner.invoke(app, ["parse", *paths])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(paths)
    assert errors[-2] == "error: /no/such/file.html: No such file or directory"
    assert errors[-1] == f"error: {FIXTURES}: is a directory, not a file"
    assert (
        result.stdout.rstrip().splitlines()[-1]
        == f"parsed {len(paths)} file(s): 0 read, {len(paths)} could not be parsed"
    )


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    for group in app.registered_groups:
        commands += [f"{group.name} {c.name or c.callback.__name__}" for c in group.typer_instance.registered_commands]
    assert "db upgrade" in commands
    for name in commands:
        assert f"nianbao {name}" in readme, name


def test_help_runs() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "parse" in result.stdout


def test_console_script_is_declared() -> None:
    assert 'nianbao = "nianbao.cli:main"' in Path(ROOT / "pyproject.toml").read_text()


def test_word_pdf_and_a_pdf_named_docx_print_their_format() -> None:
    paths = [FIXTURES / "documents" / n for n in ("002_word.docx", "000_pdf.pdf", "003_pdf_named.docx")]
    result = runner.invoke(app, ["parse", "--json", *map(str, paths)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["format"], r["encoding"], r["agency"]) for r in lines] == [
        ("docx", None, "白银市平川区"),
        ("pdf", None, "银川市西夏区审批服务管理局"),
        ("pdf", None, "红寺堡区审批服务管理局"),
    ]
    cell = next(c for c in lines[1]["cells"] if c["row"] == "new_requests" and c["column"] == "natural_person")
    assert set(cell["position"]) == {"table", "row", "col", "page", "bbox"} and len(cell["position"]["bbox"]) == 4

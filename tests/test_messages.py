"""Every stable code has a Chinese and an English headline, and people read them in their language.

The codes are enumerated from the code itself (ParseError subclasses, the ``warn(...)`` calls and
readers' notes in parsers/, the fault kinds and ``fault(...)`` calls in spiders/, LoadStatus), so a new
code that nobody translated fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT, seed_path
from typer.testing import CliRunner

from nianbao import i18n
from nianbao.cli import app
from nianbao.messages import (
    CATALOGUES,
    CRAWL_FAULTS,
    LOAD_STATUSES,
    PARSE_ERRORS,
    PARSE_WARNINGS,
    coded_message,
    fault_label,
)
from parsers.errors import ParseError
from spiders.crawl import summary_text
from spiders.state import FAULT_KINDS
from warehouse.load import LoadStatus

CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _subclasses(cls: type) -> list[type]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in _subclasses(direct))]


def _strings(node: ast.AST) -> list[str]:
    """The string constants an argument can be: a literal, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


def _codes_of_calls(folder: str, name: str) -> tuple[set[str], list[str]]:
    """First arguments of every call ``name(...)`` or ``x.name(...)`` under ``folder``: literals, or a local
    variable assigned literals in the same function. Calls passing anything else are returned as places."""
    codes: set[str] = set()
    unresolved: list[str] = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = _parents(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called != name:
                continue
            found = _strings(node.args[0])
            if not found and isinstance(node.args[0], ast.Name):
                scope = _function(node, parents) or tree
                found = [
                    s
                    for a in ast.walk(scope)
                    if isinstance(a, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == node.args[0].id for t in a.targets)
                    for s in _strings(a.value)
                ]
            if found:
                codes |= set(found)
            else:
                unresolved.append(f"{path.relative_to(ROOT)}:{(_function(node, parents) or tree).name}")
    return codes, unresolved


def _reader_note_codes() -> set[str]:
    """Codes of the ``(code, message)`` notes readers hand to the matcher (``Document.notes``): the tuples
    appended to ``notes``, passed as ``notes=[…]``, assigned to ``note`` or returned by a ``*_note`` function."""
    codes: set[str] = set()
    for path in sorted((ROOT / "parsers").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = _parents(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Tuple) and len(node.elts) == 2 and _strings(node.elts[0])):
                continue
            up, is_note = node, False
            while up in parents and not isinstance(up, ast.stmt):
                up = parents[up]
                if isinstance(up, ast.Call) and isinstance(up.func, ast.Attribute) and up.func.attr == "append":
                    is_note |= getattr(up.func.value, "id", None) == "notes"
                if isinstance(up, ast.keyword) and up.arg == "notes":
                    is_note = True
            if isinstance(up, ast.Assign):
                is_note |= any(getattr(t, "id", None) == "note" for t in up.targets)
            if isinstance(up, ast.Return):
                is_note |= (_function(up, parents) or tree).__dict__.get("name", "").endswith("_note")
            if is_note:
                codes |= set(_strings(node.elts[0]))
    return codes


def parse_error_codes() -> set[str]:
    import parsers  # noqa: F401  (every reader imported: every subclass defined)

    return {cls.code for cls in _subclasses(ParseError)}


def parse_warning_codes() -> set[str]:
    codes, unresolved = _codes_of_calls("parsers", "warn")
    # the one call passing a variable hands on the readers' notes: their codes are enumerated apart
    assert unresolved == ["parsers/match.py:document_to_report"], unresolved
    return codes | _reader_note_codes()


def crawl_fault_codes() -> set[str]:
    codes, unresolved = _codes_of_calls("spiders", "fault")
    assert unresolved == [], unresolved
    return codes | set(FAULT_KINDS)


def load_status_codes() -> set[str]:
    return {status.value for status in LoadStatus}


ENUMERATED = {
    "parse_error": parse_error_codes,
    "parse_warning": parse_warning_codes,
    "crawl_fault": crawl_fault_codes,
    "load_status": load_status_codes,
}


def test_the_enumeration_finds_the_codes_it_should():
    """The walkers see what they are meant to (else the completeness test below would pass on nothing)."""
    assert {"empty", "not_a_report", "report_in_attachment", "needs_ocr", "not_a_file"} <= parse_error_codes()
    assert {"row_missing", "cells_split", "encoding_repaired", "glyphs_unmapped", "text_restructured"} <= (
        parse_warning_codes()
    )
    assert {"broken_link", "http_error", "blocked", "offsite_redirect", "crawl_failed", "robots"} <= (
        crawl_fault_codes()
    )
    assert {"new", "failed", "in_attachment"} <= load_status_codes()


@pytest.mark.parametrize("kind", sorted(ENUMERATED))
def test_every_code_has_a_chinese_and_an_english_headline(kind):
    codes = ENUMERATED[kind]()
    catalogue = CATALOGUES[kind]
    missing = sorted(codes - set(catalogue))
    assert not missing, f"add {kind} headlines (zh, en) to nianbao/messages.py for: {', '.join(missing)}"
    for code in codes:
        zh, en = catalogue[code]
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{kind} {code}: the Chinese headline has no Chinese"
        assert en.strip() and not re.search(r"[\u4e00-\u9fff]", en), f"{kind} {code}: English headline"
    stale = sorted(set(catalogue) - codes)
    assert not stale, f"nianbao/messages.py translates {kind} codes nothing raises any more: {', '.join(stale)}"


def test_codes_are_snake_case_and_catalogues_are_apart():
    for catalogue in (PARSE_ERRORS, PARSE_WARNINGS, CRAWL_FAULTS, LOAD_STATUSES):
        assert all(CODE.match(code) for code in catalogue)


@pytest.mark.parametrize(
    ("lang", "code", "detail", "expected"),
    [
        (
            "zh",
            "not_a_report",
            "no annual report here: no title naming 政府信息公开…报告 and no statistics tables",
            "不是年度报告 (no title naming 政府信息公开…报告 and no statistics tables)",
        ),
        (
            "en",
            "not_a_report",
            "no annual report here: no title naming 政府信息公开…报告 and no statistics tables",
            "not an annual report: no title naming 政府信息公开…报告 and no statistics tables",
        ),
        ("zh", "empty", "empty file", "空文件"),
        ("en", "empty", "empty file", "empty file"),
        ("en", "empty", "the PDF has no pages", "empty file: the PDF has no pages"),
        (
            "en",
            "not_a_file",
            "not a regular file (FIFO); it was not read",
            "not a regular file (FIFO); it was not read",
        ),
        ("zh", "report_in_attachment", "the report is in an attachment: a.pdf", "报告在附件中 (a.pdf)"),
        (
            "en",
            "report_in_attachment",
            "the report is in an attachment: a.pdf",
            "the report is in an attachment: a.pdf",
        ),
        ("en", "no_such_code", "as it was", "as it was"),
    ],
)
def test_a_coded_message_opens_with_its_headline_once(lang, code, detail, expected):
    assert coded_message(code, detail, lang) == expected


def _stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    notice = tmp_path / "notice.txt"
    notice.write_text("关于召开安全生产工作会议的通知\n各单位：定于下周一召开会议。\n", encoding="utf-8")
    return {"empty": empty, "notice": notice}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", {"empty": "错误: {}: 空文件", "notice": "错误: {}: 不是年度报告 (no title naming"}),
        ("en", {"empty": "error: {}: empty file", "notice": "error: {}: not an annual report: no title naming"}),
    ],
)
def test_parse_names_the_problem_in_the_chosen_language(inputs, lang, expected):
    result = CliRunner().invoke(app, ["--lang", lang, "parse", str(inputs["empty"]), str(inputs["notice"])])
    assert result.exit_code == 1
    lines = _stderr_lines(result)
    for name, start in expected.items():
        assert any(line.startswith(start.format(inputs[name])) for line in lines), (name, lines)
    other = "空文件" if lang == "en" else "empty file"
    assert not any(other in line for line in lines)


def test_the_language_follows_the_locale_without_lang(inputs, monkeypatch):
    monkeypatch.delenv("NIANBAO_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    i18n.set_lang(None)
    for locale, start in (
        ("zh_CN.UTF-8", f"错误: {inputs['notice']}: 不是年度报告 ("),
        ("C.UTF-8", f"错误: {inputs['notice']}: 不是年度报告 ("),  # a server's locale names no language
        ("en_US.UTF-8", f"error: {inputs['notice']}: not an annual report: "),
    ):
        result = CliRunner().invoke(app, ["parse", str(inputs["notice"])], env={"LANG": locale})
        assert _stderr_lines(result)[0].startswith(start), (locale, result.stderr)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_parse_warnings_carry_their_headline_and_code(lang):
    result = CliRunner().invoke(app, ["--lang", lang, "parse", str(seed_path("001"))], env={"COLUMNS": "300"})
    warned = [line for line in result.stdout.splitlines() if "⚠" in line]
    assert result.exit_code == 0 and len(warned) == 2, result.stdout  # seed 001: two warnings
    for line in warned:
        found = re.search(r"⚠ (.+?) \(([a-z_]+)\): ", line)
        assert found, line
        zh, en = PARSE_WARNINGS[found[2]]
        assert found[1] == (zh if lang == "zh" else en)


def test_the_crawl_summary_names_faults_in_the_chosen_language():
    summary = {
        "started_at": "2026-01-01T00:00:00+00:00",
        "finished_at": "2026-01-01T00:01:00+00:00",
        "portals": {
            "bypc": {
                "host": "www.bypc.gov.cn",
                "ok": False,
                "counts": {},
                "faults": [{"kind": "blocked", "url": "http://www.bypc.gov.cn/", "detail": "HTTP 403 (page)"}],
            }
        },
        "faults": [{"portal": "bypc", "kind": "blocked", "url": "http://www.bypc.gov.cn/", "detail": "HTTP 403"}],
        "exit_code": 1,
    }
    assert "  blocked: http://www.bypc.gov.cn/ (HTTP 403 (page))" in summary_text(summary)  # the file's form
    i18n.set_lang("zh")
    assert "  网站拒绝访问 (blocked): http://www.bypc.gov.cn/" in summary_text(summary, kind_label=fault_label)
    i18n.set_lang("en")
    assert "  blocked by the site (blocked): http://www.bypc.gov.cn/" in summary_text(summary, kind_label=fault_label)


NOT_A_REPORT_DETAIL = "no title naming 政府信息公开…报告 and no statistics tables"


@pytest.mark.parametrize(
    ("lang", "empty", "notice"),
    [
        ("zh", "错误: {}: 空文件", f"错误: {{}}: 不是年度报告 ({NOT_A_REPORT_DETAIL})"),
        ("en", "error: {}: empty file", f"error: {{}}: not an annual report: {NOT_A_REPORT_DETAIL}"),
    ],
)
def test_load_and_check_name_the_problem_in_the_chosen_language(inputs, tmp_path, monkeypatch, lang, empty, notice):
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    files = [str(inputs["empty"]), str(inputs["notice"])]
    check = CliRunner().invoke(app, ["--lang", lang, "check", *files])
    assert check.exit_code == 1, check.output
    assert _stderr_lines(check) == [empty.format(files[0]), notice.format(files[1])]
    load = CliRunner().invoke(app, ["--lang", lang, "load", *files])
    assert load.exit_code == 1, load.output
    assert _stderr_lines(load) == [  # the headline first, then what the warehouse did
        empty.format(files[0]) + " (stored as a failed report #1)",
        notice.format(files[1]) + " (stored as a failed report #2)",
    ]


def test_probe_names_faults_in_the_chosen_language():
    from spiders.probe import Probe, probe_text

    result = Probe("http://www.bypc.gov.cn/col/", status=403)
    result.fault("blocked", "HTTP 403: the site refuses this crawler")
    assert "  fault blocked: HTTP 403" in probe_text(result)
    i18n.set_lang("zh")
    assert "  fault 网站拒绝访问 (blocked): HTTP 403" in probe_text(result, kind_label=fault_label)

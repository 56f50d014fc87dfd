"""Fixture documents: each HTML page, Word document, PDF and .doc parses to the numbers of the seed it
was built from, and every fixture parses exactly to its reviewed golden JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from build_golden import GOLDEN, expected_json, golden_name, report_files
from conftest import FIXTURES

from parsers import parse_file
from parsers.form import OTHER_ROWS_2021, FormVersion, Table
from parsers.report import Report

DOCUMENTS = sorted((FIXTURES / "documents").glob("*.html"))
#: Word, PDF and legacy Word fixtures (a PDF named .docx among them: the format is sniffed).
BINARY = sorted(p for p in (FIXTURES / "documents").iterdir() if p.suffix in (".docx", ".pdf", ".doc", ".wps"))
NEEDS_LIBREOFFICE = (".doc", ".wps")


def _numbers(report: Report) -> dict:
    data = report.to_json_dict()
    return {
        "requests": data["requests"],
        "reviews": data["reviews"],
        "proactive": [(p["item"], p["metric"], p["value"]) for p in data["proactive"]],
    }


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if "mixed" not in p.name], ids=lambda p: p.name)
def test_html_fixture_has_the_numbers_of_its_seed(path: Path, seed_reports: dict[str, Report]) -> None:
    seed = seed_reports[path.name[:3]]
    report = parse_file(path)
    assert _numbers(report) == _numbers(seed)
    assert (report.agency, report.year, report.form, report.period) == (seed.agency, seed.year, seed.form, seed.period)
    assert report.form_reference == seed.form_reference
    assert [w.code for w in report.warnings] == []


@pytest.mark.parametrize("path", BINARY, ids=lambda p: p.name)
def test_word_pdf_and_doc_fixtures_have_the_numbers_of_their_seed(
    path: Path, seed_reports: dict[str, Report], request: pytest.FixtureRequest
) -> None:
    if path.suffix in NEEDS_LIBREOFFICE:
        request.getfixturevalue("soffice")
    seed = seed_reports[path.name[:3]]
    report = parse_file(path)
    assert _numbers(report) == _numbers(seed)
    assert (report.agency, report.year, report.form, report.period) == (seed.agency, seed.year, seed.form, seed.period)
    assert report.form_reference == seed.form_reference
    assert [w.code for w in report.warnings] == []
    positions = [c["position"] for c in report.to_json_dict()["cells"]]
    if report.format == "pdf":  # provenance: the page and the box every number was printed in
        assert all(isinstance(p["page"], int) and len(p["bbox"]) == 4 for p in positions)
    else:
        assert all({"table", "row", "col"} <= set(p) and "page" not in p for p in positions)


def test_fixture_formats_are_sniffed_from_content() -> None:
    formats = {p.name: parse_file(p).format for p in BINARY if p.suffix not in NEEDS_LIBREOFFICE}
    assert formats["003_pdf_named.docx"] == "pdf"
    assert {f for n, f in formats.items() if n.endswith(".pdf")} == {"pdf"}
    assert {f for n, f in formats.items() if n.endswith("_word.docx")} == {"docx"}


def test_fixture_encodings() -> None:
    assert parse_file(FIXTURES / "documents" / "001_gb2312.html").encoding == "gb18030"
    assert parse_file(FIXTURES / "documents" / "000_gbk_undeclared.html").encoding == "gb18030"
    assert parse_file(FIXTURES / "documents" / "000_official.html").encoding == "utf-8"


def test_zero_marks_read_as_blank_zero() -> None:
    report = parse_file(FIXTURES / "documents" / "002_zero_marks.html")
    kinds = {c.raw: c.kind.value for row in report.requests.values() for c in row.values() if c.value == 0}
    assert kinds == {"": "blank", "—": "blank", "/": "blank", "－": "blank", "无": "blank"}


def test_portal_chrome_ignored() -> None:
    report = parse_file(FIXTURES / "documents" / "003_portal_chrome.html")
    assert report.agency == "红寺堡区审批服务管理局"  # not 所属机构 平川区政府办 from the metadata table
    assert "分享到" not in report.sections[-1].text
    assert report.requests["new_requests"]["total"].raw == "０"  # full-width digits as printed


def test_mixed_form_reported_per_table(seed_reports: dict[str, Report]) -> None:
    report = parse_file(FIXTURES / "documents" / "003_mixed_form.html")
    assert report.table_forms == {Table.PROACTIVE: FormVersion.V2021, Table.REQUESTS: FormVersion.V2019}
    assert report.form is FormVersion.V2021
    assert "other_handling" in report.requests and not set(OTHER_ROWS_2021) & set(report.requests)
    assert [w.code for w in report.warnings] == ["mixed_form"]


@pytest.mark.parametrize("path", report_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden(path: Path, request: pytest.FixtureRequest) -> None:
    if path.suffix in NEEDS_LIBREOFFICE:
        request.getfixturevalue("soffice")
    golden = GOLDEN / golden_name(path)
    assert golden.exists(), f"no golden file: run `make golden` and review {golden.name}"
    assert expected_json(path) == json.loads(golden.read_text(encoding="utf-8"))


def test_no_stale_golden_files() -> None:
    assert {p.name for p in GOLDEN.glob("*.json")} == {golden_name(p) for p in report_files()}

"""No silent corruption (issue 18): a damaged table changes no number without a warning or a failed check.

One targeted case per class of damage, in each format where it applies — a part 二 row gone, a value
moved by a damaged part 二 header, a header that no longer matches the form, a digit changed, a
character that only looks like a digit — and a small seeded run of scripts/corrupt.py.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, seed_path

from parsers import parse_bytes
from parsers.form import Table
from parsers.report import CellKind, Report

DOCS = FIXTURES / "documents"
HTML = DOCS / "000_official.html"
WORD = DOCS / "000_word.docx"
PDF = DOCS / "000_pdf.pdf"


def _proactive(report: Report) -> dict[tuple[str, str], int | float | None]:
    return {(p.item, p.metric): p.cell.value for p in report.proactive}


def _codes(report: Report, table: Table | None = None) -> set[str]:
    return {w.code for w in report.warnings if table is None or w.table is table}


def _warning(report: Report, code: str, row: str | None = None):
    return next(w for w in report.warnings if w.code == code and (row is None or w.row == row))


def _html(edit) -> Report:
    return parse_bytes(edit(HTML.read_text(encoding="utf-8")).encode(), source="damaged.html")


def _text(edit) -> Report:
    return parse_bytes(edit(seed_path("000").read_text(encoding="utf-8")).encode(), source="damaged.txt")


def _word(edit) -> Report:
    data = WORD.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/document.xml":
                content = edit(content.decode("utf-8")).encode("utf-8")
            dst.writestr(info, content)
    return parse_bytes(out.getvalue(), source="damaged.docx")


def _swap(a: str, b: str):
    """An edit that swaps the first ``a`` and the first ``b`` (two header cells' texts)."""
    return lambda s: s.replace(a, "\0", 1).replace(b, a, 1).replace("\0", b, 1)


def _drop_row(markup: str, label: str, row_pattern: str) -> str:
    rows = [m for m in re.finditer(row_pattern, markup, re.S) if label in m[0]]
    assert rows, label
    return markup[: rows[0].start()] + markup[rows[0].end() :]


HTML_ROW = r"<tr\b.*?</tr>\s*"
WORD_ROW = r"<w:tr\b.*?</w:tr>"
TEXT_ROW = r"^[^\n]*\t[^\n]*\n"


@pytest.fixture(scope="module")
def originals() -> dict[str, Report]:
    return {
        "html": parse_bytes(HTML.read_bytes()),
        "text": parse_bytes(seed_path("000").read_bytes()),
        "docx": parse_bytes(WORD.read_bytes()),
    }


# --- a part 二 row gone ------------------------------------------------------------------------------

ROW_GONE = {
    "html": lambda: _html(lambda s: _drop_row(s, "行政许可", HTML_ROW)),
    "text": lambda: _text(lambda s: re.sub(r"^行政许可\t.*\n", "", s, count=1, flags=re.M)),
    "docx": lambda: _word(lambda s: _drop_row(s, "行政许可", WORD_ROW)),
}


@pytest.mark.parametrize("fmt", sorted(ROW_GONE))
def test_a_part_2_row_gone_is_a_warning(fmt: str) -> None:
    report = ROW_GONE[fmt]()
    assert "licensing" not in {p.item for p in report.proactive}
    warning = _warning(report, "row_missing", "licensing")
    assert warning.table is Table.PROACTIVE and "行政许可" in warning.message


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_a_part_2_row_with_a_damaged_label_is_named(fmt: str) -> None:
    report = (_html if fmt == "html" else _word)(lambda s: s.replace("行政处罚", "行政处", 1))
    assert {"row_missing", "row_unrecognised"} <= _codes(report, Table.PROACTIVE)
    assert '"行政处"' in _warning(report, "row_unrecognised").message


def test_a_part_2_row_gone_in_a_pdf_is_a_warning() -> None:
    """The 行政许可 row's text deleted from the page's content stream (its ruling lines stay)."""
    import pdfplumber
    from corrupt import _TEXT_BLOCK_RE, _pdf_pages, _rebuild_pdf

    data = PDF.read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page_no, height, bottom = next(
            (n, page.height, word["bottom"])
            for n, page in enumerate(pdf.pages)
            for word in page.extract_words()
            if word["text"].startswith("行政许可")
        )
    start, end, length_obj, content = _pdf_pages(data)[page_no]
    blocks = list(_TEXT_BLOCK_RE.finditer(content))
    y = min({b["y"] for b in blocks}, key=lambda v: abs(float(v) - (height - bottom)))
    for block in reversed([b for b in blocks if b["y"] == y]):
        content = content[: block.start()] + content[block.end() :]
    report = parse_bytes(_rebuild_pdf(data, start, end, length_obj, content), source="damaged.pdf")
    assert "licensing" not in {p.item for p in report.proactive}
    assert _warning(report, "row_missing", "licensing").table is Table.PROACTIVE


# --- a value moved by a damaged part 二 header ---------------------------------------------------------

DAMAGED_HEADER = {
    "html": lambda: _html(lambda s: s.replace("上一年项目数量", "上年项目数量", 1)),
    "text": lambda: _text(lambda s: s.replace("上一年项目数量", "上年项目数量", 1)),
    "docx": lambda: _word(lambda s: s.replace("上一年项目数量", "上年项目数量", 1)),
}


@pytest.mark.parametrize("fmt", sorted(DAMAGED_HEADER))
def test_a_damaged_part_2_header_moves_no_value_and_is_a_warning(fmt: str, originals) -> None:
    """Regression: a header reading only 本年增/减 | 处理决定数量 put 83 under items_change, +117 under decisions."""
    report = DAMAGED_HEADER[fmt]()
    assert _proactive(report) == _proactive(originals[fmt])
    warning = _warning(report, "header_mismatch", "licensing")
    assert "? | 本年增/减 | 处理决定数量" in warning.message and "form's order" in warning.message
    assert re.search(r"\((line \d+|table \d+, row \d+)\)", warning.message)  # where


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_swapped_part_2_header_cells_are_read_by_the_header_and_said(fmt: str, originals) -> None:
    report = (_html if fmt == "html" else _text)(_swap("本年增/减", "处理决定数量"))
    values = _proactive(report)
    assert (values[("licensing", "decisions")], values[("licensing", "items_change")]) == (117, 11034)
    assert "another order" in _warning(report, "header_mismatch", "licensing").message


def test_a_part_2_row_out_of_order_and_a_row_with_an_extra_cell_are_warnings() -> None:
    def edit(s: str) -> str:
        s = s.replace("<td>行政处罚</td>", "<td>@</td>", 1).replace("<td>行政强制</td>", "<td>行政处罚</td>", 1)
        s = s.replace("<td>@</td>", "<td>行政强制</td>", 1)
        return s.replace("<td>83</td>", "<td>83</td><td>83</td>", 1)

    report = _html(edit)
    assert _warning(report, "row_order", "penalty").table is Table.PROACTIVE
    assert "4 cells where the form has 3" in _warning(report, "row_width", "licensing").message


# --- part 三 and 四 headers ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "text", "docx"])
def test_swapped_part_3_headings_are_a_warning(fmt: str, originals) -> None:
    swap = _swap("商业企业", "科研机构")
    report = {"html": _html, "text": _text, "docx": _word}[fmt](swap)
    assert report.requests == originals[fmt].requests  # read by position, as the form fixes them
    assert "header_mismatch" in _codes(report, Table.REQUESTS)


def test_a_lost_part_3_heading_is_a_warning_in_html() -> None:
    report = _html(lambda s: s.replace("<td>法律服务机构</td>", "<td></td>", 1))
    assert "lacks 法律" in _warning(report, "header_mismatch").message


@pytest.mark.parametrize("fmt", ["html", "text", "docx"])
def test_swapped_part_4_headings_are_a_warning(fmt: str) -> None:
    swap = _swap("结果维持", "结果纠正")
    report = {"html": _html, "text": _text, "docx": _word}[fmt](swap)
    assert "header_mismatch" in _codes(report, Table.REVIEWS)


def test_the_fixtures_raise_no_header_warning() -> None:
    for path in sorted(DOCS.iterdir()):
        if path.suffix in (".html", ".docx"):
            report = parse_bytes(path.read_bytes())
            assert not {"header_mismatch", "row_order", "row_missing", "cell_suspect"} & _codes(report), path.name


# --- digits ----------------------------------------------------------------------------------------------


def test_a_character_that_only_looks_like_a_digit_is_unreadable() -> None:
    """A superscript, an Arabic-Indic digit: damage, never data (NFKC and \\d would read them as digits)."""
    report = _html(
        lambda s: s.replace("<td>11034</td>", "<td>11０3\u00b9</td>", 1).replace("<td>56</td>", "<td>5٦</td>")
    )
    cells = {(p.item, p.metric): p.cell for p in report.proactive}
    for key in (("licensing", "decisions"), ("other_services", "items_last_year")):
        assert (cells[key].value, cells[key].kind) == (None, CellKind.UNREADABLE)
        assert "only looks like a digit" in cells[key].note
    assert "cell_unreadable" in _codes(report, Table.PROACTIVE)


@pytest.mark.parametrize(("printed", "why"), [("110３4", "full-width"), ("011034", "leading zero")])
def test_a_number_printed_oddly_is_kept_and_flagged(printed: str, why: str) -> None:
    report = _html(lambda s: s.replace("<td>11034</td>", f"<td>{printed}</td>", 1))
    cell = next(p.cell for p in report.proactive if (p.item, p.metric) == ("licensing", "decisions"))
    assert (cell.value, cell.kind) == (11034, CellKind.NUMBER) and why in cell.note
    assert _warning(report, "cell_suspect", "licensing").column == "decisions"


@pytest.fixture(scope="module")
def checked():
    from expectations.run import check_reports

    def run(*reports: Report):
        items = check_reports([(Path(f"/damaged/{n}"), r) for n, r in enumerate(reports)])
        return [{(r.check.key, r.scope) for r in item.results if r.outcome.value == "FAIL"} for item in items]

    return run


def test_a_part_3_digit_changed_fails_an_identity_and_a_part_2_row_gone_fails_complete(checked) -> None:
    """A digit that still reads as a digit is caught by 总计 = the sum of the applicants (every part 三 cell
    is in one); a part 二 row gone makes the report incomplete."""

    def edit(s: str) -> str:
        row = next(m for m in re.finditer(HTML_ROW, s, re.S) if "本年新收" in m[0])
        return s[: row.start()] + row[0].replace("<td>1</td>", "<td>7</td>", 1) + s[row.end() :]

    digit = _html(edit)
    assert digit.requests["new_requests"]["natural_person"].value == 7
    original, damaged, row_gone = checked(parse_bytes(HTML.read_bytes()), digit, ROW_GONE["html"]())
    assert original == set()
    assert ("applicant_sum", "new_requests") in damaged
    assert row_gone == {("complete", None)}


# --- the harness ---------------------------------------------------------------------------------------


def test_seeded_damage_changes_no_number_silently() -> None:
    from corrupt import run

    outcomes = run({"html", "text"}, per_kind=1, seed=18)
    bad = [o for o in outcomes if o.outcome in ("silent", "crash")]
    assert len(outcomes) > 60 and not bad, bad
    assert {o.outcome for o in outcomes} >= {"same", "flagged"}

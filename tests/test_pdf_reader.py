"""The PDF reader: ruled and unruled tables, pages, provenance, unreadable text, and damaged or hostile files.

Most cases use the LibreOffice fixtures; the ones no office suite makes on purpose (faux bold, numbers
centred between two label lines, hidden ruling lines, glyphs without characters, a slow page) are drawn
with ``scripts/minipdf.py``.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pdfplumber
import pytest
from conftest import FIXTURES
from minipdf import MiniPdf, Page

from parsers import parse_bytes, parse_file
from parsers.errors import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    NeedsOCR,
    ReaderCrashed,
    ReaderFailed,
    TimeLimitExceeded,
    TooLarge,
)
from parsers.grid import TableBlock
from parsers.limits import MEMORY_LIMIT, run_isolated
from parsers.pdf import dedupe_chars, pdf_to_document
from parsers.report import CellKind, Report

DOCUMENTS = FIXTURES / "documents"
BAD = FIXTURES / "bad"
PDFS = sorted(DOCUMENTS.glob("*.pdf"))


def _texts(table: TableBlock) -> list[list[str]]:
    return [[("~" if c.is_copy else "") + c.text for c in row] for row in table.rows]


def _cells(report: Report):
    yield from (cell for row in report.requests.values() for cell in row.values())
    yield from report.reviews.values()
    yield from (p.cell for p in report.proactive)


# --- the LibreOffice fixtures ---------------------------------------------------------


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_every_cell_keeps_its_page_and_a_box_that_holds_its_text(path: Path) -> None:
    report = parse_file(path)
    with pdfplumber.open(path) as pdf:
        for cell in _cells(report):
            page, bbox = cell.position.page, cell.position.bbox
            assert page is not None and bbox is not None
            printed = pdf.pages[page - 1].crop(bbox).dedupe_chars().extract_text()
            assert "".join(printed.split()) == "".join(cell.raw.split())


def test_merged_cells_are_rebuilt_from_the_geometry_of_the_ruling() -> None:
    doc = pdf_to_document((DOCUMENTS / "000_pdf.pdf").read_bytes())
    cells = [c for t in doc.tables for row in t.rows for c in row]
    group = [c for c in cells if c.text == "三、本年度办理结果"]
    assert sum(not c.is_copy for c in group) == 1 and sum(c.rowspan_copy for c in group) >= 10
    applicants = [c for c in cells if c.text == "申请人情况"]
    assert sum(not c.is_copy for c in applicants) == 1 and sum(c.colspan_copy for c in applicants) == 6
    assert len({c.bbox for c in applicants}) == 1  # one printed box


def test_part_three_cut_inside_a_row_group_is_read_across_the_pages() -> None:
    report = parse_file(DOCUMENTS / "001_split_group.pdf")
    first, second = report.requests["unavailable_not_held"], report.requests["unavailable_needs_creation"]
    assert second["total"].position.page == first["total"].position.page + 1
    assert second["total"].position.table == first["total"].position.table + 1
    assert report.warnings == []


def test_part_three_with_its_header_repeated_on_the_next_page() -> None:
    doc = pdf_to_document((DOCUMENTS / "003_split_header.pdf").read_bytes())
    with_header = [t for t in doc.tables if any(c.text == "申请人情况" for row in t.rows for c in row)]
    assert len(with_header) == 2 and with_header[1].rows[0][0].page == with_header[0].rows[0][0].page + 1
    report = parse_file(DOCUMENTS / "003_split_header.pdf")
    assert report.requests["denied_internal_affairs"]["total"].position.page == 4
    assert report.warnings == []


def test_a_table_drawn_without_ruling_lines_is_read_by_word_positions() -> None:
    report = parse_file(DOCUMENTS / "002_unruled.pdf")
    assert report.requests["new_requests"]["natural_person"].value == 3
    assert report.warnings == []
    assert all(c.position.bbox is not None for c in _cells(report))


def test_paragraphs_wrapped_over_lines_are_joined(seed_reports) -> None:
    report = parse_file(DOCUMENTS / "000_pdf.pdf")
    assert report.contact == seed_reports["000"].contact  # the e-mail address wraps onto a line of its own
    assert report.title == seed_reports["000"].title  # a title in large type over two lines


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_duplicate_glyphs_dropped_exactly_as_pdfplumber_does(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            assert [id(c) for c in dedupe_chars(page.chars)] == [id(c) for c in page.dedupe_chars().chars]


def test_an_encrypted_pdf_opens_with_the_empty_password_or_says_it_needs_one() -> None:
    assert parse_file(DOCUMENTS / "000_owner_password.pdf").agency == "银川市西夏区审批服务管理局"
    with pytest.raises(EncryptedDocument, match="encrypted with a password"):
        parse_file(BAD / "user_password.pdf")


@pytest.mark.parametrize(
    ("name", "error", "says"),
    [
        ("corrupt.pdf", CorruptDocument, "not a readable PDF"),
        ("truncated.pdf", CorruptDocument, "damaged or truncated"),
        ("zero_pages.pdf", EmptyDocument, "no pages"),
        ("scanned.pdf", NeedsOCR, "no text layer"),
        ("unmapped_glyphs.pdf", NeedsOCR, "map to no characters"),
    ],
)
def test_damaged_empty_and_textless_pdfs(name: str, error: type, says: str) -> None:
    with pytest.raises(error, match=says):
        parse_file(BAD / name)


# --- drawn with minipdf -------------------------------------------------------------


def _ruled(page: Page, rows: list[list[str]], widths: list[float], top: float = 100, double: bool = False) -> None:
    """A ruled table; ``double`` draws every glyph twice, 0.3 pt apart (faux bold)."""
    xs = [72.0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [top + 20 * r for r in range(len(rows) + 1)]
    page.grid(xs, ys)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            page.text(xs[c] + 3, ys[r] + 5, text)
            if double:
                page.text(xs[c] + 3.3, ys[r] + 5, text)


def test_faux_bold_glyphs_drawn_twice_are_read_once() -> None:
    pdf = MiniPdf()
    _ruled(
        pdf.add_page(),
        [["本年新收政府信息公开申请数量", "12", "0"], ["予以公开", "3", "—"]],
        [200, 60, 60],
        double=True,
    )
    doc = pdf_to_document(pdf.to_bytes())
    assert _texts(doc.tables[0]) == [["本年新收政府信息公开申请数量", "12", "0"], ["予以公开", "3", "—"]]


def test_hidden_ruling_lines_make_no_phantom_columns() -> None:
    pdf = MiniPdf()
    page = pdf.add_page()
    _ruled(page, [["规章", "5"], ["行政许可", "7"]], [120, 80])
    page.line(232, 100, 232, 140, gray=1)  # a white line splitting the value column
    doc = pdf_to_document(pdf.to_bytes())
    assert _texts(doc.tables[0]) == [["规章", "5"], ["行政许可", "7"]]


def test_numbers_centred_beside_a_label_of_two_lines_stay_in_their_row() -> None:
    """Without ruling lines, a label wrapped over two lines sits above and below its numbers."""
    pdf = MiniPdf()
    page = pdf.add_page()
    for top, label, values in (
        (80, "（七）总计", ("9", "9")),
        (130, "四、结转下年度继续办理", ("1", "1")),
    ):
        page.text(72, top, label)
        page.text(320, top, values[0])
        page.text(420, top, values[1])
    page.text(72, 100, "1.申请人无正当理由逾期不补正、行政机关")
    page.text(72, 112, "不再处理其政府信息公开申请")
    page.text(320, 106, "5")
    page.text(420, 106, "5")
    doc = pdf_to_document(pdf.to_bytes())
    assert _texts(doc.tables[0]) == [
        ["（七）总计", "9", "9"],
        ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "5", "5"],
        ["四、结转下年度继续办理", "1", "1"],
    ]
    assert doc.paragraphs == []


def test_unruled_values_by_column_and_a_value_across_merged_columns() -> None:
    pdf = MiniPdf()
    page = pdf.add_page()
    columns = (260, 340, 420)
    page.text(72, 80, "信息内容")
    for x, header in zip(columns, ("本年制发件数", "本年废止件数", "现行有效件数"), strict=True):
        page.text(x - 20, 80, header)
    for top, label, values in ((100, "规章", ("0", "0", "0")), (140, "行政处罚", ("", "", "7"))):
        page.text(72, top, label)
        for x, value in zip(columns, values, strict=True):
            if value:
                page.text(x, top, value)
    page.text(72, 120, "行政许可")
    page.text(340, 120, "12")  # one value centred under three columns: printed across merged cells
    doc = pdf_to_document(pdf.to_bytes())
    assert _texts(doc.tables[0])[1:] == [["规章", "0", "0", "0"], ["行政许可", "12"], ["行政处罚", "", "", "7"]]


def test_glyphs_without_characters_are_never_read_as_numbers() -> None:
    pdf = MiniPdf()
    page = pdf.add_page()
    _ruled(page, [["本年新收政府信息公开申请数量", "3", ""]], [200, 60, 60])
    page.text(72 + 260 + 3, 105, "7", font="unmapped")
    doc = pdf_to_document(pdf.to_bytes())
    assert _texts(doc.tables[0]) == [["本年新收政府信息公开申请数量", "3", "\ufffd"]]
    assert [code for code, _ in doc.notes] == ["glyphs_unmapped"]
    from parsers.values import text_to_value

    assert text_to_value("\ufffd") == (None, CellKind.UNREADABLE)


def _text_page(page: Page, lines: list[tuple[float, str]]) -> None:
    for x, text in lines:
        page.text(x, 100 + 20 * len(page.ops), text, size=12)


def test_a_scanned_page_among_text_pages_is_said_and_explains_a_missing_table() -> None:
    pdf = MiniPdf()
    _text_page(pdf.add_page(), [(150, "西夏区某局2020年政府信息公开工作年度报告"), (96, "一、总体情况"), (96, "无。")])
    pdf.add_page().image(40, 40, 515, 760, bytes(64 * 90), 64, 90)
    doc = pdf_to_document(pdf.to_bytes())
    assert doc.notes == [("pages_unreadable", "page(s) 2 have no text layer (scanned?); not read")]
    with pytest.raises(NeedsOCR, match=r"page\(s\) 2 have no text layer"):
        parse_bytes(pdf.to_bytes())


def test_page_numbers_dropped_radicals_folded_and_paragraphs_joined_over_a_page_break() -> None:
    pdf = MiniPdf()
    first = pdf.add_page()
    long_line = "政府信息公开工作" * 5  # 40 characters of 12 pt: the full width from x=72
    _text_page(
        first,
        [(96, "一、总体情况"), (96, "本局" + long_line[2:]), (72, long_line), (96, "⼀是完善制度。"), (96, "二是")],
    )
    first.text(72, 100 + 20 * len(first.ops), long_line, size=12)
    first.text(290, 800, "- 1 -", size=10)
    second = pdf.add_page()
    second.text(72, 80, "强化监督。", size=12)
    second.text(96, 100, "三是加强培训。", size=12)
    second.text(290, 800, "- 2 -", size=10)
    texts = [p.text for p in pdf_to_document(pdf.to_bytes()).paragraphs]
    assert texts == [
        "一、总体情况",
        "本局" + long_line[2:] + long_line,
        "一是完善制度。",
        "二是" + long_line + "强化监督。",
        "三是加强培训。",
    ]


# --- the isolated reader and its limits -------------------------------------------------


def _slow_pdf() -> bytes:
    pdf = MiniPdf()
    page = pdf.add_page()
    for i in range(150_000):
        page.raw(f"BT /F1 9 Tf 1 0 0 1 {72 + i % 400} {100 + i % 600} Tm <0030> Tj ET")
    return pdf.to_bytes()


def test_a_pdf_that_takes_too_long_is_stopped_at_the_time_limit() -> None:
    """150,000 glyphs on one page: about half a second on the fast path on an idle machine (ten times the
    limit; the fast path got faster, 60,000 glyphs came in under the old 0.2 s limit), minutes on the
    reference path."""
    data = _slow_pdf()
    started = time.perf_counter()
    with pytest.raises(TimeLimitExceeded, match=r"time limit of 0\.05 s"):
        parse_bytes(data, time_limit=0.05)
    assert time.perf_counter() - started < 2.0


def _write_pid_and_hang(path: str) -> None:
    Path(path).write_text(str(os.getpid()))
    time.sleep(300)


def test_the_stopped_reader_process_is_gone(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    with pytest.raises(TimeLimitExceeded):
        run_isolated(_write_pid_and_hang, str(pid_file), seconds=0.5, what="hanging")
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _fail() -> None:
    raise ZeroDivisionError("a bug in a reader")


def _allocate() -> bytes:
    return bytes(2 * MEMORY_LIMIT)  # the ceiling is MEMORY_LIMIT above what the child inherits


def test_a_reader_that_dies_crashes_or_exhausts_memory_is_reported() -> None:
    with pytest.raises(ReaderCrashed, match="died"):
        run_isolated(_die, seconds=10, what="dying")
    with pytest.raises(ReaderFailed, match="ZeroDivisionError: a bug in a reader"):
        run_isolated(_fail, seconds=10, what="failing")
    with pytest.raises(TooLarge, match="memory"):
        run_isolated(_allocate, seconds=10, what="allocating")


def test_readers_in_parallel_threads_each_get_their_own_answer(tmp_path: Path) -> None:
    """Flows parse in a thread pool: children forked side by side answer their own parent, and a hanging
    sibling (which may hold a copy of another pipe) delays nobody. The sibling hangs for 300 s: a reader that
    waited for it would take at least that long, so the bound below is about blocking, not speed (it holds on a
    busy 2-core machine)."""
    paths = [DOCUMENTS / n for n in ("000_pdf.pdf", "001_pdf.pdf", "002_pdf.pdf", "003_pdf.pdf")]
    with ThreadPoolExecutor(max_workers=5) as pool:
        hanging = pool.submit(run_isolated, _write_pid_and_hang, str(tmp_path / "pid"), seconds=600, what="hanging")
        started = time.perf_counter()
        agencies = list(pool.map(lambda p: parse_bytes(p.read_bytes(), time_limit=60).agency, paths))
        elapsed = time.perf_counter() - started
        pid_file = tmp_path / "pid"
        for _ in range(100):
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.05)
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        with pytest.raises(ReaderCrashed):
            hanging.result()
    assert agencies == [
        "银川市西夏区审批服务管理局",
        "银川市西夏区西花园路街道办事处",
        "白银市平川区",
        "红寺堡区审批服务管理局",
    ]
    assert elapsed < 90


def test_in_process_reading_has_the_same_result() -> None:
    data = (DOCUMENTS / "003_pdf.pdf").read_bytes()
    isolated, in_process = parse_bytes(data), parse_bytes(data, time_limit=None)
    assert isolated.to_json_dict() == in_process.to_json_dict()


def test_reading_leaves_no_file_open() -> None:
    fds = Path("/proc/self/fd")
    if not fds.exists():
        pytest.skip("no /proc/self/fd here")
    before = len(list(fds.iterdir()))
    for _ in range(3):
        pdf_to_document((DOCUMENTS / "000_pdf.pdf").read_bytes())
    assert len(list(fds.iterdir())) == before

"""The five seeds, read exactly: every printed number, the form, the year, the agency."""

from __future__ import annotations

import pytest

from parsers.form import REQUEST_COLUMN_KEYS, REVIEW_KEYS, FormVersion, Table, request_row_keys
from parsers.report import CellKind, Report

# The non-zero cells each seed prints in part 三 (row -> {column: value}); every other cell is 0.
NONZERO_REQUESTS = {
    "000": {
        "new_requests": {"natural_person": 1, "total": 1},
        "unavailable_not_held": {"natural_person": 1, "total": 1},
        "total_processed": {"natural_person": 1, "total": 1},
    },
    "001": {},
    "002": {
        "new_requests": {"natural_person": 3, "total": 3},
        "unavailable_not_held": {"natural_person": 3, "total": 3},
    },
    "003": {},
}

PROACTIVE = {
    "000": [
        ("rules", "made", 0, "0"),
        ("rules", "published", 0, "0"),
        ("rules", "total_published", 0, "0"),
        ("normative_documents", "made", 0, "0"),
        ("normative_documents", "published", 0, "0"),
        ("normative_documents", "total_published", 0, "0"),
        ("licensing", "items_last_year", 83, "83"),
        ("licensing", "items_change", 117, "+117"),
        ("licensing", "decisions", 11034, "11034"),
        ("other_services", "items_last_year", 56, "56"),
        ("other_services", "items_change", -2, "-2"),
        ("other_services", "decisions", 12980, "12980"),
        ("penalty", "items_last_year", 0, "0"),
        ("penalty", "items_change", 0, "0"),
        ("penalty", "decisions", 0, "0"),
        ("coercion", "items_last_year", 0, "0"),
        ("coercion", "items_change", 0, "0"),
        ("coercion", "decisions", 0, "0"),
        ("fees", "items_last_year", 0, "0"),
        ("fees", "items_change", 0, "0"),
        ("procurement", "items", 0, "0"),
        ("procurement", "amount", 0, "0"),
    ],
    "002": [
        ("rules", "made", 0, "0"),
        ("rules", "published", 0, "0"),
        ("rules", "total_published", 0, "0"),
        ("normative_documents", "made", 3, "3"),
        ("normative_documents", "published", 3, "3"),
        ("normative_documents", "total_published", 11, "11"),
        ("licensing", "items_last_year", 347, "347"),
        ("licensing", "items_change", 169, "增169"),
        ("licensing", "decisions", 2558, "2558"),
        ("other_services", "items_last_year", 283, "283"),
        ("other_services", "items_change", -79, "减79"),
        ("other_services", "decisions", 31923, "31923"),
        ("penalty", "items_last_year", 1924, "1924"),
        ("penalty", "items_change", 958, "增958"),
        ("penalty", "decisions", 278, "278"),
        ("coercion", "items_last_year", 124, "124"),
        ("coercion", "items_change", 46, "增46"),
        ("coercion", "decisions", 42, "42"),
        ("fees", "items_last_year", 11, "11"),
        ("fees", "items_change", 16, "增16"),
        ("procurement", "items", 149, "149"),
        ("procurement", "amount", 45822.4584, "45822.4584万元"),
    ],
    "003": [
        ("rules", "issued", 0, "0"),
        ("rules", "repealed", 0, "0"),
        ("rules", "in_force", 0, "0"),
        ("normative_documents", "issued", 0, "0"),
        ("normative_documents", "repealed", 0, "0"),
        ("normative_documents", "in_force", 0, "0"),
        ("licensing", "decisions", 0, "0"),
        ("penalty", "decisions", 0, "0"),
        ("coercion", "decisions", 0, "0"),
        ("fees", "fee_amount", 0, "0"),
    ],
}

META = {
    "000": ("银川市西夏区审批服务管理局", 2020, FormVersion.V2019, "国办公开办函〔2019〕60号"),
    "001": ("银川市西夏区西花园路街道办事处", 2020, FormVersion.V2019, "国办公开办函〔2019〕60号"),
    "002": ("白银市平川区", 2020, FormVersion.V2019, None),
    "003": ("红寺堡区审批服务管理局", 2022, FormVersion.V2021, "国办公开办函〔2021〕30号"),
    "004": ("西夏区人民政府", 2014, FormVersion.PRE2019, None),
}


@pytest.mark.parametrize("seed", sorted(META))
def test_metadata(seed_reports: dict[str, Report], seed: str) -> None:
    report = seed_reports[seed]
    assert (report.agency, report.year, report.form, report.form_reference) == META[seed]


@pytest.mark.parametrize("seed", sorted(NONZERO_REQUESTS))
def test_requests_every_cell(seed_reports: dict[str, Report], seed: str) -> None:
    report = seed_reports[seed]
    rows = request_row_keys(report.form)
    assert list(report.requests) == list(rows)
    for row in rows:
        for col in REQUEST_COLUMN_KEYS:
            expected = NONZERO_REQUESTS[seed].get(row, {}).get(col, 0)
            assert report.requests[row][col].value == expected, (row, col)


@pytest.mark.parametrize("seed", sorted(NONZERO_REQUESTS))
def test_reviews_all_zero(seed_reports: dict[str, Report], seed: str) -> None:
    reviews = seed_reports[seed].reviews
    assert list(reviews) == list(REVIEW_KEYS)
    assert all(cell.value == 0 and cell.kind is CellKind.NUMBER for cell in reviews.values())


@pytest.mark.parametrize("seed", sorted(PROACTIVE))
def test_proactive_values_and_printed_text(seed_reports: dict[str, Report], seed: str) -> None:
    got = [(p.item, p.metric, p.cell.value, p.cell.raw) for p in seed_reports[seed].proactive]
    assert got == PROACTIVE[seed]


def test_seed_001_lost_cell_is_recovered_and_marked(seed_reports: dict[str, Report]) -> None:
    report = seed_reports["001"]
    cell = report.requests["denied_internal_affairs"]["natural_person"]
    assert (cell.value, cell.kind, cell.raw) == (0, CellKind.INFERRED, "")
    assert cell.position.line is not None
    inferred = [w for w in report.warnings if w.code == "cell_inferred"]
    assert [(w.row, w.column) for w in inferred] == [("denied_internal_affairs", "natural_person")]
    others = [c for r in report.requests.values() for c in r.values() if c.kind is not CellKind.NUMBER]
    assert others == [cell]


def test_seed_001_scrambled_label_placed_by_position(seed_reports: dict[str, Report]) -> None:
    warnings = [w for w in seed_reports["001"].warnings if w.code == "matched_by_position"]
    assert [w.row for w in warnings] == ["granted"]


def test_seed_000_shifted_row_still_read(seed_reports: dict[str, Report]) -> None:
    # "3.补正后申请内容仍不明确" starts one tab left of its neighbours in the source.
    cells = seed_reports["000"].requests["unavailable_unclear"]
    assert [cells[c].value for c in REQUEST_COLUMN_KEYS] == [0] * 7
    assert seed_reports["000"].warnings == []


def test_seed_002_cells_keep_line_numbers_and_raw_spacing(seed_reports: dict[str, Report]) -> None:
    cell = seed_reports["002"].requests["new_requests"]["natural_person"]
    assert (cell.value, cell.raw, cell.position.line) == (3, "3", 110)


def test_seed_003_has_the_three_2021_other_rows(seed_reports: dict[str, Report]) -> None:
    report = seed_reports["003"]
    assert report.table_forms == {Table.PROACTIVE: FormVersion.V2021, Table.REQUESTS: FormVersion.V2021}
    assert {"other_no_correction", "other_unpaid_fee", "other_misc"} <= set(report.requests)
    assert "other_handling" not in report.requests


def test_seed_004_is_pre2019_narrative_without_tables(seed_reports: dict[str, Report]) -> None:
    report = seed_reports["004"]
    assert not any(report.tables_present.values())
    assert report.requests == {} and report.reviews == {} and report.proactive == []
    assert [w.code for w in report.warnings] == ["no_tables"]
    assert [s.number for s in report.sections] == [1, 2, 3]
    assert "未受理网上依申请公开事项" in report.sections[1].text


@pytest.mark.parametrize("seed", ["000", "001", "002", "003"])
def test_six_parts_and_period(seed_reports: dict[str, Report], seed: str) -> None:
    report = seed_reports[seed]
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert [s.key for s in report.sections] == ["overview", "proactive", "requests", "reviews", "problems", "other"]
    year = report.year
    assert report.period is not None and (report.period.start, report.period.end) == (f"{year}-01-01", f"{year}-12-31")


def test_contact_block(seed_reports: dict[str, Report]) -> None:
    assert seed_reports["003"].contact == {
        "address": "吴忠市红寺堡区政务服务中心",
        "postcode": "751999",
        "phone": "0953-6321032",
        "fax": "0953-5089767",
        "email": "hsbspfwglj@163.com",
        "website": "www.hongsibu.gov.cn",
    }

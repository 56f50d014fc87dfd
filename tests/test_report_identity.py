"""One report per agency and year: the same report as page, DOCX, PDF and text is counted once, copies that
disagree are flagged, identical bytes are one document, concurrent loads take turns, and old warehouses
are brought along (issue 12; issue 18 item 6)."""

from __future__ import annotations

import io
import random
import subprocess
import sys
import time
from datetime import date

import pytest
import sqlalchemy as sa
from conftest import FIXTURES, ROOT, seed_path
from rich.console import Console

from expectations.flags import Decision, flag_evidence, flagged_reports, list_flags, review_flag
from expectations.run import validate_warehouse
from flows.ingest import load_bytes
from nianbao.i18n import set_lang
from nianbao.show import print_flag_evidence
from warehouse.db import make_engine, upgrade
from warehouse.identity import Candidate, agency_key, elect_current
from warehouse.load import DocumentInfo, LoadStatus
from warehouse.query import select_rows

DOCS = FIXTURES / "documents"
PAGE = "https://www.ycxixia.gov.cn/a/t20210120_1.html"  # the smallest URL: wins ties between equal copies
COPIES = {
    PAGE: DOCS / "000_official.html",
    "https://www.ycxixia.gov.cn/b/P0001.docx": DOCS / "000_word.docx",
    "https://www.ycxixia.gov.cn/c/P0002.pdf": DOCS / "000_pdf.pdf",
    "https://www.ycxixia.gov.cn/d/report.txt": seed_path("000"),
}
DIFFERING = "https://www.ycxixia.gov.cn/e/t20210121_2.html"  # a re-post whose part 二 has one number changed


def _rows(engine, sql: str, **params) -> list[tuple]:
    return select_rows(engine, sql, params).rows


def _differing_bytes() -> bytes:
    data = (DOCS / "000_official.html").read_bytes()
    changed = data.replace(b"<td>83</td>", b"<td>84</td>")
    assert changed != data
    return changed


# --- the agency key ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ("银川市西夏区人民政府办公室", "西夏区人民政府办公室", "西夏区 人民政府办公室 ", "西夏区\u3000人民政府办公室"),
        (
            "西夏区人民政府（审批服务管理局）",
            "银川市西夏区人民政府(审批服务管理局)",
            "西夏区人民政府〔审批服务管理局〕",
        ),
        ("白银市平川区卫生健康局", "平川区卫生健康局"),
        ("红寺堡区审批服务管理局", "吴忠市红寺堡区审批服务管理局"),
    ],
)
def test_spellings_of_one_agency_share_a_key(spellings: tuple[str, ...]) -> None:
    assert len({agency_key(s) for s in spellings}) == 1, {s: agency_key(s) for s in spellings}


def test_different_agencies_keep_different_keys() -> None:
    assert agency_key("西夏区人民政府") != agency_key("平川区人民政府")  # the district stays in the key
    assert agency_key("西夏区人民政府") != agency_key("西夏区人民政府办公室")
    assert agency_key("某某局") == "|某某局"  # no district named: kept whole


# --- the rule ----------------------------------------------------------------------------------


def _candidate(rid: int, **kw) -> Candidate:
    base = {"urls": (f"https://x.invalid/{rid}",), "sha256": f"{rid:064x}", "published": None, "readable_cells": 100,
            "n_warnings": 0, "format": "html"}  # fmt: skip
    return Candidate(report_id=rid, **(base | kw))


def test_the_latest_published_wins_then_the_most_complete_then_a_fixed_tie_break() -> None:
    old = _candidate(1, published=date(2021, 1, 20), readable_cells=120)
    correction = _candidate(2, published=date(2021, 6, 1), readable_cells=90)
    assert elect_current([old, correction]) == {2: "parsed", 1: "superseded"}
    page = _candidate(3, published=date(2021, 1, 20), format="html", readable_cells=100)
    pdf_short = _candidate(4, published=date(2021, 1, 20), format="pdf", readable_cells=80)
    docx = _candidate(5, published=date(2021, 1, 20), format="docx", readable_cells=100)
    assert elect_current([pdf_short, docx, page]) == {3: "parsed", 4: "alternate", 5: "alternate"}
    noisy = _candidate(6, published=date(2021, 1, 20), n_warnings=3)
    assert elect_current([noisy, docx])[5] == "parsed"
    twins = [_candidate(7, urls=("https://x.invalid/b",)), _candidate(8, urls=("https://x.invalid/a",))]
    for _ in range(5):
        random.shuffle(twins)
        assert elect_current(twins) == {8: "parsed", 7: "alternate"}
    dated, undated = _candidate(9, published=date(2020, 1, 1)), _candidate(10, readable_cells=500)
    assert elect_current([undated, dated]) == {9: "parsed", 10: "superseded"}
    outdated = _candidate(11, readable_cells=500, outdated=True)
    assert elect_current([outdated, _candidate(12)]) == {12: "parsed", 11: "superseded"}


# --- the warehouse -------------------------------------------------------------------------------


@pytest.fixture
def engine(warehouse_url):
    engine = make_engine(warehouse_url)
    yield engine
    engine.dispose()


def test_one_report_in_four_formats_and_a_differing_copy_is_counted_once(engine) -> None:
    results = {url: load_bytes(engine, path.read_bytes(), DocumentInfo(url=url)) for url, path in COPIES.items()}
    results[DIFFERING] = load_bytes(engine, _differing_bytes(), DocumentInfo(url=DIFFERING))
    assert {r.status for r in results.values()} == {LoadStatus.NEW}

    overview = _rows(engine, "SELECT agency_key, year, url FROM report_overview")
    assert overview == [("银川市西夏区|审批服务管理局", 2020, PAGE)]
    roles = dict(_rows(engine, "SELECT url, role FROM report_documents"))
    assert roles == {url: ("current" if url == PAGE else "alternate") for url in [*COPIES, DIFFERING]}
    # the README's query: the district's new requests, counted once (the report prints 1)
    sums = _rows(
        engine,
        "SELECT district, year, SUM(total) FROM report_requests WHERE row_key = 'new_requests' GROUP BY district, year",
    )
    assert sums == [("银川市西夏区", 2020, 1)]
    assert _rows(
        engine, "SELECT COUNT(*) FROM report_proactive WHERE item = 'licensing' AND metric = 'items_last_year'"
    ) == [(1,)]

    summary = validate_warehouse(engine)
    checked = {r.report_id for r in summary.results}
    assert checked == {results[PAGE].report_id}  # the checks run on the current document, once
    agree = [r for r in summary.results if r.check.key == "documents_agree" and r.outcome.value == "FAIL"]
    assert len(agree) == 1  # the four faithful copies agree; the re-post does not
    (finding,) = agree
    assert PAGE in finding.message_en and DIFFERING in finding.message_en
    assert PAGE in finding.message_zh and DIFFERING in finding.message_zh
    assert "licensing/items_last_year: 83 vs 84" in finding.message_en
    assert [(c["row"], c["column"], c["value"], c["other_value"]) for c in finding.cells] == [
        ("licensing", "items_last_year", 83, 84)
    ]
    assert finding.check.severity.value == "warning"
    versions = dict(_rows(engine, "SELECT url, differing_cells FROM report_versions"))
    assert versions == {url: (1 if url == DIFFERING else 0) for url in [*COPIES, DIFFERING]}

    flags = list_flags(engine).rows
    keys = [(row[0], row[2], row[3], row[5]) for row in flags]
    assert len(keys) == len(set(keys))  # each failing report once, not once per copy
    assert [row[3] for row in flags].count("documents_agree") == 1
    (report,) = flagged_reports(engine)  # one line for the report: its copies disagree; no sum is off
    assert (report.checks, report.largest_difference, report.url) == (("documents_agree",), None, PAGE)

    evidence = flag_evidence(engine, finding.fingerprint[:10])  # `nianbao flags show`: both copies' numbers
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    set_lang("en")
    try:
        print_flag_evidence(console, evidence)
    finally:
        set_lang(None)
    shown = console.export_text()
    assert finding.fingerprint in shown and "cells involved (1)" in shown
    cell_line = next(line for line in shown.splitlines() if "items_last_year" in line)
    assert "83" in cell_line and "84" in cell_line and "licensing" in cell_line


def test_great_expectations_decides_whether_copies_agree(engine) -> None:
    """documents_agree comes from the checkpoint's unexpected rows: loosen its expectation and the flag goes."""
    import dataclasses

    import great_expectations.expectations as gxe

    from expectations.checks import only
    from expectations.copies import DOCUMENTS_AGREE
    from expectations.run import evaluate
    from expectations.suite import CHECKS

    load_bytes(engine, COPIES[PAGE].read_bytes(), DocumentInfo(url=PAGE))
    load_bytes(engine, _differing_bytes(), DocumentInfo(url=DIFFERING))
    assert _rows(
        engine,
        "SELECT scope, left_value, right_value, operands FROM identity_documents_agree WHERE left_value <> right_value",
    )[0][1:3] == (83, 84)

    def copy_at_least_current(check):  # 84 ≥ 83: holds
        return [gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="right_value", column_B="left_value", or_equal=True, row_condition=only(check),
            meta={"check": check.key, "outcome": "FAIL"})]  # fmt: skip

    def failing(checks) -> list:
        results = evaluate(engine, checks).results
        return [r for r in results if r.check.key == "documents_agree" and r.outcome.value == "FAIL"]

    (finding,) = failing(CHECKS)
    assert finding.left_value == 1 and finding.right_value > 100  # 1 cell differs, of every cell compared
    assert PAGE in finding.message_en and DIFFERING in finding.message_en
    loose = tuple(
        dataclasses.replace(c, expectations=copy_at_least_current) if c is DOCUMENTS_AGREE else c for c in CHECKS
    )
    assert failing(loose) == []


def test_identical_bytes_under_two_urls_are_one_document(engine, monkeypatch) -> None:
    data = seed_path("002").read_bytes()
    first = load_bytes(engine, data, DocumentInfo(url="https://www.bypc.gov.cn/a.html"))
    import flows.ingest

    def no_parse(*_a, **_k):
        raise AssertionError("identical bytes are not parsed again")

    monkeypatch.setattr(flows.ingest, "parse_or_failure", no_parse)
    second = load_bytes(engine, data, DocumentInfo(url="https://www.bypc.gov.cn/mirror/a.html"))
    assert second.status is LoadStatus.NEW_URL
    assert (second.document_id, second.report_id) == (first.document_id, first.report_id)
    assert _rows(engine, "SELECT COUNT(*) FROM documents") == [(1,)]
    assert sorted(_rows(engine, "SELECT url FROM document_urls")) == [
        ("https://www.bypc.gov.cn/a.html",),
        ("https://www.bypc.gov.cn/mirror/a.html",),
    ]
    again = load_bytes(engine, data, DocumentInfo(url="https://www.bypc.gov.cn/mirror/a.html"))
    assert again.status is LoadStatus.UNCHANGED
    assert _rows(engine, "SELECT COUNT(*), MIN(n_urls) FROM report_versions") == [(1, 2)]


def test_a_late_published_correction_becomes_current_and_keeps_reviews(engine) -> None:
    seed = seed_path("002").read_bytes()
    url = "https://www.bypc.gov.cn/zfxxgk/2021/art_1.html"
    first = load_bytes(engine, seed, DocumentInfo(url=url, published_date=date(2021, 1, 25)))
    summary = validate_warehouse(engine)
    target = next(r for r in summary.results if r.check.key == "request_balance" and r.outcome.value == "FAIL")
    review_flag(engine, target.fingerprint, Decision.CONFIRMED, note="checked by hand")
    # the same report as the page's DOCX attachment (same day, same numbers, equally complete): DOCX keeps
    # more than plain text, so it is the current document now; the decision holds, nothing re-opens
    docx = load_bytes(
        engine,
        (DOCS / "002_word.docx").read_bytes(),
        DocumentInfo(url=url.replace(".html", ".docx"), published_date=date(2021, 1, 25), source_page_url=url),
    )
    assert docx.superseded == (first.report_id,)
    validate_warehouse(engine)
    assert _rows(engine, "SELECT report_id FROM report_overview") == [(docx.report_id,)]
    assert dict(_rows(engine, "SELECT report_id, role FROM report_documents"))[first.report_id] == "alternate"
    flags = list_flags(engine, include_dismissed=True).rows
    assert [row[10] for row in flags if row[9] == target.fingerprint] == ["confirmed"]
    # a later re-post under a new URL: the current document now; the old ones are history
    later = load_bytes(
        engine, seed + b"\n", DocumentInfo(url=url.replace("art_1", "art_2"), published_date=date(2021, 3, 1))
    )
    assert _rows(engine, "SELECT report_id FROM report_overview") == [(later.report_id,)]
    statuses = dict(_rows(engine, "SELECT id, status FROM reports"))
    assert statuses == {first.report_id: "superseded", docx.report_id: "superseded", later.report_id: "parsed"}
    validate_warehouse(engine)
    flags = list_flags(engine, include_dismissed=True).rows
    assert [row[10] for row in flags if row[9] == target.fingerprint] == ["confirmed"]  # same numbers: kept


# --- an old warehouse ----------------------------------------------------------------------------


def test_a_0003_warehouse_with_duplicate_copies_upgrades_keeping_every_row(warehouse_url) -> None:
    """Build a warehouse at 0003 the way 0003's loader did (every copy its own current report), upgrade."""
    from alembic import command

    from expectations.run import evaluate, store
    from warehouse.db import alembic_config, current_revision, head_revision
    from warehouse.identity import fingerprint

    engine = make_engine(warehouse_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003")
    copies = [  # agency as printed, url, sha256: the page, its DOCX (same bytes re-posted too), another spelling
        ("白银市平川区", "https://www.bypc.gov.cn/a.html", "a" * 64),
        ("白银市平川区", "https://www.bypc.gov.cn/a.docx", "b" * 64),
        ("白银市平川区", "https://www.bypc.gov.cn/repost/a.docx", "b" * 64),
        ("平川区", "https://www.bypc.gov.cn/b.html", "c" * 64),
    ]
    old_fp = fingerprint("白银市平川区", copies[0][1], 2020, "request_balance", "total")
    with engine.begin() as conn:
        for i, (agency, url, sha) in enumerate(copies, start=1):
            if not conn.execute(sa.text("SELECT 1 FROM agencies WHERE name = :n"), {"n": agency}).first():
                conn.execute(
                    sa.text("INSERT INTO agencies (name, level) VALUES (:n, 'district_government')"), {"n": agency}
                )
            conn.execute(
                sa.text("INSERT INTO documents (id, url, sha256, version, loaded_at) VALUES (:i, :u, :s, 1, :t)"),
                {"i": i, "u": url, "s": sha, "t": "2021-02-01 00:00:00"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO reports (id, document_id, agency_id, year, form, parser_version, status, format, "
                    "n_warnings, loaded_at, updated_at) SELECT :i, :i, id, 2020, '2019', '0.3.0', 'parsed', :f, 0, "
                    ":t, :t FROM agencies WHERE name = :n"
                ),
                {"i": i, "n": agency, "f": "html" if url.endswith("html") else "docx", "t": "2021-02-01 00:00:00"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO cells (report_id, tbl, row_key, column_key, ordinal, value, raw, kind) "
                    "VALUES (:i, 'requests', 'new_requests', 'total', 0, 3, '3', 'number')"
                ),
                {"i": i},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO check_results (run_id, report_id, check_key, scope, severity, outcome, "
                    "fingerprint, created_at) VALUES ('old', :i, 'request_balance', 'total', 'error', 'FAIL', :fp, "
                    "'2021-02-01 00:00:00')"
                ),
                {"i": i, "fp": fingerprint(agency, url, 2020, "request_balance", "total")},
            )
        conn.execute(
            sa.text("INSERT INTO flag_reviews (fingerprint, decision, decided_at) VALUES (:fp, 'dismissed', :t)"),
            {"fp": old_fp, "t": "2021-02-02 00:00:00"},
        )
    tables = ("agencies", "documents", "reports", "cells", "check_results", "flag_reviews")

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables}

    before = counts()
    with engine.connect() as conn:
        old_sum = conn.execute(
            sa.text("SELECT SUM(total) FROM report_requests WHERE row_key = 'new_requests'")
        ).scalar()
    assert old_sum == 12  # the trap: one report counted four times

    upgrade(engine)
    assert current_revision(engine) == head_revision()  # through 0004 (report identity) and the later ones
    assert counts() == before  # not a row lost
    assert _rows(engine, "SELECT COUNT(*) FROM document_urls") == [(4,)]
    assert _rows(engine, "SELECT DISTINCT key FROM agencies") == [("白银市平川区|",)]
    assert _rows(engine, "SELECT agency_key, year FROM report_overview") == [("白银市平川区|", 2020)]
    assert _rows(engine, "SELECT SUM(total) FROM report_requests WHERE row_key = 'new_requests'") == [(3,)]
    assert sorted(_rows(engine, "SELECT role FROM report_documents")) == [
        ("alternate",), ("alternate",), ("alternate",), ("current",)
    ]  # fmt: skip
    # the reviewer's decision follows its finding to the agency key, and holds on the next run
    store(engine, evaluate(engine))
    fp = fingerprint("白银市平川区|", copies[0][1], 2020, "request_balance", "total")
    assert _rows(engine, "SELECT decision FROM flag_reviews WHERE fingerprint = :fp", fp=fp) == [("dismissed",)]


# --- concurrent loads (issue 18 item 6) ----------------------------------------------------------

LOADER = """
import sys, time
from pathlib import Path
from flows.ingest import load_file
from warehouse.db import make_engine, upgrade
engine = make_engine(sys.argv[1])
go = Path(sys.argv[2])
while not go.exists():  # both processes start loading at the same moment
    time.sleep(0.01)
for path in sys.argv[3:]:
    print(load_file(engine, Path(path)).status.value, flush=True)
"""


def test_two_processes_loading_overlapping_files_both_finish_without_duplicates(warehouse_url, tmp_path) -> None:
    files = sorted((FIXTURES / "seeds").glob("*.txt")) + sorted(DOCS.glob("*.html"))
    first, second = files, files[2:]  # the same files in the same order, and an overlapping batch
    upgrade(make_engine(warehouse_url))  # the schema race is test_schema_atomic's; this is the documents'
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", LOADER, warehouse_url, str(go), *map(str, batch)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for batch in (first, first, second)
    ]
    time.sleep(3)  # let the three import nianbao
    go.touch()
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert "UNIQUE" not in err and "Traceback" not in err
    assert [len(out.split()) for out, _ in outputs] == [len(first), len(first), len(second)]  # every file
    engine = make_engine(warehouse_url)
    assert _rows(engine, "SELECT COUNT(*), COUNT(DISTINCT sha256) FROM documents") == [(len(files), len(files))]
    assert _rows(engine, "SELECT COUNT(*) FROM document_urls") == [(len(files),)]
    assert _rows(engine, "SELECT COUNT(*) FROM reports") == [(len(files),)]
    per_identity = _rows(engine, "SELECT agency_key, year, COUNT(*) FROM report_overview GROUP BY agency_key, year")
    assert all(n == 1 for *_, n in per_identity)
    engine.dispose()

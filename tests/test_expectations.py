"""The identity checks: the seeds, one broken report per check, UNCERTAIN, the warehouse run, flag reviews;
and that Great Expectations decides them (alter an expectation and the flags change)."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

import pytest
import sqlalchemy as sa
from conftest import FIXTURES, seed_path

from expectations import checks
from expectations.checks import Outcome
from expectations.flags import Decision, list_flags, review_flag
from expectations.requests import REQUEST_BALANCE
from expectations.run import ValidationFailed, evaluate, store, validate_warehouse
from expectations.suite import CHECKS
from flows.ingest import check_files, load_bytes, load_file
from parsers import parse_file
from parsers.form import Table
from parsers.report import Cell, CellKind, Report, StatedCount
from warehouse.db import make_engine
from warehouse.load import DocumentInfo, store_report

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
DOCUMENTS = sorted(p for p in (FIXTURES / "documents").iterdir() if p.is_file())
ALL_CHECKS = {c.key for c in CHECKS}
#: seed -> the (check, scope) pairs that truly FAIL; every other check passes or cannot be assessed
SEED_FAILURES = {
    "000": set(),
    "001": set(),
    "002": {("request_balance", "natural_person"), ("request_balance", "total"),
            ("outcome_sum", "natural_person"), ("outcome_sum", "total")},
    "003": set(),
}  # fmt: skip


def _outcomes(results) -> dict[tuple[str, str | None], Outcome]:
    return {(r.check.key, r.scope): r.outcome for r in results}


def _fails(results) -> set[tuple[str, str | None]]:
    return {(r.check.key, r.scope) for r in results if r.outcome is Outcome.FAIL}


@pytest.fixture(scope="module")
def checked_seeds():
    return {item.path.name[:3]: item for item in check_files(SEEDS)}


@pytest.mark.parametrize("seed", sorted(SEED_FAILURES))
def test_seed_fails_exactly_the_checks_that_truly_fail(checked_seeds, seed: str) -> None:
    item = checked_seeds[seed]
    assert item.error is None
    assert _fails(item.results) == SEED_FAILURES[seed]
    assert not [r for r in item.results if r.outcome is Outcome.UNCERTAIN]
    assert {r.check.key for r in item.results} == ALL_CHECKS


def test_seed_002_findings_carry_evidence(checked_seeds) -> None:
    finding = next(
        r for r in checked_seeds["002"].results if (r.check.key, r.scope) == ("outcome_sum", "natural_person")
    )
    assert (finding.left_value, finding.right_value, finding.difference) == (0, 3, -3)
    assert finding.message_zh == "三、(七)总计 自然人列为0，但各办理结果之和为3"
    assert "outcomes add up to 3" in finding.message_en
    not_held = next(c for c in finding.cells if c["row"] == "unavailable_not_held")
    assert (not_held["value"], not_held["raw"], not_held["column"]) == (3, "3", "natural_person")
    assert len(finding.fingerprint) == 32 and finding.numbers_hash


def test_seed_004_is_not_assessable(checked_seeds) -> None:
    assert {r.outcome for r in checked_seeds["004"].results} == {Outcome.NOT_ASSESSABLE}


def test_the_fixture_documents_check_like_their_seeds() -> None:
    for item in check_files(DOCUMENTS):
        assert item.error is None, f"{item.path.name}: {item.error}"
        assert _fails(item.results) == SEED_FAILURES[item.path.name[:3]], item.path.name


# --- one broken report per check ------------------------------------------------------


def _load(engine, report: Report, name: str):
    sha256 = hashlib.sha256(name.encode()).hexdigest()
    return store_report(engine, DocumentInfo(url=f"https://example.invalid/{name}"), sha256, report)


def _set(report: Report, row: str, **values: int | None) -> Report:
    cells = {k: dict(v) for k, v in report.requests.items()}
    for col, value in values.items():
        kind = CellKind.UNREADABLE if value is None else CellKind.NUMBER
        cells[row][col] = Cell(value=value, raw="" if value is None else str(value), kind=kind)
    return report.model_copy(update={"requests": cells})


def _only(report: Report, *others: Report):
    """Evaluate ``report`` (after ``others``) in a fresh warehouse; its results."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'w.db'}")
        for n, other in enumerate(others):
            _load(engine, other, f"other-{n}")
        target = _load(engine, report, "target").report_id
        results = [r for r in evaluate(engine).results if r.report_id == target]
        engine.dispose()
    return results


@pytest.fixture(scope="module")
def base() -> Report:
    return parse_file(seed_path("000"))


def test_base_report_passes(base: Report) -> None:
    assert _fails(_only(base)) == set()


def test_breaking_request_balance(base: Report) -> None:
    broken = _set(base, "carried_forward", natural_person=1, total=1)
    assert _fails(_only(broken)) == {("request_balance", "natural_person"), ("request_balance", "total")}


def test_breaking_outcome_sum(base: Report) -> None:
    broken = _set(base, "granted", natural_person=1, total=1)
    assert _fails(_only(broken)) == {("outcome_sum", "natural_person"), ("outcome_sum", "total")}


def test_breaking_applicant_sum(base: Report) -> None:
    broken = _set(_set(_set(base, "new_requests", total=2), "granted", total=1), "total_processed", total=2)
    assert _fails(_only(broken)) == {("applicant_sum", "new_requests"), ("applicant_sum", "granted"),
                                     ("applicant_sum", "total_processed")}  # fmt: skip


def test_breaking_review_sum(base: Report) -> None:
    reviews = dict(base.reviews) | {"suit_direct_total": Cell(value=2, raw="2", kind=CellKind.NUMBER)}
    assert _fails(_only(base.model_copy(update={"reviews": reviews}))) == {("review_sum", "suit_direct")}


def test_breaking_complete(base: Report) -> None:
    requests = {k: v for k, v in base.requests.items() if k != "rejected_duplicate"}
    results = _only(base.model_copy(update={"requests": requests}))
    assert _fails(results) == {("complete", None)}
    outcome_sum = [r for r in results if r.check.key == "outcome_sum"]
    assert {r.outcome for r in outcome_sum} == {Outcome.UNCERTAIN}  # a missing operand: not a flag, not a pass


def test_breaking_outdated_form(base: Report) -> None:
    assert _fails(_only(base.model_copy(update={"year": 2022}))) == {("outdated_form", None)}


def test_breaking_narrative_match(base: Report) -> None:
    stated = [StatedCount(table=Table.REQUESTS, cells=[("new_requests", "total")], value=5, text="全年共收到申请5件")]
    results = _only(base.model_copy(update={"stated": stated}))
    assert _fails(results) == {("narrative_match", "new_requests")}
    finding = next(r for r in results if r.outcome is Outcome.FAIL)
    assert finding.check.severity.value == "warning"
    assert "全年共收到申请5件" in finding.message_zh and finding.right_value == 1


def test_breaking_carry_continuity(base: Report) -> None:
    previous = base.model_copy(update={"year": 2019})
    current = _set(_set(base, "carried_over", natural_person=1, total=1), "carried_forward", natural_person=1, total=1)
    results = _only(current, previous)
    assert _fails(results) == {("carry_continuity", "natural_person"), ("carry_continuity", "total")}
    finding = next(r for r in results if r.outcome is Outcome.FAIL)
    assert (finding.left_value, finding.right_value) == (1, 0)
    assert [c["row"] for c in finding.cells] == ["carried_over", "carried_forward"]


def test_two_copies_sharing_a_previous_year_are_checked_once_with_evidence(base: Report, tmp_path) -> None:
    """Regression: the evidence query listed a shared previous-year report twice (UNIQUE constraint failed).
    Two copies of one report are one report now: the current one is checked, once."""
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    _load(engine, base.model_copy(update={"year": 2019}), "previous")
    current = _set(_set(base, "carried_over", natural_person=1, total=1), "carried_forward", natural_person=1, total=1)
    first, second = _load(engine, current, "html-copy"), _load(engine, current, "pdf-copy")
    results = evaluate(engine).results
    carry = [r for r in results if r.check.key == "carry_continuity" and r.outcome is Outcome.FAIL]
    assert {r.report_id for r in carry} == {first.report_id}  # same numbers, same format: the first URL wins
    assert [c["value"] for c in carry[0].cells] == [1, 0]
    assert not [r for r in results if r.report_id == second.report_id]


def test_an_unreadable_operand_is_uncertain(base: Report) -> None:
    results = _only(_set(base, "new_requests", natural_person=None))
    outcomes = _outcomes(results)
    assert outcomes[("request_balance", "natural_person")] is Outcome.UNCERTAIN
    assert outcomes[("applicant_sum", "new_requests")] is Outcome.UNCERTAIN
    assert _fails(results) == {("complete", None)}
    uncertain = next(r for r in results if (r.check.key, r.scope) == ("request_balance", "natural_person"))
    assert "1个单元格无法识别" in uncertain.message_zh


# --- the warehouse run ---------------------------------------------------------------


@pytest.fixture
def validated(warehouse_url, tmp_path):
    engine = make_engine(warehouse_url)
    for path in SEEDS + DOCUMENTS:
        load_file(engine, path)
    summary = validate_warehouse(engine, docs_dir=tmp_path / "docs")
    return engine, summary, tmp_path / "docs"


def test_warehouse_run_stores_results_and_builds_data_docs(validated) -> None:
    engine, summary, docs = validated
    assert (docs / "index.html").exists() and summary.docs_index == docs / "index.html"
    # what the checkpoint found unexpected: seed 002's two columns, for two checks, once (its six copies in
    # several formats are one report; they agree, so documents_agree finds nothing)
    assert summary.gx.unexpected == {"request_balance": 2, "outcome_sum": 2}
    assert summary.gx.unexpected == {
        c.key: n for c in CHECKS
        if (n := sum(1 for r in summary.results if r.check is c and r.outcome is not Outcome.PASS
                     and r.outcome is not Outcome.NOT_ASSESSABLE))
    }  # fmt: skip
    assert summary.gx.success is False
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT COUNT(*) FROM check_results")).scalar_one()
        failed = conn.execute(sa.text("SELECT SUM(failed_checks) FROM report_overview")).scalar_one()
    assert stored == len(summary.results)
    assert failed == sum(1 for r in summary.results if r.outcome is Outcome.FAIL)
    flags = list_flags(engine)
    agency_year_check = {(row[0], row[2], row[3]) for row in flags.rows}
    assert agency_year_check == {("白银市平川区", 2020, "request_balance"), ("白银市平川区", 2020, "outcome_sum")}


def test_every_result_reads_back_as_it_was_stored(validated) -> None:
    """Passes and not-assessables go in through the driver, findings through SQLAlchemy: through the ORM
    both read back as the run's results, with the run's id and time."""
    from sqlmodel import Session, select

    from warehouse.models import CheckResult

    engine, summary, _ = validated
    with Session(engine) as session:
        stored = session.exec(select(CheckResult)).all()
    assert {r.outcome for r in stored} == {"PASS", "FAIL", "NOT_ASSESSABLE"}
    assert len({(r.run_id, r.created_at) for r in stored}) == 1 and stored[0].run_id == summary.run_id
    assert stored[0].created_at.year >= 2026
    got = sorted(
        ((r.report_id, r.check_key, r.scope, r.outcome, r.severity, r.left_value, r.right_value, r.difference,
         r.cells, r.message_zh, r.message_en, r.fingerprint, r.numbers_hash)
         for r in stored),
        key=repr,
    )  # fmt: skip
    want = sorted(
        ((r.report_id, r.check.key, r.scope, r.outcome.value, r.check.severity.value, r.left_value, r.right_value,
         r.difference, r.cells or None, r.message_zh, r.message_en, r.fingerprint, r.numbers_hash)
         for r in summary.results),
        key=repr,
    )  # fmt: skip
    assert got == want


def test_the_run_counts_reports_per_check_not_columns(validated) -> None:
    _, summary, _ = validated
    counts = summary.counts()
    assert counts["request_balance"]["FAIL"] == 1  # seed 002, failing in two columns, is one report
    assert counts["outcome_sum"]["FAIL"] == 1
    for check, by_outcome in counts.items():  # every current report once per check
        assert sum(by_outcome.values()) == len(summary.reports), check


def test_data_docs_name_each_run_after_its_warehouse(validated) -> None:
    _, summary, docs = validated
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert summary.run_id[:12] in index and "__none__" not in index


def test_data_docs_show_the_identity_views_and_each_failing_report(validated) -> None:
    _, _, docs = validated
    pages = [p.read_text(encoding="utf-8") for p in (docs / "validations").rglob("*.html")]
    text = "\n".join(pages)
    assert len(pages) == 5  # one validation per subject: requests, reviews, report, history, copies
    for subject in ("requests", "reviews", "report", "history", "copies"):
        assert f"identities_{subject}" in text
    assert "check_results" not in text  # GX validates the reports' identities, not a table of findings
    assert "收支平衡" in text and "request_balance" in text  # each expectation named in Chinese and English
    assert "白银市平川区" in text and "natural_person" in text  # a failing row: agency, scope, both sides


# --- Great Expectations decides --------------------------------------------------------


def test_the_flags_follow_the_expectations(warehouse_url) -> None:
    """Alter one expectation and the flags change: they come from what the checkpoint returned."""
    import great_expectations.expectations as gxe

    engine = make_engine(warehouse_url)
    load_file(engine, seed_path("002"))

    def receipts_at_least_settled(check):  # a looser rule: 一 + 二 ≥ (七)总计 + 四 (seed 002 has 3 ≥ 0)
        return [gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="left_value", column_B="right_value", or_equal=True, row_condition=checks.only(check),
            meta={"check": check.key, "outcome": "FAIL"})]  # fmt: skip

    def settled_at_least_receipts(check):  # the reverse: 3 ≥ 0 fails it
        return [gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="right_value", column_B="left_value", or_equal=True, row_condition=checks.only(check),
            meta={"check": check.key, "outcome": "FAIL"})]  # fmt: skip

    def flagged(rule) -> set[tuple[str, str | None]]:
        altered = tuple(dataclasses.replace(c, expectations=rule) if c is REQUEST_BALANCE else c for c in CHECKS)
        return _fails(evaluate(engine, altered).results)

    outcome_sum = {("outcome_sum", "natural_person"), ("outcome_sum", "total")}
    assert flagged(REQUEST_BALANCE.expectations) == SEED_FAILURES["002"]
    assert flagged(receipts_at_least_settled) == outcome_sum
    assert flagged(settled_at_least_receipts) == SEED_FAILURES["002"]
    engine.dispose()


def test_a_known_imbalance_is_flagged_with_its_cells_and_difference(warehouse_url, base: Report) -> None:
    engine = make_engine(warehouse_url)
    broken = _set(base, "carried_forward", natural_person=4, total=4)  # 四、结转下年度 0 -> 4: 4 more settled
    target = _load(engine, broken, "imbalanced").report_id
    summary = validate_warehouse(engine)
    (finding,) = [r for r in summary.results if r.report_id == target and r.outcome is Outcome.FAIL
                  and r.scope == "natural_person"]  # fmt: skip
    assert finding.check is REQUEST_BALANCE
    assert finding.difference == -4 and finding.right_value - finding.left_value == 4
    forward = next(c for c in finding.cells if c["row"] == "carried_forward")
    assert (forward["column"], forward["value"], forward["raw"]) == ("natural_person", 4, "4")
    assert "相差-4" in finding.message_zh
    assert summary.gx.findings["request_balance"][0].report_id == target
    engine.dispose()


def test_a_failing_expectation_stops_the_run(warehouse_url, monkeypatch) -> None:
    """GX that cannot evaluate a check is an error, never a silent pass."""
    engine = make_engine(warehouse_url)
    load_file(engine, seed_path("000"))

    def broken(check):
        import great_expectations.expectations as gxe

        return [gxe.ExpectColumnValuesToNotBeNull(column="no_such_column", row_condition=checks.only(check),
                                                  meta={"check": check.key, "outcome": "UNCERTAIN"})]  # fmt: skip

    altered = tuple(dataclasses.replace(c, expectations=broken) if c is REQUEST_BALANCE else c for c in CHECKS)
    with pytest.raises(ValidationFailed, match="request_balance"):
        evaluate(engine, altered)
    with engine.connect() as conn:  # the failed run deleted its snapshot all the same
        assert conn.execute(sa.text("SELECT COUNT(*) FROM identity_sides")).scalar_one() == 0
    engine.dispose()


def test_a_review_survives_reruns_and_reopens_when_numbers_change(validated) -> None:
    engine, summary, _ = validated
    target = next(r for r in summary.results if r.outcome is Outcome.FAIL and r.check.key == "outcome_sum")
    review_flag(engine, target.fingerprint[:10], Decision.DISMISSED, note="the district counts differently")
    assert target.fingerprint not in {row[9] for row in list_flags(engine).rows}
    store(engine, evaluate(engine))  # a re-run
    assert target.fingerprint not in {row[9] for row in list_flags(engine).rows}
    dismissed = list_flags(engine, include_dismissed=True)
    assert {row[10] for row in dismissed.rows if row[9] == target.fingerprint} == {"dismissed"}
    assert len([row for row in dismissed.rows if row[9] == target.fingerprint]) == 1  # one report, not per copy
    # a late alternate with the same numbers (the DOCX, loaded afterwards): still one flag, still dismissed
    late = load_file(engine, FIXTURES / "documents" / "002_word.docx")
    assert late.status.value == "unchanged"  # DOCUMENTS holds it already: loading it again changes nothing
    store(engine, evaluate(engine))
    assert {row[10] for row in list_flags(engine, include_dismissed=True).rows if row[9] == target.fingerprint} == {
        "dismissed"
    }
    # a corrected version of the seed-002 document, published later: its (七)总计 reads 1 for 自然人; it is
    # the current document now, its numbers differ from the ones reviewed, and the flag re-opens
    text = seed_path("002").read_text(encoding="utf-8")
    head, tail = text.split("（七）总计", 1)
    changed = (head + "（七）总计" + tail.replace("\t\xa00", "\t\xa01", 1)).encode()  # NBSP as printed
    info = DocumentInfo(url=seed_path("002").resolve().as_uri(), published_date=date(2021, 3, 1))
    new = load_bytes(engine, changed, info)
    assert new.status.value == "new_version"
    store(engine, evaluate(engine))
    rows = list_flags(engine, include_dismissed=True).rows
    by_url = {row[8]: row[10] for row in rows if row[9] == target.fingerprint}
    assert by_url == {seed_path("002").resolve().as_uri(): "reopened"}


def test_queries_do_not_grow_with_the_number_of_reports(tmp_path, base: Report) -> None:
    def count_queries(n: int) -> int:
        engine = make_engine(f"sqlite:///{tmp_path / f'w{n}.db'}")
        for i in range(n):
            _load(engine, base.model_copy(update={"agency": f"{base.agency}{i}"}), f"r{i}")
        seen = []

        def count(*args) -> None:
            seen.append(args[2])

        sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)  # nianbao's and GX's engines
        try:
            store(engine, evaluate(engine))
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
        engine.dispose()
        return len(seen)

    assert count_queries(3) == count_queries(30)

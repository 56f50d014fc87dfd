"""The warehouse, on SQLite and on a real PostgreSQL server: the same tests on both."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import FIXTURES, reader_url, seed_path
from sqlmodel import SQLModel

import warehouse.load as load_module
from flows.ingest import load_bytes, load_file
from parsers import parse_file
from parsers.form import REQUEST_COLUMN_KEYS, REVIEW_KEYS
from rawstore.store import RawStore
from warehouse.db import (
    ReadOnlyViolation,
    SchemaOutdated,
    WarehouseFull,
    WarehouseUnavailable,
    head_revision,
    make_engine,
    upgrade,
)
from warehouse.load import DocumentInfo, LoadStatus, agency_level
from warehouse.models import AgencyLevel
from warehouse.query import run_query, select_rows

REPORTS = sorted((FIXTURES / "seeds").glob("*.txt")) + sorted((FIXTURES / "documents").glob("*.html"))
TABLES = ("agencies", "documents", "reports", "cells", "form_rows", "check_results", "flag_reviews")


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


def _rows(engine, sql: str, **params) -> list[tuple]:
    return select_rows(engine, sql, params).rows


@pytest.fixture
def engine(warehouse_url):
    engine = make_engine(warehouse_url)
    yield engine
    engine.dispose()


@pytest.fixture
def loaded(engine, tmp_path):
    results = {path: load_file(engine, path, raw_store=RawStore(tmp_path / "raw")) for path in REPORTS}
    return results


def test_upgrade_creates_the_schema_the_models_describe(engine) -> None:
    before, after = upgrade(engine)
    assert (before, after) == (None, head_revision())
    assert upgrade(engine) == (head_revision(), head_revision())  # idempotent
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    # the views are not in the metadata; anything else the migration and the models disagree on is a bug
    assert [d for d in diff if d[0] != "remove_table"] == []


def test_every_report_loads_and_the_views_equal_the_printed_tables(engine, loaded) -> None:
    assert all(r.status is LoadStatus.NEW for r in loaded.values())
    roles = dict(_rows(engine, "SELECT report_id, role FROM report_documents"))
    for path, result in loaded.items():
        report = parse_file(path)
        if roles[result.report_id] != "current":  # another document of the same report: counted once, there
            current = _rows(
                engine,
                "SELECT o.agency, o.year FROM report_documents d JOIN report_overview o "
                "ON o.report_id = d.current_report_id WHERE d.report_id = :id",
                id=result.report_id,
            )
            assert current == [(report.agency, report.year)], path.name
            assert _rows(engine, "SELECT 1 FROM report_requests WHERE report_id = :id", id=result.report_id) == []
            continue
        rows = _rows(
            engine,
            "SELECT row_key, " + ", ".join(REQUEST_COLUMN_KEYS) + " FROM report_requests WHERE report_id = :id "
            "ORDER BY row_order",
            id=result.report_id,
        )
        expected = [(row, *(report.requests[row][c].value for c in REQUEST_COLUMN_KEYS)) for row in report.requests]
        assert rows == expected, path.name
        reviews = _rows(
            engine,
            "SELECT " + ", ".join(REVIEW_KEYS) + " FROM report_reviews WHERE report_id = :id",
            id=result.report_id,
        )
        assert reviews == ([tuple(report.reviews[k].value for k in REVIEW_KEYS)] if report.reviews else [])
        proactive = _rows(
            engine,
            "SELECT item, metric, value, raw FROM report_proactive WHERE report_id = :id ORDER BY item_order",
            id=result.report_id,
        )
        assert proactive == [(p.item, p.metric, p.cell.value, p.cell.raw) for p in report.proactive]
        overview = _rows(
            engine, "SELECT agency, year, form, status FROM report_overview WHERE report_id = :id", id=result.report_id
        )
        assert overview == [(report.agency, report.year, report.form.value, "parsed")]


def test_amounts_keep_their_fraction(engine, loaded) -> None:
    rows = _rows(engine, "SELECT DISTINCT value, raw FROM report_proactive WHERE metric = 'amount' AND value > 0")
    assert rows == [(45822.4584, "45822.4584万元")]


def test_agencies_get_district_and_level(engine, loaded) -> None:
    rows = dict(
        (name, (district, level))
        for name, district, level in _rows(engine, "SELECT name, district, level FROM agencies")
    )
    assert rows["银川市西夏区西花园路街道办事处"] == ("银川市西夏区", "township")
    assert rows["白银市平川区"] == ("白银市平川区", "district_government")
    assert rows["红寺堡区审批服务管理局"] == ("吴忠市红寺堡区", "department")
    assert rows["西夏区人民政府"] == ("银川市西夏区", "district_government")


def test_loading_twice_adds_nothing(engine, loaded, tmp_path) -> None:
    before = _counts(engine)
    again = [load_file(engine, path, raw_store=RawStore(tmp_path / "raw")) for path in REPORTS]
    assert {r.status for r in again} == {LoadStatus.UNCHANGED}
    assert _counts(engine) == before


def test_a_changed_document_is_a_new_version_and_keeps_history(engine) -> None:
    url = "http://www.ycxixia.gov.cn/zwgk/bmxxgkml/spj/xxgknb/202101/t20210120_1.html"
    first = (FIXTURES / "documents" / "000_official.html").read_bytes()
    changed = first.replace(b"<td>83</td>", b"<td>84</td>")
    assert changed != first
    one = load_bytes(engine, first, DocumentInfo(url=url, portal="ycxixia"))
    two = load_bytes(engine, changed, DocumentInfo(url=url, portal="ycxixia"))
    assert (one.status, two.status) == (LoadStatus.NEW, LoadStatus.NEW_VERSION)
    assert two.superseded == (one.report_id,)
    history = _rows(
        engine, "SELECT d.version, r.status FROM reports r JOIN documents d ON d.id = r.document_id ORDER BY d.version"
    )
    assert history == [(1, "superseded"), (2, "parsed")]
    current = _rows(
        engine, "SELECT report_id, value FROM report_proactive WHERE item = 'licensing' AND metric = 'items_last_year'"
    )
    assert current == [(two.report_id, 84)]
    assert _rows(engine, "SELECT COUNT(*) FROM report_overview") == [(1,)]
    # the old numbers are still there
    old = _rows(
        engine,
        "SELECT value FROM cells WHERE report_id = :id AND row_key = 'licensing' AND column_key = 'items_last_year'",
        id=one.report_id,
    )
    assert old == [(83,)]
    # and loading the first bytes again changes nothing
    assert load_bytes(engine, first, DocumentInfo(url=url)).status is LoadStatus.UNCHANGED


def test_a_failed_new_version_supersedes_nothing(engine) -> None:
    url = "http://www.bypc.gov.cn/zfxxgk/zfxxgknb/2020n/bmdw/art/2021/art_0.html"
    good = seed_path("002").read_bytes()
    ok = load_bytes(engine, good, DocumentInfo(url=url))
    bad = load_bytes(engine, "<html><body><p>404 页面不存在</p></body></html>".encode(), DocumentInfo(url=url))
    assert bad.status is LoadStatus.FAILED and "no annual report" in (bad.error or "")
    assert _rows(engine, "SELECT report_id, status FROM report_overview ORDER BY report_id") == [
        (ok.report_id, "parsed"),
        (bad.report_id, "failed"),
    ]


def test_a_newer_parser_replaces_cells_in_place(engine, monkeypatch) -> None:
    first = load_file(engine, seed_path("001"))
    cells_before = _rows(engine, "SELECT COUNT(*) FROM cells")
    monkeypatch.setattr(load_module, "PARSER_VERSION", "999.0.0")
    again = load_file(engine, seed_path("001"))
    assert again.status is LoadStatus.REPARSED and again.report_id == first.report_id
    assert _rows(engine, "SELECT parser_version FROM reports") == [("999.0.0",)]
    assert _rows(engine, "SELECT COUNT(*) FROM cells") == cells_before
    assert load_file(engine, seed_path("001")).status is LoadStatus.UNCHANGED


def test_a_crash_mid_load_leaves_no_partial_report(engine, monkeypatch) -> None:
    load_file(engine, seed_path("000"))
    before = _counts(engine)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(load_module, "_cell_rows", crash)
    with pytest.raises(RuntimeError):
        load_file(engine, seed_path("002"))
    assert _counts(engine) == before


def test_query_is_read_only_by_construction(warehouse_url, engine) -> None:
    load_file(engine, seed_path("000"))
    read_only = make_engine(reader_url(warehouse_url), read_only=True)
    for sql in (
        "INSERT INTO agencies (name, level) VALUES ('x', 'y')",
        "UPDATE cells SET value = 7",
        "DELETE FROM cells",
        "DROP TABLE cells",
        "CREATE TABLE t (x INTEGER)",
    ):
        with pytest.raises(ReadOnlyViolation, match="read-only"):
            run_query(read_only, sql)
    assert run_query(read_only, "SELECT COUNT(*) FROM reports").rows == [(1,)]
    read_only.dispose()


def test_an_older_schema_is_refused_with_the_fix(engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0000')"))
    with pytest.raises(SchemaOutdated, match="run `nianbao db upgrade`"):
        load_file(engine, seed_path("000"))


def test_an_unreachable_database_is_one_line() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/nianbao")
    with pytest.raises(WarehouseUnavailable) as info:
        load_file(engine, seed_path("000"))
    assert "cannot reach the warehouse at postgresql" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("平川区种田乡人民政府", AgencyLevel.TOWNSHIP),
        ("银川市西夏区兴泾镇", AgencyLevel.TOWNSHIP),
        ("平川区发展和改革局", AgencyLevel.DEPARTMENT),
        ("西夏区人民政府办公室", AgencyLevel.DEPARTMENT),
        ("吴忠市红寺堡区人民政府", AgencyLevel.DISTRICT),
    ],
)
def test_agency_level(name: str, level: AgencyLevel) -> None:
    assert agency_level(name) is level


def test_a_full_disk_is_one_line_and_writes_nothing(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    load_file(engine, seed_path("000"))
    before = _counts(engine)
    with engine.connect() as conn:
        pages = conn.execute(sa.text("PRAGMA page_count")).scalar_one()

    @sa.event.listens_for(engine, "connect")
    def _cap(dbapi_conn, _record) -> None:  # the disk is full two pages from now
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    engine.dispose()
    with pytest.raises(WarehouseFull) as info:
        load_file(engine, seed_path("002"))
    assert "full" in str(info.value) and "\n" not in str(info.value)
    sa.event.remove(engine, "connect", _cap)
    engine.dispose()
    assert _counts(engine) == before


def test_a_read_only_warehouse_refuses_a_load(tmp_path) -> None:
    path = tmp_path / "warehouse.db"
    load_file(make_engine(f"sqlite:///{path}"), seed_path("000"))
    read_only = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(ReadOnlyViolation, match="read-only"):
        load_file(read_only, seed_path("002"))


def test_an_older_warehouse_upgrades_and_keeps_its_data(warehouse_url) -> None:
    """A warehouse made at schema 0001 and loaded is upgraded in place by `db upgrade`."""
    from alembic import command

    from warehouse.db import alembic_config

    engine = make_engine(warehouse_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agencies (name, level) VALUES ('旧数据', 'unknown')"))
    with pytest.raises(SchemaOutdated):
        load_file(engine, seed_path("000"))
    before, after = upgrade(engine)
    assert (before, after) == ("0001", head_revision())
    assert _rows(engine, "SELECT name FROM agencies") == [("旧数据",)]
    assert load_file(make_engine(warehouse_url), seed_path("000")).status is LoadStatus.NEW


def test_a_page_that_only_links_its_report_is_stored_as_in_attachment(engine) -> None:
    url = "https://www.bypc.gov.cn/zfxxgk/bmdw/wjj/art/2025/art_3c56.html"
    page = (FIXTURES / "flat" / "attachment_page.html").read_bytes()
    result = load_bytes(engine, page, DocumentInfo(url=url))
    assert result.status is LoadStatus.IN_ATTACHMENT
    assert "https://www.bypc.gov.cn/picture/0/2f1f54538bc1bf87334e78d016cb692d.docx" in (result.error or "")
    assert _rows(
        engine, "SELECT status, error_code FROM report_overview WHERE report_id = :id", id=result.report_id
    ) == [("in_attachment", "report_in_attachment")]
    assert load_bytes(engine, page, DocumentInfo(url=url)).status is LoadStatus.UNCHANGED

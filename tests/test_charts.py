"""The run report: its charts are drawn offline with readable Chinese, and the page renders with no network.

A warehouse of the five seed reports (three districts; seed 002, 平川区 2020, fails two identities) is
checked, one more report is loaded after the check (not checked yet), and the report is written. The
SVGs are parsed, the fonts behind every label are asked for every glyph, and report.html is rendered in
headless Chromium with every network request refused.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import FIXTURES, seed_path
from headless import CHROMIUM, render_offline
from lxml import etree

from expectations.run import validate_warehouse
from expectations.suite import CHECKS
from flows import charts
from flows.charts import NO_CJK_FONT, NO_DATA, cjk_font, report_markdown, write_report
from flows.ingest import load_file
from parsers import parse_file
from rawstore.layout import DataLayout
from rawstore.portals import portal_for_agency
from warehouse.db import make_engine
from warehouse.stats import NEW_REQUESTS_ROW, TOTAL_COLUMN, warehouse_stats

SVG = "{http://www.w3.org/2000/svg}"
#: a report loaded after the check run: in the warehouse, not checked yet
LATE = (
    FIXTURES / "portals" / "www.ycxixia.gov.cn" / "zwgk/bmxxgkml/xxqjyj/xxgknb_1918/202601/P020260115785338470539.docx"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seeds loaded and checked, one more report loaded after the check, and the run report written."""
    root = tmp_path_factory.mktemp("charts")
    engine = make_engine(f"sqlite:///{root / 'warehouse.db'}")
    for prefix in ("000", "001", "002", "003", "004"):
        load_file(engine, seed_path(prefix))
    validate_warehouse(engine, docs_dir=root / "docs")
    load_file(engine, LATE)
    layout = DataLayout(root)
    return engine, layout, write_report(engine, layout)


def _svg(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes())


def _texts(path: Path) -> list[str]:
    return ["".join(t.itertext()).strip() for t in _svg(path).iter(f"{SVG}text")]


def test_the_requests_per_district_and_year_are_the_seeds_new_requests(built) -> None:
    engine, _, _ = built
    expected: dict[tuple[str, int], float] = defaultdict(float)
    for path in [*sorted((FIXTURES / "seeds").glob("*.txt")), LATE]:
        report = parse_file(path)
        cell = report.requests.get(NEW_REQUESTS_ROW, {}).get(TOTAL_COLUMN)
        if cell is not None:
            expected[(portal_for_agency(report.agency).district, report.year)] += cell.value
    got = {(d.district, d.year): d.new_requests for d in warehouse_stats(engine).requests}
    assert got == expected
    assert len({district for district, _ in got}) == 3


def test_checked_flagged_and_not_checked_per_portal_and_year(built) -> None:
    _, _, report = built
    stats = {(p.portal, p.year): p for p in report.stats.checks}
    assert stats[("bypc", 2020)].flagged == 1  # seed 002 fails request_balance and outcome_sum
    assert sum(p.flagged for p in stats.values()) == report.stats.flagged_reports == 1
    assert stats[("ycxixia", 2025)].checked == 0 < stats[("ycxixia", 2025)].reports  # the late report
    assert report.stats.checked_reports == report.stats.reports - 1
    failing = {c.check_key: c.flagged for c in report.stats.failing}
    assert failing == {"request_balance": 1, "outcome_sum": 1}


def test_every_chart_is_an_svg_with_its_chinese_text_kept_as_text(built) -> None:
    _, layout, report = built
    assert set(report.files) == {"requests", "checks", "failing"}
    for path in report.files.values():
        assert path.parent == layout.report_dir and path.stat().st_size > 2000
        root = _svg(path)
        assert root.tag == f"{SVG}svg"
        assert root.findall(f".//{SVG}path") or root.findall(f".//{SVG}rect")  # something is drawn
        families = {m for t in root.iter(f"{SVG}text") for m in re.findall(r"font-family: ([^;]+)", t.get("style"))}
        assert families and all("Noto Sans CJK SC" in f for f in families), families
    requests = " ".join(_texts(report.files["requests"]))
    assert {"西夏区", "平川区", "红寺堡区", "2020", "2022", "2025"} <= set(requests.split())
    checks = " ".join(_texts(report.files["checks"]))
    assert "bypc" in checks and "未检查 not checked" in checks  # the late report is a bar of its own
    failing = _texts(report.files["failing"])
    names = {c.key: c.name_zh for c in CHECKS}
    assert any(t.startswith(names["outcome_sum"]) for t in failing), failing
    assert {"request_balance", "outcome_sum"} <= set(failing)


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font (scripts/system-deps installs fonts-noto-cjk)")
def test_every_label_is_drawn_with_a_font_that_has_its_glyphs(built) -> None:
    """No empty boxes: the font matplotlib picks for each text of each chart maps every character to a glyph."""
    from matplotlib.font_manager import findfont
    from matplotlib.ft2font import FT2Font
    from matplotlib.text import Text

    _, _, report = built
    drawn = {}
    with charts._styled(report.font):
        for chart in report.charts:
            for text in chart.figure.findobj(Text):
                if text.get_text().strip():
                    drawn[text.get_text()] = findfont(text.get_fontproperties(), fallback_to_default=False)
    assert any("西夏区" in t for t in drawn) and any("未通过" in t for t in drawn)
    for text, path in drawn.items():
        font = FT2Font(path)
        missing = [c for c in text if not c.isspace() and font.get_char_index(ord(c)) == 0]
        assert missing == [], (text, path)


def test_the_artifact_holds_the_counts_the_page_and_the_charts_as_png(built) -> None:
    from PIL import Image

    _, layout, report = built
    markdown = report_markdown(report)
    assert str(layout.report_html) in markdown
    assert "| 有问题 flagged (open flags) | 1 |" in markdown
    pngs = re.findall(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert len(pngs) == 3
    for data in pngs:
        image = Image.open(io.BytesIO(base64.b64decode(data))).convert("L")
        assert image.width > 300 and image.height > 150
        assert len(set(image.getdata())) > 20  # drawn, not blank


def test_a_second_run_with_no_change_rewrites_nothing(built) -> None:
    engine, layout, _ = built
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in layout.report_dir.iterdir()}
    write_report(engine, layout)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in layout.report_dir.iterdir()}
    assert after == before
    assert sorted(before) == ["checks.svg", "failing.svg", "report.html", "requests.svg"]


def test_an_empty_warehouse_says_no_data_yet_and_leaves_no_stale_chart(tmp_path) -> None:
    layout = DataLayout(tmp_path)
    layout.report_dir.mkdir()
    (layout.report_dir / "requests.svg").write_text("<svg/>")  # from an earlier warehouse
    report = write_report(make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}"), layout)
    page = report.html.read_text(encoding="utf-8")
    assert page.count(NO_DATA) == 3 and "<img" not in page
    assert [p.name for p in layout.report_dir.iterdir()] == ["report.html"]
    assert report_markdown(report).count(NO_DATA) == 3


def test_checked_with_no_failure_says_so_instead_of_an_empty_chart(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    load_file(engine, seed_path("000"))
    layout = DataLayout(tmp_path)
    unchecked = write_report(engine, layout)
    assert next(c for c in unchecked.charts if c.key == "failing").empty.startswith("尚未检查 · not checked yet")
    validate_warehouse(engine, docs_dir=None)
    report = write_report(engine, layout)
    failing = next(c for c in report.charts if c.key == "failing")
    assert failing.figure is None and "no report fails a check (1 report(s) checked)" in failing.empty
    assert "failing" not in report.files and not (layout.report_dir / "failing.svg").exists()


def test_without_a_cjk_font_one_warning_and_the_text_stays_for_the_browser(built, tmp_path, caplog) -> None:
    engine, _, _ = built
    with caplog.at_level(logging.WARNING):
        report = write_report(engine, DataLayout(tmp_path), find_font=False)
    assert [r.getMessage() for r in caplog.records] == [NO_CJK_FONT]
    assert report.warnings == [NO_CJK_FONT] and NO_CJK_FONT in report.html.read_text(encoding="utf-8")
    assert "西夏区" in " ".join(_texts(report.files["requests"]))  # SVG text, drawn by the viewer's fonts
    markdown = report_markdown(report)
    assert NO_CJK_FONT in markdown and "data:image/png" not in markdown  # no PNG of empty boxes


PROBE = """
window.addEventListener("load", async () => {
  await document.fonts.ready;
  const r = {
    images: [...document.querySelectorAll("img.chart")].map((i) => ({
      complete: i.complete, naturalWidth: i.naturalWidth, width: i.getBoundingClientRect().width,
      height: i.getBoundingClientRect().height})),
    sections: [...document.querySelectorAll("section h2")].map((h) => h.textContent),
    remote: performance.getEntriesByType("resource").map((e) => e.name).filter((n) => !n.startsWith("data:")),
    scripts: document.scripts.length,
  };
  const pre = document.createElement("pre");
  pre.id = "nianbao-probe";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
"""


def _render(page: Path, tmp_path: Path) -> dict:
    """What the probe saw of ``page`` in headless Chromium with every network request refused."""
    return render_offline(page, PROBE, tmp_path / "chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/system-deps installs it as root)")
def test_the_page_shows_its_three_charts_offline(built, tmp_path) -> None:
    _, layout, _ = built
    page = layout.report_html.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)=["']https?:|url\(\s*["']?https?:|<script""", page)  # self-contained
    seen = _render(layout.report_html, tmp_path)
    assert len(seen["images"]) == 3, seen
    for image in seen["images"]:
        assert image["complete"] and image["naturalWidth"] > 0, seen  # the SVG decoded
        assert image["width"] > 300 and image["height"] > 150, seen
    assert len(seen["sections"]) == 3 and seen["remote"] == [], seen


def test_the_counts_are_the_same_on_both_backends_and_an_unreadable_total_is_no_zero(warehouse_url) -> None:
    """On SQLite and PostgreSQL: seed 001's 西夏区 total made unreadable is left out of the sum and counted."""
    import sqlalchemy as sa

    engine = make_engine(warehouse_url)
    for prefix in ("000", "001", "002", "003", "004"):
        load_file(engine, seed_path(prefix))
    validate_warehouse(engine, docs_dir=None)
    before = warehouse_stats(engine)
    with engine.begin() as conn:  # the reader could not read 001's 一、本年新收 总计 (a smudged cell)
        conn.execute(
            sa.text("UPDATE cells SET value = NULL, kind = 'unreadable' WHERE tbl = 'requests' AND row_key = :row "
                    "AND column_key = :column AND report_id = (SELECT r.id FROM reports r JOIN agencies a "
                    "ON a.id = r.agency_id WHERE a.name LIKE :agency)"),
            {"row": NEW_REQUESTS_ROW, "column": TOTAL_COLUMN, "agency": "%西花园路%"},
        )  # fmt: skip
    after = warehouse_stats(engine)
    engine.dispose()
    xixia = {d.district: d for d in before.requests if d.year == 2020}["银川市西夏区"]
    seed = parse_file(seed_path("001")).requests[NEW_REQUESTS_ROW][TOTAL_COLUMN].value
    now = {d.district: d for d in after.requests if d.year == 2020}["银川市西夏区"]
    assert (now.new_requests, now.reports, now.unreadable) == (xixia.new_requests - seed, xixia.reports, 1)
    assert (before.reports, before.checked_reports, before.flagged_reports) == (5, 5, 1)
    assert {(p.portal, p.year, p.reports, p.checked, p.flagged) for p in before.checks} >= {("bypc", 2020, 1, 1, 1)}
    assert {c.check_key: c.flagged for c in before.failing} == {"request_balance": 1, "outcome_sum": 1}
    chart = charts.render_charts(after, cjk_font())[0]
    assert chart.note and chart.note.startswith("* 1 ")
    assert any(t.get_text().endswith("*") for t in chart.figure.axes[0].texts)  # the bar says so


def test_the_charts_count_what_the_overview_and_the_flags_say(warehouse_url) -> None:
    """Checked is report_overview's check_status (a report re-loaded since the run is not checked), and a
    flag is open by the same review state ``nianbao flags`` shows: dismissed, reopened, stale."""
    import sqlalchemy as sa

    from expectations.flags import Decision, list_flags, review_flag

    engine = make_engine(warehouse_url)
    for prefix in ("000", "001", "002", "003", "004"):
        load_file(engine, seed_path(prefix))
    validate_warehouse(engine, docs_dir=None)
    stats = warehouse_stats(engine)
    assert (stats.reports, stats.checked_reports, stats.flagged_reports) == (5, 5, 1)
    flags = list_flags(engine)
    fingerprints = [row[flags.columns.index("fingerprint")] for row in flags.rows]
    assert len(fingerprints) == 4  # seed 002: request_balance and outcome_sum, in two columns each
    for fp in fingerprints:
        review_flag(engine, fp, Decision.DISMISSED, "a typo in the source, confirmed by phone")
    assert list_flags(engine).rows == [] and warehouse_stats(engine).flagged_reports == 0
    assert warehouse_stats(engine).failing == []
    with engine.begin() as conn:  # a review and a finding without numbers: flags says reopened, so do the charts
        conn.execute(sa.text("UPDATE flag_reviews SET numbers_hash = NULL"))
        conn.execute(sa.text("UPDATE check_results SET numbers_hash = NULL WHERE outcome = 'FAIL'"))
    review = flags.columns.index("review")
    assert {row[review] for row in list_flags(engine).rows} == {"reopened"}
    assert warehouse_stats(engine).flagged_reports == 1
    with engine.begin() as conn:  # seed 002 loaded again since the run: unchecked, neither checked nor flagged
        conn.execute(
            sa.text("UPDATE reports SET updated_at = :later WHERE id = (SELECT report_id FROM check_results "
                    "WHERE outcome = 'FAIL' LIMIT 1)"),
            {"later": "2999-01-01 00:00:00"},
        )  # fmt: skip
        unchecked = conn.execute(sa.text("SELECT COUNT(*) FROM report_overview WHERE check_status = 'unchecked'"))
        assert unchecked.scalar_one() == 1
    stats = warehouse_stats(engine)
    engine.dispose()
    assert (stats.reports, stats.checked_reports, stats.flagged_reports) == (5, 4, 0)
    assert {(p.portal, p.year): (p.reports, p.checked, p.flagged) for p in stats.checks}[("bypc", 2020)] == (1, 0, 0)
    assert stats.failing == []

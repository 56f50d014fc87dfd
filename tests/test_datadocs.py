"""The Data Docs site works offline: its CSS/JS come from the data dir, not from CDNs.

Built on a small warehouse (seed 000 passes, seed 002 fails two identities), then rendered in headless
Chromium with no network: a probe script, added to a copy of each page, records after load whether
jQuery/bootstrap-table ran, whether the Font Awesome status icons have glyphs, whether bootstrap's table
styles apply, how the results tables are filled, and which http(s) resources the page asked for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import seed_path
from headless import CHROMIUM, render_offline

from expectations.datadocs import CDN_FILES, VENDORED, external_urls, make_offline, rewrite_page
from expectations.run import validate_warehouse
from flows.ingest import load_file
from warehouse.db import make_engine

PROBE = """
window.addEventListener("load", async () => {
  await document.fonts.ready;
  const icon = document.querySelector("td .fas, td .fa, td [class*='fa-']");
  const index = document.querySelector(".ge-index-page-validation-results-table");
  const r = {
    jquery: typeof window.jQuery === "function",
    bootstrapTable: !!(window.jQuery && window.jQuery.fn.bootstrapTable),
    iconGlyph: icon ? getComputedStyle(icon, "::before").content : null,
    iconVisible: icon ? icon.getBoundingClientRect().width > 0 : false,
    tableBorderCollapse: getComputedStyle(document.querySelector("table")).borderCollapse,
    rows: document.querySelectorAll("table tbody tr").length,
    statusCells: index ? [...index.querySelectorAll("tbody tr")].map((tr) => {
      const i = tr.cells[0].querySelector("i");  // the Status column is an icon: its glyph, or "none"
      return [tr.dataset.href.split("/")[2], i ? getComputedStyle(i, "::before").content : "no icon"];
    }) : null,
    remote: performance.getEntriesByType("resource").map((e) => e.name).filter((n) => !n.startsWith("file:")),
  };
  const pre = document.createElement("pre");
  pre.id = "nianbao-probe";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
"""
#: http(s) that a page loads by itself; <a href> links a person may click are not requests.
LOADS_REMOTE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']https?:|url\(\s*["']?https?:""", re.I
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("datadocs")
    engine = make_engine(f"sqlite:///{tmp / 'warehouse.db'}")
    for prefix in ("000", "002"):
        load_file(engine, seed_path(prefix))
    summary = validate_warehouse(engine, docs_dir=tmp / "docs")
    assert summary.docs_index == tmp / "docs" / "index.html"
    return tmp / "docs"


def _validation_page(site: Path) -> Path:
    """The validation page of the requests suite, the one seed 002 fails."""
    (page,) = (site / "validations" / "nianbao" / "requests").rglob("*.html")
    return page


def test_no_page_loads_anything_from_the_internet(site: Path) -> None:
    pages = [*site.rglob("*.html"), *(site / "static").rglob("*.css")]
    assert len(pages) >= 4  # index, suite, validation page, GX's stylesheets
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not LOADS_REMOTE.search(text), page
        assert external_urls(text) == [], page
    for page in (site / "index.html", _validation_page(site)):
        text = page.read_text(encoding="utf-8")
        local = re.findall(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["']([^"'?#]+)""", text)
        assert sum("static/vendor/" in ref for ref in local) >= 10, page
        for ref in (r for r in local if "static/vendor/" in r):  # (GX's own favicon link is a level short)
            assert (page.parent / ref).resolve().is_file(), f"{page.name}: {ref} is not in the site"
        assert "integrity=" not in text  # the CDN's hashes are dropped with the CDN


def test_every_vendored_file_is_there_with_its_licence() -> None:
    for relative in CDN_FILES.values():
        assert (VENDORED / relative).stat().st_size > 200, relative
    for folder in {Path(r).parts[0] for r in CDN_FILES.values()}:
        licences = [p for p in (VENDORED / folder).iterdir() if p.name.startswith("LICENSE")]
        readme = (VENDORED / "README.md").read_text(encoding="utf-8")
        assert licences or f"| {folder}/ |" in readme, folder


def test_rewriting_is_idempotent_and_relative_to_each_page(site: Path) -> None:
    page = _validation_page(site)
    text = page.read_text(encoding="utf-8")
    assert rewrite_page(text, site, page) == text
    assert make_offline(site) == []  # a second run finds nothing left to fix
    assert page.read_text(encoding="utf-8") == text
    cdn = '<script src="https://code.jquery.com/jquery-3.7.1.min.js" crossorigin="anonymous"></script>'
    assert rewrite_page(cdn, site, site / "index.html") == '<script src="static/vendor/jquery/jquery.min.js"></script>'
    assert rewrite_page(cdn, site, site / "a" / "b.html") == (
        '<script src="../static/vendor/jquery/jquery.min.js"></script>'
    )


def _render(page: Path, tmp_path: Path) -> dict:
    """What the probe saw of ``page`` in headless Chromium with every network request refused."""
    return render_offline(page, PROBE, tmp_path / f"chromium-{page.stem}")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/system-deps installs it as root)")
def test_index_renders_offline_with_its_results_table(site: Path, tmp_path: Path) -> None:
    seen = _render(site / "index.html", tmp_path)
    assert seen["jquery"] and seen["bootstrapTable"], seen  # bootstrap-table ran: the table is built
    status = dict(seen["statusCells"])  # suite -> its Status icon, in the rows bootstrap-table built
    assert set(status) == {"requests", "reviews", "report", "history", "copies"}, seen
    # Status: Font Awesome's ✗ where seed 002 fails (the requests identities), its ✓ elsewhere; not empty boxes
    assert status.pop("requests") == '"\uf00d"', seen
    assert set(status.values()) == {'"\uf058"'}, seen
    assert seen["iconGlyph"] not in (None, "none") and seen["iconVisible"], seen  # Font Awesome's glyph shows
    assert seen["tableBorderCollapse"] == "collapse", seen  # bootstrap's CSS applies
    assert seen["remote"] == [], seen


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/system-deps installs it as root)")
def test_validation_page_renders_offline_styled(site: Path, tmp_path: Path) -> None:
    seen = _render(_validation_page(site), tmp_path)
    assert seen["jquery"] and seen["bootstrapTable"], seen
    assert seen["rows"] >= 10, seen  # one row per check, plus the overview tables
    assert seen["iconGlyph"] not in (None, "none") and seen["iconVisible"], seen  # the Status column's icons
    assert seen["tableBorderCollapse"] == "collapse", seen
    assert seen["remote"] == [], seen

"""The run report: three charts and a count table, as a static HTML page in the data dir and a Prefect artifact.

- requests per district and year (一、本年新收, 总计, current reports),
- reports checked vs flagged per portal and year,
- the failing checks by kind (reports with an open flag, per check).

Rendered offline with matplotlib (``Figure`` objects, no pyplot and no GUI backend: SVG through matplotlib's
SVG backend, PNG through Agg). Chinese text is drawn with the CJK font ``scripts/system-deps`` installs
(fonts-noto-cjk, "Noto Sans CJK SC"); the SVG keeps its text as text (``svg.fonttype = none``, a list of
CJK fonts for the viewer), so it stays searchable and sharp. Without a CJK font one warning line says so:
the SVG still carries the text for the browser to draw, and the PNG charts (which would show empty boxes)
are left out of the Prefect artifact.

``data/report/report.html`` is one self-contained page (inline CSS, the charts as ``data:`` SVG images,
no script, nothing from the network); the charts are also written beside it as SVG files. Writing is
idempotent: nothing in the page depends on the clock, and a file whose content did not change is not
rewritten. A chart with nothing to show is a sentence saying so ("no data yet"), never an empty plot.

The Prefect artifact (key ``nianbao-charts``) is markdown: the count tables, the report's path, and the
charts as ``data:image/png`` images — the Prefect UI draws a markdown image with a plain ``<img>``, so
they show with no network and no file server. (An image artifact needs a URL the browser can load; a
``file://`` URL is refused by a browser on an ``http://`` page, and the data dir is not served.)
"""

from __future__ import annotations

import base64
import html
import io
import logging
import re
import textwrap
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from prefect import get_run_logger, task

from expectations.suite import CHECKS
from parsers.form import REQUEST_COLUMN_SHORT, REQUEST_ROWS
from rawstore.layout import DataLayout
from rawstore.portals import PORTAL_BY_KEY
from warehouse.query import number_text
from warehouse.stats import NEW_REQUESTS_ROW, NO_PORTAL, TOTAL_COLUMN, WarehouseStats, warehouse_stats

#: CJK fonts to draw with, in order of preference (the first found is used).
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Sans CJK JP",
)  # fmt: skip
#: What the SVG asks a viewer for: the same list, then the viewer's own sans-serif.
SVG_FONT_FAMILY = ", ".join(f"'{f}'" for f in CJK_FAMILIES) + ", sans-serif"
NO_CJK_FONT = (
    "no CJK font found (fonts-noto-cjk, installed by scripts/system-deps): the SVG charts keep their Chinese "
    "text for the browser to draw; the PNG charts are left out of the Prefect artifact"
)

CHART_FILES = {"requests": "requests.svg", "checks": "checks.svg", "failing": "failing.svg"}
ARTIFACT_KEY = "nianbao-charts"

_NEW_REQUESTS = next(r.label for r in REQUEST_ROWS if r.key == NEW_REQUESTS_ROW)
_TOTAL = REQUEST_COLUMN_SHORT[TOTAL_COLUMN]
_CHECK_NAMES = {c.key: c.name_zh for c in CHECKS}
_COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD")
_CHECKED, _FLAGGED, _UNCHECKED = "#4C72B0", "#C44E52", "#BBBBBB"
NO_DATA = "暂无数据 · no data yet"

log = logging.getLogger(__name__)


def cjk_font() -> str | None:
    """The first of :data:`CJK_FAMILIES` matplotlib can draw with, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


@dataclass
class Chart:
    """One chart: its title, and either a figure or the sentence that says why there is none."""

    key: str
    title: str
    figure: object | None = None  # a matplotlib Figure
    empty: str | None = None  # "no data yet" and why
    rows: list[tuple[str, ...]] = field(default_factory=list)  # the numbers behind it, for tables
    header: tuple[str, ...] = ()
    note: str | None = None  # a footnote under the chart


@dataclass
class RunReport:
    """What :func:`write_report` wrote and publishes."""

    html: Path
    charts: list[Chart]
    stats: WarehouseStats
    font: str | None
    files: dict[str, Path] = field(default_factory=dict)  # chart key -> its SVG (charts with a figure)
    warnings: list[str] = field(default_factory=list)


# --- the charts -------------------------------------------------------------------------------------------------


def _style(font: str | None) -> dict:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [font or "DejaVu Sans", "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "none",  # text stays text in the SVG
        "svg.hashsalt": "nianbao",  # the same ids every run: the same file for the same data
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "font.size": 9,
    }


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _short_district(district: str) -> str:
    for portal in PORTAL_BY_KEY.values():
        if district == portal.district:
            return portal.short
    return district or "?"


def _portal_label(portal: str) -> str:
    known = PORTAL_BY_KEY.get(portal)
    if known:
        return f"{known.short} · {portal}"
    return "本地文件 · local files" if portal == NO_PORTAL else portal


def requests_chart(stats: WarehouseStats) -> Chart:
    """New requests (一、本年新收, 总计) per district and year: bars grouped by year, one colour per district."""
    title = f"{_NEW_REQUESTS}（{_TOTAL}）· new requests per district and year"
    chart = Chart("requests", title, header=("区 district", "年度 year", "新收申请 new requests", "报告 reports",
                                             "总计无法读取 total unreadable"))  # fmt: skip
    chart.rows = [(d.district, str(d.year), number_text(d.new_requests), str(d.reports), str(d.unreadable))
                  for d in stats.requests]  # fmt: skip
    if not stats.requests:
        chart.empty = f"{NO_DATA}: no current report with part 三 in the warehouse"
        return chart
    years = sorted({d.year for d in stats.requests})
    districts = sorted({d.district for d in stats.requests})
    by = {(d.district, d.year): d for d in stats.requests}
    fig = _figure(max(5.5, 1.1 * len(years) * max(1, len(districts)) ** 0.5 + 2.5), 3.6)
    ax = fig.subplots()
    width = min(0.3, 0.8 / max(sum(1 for d in districts if (d, y) in by) for y in years))
    colour = {d: _COLOURS[i % len(_COLOURS)] for i, d in enumerate(districts)}
    for x, year in enumerate(years):  # the districts that reported that year, side by side around the year
        present = [by[(d, year)] for d in districts if (d, year) in by]
        for i, cell in enumerate(present):
            offset = (i - (len(present) - 1) / 2) * width
            bars = ax.bar(x + offset, cell.new_requests, width, color=colour[cell.district])
            ax.bar_label(bars, labels=[number_text(cell.new_requests) + ("*" if cell.unreadable else "")], padding=2,
                         fontsize=8)  # fmt: skip
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=colour[d], label=_short_district(d)) for d in districts], frameon=False,
              fontsize=8)  # fmt: skip
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_ylabel("申请数 requests")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title, loc="left")
    ax.margins(y=0.15)
    unreadable = sum(d.unreadable for d in stats.requests)
    if unreadable:
        chart.note = (f"* {unreadable} 份报告的总计无法读取，未计入 · {unreadable} report(s) whose total could not "
                      "be read are not in the sum")  # fmt: skip
    chart.figure = fig
    return chart


def checks_chart(stats: WarehouseStats) -> Chart:
    """Current reports checked vs flagged, one panel per portal, bars per year."""
    title = "已检查与有问题的报告 · reports checked vs flagged, per portal and year"
    chart = Chart("checks", title, header=("门户 portal", "年度 year", "报告 reports", "已检查 checked",
                                           "有问题 flagged", "未检查 not checked"))  # fmt: skip
    chart.rows = [(_portal_label(p.portal), str(p.year), str(p.reports), str(p.checked), str(p.flagged),
                   str(p.reports - p.checked)) for p in stats.checks]  # fmt: skip
    if not stats.checks:
        chart.empty = f"{NO_DATA}: no current report in the warehouse"
        return chart
    portals = sorted({p.portal for p in stats.checks})
    unchecked = any(p.reports > p.checked for p in stats.checks)
    series = [("已检查 checked", _CHECKED, lambda p: p.checked), ("有问题 flagged", _FLAGGED, lambda p: p.flagged)]
    if unchecked:  # never shown as clean: a report not checked yet is a bar of its own
        series.append(("未检查 not checked", _UNCHECKED, lambda p: p.reports - p.checked))
    n_years = max(len({p.year for p in stats.checks if p.portal == portal}) for portal in portals)
    fig = _figure(min(11.0, max(5.5, len(portals) * (0.9 * n_years + 1.2))), 3.8)
    axes = fig.subplots(1, len(portals), sharey=True, squeeze=False)[0]
    width = 0.8 / len(series)
    for ax, portal in zip(axes, portals, strict=True):
        rows = sorted((p for p in stats.checks if p.portal == portal), key=lambda p: p.year)
        for i, (label, colour, value) in enumerate(series):
            bars = ax.bar([x - 0.4 + width * (i + 0.5) for x in range(len(rows))], [value(p) for p in rows], width,
                          label=label, color=colour)  # fmt: skip
            ax.bar_label(bars, padding=2, fontsize=8)
        ax.set_xticks(range(len(rows)), [str(p.year) for p in rows])
        ax.set_title(_portal_label(portal), fontsize=10)
        ax.margins(y=0.15)
    axes[0].set_ylabel("报告数 reports")
    axes[0].yaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=len(series), frameon=False)
    chart.figure = fig
    return chart


def failing_chart(stats: WarehouseStats) -> Chart:
    """Reports with an open flag, per check (every check, the most frequent first)."""
    title = "未通过的检查 · failing checks by kind (reports flagged)"
    counts = {c.check_key: c.flagged for c in stats.failing}
    keys = sorted(_CHECK_NAMES, key=lambda k: -counts.get(k, 0))  # stable: the checks' own order among equals
    keys += sorted(k for k in counts if k not in _CHECK_NAMES)  # a check the results know and the code does not
    chart = Chart("failing", title, header=("检查 check", "名称 name", "有问题的报告 reports flagged"))
    chart.rows = [(k, _CHECK_NAMES.get(k, ""), str(counts.get(k, 0))) for k in keys]
    if stats.empty:
        chart.empty = f"{NO_DATA}: no current report in the warehouse"
    elif not stats.checked_reports:
        chart.empty = "尚未检查 · not checked yet: run `nianbao check` (the nightly run checks every report)"
    elif not counts:
        chart.empty = (f"没有报告未通过检查 · no report fails a check ({stats.checked_reports} report(s) "
                       "checked)")  # fmt: skip
    if chart.empty:
        return chart
    fig = _figure(7.5, 0.55 * len(keys) + 1.0)
    ax = fig.subplots()
    labels = [f"{textwrap.shorten(_CHECK_NAMES.get(k, k), 24, placeholder='…')}\n{k}" for k in keys]
    values = [counts.get(k, 0) for k in keys]
    bars = ax.barh(range(len(keys)), values, color=[_FLAGGED if v else _UNCHECKED for v in values])
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.set_yticks(range(len(keys)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("有问题的报告 reports flagged")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.1)
    ax.set_title(title, loc="left")
    chart.figure = fig
    return chart


CHARTS: tuple[Callable[[WarehouseStats], Chart], ...] = (requests_chart, checks_chart, failing_chart)


@contextmanager
def _styled(font: str | None):
    """The report's matplotlib style; glyph warnings hushed (a missing CJK font is said once, by the caller)."""
    import matplotlib

    with matplotlib.rc_context(_style(font)), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        yield


def figure_svg(figure, font: str | None) -> bytes:
    """The figure as SVG with no date in it (the same bytes for the same data), asking for CJK fonts."""
    buffer = io.BytesIO()
    with _styled(font):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue().decode("utf-8")
    return re.sub(r"font-family: [^;\"]*", f"font-family: {SVG_FONT_FAMILY}", svg).encode("utf-8")


def figure_png(figure, font: str | None, dpi: int = 80) -> bytes:
    buffer = io.BytesIO()
    with _styled(font):
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def render_charts(stats: WarehouseStats, font: str | None) -> list[Chart]:
    """Each chart of :data:`CHARTS`, drawn in the report's style."""
    with _styled(font):
        return [make(stats) for make in CHARTS]


# --- the page -------------------------------------------------------------------------------------------------

_CSS = """body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',SimHei,sans-serif;
margin:2em auto;max-width:1100px;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
.meta{color:#666}table{border-collapse:collapse;margin:.8em 0}
th,td{border:1px solid #ccc;padding:.25em .7em;text-align:left}td.n{text-align:right}th{background:#f4f4f4}
img.chart{display:block;max-width:100%;height:auto}p.empty{padding:1.5em;background:#f8f8f8;border:1px dashed #bbb}
p.note{color:#666;font-size:.9em}details{margin:.5em 0}"""


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    def cell(value: str) -> str:
        numeric = re.fullmatch(r"-?[\d.]+", value or "") is not None
        return f'<td class="n">{html.escape(value)}</td>' if numeric else f"<td>{html.escape(value)}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table>\n<tr>{head}</tr>\n{body}\n</table>"


def summary_rows(stats: WarehouseStats) -> list[tuple[str, str]]:
    return [
        ("当前报告 current reports", str(stats.reports)),
        ("已检查 checked", str(stats.checked_reports)),
        ("有问题 flagged (open flags)", str(stats.flagged_reports)),
        ("未检查 not checked yet", str(stats.reports - stats.checked_reports)),
        ("无法读取的文件 documents that are no readable report", str(stats.failed_documents)),
    ]


def report_html(charts: list[Chart], stats: WarehouseStats, svgs: dict[str, bytes], docs_index: Path | None,
                notes: list[str]) -> str:  # fmt: skip
    """The page: counts, then each chart (or why there is none) with its numbers folded under it."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>nianbao 年报 · 运行报告 run report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>政府信息公开年报 · nianbao run report</h1>",
        f'<p class="meta">仓库数据截至 warehouse as of: {html.escape(stats.as_of or "—")} (UTC)</p>',
    ]
    parts += [f'<p class="note">{html.escape(n)}</p>' for n in notes]
    parts.append(_table(("", "数量 count"), summary_rows(stats)))
    if docs_index is not None:
        parts.append(f'<p>每项检查的详细结果 · every check\'s results: <a href="{html.escape(docs_index.as_posix())}">'
                     "Data Docs</a></p>")  # fmt: skip
    for chart in charts:
        parts.append(f'<section id="{chart.key}"><h2>{html.escape(chart.title)}</h2>')
        if chart.key in svgs:
            data = base64.b64encode(svgs[chart.key]).decode("ascii")
            parts.append(f'<img class="chart" alt="{html.escape(chart.title)}" src="data:image/svg+xml;base64,{data}">')
        else:
            parts.append(f'<p class="empty">{html.escape(chart.empty or NO_DATA)}</p>')
        if chart.note:
            parts.append(f'<p class="note">{html.escape(chart.note)}</p>')
        if chart.rows:
            parts.append("<details><summary>数字 the numbers</summary>")
            parts.append(_table(chart.header, chart.rows))
            parts.append("</details>")
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _write(path: Path, data: bytes) -> None:
    """Write unless the file already holds exactly these bytes (a re-run with no change touches nothing)."""
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def write_report(engine, layout: DataLayout, *, font: str | None = None, find_font: bool = True) -> RunReport:
    """Render the charts from the warehouse and write ``report.html`` and the chart SVGs into the data dir."""
    import matplotlib

    matplotlib.use("Agg")  # never a GUI backend, whoever imported pyplot before
    font = font or (cjk_font() if find_font else None)
    notes = [] if font else [NO_CJK_FONT]
    for note in notes:
        log.warning(note)
    stats = warehouse_stats(engine)
    charts = render_charts(stats, font)
    svgs = {c.key: figure_svg(c.figure, font) for c in charts if c.figure is not None}
    files = {}
    for chart in charts:
        path = layout.report_dir / CHART_FILES[chart.key]
        if chart.key in svgs:
            _write(path, svgs[chart.key])
            files[chart.key] = path
        else:
            path.unlink(missing_ok=True)  # no stale chart beside a page that says "no data yet"
    docs = layout.docs_index if layout.docs_index.is_file() else None
    docs_link = Path("..", docs.relative_to(layout.root)) if docs else None
    _write(layout.report_html, report_html(charts, stats, svgs, docs_link, notes).encode("utf-8"))
    return RunReport(layout.report_html, charts, stats, font, files, notes)


# --- the Prefect artifact --------------------------------------------------------------------------------------


def _markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    def cell(value: str) -> str:
        return value.replace("|", "\\|")

    out = ["| " + " | ".join(cell(h) or " " for h in header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def report_markdown(report: RunReport) -> str:
    """The artifact: where the page is, the counts, each chart as an inline PNG (when a CJK font draws it)
    or the sentence why there is none, and its numbers."""
    lines = ["# nianbao charts", "", f"HTML report: `{report.html}` ({report.html.resolve().as_uri()})", ""]
    lines += [f"> {w}" for w in report.warnings] + ([""] if report.warnings else [])
    lines += _markdown_table(("", "数量 count"), summary_rows(report.stats))

    for chart in report.charts:
        lines += ["", f"## {chart.title}", ""]
        if chart.figure is not None and report.font:
            png = base64.b64encode(figure_png(chart.figure, report.font)).decode("ascii")
            lines += [f"![{chart.title}](data:image/png;base64,{png})", ""]
        elif chart.empty:
            lines += [chart.empty, ""]
        if chart.note:
            lines += [chart.note, ""]
        if chart.rows:
            lines += _markdown_table(chart.header, chart.rows)
    return "\n".join(lines) + "\n"


@task(task_run_name="publish charts")
def publish_charts(database_url: str, data_dir: str) -> str:
    """Write the run report into the data dir and publish it as the ``nianbao-charts`` markdown artifact;
    return the page's path."""
    from prefect.artifacts import create_markdown_artifact

    from warehouse.db import make_engine

    engine = make_engine(database_url)
    try:
        report = write_report(engine, DataLayout(Path(data_dir)))
    finally:
        engine.dispose()
    logger = get_run_logger()
    for warning in report.warnings:
        logger.warning(warning)
    create_markdown_artifact(
        markdown=report_markdown(report), key=ARTIFACT_KEY,
        description="Requests per district and year, reports checked vs flagged, failing checks by kind",
    )  # fmt: skip
    logger.info("run report: %s", report.html)
    return str(report.html)


def publish_report(database_url: str, data_dir: str) -> str | None:
    """Run :func:`publish_charts` in a flow; a chart that cannot be drawn is a warning, not a failed run.
    The page's path, or None when it could not be written."""
    state = publish_charts(database_url, data_dir, return_state=True)
    if state.is_completed():
        return state.result()
    get_run_logger().warning("the run report was not written: %s", state.message)
    return None

"""Render a report back into the printed layouts: official-form HTML and extracted text.

The inverse of the parsers, used to build fixture documents from the seeds
(``scripts/build_fixtures.py``) and by the property tests, which render random
tables, parse them back and expect every cell. The layout follows the form of
国办公开办函〔2019〕60号 / 〔2021〕30号: merged header cells, merged row-group
labels (三、本年度办理结果, (三)不予公开 …).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from parsers.form import (
    BALANCE_NOTE,
    CHINESE_NUMERALS,
    PROACTIVE_HEADER,
    PROACTIVE_METRIC_BY_KEY,
    REQUEST_COLUMNS,
    REQUEST_HEADER,
    REQUEST_ROW_LAYOUT,
    RESULT_GROUP_LABEL,
    RESULT_ROW_KEYS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    SECTIONS,
    FormVersion,
    ProactiveItem,
    Table,
    proactive_item_label,
    proactive_items,
    request_row_keys,
)
from parsers.report import Cell, CellKind, Report

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class Style:
    """How a rendered document differs from the plain official layout."""

    zero_marks: tuple[str, ...] = ()  # print zeros as these marks, in turn ("", "—", "/")
    fullwidth_digits: bool = False
    repeat_request_header: bool = False  # repeat part 三's header rows mid-table
    chrome: bool = False  # wrap the report in portal chrome and nested layout tables
    charset: str = "utf-8"  # the encoding of the bytes
    declare_charset: bool = True


def _printed(cell: Cell | None) -> str:
    """What the source printed: the raw text of numbers, the value of inferred cells."""
    if cell is None or cell.value is None:
        return cell.raw if cell is not None else ""
    if cell.kind is CellKind.NUMBER and cell.raw.strip():
        return cell.raw.strip()
    return str(cell.value)


class CellPrinter:
    def __init__(self, style: Style) -> None:
        self.style = style
        self.n_zero = 0

    def __call__(self, cell: Cell | None) -> str:
        text = _printed(cell)
        if self.style.zero_marks and cell is not None and cell.value == 0:
            text = self.style.zero_marks[self.n_zero % len(self.style.zero_marks)]
            self.n_zero += 1
        if self.style.fullwidth_digits:
            text = text.translate(_FULLWIDTH)
        return text


@dataclass(frozen=True)
class Span:
    """One printed cell of a table, before spans are expanded: what a ``<td>`` and a Word cell share."""

    text: str
    rowspan: int = 1
    colspan: int = 1


#: A table as printed: rows of cells, each placed in the first free grid column (HTML's rule).
Layout = list[list[Span]]


def _html_row(row: list[Span]) -> str:
    tds = []
    for span in row:
        attrs = (f' rowspan="{span.rowspan}"' if span.rowspan > 1 else "") + (
            f' colspan="{span.colspan}"' if span.colspan > 1 else ""
        )
        tds.append(f"<td{attrs}>{html.escape(span.text)}</td>")
    return "".join(tds)


# --- table layouts, shared by the HTML, text and DOCX renderers -----------------------


def proactive_layout(report: Report, version: FormVersion, cell_text: Callable[[Cell | None], str]) -> Layout:
    """Part 二: a 第二十条 row per section, its header row, one row per item."""
    cells = {(p.item, p.metric): p.cell for p in report.proactive}
    rows: Layout = []
    section = None
    items: list[ProactiveItem] = list(proactive_items(version))
    for item in items:
        metrics = item.metrics[version]
        width = 3 if len(metrics) == 1 else 1
        if item.section != section:
            section = item.section
            rows.append([Span(section, colspan=4)])
            headers = [Span(PROACTIVE_METRIC_BY_KEY[m].label, colspan=width) for m in metrics]
            rows.append([Span(PROACTIVE_HEADER), *headers, *([Span("")] if len(metrics) == 2 else [])])
        values = [Span(cell_text(cells.get((item.key, m))), colspan=width) for m in metrics]
        rows.append([Span(proactive_item_label(item, version)), *values, *([Span("")] if len(metrics) == 2 else [])])
    return rows


def request_header_layout() -> Layout:
    """The three header rows of part 三: 申请人情况 over 自然人 / 法人或其他组织 (five kinds) / 总计."""
    person, *applicants, total = REQUEST_COLUMNS  # the organisations print as "法人或其他组织 / 商业企业" …
    organisations = applicants[0].label.split("/")[0].strip()
    return [
        [Span(BALANCE_NOTE, rowspan=3, colspan=3), Span(REQUEST_HEADER, colspan=7)],
        [Span(person.label, rowspan=2), Span(organisations, colspan=5), Span(total.label, rowspan=2)],
        [Span(c.label.split("/")[-1].strip()) for c in applicants],
    ]


def request_layout(
    report: Report, version: FormVersion, cell_text: Callable[[Cell | None], str], repeat_header: bool = False
) -> Layout:
    """Part 三, with the merged 三、本年度办理结果 and (三)…(六) group labels; ``repeat_header``
    prints the header rows again after row 二 (as some pages saved from Word do)."""
    keys = list(request_row_keys(version))
    outcome_keys = [k for k in keys if k in RESULT_ROW_KEYS]
    rows = request_header_layout()
    group_sizes: dict[str, int] = {}
    for key in keys:
        group = REQUEST_ROW_LAYOUT[key][0]
        if group:
            group_sizes[group] = group_sizes.get(group, 0) + 1
    started: set[str] = set()
    for key in keys:
        group, label = REQUEST_ROW_LAYOUT[key]
        lead: list[Span] = []
        if key == outcome_keys[0]:
            lead.append(Span(RESULT_GROUP_LABEL, rowspan=len(outcome_keys)))
        if key not in RESULT_ROW_KEYS:
            lead.append(Span(label, colspan=3))
        elif group is None:
            lead.append(Span(label, colspan=2))
        else:
            if group not in started:
                started.add(group)
                lead.append(Span(group, rowspan=group_sizes[group]))
            lead.append(Span(label))
        rows.append(lead + [Span(cell_text(report.requests.get(key, {}).get(c.key))) for c in REQUEST_COLUMNS])
        if repeat_header and key == keys[1]:
            rows += request_header_layout()
    return rows


def review_layout(report: Report, cell_text: Callable[[Cell | None], str]) -> Layout:
    """Part 四: 行政复议 and 行政诉讼 (未经复议直接起诉 / 复议后起诉) over one row of fifteen numbers."""
    outcomes = [Span(label) for _, label in REVIEW_OUTCOMES]
    (_, review), (_, direct), (_, after) = REVIEW_GROUPS  # "行政诉讼 未经复议直接起诉", "行政诉讼 复议后起诉"
    suit, direct = direct.split(" ", 1)
    after = after.split(" ", 1)[1]
    return [
        [Span(review, colspan=5), Span(suit, colspan=10)],
        [Span(label, rowspan=2) for _, label in REVIEW_OUTCOMES] + [Span(direct, colspan=5), Span(after, colspan=5)],
        outcomes + outcomes,
        [Span(cell_text(report.reviews.get(f"{g}_{o}"))) for g, _ in REVIEW_GROUPS for o, _ in REVIEW_OUTCOMES],
    ]


def _table(rows: Layout) -> str:
    body = "\n".join(f"  <tr>{_html_row(r)}</tr>" for r in rows)
    return f'<table border="1" cellspacing="0" cellpadding="2">\n{body}\n</table>'


def _paragraphs(text: str) -> str:
    return "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())


def report_to_body_html(report: Report, style: Style = Style()) -> str:
    """The report itself: title, preamble, the six parts with their tables."""
    cell_text = CellPrinter(style)
    out = [f'<p style="text-align:center"><strong>{html.escape(report.title or "")}</strong></p>']
    out.append(_paragraphs(report.preamble))
    by_number = {s.number: s for s in report.sections}
    has_tables = any(report.tables_present.values())
    numbers = sorted(by_number) if not has_tables else range(1, 7)
    for number in numbers:
        section = by_number.get(number)
        title = section.title if section else f"{CHINESE_NUMERALS[number - 1]}、{SECTIONS[number - 1].title}"
        out.append(f"<p><strong>{html.escape(title)}</strong></p>")
        part = {2: Table.PROACTIVE, 3: Table.REQUESTS, 4: Table.REVIEWS}.get(number) if has_tables else None
        if part is Table.PROACTIVE and report.tables_present.get(part):
            version = report.table_forms.get(Table.PROACTIVE, report.form)
            out.append(_table(proactive_layout(report, version, cell_text)))
        elif part is Table.REQUESTS and report.tables_present.get(part):
            version = report.table_forms.get(Table.REQUESTS, report.form)
            out.append(_table(request_layout(report, version, cell_text, style.repeat_request_header)))
        elif part is Table.REVIEWS and report.tables_present.get(part):
            out.append(_table(review_layout(report, cell_text)))
        if section:
            out.append(_paragraphs(section.text))
    return "\n".join(out)


_CHROME_HEAD = """<table width="100%" class="layout"><tr><td>
<div class="top">网站首页 | 政府信息公开 | 政务服务 | 互动交流</div>
<table width="1000" align="center" class="layout"><tr><td>
<div class="breadcrumb">当前位置：首页 &gt; 政府信息公开 &gt; 法定主动公开内容 &gt; 政府信息公开年报</div>
<table class="xxgk-meta" width="100%">
  <tr><td>索引号：</td><td>11620403013912770D/2026-206748</td><td>生成日期：</td><td>2021-01-28</td></tr>
  <tr><td>文号：</td><td></td><td>关键字：</td><td></td></tr>
  <tr><td>所属机构：</td><td>平川区政府办</td><td>发布机构：</td><td></td></tr>
</table>
<h1 class="article-title">{title}</h1>
<div class="info">信息来源：区人民政府办公室　发布时间：2021-01-28 15:34　浏览次数：<span id="count">128</span></div>
<table width="100%" class="layout"><tr><td class="content">
<div id="zoom">"""
_CHROME_TAIL = """</div>
</td></tr></table>
<div class="share">分享到：微信 微博 QQ空间　【打印本页】【关闭窗口】</div>
</td></tr></table>
<div class="footer">主办单位：区人民政府办公室　版权所有　网站标识码：6404000001　宁ICP备05001234号</div>
</td></tr></table>"""


def report_to_html(report: Report, style: Style = Style()) -> bytes:
    """A whole HTML page for ``report``, encoded as ``style.charset``."""
    body = report_to_body_html(report, style)
    if style.chrome:
        body = _CHROME_HEAD.format(title=html.escape(report.title or "")) + "\n" + body + "\n" + _CHROME_TAIL
    charset = "gb2312" if style.charset in ("gbk", "gb18030", "gb2312") else style.charset
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if style.declare_charset else ""
    page = (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{meta}\n<title>{html.escape(report.title or '')}</title>\n"
        '<script>var _hmt = _hmt || []; document.write("<table><tr><td>1</td></tr></table>");</script>\n'
        "<style>td { border: 1px solid #000; }</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )
    encoding = "gb18030" if charset == "gb2312" else style.charset
    return page.encode(encoding, errors="xmlcharrefreplace")


# --- extracted text ------------------------------------------------------------


def _grid_from_layout(rows: Layout) -> list[list[str]]:
    """Reuse the table layouts for text: render the few <td>s and parse them back into a grid."""
    from parsers.html import html_to_document

    doc = html_to_document(("<table>" + "".join(f"<tr>{_html_row(r)}</tr>" for r in rows) + "</table>").encode())
    table = doc.tables[0]
    return [[("" if c.is_copy else c.text) for c in row] for row in table.rows]


def report_to_text(report: Report, layout: str = "tabs") -> bytes:
    """Text as pulled out of a Word/PDF file: ``tabs`` (one row per line) or
    ``cells`` (one cell per line, rows separated by blank lines)."""
    cell_text = CellPrinter(Style())
    lines = [report.title or "", "", report.preamble, ""]
    by_number = {s.number: s for s in report.sections}
    for number in range(1, 7):
        section = by_number.get(number)
        lines += [section.title if section else f"{CHINESE_NUMERALS[number - 1]}、{SECTIONS[number - 1].title}", ""]
        rows: Layout = []
        if number == 2 and report.tables_present.get(Table.PROACTIVE):
            rows = proactive_layout(report, report.table_forms.get(Table.PROACTIVE, report.form), cell_text)
        elif number == 3 and report.tables_present.get(Table.REQUESTS):
            rows = request_layout(report, report.table_forms.get(Table.REQUESTS, report.form), cell_text, False)
        elif number == 4 and report.tables_present.get(Table.REVIEWS):
            rows = review_layout(report, cell_text)
        for grid_row in _grid_from_layout(rows) if rows else []:
            if layout == "cells":
                lines += ["\t" + cell for cell in grid_row] + [""]
            else:
                lines.append("\t".join(grid_row))
        lines.append("")
        if section and section.text:
            lines += [section.text, ""]
    return "\n".join(lines).encode("utf-8")

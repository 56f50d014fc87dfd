"""Property: any valid table of either form, rendered as HTML, extracted text or a Word document, parses back
cell for cell."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render import Style, report_to_html, report_to_text
from render_docx import DocxStyle, report_to_docx

from parsers import parse_bytes
from parsers.form import (
    AMOUNT_METRICS,
    REQUEST_COLUMN_KEYS,
    REVIEW_KEYS,
    SECTIONS,
    SIGNED_METRICS,
    FormVersion,
    Table,
    proactive_items,
    request_row_keys,
)
from parsers.report import Cell, CellKind, ProactiveCell, Report, Section

counts = st.integers(min_value=0, max_value=99999)


@st.composite
def signed_change(draw) -> tuple[int, str]:
    value = draw(st.integers(min_value=-999, max_value=999))
    style = draw(st.sampled_from(["sign", "word"]))
    if value == 0:
        return 0, "0"
    if style == "word":
        return value, ("增" if value > 0 else "减") + str(abs(value))
    return value, ("+" if value > 0 else "-") + str(abs(value))


@st.composite
def amount(draw) -> tuple[float | int, str]:
    cents = draw(st.integers(min_value=0, max_value=10**9))
    value = cents / 10**4
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    value = float(text) if "." in text else int(text)
    return value, text + draw(st.sampled_from(["", "万元"]))


def _number(value: int | float, raw: str | None = None) -> Cell:
    return Cell(value=value, raw=raw if raw is not None else str(value), kind=CellKind.NUMBER)


@st.composite
def reports(draw) -> Report:
    form = draw(st.sampled_from([FormVersion.V2019, FormVersion.V2021]))
    year = 2020 if form is FormVersion.V2019 else draw(st.integers(min_value=2021, max_value=2025))
    requests = {row: {col: _number(draw(counts)) for col in REQUEST_COLUMN_KEYS} for row in request_row_keys(form)}
    reviews = {key: _number(draw(st.integers(min_value=0, max_value=500))) for key in REVIEW_KEYS}
    proactive = []
    for item in proactive_items(form):
        for metric in item.metrics[form]:
            if metric in SIGNED_METRICS:
                value, raw = draw(signed_change())
            elif metric in AMOUNT_METRICS:
                value, raw = draw(amount())
            else:
                value = draw(counts)
                raw = str(value)
            proactive.append(ProactiveCell(item=item.key, metric=metric, cell=_number(value, raw)))
    agency = draw(st.sampled_from(["银川市西夏区审批服务管理局", "白银市平川区种田乡人民政府", "红寺堡区教育局"]))
    return Report(
        source="generated",
        sha256="",
        format="generated",
        title=f"{agency}{year}年政府信息公开工作年度报告",
        agency=agency,
        year=year,
        form=form,
        table_forms={Table.PROACTIVE: form, Table.REQUESTS: form},
        preamble=f"本报告所列数据的统计期限从{year}年1月1日起到12月31日止。",
        sections=[
            Section(number=s.number, key=s.key, title=f"{'一二三四五六'[s.number - 1]}、{s.title}", text="无。")
            for s in SECTIONS
        ],
        tables_present={Table.PROACTIVE: True, Table.REQUESTS: True, Table.REVIEWS: True},
        requests=requests,
        reviews=reviews,
        proactive=proactive,
    )


def _same_tables(parsed: Report, original: Report) -> None:
    assert (parsed.agency, parsed.year, parsed.form) == (original.agency, original.year, original.form)
    assert {r: {c: v.value for c, v in cols.items()} for r, cols in parsed.requests.items()} == {
        r: {c: v.value for c, v in cols.items()} for r, cols in original.requests.items()
    }
    assert {k: v.value for k, v in parsed.reviews.items()} == {k: v.value for k, v in original.reviews.items()}
    assert [(p.item, p.metric, p.cell.value) for p in parsed.proactive] == [
        (p.item, p.metric, p.cell.value) for p in original.proactive
    ]
    assert [w.code for w in parsed.warnings] == []


styles = st.builds(
    Style,
    zero_marks=st.sampled_from([(), ("—",), ("", "/")]),
    fullwidth_digits=st.booleans(),
    repeat_request_header=st.booleans(),
    chrome=st.booleans(),
    charset=st.sampled_from(["utf-8", "gbk"]),
    declare_charset=st.booleans(),
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(report=reports(), style=styles)
def test_html_round_trip(report: Report, style: Style) -> None:
    _same_tables(parse_bytes(report_to_html(report, style)), report)


@SETTINGS
@given(report=reports(), layout=st.sampled_from(["tabs", "cells"]))
def test_text_round_trip(report: Report, layout: str) -> None:
    _same_tables(parse_bytes(report_to_text(report, layout)), report)


docx_styles = st.builds(
    DocxStyle,
    zero_marks=st.sampled_from([(), ("—",), ("", "/")]),
    fullwidth_digits=st.booleans(),
    ruled=st.booleans(),
    repeat_header=st.booleans(),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=reports(), style=docx_styles)
def test_docx_round_trip(report: Report, style: DocxStyle) -> None:
    _same_tables(parse_bytes(report_to_docx(report, style)), report)

"""Rich renderings of a report for people (the JSON form is Report.to_json_dict)."""

from __future__ import annotations

from collections import Counter

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from nianbao.i18n import message, pick
from nianbao.output import plain
from parsers.form import (
    PROACTIVE_ITEM_BY_KEY,
    REQUEST_COLUMN_SHORT,
    REQUEST_COLUMNS,
    REQUEST_ROW_BY_KEY,
    REQUEST_ROW_KEYS,
    REVIEW_GROUP_SHORT,
    REVIEW_GROUPS,
    REVIEW_LABELS,
    REVIEW_OUTCOMES,
    Table,
    section_heading,
)
from parsers.report import Cell, CellKind, Report
from warehouse.query import number_text

_STYLE = {
    CellKind.NUMBER: "",
    CellKind.BLANK: "dim",
    CellKind.INFERRED: "yellow",
    CellKind.UNREADABLE: "bold red",
}


def _cell_text(cell: Cell | None) -> Text:
    if cell is None:
        return Text("·", style="dim")
    if cell.kind is CellKind.UNREADABLE:
        return Text(f"?{cell.raw}" if cell.raw else "?", style=_STYLE[cell.kind])
    shown = cell.raw.strip() if cell.kind is CellKind.BLANK and cell.raw.strip() else str(cell.value)
    return Text(shown + ("*" if cell.kind is CellKind.INFERRED else ""), style=_STYLE[cell.kind])


def _title(table: Table) -> str:
    """The section's printed heading and the table's key: ``三、收到和处理政府信息公开申请情况 (requests)``."""
    return f"{section_heading(table.value)} ({table.value})"


def _short_row(key: str) -> str:
    """A row's shortest telling name: its first signature phrase (``3其他`` → ``其他``)."""
    label = REQUEST_ROW_BY_KEY[key]
    return label.signatures[0].lstrip("0123456789七") if label.signatures else label.label


def requests_table(report: Report) -> RichTable:
    t = RichTable(title=_title(Table.REQUESTS), box=box.SIMPLE_HEAVY, title_justify="left")
    t.add_column("row", no_wrap=True)
    for col in REQUEST_COLUMNS:
        t.add_column(REQUEST_COLUMN_SHORT[col.key], justify="right")
    for key in REQUEST_ROW_KEYS:
        if key in report.requests:
            t.add_row(_short_row(key), *(_cell_text(report.requests[key].get(c.key)) for c in REQUEST_COLUMNS))
    return t


def reviews_table(report: Report) -> RichTable:
    t = RichTable(title=_title(Table.REVIEWS), box=box.SIMPLE_HEAVY, title_justify="left")
    t.add_column("")
    for _, label in REVIEW_OUTCOMES:
        t.add_column(label, justify="right")
    for group, _ in REVIEW_GROUPS:
        t.add_row(
            REVIEW_GROUP_SHORT[group], *(_cell_text(report.reviews.get(f"{group}_{o}")) for o, _ in REVIEW_OUTCOMES)
        )
    return t


def proactive_table(report: Report) -> RichTable:
    t = RichTable(title=_title(Table.PROACTIVE), box=box.SIMPLE_HEAVY, title_justify="left")
    t.add_column("item", no_wrap=True)
    t.add_column("metric = value (printed)")
    by_item: dict[str, Text] = {}
    for p in report.proactive:
        line = by_item.setdefault(p.item, Text())
        if line:
            line.append("  ")
        line.append(f"{p.metric}=")
        line.append_text(_cell_text(p.cell))
        if p.cell.raw.strip() and p.cell.raw.strip() != str(p.cell.value):
            line.append(f" ({p.cell.raw.strip()})", style="dim")
    for item, line in by_item.items():
        t.add_row(PROACTIVE_ITEM_BY_KEY[item].label, line)
    return t


def report_renderable(report: Report) -> Panel:
    head = Text()
    head.append(f"{report.agency or '(agency unknown)'}", style="bold")
    head.append(f"  {report.year or '????'}年  form {report.form.value}")
    if report.table_forms and len(set(report.table_forms.values())) > 1:
        head.append("  (" + ", ".join(f"{t.value}: {v.value}" for t, v in report.table_forms.items()) + ")")
    head.append(f"\n{report.title or ''}\n", style="dim")
    details = []
    if report.period:
        details.append(f"period {report.period.start} – {report.period.end}")
    if report.form_reference:
        details.append(report.form_reference)
    details.append(f"{report.format}, sha256 {report.sha256[:12]}")
    head.append("  ·  ".join(details), style="dim")
    parts: list = [head]
    if report.tables_present.get(Table.PROACTIVE):
        parts.append(proactive_table(report))
    if report.tables_present.get(Table.REQUESTS):
        parts.append(requests_table(report))
    if report.tables_present.get(Table.REVIEWS):
        parts.append(reviews_table(report))
    if not any(report.tables_present.values()):
        sections = ", ".join(s.title for s in report.sections) or "none found"
        parts.append(Text(f"No statistics tables ({report.form.value} report). Parts: {sections}", style="italic"))
    from nianbao.messages import warning_label

    for w in report.warnings:  # the headline in the chosen language, the code, then the detail
        parts.append(Text(f"⚠ {warning_label(w.code)}: {w.message}", style="yellow"))
    legend = Text("— blank/zero mark, * inferred, ? unreadable", style="dim")
    parts.append(legend)
    return Panel(Group(*parts), title=Text(plain(report.source)), title_align="left")  # a name, never markup


def print_report(console: Console, report: Report) -> None:
    console.print(report_renderable(report))


_OUTCOME_STYLE = {"PASS": "green", "FAIL": "bold red", "UNCERTAIN": "yellow", "NOT_ASSESSABLE": "dim"}


def print_check(console: Console, item, *, show_all: bool = False) -> None:
    """One file's check results: each finding with its message, then the other checks on a line per
    outcome; with ``show_all``, every check on its own line with what it checks."""
    report = item.report or {}
    who = f"{report.get('agency') or '(agency unknown)'} {report.get('year') or '????'}年 form {report.get('form')}"
    console.print(Text.assemble((plain(item.path), "bold"), f"  {plain(who)}"))
    by_check: dict[str, list] = {}
    for r in item.results:
        by_check.setdefault(r.check.key, []).append(r)
    quiet: dict[str, list[str]] = {}
    for key, results in by_check.items():
        findings = [r for r in results if r.outcome.value not in ("PASS", "NOT_ASSESSABLE")]
        for r in findings:
            line = Text("  ")
            line.append(f"{r.outcome.value:<9}", style=_OUTCOME_STYLE[r.outcome.value])
            line.append(f" {key}" + (f"[{r.scope}]" if r.scope else "") + f" ({r.check.severity.value})")
            console.print(line)
            console.print(Text(f"            {message(r)}"))
        if findings:
            continue
        if show_all:
            check = results[0].check
            line = Text("  ")
            line.append(f"{results[0].outcome.value:<9}", style=_OUTCOME_STYLE[results[0].outcome.value])
            line.append(f" {key}  ")
            line.append(pick(check.name_zh, check.description), style="dim")
            console.print(line)
        else:
            quiet.setdefault(results[0].outcome.value, []).append(key)
    for outcome, keys in quiet.items():
        line = Text("  ")
        line.append(f"{outcome:<9}", style=_OUTCOME_STYLE[outcome])
        line.append(" " + ", ".join(keys), style="dim")
        console.print(line)


def print_run_summary(console: Console, summary) -> None:
    """A warehouse run: counts per check and outcome, where the Data Docs are."""
    title = f"run {summary.run_id[:12]}: {len(summary.reports)} current report(s), counted per check and outcome"
    t = RichTable(title=title, box=box.SIMPLE_HEAD)
    t.add_column("check")
    for outcome in ("PASS", "FAIL", "UNCERTAIN", "NOT_ASSESSABLE"):
        t.add_column(outcome, justify="right", style=_OUTCOME_STYLE[outcome])
    for key, counts in summary.counts().items():
        t.add_row(key, *(str(counts[o]) for o in ("PASS", "FAIL", "UNCERTAIN", "NOT_ASSESSABLE")))
    console.print(t)
    if summary.docs_index:
        console.print(f"Data Docs: {summary.docs_index}")
    console.print("Failing reports: nianbao flags", style="dim")


def print_flags(console: Console, columns: list[str], rows: list[tuple]) -> None:
    """Every finding as a short record (``nianbao flags --details``): who and what on one line, the finding in
    the chosen language, then where it came from. Lines are soft-wrapped: a fingerprint or a URL is never cut."""
    for row in rows:
        r = dict(zip(columns, row, strict=True))
        head = Text()
        head.append(f"{plain(r['agency'] or pick('（机关不明）', '(agency unknown)'))} {r['year'] or ''}", style="bold")
        head.append(f"  {r['check_key']}" + (f"[{plain(r['scope'])}]" if r["scope"] else ""), style="red")
        head.append(f"  {r['review']}  {r['fingerprint'][:12]}", style="dim")
        if r.get("stale"):
            head.append("  " + stale_mark(), style="yellow")
        console.print(head, soft_wrap=True)
        console.print(Text(f"  {plain(message(r))}"), soft_wrap=True)
        console.print(Text(f"  {plain(r['url'])}", style="dim"), soft_wrap=True)
    console.print(pick(f"{len(rows)} 项发现", f"{len(rows)} finding(s)"), style="dim", highlight=False)


# --- flagged reports: one line each; one finding's evidence; a run's overview ------------------------


def _report_fields(report: object) -> dict:
    """A flagged report as a dict, whether it came as a record (expectations.flags) or a flow's dict."""
    return report.as_dict() if hasattr(report, "as_dict") else dict(report)  # type: ignore[arg-type]


def stale_mark() -> str:
    """The mark of a flag whose report changed since the run that found it."""
    return pick("（检查后已更改）", "(changed since the check)")


def flagged_report_line(report: object, who_width: int = 0, checks_width: int = 0, *, mark_new: bool = False) -> Text:
    """One flagged report on one line: agency and year, the failing checks, the largest difference, the URL
    (a reviewer's decision, and ``new``, when there is one)."""
    r = _report_fields(report)
    who = plain(f"{r.get('agency') or pick('（机关不明）', '(agency unknown)')} {r.get('year') or '????'}")
    checks = ", ".join(r.get("checks") or [])
    line = Text()
    line.append(who, style="bold")
    line.append(" " * max(2, who_width - cell_len(who) + 2))
    line.append(checks, style="red" if r.get("severity") != "warning" else "yellow")
    line.append(" " * max(2, checks_width - len(checks) + 2))
    gap = number_text(r.get("largest_difference"))
    if gap:
        line.append(pick(f"相差{gap}", f"off by {gap}") + "  ")
    reviews = r.get("reviews") or {}
    if set(reviews) - {"open"}:  # a reviewer has decided on some of its findings: say how many of which
        line.append("[" + ", ".join(f"{state} {n}" for state, n in reviews.items()) + "]  ", style="cyan")
    if mark_new and r.get("new"):
        line.append(pick("新  ", "new  "), style="bold yellow")
    if r.get("stale"):
        line.append(stale_mark() + "  ", style="yellow")
    line.append(plain(r.get("url") or ""), style="dim")
    return line


def print_flagged_reports(console: Console, reports: list, *, mark_new: bool = False) -> None:
    """Flagged reports, one line each (soft-wrapped: a long URL stays one line to copy)."""
    fields = [_report_fields(r) for r in reports]
    who = max((cell_len(f"{f.get('agency') or ''} {f.get('year') or '????'}") for f in fields), default=0)
    checks = max((len(", ".join(f.get("checks") or [])) for f in fields), default=0)
    for f in fields:
        console.print(flagged_report_line(f, min(who, 34), min(checks, 48), mark_new=mark_new), soft_wrap=True)


def print_flagged_summary(console: Console, reports: list, findings: int | None = None) -> None:
    """``nianbao flags``: one line per flagged report, then the count and where the details are."""
    print_flagged_reports(console, reports)
    n = len(reports)
    counted = pick(f"{n} 份报告被标记", f"{n} flagged report(s)")
    if findings is not None:
        counted += pick(f"，共 {findings} 项发现", f", {findings} finding(s)")
    hint = pick(
        "每项发现：nianbao flags --details；一项的证据：nianbao flags show 指纹",
        "every finding: nianbao flags --details; one finding's evidence: nianbao flags show FINGERPRINT",
    )
    console.print(Text(f"{counted} — {hint}", style="dim"), soft_wrap=True)
    stale = sum(1 for r in reports if _report_fields(r).get("stale"))
    if stale:
        console.print(
            Text(pick(f"{stale} 份报告在检查后已更改，其标记针对旧版本：运行 nianbao validate 重新检查",
                      f"{stale} report(s) changed since the check, flagged as they were: nianbao validate checks "
                      "them again"), style="yellow"),
            soft_wrap=True,
        )  # fmt: skip


def _cell_label(cell: dict) -> str:
    """A cell of the evidence by the form's own words: ``本年新收申请数量 / 自然人``, ``行政复议 结果维持``."""
    table, row, column = cell.get("table"), cell.get("row"), cell.get("column")
    if table == "requests" and row in REQUEST_ROW_BY_KEY:
        return f"{_short_row(row)} / {REQUEST_COLUMN_SHORT.get(column, column or '')}"
    if table == "reviews":
        return REVIEW_LABELS.get(row, row or "")
    if table == "proactive" and row in PROACTIVE_ITEM_BY_KEY:
        return f"{PROACTIVE_ITEM_BY_KEY[row].label} / {column or ''}"
    return ""


def evidence_cells_table(cells: list[dict]) -> RichTable:
    """The cells a finding is about: where (table, row, column, the form's label), the number read and the text
    printed; for two copies of a report, the other copy's number and text as well."""
    t = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    other = any("other_value" in c or "other_raw" in c for c in cells)
    for name in ("table", "row", "column", pick("表中名称", "label"), "value", "raw", "kind"):
        t.add_column(name, overflow="fold")
    if other:
        t.add_column(pick("另一份", "other value"), overflow="fold")
        t.add_column(pick("另一份原文", "other raw"), overflow="fold")
    for c in cells:
        row = [plain(c.get(k) or "") for k in ("table", "row", "column")]
        row += [_cell_label(c), number_text(c.get("value")), plain(c.get("raw") or ""), c.get("kind") or ""]
        if other:
            row += [number_text(c.get("other_value")), plain(c.get("other_raw") or "")]
        t.add_row(*row)
    return t


def print_flag_evidence(console: Console, flag: dict) -> None:
    """``nianbao flags show``: everything stored about one finding."""
    from expectations.suite import CHECK_BY_KEY

    check = CHECK_BY_KEY.get(flag["check_key"])
    console.print(Text.assemble((pick("标记 ", "flag "), "bold"), (flag["fingerprint"], "bold")), soft_wrap=True)
    fields: list[tuple[str, str]] = [
        (pick("报告", "report"), f"{flag.get('agency') or ''} {flag.get('year') or ''}"
         + (f" ({flag['district']})" if flag.get("district") else "") + f"  #{flag['report_id']}"),
        (pick("检查", "check"), f"{flag['check_key']} ({flag.get('severity')})"
         + (f": {pick(check.name_zh, check.description)}" if check else "")),
        (pick("范围", "scope"), flag.get("scope") or pick("整份报告", "the whole report")),
        (pick("结果", "outcome"), flag.get("outcome") or ""),
        (pick("左边", "left side"), number_text(flag.get("left_value")) or "?"),
        (pick("右边", "right side"), number_text(flag.get("right_value")) or "?"),
        *(
            [(pick("差额", "difference"), number_text(flag.get("difference")) or "?")]
            if flag.get("sum_identity")
            else []
        ),
        (pick("说明", "message"), message(flag)),
        ("URL", flag.get("url") or ""),
    ]  # fmt: skip
    review = flag.get("review") or "open"
    if flag.get("decision"):
        by = f" {pick('审核人', 'by')} {flag['reviewer']}" if flag.get("reviewer") else ""
        when = f" {flag['decided_at']}" if flag.get("decided_at") else ""
        note = f": {flag['review_note']}" if flag.get("review_note") else ""
        was = pick(f"（此前为 {flag['decision']}，数字已变）", f" (was {flag['decision']}; the numbers changed)")
        review += (was if review == "reopened" else "") + by + when + note
    fields.append((pick("审核", "review"), review))
    width = max(cell_len(name) for name, _ in fields)
    for name, value in fields:
        line = Text("  ")
        line.append(name + " " * (width - cell_len(name)), style="dim")
        line.append("  " + plain(value))
        console.print(line, soft_wrap=True)
    cells = flag.get("cells") or []
    console.print(Text("  " + pick(f"涉及的单元格（{len(cells)}）", f"cells involved ({len(cells)})"), style="dim"))
    if cells:
        console.print(evidence_cells_table(cells))


def _portal_table(rows: list[dict]) -> RichTable:
    t = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_lines=False)
    headers = [
        (pick("门户", "portal"), "left"),
        (pick("状态", "status"), "left"),
        (pick("报告（列出）", "reports"), "right"),
        (pick("新文档", "new docs"), "right"),
        (pick("变更文档", "changed docs"), "right"),
        (pick("无法读取", "unreadable docs"), "right"),
        (pick("被标记报告", "flagged reports"), "right"),
        (pick("故障", "faults"), "right"),
    ]
    for name, justify in headers:
        t.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for r in rows:
        total = r["portal"] == "total"
        t.add_row(
            pick("合计", "total") if total else plain(r["portal"] or pick("（无门户）", "(no portal)")),
            r["status"] or "",
            *("" if r[k] is None else str(r[k]) for k in ("reports", "new", "changed", "unreadable")),
            Text(str(r["flagged"]), style="bold red" if r["flagged"] else ""),
            Text(str(r["faults"]), style="yellow" if r["faults"] else ""),
            style="bold" if total else None,
        )
    return t


#: flagged reports a run's summary lists on the terminal; beyond, it says how many more `nianbao flags` lists
RUN_SUMMARY_REPORTS = 30


def print_run_overview(console: Console, result: dict, title: str, limit: int = RUN_SUMMARY_REPORTS) -> None:
    """A flow's result for a person, summary first: per portal — reports listed, documents new, changed and
    unreadable, reports flagged, faults — then one line per flagged report (the first ``limit``), then one line
    each for the faults, the unreadable documents and the Data Docs. The details: ``nianbao flags --details``,
    ``nianbao flags show``, the Prefect artifact."""
    checks = result.get("checks") or {}
    flagged = checks.get("flagged") or []
    portals = [r for r in result.get("portals") or [] if r["portal"] not in ("total", None)]
    documents = sum((result.get("loaded") or {}).values())
    reports = checks.get("reports", 0)
    said = [pick(f"{len(portals)} 个门户", f"{len(portals)} portal(s)")] if portals else []
    said += [
        pick(f"读取 {documents} 份文档", f"{documents} document(s) read"),
        pick(f"检查 {reports} 份报告", f"{reports} report(s) checked"),
        pick(f"{len(flagged)} 份被标记", f"{len(flagged)} flagged"),
    ]
    console.print(Text(f"{title}: " + pick("，", ", ").join(said), style="bold"), soft_wrap=True)
    if result.get("portals"):
        console.print(_portal_table(result["portals"]))
    if flagged:
        new = sum(1 for f in flagged if f.get("new"))
        mark_new = 0 < new < len(flagged)  # worth saying only when some were flagged before
        head = pick(f"被标记的报告（{len(flagged)}", f"flagged reports ({len(flagged)}") + (
            pick(f"，其中新 {new}）", f", {new} new)") if mark_new else pick("）", ")")
        )
        hint = pick(
            "详情：nianbao flags --details · nianbao flags show 指纹",
            "details: nianbao flags --details · nianbao flags show FINGERPRINT",
        )
        console.print(Text.assemble((head, "bold"), "  ", (hint, "dim")), soft_wrap=True)
        print_flagged_reports(console, flagged[:limit], mark_new=mark_new)
        if len(flagged) > limit:
            more = len(flagged) - limit
            console.print(
                Text(pick(f"……另有 {more} 份：nianbao flags", f"… and {more} more: nianbao flags"), style="dim")
            )
    else:
        console.print(Text(pick("没有被标记的报告", "no flagged report"), style="green"))
    for portal, crawled in (result.get("crawl") or {}).items():
        faults = crawled.get("faults") or []
        if not faults:
            continue
        kinds = Counter(f.get("kind") or "?" for f in faults)
        listed = ", ".join(f"{k}" + (f" ×{n}" if n > 1 else "") for k, n in sorted(kinds.items()))
        said = pick(f"{portal}：{len(faults)} 个故障（{listed}）", f"{portal}: {len(faults)} fault(s) ({listed})")
        console.print(Text(said, style="yellow"), soft_wrap=True)
    errors = result.get("errors") or []
    if errors:
        codes = Counter(e.get("code") or "?" for e in errors)
        listed = ", ".join(f"{k}" + (f" ×{n}" if n > 1 else "") for k, n in sorted(codes.items()))
        query = "nianbao query \"SELECT url, error FROM report_overview WHERE status = 'failed'\""
        said = pick(f"{len(errors)} 份文档无法读取（{listed}）：{query}",
                    f"{len(errors)} unreadable document(s) ({listed}): {query}")  # fmt: skip
        console.print(Text(said, style="yellow"), soft_wrap=True)
    if checks.get("docs_index"):
        console.print(Text(f"Data Docs: {checks['docs_index']}"), soft_wrap=True)

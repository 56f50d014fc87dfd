"""Rich renderings of a report for people (the JSON form is Report.to_json_dict)."""

from __future__ import annotations

from rich import box
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
    REVIEW_OUTCOMES,
    Table,
    section_heading,
)
from parsers.report import Cell, CellKind, Report

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
    for w in report.warnings:
        parts.append(Text(f"⚠ {w.code}: {w.message}", style="yellow"))
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
    t = RichTable(title=f"run {summary.run_id[:12]}: {len(summary.reports)} current report(s)", box=box.SIMPLE_HEAD)
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
    """Flags as short records: who and what on one line, the finding, then where it came from."""
    for row in rows:
        r = dict(zip(columns, row, strict=True))
        head = Text()
        head.append(f"{r['agency'] or '(agency unknown)'} {r['year'] or ''}", style="bold")
        head.append(f"  {r['check_key']}" + (f"[{r['scope']}]" if r["scope"] else ""), style="red")
        head.append(f"  {r['review']}  {r['fingerprint'][:12]}", style="dim")
        console.print(head)
        console.print(Text(f"  {message(r)}"))
        console.print(Text(f"  {plain(r['url'])}", style="dim"), soft_wrap=True)
    console.print(f"{len(rows)} flag(s)", style="dim", highlight=False)

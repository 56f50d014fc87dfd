"""The ``nianbao`` command.

Each command turns library errors into one clean line naming the file, goes
on with the other inputs, and exits non-zero if any input failed.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from nianbao import __version__
from nianbao.helptext import plain_help_types
from nianbao.output import safe
from nianbao.settings import Settings
from nianbao.summary import check_states, checked_files_line, checked_line
from parsers import ParseError, parse_file
from parsers.errors import ReportInAttachment

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="nianbao (年报): read government-information disclosure annual reports and check their sums.",
)
plain_help_types()  # --help without <bool>/<list[Path]>
out = Console(soft_wrap=False)
err = Console(stderr=True)


@app.callback()
def _options(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="zh|en",
            help="messages in zh (中文) or en (English) [env: NIANBAO_LANG; default: from the locale]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """nianbao (年报): read government-information disclosure annual reports and check their sums."""
    from nianbao.i18n import LANGS, set_lang

    if lang is not None and lang not in LANGS:
        raise typer.BadParameter(f"{lang!r}: give zh or en", param_hint="--lang")
    set_lang(lang)


def file_problem(exc: OSError) -> str:
    """An unreadable input file, in a few words."""
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    return exc.strerror or str(exc)


def _for_people(message: object) -> str:
    """A message as a person reads it: an error with a known ``code`` (a ParseError, a ParseFailure) opens
    with its headline in the chosen language, then its detail; anything else as it is."""
    from nianbao.messages import coded_message

    return coded_message(getattr(message, "code", None), str(message))


def fail_line(source: object, message: object) -> None:
    """One line on stderr: ``error: SOURCE: message`` (both made safe: no markup, no control characters),
    in the chosen language (``错误: SOURCE: 不是年度报告 (detail)``)."""
    from nianbao.messages import line_kind

    err.print(
        f"[bold red]{line_kind('error')}[/]: {safe(source)}: {safe(_for_people(message))}",
        highlight=False,
        soft_wrap=True,
    )


def unexpected(exc: Exception) -> str:
    """An exception nothing expected, in a few words (the run goes on with the next file)."""
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"unexpected error ({type(exc).__name__}{': ' + first if first else ''})"


def note_line(source: object, message: object) -> None:
    """One line on stderr for an outcome that is no error: ``note: SOURCE: message`` (made safe; in the
    chosen language, like :func:`fail_line`)."""
    from nianbao.messages import line_kind

    err.print(
        f"[bold yellow]{line_kind('note')}[/]: {safe(source)}: {safe(_for_people(message))}",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def parse(
    files: Annotated[
        list[Path], typer.Argument(help="report files: text, HTML, DOCX, PDF, DOC/WPS (format sniffed from content)")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per file (JSON Lines)")] = False,
) -> None:
    """Parse report files and show their tables (or print JSON Lines with --json).

    A page that only links its report (an attachment) gets a note with the link, not an error.
    """
    from nianbao.progress import progress

    settings = _settings()
    counts = {"read": 0, "attachment": 0, "failed": 0}
    with progress(err, "parsing", len(files), interval=settings.progress_interval, unit="file(s)") as tracker:
        for path in files:
            outcome = _parse_one(path, settings, as_json)
            counts[outcome] += 1
            tracker.advance(failed=outcome == "failed", note=Path(path).name)
    summary = f"parsed {len(files)} file(s): {counts['read']} read"
    if counts["attachment"]:
        summary += f", {counts['attachment']} only link(s) its report (an attachment)"
    summary += f", {counts['failed']} could not be parsed"
    (err if as_json else out).print(summary, highlight=False, soft_wrap=True)
    if counts["failed"]:
        raise typer.Exit(1)


def _parse_one(path: Path, settings: Settings, as_json: bool) -> str:
    """Parse and print one file; ``read``, ``attachment`` or ``failed`` (said in one line on stderr)."""
    try:
        report = parse_file(path, time_limit=settings.parse_timeout, max_bytes=settings.max_document_bytes)
        if as_json:
            line = json.dumps(report.to_json_dict(), ensure_ascii=False) + "\n"
        else:
            from nianbao.show import report_renderable

            renderable = report_renderable(report)
    except ReportInAttachment as exc:
        note_line(path, exc)
        return "attachment"
    except ParseError as exc:
        fail_line(path, exc)
        return "failed"
    except OSError as exc:
        fail_line(path, file_problem(exc))
        return "failed"
    except Exception as exc:  # one file's trouble never ends the run
        fail_line(path, unexpected(exc))
        return "failed"
    if as_json:
        sys.stdout.write(line)
    else:
        out.print(renderable)
    return "read"


db_app = typer.Typer(no_args_is_help=True, help="Create, upgrade and inspect the warehouse schema.")
app.add_typer(db_app, name="db")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        "--db",
        help="SQLAlchemy URL of the warehouse [env: NIANBAO_DATABASE_URL; default: SQLite at data/warehouse.db]",
        show_default=False,
    ),
]


def _settings(database_url: str | None = None) -> Settings:
    """The settings from ``NIANBAO_*`` variables; a bad value is one line naming the variable (exit 2)."""
    import re

    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    try:
        settings = Settings()
    except ValidationError as exc:
        for problem in exc.errors():
            name = "NIANBAO_" + "_".join(str(p) for p in problem["loc"][:1]).upper()
            fail_line(name, f"{problem['msg']} (got {problem.get('input')!r})")
        raise typer.Exit(2) from None
    except SettingsError as exc:  # a value that had to be JSON and is not
        field = re.search(r'field "(\w+)"', str(exc))
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        fail_line(f"NIANBAO_{field.group(1).upper()}" if field else "settings", f"not valid JSON{cause}")
        raise typer.Exit(2) from None
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _warehouse_failure(exc: Exception | str) -> typer.Exit:
    err.print(f"[bold red]error[/]: {safe(exc)}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _preflight(settings: Settings) -> None:
    """Before any work: the warehouse URL's scheme and driver, the SQLite folder or the server, the schema.
    What is wrong is one line (and exit 1), not a traceback after a half-hour crawl."""
    from warehouse.db import WarehouseError, check_warehouse

    try:
        if settings.database_url is None:  # the default SQLite file lives in the data dir: ours to create
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        check_warehouse(settings.warehouse_url)
    except OSError as exc:
        raise _warehouse_failure(f"cannot create the data dir {settings.data_dir}: {file_problem(exc)}") from None
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None


@contextmanager
def _prefect_start_errors() -> Iterator[None]:
    """Prefect's ephemeral API that does not start (a busy machine, a broken PREFECT_HOME): one line, exit 1."""
    from flows.runner import PrefectStartFailed

    try:
        yield
    except PrefectStartFailed as exc:
        fail_line("prefect", str(exc))
        raise typer.Exit(1) from None


def _errors_only_from_runs(record) -> bool:
    """The flows' and tasks' own log lines reach the terminal only as errors: their warnings (a portal's
    faults, an unreachable portal) are in the summary printed after the run."""
    import logging

    return record.levelno >= logging.ERROR or not record.name.startswith(("prefect.flow_runs", "prefect.task_runs"))


def _quiet_prefect_console() -> None:
    """Prefect's INFO lines ("Beginning flow run", "Finished in state Completed()") stay off the terminal for
    the rest of this command: its console handler shows warnings and errors only, and of the runs' own lines
    errors only (the summary says the rest). The logs still reach the Prefect API (its API handler and the
    loggers keep their levels), so the UI shows every line."""
    import logging

    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, PrefectConsoleHandler):
                handler.setLevel(max(handler.level, logging.WARNING))
                if _errors_only_from_runs not in handler.filters:
                    handler.addFilter(_errors_only_from_runs)


def _starting(what: str) -> None:
    """One status line on stderr while Prefect starts and the flow runs (the summary follows on stdout)."""
    from nianbao.i18n import pick

    said = pick(f"正在运行{what}（Prefect 启动约需 20 秒）…", f"running {what} (Prefect takes about 20 s to start)…")
    err.print(said, style="dim", highlight=False, soft_wrap=True)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOption = None) -> None:
    """Create the warehouse, or upgrade it to the newest schema."""
    from warehouse.db import WarehouseError, describe_url, make_engine, upgrade

    settings = _settings(database_url)
    try:
        before, after = upgrade(make_engine(settings.warehouse_url))
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    where = describe_url(settings.warehouse_url)
    if before == after:
        out.print(f"{where}: schema {after}, already the newest")
    else:
        out.print(f"{where}: schema {before or 'none'} -> {after}")


@db_app.command("status")
def db_status(database_url: DatabaseOption = None) -> None:
    """Say which schema the warehouse is at, and which nianbao needs."""
    from warehouse.db import (
        WarehouseError,
        current_revision,
        describe_url,
        form_rows_in_sync,
        head_revision,
        make_engine,
        translate_errors,
    )

    settings = _settings(database_url)
    try:
        engine = make_engine(settings.warehouse_url, read_only=True)  # status creates nothing
        with translate_errors(settings.warehouse_url):
            current = current_revision(engine)
            head = head_revision()
            complete = current != head or form_rows_in_sync(engine)
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    if current != head:
        state = "run `nianbao db upgrade`"
    elif not complete:
        state = "its form rows are incomplete: run `nianbao db upgrade`"
    else:
        state = "up to date"
    out.print(
        f"{describe_url(settings.warehouse_url)}: schema {current or 'none'}, nianbao needs {head} ({state})",
        soft_wrap=True,
    )
    if current != head or not complete:
        raise typer.Exit(1)


@db_app.command("reader")
def db_reader(
    name: Annotated[str, typer.Argument(help="the login to create or update (lower-case letters, digits, _)")],
    password: Annotated[
        bool, typer.Option("--password", help="ask for a password for the login (else: none, for trust/peer setups)")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """PostgreSQL: a login that can only read the warehouse, for nianbao query, psql or a BI tool."""
    from sqlalchemy.engine import make_url

    from warehouse.access import READER_ROLE, create_reader_login
    from warehouse.db import WarehouseError, check_url, make_engine, translate_errors

    settings = _settings(database_url)
    try:
        check_url(settings.warehouse_url)
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    url = make_url(settings.warehouse_url)
    if url.get_backend_name() != "postgresql":
        raise _warehouse_failure(
            WarehouseError("db reader is for PostgreSQL; on SQLite nianbao query opens the file read-only already")
        )
    secret = typer.prompt("password", hide_input=True, confirmation_prompt=True) if password else None
    try:
        with translate_errors(settings.warehouse_url):
            create_reader_login(make_engine(settings.warehouse_url), name, secret, int(settings.query_timeout))
    except (WarehouseError, PermissionError, ValueError) as exc:
        raise _warehouse_failure(exc) from None
    reader = url.set(username=name, password=None).render_as_string(hide_password=True)
    out.print(f"{name}: a read-only login (member of {READER_ROLE}); use it with", highlight=False)
    out.print(f"  NIANBAO_QUERY_URL={reader}", highlight=False, soft_wrap=True)


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="report files to parse and store")],
    url: Annotated[
        str | None, typer.Option(help="the URL the document came from (one file only); default: the file's file:// URI")
    ] = None,
    portal: Annotated[str | None, typer.Option(help="the portal key (ycxixia, bypc, hongsibu)")] = None,
    validate_after: Annotated[
        bool,
        typer.Option(
            "--validate",
            help="then check the warehouse (as nianbao validate does); without it the new reports stay unchecked",
        ),
    ] = False,
    no_docs: Annotated[
        bool, typer.Option("--no-docs", help="with --validate: skip building the Data Docs site")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Parse report files and store them in the warehouse (idempotent).

    Stored reports are unchecked (report_overview.check_status) until nianbao validate, or load --validate.
    """
    from flows.ingest import load_file
    from nianbao.messages import coded_message
    from nianbao.progress import progress
    from rawstore.store import RawStore
    from warehouse.db import WarehouseError, make_engine
    from warehouse.load import LoadStatus

    if url and len(files) > 1:
        fail_line("--url", "give --url with one file only")
        raise typer.Exit(2)
    settings = _settings(database_url)
    _preflight(settings)
    engine = make_engine(settings.warehouse_url)
    raw_store = RawStore(settings.paths.raw)
    limits = {"time_limit": settings.parse_timeout, "max_bytes": settings.max_document_bytes}
    counts: dict[str, int] = {}
    failed = 0
    with progress(err, "loading", len(files), interval=settings.progress_interval, unit="file(s)") as tracker:
        for path in files:
            bad = True
            try:
                result = load_file(engine, path, url=url, portal=portal, raw_store=raw_store, **limits)
            except WarehouseError as exc:
                raise _warehouse_failure(exc) from None
            except OSError as exc:
                fail_line(path, file_problem(exc))
                failed += 1
                counts["not stored"] = counts.get("not stored", 0) + 1
                continue
            except ParseError as exc:  # refused before reading (too large, not a file): nothing stored
                fail_line(path, f"{coded_message(exc.code, str(exc))} (nothing stored)")
                failed += 1
                counts["not stored"] = counts.get("not stored", 0) + 1
                continue
            else:
                counts[result.status.value] = counts.get(result.status.value, 0) + 1
                error = coded_message(result.error_code, result.error or "")  # the headline in the chosen language
                if result.status is LoadStatus.IN_ATTACHMENT:
                    note_line(path, f"{error} (stored as report #{result.report_id}, in_attachment)")
                bad = result.status is LoadStatus.FAILED
                if bad:
                    fail_line(path, f"{error} (stored as a failed report #{result.report_id})")
                    failed += 1
            finally:
                tracker.advance(failed=bad, note=Path(path).name)
    summary = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items()))
    line = f"loaded {len(files)} file(s): {summary or 'nothing'}"
    if validate_after:
        out.print(line, highlight=False, soft_wrap=True)
        _validate(settings, docs=not no_docs)
    else:
        try:
            states = check_states(engine)
        except WarehouseError as exc:
            raise _warehouse_failure(exc) from None
        unchecked = states.get("unchecked", 0)
        if unchecked:
            line += (f"; {unchecked} report(s) unchecked: flags appear after nianbao validate "
                     "(or load --validate)")  # fmt: skip
        out.print(line, highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(1)


def _validate(settings: Settings, *, docs: bool) -> None:
    """``nianbao validate``: the run, its table, and its summary line."""
    from expectations.run import validate_warehouse
    from nianbao.progress import progress
    from nianbao.show import print_run_summary
    from warehouse.db import WarehouseError, make_engine

    engine = make_engine(settings.warehouse_url)
    try:
        with progress(err, "validating", interval=settings.progress_interval, unit="step(s)") as tracker:
            summary = validate_warehouse(engine, docs_dir=settings.paths.docs if docs else None, on_progress=tracker)
        print_run_summary(out, summary)
        out.print(checked_line(engine), highlight=False, soft_wrap=True)
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None


def _pairs(args: list[str]) -> dict[str, str]:
    """``-p NAME VALUE`` pairs from the arguments Typer left over."""
    params: dict[str, str] = {}
    rest = list(args)
    while rest:
        flag = rest.pop(0)
        if flag not in ("-p", "--param") or len(rest) < 2:
            raise typer.BadParameter(f"unexpected {flag!r}: parameters are given as -p NAME VALUE", param_hint="-p")
        name, value = rest.pop(0), rest.pop(0)
        params[name] = value
    return params


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def query(
    ctx: typer.Context,
    sql: Annotated[str, typer.Argument(help="the SQL; - or nothing: read it from standard input")] = "-",
    as_json: Annotated[bool, typer.Option("--json", help="a JSON array of objects")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row")] = False,
    as_table: Annotated[bool, typer.Option("--table", help="a table for people (the default)")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Run read-only SQL on the warehouse; -p NAME VALUE binds :NAME (repeatable).

    Tables and views are documented in docs/warehouse.md. Example:
    nianbao query "select agency, year from report_overview where year = :y" -p y 2020 --json
    """
    from nianbao.output import print_rows
    from warehouse.db import WarehouseError, make_engine
    from warehouse.query import run_query

    params = _pairs(ctx.args)
    if sql == "-":
        sql = sys.stdin.read()
    settings = _settings(database_url)
    url = database_url or settings.reader_url
    try:
        result = run_query(make_engine(url, read_only=True), sql, params, timeout_s=settings.query_timeout)
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    print_rows(out, result.columns, result.rows, fmt="json" if as_json else "csv" if as_csv else "table")


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="report files to parse and check, without a warehouse")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per file (JSON Lines)")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="also list passing and not-assessable checks")] = False,
    docs: Annotated[Path | None, typer.Option(help="also build the Great Expectations Data Docs site here")] = None,
) -> None:
    """Parse files and check their identities (勾稽关系) in memory; exit 1 if an error-level check fails."""
    from expectations.checks import Outcome, Severity
    from flows.ingest import check_files
    from nianbao.messages import coded_message
    from nianbao.progress import progress
    from nianbao.show import print_check
    from warehouse.db import WarehouseError

    settings = _settings()
    try:
        with progress(err, "parsing", len(files), interval=settings.progress_interval, unit="file(s)") as tracker:
            checked = check_files(files, docs_dir=docs, time_limit=settings.parse_timeout,
                                  max_bytes=settings.max_document_bytes, on_parse=tracker,
                                  on_check=tracker.phase("checking", unit="step(s)"))  # fmt: skip
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    failed_files = 0
    for item in checked:
        if item.error:
            fail_line(item.path, coded_message(item.error_code, item.error))
            failed_files += 1
            continue
        if as_json:
            payload = {"source": str(item.path), **(item.report or {}), "checks": [r.as_dict() for r in item.results]}
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            print_check(out, item, show_all=show_all)
    errors = [r for item in checked for r in item.results
              if r.outcome is Outcome.FAIL and r.check.severity is Severity.ERROR]  # fmt: skip
    (err if as_json else out).print(checked_files_line(checked), highlight=False, soft_wrap=True)
    if errors or failed_files:
        raise typer.Exit(1)


@app.command()
def validate(
    database_url: DatabaseOption = None,
    no_docs: Annotated[bool, typer.Option("--no-docs", help="skip building the Data Docs site")] = False,
) -> None:
    """Check every current report in the warehouse; store the results and build the Data Docs site."""
    settings = _settings(database_url)
    _preflight(settings)
    _validate(settings, docs=not no_docs)


flags_app = typer.Typer(help="Failing reports, and reviewers' decisions on them.")
app.add_typer(flags_app, name="flags")


@flags_app.callback(invoke_without_command=True)
def flags(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="only this report year")] = None,
    district: Annotated[str | None, typer.Option(help="only this district (e.g. 西夏区)")] = None,
    uncertain: Annotated[bool, typer.Option("--uncertain", help="also list UNCERTAIN findings")] = False,
    show_dismissed: Annotated[bool, typer.Option("--dismissed", help="also list dismissed flags")] = False,
    details: Annotated[
        bool, typer.Option("--details", help="every finding (check and column) with its message and fingerprint")
    ] = False,
    by_report: Annotated[
        bool, typer.Option("--by-report", help="with --json/--csv: one row per flagged report, not per finding")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="a JSON array of objects, one per finding")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row, one row per finding")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """List flagged reports, one line each: agency, year, failing checks, largest difference, source URL (from the
    last `nianbao validate`). --details: every finding; `flags show FINGERPRINT`: one finding's evidence."""
    if ctx.invoked_subcommand is not None:
        return
    from expectations.flags import flagged_reports, list_flags
    from nianbao.output import print_rows
    from warehouse.db import WarehouseError, make_engine

    settings = _settings(database_url)
    filters = {"year": year, "district": district, "include_uncertain": uncertain,
               "include_dismissed": show_dismissed}  # fmt: skip
    try:
        engine = make_engine(settings.warehouse_url, read_only=True)
        result = list_flags(engine, **filters)
        reports = flagged_reports(engine, **filters)
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    if (as_json or as_csv) and by_report:
        columns = ["agency", "district", "year", "checks", "largest_difference", "url", "portal", "review", "reviews",
                   "severity", "fingerprints", "report_id", "stale"]  # fmt: skip
        rows = [tuple(_flat(r.as_dict()[c], as_csv) for c in columns) for r in reports]
        print_rows(out, columns, rows, fmt="json" if as_json else "csv")
    elif as_json or as_csv:
        print_rows(out, result.columns, result.rows, fmt="json" if as_json else "csv")
    elif details:
        from nianbao.show import print_flags

        print_flags(out, result.columns, result.rows)
    else:
        from nianbao.show import print_flagged_summary

        print_flagged_summary(out, reports, findings=len(result.rows))


def _flat(value: object, as_csv: bool) -> object:
    """A list or dict in a CSV cell: comma-separated (``a, b``), ``state n`` pairs; JSON keeps the structure."""
    if not as_csv:
        return value
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


@flags_app.command("show")
def flags_show(
    fingerprint: Annotated[str, typer.Argument(help="the flag's fingerprint (or a unique prefix)")],
    as_json: Annotated[bool, typer.Option("--json", help="a JSON object with both messages")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """The full evidence of one flag: check, scope, both sides, difference, cells, message, URL, review."""
    from expectations.flags import flag_evidence
    from warehouse.db import WarehouseError, make_engine

    settings = _settings(database_url)
    try:
        evidence = flag_evidence(make_engine(settings.warehouse_url, read_only=True), fingerprint)
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    if as_json:
        sys.stdout.write(json.dumps(evidence, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    from nianbao.show import print_flag_evidence

    print_flag_evidence(out, evidence)


@flags_app.command("review")
def flags_review(
    fingerprint: Annotated[str, typer.Argument(help="the flag's fingerprint (or a unique prefix)")],
    dismiss: Annotated[bool, typer.Option("--dismiss", help="not a defect of the report")] = False,
    confirm: Annotated[bool, typer.Option("--confirm", help="a real defect")] = False,
    note: Annotated[str | None, typer.Option(help="why")] = None,
    reviewer: Annotated[str | None, typer.Option(help="who decided")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Record a reviewer's decision on a flag; it holds across re-runs until the numbers change."""
    from expectations.flags import Decision, review_flag
    from warehouse.db import WarehouseError, make_engine

    if dismiss == confirm:
        fail_line("flags review", "give exactly one of --dismiss and --confirm")
        raise typer.Exit(2)
    settings = _settings(database_url)
    decision = Decision.DISMISSED if dismiss else Decision.CONFIRMED
    try:
        full = review_flag(make_engine(settings.warehouse_url), fingerprint, decision, note, reviewer)
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    out.print(f"{full}: {decision.value}")


def _host_map(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        host, sep, target = pair.partition("=")
        if not sep or not host or not target:
            raise typer.BadParameter(f"{pair!r}: give REAL_HOST=HOST:PORT", param_hint="--host-map")
        mapping[host] = target
    return mapping


@app.command()
def run(
    portal: Annotated[list[str] | None, typer.Option(help="crawl only this portal (repeatable)")] = None,
    since: Annotated[int | None, typer.Option(help="backfill: report years from this one on")] = None,
    host_map: Annotated[
        list[str] | None,
        typer.Option(
            help="REAL_HOST=HOST:PORT: send a portal's requests elsewhere, e.g. to the local mirror (repeatable)"
        ),
    ] = None,
    no_docs: Annotated[bool, typer.Option("--no-docs", help="skip building the Data Docs site")] = False,
    details: Annotated[
        bool, typer.Option("--details", help="also print the whole run report (the Prefect artifact)")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Run the nightly flow once, here: crawl, parse, load, check, report (Prefect's ephemeral API). Prints a
    summary: per portal, then one line per flagged report."""
    from flows.nightly import run_nightly

    settings = _settings(database_url)
    _preflight(settings)
    _quiet_prefect_console()
    _starting(_nightly_name())
    with _prefect_start_errors():
        result = run_nightly(settings, portals=portal or None, since=since, host_map=_host_map(host_map) or None,
                             docs=not no_docs)  # fmt: skip
    _print_run(result, details)
    _exit_if_unreachable(result)


def _exit_if_unreachable(result: dict) -> None:
    """Exit 1 when a portal could not be read at all (a night that read nothing must not look fine to cron);
    faults on single pages are in the summary and leave the exit status 0."""
    from flows.tasks import portal_unreachable
    from nianbao.i18n import pick

    lost = [name for name, crawled in (result.get("crawl") or {}).items() if portal_unreachable(crawled)]
    for name in lost:
        kinds = sorted({f.get("kind", "") for f in result["crawl"][name].get("faults") or []})
        fail_line(
            name,
            pick(f"无法访问：未读到任何页面（{', '.join(kinds)}）", f"unreachable: no page read ({', '.join(kinds)})"),
        )
    if lost:
        raise typer.Exit(1)


def _nightly_name() -> str:
    from nianbao.i18n import pick

    return pick("夜间流程", "the nightly flow")


def _print_run(result: dict, details: bool, title: str | None = None) -> None:
    """A run's summary (per portal, one line per flagged report), and with --details the whole run report."""
    from nianbao.i18n import pick
    from nianbao.show import print_run_overview

    if details:
        from rich.markdown import Markdown

        out.print(Markdown(result["summary"]))
        out.rule()
    print_run_overview(out, result, title or pick("nianbao 夜间运行", "nianbao nightly run"))
    charts = result.get("report_html") or pick("未写出（见上方警告）", "not written (see the warnings above)")
    out.print(f"{pick('图表', 'Charts')}: {charts}", highlight=False, markup=False, soft_wrap=True)


@app.command()
def reparse(
    no_docs: Annotated[bool, typer.Option("--no-docs", help="skip building the Data Docs site")] = False,
    details: Annotated[
        bool, typer.Option("--details", help="also print the whole run report (the Prefect artifact)")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Re-parse and re-check every stored document, without crawling (after a parser upgrade)."""
    from flows.reparse import run_reparse
    from nianbao.i18n import pick
    from warehouse.db import WarehouseError, make_engine

    settings = _settings(database_url)
    _preflight(settings)
    _quiet_prefect_console()
    _starting(pick("重新解析", "the re-parse"))
    with _prefect_start_errors():
        result = run_reparse(settings, docs=not no_docs)
    _print_run(result, details, pick("nianbao 重新解析", "nianbao re-parse"))
    loaded = result["loaded"]
    counts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(loaded.items())) or "nothing"
    try:
        checked = checked_line(make_engine(settings.warehouse_url, read_only=True))
    except WarehouseError as exc:
        raise _warehouse_failure(exc) from None
    out.print(f"re-parsed {sum(loaded.values())} document(s): {counts}; {checked}", highlight=False, soft_wrap=True)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def mirror(ctx: typer.Context) -> None:
    """Serve the bundled portal mirror on 127.0.0.1 (options: --port, --root, --fault; see --help of
    python -m spiders.mirror)."""
    from spiders.mirror import main as mirror_main

    mirror_main(list(ctx.args))


@app.command()
def crawl(
    portal: Annotated[list[str] | None, typer.Argument(help="portals to crawl (default: all)")] = None,
    since: Annotated[int | None, typer.Option(help="backfill: report years from this one on")] = None,
    use_mirror: Annotated[bool, typer.Option("--mirror", help="serve the bundled mirror here and crawl it")] = False,
    host_map: Annotated[
        list[str] | None,
        typer.Option(
            help="REAL_HOST=127.0.0.1:PORT: send a portal's requests to a local mirror (loopback only; repeatable)"
        ),
    ] = None,
) -> None:
    """Crawl the portals into the raw store (each portal in its own process); exit 1 if a fault was recorded."""
    from spiders.crawl import run_crawl, summary_text

    settings = _settings()
    server = None
    mapping = _host_map(host_map)
    if use_mirror:
        from spiders.mirror import serve_mirror

        server, _ = serve_mirror()
        mapping = server.host_map()
    from nianbao.progress import progress

    names = portal or settings.portals
    try:
        with progress(err, "crawling", len(names), interval=settings.progress_interval, unit="portal(s)") as tracker:
            tracker.note = ", ".join(names)
            summary = run_crawl(names, settings.data_dir, host_map=mapping or None, since=since, on_progress=tracker)
    except ValueError as exc:
        fail_line("nianbao crawl", str(exc))
        raise typer.Exit(2) from None
    except OSError as exc:  # the data dir cannot be written: nothing crawled
        fail_line(exc.filename or settings.data_dir, f"cannot write the crawl's files: {file_problem(exc)}")
        raise typer.Exit(1) from None
    finally:
        if server is not None:
            server.stop()
    from nianbao.messages import fault_label

    out.print(summary_text(summary, kind_label=fault_label), highlight=False, soft_wrap=True)
    raise typer.Exit(summary["exit_code"])


@app.command()
def probe(
    url: Annotated[str, typer.Argument(help="a portal page: a 年报 column, a list page or a report page")],
    follow: Annotated[
        bool, typer.Option("--follow", help="also ask a script-delivered list's API once (JPaaS unit API, dataproxy)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    host_map: Annotated[
        list[str] | None, typer.Option(help="REAL_HOST=127.0.0.1:PORT: ask a local mirror instead (repeatable)")
    ] = None,
) -> None:
    """Fetch one page politely (our User-Agent, robots.txt honoured, one request) and print what the
    spider sees: CMS family, list shape, entries, paging, attachments, faults; exit 1 on a fault (an
    unreachable page is one), 2 when URL is no web address."""
    from urllib.parse import urlsplit

    from spiders.probe import probe as run_probe
    from spiders.probe import probe_text

    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        fail_line(url, "not a web address: give the page's http:// or https:// URL")
        raise typer.Exit(2)
    try:
        result = run_probe(url, host_map=_host_map(host_map) or None, follow=follow)
    except ValueError as exc:
        fail_line(url, str(exc))
        raise typer.Exit(2) from None
    except ConnectionError as exc:  # the page could not be fetched: a fault like the others (names the URL)
        fail_line("nianbao probe", str(exc))
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    else:
        from nianbao.messages import fault_label

        out.print(probe_text(result, kind_label=fault_label), highlight=False, soft_wrap=True, markup=False)
    raise typer.Exit(1 if result.faults else 0)


#: What the demo suggests trying next: one query on the warehouse (README lists more).
DEMO_QUERY = "SELECT agency, year, form, status, check_status, failed_checks FROM report_overview"


@app.command()
def demo(
    since: Annotated[int, typer.Option(help="report years from this one on")] = 2014,
    details: Annotated[
        bool, typer.Option("--details", help="also print the whole run report (the Prefect artifact)")
    ] = False,
) -> None:
    """The whole job on the bundled portal mirror: serve it, run the nightly flow, show a summary — per portal,
    then one line per flagged report — and a query to try."""
    from flows.nightly import run_nightly
    from nianbao.i18n import pick
    from spiders.mirror import serve_mirror

    settings = _settings()
    _preflight(settings)
    _quiet_prefect_console()
    server, port = serve_mirror()
    err.print(pick(f"门户镜像在 http://127.0.0.1:{port}（此处无法访问真实门户）",
                   f"serving the portal mirror on http://127.0.0.1:{port} (the real portals are not reachable here)"),
              highlight=False, soft_wrap=True)  # fmt: skip
    _starting(_nightly_name())
    try:
        with _prefect_start_errors():
            result = run_nightly(settings, host_map=server.host_map(), since=since)
    finally:
        server.stop()
    _print_run(result, details)
    out.print(Text(pick("试试：", "try: ") + f'nianbao query "{DEMO_QUERY}"', style="dim"), soft_wrap=True)
    _exit_if_unreachable(result)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="the port of the Prefect UI and API")] = 4200,
) -> None:
    """Start a local Prefect server, deploy prefect.yaml, start a worker: the UI is at http://127.0.0.1:PORT."""
    from nianbao import ui as prefect_ui

    settings = _settings()
    logs = settings.paths.logs
    logs.mkdir(parents=True, exist_ok=True)
    env = prefect_ui.environment(port)
    server = worker = None
    prefect_ui.stop_on_signals()  # SIGTERM/SIGHUP stop everything, like Ctrl-C
    try:
        server = prefect_ui.start_server(env, logs / "prefect-server.log")
        out.print(f"starting the Prefect server on http://127.0.0.1:{port} (log: {logs / 'prefect-server.log'})…")
        prefect_ui.wait_healthy(env["PREFECT_API_URL"], server)
        prefect_ui.deploy(env)
        out.print("deployed prefect.yaml: nightly (02:00 Asia/Shanghai) and reparse")
        worker = prefect_ui.start_worker(env, logs / "prefect-worker.log")
        out.print(
            f"worker on pool {prefect_ui.POOL} started. Open http://127.0.0.1:{port} — Ctrl-C or SIGTERM stops all."
        )
        out.print(f"Run the nightly flow now: PREFECT_API_URL={env['PREFECT_API_URL']} "
                  ".venv/bin/prefect deployment run nightly/nightly")  # fmt: skip
        while server.poll() is None:
            server.wait(timeout=None)
    except prefect_ui.UIError as exc:
        fail_line("nianbao ui", str(exc))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        out.print("stopping…")
    finally:
        prefect_ui.hold_signals()
        prefect_ui.stop(worker, server)
        out.print("stopped the Prefect server and worker")


@app.command()
def version() -> None:
    """Print nianbao's version and the parser version."""
    from parsers.report import PARSER_VERSION

    out.print(f"nianbao {__version__} (parser {PARSER_VERSION})")


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends a command as Ctrl-C does: cleanup (temporary directories, child processes) runs."""
    raise SystemExit(128 + signum)


def main() -> None:
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    app()


if __name__ == "__main__":
    main()

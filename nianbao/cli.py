"""The ``nianbao`` command.

Each command turns library errors into one clean line naming the file, goes
on with the other inputs, and exits non-zero if any input failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from nianbao import __version__
from parsers import ParseError, parse_file

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="nianbao (年报): read government-information disclosure annual reports and check their sums.",
)
out = Console(soft_wrap=False)
err = Console(stderr=True)


def fail_line(source: str, message: str) -> None:
    """One line on stderr: ``error: SOURCE: message``."""
    err.print(f"[bold red]error[/]: {source}: {message}", highlight=False, soft_wrap=True)


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="report files: text or HTML (format sniffed from content)")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per file (JSON Lines)")] = False,
) -> None:
    """Parse report files and show their tables (or print JSON Lines with --json)."""
    failed = 0
    for path in files:
        try:
            report = parse_file(path)
        except ParseError as exc:
            fail_line(str(path), str(exc))
            failed += 1
            continue
        except IsADirectoryError:
            fail_line(str(path), "is a directory, not a file")
            failed += 1
            continue
        except OSError as exc:
            fail_line(str(path), exc.strerror or str(exc))
            failed += 1
            continue
        if as_json:
            sys.stdout.write(json.dumps(report.to_json_dict(), ensure_ascii=False) + "\n")
        else:
            from nianbao.show import print_report

            print_report(out, report)
    if failed:
        err.print(f"{failed} of {len(files)} file(s) could not be parsed", highlight=False)
        raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print nianbao's version and the parser version."""
    from parsers.report import PARSER_VERSION

    out.print(f"nianbao {__version__} (parser {PARSER_VERSION})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

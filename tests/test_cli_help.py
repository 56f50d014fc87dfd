"""``--help`` reads as words: no Typer type placeholders (``<bool>``, ``<str>``, ``<list[Path]>``) anywhere."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from nianbao.cli import app

runner = CliRunner()
PLACEHOLDER = re.compile(r"<[A-Za-z_][\w\[\], |.]*>")  # <bool>, <list[Path]>, <zh|en>, <int range>


def _commands(command: typer.core.TyperGroup | typer.core.TyperCommand, path: tuple[str, ...] = ()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        if not sub.hidden:
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_every_command_is_covered() -> None:
    assert ("check",) in COMMANDS and ("db", "upgrade") in COMMANDS and len(COMMANDS) > 15


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "nianbao" for p in COMMANDS])
def test_help_has_no_type_placeholders(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], terminal_width=200, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert not PLACEHOLDER.findall(result.output), result.output


def _line(output: str, option: str) -> str:
    return next(line for line in output.splitlines() if f" {option} " in line)


def test_options_that_take_a_value_say_what_value() -> None:
    check = runner.invoke(app, ["check", "--help"], terminal_width=200, env={"COLUMNS": "200"}).output
    assert re.search(r"--docs\s+PATH\s+also build", _line(check, "--docs"))
    assert re.search(r"--json\s+one JSON", _line(check, "--json"))  # a flag: no value word at all
    run = runner.invoke(app, ["run", "--help"], terminal_width=200, env={"COLUMNS": "200"}).output
    assert re.search(r"--since\s+INTEGER\s", _line(run, "--since"))
    assert re.search(r"--portal\s+TEXT\s", _line(run, "--portal"))  # repeatable: one value each time

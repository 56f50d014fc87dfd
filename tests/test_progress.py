"""Progress on stderr (issue 17 item 2): a Rich bar when a person watches, plain lines for a log otherwise."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

from conftest import FIXTURES, seed_path
from rich.console import Console
from typer.testing import CliRunner

from nianbao.cli import app
from nianbao.progress import progress

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
FILES = [str(seed_path("000")), str(FIXTURES / "bad" / "truncated.html"), str(seed_path("003"))]


def test_without_a_terminal_progress_is_plain_lines_with_the_counts(monkeypatch) -> None:
    monkeypatch.setenv("NIANBAO_PROGRESS_INTERVAL", "0")  # a line at every step
    result = runner.invoke(app, ["parse", "--json", *FILES])
    lines = [line for line in result.stderr.splitlines() if line.startswith("parsing ")]
    assert [re.sub(r" \[\d+ s\]$", "", line) for line in lines] == [
        f"parsing 1/3 file(s): {Path(FILES[0]).name}",
        "parsing 2/3 file(s) (1 failed): truncated.html",
        f"parsing 3/3 file(s) (1 failed): {Path(FILES[2]).name}",
    ]
    assert not re.search(r"[\x1b\r]", result.stderr)  # nothing a log would show as garbage
    assert result.stderr.strip().splitlines()[-1] == "parsed 3 file(s): 2 read, 1 could not be parsed"
    assert len(result.stdout.splitlines()) == 2  # stdout: the JSON only


def test_a_short_step_says_nothing_but_its_summary_in_a_log(monkeypatch) -> None:
    monkeypatch.delenv("NIANBAO_PROGRESS_INTERVAL", raising=False)  # 10 s: longer than this parse
    result = runner.invoke(app, ["parse", *FILES])
    assert not [line for line in result.stderr.splitlines() if line.startswith("parsing")]
    assert result.stdout.rstrip().splitlines()[-1] == "parsed 3 file(s): 2 read, 1 could not be parsed"


def test_a_long_step_without_news_still_says_it_is_alive() -> None:
    log = io.StringIO()
    with progress(Console(file=log), "validating", 2, interval=0.1, unit="step(s)") as tracker:
        tracker.update(0, 2, "Great Expectations checkpoint")
        time.sleep(0.5)
    lines = log.getvalue().splitlines()
    assert len(lines) >= 3  # the update, then heartbeats with the elapsed time
    assert {re.sub(r" \[\d+ s\]$", "", line) for line in lines} == {
        "validating 0/2 step(s): Great Expectations checkpoint"
    }


def test_at_a_terminal_the_bar_is_drawn_and_no_log_lines(tmp_path) -> None:
    """The CLI in a pseudo-terminal: Rich draws the bar (and clears it), no plain progress lines."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "NIANBAO_PROGRESS_INTERVAL": "0", "COLUMNS": "120", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    script = (
        "import sys, time; import parsers; real = parsers.parse_file\n"
        "def slow(*a, **k):\n    time.sleep(0.3); return real(*a, **k)\n"
        "import nianbao.cli as cli; cli.parse_file = slow; sys.argv = ['nianbao', 'parse', '--json', *sys.argv[1:]]\n"
        "cli.main()\n"
    )
    json_out = (tmp_path / "stdout").open("wb")  # a file: a full pipe would stall the child
    child = subprocess.Popen([sys.executable, "-c", script, *FILES], stdout=json_out, stderr=secondary, cwd=ROOT,
                             env=env)  # fmt: skip
    os.close(secondary)
    chunks = []
    while True:  # read the terminal as the child writes it (EIO once the child is gone)
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    child.wait(timeout=120)
    json_out.close()
    stdout = (tmp_path / "stdout").read_text(encoding="utf-8")
    shown = b"".join(chunks).decode("utf-8", errors="replace")
    assert child.returncode == 1  # one file failed
    assert "parsing" in shown and "━" in shown and "\x1b[" in shown  # a bar, drawn with cursor control
    assert not re.search(r"parsing \d+/3 file\(s\)", shown)  # not the log form
    assert "parsed 3 file(s): 2 read, 1 could not be parsed" in shown
    assert len(stdout.splitlines()) == 2  # stdout (a pipe) carries the JSON only

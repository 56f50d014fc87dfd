"""Progress of a long step, on stderr: a Rich bar for a person at a terminal, plain lines for a log.

At a terminal (``console.is_terminal``) the bar is live and disappears when the step ends, leaving the
step's summary line. Elsewhere (a cron job, ``| tee log``, CI) nothing is redrawn: one plain line, without
control characters, at most every ``interval`` seconds (``NIANBAO_PROGRESS_INTERVAL``, default 10), e.g.
``parsing 120/500 (3 failed)``: a step shorter than the interval prints no progress at all.

The stages below the CLI (flows, expectations, spiders) know nothing of this: they accept a plain
callback ``on_progress(done, total, note)``, and a :class:`Tracker` is one.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from nianbao.output import plain

#: seconds between two plain progress lines when no terminal is watching
DEFAULT_INTERVAL = 10.0


class Tracker:
    """One step's progress: ``update(done, total, note)`` (the ``on_progress`` callback) or ``advance()``."""

    def __init__(self, console: Console, label: str, total: int | None, *, interval: float = DEFAULT_INTERVAL,
                 unit: str = "") -> None:  # fmt: skip
        self.console = console
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.failed = 0
        self.note: str | None = None
        self.interval = interval
        self.started = self._last_line = time.monotonic()
        self._printed: tuple | None = None
        self._bar: Progress | None = None
        self._task = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._heartbeat: threading.Thread | None = None

    # --- the two forms ------------------------------------------------------------------------------
    def _start(self) -> None:
        if self.console.is_terminal and not self.console.is_dumb_terminal:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]}", style="red"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[note]}", style="dim"),
                console=self.console,
                transient=True,
                # stdout at the same terminal prints above the bar; stdout to a file or pipe is left alone
                redirect_stdout=sys.stdout.isatty(),
            )
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, failed="", note="")
        elif self.interval > 0:  # a long step with no news still says, every interval, that it is alive
            self._heartbeat = threading.Thread(target=self._beat, name="nianbao-progress", daemon=True)
            self._heartbeat.start()

    def _beat(self) -> None:
        while not self._stopped.wait(self.interval / 4):
            self._write(changed_only=False)

    def _stop(self) -> None:
        self._stopped.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def line(self) -> str:
        """The plain form: ``parsing 120/500 file(s) (3 failed): note``."""
        count = f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"
        text = f"{self.label} {count}" + (f" {self.unit}" if self.unit else "")
        if self.failed:
            text += f" ({self.failed} failed)"
        if self.note:
            text += f": {self.note}"
        return plain(f"{text} [{time.monotonic() - self.started:.0f} s]")

    def _write(self, *, changed_only: bool) -> None:
        """A plain line if ``interval`` has passed since the last one (with ``changed_only``: and the state
        changed since it; an update brings news, a heartbeat repeats the state)."""
        with self._lock:
            now = time.monotonic()
            state = (self.done, self.total, self.failed, self.note)
            if now - self._last_line < self.interval or (changed_only and state == self._printed):
                return
            self.console.file.write(self.line() + "\n")
            self.console.file.flush()
            self._last_line, self._printed = now, state

    def _show(self) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(
                self._task, completed=self.done, total=self.total, note=plain(self.note or ""),
                failed=f"{self.failed} failed" if self.failed else "",
            )  # fmt: skip
            return
        self._write(changed_only=True)

    # --- what the step calls --------------------------------------------------------------------------
    def update(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """The ``on_progress(done, total, note)`` callback the lower stages call."""
        self.done = done
        if total is not None:
            self.total = total
        self.note = note
        self._show()

    __call__ = update

    def advance(self, n: int = 1, *, failed: bool = False, note: str | None = None) -> None:
        self.done += n
        self.failed += int(failed)
        self.note = note
        self._show()

    def phase(self, label: str, *, unit: str = "") -> Callable[[int, int | None, str | None], None]:
        """An ``on_progress`` callback for the next phase of this step (``checking`` after ``parsing``):
        its first call relabels the tracker."""

        def on_progress(done: int, total: int | None = None, note: str | None = None) -> None:
            if self.label != label:
                self.relabel(label, total, done, unit=unit)
            self.update(done, total, note)

        return on_progress

    def relabel(self, label: str, total: int | None = None, done: int = 0, *, unit: str = "") -> None:
        """The next phase of the same step."""
        self.label, self.total, self.done, self.note, self.unit = label, total, done, None, unit
        if self._bar is not None and self._task is not None:
            # reset: the clock of the phase starts (Rich stops a task's clock once it is complete)
            self._bar.reset(self._task, total=total, completed=done, description=label, note="", failed="")
        self._show()


@contextmanager
def progress(console: Console, label: str, total: int | None = None, *, interval: float = DEFAULT_INTERVAL,
             unit: str = "") -> Iterator[Tracker]:  # fmt: skip
    """A :class:`Tracker` for the ``with`` block; the bar (if any) is gone when the block ends."""
    tracker = Tracker(console, label, total, interval=interval, unit=unit)
    tracker._start()
    try:
        yield tracker
    finally:
        tracker._stop()

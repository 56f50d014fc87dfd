"""Limits that keep one bad document from stalling a run: a deadline, and an isolated reader process.

``Deadline`` is checked by readers between steps (pages, tables). It cannot
interrupt a single step that never returns, so the PDF reader, whose library
(pdfminer) interprets arbitrary content streams in pure Python, runs in a
child process (``run_isolated``) that is killed when the time is up, and that
has a memory ceiling, so a decompression bomb inside a PDF stream ends as an
error instead of exhausting the machine.

The child is a bare ``os.fork()``: multiprocessing's ``spawn`` and
``forkserver`` re-import the parent's ``__main__`` in every child (slow, and
impossible for a script read from stdin), and the reader needs nothing but
what is already imported. The child only runs the reader and pickles its
answer, and leaves with ``os._exit`` (no atexit handlers, no flushing of the
parent's buffers). Forking a process that runs other threads is safe for
code that takes none of their locks: the reader takes only logging's, which
Python re-initialises in a forked child.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import time
import traceback
from collections.abc import Callable
from typing import TypeVar

from parsers.errors import ParseError, ReaderCrashed, TimeLimitExceeded, TooLarge

T = TypeVar("T")

#: Seconds one document may take to read, unless the caller says otherwise.
DEFAULT_TIME_LIMIT = 60.0
#: Address-space ceiling of an isolated reader (bytes).
MEMORY_LIMIT = 3 * 1024**3


class Deadline:
    """A point in time after which a reader gives up; ``None`` seconds never expires."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self._at is None else max(0.0, self._at - time.monotonic())

    def check(self, doing: str) -> None:
        """Raise :class:`TimeLimitExceeded` once the time is up, naming what the reader was doing."""
        if self._at is not None and time.monotonic() > self._at:
            raise TimeLimitExceeded(f"gave up after the time limit of {self.seconds:g} s, while {doing}")


def isolation_available() -> bool:
    """A child process needs ``fork`` (POSIX)."""
    return hasattr(os, "fork") and sys.platform != "win32"


def _child(write_fd: int, fn: Callable[..., object], args: tuple) -> None:
    """In the forked child: run, send the pickled outcome (length first), exit without the parent's cleanup."""
    try:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        except (ImportError, ValueError, OSError):  # no ceiling where the platform refuses one
            pass
        try:
            outcome: tuple[str, object] = ("ok", fn(*args))
        except ParseError as exc:
            outcome = ("error", exc)
        except MemoryError:
            outcome = ("error", TooLarge(f"reading it needed more than {MEMORY_LIMIT // 1024**3} GB of memory"))
        except Exception:
            outcome = ("crash", traceback.format_exc())
        try:
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an answer that cannot travel: say what it was
            payload = pickle.dumps(("crash", f"unpicklable outcome: {outcome!r:.500}\n{traceback.format_exc()}"))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(_LENGTH.pack(len(payload)) + payload)
    finally:
        os._exit(0)


_LENGTH = struct.Struct("<Q")
_POLL = 0.05  # seconds between checks that the child is still alive, while it is silent


def _receive(read_fd: int, pid: int, deadline: float) -> tuple[bytes | None, bool]:
    """The child's message, and whether the deadline came first. The message is length-prefixed, so its
    end is known without waiting for end-of-file (a sibling forked by another thread may hold the write
    end of this pipe open); a child that dies silently is noticed by ``waitpid``."""
    buffer = bytearray()
    exited = False
    while True:
        if len(buffer) >= _LENGTH.size and len(buffer) >= _LENGTH.size + _LENGTH.unpack_from(buffer)[0]:
            return bytes(buffer[_LENGTH.size :]), False
        left = deadline - time.monotonic()
        if left <= 0:
            return None, True
        ready, _, _ = select.select([read_fd], [], [], 0 if exited else min(left, _POLL))
        if ready:
            chunk = os.read(read_fd, 1 << 20)
            if chunk:
                buffer += chunk
                continue
            return None, False  # end of file before the whole message
        if exited:
            return None, False  # gone, and nothing more to read
        exited = os.waitpid(pid, os.WNOHANG)[0] == pid


def run_isolated(fn: Callable[..., T], *args: object, seconds: float, what: str) -> T:
    """``fn(*args)`` in a forked child process, killed after ``seconds``.

    A :class:`ParseError` raised in the child is raised here; a bug in the
    reader comes back as a ``RuntimeError`` carrying the child's traceback; a
    child that dies without an answer (a crash in native code, the OOM
    killer) is a :class:`ReaderCrashed`. The child is a plain ``fork`` of
    this process (the reader's modules are already imported, nothing is
    pickled on the way in), so it starts in about a millisecond.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is checked in the parent
        os.close(read_fd)
        _child(write_fd, fn, args)
    os.close(write_fd)
    message, timed_out = None, False
    try:
        message, timed_out = _receive(read_fd, pid, time.monotonic() + seconds)
    finally:
        os.close(read_fd)
        try:
            if message is None:
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):  # already reaped while waiting for the message
            pass
    if timed_out:
        raise TimeLimitExceeded(f"gave up after the time limit of {seconds:g} s, while {what}; the reader was stopped")
    if message is None:
        raise ReaderCrashed(f"the reader process died while {what}, without an answer")
    kind, payload = pickle.loads(message)
    if kind == "ok":
        return payload  # type: ignore[no-any-return]
    if kind == "error":
        raise payload  # type: ignore[misc]
    raise RuntimeError(f"the isolated reader failed while {what}:\n{payload}")

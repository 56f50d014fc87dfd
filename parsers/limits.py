"""Limits that keep one bad document from stalling a run: a size cap, a deadline, an isolated reader
process with a memory ceiling, and scratch directories that outlive no run.

``read_document`` refuses what is no regular file (a FIFO would block forever, ``/dev/zero`` never ends)
and what is larger than the size cap, before reading a byte of it. ``Deadline`` is checked by readers
between steps (pages, tables). It cannot interrupt a single step that never returns, so every reader
(text, HTML, DOCX, PDF, and the DOCX that LibreOffice makes of a DOC) runs in a child process
(``run_isolated``) that is killed when the time is up, and that has a memory ceiling, so a decompression
bomb or a table that expands a thousandfold ends as an error instead of exhausting the machine. Whatever
a reader raises that is no ParseError comes back as one (``ReaderFailed``): one document's bug never ends
a run.

``parse_bytes`` reuses its children (``run_isolated(..., reuse=True)``): a worker forked once reads
document after document under the same limits, and is replaced wherever one document could have left
something behind (see ``_Worker``).

The child is a bare ``os.fork()``: multiprocessing's ``spawn`` and
``forkserver`` re-import the parent's ``__main__`` in every child (slow, and
impossible for a script read from stdin), and the reader needs nothing but
what is already imported. The child only runs the reader and pickles its
answer, and leaves with ``os._exit`` (no atexit handlers, no flushing of the
parent's buffers). Forking a process that runs other threads is safe for
code that takes none of their locks: the reader takes only logging's, which
Python re-initialises in a forked child (and logging is switched off there). A child whose parent was killed
ends itself a little after the time limit (an alarm), so no reader outlives its run.

``scratch_dir`` is a temporary directory removed on every exit path; one left by a run killed with
SIGKILL (which runs no cleanup) is removed by the next ``scratch_dir``: each holds a lock that the kernel
releases when its process dies.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import logging
import math
import os
import pickle
import select
import shutil
import signal
import stat
import struct
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from parsers.errors import NotAFile, ParseError, ReaderCrashed, ReaderFailed, TimeLimitExceeded, TooLarge

T = TypeVar("T")

#: Seconds one document may take to read, unless the caller says otherwise.
DEFAULT_TIME_LIMIT = 60.0
#: The largest document read, unless the caller says otherwise (bytes; ``NIANBAO_MAX_DOCUMENT_MB``).
DEFAULT_MAX_BYTES = 100 * 1024**2
#: Address space an isolated reader may add to what it inherits from its parent (bytes).
MEMORY_LIMIT = 3 * 1024**3


def size_text(n: int) -> str:
    return f"{n / 1024**2:,.1f} MB" if n >= 1024**2 else f"{n:,} bytes"


def too_large(size: int, max_bytes: int) -> TooLarge:
    return TooLarge(
        f"the file is {size_text(size)}, more than the limit of {size_text(max_bytes)} per document "
        "(NIANBAO_MAX_DOCUMENT_MB); it was not read"
    )


def read_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A document's bytes, refusing what is no regular file and what is over ``max_bytes`` before reading.

    The file is opened without blocking (a FIFO with no writer would wait forever) and checked on the
    open descriptor, so a symlink to ``/dev/zero`` is refused too. Raises :class:`NotAFile`,
    :class:`TooLarge`, or ``OSError`` (missing, unreadable, a directory).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb", buffering=0) as stream:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(path))
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else (
                "a socket" if stat.S_ISSOCK(mode) else "special")  # fmt: skip
            raise NotAFile(f"not a regular file ({kind}); it was not read")
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise too_large(size, max_bytes)
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = stream.read(min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:  # it grew while being read
            raise too_large(total, max_bytes)
        return b"".join(chunks)


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


def _out_of_memory() -> TooLarge:
    return TooLarge(f"reading it needed more than {MEMORY_LIMIT // 1024**3} GB of memory")


def guarded(fn: Callable[..., T], *args: object) -> T:
    """``fn(*args)`` with every exception turned into a ParseError: out of memory is :class:`TooLarge`,
    anything else a reader did not expect is :class:`ReaderFailed` (with the traceback as its detail)."""
    try:
        return fn(*args)
    except ParseError:
        raise
    except MemoryError:
        raise _out_of_memory() from None
    except Exception as exc:  # one document's bug must not end a run: it becomes that document's error
        raise ReaderFailed.of(exc, traceback.format_exc()) from None


def _address_space() -> int:
    """This process's current virtual size (bytes), 0 where /proc does not say."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _isolate() -> int | None:
    """In a reader process: default signals, no logging, the memory ceiling; the ceiling set (None where the
    platform refuses one)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(signum, signal.SIG_DFL)
    # Libraries' log lines (pdfminer's "Invalid MediaBox…") would reach the terminal past the one-line
    # error, and a forked copy of the parent's log handlers (Prefect's) is not safe to use: what a
    # document's reading found travels in the answer (warnings, errors), not in logs.
    logging.disable(logging.CRITICAL)
    try:
        import resource

        ceiling = _address_space() + MEMORY_LIMIT
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    except (ImportError, ValueError, OSError):  # no ceiling where the platform refuses one
        return None
    return ceiling


_STAYING, _RETIRING = b"s", b"r"  # an answer's first byte: whether its process reads another document


def _pickle_outcome(outcome: tuple[str, object], retiring: bool) -> bytes:
    """The answer as it travels: whether the process exits after it (one byte), then (kind, payload) pickled."""
    flag = _RETIRING if retiring else _STAYING
    try:
        return flag + pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return _RETIRING + pickle.dumps(("error", _out_of_memory()))
    except Exception as exc:  # an answer that cannot travel: say what it was
        return flag + pickle.dumps(("error", ReaderFailed.of(exc, traceback.format_exc())))


def _write_message(fd: int, payload: bytes) -> None:
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def _child(write_fd: int, fn: Callable[..., object], args: tuple, seconds: float) -> None:
    """In the forked child: run, send the pickled outcome (length first), exit without the parent's cleanup."""
    try:
        _isolate()
        signal.alarm(math.ceil(seconds) + 5)  # the parent kills it in time; this, if the parent is gone
        try:
            outcome: tuple[str, object] = ("ok", guarded(fn, *args))
        except ParseError as exc:
            outcome = ("error", exc)
        payload = _pickle_outcome(outcome, retiring=True)
        _write_message(write_fd, payload)
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


def run_isolated(
    fn: Callable[..., T], *args: object, seconds: float, what: str, limit: float | None = None, reuse: bool = False
) -> T:
    """``fn(*args)`` in a forked child process, killed after ``seconds``.

    A :class:`ParseError` raised in the child is raised here; any other
    exception comes back as a :class:`ReaderFailed` carrying the child's
    traceback; running out of the memory ceiling is :class:`TooLarge`; a
    child that dies without an answer (a crash in native code, the OOM
    killer) is a :class:`ReaderCrashed`. The child is a plain ``fork`` of
    this process (the reader's modules are already imported, nothing is
    pickled on the way in), so it starts in about a millisecond. ``limit`` is the time limit to name in
    the error, when ``seconds`` is what is left of it.

    ``reuse=True`` runs it in a worker, a child forked once that reads
    document after document under the same limits (see ``_Worker``): ``fn``
    and ``args`` then travel pickled, and the worker sees the modules as they
    were when it was forked.
    """
    if reuse:
        return _run_in_worker(fn, args, seconds, what, limit)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is checked in the parent
        os.close(read_fd)
        _child(write_fd, fn, args, seconds)
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
    return _outcome(message, timed_out, seconds, what, limit)


def _outcome(message: bytes | None, timed_out: bool, seconds: float, what: str, limit: float | None) -> T:
    """What a reader process answered, returned or raised; or why there is no answer."""
    if timed_out:
        raise TimeLimitExceeded(
            f"gave up after the time limit of {limit or seconds:g} s, while {what}; the reader was stopped"
        )
    if message is None:
        raise ReaderCrashed(f"the reader process died while {what}, without an answer")
    try:
        kind, payload = pickle.loads(message[1:])
    except MemoryError:
        raise _out_of_memory() from None
    except Exception as exc:
        raise ReaderFailed.of(exc, traceback.format_exc()) from None
    if kind == "ok":
        return payload  # type: ignore[no-any-return]
    raise payload


# --- reused reader processes -----------------------------------------------------------------------
#
# A fresh fork per document costs the child its first touch of every page it writes (copy-on-write of the
# parent's heap, zeroed pages for its own), and on a busy machine a wait for the scheduler before it starts:
# 10-15 ms of CPU a document and more of waiting, against the 25 ms pdftotext needs for a whole report. A
# worker is a child forked once that reads document after document, with the same limits as a fresh child:
# the memory ceiling is set once at its start (``MEMORY_LIMIT`` above what it inherited), and it is killed
# when a document's time is up, replaced when it dies, and retires (exits after answering) after a reader
# raised anything that is no ParseError (a bug may leave state behind), after running out of memory, after
# ``WORKER_DOCUMENTS`` documents, or once its address space has grown ``WORKER_GROWTH`` past its start.

#: Documents one worker reads before it is replaced by a fresh fork.
WORKER_DOCUMENTS = 200
#: Growth of a worker's address space (bytes, over what it started with) after which it is replaced.
WORKER_GROWTH = 512 * 1024**2
#: Idle workers kept for the next document (more are started while threads read side by side).
IDLE_WORKERS = 4
_PARENT_CHECK = 1.0  # seconds between an idle worker's checks that its parent is alive


class _Worker:
    """A reader process forked once, reading one request at a time from ``requests`` and answering on
    ``answers`` (length-prefixed pickles)."""

    def __init__(self) -> None:
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker; its answers are checked in the parent
            _close_inherited(request_read, answer_write)
            _serve(request_read, answer_write, parent)
        os.close(request_read)
        os.close(answer_write)
        self.pid, self.requests, self.answers, self.owner = pid, request_write, answer_read, parent
        self.reaped = False  # once reaped, its pid may belong to another process: never signalled again

    def alive(self) -> bool:
        try:
            if os.waitpid(self.pid, os.WNOHANG)[0] == 0:
                return True
        except ChildProcessError:  # reaped by someone else's wait()
            pass
        self.reaped = True
        return False

    def send(self, payload: bytes) -> bool:
        """Hand the worker a request; False when it is gone (it died while idle)."""
        try:
            _write_message(self.requests, payload)
        except OSError:  # BrokenPipeError: the worker is gone
            return False
        return True

    def stop(self) -> None:
        """Kill and reap it, close its pipes."""
        for fd in (self.requests, self.answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        if not self.reaped:
            self.reaped = True
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)


def _close_inherited(*keep: int) -> None:
    """In a new worker: close every descriptor it inherited but its own pipes and the standard streams. A
    worker lives for many documents: the parent's pipes, sockets and files it held open at the fork would
    stay open as long (a subprocess waiting for end-of-file on its input, a server for its client to
    hang up), where a child per document held them for one."""
    low = 3
    for fd in sorted(keep):
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1
    os.closerange(low, _max_fd())


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 20)
    except (ValueError, OSError):
        return 1 << 16


def _read_exactly(fd: int, n: int, parent: int) -> bytes | None:
    """``n`` bytes from ``fd``; None at end of file, or when the parent is gone while waiting."""
    buffer = bytearray()
    while len(buffer) < n:
        ready, _, _ = select.select([fd], [], [], _PARENT_CHECK)
        if not ready:
            if os.getppid() != parent:
                return None
            continue
        chunk = os.read(fd, min(n - len(buffer), 1 << 20))
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def _serve(requests: int, answers: int, parent: int) -> None:
    """In the worker: read requests until told nothing more (end of file, parent gone) or retiring."""
    try:
        _isolate()
        baseline = _address_space()
        for served in range(1, WORKER_DOCUMENTS + 1):
            head = _read_exactly(requests, _LENGTH.size, parent)
            if head is None:
                break
            message = _read_exactly(requests, _LENGTH.unpack(head)[0], parent)
            if message is None:
                break
            retire = False
            try:
                fn, args, seconds = pickle.loads(message)
                signal.alarm(math.ceil(seconds) + 5)  # the parent kills it in time; this, if the parent is gone
                outcome: tuple[str, object] = ("ok", fn(*args))
            except ParseError as exc:
                outcome = ("error", exc)
            except MemoryError:
                outcome, retire = ("error", _out_of_memory()), True
            except Exception as exc:  # a reader's bug: this document's error, and a fresh worker for the next
                outcome, retire = ("error", ReaderFailed.of(exc, traceback.format_exc())), True
            retire = retire or served == WORKER_DOCUMENTS or _address_space() > baseline + WORKER_GROWTH
            payload = _pickle_outcome(outcome, retire)
            signal.alarm(0)
            _write_message(answers, payload)
            if retire:
                break
    finally:
        os._exit(0)


_IDLE: list[_Worker] = []
_POOL_LOCK = threading.Lock()


def _checkout() -> _Worker:
    """An idle worker of this process that is still alive, or a new one."""
    while True:
        with _POOL_LOCK:
            worker = _IDLE.pop() if _IDLE else None
        if worker is None:
            return _Worker()
        if worker.owner == os.getpid() and worker.alive():
            return worker
        if worker.owner == os.getpid():
            worker.stop()


def _checkin(worker: _Worker) -> None:
    with _POOL_LOCK:
        if len(_IDLE) < IDLE_WORKERS:
            _IDLE.append(worker)
            return
    worker.stop()


def stop_workers() -> None:
    """Stop this process's idle workers (at exit; tests that change what the reader does)."""
    with _POOL_LOCK:
        workers, _IDLE[:] = list(_IDLE), []
    for worker in workers:
        if worker.owner == os.getpid():
            worker.stop()


def _forget_workers() -> None:
    """In a forked child: the parent's workers are not its own."""
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    _IDLE.clear()


atexit.register(stop_workers)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers)


def _run_in_worker(fn: Callable[..., T], args: tuple, seconds: float, what: str, limit: float | None) -> T:
    try:
        payload = pickle.dumps((fn, args, seconds), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a function or arguments that cannot travel: a fresh fork needs neither pickled
        return run_isolated(fn, *args, seconds=seconds, what=what, limit=limit)
    worker = _checkout()
    if not worker.send(payload):  # it died while idle: a fresh one
        worker.stop()
        worker = _Worker()
        if not worker.send(payload):
            worker.stop()
            raise ReaderCrashed(f"the reader process died while {what}, without an answer")
    message, timed_out = None, False
    try:
        message, timed_out = _receive(worker.answers, worker.pid, time.monotonic() + seconds)
    finally:
        if message is None or message[:1] != _STAYING:
            if message is None and not timed_out:
                worker.alive()  # dead: perhaps reaped while waiting for its answer, then never signalled
            worker.stop()  # killed at the time limit, dead, or retiring after this answer
        else:
            _checkin(worker)
    return _outcome(message, timed_out, seconds, what, limit)


# --- scratch directories --------------------------------------------------------------------------

SCRATCH_PREFIX = "nianbao-"
#: The kinds of scratch directory nianbao makes (``nianbao-KIND-…`` in the system's temp dir).
SCRATCH_KINDS = ("soffice", "check")
_OWNER = ".owner"
#: A directory of ours without an owner lock (made by an older nianbao) counts as stale after this long.
_UNOWNED_AFTER = 3600.0


@contextlib.contextmanager
def scratch_dir(kind: str, root: str | Path | None = None) -> Iterator[Path]:
    """A fresh temporary directory ``nianbao-KIND-…``, removed when the block ends, however it ends.

    It holds an exclusive ``flock`` on its ``.owner`` file while in use; the kernel drops the lock when the
    process dies, even by SIGKILL. Before making one, stale ones (lock free) are removed, with any
    LibreOffice still running in them.
    """
    base = Path(root) if root is not None else Path(tempfile.gettempdir())
    sweep_scratch(base)
    path, owner = None, None
    try:
        # SIGTERM/SIGINT wait until the directory is both made and known here: a signal landing between
        # mkdir and the assignment would otherwise leave a directory no cleanup knows of
        masked = _block_stop_signals()
        try:
            path = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{kind}-", dir=base))
            owner = os.open(path / _OWNER, os.O_WRONLY | os.O_CREAT, 0o600)
            _lock(owner, blocking=True)
        finally:
            _restore_signals(masked)
        yield path
    finally:
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)
            if path.exists():  # something was still writing into it: once more
                time.sleep(0.1)
                shutil.rmtree(path, ignore_errors=True)
        if owner is not None:
            os.close(owner)


def _block_stop_signals() -> set[signal.Signals] | None:
    """Block SIGTERM and SIGINT for this thread (delivered when restored); None where that is not possible."""
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    except (AttributeError, OSError, ValueError):
        return None


def _restore_signals(masked: set[signal.Signals] | None) -> None:
    if masked is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, masked)


def _lock(fd: int, *, blocking: bool) -> bool:
    try:
        import fcntl
    except ImportError:  # no flock (Windows): nothing is ever stale
        return blocking
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def sweep_scratch(base: str | Path | None = None) -> list[Path]:
    """Remove the scratch directories whose process is gone (a run killed with SIGKILL); the removed ones."""
    base = Path(base) if base is not None else Path(tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(tuple(f"{SCRATCH_PREFIX}{k}-" for k in SCRATCH_KINDS)):
            continue
        path = Path(entry.path)
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            fd = os.open(path / _OWNER, os.O_RDONLY)
        except FileNotFoundError:  # no lock: an older nianbao's, or one being made this instant
            with contextlib.suppress(OSError):
                if time.time() - entry.stat(follow_symlinks=False).st_mtime > _UNOWNED_AFTER:
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
            continue
        except OSError:
            continue
        try:
            if _lock(fd, blocking=False):  # the owner is gone
                _kill_left_behind(path)
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        finally:
            os.close(fd)
    return removed


def _kill_left_behind(path: Path) -> None:
    """Processes still running on a dead run's scratch directory (a LibreOffice that was converting when
    its parent was killed): those whose command line names the directory, found in /proc."""
    needle = str(path).encode()
    proc = Path("/proc")
    if not proc.is_dir():
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue

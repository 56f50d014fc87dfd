"""Reused reader processes (``run_isolated(..., reuse=True)``, what ``parse_bytes`` runs): the same limits as a
fresh child per document, and a fresh worker wherever one document could have left something behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES

from parsers import parse_bytes
from parsers.errors import ReaderCrashed, ReaderFailed, TimeLimitExceeded, TooLarge
from parsers.limits import MEMORY_LIMIT, run_isolated, stop_workers

PDF = (FIXTURES / "documents" / "000_pdf.pdf").read_bytes()


def _pid() -> int:
    return os.getpid()


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _fail() -> None:
    raise ZeroDivisionError("a bug in a reader")


def _allocate() -> bytes:
    return bytes(2 * MEMORY_LIMIT)


def _reused(fn, *args, seconds: float = 30):
    return run_isolated(fn, *args, seconds=seconds, what="testing", reuse=True)


@pytest.fixture(autouse=True)
def _fresh_pool():
    stop_workers()
    yield
    stop_workers()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_one_worker_reads_document_after_document() -> None:
    first = _reused(_pid)
    assert first != os.getpid()
    assert _reused(_pid) == first
    assert parse_bytes(PDF).agency == "银川市西夏区审批服务管理局"
    assert _reused(_pid) == first  # parse_bytes used the same worker


def test_a_worker_past_the_time_limit_is_killed_and_replaced() -> None:
    worker = _reused(_pid)
    with pytest.raises(TimeLimitExceeded, match=r"time limit of 0\.3 s"):
        _reused(_sleep, 5, seconds=0.3)
    assert _gone(worker)
    assert _reused(_pid) not in (worker, os.getpid())


@pytest.mark.parametrize(
    ("fn", "error", "says"),
    [
        (_die, ReaderCrashed, "died"),
        (_fail, ReaderFailed, "ZeroDivisionError: a bug in a reader"),
        (_allocate, TooLarge, "memory"),
    ],
)
def test_a_worker_that_crashed_failed_or_ran_out_of_memory_is_not_used_again(fn, error, says) -> None:
    worker = _reused(_pid)
    with pytest.raises(error, match=says):
        _reused(fn)
    for _ in range(50):  # a retiring worker exits right after its answer
        if _gone(worker):
            break
        time.sleep(0.02)
    assert _gone(worker)
    assert parse_bytes(PDF).agency == "银川市西夏区审批服务管理局"


def test_a_parse_error_keeps_the_worker() -> None:
    from parsers.errors import CorruptDocument

    worker = _reused(_pid)
    with pytest.raises(CorruptDocument):
        parse_bytes(b"%PDF-1.4\n" + b"\0" * 100)
    assert _reused(_pid) == worker


def test_a_worker_retires_after_its_share_of_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    import parsers.limits as limits

    monkeypatch.setattr(limits, "WORKER_DOCUMENTS", 2)  # read when the worker is forked
    first = _reused(_pid)
    assert _reused(_pid) == first
    assert _reused(_pid) != first


def test_readers_side_by_side_get_workers_of_their_own() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        pids = list(pool.map(lambda _: _reused(_sleep, 0.5), range(3)))
    assert len(set(pids)) == 3


def test_workers_end_with_their_parent(tmp_path: Path) -> None:
    """A parent killed without cleanup (SIGKILL) leaves no worker behind: an idle one notices within a second
    or two."""
    script = (
        "import os, sys\n"
        f"sys.path[:0] = {sys.path!r}\n"
        "from parsers.limits import run_isolated\n"
        "print(run_isolated(os.getpid, seconds=30, what='x', reuse=True), flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    worker = int(done.stdout.split()[0])
    for _ in range(100):
        if _gone(worker):
            break
        time.sleep(0.05)
    assert _gone(worker)


def test_a_worker_holds_none_of_its_parents_pipes_open() -> None:
    """A worker lives for many documents: a pipe the parent closes must end for its reader, not stay open in
    the worker (a subprocess would wait for end-of-file forever)."""
    read_end, write_end = os.pipe()
    try:
        _reused(_pid)  # the worker is forked while the parent holds both ends
        os.close(write_end)
        write_end = -1
        import select

        ready, _, _ = select.select([read_end], [], [], 5)
        assert ready and os.read(read_end, 1) == b""  # end of file: no one else holds the write end
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)

"""``nianbao ui``: a local Prefect server, the deployments of prefect.yaml, and a worker.

The UI at http://127.0.0.1:4200 then shows the nightly deployment, its
schedule and every run. Each piece is a function so the tests can start a real
server, deploy, and look at the deployments through the API.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
POOL = "nianbao-process"


class UIError(RuntimeError):
    pass


def prefect_command() -> list[str]:
    found = shutil.which("prefect", path=str(Path(sys.executable).parent)) or shutil.which("prefect")
    if found is None:
        raise UIError("the prefect command is not installed (make install)")
    return [found]


def environment(port: int, home: Path | None = None) -> dict[str, str]:
    """The environment every prefect command of this session runs in: our server, our checkout."""
    env = dict(os.environ)
    env |= {
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "NIANBAO_HOME": str(ROOT),
    }
    if home is not None:
        env["PREFECT_HOME"] = str(home)
    return env


def start_server(env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    out = log.open("ab") if log else subprocess.DEVNULL
    port = env["PREFECT_SERVER_API_PORT"]
    return subprocess.Popen(
        [*prefect_command(), "server", "start", "--host", "127.0.0.1", "--port", port],
        env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
    )  # fmt: skip


def wait_healthy(api_url: str, server: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise UIError(f"the Prefect server exited (status {server.returncode}); is the port free?")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise UIError(f"the Prefect server did not answer at {api_url} within {timeout:.0f} s")


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([*prefect_command(), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise UIError(f"prefect {' '.join(args)} failed: {tail[0]}")
    return done.stdout


def deploy(env: dict[str, str]) -> str:
    """Create the process work pool if needed, then deploy every deployment of prefect.yaml."""
    existing = subprocess.run([*prefect_command(), "work-pool", "inspect", POOL], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    if existing.returncode != 0:
        _run(["work-pool", "create", POOL, "--type", "process"], env)
    return _run(["--no-prompt", "deploy", "--all"], env)


def start_worker(env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    out = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen(
        [*prefect_command(), "worker", "start", "--pool", POOL], env=env, stdout=out, stderr=subprocess.STDOUT,
        cwd=ROOT, start_new_session=True,
    )  # fmt: skip


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the main thread is, like Ctrl-C's KeyboardInterrupt."""


def stop_on_signals() -> None:
    """Make SIGTERM (systemd, docker, kill) and SIGHUP (the terminal closed) stop ``nianbao ui`` the way Ctrl-C
    does (and Ctrl-C itself, however the process started): an exception in the main thread, so that its
    ``finally`` stops the server and the worker."""

    def _raise(signum: int, _frame: object) -> None:
        raise Stopped(signal.Signals(signum).name)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise)
    # Ctrl-C as well, even when this process started with SIGINT ignored: a background job of a shell without
    # job control inherits that, Python then leaves it ignored, and the UI outlived a kill -INT (a CI run
    # started in the background saw it)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def hold_signals() -> None:
    """While stopping: a second Ctrl-C or SIGTERM must not break off the clean-up (which is bounded: ``stop``)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def _signal_group(process: subprocess.Popen, signum: int) -> bool:
    """Send ``signum`` to the process group ``process`` leads (started with ``start_new_session``): the server's
    and the worker's own children (uvicorn, flow-run processes) go with them. False when the group is gone."""
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def stop(*processes: subprocess.Popen | None, grace: float = 10) -> None:
    """Stop each process and everything it started: SIGTERM to each group, SIGKILL to what is left after
    ``grace`` seconds. Returns when all of them are gone."""
    started = [p for p in processes if p is not None]
    for process in started:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in started:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in started:  # the leader may be gone while a child of it still runs
        while _signal_group(process, 0) and time.monotonic() < deadline:
            time.sleep(0.1)
        _signal_group(process, signal.SIGKILL)
        process.wait()

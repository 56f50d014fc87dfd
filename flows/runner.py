"""Where the flows run: Prefect's ephemeral API started with room for a busy machine, and the parse fan-out on
Prefect's thread pool on one machine or a Dask cluster when ``NIANBAO_DASK_ADDRESS`` names one (prefect-dask)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from filelock import FileLock, Timeout
from prefect.task_runners import ThreadPoolTaskRunner

from nianbao.settings import Settings


def task_runner_for(settings: Settings):
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    return ThreadPoolTaskRunner(max_workers=settings.parse_workers)


def quiet_prefect() -> None:
    """No telemetry from the ephemeral Prefect server: its heartbeat task fights the run for Prefect's own
    SQLite database and prints "database is locked" tracebacks."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


#: seconds Prefect's ephemeral API may take to start when the user did not say (Prefect's default, 20 s, is about
#: what a fresh PREFECT_HOME needs on an idle 2-core machine; under load it takes minutes)
EPHEMERAL_STARTUP_TIMEOUT = 300
STARTUP_TIMEOUT_VARIABLE = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


class PrefectStartFailed(RuntimeError):
    """Prefect's API could not be started, said in one line with what to do."""


def startup_timeout() -> int:
    """The user's PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, else ours (300 s)."""
    value = os.environ.get(STARTUP_TIMEOUT_VARIABLE, "").strip()
    if not value:
        return EPHEMERAL_STARTUP_TIMEOUT
    try:
        return max(1, int(float(value)))
    except ValueError:
        raise PrefectStartFailed(f"{STARTUP_TIMEOUT_VARIABLE}={value!r} is not a number of seconds") from None


def start_prefect() -> None:
    """Start Prefect's ephemeral API now, unless ``PREFECT_API_URL`` names a server.

    Prefect would start it on the flow's first call with a 20 s limit; here the limit is :func:`startup_timeout`,
    and one process at a time starts it per ``PREFECT_HOME`` (a file lock): the first start-up of a fresh home
    creates its database, and two at once fail on ``UNIQUE constraint failed: block_type.slug``. The server then
    lives as long as this process (Prefect stops it at exit).
    """
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    quiet_prefect()
    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        return
    timeout = startup_timeout()
    home = Path(settings.home).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    server = SubprocessASGIServer()
    if server.running:
        return
    hint = f"raise {STARTUP_TIMEOUT_VARIABLE} (now {timeout}) or point PREFECT_API_URL at a running server"
    started = time.monotonic()
    try:
        with FileLock(home / ".nianbao-start.lock", timeout=timeout):
            server.start(timeout=max(1, int(timeout - (time.monotonic() - started))))
    except Timeout:
        raise PrefectStartFailed(
            f"another process kept Prefect's start-up lock in {home} for {timeout} s; {hint}"
        ) from None
    except Exception as exc:  # Prefect raises RuntimeError on a timeout, httpx errors on a bad answer
        server.stop()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "Timed out" in first:
            first = f"it did not answer within {timeout} s" + (
                f" (the server exited with code {code})" if (code := _exit_code(first)) else ""
            )
        raise PrefectStartFailed(
            f"Prefect's ephemeral API did not start (PREFECT_HOME={home}): {first}; {hint}"
        ) from None


def _exit_code(message: str) -> str | None:
    marker = "exited with code "
    if marker not in message:
        return None
    return message.split(marker, 1)[1].split(".", 1)[0]

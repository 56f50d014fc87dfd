"""Where the parse fan-out runs: Prefect's thread pool on one machine, a Dask cluster when
``NIANBAO_DASK_ADDRESS`` names one (prefect-dask)."""

from __future__ import annotations

import os

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

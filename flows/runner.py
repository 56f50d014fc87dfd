"""Where the parse fan-out runs: Prefect's thread pool on one machine, a Dask cluster when
``NIANBAO_DASK_ADDRESS`` names one (prefect-dask)."""

from __future__ import annotations

from prefect.task_runners import ThreadPoolTaskRunner

from nianbao.settings import Settings


def task_runner_for(settings: Settings):
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    return ThreadPoolTaskRunner(max_workers=settings.parse_workers)

"""A real Prefect server on 127.0.0.1: prefect.yaml deploys, the nightly deployment has its schedule, and the
server's scheduler creates its runs (with SQLAlchemy 2.1 it failed every loop and created none)."""

from __future__ import annotations

import socket
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from nianbao import ui

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scheduled_runs(api: str, deployment_id: str) -> list[dict]:
    body = {"deployments": {"id": {"any_": [deployment_id]}}, "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}
    response = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def wait_for_scheduled_runs(api: str, deployment_id: str, timeout: float = 240) -> list[dict]:
    """The runs the server's scheduler created for a deployment, waiting for its loop (at most ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if runs := scheduled_runs(api, deployment_id):
            return runs
        time.sleep(2)
    return []


def test_deploy_prefect_yaml_to_a_real_server(tmp_path) -> None:
    env = ui.environment(_free_port(), home=tmp_path / "prefect-home")
    env["PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS"] = "5"  # the default 60 s loop, sooner
    server = ui.start_server(env, tmp_path / "server.log")
    try:
        ui.wait_healthy(env["PREFECT_API_URL"], server, timeout=180)
        ui.deploy(env)
        api = env["PREFECT_API_URL"]
        deployments = httpx.post(f"{api}/deployments/filter", json={}, timeout=30).json()
        by_name = {d["name"]: d for d in deployments}
        assert set(by_name) == {"nightly", "reparse"}
        nightly = by_name["nightly"]
        assert nightly["work_pool_name"] == ui.POOL
        (schedule,) = nightly["schedules"]
        assert schedule["schedule"]["cron"] == "0 2 * * *"
        assert schedule["schedule"]["timezone"] == "Asia/Shanghai"
        assert schedule["active"] is True and schedule["slug"] == "nightly-0200-asia-shanghai"
        assert by_name["reparse"]["schedules"] == []
        assert nightly["global_concurrency_limit"]["limit"] == 1 or nightly.get("concurrency_limit") == 1
        flows = {f["id"]: f["name"] for f in httpx.post(f"{api}/flows/filter", json={}, timeout=30).json()}
        assert flows[nightly["flow_id"]] == "nightly"

        runs = wait_for_scheduled_runs(api, nightly["id"])
        assert runs, f"the scheduler created no run for the nightly deployment; see {tmp_path / 'server.log'}"
        log = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
        assert "Can't evaluate bulk DML statement" not in log
        for run in runs:  # every one at 02:00 Beijing time
            at = datetime.fromisoformat(run["next_scheduled_start_time"]).astimezone(ZoneInfo("Asia/Shanghai"))
            assert (at.hour, at.minute) == (2, 0) and run["state"]["type"] == "SCHEDULED"
        assert scheduled_runs(api, by_name["reparse"]["id"]) == []  # reparse runs by hand only
    finally:
        ui.stop(server)

"""A real Prefect server on 127.0.0.1: prefect.yaml deploys, and the nightly deployment has its schedule."""

from __future__ import annotations

import socket

import httpx
import pytest

from nianbao import ui

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_deploy_prefect_yaml_to_a_real_server(tmp_path) -> None:
    env = ui.environment(_free_port(), home=tmp_path / "prefect-home")
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
    finally:
        ui.stop(server)

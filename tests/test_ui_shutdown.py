"""``nianbao ui`` for real: its scheduler creates the nightly's runs, and SIGTERM (systemd, docker, kill) or SIGINT
(Ctrl-C) stops every process it started, within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from test_prefect_server import _free_port, wait_for_scheduled_runs

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_ui_stops_everything_it_started(tmp_path, signum) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "NIANBAO_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",  # the scheduler's 60 s loop, sooner
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
    }
    ui = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "ui", "--port", str(port)], env=env, cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    output: list[str] = []
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = ui.stdout.readline()
            if not line:
                break
            output.append(line)
            if "worker on pool" in line:
                break
        assert any("worker on pool" in line for line in output), "".join(output)
        children = psutil.Process(ui.pid).children(recursive=True)
        commands = [" ".join(c.cmdline()) for c in children]
        assert any("server start" in c for c in commands) and any("worker start" in c for c in commands), commands

        if signum == signal.SIGTERM:  # the nightly deployment's runs exist: the scheduler works
            api = f"http://127.0.0.1:{port}/api"
            deployments = httpx.post(f"{api}/deployments/filter", json={}, timeout=30).json()
            nightly = next(d for d in deployments if d["name"] == "nightly")
            assert wait_for_scheduled_runs(api, nightly["id"]), "no scheduled run for the nightly deployment"

        children = psutil.Process(ui.pid).children(recursive=True)  # everything running now
        ui.send_signal(signum)
        started = time.monotonic()
        rest, _ = ui.communicate(timeout=60)
        took = time.monotonic() - started
        assert ui.returncode == 0, rest
        assert "stopped the Prefect server and worker" in rest
        assert took < 30, f"took {took:.0f} s"
        alive = [c for c in children if not _gone(c)]
        assert alive == [], [" ".join(c.cmdline()) for c in alive]
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
    finally:  # never leave a server behind, whatever failed
        if ui.poll() is None:
            children = children or psutil.Process(ui.pid).children(recursive=True)
            ui.kill()
        for child in children:
            if not _gone(child):
                child.kill()

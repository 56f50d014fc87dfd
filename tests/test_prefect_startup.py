"""Prefect's ephemeral API on a slow or busy machine: a start-up limit with room, one line when it is exceeded,
and two runs sharing a fresh PREFECT_HOME that do not race on creating its database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import seed_path

from flows.runner import EPHEMERAL_STARTUP_TIMEOUT, STARTUP_TIMEOUT_VARIABLE, PrefectStartFailed, startup_timeout

ROOT = Path(__file__).resolve().parent.parent


def _env(data: Path, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return env | {
        "NIANBAO_DATA_DIR": str(data),
        "PREFECT_HOME": str(home),
        "NO_COLOR": "1",
        "NIANBAO_LANG": "en",
        **extra,
    }


def _nianbao(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao.cli", *args], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def test_the_limit_is_ours_unless_the_user_set_one(monkeypatch) -> None:
    monkeypatch.delenv(STARTUP_TIMEOUT_VARIABLE, raising=False)
    assert startup_timeout() == EPHEMERAL_STARTUP_TIMEOUT >= 300
    monkeypatch.setenv(STARTUP_TIMEOUT_VARIABLE, "45")
    assert startup_timeout() == 45
    monkeypatch.setenv(STARTUP_TIMEOUT_VARIABLE, "soon")
    with pytest.raises(PrefectStartFailed, match="not a number of seconds"):
        startup_timeout()


@pytest.mark.slow
def test_two_runs_on_a_fresh_prefect_home_both_succeed(tmp_path) -> None:
    home = tmp_path / "prefect-home"  # does not exist yet: both runs find it empty
    runs = []
    for n in (1, 2):
        data = tmp_path / f"data{n}"
        load = subprocess.run([sys.executable, "-m", "nianbao.cli", "load", str(seed_path("000"))],
                              env=_env(data, home), cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
        assert load.returncode == 0, load.stderr
        runs.append(_nianbao("reparse", "--no-docs", env=_env(data, home)))
    results = [(p, *p.communicate(timeout=900)) for p in runs]
    for process, stdout, stderr in results:
        assert process.returncode == 0, stderr[-3000:]
        assert "UNIQUE constraint failed" not in stderr and "Traceback" not in stderr
        assert "re-parse" in stdout  # the run's summary
    assert (home / "prefect.db").exists()


@pytest.mark.slow
def test_a_start_up_past_the_limit_is_one_line(tmp_path) -> None:
    data = tmp_path / "data"
    env = _env(data, tmp_path / "prefect-home", **{STARTUP_TIMEOUT_VARIABLE: "1"})  # a fresh home needs far more
    _, stderr = (process := _nianbao("reparse", "--no-docs", env=env)).communicate(timeout=300)
    assert process.returncode == 1
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]  # besides Prefect's own log lines
    assert len(errors) == 1, stderr
    assert errors[0].startswith("error: prefect: Prefect's ephemeral API did not start")
    assert f"it did not answer within 1 s; raise {STARTUP_TIMEOUT_VARIABLE} (now 1)" in errors[0]

"""prefect.yaml is pinned down: every entrypoint imports and is a flow, the schedule is what the docs say."""

from __future__ import annotations

import importlib

import pytest
import yaml
from conftest import ROOT
from prefect import Flow
from prefect.client.schemas.schedules import CronSchedule

CONFIG = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
DEPLOYMENTS = {d["name"]: d for d in CONFIG["deployments"]}


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_every_entrypoint_is_a_flow(name: str) -> None:
    path, function = DEPLOYMENTS[name]["entrypoint"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert isinstance(getattr(module, function), Flow)
    assert DEPLOYMENTS[name]["work_pool"]["name"] == "nianbao-process"
    assert DEPLOYMENTS[name]["concurrency_limit"] == 1


def test_nightly_runs_at_two_in_shanghai() -> None:
    (schedule,) = DEPLOYMENTS["nightly"]["schedules"]
    assert (schedule["cron"], schedule["timezone"], schedule["active"]) == ("0 2 * * *", "Asia/Shanghai", True)
    assert schedule["slug"]
    cron = CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # validates cron and timezone
    assert cron.cron == "0 2 * * *"


def test_reparse_is_not_scheduled() -> None:
    assert "schedules" not in DEPLOYMENTS["reparse"]

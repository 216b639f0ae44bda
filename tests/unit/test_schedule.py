"""The refresh schedule of several clusters: each cluster's tiers, on that cluster's own slots."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.app import _report_stop
from kcache.logs import configure
from kcache.schedule import run_cluster_schedules
from kcache.settings import Settings


@dataclass
class Cluster:
    """What the schedule reads of a holder bound to one cluster: its name and settings."""

    cluster: str
    settings: Settings


def _cluster(name: str, tmp: Path, **env: str) -> Cluster:
    return Cluster(name, Settings.from_env({"LLM_PROVIDER": "offline", **env}, dotenv_path=tmp / "none.env"))


async def test_every_cluster_refreshes_its_tiers_on_its_own_slots(tmp_path: Path) -> None:
    prod = _cluster("prod", tmp_path, SCANNER_DYNAMIC_INTERVAL="300", SCANNER_STATIC_INTERVAL="1800")
    staging = _cluster("staging", tmp_path, SCANNER_DYNAMIC_INTERVAL="60", SCANNER_STATIC_INTERVAL="600")
    ran: list[tuple[str, str]] = []
    waits: list[float] = []
    stop = asyncio.Event()

    async def refresh(kc: Cluster, tier: str) -> None:
        ran.append((kc.cluster, tier))

    async def pause(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            stop.set()  # both clusters scanned once and asked to wait for their next slot: enough
        await asyncio.sleep(0)

    await asyncio.wait_for(
        run_cluster_schedules(
            [prod, staging], ["static", "dynamic"], refresh, sleep=pause, stopped=stop.is_set, idle=stop.wait
        ),
        timeout=10,
    )
    assert sorted(ran) == [
        ("prod", "dynamic"),
        ("prod", "static"),
        ("staging", "dynamic"),
        ("staging", "static"),
    ]
    # Each waits for its own next slot: its dynamic interval ±10%.
    short, long = sorted(waits)
    assert 54 <= short <= 66 and 270 <= long <= 330


async def test_the_server_logs_a_background_schedule_that_died(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def dies() -> None:
        raise RuntimeError("watcher could not start")

    configure(Settings.from_env({}, dotenv_path=tmp_path / "none"))
    task = asyncio.create_task(dies())
    with pytest.raises(RuntimeError):
        await task
    _report_stop(task)
    (line,) = [json.loads(x) for x in capsys.readouterr().err.splitlines() if "background refresh" in x]
    assert line["level"] == "ERROR" and "watcher could not start" in line["error_details"]
    configure(Settings.from_env({}, dotenv_path=tmp_path / "none"))

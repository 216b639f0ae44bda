"""A CronJob's name asked as a Job is its last run (the shop cluster, whose nightly export
failed at its backoff limit): diagnosed, its pods listed, never acted on by that name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from devcluster import DevCluster
from kcache import runtime
from kcache.context import Context
from kcache.settings import Settings
from tests.conftest import kcache_env
from tests.support.agent import turns

pytestmark = pytest.mark.integration

SHOP = Path(__file__).resolve().parents[2] / "evals" / "clusters" / "shop"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    with DevCluster(SHOP) as dc:
        dc.write_kubeconfig(tmp_path_factory.mktemp("shop") / "kubeconfig.yaml")
        yield dc


@pytest.fixture
async def ask(shop: DevCluster, tmp_path: Path) -> AsyncIterator[Any]:
    async with runtime.open(Settings.from_env(kcache_env(shop, tmp_path))) as kc:
        yield turns(kc, Context(dry_run=True), "c")


def _runs(dc: DevCluster) -> list[str]:
    return sorted(
        j["metadata"]["name"]
        for j in dc.list("job", "jobs")
        if j["metadata"]["name"].startswith("nightly-export-")
    )


async def test_a_cronjob_asked_as_a_job_is_its_last_run(ask: Any, shop: DevCluster) -> None:
    last = _runs(shop)[-1]
    for text in ("why did the nightly-export job fail?", "nightly-export 这个 job 为什么失败了"):
        out = await ask(text)
        record = out["record"]
        assert (record["operation"], record["outcome"], record["params"]["name"]) == (
            "diagnose",
            "answer",
            last,
        ), text
        assert "backoffLimit" in out["answer"]
    out = await ask("pods of the nightly-export job")
    pods = [
        p["metadata"]["name"]
        for p in shop.list("pod", "jobs")
        if p["metadata"]["name"].startswith(last + "-")
    ]
    assert pods and all(p in out["answer"] for p in pods)
    # A part of the CronJob's name is asked about; a write by the CronJob's name is never a Job's.
    out = await ask("why did the nightly job fail?")
    assert (out["record"]["outcome"], out["record"]["candidates"][0]) == ("clarify", "jobs/nightly-export")
    out = await ask("delete the nightly-export job")
    assert out["record"]["outcome"] == "not_found" and not any(
        c.get("executed") for c in out.get("calls", [])
    )


async def test_a_cronjob_is_told_with_how_its_last_run_ended(ask: Any, shop: DevCluster) -> None:
    last = _runs(shop)[-1]
    for text in (
        "what's the schedule of nightly-export and did its last run succeed",
        "describe cronjob nightly-export",
    ):
        out = await ask(text)
        assert (out["record"]["resource"], out["record"]["outcome"]) == ("cronjob", "answer"), text
        assert "30 2 * * *" in out["answer"]
        assert f"job {last} Failed (BackoffLimitExceeded)" in out["answer"], out["answer"]
    # Asked second, beside a listing, it is told with its last run too.
    out = await ask("jobs 里的 cronjob 列一下，再看看 nightly-export 最后一次跑成功没有")
    assert (out["record"]["resource"], out["record"]["operation"]) == ("cronjob", "list")
    assert "sitemap" in out["answer"] and f"job {last} Failed (BackoffLimitExceeded)" in out["answer"]
    # Pods that ended are found by their phase, whatever reason kubectl's STATUS column shows.
    out = await ask("list failed pods in jobs")
    failed = [p["metadata"]["name"] for p in shop.list("pod", "jobs") if p["status"]["phase"] == "Failed"]
    assert failed and all(p in out["answer"] for p in failed)
    assert "ml-trainer" not in out["answer"]


async def test_logs_asked_beside_a_listing_are_read_under_it(ask: Any, shop: DevCluster) -> None:
    (orders,) = [
        p["metadata"]["name"] for p in shop.list("pod", "checkout") if p["metadata"]["name"] == "orders-db-0"
    ]
    for text in (
        "show me the pods in checkout and the logs of orders-db-0",
        "列出 checkout 的 pod，顺便看看 orders-db-0 的日志",
    ):
        out = await ask(text)
        record = out["record"]
        # The listing is the main ask, answered from the cache; the log tool ran for the other.
        assert (record["operation"], record["outcome"], record["answered_from_cache"]) == (
            "list",
            "answer",
            True,
        )
        # The listing's rows, then what the log tool returned for the pod (only it serves lines).
        listing, _, logs = out["answer"].partition(f"checkout/{orders}")
        assert "payments-" in listing and logs.startswith(" 的日志：" if "列出" in text else ":"), out[
            "answer"
        ]
        assert "\n> " in logs and "level=" in logs
    # A write asked after a read is named, not done.
    out = await ask("describe payments in checkout and then scale it to 5")
    assert (out["record"]["operation"], out["record"]["outcome"]) == ("get", "answer")
    assert "scale" in out["answer"] and out["record"]["tool"] != "resources_scale"
    assert not out["record"]["executed"]

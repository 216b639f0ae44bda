"""`kcache ask`, `chat` (through a pty), `eval` and `demo` against devcluster, offline planner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pexpect
import pytest

from devcluster import DevCluster
from tests.support.cli import CANARY, kcache, kcache_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def warm(devcluster_demo: DevCluster, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A cache refreshed from the demo cluster, shared by the module's read-only tests."""
    folder = tmp_path_factory.mktemp("warm")
    assert devcluster_demo.kubeconfig is not None
    done = kcache(folder, devcluster_demo.kubeconfig, "refresh", "--once")
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, devcluster_demo.kubeconfig


def test_ask_json_answers_from_the_cache(warm: tuple[Path, Path]) -> None:
    folder, kube = warm
    done = kcache(folder, kube, "ask", "--json", "list pods in the boutique namespace")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert (record["intent"], record["resource"], record["operation"]) == ("query", "pod", "list")
    assert record["params"]["namespace"] == "boutique"
    assert record["outcome"] == "answer"
    assert record["answered_from_cache"] is True and record["executed"] is False
    assert record["cache_hits"] >= 1
    text = kcache(folder, kube, "ask", "列出 boutique 命名空间下的所有 pod")
    assert text.returncode == 0, text.stderr
    assert "frontend-" in text.stdout and "data age" in text.stdout


def test_ask_refuses_a_write_without_a_terminal(warm: tuple[Path, Path]) -> None:
    folder, kube = warm
    done = kcache(folder, kube, "ask", "scale currencyservice in boutique to 2")
    assert done.returncode == 1
    assert "stdin is not a terminal" in done.stderr
    assert "resources_scale" in done.stderr and "currencyservice" in done.stderr


def test_ask_lists_candidates_and_exits_1_when_it_cannot_ask(warm: tuple[Path, Path]) -> None:
    folder, kube = warm
    done = kcache(folder, kube, "ask", "--json", "show the logs of frontend")
    assert done.returncode == 1
    record = json.loads(done.stdout)
    assert record["outcome"] == "clarify"
    assert set(record["candidates"]) == {"boutique/frontend", "boutique-staging/frontend"}
    assert "boutique-staging/frontend" in done.stderr


def test_ask_yes_runs_the_write(devcluster: DevCluster, tmp_path: Path) -> None:
    assert devcluster.kubeconfig is not None
    assert kcache(tmp_path, devcluster.kubeconfig, "refresh", "--once").returncode == 0
    done = kcache(
        tmp_path, devcluster.kubeconfig, "ask", "--json", "--yes", "scale currencyservice in boutique to 2"
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["executed"] is True and record["tool"] == "resources_scale"
    after = kcache(tmp_path, devcluster.kubeconfig, "ask", "--json", "list pods in boutique")
    pods = json.loads(after.stdout)["answer"]
    assert pods.count("currencyservice-") == 2


def test_chat_through_a_pty(warm: tuple[Path, Path]) -> None:
    folder, kube = warm
    child = pexpect.spawn(
        sys.executable,
        ["-m", "kcache_cli.main", "chat"],
        env=kcache_env(folder, kube),
        cwd=str(folder),
        encoding="utf-8",
        timeout=60,
    )
    try:
        child.expect("kcache> ")
        child.sendline("list namespaces")
        child.expect("boutique-staging")
        child.expect("kcache> ")
        child.sendline("scale currencyservice in boutique to 2")
        child.expect(r"Run this\? \[y/N\] ")
        child.sendline("n")
        child.expect("(?i)(cancel|not run)")
        child.expect("kcache> ")
        child.sendline("show the logs of frontend")
        child.expect("1\\. boutique")
        child.expect("Choose 1-2")
        child.sendline("2")
        child.expect("level=")
        child.expect("kcache> ")
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_eval_on_a_small_dataset(tmp_path: Path) -> None:
    lines = (ROOT / "evals" / "datasets" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    subset = tmp_path / "small.jsonl"
    subset.write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    kube = tmp_path / "unused-kubeconfig"  # the harness writes its own
    done = kcache(
        tmp_path,
        kube,
        "eval",
        "--dataset",
        str(subset),
        "--cluster",
        str(ROOT / "devcluster" / "clusters" / "demo"),
        "--json-out",
        str(out),
        "--min-pass-rate",
        "0.5",
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= {"dataset", "cluster", "provider", "server", "metrics", "cases", "notes"}
    assert report["provider"] == "offline"
    assert report["server"].startswith("kubernetes-mcp-server")
    assert len(report["cases"]) == 10
    case = report["cases"][0]
    assert set(case) == {"id", "query", "pass", "failed_check", "latency_ms", "record"}
    assert case["latency_ms"] > 0
    assert report["metrics"]["pass_rate"] >= 0.5
    assert any("86400" in note for note in report["notes"])
    assert "pass_rate" in done.stdout and "passed " in done.stdout
    writes = [c["record"] for c in report["cases"] if c["record"]["outcome"] == "confirm"]
    assert len(writes) >= 2
    assert all(r["executed"] is False and r["tool"] for r in writes)
    assert CANARY.decode() not in out.read_text(encoding="utf-8")
    stats = kcache(tmp_path, kube, "stats", "--json")
    assert json.loads(stats.stdout)["kpis"]["context_accuracy"]["value"] is not None
    # A failing case is not an error (status 0); under --min-pass-rate it is status 1.
    wrong = json.loads(lines[0])
    wrong["id"] = "wrong-intent"
    wrong["expect"]["intent"] = "action"
    failing = tmp_path / "failing.jsonl"
    failing.write_text(lines[1] + "\n" + json.dumps(wrong, ensure_ascii=False) + "\n", encoding="utf-8")
    lenient = kcache(
        tmp_path, kube, "eval", "-q", "--dataset", str(failing), "--cluster", "demo", timeout=300
    )
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert "wrong-intent [intent]" in lenient.stdout
    strict = kcache(
        tmp_path,
        kube,
        "eval",
        "-q",
        "--dataset",
        str(failing),
        "--cluster",
        "demo",
        "--min-pass-rate",
        "1",
        timeout=300,
    )
    assert strict.returncode == 1
    assert "below --min-pass-rate" in strict.stderr


def test_demo_runs_offline_end_to_end(tmp_path: Path) -> None:
    done = kcache(tmp_path, tmp_path / "unused", "demo", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "LLM provider: offline (deterministic planner)" in out
    assert "answered from cache" in out and "MCP call avoided" in out
    assert "needs approval" in out and "resources_scale" in out
    assert "demo finished" in out
    assert "timestamp" not in out and "timestamp" not in done.stderr  # log lines went to the demo's file


def test_dev_eval_passes_and_leaks_no_secret(tmp_path: Path) -> None:
    """The shared dev set at >= 95%; no CANARY-SECRET in the cache (the harness checks the
    database and -wal files it used and exits 2 on a leak), the debug log or the report."""
    out, log = tmp_path / "report.json", tmp_path / "kcache.log"
    done = kcache(
        tmp_path,
        tmp_path / "unused-kubeconfig",
        "eval",
        "--dataset",
        str(ROOT / "evals" / "datasets" / "dev.jsonl"),
        "--cluster",
        "demo",
        "--json-out",
        str(out),
        "--min-pass-rate",
        "0.95",
        timeout=600,
        LOG_FILE=str(log),
        LOG_LEVEL="DEBUG",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["cases"]) == 43 and report["metrics"]["pass_rate"] >= 0.95
    assert log.stat().st_size > 0
    for path in (out, log):
        assert CANARY not in path.read_bytes()

"""LangSmith: traces captured by a local collector, the offline ``aevaluate`` run, the pytest plugin.

Nothing leaves the machine: traces go to a collector on 127.0.0.1, the evaluation runs with
``upload_runs=False``, and the plugin test runs with ``LANGSMITH_TEST_TRACKING=false``.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import langsmith
import pytest
from langchain_core.messages import HumanMessage
from langsmith import Client
from langsmith import testing as ls_testing

from devcluster import DevCluster
from evals.langsmith_eval import EVALUATORS, evaluate_cases, mean_scores
from evals.report import load_dataset
from graph.agent import compile_agent
from graph.run import compile_agent_for_turns, run_refresh
from kcache import runtime
from kcache.settings import PROJECT_ROOT, Settings
from tests.conftest import kcache_env

pytestmark = pytest.mark.integration

NODES = {"intent", "cache_lookup", "tool_select", "param_suggest", "gemini", "tool_call", "cache_invalidate"}
USER_METADATA = {"cluster", "intent", "resource", "operation", "tool", "cache_hit", "data_age_s", "provider"}
INFO = {
    "version": "0.0.0",
    "batch_ingest_config": {
        "use_multipart_endpoint": True,
        "size_limit": 100,
        "size_limit_bytes": 20_971_520,
        "scale_up_nthreads_limit": 1,
        "scale_up_qsize_trigger": 1000,
        "scale_down_nempty_trigger": 4,
    },
}


class Collector(BaseHTTPRequestHandler):
    """A stand-in for the LangSmith API: answers ``/info`` and records what is posted."""

    received: list[tuple[str, str, bytes]]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(json.dumps(INFO).encode())

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append((self.path, self.headers.get("Content-Type") or "", body))
        self._answer(b"{}")

    do_PATCH = do_POST


def runs_from(received: list[tuple[str, str, bytes]]) -> dict[str, dict[str, Any]]:
    """Every run sent, by id, with its posted and patched fields merged (multipart or batch)."""
    runs: dict[str, dict[str, Any]] = {}
    for path, content_type, body in received:
        if path.startswith("/runs/multipart"):
            msg = email.message_from_bytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
            )
            for part in msg.iter_parts():
                name = str(part.get_param("name", header="content-disposition"))
                _, run_id, *field = name.split(".")
                payload = part.get_payload(decode=True)
                value = json.loads(payload if isinstance(payload, bytes) else b"null")
                run = runs.setdefault(run_id, {})
                if field:
                    run[field[0]] = value
                else:
                    run.update(value)
        elif path.startswith("/runs/batch"):
            batch = json.loads(body)
            for run in [*batch.get("post", []), *batch.get("patch", [])]:
                runs.setdefault(str(run["id"]), {}).update(run)
    return runs


@pytest.fixture
def collector() -> Iterator[tuple[Client, list[tuple[str, str, bytes]]]]:
    received: list[tuple[str, str, bytes]] = []
    handler = type("Handler", (Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Client(api_url=f"http://127.0.0.1:{server.server_port}", api_key="x"), received
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
async def opened(devcluster: DevCluster, tmp_path: Path) -> AsyncIterator[runtime.Kcache]:
    async with runtime.open(Settings.from_env(kcache_env(devcluster, tmp_path))) as kc:
        yield kc


async def _traced(kc: runtime.Kcache, client: Client, *questions: str) -> list[dict[str, Any]]:
    with langsmith.tracing_context(enabled=True, client=client, project_name="kcache-test"):
        agent_graph = compile_agent(kc)
        outs = [await agent_graph.ainvoke({"messages": [HumanMessage(q)]}) for q in questions]
    client.flush()
    return outs


async def test_each_node_is_a_named_run_nested_under_the_graph_run(
    opened: runtime.Kcache, collector: tuple[Client, list[tuple[str, str, bytes]]]
) -> None:
    client, received = collector
    outs = await _traced(opened, client, "查看 boutique 里 frontend 的日志", "list secrets in boutique")
    assert outs[0]["record"]["tool"] == "pods_log" and "redis-password" in outs[1]["answer"]

    runs = runs_from(received)
    roots = {i: r for i, r in runs.items() if r.get("name") == "agent" and not r.get("parent_run_id")}
    assert len(roots) == 2
    node_runs = [r for r in runs.values() if r.get("name") in NODES]
    assert NODES == {r["name"] for r in node_runs}
    for run in node_runs:
        assert run["parent_run_id"] in roots, run["name"]
        assert run["extra"]["metadata"]["langgraph_node"] == run["name"]
    for run_id, root in roots.items():
        assert root["outputs"]["record"]["outcome"] == "answer", run_id
    for _, _, body in received:
        assert b"CANARY-SECRET" not in body


async def test_runs_carry_metadata_and_tags_a_user_filters_by(
    opened: runtime.Kcache, collector: tuple[Client, list[tuple[str, str, bytes]]]
) -> None:
    client, received = collector
    await _traced(opened, client, "list pods in boutique")
    runs = runs_from(received).values()
    metadata: dict[str, Any] = {}
    tags: set[str] = set()
    for run in runs:
        metadata.update(run.get("extra", {}).get("metadata") or {})
        tags.update(run.get("tags") or [])
    assert USER_METADATA <= set(metadata)
    assert metadata["intent"] == "query" and metadata["cache_hit"] is True
    assert {"graph:agent"} <= tags and any(t.startswith("tier:") for t in tags)


@pytest.fixture
async def warmed(devcluster: DevCluster, tmp_path: Path) -> AsyncIterator[runtime.Kcache]:
    async with runtime.open(Settings.from_env(kcache_env(devcluster, tmp_path))) as kc:
        await run_refresh(kc, "all", lambda line: None)
        yield kc


async def test_offline_evaluation_scores_each_evaluator(warmed: runtime.Kcache) -> None:
    cases = {c["id"]: c for c in load_dataset(PROJECT_ROOT / "evals" / "datasets" / "dev.jsonl")}
    chosen = [cases[i] for i in ("dev-001", "dev-003", "dev-005", "dev-006")]
    # A case that cannot pass: the evaluators must notice rather than score everything 1.
    wrong = {**cases["dev-002"], "id": "wrong", "expect": {**cases["dev-002"]["expect"], "intent": "action"}}
    results = await evaluate_cases([*chosen, wrong], compile_agent_for_turns(warmed))
    rows = [r async for r in results]
    assert len(rows) == 5
    keys = {e.__name__.removesuffix("_evaluator") for e in EVALUATORS}
    for row in rows:
        assert {r.key for r in row["evaluation_results"]["results"]} == keys
    by_case = {
        (row["example"].metadata or {})["case_id"]: {
            r.key: r.score for r in row["evaluation_results"]["results"]
        }
        for row in rows
    }
    assert by_case["wrong"]["intent"] == 0 and by_case["wrong"]["outcome"] == 1
    assert by_case["dev-005"]["outcome"] == 1 and by_case["dev-006"]["parameters"] == 1.0
    scores = mean_scores(rows)
    assert scores["intent"] == pytest.approx(0.8) and scores["outcome"] == 1.0


@pytest.fixture
def no_test_tracking(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The plugin test never reaches LangSmith (the Makefile and CI export the same)."""
    monkeypatch.setenv("LANGSMITH_TEST_TRACKING", "false")
    langsmith.utils.get_env_var.cache_clear()  # type: ignore[attr-defined]
    yield
    langsmith.utils.get_env_var.cache_clear()  # type: ignore[attr-defined]


@pytest.mark.langsmith
async def test_plugin_logs_a_dry_run_write(no_test_tracking: None, opened: runtime.Kcache) -> None:
    from evals.langsmith_eval import make_target

    query = "把 loadgenerator 缩容到 0"
    ls_testing.log_inputs({"query": query})
    out = await make_target(compile_agent_for_turns(opened))({"query": query})
    ls_testing.log_outputs(out)
    rec = out["record"]
    assert rec["outcome"] == "confirm" and not rec["executed"]
    assert rec["params"] == {"namespace": "boutique", "name": "loadgenerator", "replicas": 0}
    ls_testing.log_reference_outputs({"outcome": "confirm", "tool": "resources_scale"})


def test_the_readme_evaluation_command_prints_only_its_results(tmp_path: Path) -> None:
    """The command as README.md shows it, on two cases: scores, and no notice about a server."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    line = next(ln for ln in readme.splitlines() if "-m evals.langsmith_eval" in ln)
    argv = shlex.split(line)
    assert argv[0] == ".venv/bin/python"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LANGSMITH_", "LANGCHAIN_", "CACHE_", "LLM_"))
    }
    env.update(
        {"LLM_PROVIDER": "offline", "CACHE_DB_PATH": str(tmp_path / "cache.db"), "LOG_LEVEL": "WARNING"}
    )
    done = subprocess.run(
        [sys.executable, *argv[1:], "--limit", "2"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "Run compression is not enabled" not in output
    assert "'upload_runs' parameter is in beta" not in output
    scores = [
        ln.split() for ln in done.stdout.splitlines() if ln and not ln.startswith("Starting evaluation")
    ]
    assert [s[0] for s in scores] == ["intent", "tool", "parameters", "outcome", "answer"], done.stdout
    assert done.stderr.strip() == "", done.stderr

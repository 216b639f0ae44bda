"""``langgraph dev`` serving both graphs, driven through ``langgraph_sdk`` as Studio drives it.

One server per module (devcluster on the demo cluster, the offline planner, a temporary
cache). The server is stopped with SIGINT so its lifespan closes kcache; afterwards the
server's own persistence folder must hold no secret value.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from devcluster import DevCluster
from kcache.settings import PROJECT_ROOT
from kcache_cli.studio import api_url
from tests.conftest import DEVCLUSTER_DEMO, kcache_env

pytestmark = pytest.mark.integration

NODES = {"intent", "cache_lookup", "tool_select", "param_suggest", "gemini", "tool_call", "cache_invalidate"}
READY_TIMEOUT_S = 60.0


@dataclass
class Server:
    """A running ``langgraph dev`` and the devcluster it serves."""

    url: str
    cluster: DevCluster
    ready_s: float

    def client(self) -> LangGraphClient:
        return get_client(url=self.url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, started: float) -> str:
    """The address the server prints (it moves to another port when its own is taken), once /ok answers."""
    url = None
    while time.monotonic() - started < READY_TIMEOUT_S:
        if proc.poll() is not None:
            raise AssertionError(f"langgraph dev exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        if url is None:
            url = api_url(log.read_text(errors="replace"))
        if url is not None:
            try:
                with urllib.request.urlopen(f"{url}/ok", timeout=2) as resp:
                    if resp.status == 200:
                        return url
            except OSError:
                pass
        time.sleep(0.1)
    raise AssertionError(f"langgraph dev not ready after {READY_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


def _canary_files() -> list[str]:
    folder = PROJECT_ROOT / ".langgraph_api"
    if not folder.exists():
        return []
    return [str(f) for f in folder.rglob("*") if f.is_file() and b"CANARY-SECRET" in f.read_bytes()]


_held = 0
"""How deep this process holds :func:`one_server_at_a_time` (it is re-entrant within a process)."""


@contextlib.contextmanager
def one_server_at_a_time() -> Iterator[None]:
    """An exclusive lock across processes (pytest-xdist workers) on PROJECT_ROOT/.langgraph_api.

    Every ``langgraph dev`` keeps its threads there and rewrites them on shutdown: two servers
    at once would read each other's files half written, and a check of the folder would read
    another test's server's files.
    """
    global _held
    if _held:
        _held += 1
        try:
            yield
        finally:
            _held -= 1
        return
    tag = hashlib.sha256(str(PROJECT_ROOT).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"kcache-langgraph-dev-{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _held = 1
        try:
            yield
        finally:
            _held = 0
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def langgraph_dev(kcache_vars: dict[str, str], folder: Path) -> Iterator[tuple[str, Path, float]]:
    """``langgraph dev`` offline on a free port with kcache's variables: (url, log file, start time).

    Stopped with SIGINT on exit, so its lifespan's exit runs; one that ignores it fails the test.
    One server of this checkout runs at a time (the others wait for it).
    """
    with one_server_at_a_time():
        yield from _langgraph_dev(kcache_vars, folder)


def _langgraph_dev(kcache_vars: dict[str, str], folder: Path) -> Iterator[tuple[str, Path, float]]:
    env = {
        **os.environ,
        **kcache_vars,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGGRAPH_NO_VERSION_CHECK": "true",
        "LANGSMITH_TRACING": "false",
    }
    env.pop("LANGSMITH_API_KEY", None)
    log = folder / "langgraph-dev.log"
    cmd = [sys.executable, "-m", "langgraph_cli", "dev", "--no-browser", "--no-reload"]
    cmd += ["--host", "127.0.0.1", "--port", str(_free_port())]
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield _wait_ready(proc, log, started), log, started
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"langgraph dev ignored SIGINT:\n{log.read_text()[-4000:]}") from None
    assert proc.returncode == 0, log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("langgraph-dev")
    with one_server_at_a_time(), DevCluster(DEVCLUSTER_DEMO) as dc:
        dc.write_kubeconfig(tmp / "kubeconfig.yaml")
        with langgraph_dev(kcache_env(dc, tmp), tmp) as (url, log, started):
            ready = time.monotonic() - started
            print(f"\nlanggraph dev ready in {ready:.2f} s at {url}")  # noqa: T201
            yield Server(url=url, cluster=dc, ready_s=ready)
        # The server writes its threads to disk on shutdown: nothing it wrote may hold a secret value.
        assert "kcache open on cluster" in log.read_text(errors="replace")
        assert _canary_files() == []


def _interrupts(state: Any) -> list[dict[str, Any]]:
    return [i["value"] for i in state.get("interrupts") or []]


async def test_assistants_schemas_and_graph_are_published(server: Server) -> None:
    client = server.client()
    assistants = await client.assistants.search(limit=20)
    ids = {a["graph_id"]: a["assistant_id"] for a in assistants}
    assert {"agent", "refresh"} <= set(ids)

    schemas: dict[str, Any] = dict(await client.assistants.get_schemas(ids["agent"]))
    for key in ("input_schema", "output_schema", "state_schema", "context_schema"):
        assert schemas[key] is not None, key
    assert {"messages", "query"} <= set(schemas["input_schema"]["properties"])
    assert {"messages", "answer", "record"} <= set(schemas["output_schema"]["properties"])
    assert {"approval", "fresh", "dry_run"} <= set(schemas["context_schema"]["properties"])
    assert {"plan", "calls", "record"} <= set(schemas["state_schema"]["properties"])

    drawn = await client.assistants.get_graph(ids["agent"], xray=True)
    assert NODES <= {n["id"] for n in drawn["nodes"]}
    refresh: dict[str, Any] = dict(await client.assistants.get_schemas(ids["refresh"]))
    assert "tier" in refresh["input_schema"]["properties"]


async def test_wait_and_stream_modes(server: Server) -> None:
    client = server.client()
    thread = await client.threads.create()
    started = time.monotonic()
    out = await client.runs.wait(thread["thread_id"], "agent", input={"query": "list pods in boutique"})
    latency = time.monotonic() - started
    print(f"\nruns.wait latency {latency:.2f} s")  # noqa: T201
    assert isinstance(out, dict)
    rec = out["record"]
    assert rec["outcome"] == "answer" and rec["answered_from_cache"] and "12" in out["answer"]
    assert out["messages"][-1]["type"] == "ai"

    thread = await client.threads.create()
    seen: dict[str, list[Any]] = {}
    human: Any = {"type": "human", "content": "list secrets in boutique"}
    async for part in client.runs.stream(
        thread["thread_id"],
        "agent",
        input={"messages": [human]},
        stream_mode=["values", "updates", "messages"],
    ):
        seen.setdefault(part.event.split("/")[0], []).append(part.data)
    assert {"metadata", "values", "updates", "messages"} <= set(seen), set(seen)
    assert NODES - {"gemini", "tool_call"} <= {k for u in seen["updates"] for k in u}
    final = seen["values"][-1]
    assert "redis-password" in final["answer"] and final["record"]["outcome"] == "answer"
    assert "CANARY-SECRET" not in repr(seen)

    state: Any = await client.threads.get_state(thread["thread_id"])
    assert state["values"]["record"] == final["record"]
    # What Studio's chat shows: the question and the answer, no empty bubble of the deciding step.
    shown = [(m["type"], m["content"]) for m in state["values"]["messages"]]
    assert shown == [("human", "list secrets in boutique"), ("ai", final["answer"])]


async def test_write_stops_for_approval_and_resumes_through_the_sdk(server: Server) -> None:
    client = server.client()
    pods = {p["metadata"]["name"] for p in server.cluster.list("pod", "boutique")}
    victim = next(n for n in pods if n.startswith("checkoutservice-"))

    refused = await client.threads.create()
    await client.runs.wait(refused["thread_id"], "agent", input={"query": "delete the checkoutservice pod"})
    (pending,) = _interrupts(await client.threads.get_state(refused["thread_id"]))
    assert pending["type"] == "approval" and pending["tool"] == "pods_delete"
    assert pending["args"] == {"namespace": "boutique", "name": victim}
    out = await client.runs.wait(
        refused["thread_id"], "agent", command={"resume": {"approved": False, "by": "test"}}
    )
    assert isinstance(out, dict) and out["record"]["executed"] is False
    assert victim in {p["metadata"]["name"] for p in server.cluster.list("pod", "boutique")}

    approved = await client.threads.create()
    await client.runs.wait(approved["thread_id"], "agent", input={"query": "delete the checkoutservice pod"})
    (pending,) = _interrupts(await client.threads.get_state(approved["thread_id"]))
    assert pending["type"] == "approval" and pending["args"]["name"] == victim
    out = await client.runs.wait(
        approved["thread_id"], "agent", command={"resume": {"approved": True, "by": "test"}}
    )
    assert isinstance(out, dict)
    assert out["record"]["executed"] and out["record"]["outcome"] == "executed"
    assert victim not in {p["metadata"]["name"] for p in server.cluster.list("pod", "boutique")}


async def test_clarification_answered_through_the_sdk(server: Server) -> None:
    client = server.client()
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "agent", input={"query": "查看 frontend 的日志"})
    (pending,) = _interrupts(await client.threads.get_state(thread["thread_id"]))
    assert pending["type"] == "clarify"
    assert "boutique/frontend" in pending["candidates"]
    out = await client.runs.wait(
        thread["thread_id"], "agent", command={"resume": {"choice": "boutique/frontend"}}
    )
    assert isinstance(out, dict)
    rec = out["record"]
    assert rec["outcome"] == "answer" and rec["tool"] == "pods_log"
    assert rec["params"]["namespace"] == "boutique"


async def test_refresh_graph_runs_under_the_server(server: Server) -> None:
    client = server.client()
    out = await client.runs.wait(None, "refresh", input={"tier": "dynamic", "force": True})
    assert isinstance(out, dict)
    assert out["status"] == "completed" and out["planned"] == ["dynamic"]
    assert out["results"]["dynamic"]["status"] == "completed"


def test_server_persistence_holds_no_secret_while_running(server: Server) -> None:
    assert _canary_files() == []

"""Response time of reads answered from the cache against the same reads through the MCP server.

Run: ``python bench/latency.py`` from the project root (``--pods 0`` skips the large cluster).

Part 1, on the demo cluster (devcluster → kubernetes-mcp-server, offline planner): each read
question is asked of the agent with a warm cache; the turn's wall time (the whole agent turn,
answered from the cache, no MCP call) is set against the time of the call the turn would
otherwise make (the tool and arguments the agent selected, called on the live MCP session)
plus parsing its output. Medians of several repetitions per question. The spec's response
time improvement is ``1 - cache/mcp`` (target above 50%; aim 20× faster).

Part 2, on a generated cluster (default 10,000 pods): a static then dynamic refresh (its scan
time printed), then about 30 read questions naming objects that exist there; p50/p95 of the
agent's non-LLM time per turn (``record["non_llm_ms"]``, aim p50 under 50 ms) and of the
turn's wall time.

Part 3, Gemini: the demo's read questions with ``LLM_PROVIDER=gemini`` through the local
Gemini stub (``tests/support/gemini_stub.py``) answering after a fixed simulated model latency
(``--llm-latency``, default 0.8 s), once with ``LLM_ANSWER_POLICY=always`` and once with
``when_needed``: the share of turns that made no LLM call and the p50 wall time of each.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devcluster.cluster import DevCluster  # noqa: E402
from graph.agent import build_agent  # noqa: E402
from graph.run import DURABILITY  # noqa: E402
from kcache import runtime, scan  # noqa: E402
from kcache.context import Context  # noqa: E402
from kcache.parsing import parse_list, parse_object  # noqa: E402
from kcache.planner import canonical_args, tool_args  # noqa: E402
from kcache.settings import Settings  # noqa: E402

DEMO = ROOT / "devcluster" / "clusters" / "demo"
QUESTIONS = (
    "show me all pods in the boutique namespace",
    "集群里有哪些命名空间？",
    "list the nodes",
    "列出 kube-system 下的服务",
    "describe the coredns deployment",
    "list configmaps in boutique",
    "list ingresses in boutique",
    "list secrets in boutique",
)
REPEATS = 5
AIM_IMPROVEMENT = 0.5
AIM_SPEEDUP = 20.0
AIM_P50_MS = 50.0


def _settings(tmp: Path, kubeconfig: Path) -> Settings:
    return Settings.from_env(
        {
            "CACHE_DB_PATH": str(tmp / "cache.db"),
            "KUBECONFIG": str(kubeconfig),
            "LLM_PROVIDER": "offline",
            "SCANNER_TIMEOUT": "120",
            "LOG_LEVEL": "WARNING",
        }
    )


class Agent:
    """A compiled agent with an in-memory checkpointer; one thread per question."""

    def __init__(self, kc: runtime.Kcache) -> None:
        self.graph = build_agent(kc).compile(checkpointer=InMemorySaver())
        self.n = 0

    async def ask(self, question: str) -> tuple[dict[str, Any], dict[str, Any], float]:
        """(output, final state values, wall ms) of one dry-run turn."""
        self.n += 1
        config: RunnableConfig = {"configurable": {"thread_id": f"bench-{self.n}"}}
        start = time.perf_counter()
        out = await self.graph.ainvoke(
            {"messages": [HumanMessage(question)]},
            config,
            context=Context(dry_run=True),
            durability=DURABILITY,
        )
        wall = (time.perf_counter() - start) * 1000
        state = (await self.graph.aget_state(config)).values
        return out, state, wall


async def _mcp_read_ms(kc: runtime.Kcache, state: dict[str, Any]) -> tuple[str, float]:
    """Call the turn's selected tool through MCP and parse it; (tool, ms)."""
    chosen = state["selected"][0]
    args = tool_args(kc.registry, chosen, canonical_args(state))
    kind = state["understanding"]["resource"]
    start = time.perf_counter()
    result = await kc.mcp.call(chosen["tool"], args)
    if result.is_error:
        raise RuntimeError(f"{chosen['tool']}({args}) failed: {result.text[:300]}")
    if chosen["operation"] == "get":
        parse_object(result.text, kind=kind, structured=result.structured)
    else:
        parse_list(result.text, kind=kind, structured=result.structured)
    return chosen["tool"], (time.perf_counter() - start) * 1000


async def cache_vs_mcp() -> None:
    """Part 1: the demo cluster's read questions, cache against MCP."""
    with tempfile.TemporaryDirectory() as tmp_s, DevCluster(DEMO) as dc:
        tmp = Path(tmp_s)
        dc.write_kubeconfig(tmp / "kubeconfig.yaml")
        async with runtime.open(_settings(tmp, tmp / "kubeconfig.yaml")) as kc:
            agent = Agent(kc)
            await agent.ask(QUESTIONS[0])  # the first turn refreshes the empty cache
            print("Part 1 — demo cluster, warm cache vs kubernetes-mcp-server (median of", REPEATS, "runs)")
            header = (
                f"{'question':44} {'tool':24} {'cache ms':>9} {'MCP ms':>8} {'improv.':>8} {'speed-up':>9}"
            )
            print(header)
            print("-" * len(header))
            improvements, speedups = [], []
            for q in QUESTIONS:
                cache_ms, mcp_ms = [], []
                tool = "?"
                for _ in range(REPEATS):
                    out, state, wall = await agent.ask(q)
                    rec = out["record"]
                    if not rec["answered_from_cache"] or rec["outcome"] != "answer":
                        raise RuntimeError(f"{q!r} was not answered from the cache: {rec}")
                    cache_ms.append(wall)
                    tool, ms = await _mcp_read_ms(kc, state)
                    mcp_ms.append(ms)
                c, m = statistics.median(cache_ms), statistics.median(mcp_ms)
                improvements.append(1 - c / m)
                speedups.append(m / c)
                print(f"{q[:44]:44} {tool:24} {c:9.1f} {m:8.1f} {1 - c / m:8.0%} {m / c:8.1f}×")
            med_i, med_s = statistics.median(improvements), statistics.median(speedups)
            print("-" * len(header))
            print(
                f"{'median':69} {med_i:8.0%} {med_s:8.1f}×   "
                f"(target improvement > {AIM_IMPROVEMENT:.0%}: {'met' if med_i > AIM_IMPROVEMENT else 'NOT met'}; "
                f"aim {AIM_SPEEDUP:g}×: {'met' if med_s >= AIM_SPEEDUP else 'not met'})"
            )
            print("cache ms = the whole agent turn answered from the cache (intent → answer, no MCP call);")
            print("MCP ms = only the selected tool's call on the open MCP session plus parsing its output.")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _questions(names: dict[str, list[tuple[str | None, str]]], n: int) -> list[str]:
    rng = random.Random(7)
    deployments = names.get("deployment", [])
    namespaces = sorted({ns for ns, _ in deployments if ns})
    templates = [
        lambda ns, d: f"list pods in {ns}",
        lambda ns, d: f"describe the {d} deployment in {ns}",
        lambda ns, d: f"list services in {ns}",
        lambda ns, d: f"{ns} 命名空间有多少个 pod？",
        lambda ns, d: f"show pods with label app={d.split('-')[0]} in {ns}",
        lambda ns, d: f"list deployments in {ns}",
    ]
    out = []
    for i in range(n):
        ns, name = rng.choice(deployments)
        out.append(templates[i % len(templates)](ns or rng.choice(namespaces), name))
    return out


async def large_cluster(pods: int, turns: int) -> None:
    """Part 2: non-LLM time per turn on a generated cluster."""
    spec = f"pods={pods},namespaces=50,nodes=20"
    print()
    print(f"Part 2 — generated cluster {spec}")
    with tempfile.TemporaryDirectory() as tmp_s, DevCluster(generate=spec) as dc:
        tmp = Path(tmp_s)
        dc.write_kubeconfig(tmp / "kubeconfig.yaml")
        async with runtime.open(_settings(tmp, tmp / "kubeconfig.yaml")) as kc:
            for tier in ("static", "dynamic"):
                result = await scan.run_tier(kc, tier)
                rows = sum(s.count for s in result.scopes)
                print(
                    f"refresh {tier:8} {result.status:10} {result.duration_ms / 1000:7.2f} s  {rows:7d} rows"
                )
                if result.status != "completed":
                    print("  failed scopes:", result.summary()["failed"])
            names = await kc.store.names(kc.cluster, ["deployment"])
            agent = Agent(kc)
            non_llm, walls, outcomes = [], [], []
            for q in _questions(names, turns):
                out, _, wall = await agent.ask(q)
                rec = out["record"]
                non_llm.append(float(rec["non_llm_ms"]))
                walls.append(wall)
                outcomes.append(f"{rec['outcome']}{'/cache' if rec['answered_from_cache'] else ''}")
            counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
            print(f"{turns} read turns, outcomes: {counts}")
            print(f"{'per turn':22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
            for label, vals in (("non-LLM (record)", non_llm), ("wall", walls)):
                print(
                    f"{label:22} {_percentile(vals, 0.5):8.1f} {_percentile(vals, 0.95):8.1f} {max(vals):8.1f}"
                )
            p50 = _percentile(non_llm, 0.5)
            print(f"aim: non-LLM p50 < {AIM_P50_MS:g} ms: {'met' if p50 < AIM_P50_MS else 'NOT met'}")


async def gemini_policy(latency_s: float) -> None:
    """Part 3: read questions through Gemini (the stub), with and without LLM_ANSWER_POLICY."""
    from tests.support.gemini_stub import GeminiStub

    print()
    print(f"Part 3 — LLM_PROVIDER=gemini through the Gemini stub, simulated model latency {latency_s:g} s")
    print(f"{'policy':12} {'turns':>6} {'no LLM call':>12} {'p50 wall ms':>12} {'p95 wall ms':>12}")
    with tempfile.TemporaryDirectory() as tmp_s, DevCluster(DEMO) as dc, GeminiStub() as stub:
        tmp = Path(tmp_s)
        dc.write_kubeconfig(tmp / "kubeconfig.yaml")
        for policy in ("always", "when_needed"):
            env = {
                "CACHE_DB_PATH": str(tmp / f"{policy}.db"),
                "KUBECONFIG": str(tmp / "kubeconfig.yaml"),
                "LLM_PROVIDER": "gemini",
                "GOOGLE_API_KEY": "bench",
                "LLM_BASE_URL": stub.url,
                "LLM_ANSWER_POLICY": policy,
                "LOG_LEVEL": "WARNING",
            }
            async with runtime.open(Settings.from_env(env)) as kc:
                agent = Agent(kc)
                stub.reply_text("warm", delay_s=latency_s)
                await agent.ask(QUESTIONS[0])  # the first turn refreshes the empty cache
                walls, silent = [], 0
                for q in QUESTIONS * 2:
                    before = len(stub.requests)
                    stub.reply_text("answered", delay_s=latency_s)
                    out, _, wall = await agent.ask(q)
                    walls.append(wall)
                    silent += len(stub.requests) == before and out["record"]["llm_calls"] == 0
            turns = len(walls)
            print(
                f"{policy:12} {turns:6d} {silent / turns:12.0%} "
                f"{_percentile(walls, 0.5):12.1f} {_percentile(walls, 0.95):12.1f}"
            )
            stub.reset()  # drop the replies the policy did not need


async def main() -> None:
    """Run the three parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000, help="pods of the generated cluster (0 skips)")
    parser.add_argument("--turns", type=int, default=30, help="read turns on the generated cluster")
    parser.add_argument("--llm-latency", type=float, default=0.8, help="simulated Gemini latency in seconds")
    args = parser.parse_args()
    await cache_vs_mcp()
    if args.pods:
        await large_cluster(args.pods, args.turns)
    await gemini_policy(args.llm_latency)


if __name__ == "__main__":
    asyncio.run(main())

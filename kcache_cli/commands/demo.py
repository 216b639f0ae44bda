"""``kcache demo``: the whole loop on the demo cluster, offline, in a temporary folder.

It starts devcluster on ``devcluster/clusters/demo``, opens kcache (which starts
kubernetes-mcp-server against it), refreshes both tiers, answers sample questions in
Chinese and English with the deterministic offline planner, shows what the cache saved,
and shuts everything down. A write is shown with the approval it needs and never run.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from graph.run import compile_agent_for_turns, run_refresh, run_turn, tier_lines
from kcache import runtime
from kcache.context import Context
from kcache.errors import KcacheError
from kcache.settings import PROJECT_ROOT, Settings
from kcache_cli.commands.common import age_text, echo
from kcache_cli.commands.prompts import describe_call

DEMO_CLUSTER = PROJECT_ROOT / "devcluster" / "clusters" / "demo"
QUESTIONS: tuple[str, ...] = (
    "列出 boutique 命名空间下的所有 pod",
    "show me the logs of frontend in boutique",
    "why is cartservice in boutique-staging failing?",
    "把 boutique 里的 currencyservice 扩容到 2 个副本",
    "list the namespaces",
)


async def _mcp_calls(kc: runtime.Kcache) -> int:
    return sum(int(row["usage_count"]) for row in await kc.store.tool_usage())


async def _ask(kc: runtime.Kcache, agent: Any, question: str, totals: dict[str, int]) -> None:
    async def show_approval(payload: dict[str, Any]) -> dict[str, Any]:
        echo("  needs approval (the demo never runs writes):")
        echo("    " + describe_call(payload).replace("\n", "\n    "))
        return {"approved": False, "by": "kcache demo (declined)"}

    async def no_choice(payload: dict[str, Any]) -> None:
        echo(f"  {payload.get('question') or 'Which one do you mean?'}")
        for number, candidate in enumerate(payload.get("candidates") or [], start=1):
            echo(f"    {number}. {candidate}")
        return None

    calls_before = await _mcp_calls(kc)
    start = time.perf_counter()
    result = await run_turn(
        agent,
        question,
        thread_id=str(uuid.uuid4()),
        context=Context(approval="ask"),
        on_approval=show_approval,
        on_clarify=no_choice,
    )
    elapsed = (time.perf_counter() - start) * 1000
    calls = await _mcp_calls(kc) - calls_before
    record = result.record
    if result.answer:
        echo("  " + result.answer.replace("\n", "\n  "))
    if record.get("outcome") == "confirm" and result.refused is None and record.get("tool"):
        echo(f"  would need approval to run: {record['tool']} {record.get('tool_args') or {}}")
    from_cache = bool(record.get("answered_from_cache"))
    lookups, hits = int(record.get("cache_lookups") or 0), int(record.get("cache_hits") or 0)
    totals["lookups"] += lookups
    totals["hits"] += hits
    totals["avoided"] += int(from_cache)
    totals["calls"] += calls
    saved = (
        f"answered from cache (data age {age_text(record.get('data_age_s'))}), 1 MCP call avoided"
        if from_cache
        else f"not from cache: {calls} MCP call(s)"
    )
    echo(f"  [{saved}; cache lookups {lookups}, hits {hits}; {elapsed:.0f} ms]")


async def run(settings: Settings) -> int:
    """Run the demo; exit 0 when every step ran."""
    from devcluster import DevCluster

    with tempfile.TemporaryDirectory(prefix="kcache-demo-") as tmp:
        folder = Path(tmp)
        demo = dataclasses.replace(
            settings,
            llm_provider="offline",
            cache_db_path=folder / "cache.db",
            kubeconfig=folder / "kubeconfig",
            cluster_name=None,
            log_file=folder / "kcache.log",
        )
        from kcache.logs import configure

        # Log lines would interleave with the demo's output; they go to a file in the temp folder.
        configure(demo)
        echo("LLM provider: offline (deterministic planner)")
        with DevCluster(DEMO_CLUSTER) as dc:
            dc.write_kubeconfig(folder / "kubeconfig")
            echo(f"devcluster: demo cluster at {dc.url}")
            async with runtime.open(demo, kubeconfig=folder / "kubeconfig") as kc:
                echo(f"MCP server: {kc.registry.server}, {len(kc.registry.caps)} tools")
                echo("refreshing the cache (static and dynamic tiers) ...")
                final = await run_refresh(kc, "all", lambda line: None)
                for line in tier_lines(final):
                    echo("  " + line)
                agent = compile_agent_for_turns(kc)
                totals = {"lookups": 0, "hits": 0, "avoided": 0, "calls": 0}
                failures = 0
                for question in QUESTIONS:
                    echo()
                    echo(f"> {question}")
                    try:
                        await _ask(kc, agent, question, totals)
                    except KcacheError as exc:
                        failures += 1
                        echo(f"  error: {type(exc).__name__}: {exc}")
                echo()
                rate = f"{totals['hits'] / totals['lookups'] * 100:.0f}%" if totals["lookups"] else "n/a"
                echo(
                    f"cache: {totals['hits']}/{totals['lookups']} lookups hit ({rate}); "
                    f"{totals['avoided']} MCP call(s) avoided, {totals['calls']} made"
                )
        echo("demo finished: devcluster and the MCP server are stopped")
    return 1 if failures else 0

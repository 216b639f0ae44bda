"""Prompt tokens kcache would send to Gemini per dev case, against an all-tools, raw-listing baseline.

Run: ``python bench/prompt.py`` from the project root (``--dataset FILE`` for another set).

Each case of ``evals/datasets/dev.jsonl`` runs as a dry-run turn with the offline planner on
the demo cluster (devcluster → kubernetes-mcp-server). kcache's prompt is what the Gemini
node would send for that state: the system instruction, the compact cache context and this
turn's tool exchange (``kcache.planner.gemini_messages``) plus the schemas of the selected
tools only. The baseline is what a plain MCP agent sends: every tool's schema as the server
lists it plus the raw output of the listing the request is about (its kind, in its
namespace). Tokens are estimated locally with ``kcache.prompt.estimate_tokens``.
Aim: kcache at most 30% of the baseline in total.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.checkpoint.memory import InMemorySaver

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devcluster.cluster import DevCluster  # noqa: E402
from graph.agent import build_agent  # noqa: E402
from kcache import runtime  # noqa: E402
from kcache.context import Context  # noqa: E402
from kcache.errors import ToolSelectionError  # noqa: E402
from kcache.model import KINDS, is_namespaced  # noqa: E402
from kcache.planner import gemini_messages  # noqa: E402
from kcache.prompt import estimate_tokens  # noqa: E402
from kcache.registry.select import build_args  # noqa: E402
from kcache.settings import Settings  # noqa: E402

DEMO = ROOT / "devcluster" / "clusters" / "demo"
DATASET = ROOT / "evals" / "datasets" / "dev.jsonl"
AIM_RATIO = 0.30


def _tool_tokens(tool: BaseTool) -> int:
    schema: Any = tool.args_schema
    if not isinstance(schema, dict):
        schema = json.loads(json.dumps(tool.tool_call_schema.model_json_schema()))  # type: ignore[union-attr]
    return estimate_tokens(json.dumps(schema) + (tool.description or ""))


def _message_tokens(messages: list[Any]) -> int:
    return sum(
        estimate_tokens(m.content if isinstance(m.content, str) else json.dumps(m.content)) for m in messages
    )


async def _raw_listing(kc: runtime.Kcache, kind: str | None, namespace: str | None) -> tuple[str, int]:
    """(tool, tokens) of the raw listing a plain agent would read for the request's kind."""
    if kind not in KINDS:
        return "-", 0
    scoped = namespace is not None and is_namespaced(kind)
    try:
        picks = kc.registry.select(
            resource=kind,
            operation="list",
            namespaced=scoped,
            all_namespaces=not scoped and is_namespaced(kind),
        )
    except ToolSelectionError:
        return "-", 0
    pick = next((p for p in picks if p.tool.read_only), None)
    if pick is None:
        return "-", 0
    params: dict[str, Any] = {"namespace": namespace} if scoped else {}
    if not scoped and is_namespaced(kind) and pick.tool.all_namespaces_param:
        params["all_namespaces"] = True
    result = await kc.mcp.call(pick.tool.name, build_args(pick, params))
    return pick.tool.name, estimate_tokens(result.text)


async def main() -> None:
    """Run every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args()
    cases = [
        json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp_s, DevCluster(DEMO) as dc:
        tmp = Path(tmp_s)
        dc.write_kubeconfig(tmp / "kubeconfig.yaml")
        settings = Settings.from_env(
            {
                "CACHE_DB_PATH": str(tmp / "cache.db"),
                "KUBECONFIG": str(tmp / "kubeconfig.yaml"),
                "LLM_PROVIDER": "offline",
                "LOG_LEVEL": "WARNING",
            }
        )
        async with runtime.open(settings) as kc:
            graph = build_agent(kc).compile(checkpointer=InMemorySaver())
            tools = await kc.mcp.tools()
            all_tools = estimate_tokens(json.dumps(await kc.mcp.raw_tools()))
            print(f"baseline: all {len(tools)} tools' schemas = {all_tools} tokens, plus the raw listing")
            header = f"{'case':8} {'outcome':10} {'selected':34} {'kcache':>7} {'baseline':>9} {'ratio':>6}"
            print(header)
            print("-" * len(header))
            total_k = total_b = 0
            for case in cases:
                config: RunnableConfig = {"configurable": {"thread_id": case["id"]}}
                out = await graph.ainvoke(
                    {"messages": [HumanMessage(case["query"])]}, config, context=Context(dry_run=True)
                )
                state = (await graph.aget_state(config)).values
                rec = out.get("record") or {}
                selected = [s["tool"] for s in state.get("selected", [])]
                if "resolved" in state and "plan" in state:
                    messages, _, _ = gemini_messages(state, settings)
                    kcache_tokens = _message_tokens(messages)
                else:
                    # A turn that ended before planning (a refusal) would send nothing; count the request.
                    kcache_tokens = estimate_tokens(case["query"])
                kcache_tokens += sum(_tool_tokens(tools[name]) for name in selected if name in tools)
                kind = rec.get("resource") or state.get("understanding", {}).get("resource")
                _, listing = await _raw_listing(kc, kind, (rec.get("params") or {}).get("namespace"))
                baseline = all_tools + estimate_tokens(case["query"]) + listing
                total_k += kcache_tokens
                total_b += baseline
                print(
                    f"{case['id']:8} {str(rec.get('outcome')):10} {','.join(selected)[:34]:34} "
                    f"{kcache_tokens:7d} {baseline:9d} {kcache_tokens / baseline:6.0%}"
                )
            ratio = total_k / total_b
            print("-" * len(header))
            print(
                f"{'total':54} {total_k:7d} {total_b:9d} {ratio:6.0%}   "
                f"(aim ≤ {AIM_RATIO:.0%}: {'met' if ratio <= AIM_RATIO else 'NOT met'})"
            )


if __name__ == "__main__":
    asyncio.run(main())

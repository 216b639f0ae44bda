"""Agent node ``tool_select``: the few tools of the registry that fit, never the whole list."""

from __future__ import annotations

import time
from typing import Any

from kcache.errors import ToolSelectionError
from kcache.kinds import KINDS, is_namespaced
from kcache.runtime import Holder
from kcache.state import AgentState, ToolChoice
from kcache.timing import node_timings
from kcache.writes import BUILT

# Operations the eval vocabulary uses → the registry's operation words; a patch operation
# (rollout restart, cordon) or a create is a server-side apply of the manifest kcache builds.
_OPERATION = {"diagnose": "get", "list": "list", "get": "get", "logs": "logs", "top": "top"} | dict.fromkeys(
    BUILT, "apply"
)


async def tool_select(state: AgentState, *, kc: Holder) -> dict[str, Any]:
    """Rank the registry's tools for (resource, operation); diagnoses also get a logs tool."""
    start = time.perf_counter()
    registry = await kc.tools()
    u, resolved = state["understanding"], state["resolved"]
    kind, op = u["resource"], u["operation"]
    selected: list[ToolChoice] = []
    if kind in KINDS:
        ns = resolved.get("namespace")
        named = bool(resolved.get("target"))
        wanted = _OPERATION.get(op, op)
        if op == "diagnose" and not named:
            wanted = "list"
        all_ns = wanted in ("list", "top") and ns is None and is_namespaced(kind)
        # A diagnosis reads logs of the failing pod; logs asked beside a read are read too.
        beside = any("logs_of" in ask for ask in resolved.get("also", []))
        plans = [(kind, wanted)] + (
            [("pod", "logs")] if op == "diagnose" or (beside and op != "logs") else []
        )
        # An object whose values are asked beside the first ask is read live (a ConfigMap's data).
        plans += [
            (read["kind"], "get")
            for ask in resolved.get("also", [])
            if (read := ask.get("read_of")) and (read["kind"], "get") not in plans
        ]
        for res, oper in plans:
            try:
                picks = registry.select(
                    resource=res,
                    operation=oper,
                    # An applied manifest carries its own namespace: the apply tool takes none.
                    # (nor does the scope of a log read beside another ask constrain its tool)
                    namespaced=None
                    if oper == "apply" or (oper == "logs" and op != "logs")
                    else ns is not None,
                    all_namespaces=all_ns and res == kind,
                    has_label_selector=bool(u.get("label_selector")),
                )
            except ToolSelectionError:
                picks = []
            for pick in picks:
                selected.append(
                    {
                        "tool": pick.tool.name,
                        "score": round(pick.score, 3),
                        "fixed_args": pick.fixed_args,
                        "reason": pick.reason,
                        "operation": oper,
                        "resource": res,
                        "writes": pick.tool.writes,
                        "destructive": pick.tool.destructive,
                    }
                )
    return {"selected": selected, "timings": node_timings(state, "tool_select", start)}

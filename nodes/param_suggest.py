"""Agent node ``param_suggest``: fill the chosen tool's parameters, validated, or decide not to act.

One exact match is used; several equally good ones pause the run with an ``interrupt``
carrying the candidates; none ends the turn with the nearest names and no tool call. A
write acts only on an exact match. A request to reveal a secret's value is refused.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from kcache.access import record_refusal, refused
from kcache.context import DEFAULT_CONTEXT, Context
from kcache.kinds import KINDS
from kcache.runtime import Holder
from kcache.state import AgentState, Missing, Param, Plan, Target, Understanding
from kcache.timing import node_timings
from kcache.understand import scale_target
from kcache.writes import PATCHES, WRITE_OPERATIONS, create_manifest


def _param(value: Any, source: str, confidence: float) -> Param:
    return {"value": value, "source": source, "confidence": confidence}


def _choose(candidates: list[str], answer: Any) -> str | None:
    """A clarification answer: a candidate, its index, or its namespace or name part."""
    if isinstance(answer, dict):
        answer = answer.get("choice")
    if isinstance(answer, int) and 0 <= answer < len(candidates):
        return candidates[answer]
    text = str(answer or "").strip()
    if text.isdigit() and 0 < int(text) <= len(candidates):
        return candidates[int(text) - 1]
    hits = [c for c in candidates if text in (c, *c.split("/"))]
    return hits[0] if len(hits) == 1 else None


def _missing(what: str, mention: str | None) -> Missing:
    return {"what": what, "mention": mention, "suggestions": []}


#: Operations that always go to the MCP server: the asker's permission is checked before planning.
CALLS_THE_SERVER = (*WRITE_OPERATIONS, "logs", "top")


async def _forbidden(kc: Holder | None, state: AgentState, resolved: dict[str, Any]) -> str | None:
    """The refusal when the asker may not do what the request asks where it asks it, else None.

    Checked once the namespace is known (named in the request, or the target's) or the kind
    is cluster-scoped, so a refusal reveals nothing the request did not name; without one
    the object is resolved as usual, and tool_call checks the call itself.
    """
    u = state["understanding"]
    if u["operation"] not in CALLS_THE_SERVER or u.get("wants_secret_value") or kc is None:
        return None
    target = resolved.get("target")
    kind = target["kind"] if target else u["resource"]
    # A namespace the asker's vocabulary lacks is still the one the request named.
    namespace = (
        (target or {}).get("namespace")
        or resolved.get("namespace")
        or u.get("namespace")
        or u.get("namespace_mention")
    )
    if not namespace and (kind not in KINDS or KINDS[kind]):
        return None
    asker = state.get("asker")
    reason = await refused(kc, asker, u["operation"], kind, namespace, language=u.get("language", "en"))
    if reason is not None:
        selected = state.get("selected") or []
        await record_refusal(
            kc,
            asker,
            tool=selected[0]["tool"] if selected else u["operation"],
            operation=u["operation"],
            kind=kind,
            namespace=namespace,
            name=target["name"] if target else u.get("name_mention"),
            reason=reason,
            writes=u["operation"] in WRITE_OPERATIONS,
        )
    return reason


def _can_create(u: Understanding) -> bool:
    """Whether kcache builds the whole manifest of this create (a named object of a kind it makes)."""
    if not (name := u.get("name_mention")):
        return False
    try:
        create_manifest(
            u["resource"], u.get("namespace"), name, data=u.get("data") or (), image=u.get("image")
        )
    except ValueError:
        return False
    return True


def _cannot(op: str) -> str:
    """Which capability is missing, said plainly: the server's tool, or kcache's manifest."""
    if op == "create":
        # The server can apply a manifest; kcache writes only the ones it can check field by
        # field (restart, cordon, and a Namespace, ConfigMap or Deployment made from a request).
        return (
            "kcache creates a named namespace, configmap (key=value data) or deployment (with "
            "--image) from a request; for anything else apply a manifest with kubectl apply -f"
        )
    return f"no tool of the MCP server can do a {op}"


async def param_suggest(
    state: AgentState, runtime: Runtime[Context], *, kc: Holder | None = None
) -> dict[str, Any]:
    """Canonical parameters with source and confidence, and the turn's outcome so far.

    ``kc`` (the turn's holder) checks the asker's permission for what goes to the MCP server.
    """
    start = time.perf_counter()
    ctx = runtime.context or DEFAULT_CONTEXT
    u, resolved = state["understanding"], state["resolved"].copy()
    op = u["operation"]
    params: dict[str, Param] = {}
    plan: Plan = {"outcome": None, "candidates": [], "reason": None, "missing": None}

    if (exists := resolved.get("exists")) is not None:
        where = f" in namespace {exists['namespace']}" if exists["namespace"] else ""
        plan.update(
            {"outcome": "refuse", "reason": f"{exists['kind']} {exists['name']} already exists{where}"}
        )
    if resolved.get("candidates"):
        candidates = list(resolved["candidates"])
        question = f"'{u.get('name_mention')}' matches {len(candidates)} objects equally well; which one do you mean?"
        if ctx.dry_run:
            plan.update({"outcome": "clarify", "candidates": candidates, "reason": question})
        else:
            choice = _choose(
                candidates, interrupt({"type": "clarify", "question": question, "candidates": candidates})
            )
            if choice is None:
                plan.update(
                    {"outcome": "clarify", "candidates": candidates, "reason": "no valid choice was given"}
                )
            else:
                chosen: Target = {**resolved["choices"][choice], "how": "chosen"}
                resolved["namespace"], resolved["namespace_source"] = chosen["namespace"], "user"
                resolved["target"] = chosen
                resolved.pop("candidates")
                resolved["clarified"] = choice

    if u.get("wants_secret_value"):
        plan.update(
            {
                "outcome": "refuse",
                "reason": "secret values are never revealed: kcache does not read, cache or show them "
                "(names, types and key names can be listed)",
            }
        )
    elif u.get("every") and u["intent"] == "action":
        scope = f" in namespace {resolved['namespace']}" if resolved.get("namespace") else ""
        plan.update(
            {
                "outcome": "refuse",
                "reason": f"a {op} of every {u['resource']}{scope} or of the whole cluster is not done: "
                "kcache changes one object named exactly, with approval",
            }
        )
    elif (op == "create" and not _can_create(u)) or (
        op not in ("list", "get", "logs", "top", "diagnose") and not state.get("selected")
    ):
        # No tool can do it at all (port-forward): said before any name is looked for.
        shown = "port-forward" if op == "portforward" else op
        plan.update({"outcome": "refuse", "reason": _cannot(shown)})
    elif (
        resolved.get("missing")
        and (u.get("unsure") or resolved["missing"].get("partial"))
        and resolved["missing"]["suggestions"]
    ):
        # Unsure the word was a name at all: ask which object was meant instead of "does not exist".
        missing = resolved["missing"]
        plan.update(
            {
                "outcome": "clarify",
                "candidates": missing["suggestions"],
                "missing": missing,
                "reason": f"not sure what '{missing['mention']}' refers to; did you mean one of these?",
            }
        )
    elif resolved.get("missing"):
        missing = resolved["missing"]
        plan.update(
            {"outcome": "not_found", "candidates": missing.get("suggestions", []), "missing": missing}
        )

    if (forbidden := await _forbidden(kc, state, dict(resolved))) is not None:
        # Before any approval is asked: an asker never sees a prompt for what they may not do.
        # A namespace the asker cannot see may be a typo of one they can: offer those, drawn
        # from their own view like any suggestion (a forbidden and a missing one read the same).
        unseen = resolved.get("missing")
        offered = list(unseen["suggestions"]) if unseen and unseen["what"] == "namespace" else []
        if offered:
            joined = ", ".join(offered)
            forbidden += f"；是否指 {joined}？" if u.get("language") == "zh" else f"; did you mean {joined}?"
        plan.update({"outcome": "refuse", "reason": forbidden, "candidates": offered, "missing": None})

    ns = resolved.get("namespace")
    target = resolved.get("target")
    if u["resource"] == "namespace" and op in WRITE_OPERATIONS and target:
        # "delete namespace test": a Namespace is cluster-scoped; its name is the object's name.
        ns = None
        params["name"] = _param(target["name"], f"cache:{target['how']}", 1.0)
    if ns:
        params["namespace"] = _param(
            ns,
            resolved.get("namespace_source") or "cache",
            1.0 if resolved.get("namespace_source") == "user" else 0.9,
        )
    if target and (u["resource"] != "namespace" or target["kind"] == "namespace"):
        # A Namespace read is of the object of that name, in its own scope: both are its name.
        params["name"] = _param(
            target["name"], f"cache:{target['how']}", 1.0 if target["how"] == "exact" else 0.9
        )
    values: dict[str, Any] = {key: u.get(key) for key in ("label_selector", "replicas", "container", "tail")}
    if op == "scale" and values["replicas"] is None and target:
        # A relative scale ("double", "+2", "减少 50%"): the target from the cached count.
        current = next(
            (i["fields"].get("replicas") for i in resolved.get("items", []) if i["name"] == target["name"]),
            None,
        )
        values["replicas"] = scale_target(current, u.get("replicas_factor"), u.get("replicas_delta"))
    if u.get("command"):
        values["command"] = list(u["command"])
    for key, value in values.items():
        if value is not None:
            params[key] = _param(value, "user", 1.0)
    if u.get("previous"):
        params["previous"] = _param(True, "user", 1.0)

    if plan["outcome"] is None:
        if op not in ("list", "get", "logs", "top", "diagnose") and not state.get("selected"):
            plan.update({"outcome": "refuse", "reason": _cannot(op)})
        elif op in PATCHES and target and target["kind"] not in PATCHES[op][0]:
            kinds = ", ".join(PATCHES[op][0])
            plan.update(
                {"outcome": "refuse", "reason": f"a {op} applies to {kinds}, not to a {target['kind']}"}
            )
        elif op == "update" and not u.get("data"):
            plan.update(
                {
                    "outcome": "refuse",
                    "reason": "an update of a ConfigMap needs the keys and values to set "
                    "(say 'set LOG_LEVEL=debug in configmap X')",
                }
            )
        elif op == "exec" and not u.get("command"):
            plan.update(
                {
                    "outcome": "refuse",
                    "reason": "exec needs the command to run (say 'exec into X and run ls')",
                }
            )
        elif op in WRITE_OPERATIONS and not target:
            plan.update({"outcome": "not_found", "missing": _missing(u["resource"], u.get("name_mention"))})
        elif op == "scale" and ((replicas := values["replicas"]) is None or int(replicas) < 0):
            plan.update(
                {
                    "outcome": "refuse",
                    "reason": "scaling needs a replica count that is a non-negative integer",
                }
            )
        elif (
            op in ("logs", "get")
            and u["resource"] not in ("cluster",)
            and u.get("name_mention")
            and not target
        ):
            plan.update({"outcome": "not_found", "missing": _missing(u["resource"], u.get("name_mention"))})
        elif (
            op in WRITE_OPERATIONS
            and target
            and target.get("how") not in ("exact", "workload", "chosen", "new")
        ):
            plan.update(
                {
                    "outcome": "not_found",
                    "candidates": [target["name"]],
                    "reason": "only an exact name is acted on",
                    "missing": _missing(u["resource"], u.get("name_mention")),
                }
            )
    plan["params"] = params
    return {"plan": plan, "resolved": resolved, "timings": node_timings(state, "param_suggest", start)}

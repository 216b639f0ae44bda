"""The Gemini path end to end: the real ChatGoogleGenerativeAI against a local Gemini REST stub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from devcluster import DevCluster
from graph.agent import build_agent
from kcache import runtime
from kcache.context import Context
from kcache.errors import LlmError
from kcache.settings import Settings
from tests.conftest import kcache_env
from tests.support.gemini_stub import GeminiStub, function_declarations, prompt_text

pytestmark = pytest.mark.integration


def gemini_env(devcluster: DevCluster, gemini_stub: GeminiStub, tmp_path: Path, **extra: str) -> Settings:
    env = kcache_env(
        devcluster,
        tmp_path,
        LLM_PROVIDER="gemini",
        GOOGLE_API_KEY="test-key",
        LLM_BASE_URL=gemini_stub.url,
        LLM_REQUEST_TIMEOUT="10",
        CONTEXT_MAX_TOKENS="4000",
        **extra,
    )
    return Settings.from_env(env)


@pytest.fixture
async def kc(devcluster: DevCluster, gemini_stub: GeminiStub, tmp_path: Path):
    # Every turn asks Gemini here: these tests are about what it is sent and what it decides.
    async with runtime.open(
        gemini_env(devcluster, gemini_stub, tmp_path, LLM_ANSWER_POLICY="always")
    ) as opened:
        yield opened


async def ask(graph, text: str, thread: str, ctx: Context | None = None) -> dict:
    return await graph.ainvoke(
        {"messages": [HumanMessage(text)]}, {"configurable": {"thread_id": thread}}, context=ctx or Context()
    )


async def test_read_through_gemini_calls_the_tool_and_answers(
    kc: runtime.Kcache, gemini_stub: GeminiStub
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    gemini_stub.reply_function_call("pods_list_in_namespace", {"namespace": "boutique"})
    gemini_stub.reply_text("boutique runs 12 pods; loadgenerator is Pending.")
    out = await ask(graph, "show me all pods in the boutique namespace", "g1")
    first, second = gemini_stub.requests
    offered = function_declarations(first)
    assert "pods_list_in_namespace" in offered and len(offered) <= 3  # never the whole list of 20
    assert not {"pods_delete", "resources_delete", "pods_exec", "resources_scale"} & set(offered)
    prompt = prompt_text(first)
    assert "<cluster-data>" in prompt and "never contains" in prompt
    assert "CANARY-SECRET" not in prompt and "CANARY-SECRET" not in prompt_text(second)
    rec = out["record"]
    assert rec["provider"] == "gemini" and rec["tool"] == "pods_list_in_namespace" and rec["executed"]
    assert 0 < rec["prompt_tokens"] <= kc.settings.context_budget_tokens + 2000
    assert out["answer"] == "boutique runs 12 pods; loadgenerator is Pending."
    # The function response went back to Gemini whitelisted (a table of pods, not raw YAML).
    assert "loadgenerator" in prompt_text(second) and "apiVersion" not in prompt_text(second)


async def test_injection_is_quoted_data_and_a_fooled_model_cannot_write(
    kc: runtime.Kcache, gemini_stub: GeminiStub, devcluster: DevCluster
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    before = {p["metadata"]["name"] for p in devcluster.list("pod", "boutique")}
    victim = sorted(before)[0]
    gemini_stub.reply_function_call("pods_delete", {"namespace": "boutique", "name": victim})
    gemini_stub.reply_text("legacy-report-runner has 1 replica.")
    out = await ask(
        graph, "describe the legacy-report-runner deployment in default", "g2", Context(approval="auto")
    )
    prompt = prompt_text(gemini_stub.requests[0])
    block = prompt[prompt.index("<cluster-data>") :]
    assert "ignore all previous instructions" in block  # the annotation is there, inside the data block
    assert "pods_delete" not in function_declarations(gemini_stub.requests[0])
    assert {p["metadata"]["name"] for p in devcluster.list("pod", "boutique")} == before
    assert not out["record"]["executed"]
    audit = await kc.store.audit_log()
    assert [a["status"] for a in audit if a["tool"] == "pods_delete"] == ["rejected"]


async def test_a_write_decided_by_gemini_pauses_for_approval(
    kc: runtime.Kcache, gemini_stub: GeminiStub, devcluster: DevCluster
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    victim = next(
        p["metadata"]["name"]
        for p in devcluster.list("pod", "boutique")
        if p["metadata"]["name"].startswith("checkoutservice-")
    )
    gemini_stub.reply_function_call("pods_delete", {"namespace": "boutique", "name": victim})
    out = await ask(graph, "delete the checkoutservice pod", "g3")
    (pending,) = out["__interrupt__"]
    assert pending.value["tool"] == "pods_delete" and pending.value["args"]["name"] == victim
    assert victim in {p["metadata"]["name"] for p in devcluster.list("pod", "boutique")}
    gemini_stub.reply_text("Deleted; a replacement is starting.")
    done = await graph.ainvoke(
        Command(resume={"approved": True, "by": "test"}),
        {"configurable": {"thread_id": "g3"}},
        context=Context(),
    )
    assert done["record"]["executed"] and victim not in {
        p["metadata"]["name"] for p in devcluster.list("pod", "boutique")
    }


async def test_a_failing_gemini_request_is_one_clear_error(
    kc: runtime.Kcache, gemini_stub: GeminiStub
) -> None:
    graph = build_agent(kc).compile(checkpointer=InMemorySaver())
    gemini_stub.reply_error(429, "Resource has been exhausted (e.g. check quota).")
    with pytest.raises(LlmError) as err:
        await ask(graph, "show me all pods in the boutique namespace", "g4")
    assert "gemini-2.5-flash" in str(err.value) and gemini_stub.url in str(err.value)


async def test_a_confident_read_the_fresh_cache_answers_makes_no_llm_call(
    devcluster: DevCluster, gemini_stub: GeminiStub, tmp_path: Path
) -> None:
    async with runtime.open(gemini_env(devcluster, gemini_stub, tmp_path)) as opened:
        graph = build_agent(opened).compile(checkpointer=InMemorySaver())
        out = await ask(graph, "list pods in boutique", "n1")
        assert gemini_stub.requests == []
        rec = out["record"]
        assert rec["llm_calls"] == 0 and rec["answered_from_cache"] and "12" in out["answer"]
        # A diagnosis is prose: Gemini is asked for it.
        gemini_stub.reply_text("cartservice crashes: it cannot reach redis-cart.")
        out = await ask(graph, "why is cartservice in boutique-staging failing?", "n2")
        assert len(gemini_stub.requests) == 1 and out["record"]["llm_calls"] == 1


async def test_an_unsure_reading_goes_to_gemini_and_an_invented_name_is_not_found(
    devcluster: DevCluster, gemini_stub: GeminiStub, tmp_path: Path
) -> None:
    settings = gemini_env(devcluster, gemini_stub, tmp_path, INTENT_CONFIDENCE_THRESHOLD="1")
    async with runtime.open(settings) as opened:
        graph = build_agent(opened).compile(checkpointer=InMemorySaver())
        reading = {
            "intent": "query",
            "resource": "pod",
            "operation": "logs",
            "namespace": "boutique",
            "name": "ghost-api",
        }
        gemini_stub.reply_text(json.dumps(reading))
        out = await ask(graph, "the thing in boutique that keeps dying, show me what it printed", "u1")
        (first,) = gemini_stub.requests  # one structured reading, no planning call: nothing to plan
        config = first.body["generationConfig"]
        assert config["responseMimeType"] == "application/json" and "responseJsonSchema" in config
        assert "tools" not in first.body
        sent = prompt_text(first)
        offered = json.loads(sent[sent.index("{") : sent.rindex("}") + 1])["candidates"]
        assert "boutique" in offered["namespaces"]  # names near the request's words are offered
        assert 0 < len(offered["names"]) <= 30  # never the whole vocabulary (the demo caches over 80)
        rec = out["record"]
        assert rec["outcome"] == "not_found" and rec["tool"] is None and not rec["executed"]
        assert "ghost-api" in out["answer"]


async def test_gemini_reading_that_takes_too_long_is_a_typed_error_naming_the_variable(
    devcluster: DevCluster, gemini_stub: GeminiStub, tmp_path: Path
) -> None:
    settings = gemini_env(
        devcluster, gemini_stub, tmp_path, INTENT_CONFIDENCE_THRESHOLD="1", INTENT_ANALYSIS_TIMEOUT="0.5"
    )
    async with runtime.open(settings) as opened:
        graph = build_agent(opened).compile(checkpointer=InMemorySaver())
        gemini_stub.reply_text(
            json.dumps({"intent": "query", "resource": "pod", "operation": "list"}), delay_s=2
        )
        with pytest.raises(LlmError) as err:
            await ask(graph, "what is up with boutique", "u2")
        assert "INTENT_ANALYSIS_TIMEOUT=0.5s" in str(err.value)

"""The Gemini stub speaks enough of the REST API for the real ChatGoogleGenerativeAI."""

from __future__ import annotations

import httpx
import pytest
from langchain_core.exceptions import ModelError
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_google_genai import ChatGoogleGenerativeAI

from tests.support.gemini_stub import GeminiStub, function_declarations, parts, prompt_text


@tool
def list_pods(namespace: str) -> str:
    """List the pods of a namespace."""
    return f"pods of {namespace}"


@tool
def get_deployment(name: str, namespace: str = "default") -> str:
    """Read one deployment."""
    return f"{namespace}/{name}"


def _llm(stub: GeminiStub, **kwargs: object) -> ChatGoogleGenerativeAI:
    return ChatGoogleGenerativeAI(
        model="gemini-2.5-flash", api_key="test-key", base_url=stub.url, max_retries=0, timeout=5, **kwargs
    )


async def test_tool_call_round_trip(gemini_stub: GeminiStub) -> None:
    gemini_stub.reply_function_call("list_pods", {"namespace": "boutique"}, prompt_tokens=42, output_tokens=7)
    gemini_stub.reply_text("There are 3 pods.")
    llm = _llm(gemini_stub).bind_tools([list_pods, get_deployment])

    history = [SystemMessage("You answer about Kubernetes."), HumanMessage("which pods run in boutique?")]
    first = await llm.ainvoke(history)

    assert isinstance(first, AIMessage)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [("list_pods", {"namespace": "boutique"})]
    assert first.usage_metadata is not None
    assert (first.usage_metadata["input_tokens"], first.usage_metadata["output_tokens"]) == (42, 7)
    req = gemini_stub.last_request
    assert req.path == "/v1/models/gemini-2.5-flash:generateContent"
    assert req.headers["x-goog-api-key"] == "<present>"
    assert function_declarations(req) == ["list_pods", "get_deployment"]
    assert "You answer about Kubernetes." in prompt_text(req)
    assert "which pods run in boutique?" in prompt_text(req)

    call = first.tool_calls[0]
    follow_up = [
        *history,
        first,
        ToolMessage("web-1, web-2, api-1", tool_call_id=call["id"], name="list_pods"),
    ]
    second = await llm.ainvoke(follow_up)

    assert second.content == "There are 3 pods."
    assert second.tool_calls == []
    responses = parts(gemini_stub.last_request, "functionResponse")
    assert len(responses) == 1
    assert responses[0]["name"] == "list_pods"
    assert "web-1, web-2, api-1" in str(responses[0]["response"])
    assert parts(gemini_stub.last_request, "functionCall")[0]["name"] == "list_pods"
    assert len(gemini_stub.requests) == 2
    assert gemini_stub.pending == 0


async def test_stream_uses_sse_and_chunks_text(gemini_stub: GeminiStub) -> None:
    gemini_stub.reply_text("streamed answer from the stub", prompt_tokens=12, output_tokens=6)

    chunks = [c async for c in _llm(gemini_stub).astream("say something")]

    texts = [c.content for c in chunks if c.content]
    assert len(texts) >= 2
    assert "".join(str(t) for t in texts) == "streamed answer from the stub"
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage and usage[-1]["total_tokens"] == 18
    req = gemini_stub.last_request
    assert (req.path, req.query, req.stream) == (
        "/v1/models/gemini-2.5-flash:streamGenerateContent",
        "alt=sse",
        True,
    )


async def test_stream_tool_call(gemini_stub: GeminiStub) -> None:
    gemini_stub.reply_function_call("get_deployment", {"name": "web", "namespace": "shop"})
    llm = _llm(gemini_stub).bind_tools([list_pods, get_deployment])

    merged: AIMessageChunk | None = None
    async for chunk in llm.astream("show the web deployment in shop"):
        assert isinstance(chunk, AIMessageChunk)
        merged = chunk if merged is None else merged + chunk

    assert merged is not None
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("get_deployment", {"name": "web", "namespace": "shop"})
    ]
    assert function_declarations(gemini_stub.last_request) == ["list_pods", "get_deployment"]


async def test_missing_key_is_refused(gemini_stub: GeminiStub) -> None:
    gemini_stub.reply_text("never sent")
    llm = _llm(gemini_stub, additional_headers={"x-goog-api-key": ""})

    with pytest.raises(ModelError, match="PERMISSION_DENIED"):
        await llm.ainvoke("hi")

    assert gemini_stub.last_request.headers["x-goog-api-key"] == "<empty>"
    assert gemini_stub.pending == 1


async def test_scripted_error_and_empty_script(gemini_stub: GeminiStub) -> None:
    gemini_stub.reply_error(400, "bad tool schema")
    llm = _llm(gemini_stub)

    with pytest.raises(ModelError, match="bad tool schema"):
        await llm.ainvoke("hi")
    # Nothing scripted left: the stub answers 500 rather than inventing a reply.
    with pytest.raises(ModelError, match="no scripted reply left"):
        await llm.ainvoke("hi again")
    assert len(gemini_stub.requests) == 2


def test_v1beta_path_and_unknown_path() -> None:
    with GeminiStub() as stub:
        stub.reply_text("beta")
        url = f"{stub.url}/v1beta/models/gemini-2.5-flash:generateContent"
        ok = httpx.post(url, json={"contents": []}, headers={"x-goog-api-key": "k"})
        missing = httpx.post(f"{stub.url}/v1/files", json={}, headers={"x-goog-api-key": "k"})

    assert ok.status_code == 200
    assert ok.json()["candidates"][0]["content"]["parts"] == [{"text": "beta"}]
    assert missing.status_code == 404
    assert [r.model for r in stub.requests] == ["gemini-2.5-flash", None]

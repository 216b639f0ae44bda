"""A local stand-in for the Gemini REST API, so tests drive the real ``ChatGoogleGenerativeAI``.

The stub listens on 127.0.0.1 (a free port) in a background thread and answers
``POST /v1/models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse`` (``/v1beta``
too). Tests script the replies in order with :meth:`GeminiStub.reply_text`,
:meth:`GeminiStub.reply_function_call` and :meth:`GeminiStub.reply_error`; every request is
recorded (path, headers without the API key, parsed body) for assertions.

When the script runs out the stub answers **500** with a Gemini-shaped error body: a test that
makes one model call more than it scripted fails loudly instead of reading a made-up "ok".

Usage::

    with GeminiStub() as stub:
        stub.reply_text("hello")
        llm = ChatGoogleGenerativeAI(
            model="gemini-2.5-flash", api_key="test-key", base_url=stub.url, max_retries=0, timeout=5
        )
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_PATH = re.compile(
    r"^/(v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$"
)
API_KEY_HEADER = "x-goog-api-key"


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One request the stub received."""

    method: str
    path: str
    """Path without the query string, e.g. ``/v1/models/gemini-2.5-flash:generateContent``."""
    query: str
    model: str | None
    stream: bool
    headers: dict[str, str]
    """Lower-cased header names; the API key's value is replaced by ``<present>`` or ``<empty>``."""
    body: Any


@dataclass(frozen=True, kw_only=True)
class _Reply:
    status: int
    payload: dict[str, Any]
    text_chunks: tuple[str, ...] = ()
    """For a streamed text reply: the pieces sent as separate SSE events."""
    delay_s: float = 0.0
    """How long the stub waits before answering (a slow model)."""


@dataclass(kw_only=True)
class _State:
    replies: deque[_Reply] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _usage(prompt_tokens: int, output_tokens: int) -> dict[str, int]:
    return {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": output_tokens,
        "totalTokenCount": prompt_tokens + output_tokens,
    }


def _candidate(parts: list[dict[str, Any]], finish: str | None = "STOP") -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return cand


def _error(status: int, message: str) -> dict[str, Any]:
    names = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
    return {"error": {"code": status, "message": message, "status": names.get(status, "INTERNAL")}}


def _split(text: str, pieces: int = 3) -> tuple[str, ...]:
    if len(text) < pieces:
        return (text,)
    step = -(-len(text) // pieces)
    return tuple(text[i : i + step] for i in range(0, len(text), step))


def function_declarations(req: RecordedRequest) -> list[str]:
    """Names of the tools a request declared (``tools[].functionDeclarations[].name``), in order."""
    body = req.body if isinstance(req.body, dict) else {}
    return [
        decl["name"] for tool in body.get("tools") or [] for decl in tool.get("functionDeclarations") or []
    ]


def prompt_text(req: RecordedRequest) -> str:
    """Every text part of the request's ``systemInstruction`` and ``contents``, joined by newlines."""
    body = req.body if isinstance(req.body, dict) else {}
    contents = list(body.get("contents") or [])
    if body.get("systemInstruction"):
        contents.insert(0, body["systemInstruction"])
    return "\n".join(
        part["text"] for content in contents for part in content.get("parts") or [] if "text" in part
    )


def parts(req: RecordedRequest, key: str) -> list[Any]:
    """Every ``contents[].parts[][key]`` of a request (e.g. ``functionResponse``), in order."""
    body = req.body if isinstance(req.body, dict) else {}
    return [part[key] for c in body.get("contents") or [] for part in c.get("parts") or [] if key in part]


class GeminiStub:
    """The stub server. Use as a context manager; ``url`` is the ``base_url`` to give the client."""

    def __init__(self) -> None:
        self._state = _State()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> GeminiStub:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        handler = type("_BoundHandler", (_Handler,), {"state": self._state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="gemini-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> GeminiStub:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the client's ``base_url``."""
        if self._server is None:
            raise RuntimeError("the Gemini stub is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- script -----------------------------------------------------------------------------
    def reply_text(
        self, text: str, *, prompt_tokens: int = 10, output_tokens: int = 5, delay_s: float = 0.0
    ) -> None:
        """Queue a plain text answer (streamed as a few chunks when the client streams), after ``delay_s``."""
        payload = {
            "candidates": [_candidate([{"text": text}])],
            "usageMetadata": _usage(prompt_tokens, output_tokens),
            "modelVersion": "gemini-stub",
        }
        self._push(_Reply(status=200, payload=payload, text_chunks=_split(text), delay_s=delay_s))

    def reply_function_call(
        self, name: str, args: dict[str, Any], *, prompt_tokens: int = 10, output_tokens: int = 5
    ) -> None:
        """Queue an answer asking for one tool call ``name(**args)``."""
        payload = {
            "candidates": [_candidate([{"functionCall": {"name": name, "args": args}}])],
            "usageMetadata": _usage(prompt_tokens, output_tokens),
            "modelVersion": "gemini-stub",
        }
        self._push(_Reply(status=200, payload=payload))

    def reply_function_calls(self, calls: list[tuple[str, dict[str, Any]]]) -> None:
        """Queue one answer asking for several tool calls at once, in order (as Gemini may)."""
        payload = {
            "candidates": [_candidate([{"functionCall": {"name": n, "args": a}} for n, a in calls])],
            "usageMetadata": _usage(10, 5),
            "modelVersion": "gemini-stub",
        }
        self._push(_Reply(status=200, payload=payload))

    def reply_error(self, status: int, message: str = "scripted failure") -> None:
        """Queue an HTTP error with Gemini's error body shape."""
        self._push(_Reply(status=status, payload=_error(status, message)))

    def _push(self, reply: _Reply) -> None:
        with self._state.lock:
            self._state.replies.append(reply)

    def reset(self) -> None:
        """Forget the scripted replies not consumed yet and the recorded requests."""
        with self._state.lock:
            self._state.replies.clear()
            self._state.requests.clear()

    @property
    def pending(self) -> int:
        """Scripted replies not consumed yet."""
        with self._state.lock:
            return len(self._state.replies)

    # --- record -----------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, oldest first."""
        with self._state.lock:
            return list(self._state.requests)

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request; fails when none arrived."""
        reqs = self.requests
        if not reqs:
            raise AssertionError("the Gemini stub received no request")
        return reqs[-1]

    function_declarations = staticmethod(function_declarations)
    prompt_text = staticmethod(prompt_text)
    parts = staticmethod(parts)


class _Handler(BaseHTTPRequestHandler):
    state: _State
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Keep test output quiet; the recorded requests say what happened."""

    def do_GET(self) -> None:
        self._send_json(404, _error(404, f"no GET route {self.path}"))

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode("utf-8", "replace")
        match = _PATH.match(path)
        stream = bool(match and match["method"] == "streamGenerateContent")
        headers = {k.lower(): v for k, v in self.headers.items()}
        has_key = bool(headers.get(API_KEY_HEADER))
        if API_KEY_HEADER in headers:
            headers[API_KEY_HEADER] = "<present>" if has_key else "<empty>"
        with self.state.lock:
            self.state.requests.append(
                RecordedRequest(
                    method="POST",
                    path=path,
                    query=query,
                    model=match["model"] if match else None,
                    stream=stream,
                    headers=headers,
                    body=body,
                )
            )
        if not has_key:
            self._send_json(
                403, _error(403, "Method doesn't allow unregistered callers. Please use API Key.")
            )
            return
        if match is None:
            self._send_json(404, _error(404, f"unknown path {path}"))
            return
        with self.state.lock:
            reply = self.state.replies.popleft() if self.state.replies else None
        if reply is not None and reply.delay_s:
            time.sleep(reply.delay_s)
        if reply is None:
            self._send_json(500, _error(500, "the Gemini stub has no scripted reply left"))
        elif reply.status != 200 or not stream:
            self._send_json(reply.status, reply.payload)
        else:
            self._send_sse(reply)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_sse(self, reply: _Reply) -> None:
        events: list[dict[str, Any]]
        if reply.text_chunks:
            # Gemini streams text in pieces; only the last event carries finishReason and usage.
            events = [
                {"candidates": [_candidate([{"text": chunk}], finish=None)], "modelVersion": "gemini-stub"}
                for chunk in reply.text_chunks
            ]
            events[-1] = reply.payload | {
                "candidates": [_candidate([{"text": reply.text_chunks[-1]}])],
            }
        else:
            events = [reply.payload]
        data = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

"""The one persistent MCP session of a process, through langchain-mcp-adapters.

A background task owns the session (anyio requires a session to be entered and left by
the same task), so any task can call tools while the owner keeps the server alive. A dead
session is reopened once on the next use; when that fails, :class:`McpUnavailableError`
names the command or URL and quotes the tail of the server's stderr.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.tools import load_mcp_tools
from mcp import ClientSession
from mcp.types import ServerNotification, ToolListChangedNotification

from kcache.errors import McpUnavailableError, ToolCallError
from kcache.logs import event
from kcache.redaction import redact
from kcache.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

STDERR_TAIL_BYTES = 2000


@dataclass(kw_only=True)
class ToolResult:
    """What one tool call returned."""

    tool: str
    text: str
    structured: dict[str, Any] | None = None
    is_error: bool = False
    duration_ms: float = 0.0


@dataclass(kw_only=True)
class _Live:
    session: ClientSession
    tools: dict[str, BaseTool]
    raw_tools: list[dict[str, Any]]
    closing: asyncio.Event = field(default_factory=asyncio.Event)


class McpConnection:
    """One MCP server, one session, shared by the refresh graph and the agent."""

    def __init__(self, settings: Settings, *, kubeconfig: Path | None = None) -> None:
        self.settings = settings
        self.kubeconfig = kubeconfig
        self.name = settings.mcp_server_name
        self._live: _Live | None = None
        self._runner: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._stderr_dir: tempfile.TemporaryDirectory[str] | None = None
        self.stderr_path = Path("/nonexistent/kcache-mcp-stderr.log")  # set in start()
        self.tools_changed = False
        self.reconnects = 0
        self.server_info: dict[str, Any] = {}

    # --- description ---------------------------------------------------------------------
    @property
    def server_label(self) -> str:
        """``name version`` as the server introduced itself (e.g. kubernetes-mcp-server 0.0.67)."""
        info = self.server_info
        return f"{info.get('name', self.name)} {str(info.get('version', '')).removeprefix('v')}".strip()

    @property
    def target(self) -> str:
        """The command line or URL, for messages (never credentials: headers are left out)."""
        if self.settings.mcp_server_type == "stdio":
            return shlex.join([self._command(), *self._args()])
        return self.settings.mcp_server_url

    def _command(self) -> str:
        return self.settings.mcp_server_url.removeprefix("stdio://")

    def _args(self) -> list[str]:
        kube = str(self.kubeconfig) if self.kubeconfig else ""
        out = []
        for arg in self.settings.mcp_server_args:
            if "{kubeconfig}" in arg:
                if not kube:
                    continue
                arg = arg.replace("{kubeconfig}", kube)
            out.append(arg)
        # Drop a dangling "--kubeconfig" whose value was left out above.
        if out and out[-1] == "--kubeconfig":
            out.pop()
        return out

    def stderr_tail(self) -> str:
        """The last lines the server wrote to stderr (stdio servers only)."""
        try:
            data = self.stderr_path.read_bytes()[-STDERR_TAIL_BYTES:]
        except OSError:
            return ""
        return redact(data.decode("utf-8", "replace").strip())

    def _connection(self) -> dict[str, Any]:
        kwargs = {"message_handler": self._on_message}
        if self.settings.mcp_server_type == "stdio":
            env = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "USER")}
            # kcache's venv first on PATH: mcp-server-kubernetes shells out to the pinned kubectl.
            env["PATH"] = os.pathsep.join([str(PROJECT_ROOT / ".venv" / "bin"), os.environ.get("PATH", "")])
            if self.kubeconfig:
                env["KUBECONFIG"] = str(self.kubeconfig)
            env.update(self.settings.mcp_server_env)
            # The adapters offer no hook for the child's stderr: a shell exec redirects it to a file
            # whose tail goes into error messages.
            script = 'exec "$0" "$@" 2>>"$KCACHE_MCP_STDERR"'
            env["KCACHE_MCP_STDERR"] = str(self.stderr_path)
            return {
                "transport": "stdio",
                "command": "/bin/sh",
                "args": ["-c", script, self._command(), *self._args()],
                "env": env,
                "session_kwargs": kwargs,
            }
        conn: dict[str, Any] = {
            "transport": self.settings.mcp_server_type,
            "url": self.settings.mcp_server_url,
            "session_kwargs": kwargs,
        }
        if self.settings.mcp_server_headers:
            conn["headers"] = dict(self.settings.mcp_server_headers)
        return conn

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, ServerNotification) and isinstance(message.root, ToolListChangedNotification):
            self.tools_changed = True
            event(logger, "mcp", "tools_list_changed", "the MCP server reported a changed tool list")

    # --- lifecycle -----------------------------------------------------------------------
    async def __aenter__(self) -> McpConnection:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Start the server (stdio) or connect (HTTP), list its tools; fail within SCANNER_TIMEOUT."""
        if self._stderr_dir is None:
            self._stderr_dir = await asyncio.to_thread(tempfile.TemporaryDirectory, prefix="kcache-mcp-")
            self.stderr_path = Path(self._stderr_dir.name) / "server-stderr.log"
        exists = await asyncio.to_thread(Path(self._command()).exists)
        if self.settings.mcp_server_type == "stdio" and not exists:
            raise McpUnavailableError(
                f"MCP server command not found: {self._command()} (run `make install`, or set MCP_SERVER_URL)"
            )
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[_Live] = loop.create_future()
        self._runner = asyncio.create_task(self._own(ready), name=f"mcp-session-{self.name}")
        start = time.perf_counter()
        try:
            self._live = await asyncio.wait_for(asyncio.shield(ready), timeout=self.settings.scanner_timeout)
        except TimeoutError:
            await self._stop_runner()
            raise McpUnavailableError(
                self._explain(f"did not answer tools/list within {self.settings.scanner_timeout:g}s")
            ) from None
        except McpUnavailableError:
            await self._stop_runner()
            raise
        event(
            logger,
            "mcp",
            "connect",
            f"MCP server {self.name} ready with {len(self._live.tools)} tools",
            duration_ms=(time.perf_counter() - start) * 1000,
        )

    async def _own(self, ready: asyncio.Future[_Live]) -> None:
        client = MultiServerMCPClient({self.name: self._connection()})  # type: ignore[dict-item]
        try:
            async with client.session(self.name, auto_initialize=False) as session:
                init = await session.initialize()
                self.server_info = {"name": init.serverInfo.name, "version": init.serverInfo.version}
                listed = await session.list_tools()
                raw = [t.model_dump(by_alias=True, exclude_none=True) for t in listed.tools]
                if not raw:
                    raise McpUnavailableError(self._explain("returned an empty tool list"))
                tools = await load_mcp_tools(session, server_name=self.name)
                live = _Live(session=session, tools={t.name: t for t in tools}, raw_tools=raw)
                ready.set_result(live)
                await live.closing.wait()
        except McpUnavailableError as exc:
            if not ready.done():
                ready.set_exception(exc)
        except asyncio.CancelledError:
            if not ready.done():
                ready.cancel()
            raise
        except BaseException as exc:  # noqa: BLE001 - every start failure becomes one typed error
            if not ready.done():
                ready.set_exception(McpUnavailableError(self._explain(f"failed to start: {_describe(exc)}")))
            else:
                event(
                    logger,
                    "mcp",
                    "session_lost",
                    f"MCP session ended: {_describe(exc)}",
                    level=logging.WARNING,
                )
                self._live = None

    def _explain(self, what: str) -> str:
        tail = self.stderr_tail()
        return f"MCP server {self.target} {what}" + (f"; its stderr ends with:\n{tail}" if tail else "")

    async def _stop_runner(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if self._live is not None:
            # A live session closes gracefully: the owner task leaves the session context.
            self._live.closing.set()
            try:
                await asyncio.wait_for(asyncio.shield(runner), timeout=5)
            except BaseException as exc:  # noqa: BLE001 - closing a broken session may raise anything
                logger.debug("closing the MCP session raised %s", _describe(exc))
        if not runner.done():
            # Never started, or stuck: cancel, and give the transport a moment to end the process.
            runner.cancel()
            try:
                await asyncio.wait_for(runner, timeout=3)
            except BaseException as exc:  # noqa: BLE001
                logger.debug("cancelling the MCP session raised %s", _describe(exc))
        self._live = None

    async def close(self) -> None:
        """Close the session and stop the server."""
        await self._stop_runner()
        if self._stderr_dir is not None:
            await asyncio.to_thread(self._stderr_dir.cleanup)
            self._stderr_dir = None

    async def _ensure(self) -> _Live:
        async with self._lock:
            dead = self._live is None or self._runner is None or self._runner.done()
            if dead:
                self.reconnects += 1
                event(
                    logger,
                    "mcp",
                    "reconnect",
                    f"MCP session to {self.name} is down; reconnecting once",
                    level=logging.WARNING,
                )
                await self._stop_runner()
                await self.start()
            assert self._live is not None
            return self._live

    async def raw_tools(self) -> list[dict[str, Any]]:
        """The server's tools as MCP dicts (name, description, inputSchema, annotations)."""
        return (await self._ensure()).raw_tools

    async def tools(self) -> dict[str, BaseTool]:
        """The server's tools as LangChain tools (what an LLM is bound to)."""
        return (await self._ensure()).tools

    async def reload_tools(self) -> list[dict[str, Any]]:
        """List the tools again (after ``tools/list_changed`` or when the mapping TTL expired)."""
        live = await self._ensure()
        listed = await live.session.list_tools()
        live.raw_tools = [t.model_dump(by_alias=True, exclude_none=True) for t in listed.tools]
        live.tools = {t.name: t for t in await load_mcp_tools(live.session, server_name=self.name)}
        self.tools_changed = False
        return live.raw_tools

    async def call(self, name: str, args: dict[str, Any], *, timeout: float | None = None) -> ToolResult:
        """Call one tool on the shared session, bounded by ``timeout`` (default SCANNER_TIMEOUT).

        A tool's own error comes back as ``is_error``; a transport failure marks the
        session dead and raises McpUnavailableError (the next call reconnects once).
        """
        live = await self._ensure()
        tool = live.tools.get(name)
        if tool is None:
            raise ToolCallError(f"the MCP server {self.name} has no tool {name!r}")
        limit = timeout if timeout is not None else self.settings.scanner_timeout
        call = {"type": "tool_call", "id": f"call-{uuid.uuid4().hex[:12]}", "name": name, "args": args}
        start = time.perf_counter()
        try:
            message = await asyncio.wait_for(tool.ainvoke(call), timeout=limit)
        except TimeoutError:
            raise ToolCallError(f"tool {name} did not answer within {limit:g}s") from None
        except ToolCallError:
            raise
        except Exception as exc:
            # Tool errors come back as messages; an exception is the transport: the session is dead,
            # and the next use reconnects once.
            self._live = None
            raise McpUnavailableError(self._explain(f"failed during {name}: {_describe(exc)}")) from exc
        duration = (time.perf_counter() - start) * 1000
        if not isinstance(message, ToolMessage):
            raise ToolCallError(f"tool {name} returned {type(message).__name__}, not a ToolMessage")
        structured = None
        if isinstance(message.artifact, dict):
            structured = message.artifact.get("structured_content")
        return ToolResult(
            tool=name,
            text=_text(message.content),
            structured=structured if isinstance(structured, dict) else None,
            is_error=message.status == "error",
            duration_ms=duration,
        )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "\n".join(parts)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

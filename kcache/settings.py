"""Configuration: every variable kcache reads, validated once, from the environment and `.env`.

``Settings.from_env()`` reads each variable with its default, collects every problem and
raises one :class:`ConfigError` naming each bad variable and its value. Nothing here opens
a connection; checks that depend on what a command needs (an LLM key, a kubeconfig) are
separate methods the command calls.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from dotenv import dotenv_values

from kcache.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""Relative paths in settings resolve against this folder (the project root)."""

DEFAULT_MCP_BINARY = "node_modules/kubernetes-mcp-server-linux-amd64/bin/kubernetes-mcp-server-linux-amd64"
"""The kubernetes-mcp-server that ``make install`` puts inside the project."""

LLM_PROVIDERS = ("gemini", "offline")
MCP_TYPES = ("stdio", "streamable_http", "sse")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
APPROVAL_POLICIES = ("ask", "auto", "deny")
ANSWER_POLICIES = ("when_needed", "always")
SCANNER_MODES = ("poll", "watch")

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """All of kcache's configuration. Build it with :meth:`from_env`."""

    # Cache (the spec's section 4).
    cache_db_path: Path = PROJECT_ROOT / "data" / "k8s_cache.db"
    cache_db_timeout: float = 30.0
    cache_db_max_connections: int = 10
    cache_db_key: str | None = field(default=None, repr=False)
    """CACHE_DB_KEY: encrypt the cache file with SQLCipher under this passphrase (a secret)."""
    cache_static_ttl: int = 1800
    cache_dynamic_ttl: int = 300
    cache_tool_mapping_ttl: int = 3600
    # Scanner.
    scanner_static_interval: int = 1800
    scanner_dynamic_interval: int = 300
    scanner_max_concurrent: int = 3
    scanner_timeout: float = 120.0
    scanner_retries: int = 2
    scanner_mode: str = "poll"
    """poll: the dynamic tier is rescanned every SCANNER_DYNAMIC_INTERVAL; watch: kept by list+watch."""
    # Context building.
    context_max_tokens: int = 100_000
    context_compression_ratio: float = 0.7
    intent_analysis_timeout: float = 10.0
    intent_confidence_threshold: float = 0.6
    """A reading less sure than this goes to Gemini (LLM_PROVIDER=gemini) or to the user (offline)."""
    # LLM.
    llm_provider: str = "gemini"
    llm_model_name: str = "gemini-2.5-flash"
    llm_max_input_context: int = 1_048_576
    llm_max_output_tokens: int = 32_768
    llm_request_timeout: float = 600.0
    llm_base_url: str | None = None
    llm_answer_policy: str = "when_needed"
    """when_needed: a confident read the fresh cache answers is composed without an LLM call."""
    google_api_key: str | None = field(default=None, repr=False)
    # MCP server.
    mcp_server_url: str = f"stdio://{PROJECT_ROOT / DEFAULT_MCP_BINARY}"
    mcp_server_type: str = "stdio"
    mcp_server_name: str = "kubernetes-mcp-server"
    mcp_server_args: tuple[str, ...] = ("--list-output", "yaml", "--kubeconfig", "{kubeconfig}")
    """``{kubeconfig}`` is replaced by the kubeconfig path when the server starts."""
    mcp_server_env: dict[str, str] = field(default_factory=dict, repr=False)
    mcp_server_headers: dict[str, str] = field(default_factory=dict, repr=False)
    # Cluster and agent.
    kubeconfig: Path | None = None
    cluster_name: str | None = None
    kcache_contexts: tuple[str, ...] = ()
    """Kubeconfig contexts to cache, each in its own partition; ``("all",)``: every one; empty: the current."""
    approval_policy: str = "ask"
    agent_max_tool_rounds: int = 4
    read_through_timeout: float = 15.0
    # Access.
    kcache_access_ttl: float = 120.0
    """Seconds an asker's access reviews (what they may read and do) are kept before asking again."""
    # Server auth (langgraph dev).
    kcache_auth_file: Path | None = None
    """KCACHE_AUTH_FILE: the server's token file (identity, token SHA-256, Kubernetes user/groups); unset: no auth."""
    # Logging.
    log_level: str = "INFO"
    log_file: Path | None = None
    log_file_max_bytes: int = 10 * 1024 * 1024
    log_file_backups: int = 5

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None
    ) -> Settings:
        """Read and validate every variable; raise one ConfigError listing all bad ones.

        Values come from ``environ`` (default ``os.environ``) over the ``.env`` file in the
        working directory (or ``dotenv_path``), so the real environment wins.
        """
        env_file = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
        merged: dict[str, str] = {}
        if env_file.is_file():
            merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        merged.update(os.environ if environ is None else environ)
        return _Reader(merged).build()

    # Checks that only some commands need.
    def require_llm(self) -> None:
        """Raise ConfigError when the configured provider cannot run (e.g. Gemini without a key)."""
        if self.llm_provider == "gemini" and not self.google_api_key:
            raise ConfigError(
                "LLM_PROVIDER='gemini' needs GOOGLE_API_KEY (or GEMINI_API_KEY); "
                "set it, or set LLM_PROVIDER=offline for the deterministic planner"
            )

    def resolve_kubeconfig(self) -> Path:
        """The kubeconfig kubectl would use; ConfigError when there is none."""
        candidates = [self.kubeconfig] if self.kubeconfig else [Path.home() / ".kube" / "config"]
        for path in candidates:
            if path is not None and path.is_file():
                return path
        shown = ", ".join(str(p) for p in candidates if p is not None)
        raise ConfigError(
            f"no kubeconfig found (looked at {shown}; set KUBECONFIG). "
            "Start the demo cluster with `kcache devcluster serve --cluster devcluster/clusters/demo "
            "--kubeconfig-out ./data/kubeconfig` or run `kcache demo`"
        )

    @property
    def model(self) -> str:
        """The Gemini model id, without the ``google/`` prefix the spec's example carries."""
        return self.llm_model_name.removeprefix("google/").removeprefix("models/")

    @property
    def context_budget_tokens(self) -> int:
        """Tokens the LLM context may take: CONTEXT_MAX_TOKENS × CONTEXT_COMPRESSION_RATIO."""
        return int(self.context_max_tokens * self.context_compression_ratio)

    def public(self) -> dict[str, Any]:
        """Settings as a dict with secrets masked (for `kcache config` and logs)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "cache_db_key":
                out[f.name] = "***" if value else None
                continue
            if f.name in ("google_api_key", "mcp_server_headers") and value:
                value = "***"
            elif f.name == "mcp_server_env" and value:
                value = {k: "***" for k in value}
            elif isinstance(value, Path):
                value = str(value)
            out[f.name] = value
        return out


class _Reader:
    """Reads typed values from a merged environment, collecting every error."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.errors: list[str] = []

    def _get(self, name: str, default: T, convert: Callable[[str], T]) -> T:
        raw = self.env.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return convert(raw.strip())
        except (ValueError, TypeError) as exc:
            self.errors.append(f"{name}={raw!r}: {exc}")
            return default

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        def conv(raw: str) -> int:
            try:
                value = int(raw)
            except ValueError:
                raise ValueError("not an integer") from None
            if value < minimum:
                raise ValueError(f"must be >= {minimum}")
            return value

        return self._get(name, default, conv)

    def number(self, name: str, default: float, *, positive: bool = True) -> float:
        def conv(raw: str) -> float:
            try:
                value = float(raw)
            except ValueError:
                raise ValueError("not a number") from None
            if not math.isfinite(value):
                raise ValueError("must be a finite number")
            if positive and not value > 0:
                raise ValueError("must be > 0")
            return value

        return self._get(name, default, conv)

    def choice(self, name: str, default: str, choices: tuple[str, ...], *, upper: bool = False) -> str:
        def conv(raw: str) -> str:
            value = raw.upper() if upper else raw.lower()
            if value not in choices:
                raise ValueError(f"must be one of {', '.join(choices)}")
            return value

        return self._get(name, default, conv)

    def path(self, name: str, default: Path | None) -> Path | None:
        def conv(raw: str) -> Path:
            p = Path(os.path.expanduser(raw))
            return p if p.is_absolute() else PROJECT_ROOT / p

        return self._get(name, default, conv)

    def text(self, name: str, default: str | None) -> str | None:
        raw = self.env.get(name)
        return raw.strip() if raw is not None and raw.strip() else default

    def secret(self, name: str) -> str | None:
        """A secret as given (not stripped); set but empty is an error. Its value is never shown."""
        raw = self.env.get(name)
        if raw is None:
            return None
        if not raw.strip():
            self.errors.append(f"{name} is set but empty: give it a passphrase, or unset it")
            return None
        if "\x00" in raw:
            self.errors.append(f"{name} contains a NUL character")
            return None
        return raw

    def pairs(self, name: str) -> dict[str, str]:
        def conv(raw: str) -> dict[str, str]:
            out: dict[str, str] = {}
            # A comma starts a new pair only before NAME=, so values may hold commas (a,b,c).
            for part in re.split(r",(?=\s*[A-Za-z_][A-Za-z0-9_]*=)", raw):
                if not part.strip():
                    continue
                key, sep, value = part.partition("=")
                if not sep or not key.strip():
                    raise ValueError(f"expected KEY=VALUE pairs separated by commas, got {part!r}")
                out[key.strip()] = value.strip()
            return out

        return self._get(name, {}, conv)

    def build(self) -> Settings:
        d = Settings()
        ratio = self.number("CONTEXT_COMPRESSION_RATIO", d.context_compression_ratio)
        if not 0 < ratio <= 1:
            self.errors.append(
                f"CONTEXT_COMPRESSION_RATIO={self.env.get('CONTEXT_COMPRESSION_RATIO')!r}: must be in (0, 1]"
            )
        threshold = self.number("INTENT_CONFIDENCE_THRESHOLD", d.intent_confidence_threshold)
        if not 0 < threshold <= 1:
            self.errors.append(
                f"INTENT_CONFIDENCE_THRESHOLD={self.env.get('INTENT_CONFIDENCE_THRESHOLD')!r}: must be in (0, 1]"
            )
        mcp_type = self.choice("MCP_SERVER_TYPE", d.mcp_server_type, MCP_TYPES)
        mcp_url = self._mcp_url(mcp_type)
        # KUBECONFIG may list several files, as for kubectl; the first one is used.
        kubeconfig_raw = self.env.get("KUBECONFIG", "").strip().split(os.pathsep)[0]
        kubeconfig = Path(os.path.expanduser(kubeconfig_raw)).absolute() if kubeconfig_raw else None
        args_raw = self.env.get("MCP_SERVER_ARGS")
        try:
            mcp_args = tuple(shlex.split(args_raw)) if args_raw is not None else d.mcp_server_args
        except ValueError as exc:
            self.errors.append(f"MCP_SERVER_ARGS={args_raw!r}: {exc}")
            mcp_args = d.mcp_server_args
        settings = Settings(
            cache_db_path=self.path("CACHE_DB_PATH", d.cache_db_path) or d.cache_db_path,
            cache_db_timeout=self.number("CACHE_DB_TIMEOUT", d.cache_db_timeout),
            cache_db_max_connections=self.integer(
                "CACHE_DB_MAX_CONNECTIONS", d.cache_db_max_connections, minimum=1
            ),
            cache_db_key=self.secret("CACHE_DB_KEY"),
            cache_static_ttl=self.integer("CACHE_STATIC_TTL", d.cache_static_ttl, minimum=1),
            cache_dynamic_ttl=self.integer("CACHE_DYNAMIC_TTL", d.cache_dynamic_ttl, minimum=1),
            cache_tool_mapping_ttl=self.integer(
                "CACHE_TOOL_MAPPING_TTL", d.cache_tool_mapping_ttl, minimum=1
            ),
            scanner_static_interval=self.integer(
                "SCANNER_STATIC_INTERVAL", d.scanner_static_interval, minimum=1
            ),
            scanner_dynamic_interval=self.integer(
                "SCANNER_DYNAMIC_INTERVAL", d.scanner_dynamic_interval, minimum=1
            ),
            scanner_max_concurrent=self.integer(
                "SCANNER_MAX_CONCURRENT", d.scanner_max_concurrent, minimum=1
            ),
            scanner_timeout=self.number("SCANNER_TIMEOUT", d.scanner_timeout),
            scanner_retries=self.integer("SCANNER_RETRIES", d.scanner_retries),
            scanner_mode=self.choice("SCANNER_MODE", d.scanner_mode, SCANNER_MODES),
            context_max_tokens=self.integer("CONTEXT_MAX_TOKENS", d.context_max_tokens, minimum=1),
            context_compression_ratio=ratio,
            intent_analysis_timeout=self.number("INTENT_ANALYSIS_TIMEOUT", d.intent_analysis_timeout),
            intent_confidence_threshold=threshold,
            llm_provider=self.choice("LLM_PROVIDER", d.llm_provider, LLM_PROVIDERS),
            llm_model_name=self.text("LLM_MODEL_NAME", d.llm_model_name) or d.llm_model_name,
            llm_max_input_context=self.integer("LLM_MAX_INPUT_CONTEXT", d.llm_max_input_context, minimum=1),
            llm_max_output_tokens=self.integer("LLM_MAX_OUTPUT_TOKENS", d.llm_max_output_tokens, minimum=1),
            llm_request_timeout=self.number("LLM_REQUEST_TIMEOUT", d.llm_request_timeout),
            llm_base_url=self.text("LLM_BASE_URL", None),
            llm_answer_policy=self.choice("LLM_ANSWER_POLICY", d.llm_answer_policy, ANSWER_POLICIES),
            google_api_key=self.text("GOOGLE_API_KEY", None) or self.text("GEMINI_API_KEY", None),
            mcp_server_url=mcp_url,
            mcp_server_type=mcp_type,
            mcp_server_name=self.text("MCP_SERVER_NAME", d.mcp_server_name) or d.mcp_server_name,
            mcp_server_args=mcp_args,
            mcp_server_env=self.pairs("MCP_SERVER_ENV"),
            mcp_server_headers=self.pairs("MCP_SERVER_HEADERS"),
            kubeconfig=kubeconfig,
            cluster_name=self.text("CLUSTER_NAME", None),
            kcache_contexts=tuple(
                c.strip() for c in (self.text("KCACHE_CONTEXTS", None) or "").split(",") if c.strip()
            ),
            approval_policy=self.choice("APPROVAL_POLICY", d.approval_policy, APPROVAL_POLICIES),
            agent_max_tool_rounds=self.integer("AGENT_MAX_TOOL_ROUNDS", d.agent_max_tool_rounds, minimum=1),
            read_through_timeout=self.number("READ_THROUGH_TIMEOUT", d.read_through_timeout),
            kcache_access_ttl=self.number("KCACHE_ACCESS_TTL", d.kcache_access_ttl),
            kcache_auth_file=self.path("KCACHE_AUTH_FILE", None),
            log_level=self.choice("LOG_LEVEL", d.log_level, LOG_LEVELS, upper=True),
            log_file=self.path("LOG_FILE", None),
            log_file_max_bytes=self.integer("LOG_FILE_MAX_BYTES", d.log_file_max_bytes, minimum=1024),
            log_file_backups=self.integer("LOG_FILE_BACKUPS", d.log_file_backups),
        )
        if self.errors:
            raise ConfigError("invalid configuration: " + "; ".join(self.errors))
        return settings

    def _mcp_url(self, mcp_type: str) -> str:
        default = Settings().mcp_server_url
        raw = self.env.get("MCP_SERVER_URL", "").strip()
        if not raw:
            return default
        parsed = urlparse(raw)
        if parsed.scheme == "stdio":
            # stdio:///abs/path or stdio://relative/path (relative to the project root)
            target = (parsed.netloc + parsed.path) if parsed.netloc else parsed.path
            if not target:
                self.errors.append(f"MCP_SERVER_URL={raw!r}: stdio URL names no command")
                return default
            path = Path(target)
            if not path.is_absolute() and "/" in target:
                path = PROJECT_ROOT / path
            if mcp_type != "stdio":
                self.errors.append(
                    f"MCP_SERVER_URL={raw!r}: a stdio URL needs MCP_SERVER_TYPE=stdio, not {mcp_type!r}"
                )
            return f"stdio://{path}" if path.is_absolute() else f"stdio://{target}"
        if parsed.scheme in ("http", "https"):
            if not parsed.netloc:
                self.errors.append(f"MCP_SERVER_URL={raw!r}: URL has no host")
            elif mcp_type == "stdio":
                self.errors.append(
                    f"MCP_SERVER_URL={raw!r}: an http(s) URL needs MCP_SERVER_TYPE=streamable_http or sse"
                )
            return raw
        self.errors.append(
            f"MCP_SERVER_URL={raw!r}: expected stdio:///path/to/binary or http(s)://host:port/path"
        )
        return default

"""The typed errors kcache raises: one small tree, each message naming the bad value."""

from __future__ import annotations


class KcacheError(Exception):
    """Base of every error kcache raises on purpose."""


class ConfigError(KcacheError):
    """A setting is missing or invalid; the message names every bad variable and its value."""


class StoreError(KcacheError):
    """The SQLite cache could not be read or written, or refused a record."""


class SecretLeakError(StoreError):
    """A record would have put a secret value into the cache."""


class McpUnavailableError(KcacheError):
    """The MCP server could not be started, reached, or listed, or died mid-call."""


class ParseError(KcacheError):
    """A tool's output could not be parsed into records."""


class ToolSelectionError(KcacheError):
    """No tool of the registry fits what the request needs."""


class ToolCallError(KcacheError):
    """A tool ran and reported an error (the server's own message is kept)."""


class LlmError(KcacheError):
    """The LLM request failed (network, quota, a refused key); the message names the endpoint."""

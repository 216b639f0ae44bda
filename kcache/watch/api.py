"""The Kubernetes API as the watchers use it: paged LISTs and WATCH streams, as raw JSON.

kubernetes_asyncio supplies the kubeconfig handling (contexts, tokens, client certificates,
exec plugins, TLS) and the aiohttp session; the requests are built here from the kinds
table (``/api/v1/pods``, ``/apis/apps/v1/deployments``), so every kind goes through one code
path and no object is turned into a model class only to be turned back into a dict. The
watch query sends ``watch=true`` and ``allowWatchBookmarks=true`` as kube-apiserver
documents them.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from kubernetes_asyncio import client, config

from kcache.errors import ConfigError, KcacheError
from kcache.kinds import BY_NAME


class ApiError(KcacheError):
    """A request to the API server failed: a transport error, a dropped stream or an error status."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Expired(ApiError):
    """410 Gone: the resourceVersion (or continue token) is older than the server keeps."""


@dataclass(frozen=True, kw_only=True)
class Page:
    """One page of a paged LIST."""

    items: list[dict[str, Any]]
    resource_version: str
    next: str | None
    """The ``continue`` token of the next page; None on the last."""


def collection_path(kind: str) -> str:
    """The all-namespaces collection URL path of a canonical kind."""
    entry = BY_NAME[kind]
    base = "/api/v1" if entry.api_version == "v1" else f"/apis/{entry.api_version}"
    return f"{base}/{entry.plural}"


def _load_configuration(kubeconfig: Path, context: str | None) -> client.Configuration:
    """Read the kubeconfig into a Configuration (run in a thread: it reads and writes files)."""
    configuration = client.Configuration()

    async def load() -> None:
        await config.load_kube_config(
            config_file=str(kubeconfig),
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )

    try:
        asyncio.run(load())
    except (OSError, config.ConfigException, ValueError, KeyError) as exc:
        raise ConfigError(f"kubeconfig {kubeconfig} (context {context!r}) is unusable: {exc}") from exc
    return configuration


class KubeApi:
    """An API server session for LISTs and WATCHes; counts its requests per (verb, kind)."""

    def __init__(self, api_client: client.ApiClient, *, server: str) -> None:
        self._client = api_client
        self.server = server
        self.requests: Counter[tuple[str, str]] = Counter()
        """Requests sent, by ("list" | "watch", kind)."""

    @classmethod
    async def open(cls, kubeconfig: Path, context: str | None = None) -> KubeApi:
        """A session with the kubeconfig's identity (``context`` or its current context)."""
        configuration = await asyncio.to_thread(_load_configuration, kubeconfig, context)
        return cls(client.ApiClient(configuration), server=str(configuration.host))

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._client.close()

    async def _get(self, path: str, query: list[tuple[str, str]], timeout: aiohttp.ClientTimeout) -> Any:
        try:
            response = await self._client.call_api(
                path,
                "GET",
                query_params=query,
                header_params={"Accept": "application/json"},
                auth_settings=["BearerToken"],
                _preload_content=False,
                _request_timeout=timeout,
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise ApiError(f"GET {self.server}{path}: {type(exc).__name__}: {exc}") from exc
        if response.status >= 300:
            try:
                body = await response.read()
            except (aiohttp.ClientError, OSError, TimeoutError):
                body = b""
            finally:
                response.release()
            raise _status_error(path, response.status, body)
        return response

    async def list_page(
        self, kind: str, *, limit: int, next_token: str | None = None, timeout: float = 60.0
    ) -> Page:
        """One page of the all-namespaces LIST of ``kind``.

        Raises:
            Expired: the continue token expired (start the LIST again).
            ApiError: anything else went wrong.
        """
        path = collection_path(kind)
        query = [("limit", str(limit))] + ([("continue", next_token)] if next_token else [])
        self.requests["list", kind] += 1
        response = await self._get(path, query, aiohttp.ClientTimeout(total=timeout))
        try:
            body = await response.read()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise ApiError(f"LIST {path}: the response broke off: {type(exc).__name__}: {exc}") from exc
        finally:
            response.release()
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise ApiError(f"LIST {path}: the response is not JSON: {body[:200]!r}") from exc
        meta = doc.get("metadata") or {}
        return Page(
            items=list(doc.get("items") or []),
            resource_version=str(meta.get("resourceVersion") or ""),
            next=meta.get("continue") or None,
        )

    async def open_watch(self, kind: str, *, resource_version: str, timeout_s: int) -> WatchStream:
        """Open one WATCH of ``kind`` from ``resource_version``, bookmarks allowed.

        Returns once the server has answered; the stream ends when the server closes it
        (``timeoutSeconds`` elapsed).

        Raises:
            Expired: the server answered 410 Gone.
            ApiError: the connection failed or the server answered an error.
        """
        path = collection_path(kind)
        query = [
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("resourceVersion", resource_version),
            ("timeoutSeconds", str(timeout_s)),
        ]
        self.requests["watch", kind] += 1
        # A read timeout past the server's own: a connection silent that long is dead.
        timeout = aiohttp.ClientTimeout(sock_connect=30, sock_read=timeout_s + 30)
        return WatchStream(await self._get(path, query, timeout), path)


class WatchStream:
    """The events of an open WATCH, as dicts ``{"type": ..., "object": {...}}``.

    Iterating raises :class:`Expired` for a streamed 410 and :class:`ApiError` for a dropped
    connection, a line that is not an event or any other ERROR event. Use it with
    ``async with`` so that the connection is closed.
    """

    def __init__(self, response: aiohttp.ClientResponse, path: str) -> None:
        self._response = response
        self._path = path

    async def __aenter__(self) -> WatchStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (a stream not read to its end must not go back to the pool)."""
        self._response.close()

    def __aiter__(self) -> WatchStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while True:
            try:
                line = await self._response.content.readline()
            except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
                raise ApiError(f"WATCH {self._path} dropped: {type(exc).__name__}: {exc}") from exc
            if not line:
                raise StopAsyncIteration
            if line.strip():
                break
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise ApiError(f"WATCH {self._path}: a line is not JSON: {line[:200]!r}") from exc
        if not isinstance(event, dict) or not isinstance(event.get("object"), dict):
            raise ApiError(f"WATCH {self._path}: not a watch event: {line[:200]!r}")
        if event.get("type") == "ERROR":
            status = event["object"]
            code = status.get("code")
            message = f"WATCH {self._path}: {status.get('reason')}: {status.get('message')}"
            raise Expired(message, 410) if code == 410 else ApiError(message, code)
        return event


def _status_error(path: str, code: int, body: bytes) -> ApiError:
    try:
        status = json.loads(body)
        message = f"{status.get('reason')}: {status.get('message')}"
    except (ValueError, AttributeError):
        message = body[:200].decode(errors="replace")
    text = f"GET {path}: HTTP {code}: {message}"
    return Expired(text, code) if code == 410 else ApiError(text, code)

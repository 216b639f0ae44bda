"""Fault knobs: latency, error answers, dropped connections, hung requests, and the admin endpoint.

:class:`Faults` is installed as devcluster's first request hook. Its settings can change at
any time from any thread (``dc.faults.set(...)``, ``dc.faults.clear()``) or from another
process through the loopback-only admin endpoint:

- ``GET /_devcluster/faults``: the current settings.
- ``POST /_devcluster/faults`` with a JSON object of :meth:`Faults.set` arguments
  (``{"clear": true}`` first clears everything; ``{"drop_watches": true}`` cuts every open
  watch connection once); ``DELETE /_devcluster/faults`` clears.
- ``POST /_devcluster/changes`` with ``{"op": "scale", "kind", "namespace", "name",
  "replicas"}``, ``{"op": "delete", "kind", "namespace", "name"}``, ``{"op":
  "add_namespace", "name", "labels"}``, ``{"op": "deny", "verb", "resource", "namespace"}``,
  ``{"op": "allow_all"}``, ``{"op": "restart_crashing"}`` or ``{"op": "compact"}``.

Faults leave discovery (``/version``, ``/api``, ``/apis/{group}[/{version}]``, ``/openapi``,
health) alone unless ``discovery=True``, so that a client can still start; ``only_paths``
narrows them to paths matching a regular expression.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from devcluster.status import ApiError

if TYPE_CHECKING:
    from devcluster.cluster import DevCluster
    from devcluster.watch import Watches

ADMIN_PREFIX = "/_devcluster/"
DISCOVERY = re.compile(r"^/(version|healthz|livez|readyz|openapi(/.*)?|api(/v1)?|apis(/[^/]+){0,2})/?$")
_REASONS = {
    429: ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
    500: (
        "InternalError",
        'an error on the server ("injected by devcluster") has prevented the request from succeeding',
    ),
    502: ("BadGateway", "the server responded with a bad gateway error"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: ("Timeout", "the server was unable to return a response in the time allotted"),
}
_PARTIAL_BODY = b'{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":'
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


class FaultError(ValueError):
    """A fault setting that cannot be used (names the bad value)."""


@dataclass(frozen=True)
class FaultSettings:
    """What the fault hook does to each request it applies to."""

    latency: tuple[float, float] | None = None
    """Added delay in seconds, uniform between the bounds (equal bounds: fixed)."""
    error_rate: float = 0.0
    """Share of requests answered with an error ``Status`` instead of the real answer."""
    error_codes: tuple[int, ...] = (500,)
    """Codes an error answer is drawn from (429 carries ``Retry-After``)."""
    retry_after: int = 1
    """Seconds in ``Retry-After`` and ``details.retryAfterSeconds`` of a 429."""
    drop_rate: float = 0.0
    """Share of requests whose response starts and whose connection is then cut."""
    hang: bool = False
    """Requests never answer until the setting is cleared or the server stops."""
    only_paths: str | None = None
    """Apply only to request paths matching this regular expression (``re.search``)."""
    discovery: bool = False
    """Also apply to discovery and health paths."""

    def active(self) -> bool:
        """Whether any fault is set."""
        return bool(self.latency or self.error_rate or self.drop_rate or self.hang)


def parse_latency(
    value: float | str | tuple[float, float] | list[float] | None,
) -> tuple[float, float] | None:
    """``0.2``, ``"0.2"``, ``"0.1-0.5"`` or ``(0.1, 0.5)`` as ``(low, high)`` seconds.

    Raises:
        FaultError: not a number or range, negative, or low above high.
    """
    if value is None or value == 0:
        return None
    try:
        if isinstance(value, str):
            low_s, sep, high_s = value.partition("-")
            low, high = (float(low_s), float(high_s)) if sep else (float(value), float(value))
        elif isinstance(value, tuple | list):
            low, high = float(value[0]), float(value[1])
        else:
            low = high = float(value)
    except (ValueError, IndexError, TypeError) as exc:
        raise FaultError(f"latency {value!r}: expected seconds (0.2) or a range (0.1-0.5)") from exc
    if low < 0 or high < low:
        raise FaultError(f"latency {value!r}: bounds must satisfy 0 <= low <= high")
    return (low, high)


def parse_codes(value: str | list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """``"500,429,503"`` or a list as a tuple of codes devcluster can answer.

    Raises:
        FaultError: an unknown code.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    try:
        codes = tuple(int(c) for c in items if str(c).strip())
    except ValueError as exc:
        raise FaultError(f"error codes {value!r}: expected integers such as 500,429,503") from exc
    bad = [c for c in codes if c not in _REASONS]
    if bad or not codes:
        raise FaultError(f"error codes {value!r}: supported are {', '.join(map(str, sorted(_REASONS)))}")
    return codes


def _rate(name: str, value: Any) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError) as exc:
        raise FaultError(f"{name} {value!r}: expected a number between 0 and 1") from exc
    if not 0.0 <= rate <= 1.0:
        raise FaultError(f"{name} {value!r}: expected a number between 0 and 1")
    return rate


class DroppedConnection(Exception):
    """Raised inside a response to make the server cut the connection mid-body."""


class _DroppedResponse(Response):
    """Sends headers promising a body, part of the body, then fails so the connection is cut."""

    def __init__(self) -> None:
        super().__init__(status_code=200, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"65536")],
            }
        )
        await send(
            {
                "type": "http.response.body",
                "body": _PARTIAL_BODY,
                "more_body": True,
            }
        )
        raise DroppedConnection("devcluster dropped the connection mid-response (drop_rate fault)")


class _QuietDrops(logging.Filter):
    """Keeps the server's log free of the tracebacks that dropped connections cause on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, DroppedConnection):
                return False
            exc = (
                exc.__cause__
                or exc.__context__
                or (exc.exceptions[0] if isinstance(exc, BaseExceptionGroup) else None)
            )
        return True


def status_response(code: int, retry_after: int = 1) -> Response:
    """A ``Status`` error answer as kube-apiserver writes it for ``code``."""
    reason, message = _REASONS[code]
    details = {"retryAfterSeconds": retry_after} if code == 429 else None
    headers = {"Retry-After": str(retry_after)} if code == 429 else {}
    body = ApiError(code, reason, message, details).to_status()
    return Response(json.dumps(body), code, headers=headers, media_type="application/json")


@dataclass
class _Counters:
    latency: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    drops: int = 0
    hangs: int = 0
    watch_drops: int = 0


class Faults:
    """Thread-safe fault settings and the request hook that applies them."""

    def __init__(self, seed: int = 0, watches: Watches | None = None) -> None:
        self._watches = watches
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._pattern: re.Pattern[str] | None = None
        self._rng = random.Random(seed)
        self.counters = _Counters()
        self._filter_installed = False

    @property
    def settings(self) -> FaultSettings:
        """The current settings."""
        with self._lock:
            return self._settings

    def set(
        self,
        *,
        latency: float | str | tuple[float, float] | list[float] | None = None,
        error_rate: float | None = None,
        error_codes: str | list[int] | tuple[int, ...] | None = None,
        retry_after: int | None = None,
        drop_rate: float | None = None,
        hang: bool | None = None,
        only_paths: str | None = None,
        discovery: bool | None = None,
    ) -> FaultSettings:
        """Change the given settings, keeping the others; returns the new settings.

        Raises:
            FaultError: a value out of range or a regular expression that does not compile.
        """
        changes: dict[str, Any] = {}
        if latency is not None:
            changes["latency"] = parse_latency(latency)
        if error_rate is not None:
            changes["error_rate"] = _rate("error_rate", error_rate)
        if error_codes is not None:
            changes["error_codes"] = parse_codes(error_codes)
        if retry_after is not None:
            if int(retry_after) < 0:
                raise FaultError(f"retry_after {retry_after!r}: must be >= 0")
            changes["retry_after"] = int(retry_after)
        if drop_rate is not None:
            changes["drop_rate"] = _rate("drop_rate", drop_rate)
        if hang is not None:
            changes["hang"] = bool(hang)
        if discovery is not None:
            changes["discovery"] = bool(discovery)
        pattern = None
        if only_paths is not None:
            try:
                pattern = re.compile(only_paths) if only_paths else None
            except re.error as exc:
                raise FaultError(f"only_paths {only_paths!r}: {exc}") from exc
            changes["only_paths"] = only_paths or None
        with self._lock:
            self._settings = replace(self._settings, **changes)
            if only_paths is not None:
                self._pattern = pattern
            return self._settings

    def clear(self) -> None:
        """Remove every fault; hung requests go on to be answered."""
        with self._lock:
            self._settings = FaultSettings()
            self._pattern = None

    def drop_watches(self) -> int:
        """Cut every open watch connection now, to make clients reconnect; returns how many.

        Raises:
            FaultError: no watch registry was given to these faults.
        """
        if self._watches is None:
            raise FaultError("drop_watches: these faults serve no watches")
        dropped = self._watches.drop_all()
        self.counters.watch_drops += dropped
        return dropped

    def applies(self, path: str) -> bool:
        """Whether the current settings touch a request for ``path``."""
        with self._lock:
            settings, pattern = self._settings, self._pattern
        if path.startswith(ADMIN_PREFIX):
            return False
        if not settings.discovery and DISCOVERY.match(path):
            return False
        return pattern is None or pattern.search(path) is not None

    def describe(self) -> dict[str, Any]:
        """Settings and counters as JSON-ready data."""
        data = asdict(self.settings)
        data["counters"] = asdict(self.counters)
        return data

    async def hook(self, request: Request) -> Response | None:
        """The request hook: delay, fail, drop or hold requests the settings apply to."""
        if not self._filter_installed:
            # Installed on first use, never at import; one filter however many clusters run.
            server_log = logging.getLogger("uvicorn.error")
            if not any(isinstance(f, _QuietDrops) for f in server_log.filters):
                server_log.addFilter(_QuietDrops())
            self._filter_installed = True
        path = request.url.path
        settings = self.settings
        if not settings.active() or not self.applies(path):
            return None
        if settings.hang:
            self.counters.hangs += 1
            # Polled rather than awaited on an event: settings change from other threads.
            while settings.hang and self.applies(path):
                await asyncio.sleep(0.05)
                settings = self.settings
            if not settings.active() or not self.applies(path):
                return None
        if settings.latency is not None:
            low, high = settings.latency
            with self._lock:
                delay = self._rng.uniform(low, high)
            self.counters.latency += 1
            await asyncio.sleep(delay)
        with self._lock:
            roll_error = self._rng.random()
            roll_drop = self._rng.random()
            code = self._rng.choice(settings.error_codes)
        if roll_error < settings.error_rate:
            self.counters.errors[code] = self.counters.errors.get(code, 0) + 1
            return status_response(code, settings.retry_after)
        if roll_drop < settings.drop_rate:
            self.counters.drops += 1
            return _DroppedResponse()
        return None


class Admin:
    """The loopback-only admin endpoint under ``/_devcluster/``."""

    def __init__(self, cluster: DevCluster) -> None:
        self.cluster = cluster

    async def hook(self, request: Request) -> Response | None:
        """Answer ``/_devcluster/*`` from loopback clients; other paths pass."""
        path = request.url.path
        if not path.startswith(ADMIN_PREFIX):
            return None
        client = request.client.host if request.client else ""
        if client not in _LOOPBACK:
            return status_like(404, "NotFound", "the server could not find the requested resource")
        try:
            body: Any = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError as exc:
            return status_like(400, "BadRequest", f"admin request body is not JSON: {exc}")
        if not isinstance(body, dict):
            return status_like(400, "BadRequest", "admin request body must be a JSON object")
        route = (request.method, path.rstrip("/"))
        faults = self.cluster.faults
        try:
            if route == ("GET", "/_devcluster/faults"):
                return _json(faults.describe())
            if route == ("DELETE", "/_devcluster/faults"):
                faults.clear()
                return _json(faults.describe())
            if route == ("POST", "/_devcluster/faults"):
                if body.pop("clear", False):
                    faults.clear()
                drop = body.pop("drop_watches", False)
                faults.set(**body)
                if drop:
                    faults.drop_watches()
                return _json(faults.describe())
            if route == ("POST", "/_devcluster/changes"):
                return _json(self._change(body))
        except (FaultError, TypeError, KeyError, ValueError) as exc:
            return status_like(400, "BadRequest", f"admin request {body!r}: {exc}")
        return status_like(404, "NotFound", f"no admin endpoint {request.method} {path}")

    def _change(self, body: dict[str, Any]) -> dict[str, Any]:
        dc = self.cluster
        op = body.get("op")
        actions: dict[str, Callable[[], object]] = {
            "scale": lambda: dc.scale(body["kind"], body["namespace"], body["name"], int(body["replicas"])),
            "delete": lambda: dc.delete(body["kind"], body.get("namespace"), body["name"]),
            "add_namespace": lambda: dc.add_namespace(body["name"], body.get("labels")),
            "deny": lambda: dc.access.deny(body["verb"], body["resource"], body.get("namespace", "")),
            "allow_all": dc.access.clear,
            "restart_crashing": dc.restart_crashing,
            "compact": dc.compact,
        }
        if op not in actions:
            raise ValueError(f"unknown op {op!r}: expected one of {', '.join(actions)}")
        from devcluster.status import ApiError

        try:
            actions[op]()
        except ApiError as exc:
            raise ValueError(exc.message) from exc
        return {"ok": True, "op": op, "resourceVersion": str(dc.state.store.resource_version)}


def status_like(code: int, reason: str, message: str) -> Response:
    """A ``Status`` failure body with an arbitrary code and reason."""
    return Response(
        json.dumps(ApiError(code, reason, message).to_status()), code, media_type="application/json"
    )


def _json(data: Any) -> Response:
    return Response(json.dumps(data), 200, media_type="application/json")


def parse_deny(text: str) -> tuple[str, str, str]:
    """``VERB:RESOURCE[:NAMESPACE]`` (namespace ``""`` by default: all-namespaces requests).

    Raises:
        FaultError: fewer than two parts.
    """
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise FaultError(f"deny-access {text!r}: expected VERB:RESOURCE[:NAMESPACE], e.g. list:pods")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``serve`` flags that set faults at start."""
    group = parser.add_argument_group("faults (also settable while running: see /_devcluster/faults)")
    group.add_argument("--latency", help="added delay per request in seconds: 0.2 or a range 0.1-0.5")
    group.add_argument("--error-rate", type=float, help="share of requests answered with an error (0-1)")
    group.add_argument("--error-codes", help="codes errors are drawn from (default 500): e.g. 500,429,503")
    group.add_argument("--retry-after", type=int, help="Retry-After seconds of 429 answers (default 1)")
    group.add_argument(
        "--drop-rate", type=float, help="share of requests whose connection is cut mid-response"
    )
    group.add_argument("--hang-paths", metavar="REGEX", help="requests to matching paths never answer")
    group.add_argument(
        "--fault-paths", metavar="REGEX", help="apply latency/errors/drops only to matching paths"
    )
    group.add_argument("--fault-discovery", action="store_true", help="let faults touch discovery paths too")
    group.add_argument(
        "--deny-access",
        action="append",
        default=[],
        metavar="VERB:RESOURCE[:NS]",
        help="deny access reviews and requests, e.g. list:pods "
        "(NS empty: all-namespaces requests; * anywhere)",
    )


def apply_arguments(cluster: DevCluster, args: argparse.Namespace) -> None:
    """Set the faults that ``args`` (from :func:`add_arguments`) ask for.

    Raises:
        FaultError: a bad flag value; the message names it.
    """
    if args.hang_paths and args.fault_paths:
        raise FaultError("--hang-paths and --fault-paths both set the path filter: give one")
    cluster.faults.set(
        latency=args.latency,
        error_rate=args.error_rate,
        error_codes=args.error_codes,
        retry_after=args.retry_after,
        drop_rate=args.drop_rate,
        hang=True if args.hang_paths else None,
        only_paths=args.hang_paths or args.fault_paths,
        discovery=True if args.fault_discovery else None,
    )
    for rule in args.deny_access:
        cluster.access.deny(*parse_deny(rule))

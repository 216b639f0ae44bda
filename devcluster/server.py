"""The HTTP face of devcluster: a Starlette app answering the Kubernetes REST API.

Requests pass through :attr:`Api.hooks` first: each hook may return a response to
short-circuit the request (fault injection), or None to let it through.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from devcluster import discovery, openapi, rbac, status, tables, telemetry, watch
from devcluster.access import AccessPolicy, decode_review
from devcluster.auth import identity_of
from devcluster.resources import ResourceType, by_key, lookup
from devcluster.selectors import (
    labels_match,
    parse_label_selector,
)
from devcluster.state import ClusterState, iso, served
from devcluster.status import ApiError
from devcluster.users import Users

logger = logging.getLogger(__name__)
Obj = dict[str, Any]
RequestHook = Callable[[Request], Awaitable[Response | None]]
EXEC_UNSUPPORTED = "exec is not supported by devcluster"


def _json(body: Any, code: int = 200) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), code, media_type="application/json")


def _error(err: ApiError) -> Response:
    return _json(err.to_status(), err.code)


def _wants_table(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "as=Table" in accept.split(",")[0] or accept.startswith("application/json;as=Table")


def _list_kind(rt: ResourceType) -> str:
    return f"{rt.kind}List"


class Api:
    """Routes one request to the cluster state; holds hooks and the access policy."""

    def __init__(self, state: ClusterState, server_address: Callable[[], str]) -> None:
        self.state = state
        self.access = AccessPolicy()
        self.users = Users()
        self.rbac = rbac.Rbac(state.store)
        self.hooks: list[RequestHook] = []
        self.watches = watch.Watches()
        self._server_address = server_address

    # --- entry -----------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        """Answer any HTTP request (hooks first)."""
        started = time.monotonic()
        for hook in list(self.hooks):
            answer = await hook(request)
            if answer is not None:
                return answer
        try:
            response = await self._dispatch(request)
        except ApiError as err:
            response = _error(err)
        for warning in getattr(request.state, "warnings", ()):
            response.headers.append("Warning", openapi.warning_header(warning))
        logger.debug(
            "%s %s -> %s (%.1f ms)",
            request.method,
            request.url.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    async def reject_websocket(self, websocket: WebSocket) -> None:
        """Refuse websocket upgrades (exec, attach, port-forward, watch over websocket)."""
        await websocket.close(code=1008, reason=EXEC_UNSUPPORTED)

    async def _dispatch(self, request: Request) -> Response:
        path = request.url.path.rstrip("/") or "/"
        segs = [unquote(s) for s in path.strip("/").split("/")] if path != "/" else []
        method = request.method
        if path in ("/healthz", "/livez", "/readyz"):
            return PlainTextResponse("ok")
        if path == "/version":
            nodes = self.state.store.list("node")
            kv = (
                nodes[0].get("status", {}).get("nodeInfo", {}).get("kubeletVersion") if nodes else None
            ) or "v1.31.4"
            return _json(discovery.version(kv))
        if path == "/api":
            return _json(discovery.api_versions(self._server_address()))
        if path == "/apis":
            return _json(discovery.api_group_list())
        if segs and segs[0] == "openapi":
            nodes = self.state.store.list("node")
            kv = nodes[0].get("status", {}).get("nodeInfo", {}).get("kubeletVersion") if nodes else None
            return await openapi.respond(request, kv or "v1.31.4")
        if not segs or segs[0] not in ("api", "apis"):
            raise status.resource_not_found()
        if segs[0] == "api":
            if len(segs) < 2:
                raise status.resource_not_found()
            group, version, rest = "", segs[1], segs[2:]
        else:
            if len(segs) == 2:
                doc = discovery.api_group(segs[1])
                if doc is None:
                    raise status.resource_not_found()
                return _json(doc)
            group, version, rest = segs[1], segs[2], segs[3:]
        if not rest:
            doc = discovery.resource_list(group, version)
            if doc is None:
                raise status.resource_not_found()
            return _json(doc)
        namespace: str | None = None
        if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        rt = lookup(group, version, rest[0])
        if rt is None:
            raise status.resource_not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = "/".join(rest[2:]) if len(rest) > 2 else None
        if group == "authorization.k8s.io":
            return await self._access_review(request, rt, namespace)
        if group == "authentication.k8s.io":
            if method != "POST":
                raise status.method_not_allowed()
            return _json(rbac.self_subject_review(identity_of(request)), 201)
        if group == "metrics.k8s.io":
            return self._metrics(request, rt, namespace, name)
        if rt.kind == "Event" and group == "events.k8s.io":
            return self._events_v1(request, namespace, name)
        if rt.namespaced and namespace is None and name is not None:
            raise status.resource_not_found()
        verb = self._verb(method, name, request)
        if not self.access.allowed(verb, rt.plural, namespace or ""):
            raise status.forbidden(rt, name or "", identity_of(request).name, verb, namespace)
        if sub is not None:
            return await self._subresource(request, rt, namespace, name or "", sub)
        if method == "GET":
            if name is None:
                if watch.parse_bool(request.query_params.get("watch")):
                    return self._watch(request, rt, namespace)
                return self._list(request, rt, namespace)
            return self._object(request, rt, self.state.get(rt, namespace, name))
        body: Any = await self._body(request) if method in ("POST", "PUT", "PATCH") else None
        if method in ("POST", "PUT") and not isinstance(body, dict):
            raise status.bad_request("the request body must be a JSON object")
        if body is not None:
            request.state.warnings = openapi.check_body(
                rt,
                body,
                request.headers.get("content-type", ""),
                request.query_params.get("fieldValidation"),
                namespace,
            )
        if method == "POST" and name is None:
            dry = request.query_params.get("dryRun") == "All"
            new = self.state.create(rt, namespace, body, dry_run=dry)
            return _json(served(new), 201)
        if method == "PUT" and name is not None:
            return _json(served(self.state.replace(rt, namespace, name, body)))
        if method == "PATCH" and name is not None:
            patched, created = self.state.patch(
                rt, namespace, name, request.headers.get("content-type", ""), body
            )
            return _json(served(patched), 201 if created else 200)
        if method == "DELETE" and name is not None:
            grace = request.query_params.get("gracePeriodSeconds")
            options = await self._body(request, optional=True) or {}
            if grace is None and isinstance(options, dict):
                grace = options.get("gracePeriodSeconds")
            answer = self.state.delete(rt, namespace, name, int(grace) if grace is not None else None)
            return _json(served(answer))
        raise status.method_not_allowed()

    @staticmethod
    def _verb(method: str, name: str | None, request: Request) -> str:
        if method == "GET":
            if name is None:
                return "watch" if watch.parse_bool(request.query_params.get("watch")) else "list"
            return "get"
        return {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(
            method, method.lower()
        )

    @staticmethod
    async def _body(request: Request, optional: bool = False) -> Any:
        raw = await request.body()
        if not raw:
            if optional:
                return None
            raise status.bad_request("the request body is empty")
        ctype = request.headers.get("content-type", "application/json")
        try:
            if "yaml" in ctype:
                return yaml.safe_load(raw)
            return json.loads(raw)
        except (json.JSONDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
            if "protobuf" in ctype:
                raise status.unsupported_media_type(ctype) from exc
            raise status.bad_request(f"error decoding request body: {exc}") from exc

    # --- reads -------------------------------------------------------------------------------

    def _object(self, request: Request, rt: ResourceType, obj: Obj) -> Response:
        if _wants_table(request):
            return _json(
                tables.to_table(
                    rt.key,
                    [served(obj)],
                    obj["metadata"]["resourceVersion"],
                    self.state.now(),
                    request.query_params.get("includeObject", "Metadata"),
                )
            )
        return _json(served(obj))

    def _list(self, request: Request, rt: ResourceType, namespace: str | None) -> Response:
        q = request.query_params
        with self.state.store.locked():
            if (
                rt.namespaced
                and namespace
                and rt.key != "event"
                and self.state.store.get("namespace", "", namespace) is None
            ):
                items: list[Obj] = []
            else:
                items = self.state.list(rt, namespace, q.get("labelSelector", ""), q.get("fieldSelector", ""))
            rv = str(self.state.store.resource_version)
            meta: Obj = {"resourceVersion": rv}
            limit = int(q.get("limit", "0") or 0)
            start = 0
            if q.get("continue"):
                try:
                    start = int(base64.urlsafe_b64decode(q["continue"]).decode())
                except ValueError as exc:
                    raise status.bad_request(f"invalid continue token: {q['continue']}") from exc
            if limit > 0:
                page = items[start : start + limit]
                if start + limit < len(items):
                    meta["continue"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
                    meta["remainingItemCount"] = len(items) - start - limit
                items = page
            # Copy only the page: copying every match for each page is quadratic in big lists.
            items = [served(o) for o in items]
        if _wants_table(request):
            table = tables.to_table(rt.key, items, rv, self.state.now(), q.get("includeObject", "Metadata"))
            table["metadata"] = meta
            return _json(table)
        for item in items:
            item.pop("apiVersion", None)
            item.pop("kind", None)
        return _json({"kind": _list_kind(rt), "apiVersion": rt.api_version, "metadata": meta, "items": items})

    def _watch(self, request: Request, rt: ResourceType, namespace: str | None) -> Response:
        return watch.respond(self.state, self.watches, rt, namespace, request.query_params)

    # --- subresources ----------------------------------------------------------------------

    async def _subresource(
        self, request: Request, rt: ResourceType, namespace: str | None, name: str, sub: str
    ) -> Response:
        obj = self.state.get(rt, namespace, name)
        q = request.query_params
        method = request.method
        if sub == "scale" and rt.key in ("deployment", "replicaset", "statefulset"):
            ns = namespace or ""
            if method == "GET":
                return _json(self.state.get_scale(rt, ns, name))
            body = await self._body(request)
            if method == "PUT":
                spec = (body or {}).get("spec") or {}
                rv = ((body or {}).get("metadata") or {}).get("resourceVersion")
                return _json(self.state.set_scale(rt, ns, name, spec.get("replicas"), rv))
            if method == "PATCH":
                replicas = ((body or {}).get("spec") or {}).get("replicas")
                if isinstance(body, list):
                    replicas = next(
                        (op.get("value") for op in body if op.get("path") == "/spec/replicas"), None
                    )
                return _json(self.state.set_scale(rt, ns, name, replicas))
            raise status.method_not_allowed()
        if sub == "status" and method == "GET":
            return _json(served(obj))
        if rt.key == "pod" and sub == "log" and method == "GET":
            tail = q.get("tailLines")
            text = telemetry.pod_log(
                obj,
                q.get("container"),
                int(tail) if tail else None,
                q.get("previous") in ("true", "1"),
                self.state.now(),
            )
            return PlainTextResponse(text)
        if rt.key == "serviceaccount" and sub == "token" and method == "POST":
            # kubectl sends the TokenRequest as protobuf; its spec only sets the expiry: ignored.
            raw = await request.body()
            body = json.loads(raw) if raw and "json" in request.headers.get("content-type", "") else {}
            return _json(self._token_request(obj, body), 201)
        if rt.key == "pod" and sub in ("exec", "attach", "portforward"):
            raise ApiError(400, "BadRequest", EXEC_UNSUPPORTED)
        if rt.key == "node" and sub.startswith("proxy"):
            target = sub[len("proxy") :].strip("/")
            pods = self.state.store.list("pod")
            if target == "stats/summary":
                return _json(telemetry.stats_summary(obj, pods, self.state.now()))
            if target == "logs" or target.startswith("logs/"):
                query = q.get("query") or target[len("logs") :]
                return PlainTextResponse(telemetry.node_log(obj, query, self.state.now()))
            if target in ("healthz", ""):
                return PlainTextResponse("ok")
            raise status.resource_not_found()
        raise status.resource_not_found()

    # --- authorization, metrics, events.k8s.io ----------------------------------------------

    async def _access_review(self, request: Request, rt: ResourceType, namespace: str | None) -> Response:
        if request.method != "POST":
            raise status.method_not_allowed()
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        spec: Obj = {}
        if "protobuf" in ctype:
            try:
                spec = decode_review(rt.kind, raw)
            except (ValueError, IndexError) as exc:
                raise status.bad_request(f"cannot decode access review: {exc}") from exc
        elif raw:
            body = json.loads(raw)
            spec = body.get("spec") or {}
        out_spec, result = rbac.review(
            rt.kind, spec, identity_of(request), namespace, self.rbac, self.access.allowed
        )
        meta: Obj = {"creationTimestamp": None}
        if namespace is not None:
            meta["namespace"] = namespace
        return _json(
            {
                "kind": rt.kind,
                "apiVersion": rt.api_version,
                "metadata": meta,
                "spec": out_spec,
                "status": result,
            },
            201,
        )

    def _token_request(self, account: Obj, body: Obj) -> Obj:
        meta = account["metadata"]
        spec = dict(body.get("spec") or {})
        spec.setdefault("audiences", ["https://kubernetes.default.svc.cluster.local"])
        spec.setdefault("expirationSeconds", 3600)
        cred = self.users.service_account(meta["namespace"], meta["name"])
        expires = self.state.now() + int(spec["expirationSeconds"])
        return {
            "kind": "TokenRequest",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": meta["name"], "namespace": meta["namespace"], "creationTimestamp": None},
            "spec": spec,
            "status": {"token": cred.token, "expirationTimestamp": iso(expires)},
        }

    def _metrics(
        self, request: Request, rt: ResourceType, namespace: str | None, name: str | None
    ) -> Response:
        if request.method != "GET":
            raise status.method_not_allowed()
        now = self.state.now()
        selector = parse_label_selector(request.query_params.get("labelSelector", ""))
        pods = self.state.store.list("pod")
        if rt.kind == "NodeMetrics":
            nodes = self.state.store.list("node")
            if name is not None:
                node = self.state.get(by_key("node"), None, name)
                return _json(telemetry.node_metrics(node, pods, now))
            items = [
                telemetry.node_metrics(n, pods, now)
                for n in nodes
                if labels_match(selector, n["metadata"].get("labels"))
            ]
        else:
            if name is not None:
                pod = self.state.get(by_key("pod"), namespace, name)
                if pod.get("status", {}).get("phase") != "Running":
                    raise ApiError(
                        404,
                        "NotFound",
                        f'podmetrics.metrics.k8s.io "{namespace}/{name}" not found',
                        {"name": f"{namespace}/{name}", "group": "metrics.k8s.io", "kind": "pods"},
                    )
                return _json(telemetry.pod_metrics(pod, now))
            scoped = [p for p in pods if namespace is None or p["metadata"]["namespace"] == namespace]
            items = telemetry.running_pod_metrics(
                [p for p in scoped if labels_match(selector, p["metadata"].get("labels"))], now
            )
        return _json(
            {"kind": f"{rt.kind}List", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items}
        )

    def _events_v1(self, request: Request, namespace: str | None, name: str | None) -> Response:
        if request.method != "GET":
            raise status.method_not_allowed()
        core = by_key("event")
        if name is not None:
            return _json(_event_v1(served(self.state.get(core, namespace, name))))
        q = request.query_params
        items = [_event_v1(served(e)) for e in self.state.list(core, namespace, q.get("labelSelector", ""))]
        return _json(
            {
                "kind": "EventList",
                "apiVersion": "events.k8s.io/v1",
                "metadata": {"resourceVersion": str(self.state.store.resource_version)},
                "items": items,
            }
        )


def _event_v1(e: Obj) -> Obj:
    src = e.get("source") or {}
    out: Obj = {
        "kind": "Event",
        "apiVersion": "events.k8s.io/v1",
        "metadata": e["metadata"],
        "eventTime": e.get("eventTime"),
        "reportingController": e.get("reportingComponent", ""),
        "reportingInstance": e.get("reportingInstance", ""),
        "reason": e.get("reason"),
        "regarding": e.get("involvedObject"),
        "note": e.get("message"),
        "type": e.get("type"),
        "deprecatedSource": src,
        "deprecatedFirstTimestamp": e.get("firstTimestamp"),
        "deprecatedLastTimestamp": e.get("lastTimestamp"),
        "deprecatedCount": e.get("count"),
    }
    return out


def build_app(api: Api) -> Starlette:
    """The ASGI app: every path goes to :meth:`Api.handle`."""
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(
        routes=[
            Route("/{path:path}", api.handle, methods=methods),
            WebSocketRoute("/{path:path}", api.reject_websocket),
        ]
    )


__all__ = ["EXEC_UNSUPPORTED", "Api", "JSONResponse", "RequestHook", "build_app"]

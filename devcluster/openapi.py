"""OpenAPI documents for the served kinds, and the server-side field validation they promise.

kubectl (1.27 and later) reads ``/openapi/v3``, finds ``fieldValidation`` among the query
parameters of a kind's PATCH operation, and then leaves validation to the server: it sends
``?fieldValidation=Strict`` and prints the server's error. So devcluster serves, per group
version, a reduced but correct OpenAPI v3 document (the object schemas of the kinds it
stores, their paths and the usual patch directives) and checks request bodies against the
same schemas: a wrong JSON type is always a 400, an unknown field is a 400 under
``Strict``, a ``Warning`` header under ``Warn`` (the default) and dropped silently under
``Ignore``.

The schemas are derived from the model metadata of the official ``kubernetes`` Python
client (``openapi_types`` and ``attribute_map``), imported on the first OpenAPI request.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from devcluster.resources import BY_KEY, ResourceType
from devcluster.status import ApiError

Obj = dict[str, Any]

_PACKAGES = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "networking.k8s.io": "networking",
    "storage.k8s.io": "storage",
    "events.k8s.io": "events",
    "discovery.k8s.io": "discovery",
}
_META_TYPES = {
    "ObjectMeta",
    "ListMeta",
    "OwnerReference",
    "ManagedFieldsEntry",
    "LabelSelector",
    "LabelSelectorRequirement",
    "Condition",
}
# Strategic-merge keys of kube's Go types (their patchMergeKey tags), by element model.
_MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "V1Container": ("name",),
    "V1EphemeralContainer": ("name",),
    "V1EnvVar": ("name",),
    "V1Volume": ("name",),
    "V1VolumeMount": ("mountPath",),
    "V1VolumeDevice": ("devicePath",),
    "V1LocalObjectReference": ("name",),
    "V1OwnerReference": ("uid",),
    "V1ContainerPort": ("containerPort", "protocol"),
    "V1ServicePort": ("port", "protocol"),
    "V1HostAlias": ("ip",),
    "V1TopologySpreadConstraint": ("topologyKey", "whenUnsatisfiable"),
}
# Fields that are intstr.IntOrString or resource.Quantity in Go (the client types them loosely).
_INT_OR_STRING_FIELDS = {"targetPort", "port", "maxSurge", "maxUnavailable", "minAvailable"}
_QUANTITY_MAPS = {"limits", "requests", "capacity", "allocatable", "hard", "used"}
_INT_OR_STRING: Obj = {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]}
_VALIDATION_MODES = ("Strict", "Warn", "Ignore")


class OpenApiUnavailableError(RuntimeError):
    """The ``kubernetes`` package, whose models the schemas come from, is not importable."""


@dataclass(frozen=True)
class _Built:
    schemas: dict[str, Obj]
    # schema name of each stored kind, by lowercase kind
    kinds: dict[str, str]


_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _models() -> Any:
    try:
        return importlib.import_module("kubernetes.client.models")
    except ImportError as exc:
        raise OpenApiUnavailableError(
            "devcluster builds its OpenAPI documents from the 'kubernetes' package, which is not installed"
        ) from exc


def _model_name(models: Any, rt: ResourceType) -> str:
    ver = rt.version[0].upper() + rt.version[1:]
    prefix = {"": "Core", "events.k8s.io": "Events"}.get(rt.group, "")
    for name in (f"{prefix}{ver}{rt.kind}", f"{ver}{rt.kind}"):
        if hasattr(models, name):
            return name
    raise OpenApiUnavailableError(f"no model for {rt.api_version} {rt.kind} in the kubernetes package")


def _short(model: str) -> str:
    for prefix in ("CoreV1", "EventsV1", "DiscoveryV1", "StorageV1", "V1beta1", "V1alpha1", "V2", "V1"):
        if model.startswith(prefix):
            return model[len(prefix) :]
    return model


def _build() -> _Built:
    models = _models()
    schemas: dict[str, Obj] = {}
    names: dict[str, str] = {}

    def name_of(model: str, package: str) -> str:
        if model not in names:
            short = _short(model)
            if short in _META_TYPES:
                names[model] = f"io.k8s.apimachinery.pkg.apis.meta.v1.{short}"
            else:
                names[model] = f"io.k8s.api.{package}.v1.{short}"
        return names[model]

    def field_schema(type_str: str, json_name: str, package: str) -> Obj:
        if json_name in _INT_OR_STRING_FIELDS and type_str == "object":
            return dict(_INT_OR_STRING)
        simple: dict[str, Obj] = {
            "str": {"type": "string"},
            "int": {"type": "integer", "format": "int32"},
            "bool": {"type": "boolean"},
            "float": {"type": "number", "format": "double"},
            "datetime": {"type": "string", "format": "date-time"},
            "date": {"type": "string", "format": "date"},
            "bytes": {"type": "string", "format": "byte"},
            "bytearray": {"type": "string", "format": "byte"},
            "object": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        }
        if type_str in simple:
            return dict(simple[type_str])
        for opener in ("List[", "list["):
            if type_str.startswith(opener):
                inner = type_str[len(opener) : -1]
                out: Obj = {"type": "array", "items": field_schema(inner, "", package)}
                keys = _MERGE_KEYS.get(inner)
                if keys is not None:
                    out["x-kubernetes-patch-merge-key"] = keys[0]
                    out["x-kubernetes-patch-strategy"] = "merge"
                    out["x-kubernetes-list-type"] = "map"
                    out["x-kubernetes-list-map-keys"] = list(keys)
                elif inner.endswith("Condition"):
                    out["x-kubernetes-patch-merge-key"] = "type"
                    out["x-kubernetes-patch-strategy"] = "merge"
                return out
        for opener in ("Dict[str, ", "dict(str, "):
            if type_str.startswith(opener):
                inner = type_str[len(opener) : -1]
                value = (
                    dict(_INT_OR_STRING) if json_name in _QUANTITY_MAPS else field_schema(inner, "", package)
                )
                return {"type": "object", "additionalProperties": value}
        return {"$ref": f"#/components/schemas/{add(type_str, package)}"}

    def add(model: str, package: str) -> str:
        name = name_of(model, package)
        if name in schemas:
            return name
        cls = getattr(models, model, None)
        if cls is None:
            raise OpenApiUnavailableError(f"the kubernetes package has no model {model}")
        schemas[name] = {}  # placeholder against recursion (JSONSchemaProps)
        props: Obj = {}
        for attr, type_str in cls.openapi_types.items():
            json_name = cls.attribute_map[attr]
            props[json_name] = field_schema(type_str, json_name, package)
        schemas[name] = {"type": "object", "properties": props}
        return name

    kinds: dict[str, str] = {}
    ordered = sorted(BY_KEY.values(), key=lambda r: (r.group != "", r.group))
    for rt in ordered:
        name = add(_model_name(models, rt), _PACKAGES.get(rt.group, rt.group.split(".")[0]))
        schemas[name]["x-kubernetes-group-version-kind"] = [
            {"group": rt.group, "kind": rt.kind, "version": rt.version}
        ]
        kinds[rt.key] = name
    return _Built(schemas, kinds)


def _built() -> _Built:
    with _lock:
        if "built" not in _cache:
            _cache["built"] = _build()
        built: _Built = _cache["built"]
        return built


# --- documents ---------------------------------------------------------------------------------


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def _query(name: str, description: str) -> Obj:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string", "uniqueItems": True},
    }


_WRITE_PARAMS = [
    _query("dryRun", "When present, indicates that modifications should not be persisted."),
    _query("fieldManager", "A name associated with the actor or entity that is making these changes."),
    _query(
        "fieldValidation",
        "Whether the server drops (Ignore), warns about (Warn) or rejects (Strict) unknown fields.",
    ),
]


def _ref(name: str) -> Obj:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: Obj) -> Obj:
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def _paths_for(rt: ResourceType, schema: str) -> Obj:
    base = f"/{_gv_path(rt.group, rt.version)}"
    collection = f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
    gvk = {"group": rt.group, "kind": rt.kind, "version": rt.version}
    body = {"required": True, "content": {"*/*": {"schema": _ref(schema)}}}

    def op(action: str, verb_id: str, **extra: Any) -> Obj:
        return {
            "operationId": verb_id,
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": gvk,
            "responses": {"200": _ok(_ref(schema))},
            **extra,
        }

    suffix = f"{'Namespaced' if rt.namespaced else ''}{rt.kind}"
    patch_body = {
        "required": True,
        "content": {
            t: {"schema": {"type": "object"}}
            for t in (
                "application/apply-patch+yaml",
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/strategic-merge-patch+json",
            )
        },
    }
    return {
        collection: {
            "get": op("list", f"list{suffix}"),
            "post": op("post", f"create{suffix}", requestBody=body, parameters=_WRITE_PARAMS),
        },
        f"{collection}/{{name}}": {
            "get": op("get", f"read{suffix}"),
            "put": op("put", f"replace{suffix}", requestBody=body, parameters=_WRITE_PARAMS),
            "patch": op(
                "patch",
                f"patch{suffix}",
                requestBody=patch_body,
                parameters=[*_WRITE_PARAMS, _query("force", "Force is going to force Apply requests.")],
            ),
            "delete": op("delete", f"delete{suffix}"),
        },
    }


def _referenced(schemas: dict[str, Obj], roots: list[str]) -> dict[str, Obj]:
    seen: dict[str, Obj] = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen[name] = schemas[name]
        text = json.dumps(schemas[name])
        for part in text.split('"#/components/schemas/')[1:]:
            stack.append(part.split('"', 1)[0])
    return dict(sorted(seen.items()))


def group_versions() -> list[tuple[str, str]]:
    """Group versions that have stored kinds, core first."""
    seen: list[tuple[str, str]] = []
    for rt in BY_KEY.values():
        if (rt.group, rt.version) not in seen:
            seen.append((rt.group, rt.version))
    return sorted(seen, key=lambda gv: (gv[0] != "", gv[0]))


def v3_document(group: str, version: str, server_version: str) -> Obj | None:
    """The OpenAPI v3 document of one group version, or None if it has no stored kinds."""
    key = f"v3:{group}/{version}"
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return dict(cached)
    built = _built()
    kinds = [rt for rt in BY_KEY.values() if rt.group == group and rt.version == version]
    if not kinds:
        return None
    paths: Obj = {}
    for rt in kinds:
        paths.update(_paths_for(rt, built.kinds[rt.key]))
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": server_version},
        "paths": paths,
        "components": {"schemas": _referenced(built.schemas, [built.kinds[rt.key] for rt in kinds])},
    }
    with _lock:
        _cache[key] = doc
    return dict(doc)


def v3_root(server_version: str) -> Obj:
    """The ``/openapi/v3`` index: a ``serverRelativeURL`` with a content hash per group version."""
    paths: Obj = {}
    for group, version in group_versions():
        doc = v3_document(group, version, server_version)
        digest = hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest().upper()
        gv = _gv_path(group, version)
        paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={digest}"}
    return {"paths": paths}


def v2_document(server_version: str) -> Obj:
    """A Swagger 2.0 document of every stored kind (JSON only; kubectl asks v3 first)."""
    built = _built()
    paths: Obj = {}
    for rt in BY_KEY.values():
        for path, item in _paths_for(rt, built.kinds[rt.key]).items():
            paths[path] = {
                verb: {
                    k: v for k, v in operation.items() if k not in ("requestBody", "responses", "parameters")
                }
                | {"responses": {"200": {"description": "OK", "schema": _ref(built.kinds[rt.key])}}}
                for verb, operation in item.items()
            }
    text = json.dumps({"definitions": built.schemas, "paths": paths})
    doc: Obj = json.loads(text.replace("#/components/schemas/", "#/definitions/"))
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": server_version}, **doc}


# --- field validation --------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_GO_TYPES = {"string": "string", "integer": "int32", "number": "float64", "boolean": "bool"}


class _Walk:
    def __init__(self, schemas: dict[str, Obj], patch: bool) -> None:
        self.schemas = schemas
        self.patch = patch
        self.unknown: list[str] = []
        self.unknown_at: list[tuple[Obj, str]] = []
        self.type_error: str | None = None

    def resolve(self, schema: Obj) -> tuple[Obj, str]:
        ref = schema.get("$ref")
        if ref is None:
            return schema, ""
        name = ref.rsplit("/", 1)[-1]
        return self.schemas[name], name.rsplit(".", 1)[-1]

    def visit(self, value: Any, schema: Obj, path: str, owner: str) -> None:
        if value is None or self.type_error is not None:
            return
        schema, type_name = self.resolve(schema)
        owner = type_name or owner
        if schema.get("x-kubernetes-int-or-string") or schema.get("x-kubernetes-preserve-unknown-fields"):
            return
        expected = schema.get("type")
        got = _json_type(value)
        if expected in _GO_TYPES:
            ok = {
                "string": got == "string",
                "integer": got == "number" and float(value).is_integer(),
                "number": got == "number",
                "boolean": got == "bool",
            }[expected]
            if not ok:
                self.type_error = (
                    f"json: cannot unmarshal {got} into Go struct field {owner}.{path} "
                    f"of type {_GO_TYPES[expected]}"
                )
            return
        if expected == "array":
            if got != "array":
                self.type_error = (
                    f"json: cannot unmarshal {got} into Go struct field {owner}.{path} of type []"
                )
                return
            for i, item in enumerate(value):
                self.visit(item, schema["items"], f"{path}[{i}]", owner)
            return
        if expected == "object":
            if got != "object":
                self.type_error = (
                    f"json: cannot unmarshal {got} into Go struct field {owner}.{path} of type {owner}"
                )
                return
            props = schema.get("properties")
            extra = schema.get("additionalProperties")
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                if self.patch and key.startswith("$"):
                    continue  # strategic-merge directives such as $setElementOrder
                if props is not None:
                    if key in props:
                        self.visit(item, props[key], child, owner)
                    elif not (self.patch and item is None):  # a patch removing the field
                        self.unknown.append(child)
                        self.unknown_at.append((value, key))
                elif isinstance(extra, dict):
                    self.visit(item, extra, child, owner)


def check_body(
    rt: ResourceType, body: Any, content_type: str, field_validation: str | None, namespace: str | None
) -> list[str]:
    """Validate a create, update or patch body against the kind's schema.

    Returns:
        The warnings to send (unknown fields under ``Warn``).

    Raises:
        ApiError: 400 for a bad ``fieldValidation`` value, a wrong JSON type, or (``Strict``)
            an unknown field.
    """
    mode = field_validation or "Warn"
    if mode not in _VALIDATION_MODES:
        raise ApiError(
            400,
            "BadRequest",
            f'fieldValidation: Unsupported value: "{mode}": supported values: "Ignore", "Strict", "Warn"',
        )
    if not isinstance(body, dict) or "json-patch" in content_type or rt.key not in BY_KEY:
        return []
    try:
        built = _built()
    except OpenApiUnavailableError:
        return []
    walk = _Walk(built.schemas, patch="patch" in content_type)
    walk.visit(body, _ref(built.kinds[rt.key]), "", rt.kind)
    handled = f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}'
    if walk.type_error is not None:
        raise ApiError(400, "BadRequest", f"{handled}: {walk.type_error}")
    if not walk.unknown:
        return []
    if mode == "Strict":
        if "apply-patch" in content_type:
            name = (body.get("metadata") or {}).get("name", "")
            where = f"{namespace}/{name}" if namespace else name
            gv = f"{rt.group}/{rt.version}" if rt.group else f"/{rt.version}"
            fields = "\n".join(f".{f}: field not declared in schema" for f in walk.unknown)
            if len(walk.unknown) > 1:
                fields = "errors:\n" + fields
            raise ApiError(
                400,
                "BadRequest",
                f"failed to create typed patch object ({gv}, Kind={rt.kind}) {where}: {fields}",
            )
        unknown = ", ".join(f'unknown field "{f}"' for f in walk.unknown)
        raise ApiError(400, "BadRequest", f"{handled}: strict decoding error: {unknown}")
    # Like kube-apiserver's decoder, Ignore and Warn drop what the schema does not know.
    for parent, key in walk.unknown_at:
        parent.pop(key, None)
    return [] if mode == "Ignore" else [f'unknown field "{f}"' for f in walk.unknown]


def warning_header(message: str) -> str:
    """A ``Warning`` header value as kube-apiserver formats it (RFC 7234 code 299)."""
    escaped = message.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'


# --- HTTP --------------------------------------------------------------------------------------


def _not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def _document(path: str, accept: str, server_version: str) -> Obj:
    if path == "/openapi/v3":
        return v3_root(server_version)
    if path == "/openapi/v2":
        if "json" not in accept and "*/*" not in accept:
            # kubectl asks v2 for protobuf only when v3 failed; JSON is all devcluster writes.
            raise ApiError(406, "NotAcceptable", "only application/json is supported for /openapi/v2")
        return v2_document(server_version)
    if path.startswith("/openapi/v3/"):
        segs = path[len("/openapi/v3/") :].split("/")
        if segs[0] == "api" and len(segs) == 2:
            doc = v3_document("", segs[1], server_version)
        elif segs[0] == "apis" and len(segs) == 3:
            doc = v3_document(segs[1], segs[2], server_version)
        else:
            doc = None
        if doc is not None:
            return doc
    raise _not_found()


async def respond(request: Request, server_version: str) -> Response:
    """Answer ``GET /openapi/v2``, ``/openapi/v3`` and ``/openapi/v3/{api|apis/group}/{version}``."""
    path = request.url.path.rstrip("/")
    try:
        if request.method != "GET":
            raise ApiError(
                405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
            )
        doc = await run_in_threadpool(_document, path, request.headers.get("accept", ""), server_version)
    except OpenApiUnavailableError as exc:
        return Response(
            json.dumps(ApiError(404, "NotFound", str(exc)).to_status()), 404, media_type="application/json"
        )
    except ApiError as err:
        return Response(json.dumps(err.to_status()), err.code, media_type="application/json")
    headers = {"Cache-Control": "public, immutable"} if request.query_params.get("hash") else {}
    return Response(
        json.dumps(doc, separators=(",", ":")), 200, headers=headers, media_type="application/json"
    )

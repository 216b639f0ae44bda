"""Work out what each MCP tool does from its name, description, schema and annotations.

The same rules read every server's tools: the differences between servers end up in the
:class:`ToolCapability` records, never in branches of this code. Names are split into
words (``pods_list_in_namespace`` → pods, list, in, namespace; ``getPods`` → get, pods)
and each word is looked up in small vocabularies of kinds, verbs and scope words. A word
outside every vocabulary is a *qualifier*: ``get_evicted_pods`` lists only some pods and
``cilium_list_nodes`` lists Cilium's own node objects, so such tools rank low and their
output is not stored as a complete list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kcache import kinds
from kcache.errors import McpUnavailableError, StoreError

OPERATIONS: tuple[str, ...] = (
    "list", "get", "logs", "top", "describe", "delete", "scale", "create", "apply",
    "update", "patch", "exec", "run", "rollout", "events", "version", "config", "other",
)  # fmt: skip
"""Every operation type a tool can be given."""

READ_OPERATIONS: frozenset[str] = frozenset(
    {"list", "get", "logs", "top", "describe", "events", "version", "config"}
)
"""Operations that only read."""

WRITE_OPERATIONS: frozenset[str] = frozenset(
    {"delete", "scale", "create", "apply", "update", "patch", "exec", "run", "rollout"}
)
"""Operations that change the cluster."""

DESTRUCTIVE_OPERATIONS: frozenset[str] = frozenset(
    {"delete", "scale", "apply", "update", "patch", "exec", "rollout"}
)
"""Write operations that change or remove what already exists (creating does not)."""

CANONICAL_PARAMS: tuple[str, ...] = (
    "namespace", "name", "label_selector", "field_selector", "replicas", "container",
    "tail", "previous", "api_version", "kind", "resource_type", "all_namespaces",
    "manifest", "command", "image", "output",
)  # fmt: skip
"""Parameter names the rest of kcache speaks; each tool's own names map onto these."""

GENERIC = "*"
"""Resource type of a tool that serves every kind, the kind passed as a parameter."""

CLUSTER = "cluster"
"""Resource type of a tool about the cluster itself (version, configuration, health)."""

#: Short names that are also everyday English words, read in descriptions as the word.
_PROSE_SHORT_NAMES = frozenset({"no"})

#: Words naming a canonical kind, singular, plural and short forms (from the kinds table).
_KIND_WORDS: dict[str, str] = {
    word: kind.name
    for kind in kinds.TABLE
    for word in (kind.name, kind.plural, *kind.short)
    if word not in _PROSE_SHORT_NAMES
}

#: Kinds written as two or three words (``service_accounts``, ``ConfigMaps``).
_KIND_PHRASES: dict[tuple[str, ...], str] = {
    ("persistent", "volume", "claim"): "persistentvolumeclaim",
    ("persistent", "volume", "claims"): "persistentvolumeclaim",
    ("persistent", "volume"): "persistentvolume",
    ("persistent", "volumes"): "persistentvolume",
    ("storage", "class"): "storageclass",
    ("storage", "classes"): "storageclass",
    ("service", "account"): "serviceaccount",
    ("service", "accounts"): "serviceaccount",
    ("resource", "quota"): "resourcequota",
    ("resource", "quotas"): "resourcequota",
    ("config", "map"): "configmap",
    ("config", "maps"): "configmap",
    ("replica", "set"): "replicaset",
    ("replica", "sets"): "replicaset",
    ("stateful", "set"): "statefulset",
    ("stateful", "sets"): "statefulset",
    ("daemon", "set"): "daemonset",
    ("daemon", "sets"): "daemonset",
    ("cron", "job"): "cronjob",
    ("cron", "jobs"): "cronjob",
}

#: Verbs and nouns that name an operation. ``other`` marks verbs known to do something
#: that is none of the listed operations (explain, diagnose, forward...), which stops the
#: description from being searched for a verb instead.
_OP_WORDS: dict[str, str] = {
    "list": "list", "ls": "list", "get": "get", "read": "get", "fetch": "get",
    "show": "get", "view": "get", "retrieve": "get", "describe": "describe",
    "log": "logs", "logs": "logs", "top": "top", "metrics": "top", "usage": "top",
    "consumption": "top", "stats": "top", "events": "events", "delete": "delete",
    "remove": "delete", "uninstall": "delete", "cleanup": "delete", "clean": "delete",
    "evict": "delete", "destroy": "delete", "scale": "scale", "create": "create",
    "install": "create", "add": "create", "apply": "apply", "update": "update",
    "upgrade": "update", "set": "update", "label": "update", "annotate": "update",
    "taint": "update", "cordon": "update", "uncordon": "update", "drain": "update",
    "edit": "update", "replace": "update", "patch": "patch", "exec": "exec",
    "execute": "exec", "run": "run", "start": "run", "rollout": "rollout",
    "restart": "rollout", "rollback": "rollout", "undo": "rollout", "version": "version",
    "config": "config", "configuration": "config", "kubeconfig": "config",
    "context": "config", "contexts": "config", "explain": "other", "diagnose": "other",
    "detect": "other", "check": "other", "analyze": "other", "audit": "other",
    "trace": "other", "wait": "other", "compare": "other", "backup": "other",
    "export": "other", "search": "other", "lint": "other", "health": "other",
    "forward": "other", "ping": "other", "reconnect": "other", "copy": "other",
    "cp": "other", "query": "other", "generic": "other", "stop": "other", "pause": "other", "resume": "other",
}  # fmt: skip

#: Words that say nothing about what a tool selects: the API's name, filler, scope words.
_NEUTRAL_WORDS: frozenset[str] = frozenset(
    {
        "k8s", "kube", "kubectl", "kubernetes", "resource", "resources", "object",
        "objects", "in", "from", "for", "of", "by", "to", "the", "a", "an", "all", "and",
        "or", "namespace", "namespaced", "cluster", "info", "current", "details",
        "manage", "management", "one", "single", "port",
    }
)  # fmt: skip

#: Words after ``cluster`` that make a tool about the cluster itself.
_CLUSTER_WORDS: frozenset[str] = frozenset({"info", "version", "health", "status"})

#: Last words of a tool name that end in "s" without being plurals.
_SINGULAR_S: frozenset[str] = frozenset(
    {"status", "details", "logs", "metrics", "stats", "events", "analysis", "access"}
)

_SPECIALISED_READS: frozenset[str] = frozenset({"logs", "top", "events", "describe", "version", "config"})

#: Parameter names (lowercase, no separators) → canonical parameter.
_PARAM_WORDS: dict[str, str] = {
    "namespace": "namespace",
    "name": "name",
    "resourcename": "name",
    "labelselector": "label_selector",
    "selector": "label_selector",
    "fieldselector": "field_selector",
    "replicas": "replicas",
    "container": "container",
    "containername": "container",
    "tail": "tail",
    "taillines": "tail",
    "lines": "tail",
    "previous": "previous",
    "apiversion": "api_version",
    "kind": "kind",
    "resourcetype": "resource_type",
    "allnamespaces": "all_namespaces",
    "manifest": "manifest",
    "yaml": "manifest",
    "command": "command",
    "image": "image",
    "output": "output",
    "outputformat": "output",
}

#: Parameters that pick an operation from their enum (``operation: [cordon, drain]``).
_ACTION_PARAMS: frozenset[str] = frozenset({"action", "operation", "subcommand", "verb"})

_OUTPUT_FORMATS: frozenset[str] = frozenset({"yaml", "json", "table", "text"})
_SCOPES: frozenset[str] = frozenset({"cluster", "namespace", "any"})
_ALL_NAMESPACES_TEXT = re.compile(
    r"all namespaces|across namespaces|cluster-wide|cluster wide|every namespace", re.I
)
_FIRST_SENTENCE = re.compile(r"^(.*?)(?:\.\s|\n|$)", re.S)
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words(text: str) -> list[str]:
    """Split a tool name or sentence into lowercase words (snake, kebab and camel case)."""
    return [w.lower() for part in _WORD_SPLIT.split(text) for w in _CAMEL.split(part) if w]


def _kinds_in(tokens: list[str]) -> tuple[list[str], set[int]]:
    """Canonical kinds named by a word list, in order, and the positions they used."""
    kinds: list[str] = []
    used: set[int] = set()
    i = 0
    while i < len(tokens):
        for size in (3, 2):
            phrase = tuple(tokens[i : i + size])
            if len(phrase) == size and phrase in _KIND_PHRASES:
                kinds.append(_KIND_PHRASES[phrase])
                used.update(range(i, i + size))
                i += size
                break
        else:
            if tokens[i] in _KIND_WORDS:
                kinds.append(_KIND_WORDS[tokens[i]])
                used.add(i)
            i += 1
    # "namespace" next to another kind is where to look (pods_list_in_namespace).
    if len(set(kinds)) > 1:
        kinds = [k for k in kinds if k != "namespace"]
    return list(dict.fromkeys(kinds)), used


def name_qualifiers(name: str) -> tuple[str, ...]:
    """The words of a tool name outside every vocabulary (``evicted`` in get_evicted_pods).

    A tool with qualifiers does something narrower or other than its kinds and verbs say.
    """
    tokens = words(name)
    _, used = _kinds_in(tokens)
    return tuple(
        t for i, t in enumerate(tokens) if i not in used and t not in _OP_WORDS and t not in _NEUTRAL_WORDS
    )


def canonical_kind(word: str) -> str | None:
    """The canonical kind a word names (``Pods``, ``deploy``, ``ConfigMap``), or None."""
    tokens = words(word)
    joined = "".join(tokens)
    if joined in _KIND_WORDS:
        return _KIND_WORDS[joined]
    kinds, used = _kinds_in(tokens)
    return kinds[0] if len(kinds) == 1 and len(used) == len(tokens) else None


def plural(kind: str) -> str:
    """The plural resource name kubectl takes for a canonical kind (``deployments``)."""
    if kind.endswith("s"):
        return kind if kind == "endpoints" else kind + "es"
    return kind + "s"


@dataclass(frozen=True)
class ToolCapability:
    """What one MCP tool does, as far as kcache needs to know to choose and call it."""

    name: str
    description: str
    input_schema: dict[str, Any]
    resource_types: tuple[str, ...]
    """Canonical kinds, ``cluster``, or ``("*",)`` for a tool taking the kind as a parameter."""
    operation_types: tuple[str, ...]
    """Members of :data:`OPERATIONS`."""
    scope: str
    """``namespace`` (one namespace), ``cluster`` (spans the cluster) or ``any`` (either)."""
    required_params: tuple[str, ...]
    optional_params: tuple[str, ...]
    param_map: dict[str, str]
    """The tool's own parameter name → a member of :data:`CANONICAL_PARAMS`."""
    fixed_args: dict[str, Any]
    """Arguments the tool always gets for kcache's use (``output: json``)."""
    output_format: str
    """``yaml``, ``json``, ``table`` or ``text``."""
    cache_friendly: bool
    """A read of whole objects (list or get) whose output the cache can store."""
    read_only: bool
    writes: bool
    destructive: bool
    all_namespaces_param: str | None = None
    """The tool's flag that makes a list span every namespace, if it has one."""

    def __post_init__(self) -> None:
        bad_ops = [op for op in self.operation_types if op not in OPERATIONS]
        if bad_ops:
            raise ValueError(f"unknown operation types {bad_ops} for tool {self.name!r}")
        known_kinds = set(kinds.KINDS) | {CLUSTER, GENERIC}
        bad_kinds = [k for k in self.resource_types if k not in known_kinds]
        if bad_kinds:
            raise ValueError(f"unknown resource types {bad_kinds} for tool {self.name!r}")
        if self.scope not in _SCOPES:
            raise ValueError(f"unknown scope {self.scope!r} for tool {self.name!r}")
        if self.output_format not in _OUTPUT_FORMATS:
            raise ValueError(f"unknown output format {self.output_format!r} for {self.name!r}")
        bad_params = {p: c for p, c in self.param_map.items() if c not in CANONICAL_PARAMS}
        if bad_params:
            raise ValueError(f"unknown canonical params {bad_params} for tool {self.name!r}")

    @property
    def params(self) -> tuple[str, ...]:
        """Every parameter of the tool, required ones first."""
        return self.required_params + self.optional_params

    def tool_param(self, canonical: str) -> str | None:
        """The tool's own name for a canonical parameter, or None if it has none."""
        return next((p for p, c in self.param_map.items() if c == canonical), None)

    @property
    def is_generic(self) -> bool:
        """Whether the tool serves every kind, the kind passed as a parameter."""
        return GENERIC in self.resource_types

    def to_row(self) -> dict[str, str | int | None]:
        """The record as one ``mcp_tools`` row: JSON text for tuples and dicts, 0/1 flags."""
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": json.dumps(self.input_schema, sort_keys=True),
            "resource_types": json.dumps(list(self.resource_types)),
            "operation_types": json.dumps(list(self.operation_types)),
            "scope": self.scope,
            "required_params": json.dumps(list(self.required_params)),
            "optional_params": json.dumps(list(self.optional_params)),
            "param_map": json.dumps(self.param_map, sort_keys=True),
            "fixed_args": json.dumps(self.fixed_args, sort_keys=True),
            "output_format": self.output_format,
            "cache_friendly": int(self.cache_friendly),
            "read_only": int(self.read_only),
            "writes": int(self.writes),
            "destructive": int(self.destructive),
            "all_namespaces_param": self.all_namespaces_param,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ToolCapability:
        """Rebuild a record from a row written by :meth:`to_row`.

        Raises:
            StoreError: a column is missing or does not hold what :meth:`to_row` wrote.
        """
        name = row.get("name", "?")
        try:
            return cls(
                name=str(row["name"]),
                description=str(row["description"]),
                input_schema=_json_dict(row["input_schema"]),
                resource_types=tuple(_json_strs(row["resource_types"])),
                operation_types=tuple(_json_strs(row["operation_types"])),
                scope=str(row["scope"]),
                required_params=tuple(_json_strs(row["required_params"])),
                optional_params=tuple(_json_strs(row["optional_params"])),
                param_map={k: str(v) for k, v in _json_dict(row["param_map"]).items()},
                fixed_args=_json_dict(row["fixed_args"]),
                output_format=str(row["output_format"]),
                cache_friendly=bool(row["cache_friendly"]),
                read_only=bool(row["read_only"]),
                writes=bool(row["writes"]),
                destructive=bool(row["destructive"]),
                all_namespaces_param=(
                    None if row["all_namespaces_param"] is None else str(row["all_namespaces_param"])
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"mcp_tools row for tool {name!r} is invalid: {exc}") from exc


def _json_dict(text: Any) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {text!r}")
    return value


def _json_strs(text: Any) -> list[str]:
    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a JSON list of strings, got {text!r}")
    return value


def _schema_types(prop: Mapping[str, Any]) -> list[str]:
    """The JSON types a property accepts, ``anyOf`` unfolded, ``null`` left out."""
    found: list[str] = []
    raw = prop.get("type")
    if isinstance(raw, str):
        found.append(raw)
    elif isinstance(raw, list):
        found.extend(t for t in raw if isinstance(t, str))
    for alt in prop.get("anyOf", []) + prop.get("oneOf", []):
        if isinstance(alt, Mapping):
            found.extend(_schema_types(alt))
    return [t for t in found if t != "null"]


def _canonical_param(param: str, prop: Mapping[str, Any], tool_kinds: list[str]) -> str | None:
    """The canonical parameter a tool parameter stands for, or None."""
    key = "".join(words(param))
    types = _schema_types(prop)
    desc = str(prop.get("description", "")).lower()
    if key == "resource":
        # A whole object to apply, or the type of resource to explain or fetch.
        if any(w in desc for w in ("yaml", "json", "manifest", "representation")):
            return "manifest"
        return "resource_type"
    if key == "scale":
        return "replicas" if types and types[0] in ("integer", "number") else None
    if key in _PARAM_WORDS:
        return _PARAM_WORDS[key]
    # pod_name, nodeName, deployment_name: the name of an object of the tool's own kind.
    if key.endswith("name") and key != "name":
        prefix_kind = canonical_kind(key[: -len("name")])
        if prefix_kind is not None and (prefix_kind in tool_kinds or not tool_kinds):
            return "name"
    return None


def _param_kind(param: str) -> str | None:
    """The kind named by a ``<kind>_name`` parameter (``pod_name`` → pod)."""
    key = "".join(words(param))
    return canonical_kind(key[: -len("name")]) if key.endswith("name") and key != "name" else None


def _annotation(tool: Mapping[str, Any], hint: str) -> bool | None:
    annotations = tool.get("annotations") or {}
    value = annotations.get(hint) if isinstance(annotations, Mapping) else None
    return value if isinstance(value, bool) else None


def _enum_words(props: Mapping[str, Any], param_keys: frozenset[str]) -> list[str]:
    """Words of the enums of the named parameters."""
    found: list[str] = []
    for param, prop in props.items():
        if "".join(words(param)) in param_keys and isinstance(prop, Mapping):
            for value in prop.get("enum", []):
                found.extend(words(str(value)))
    return found


def _operations(
    tokens: list[str],
    description: str,
    props: Mapping[str, Any],
    name_required: bool,
    name_optional: bool,
    plural_kind: bool,
) -> list[str]:
    ops = [_OP_WORDS[t] for t in tokens if t in _OP_WORDS]
    if not ops:
        ops = [_OP_WORDS[t] for t in _enum_words(props, _ACTION_PARAMS) if t in _OP_WORDS]
    if not ops:
        sentence = _FIRST_SENTENCE.match(description)
        first = words(sentence.group(1) if sentence else description)
        ops = [_OP_WORDS[t] for t in first[:3] if t in _OP_WORDS][:1]
    ops = list(dict.fromkeys(ops))
    if "get" in ops and "list" not in ops:
        # "get" names both reads: one object when a name is required, a list when the name
        # is optional ("Get or list") or absent.
        ops.remove("get")
        if name_required:
            ops.append("get")
        elif name_optional:
            ops.extend(["list", "get"])
        elif plural_kind or "all" in words(description) or "list" in words(description):
            ops.append("list")
        else:
            ops.append("get")
    if any(op in _SPECIALISED_READS for op in ops):
        ops = [op for op in ops if op not in ("get", "list")]
    if len(ops) > 1 and "other" in ops:
        ops.remove("other")
    return ops or ["other"]


def classify(tool: Mapping[str, Any]) -> ToolCapability:
    """Classify one MCP tool (a ``tools/list`` entry: name, description, inputSchema...).

    Raises:
        McpUnavailableError: the tool has no name or its input schema is not an object.
    """
    name = tool.get("name")
    if not isinstance(name, str) or not name:
        raise McpUnavailableError(f"MCP tool without a name: {str(dict(tool))[:200]}")
    description = str(tool.get("description") or "")
    schema = tool.get("inputSchema") or {}
    if not isinstance(schema, Mapping):
        raise McpUnavailableError(f"inputSchema of tool {name!r} is not an object: {str(schema)[:200]}")
    props: dict[str, Any] = dict(schema.get("properties") or {})
    required = [p for p in schema.get("required") or [] if p in props]

    tokens = words(name)
    qualifiers = name_qualifiers(name)
    name_kinds, _ = _kinds_in(tokens)
    # A name led by an unknown word (cilium_list_nodes, kind_get_nodes, kiali_get_logs)
    # is about some add-on's own objects, whatever kinds its other words name.
    add_on = bool(tokens) and tokens[0] in qualifiers

    pre_map = {p: _canonical_param(p, props[p], name_kinds) for p in props}
    kind_params = {c for c in pre_map.values() if c in ("resource_type", "kind", "api_version")}
    enum_kinds: list[str] = []
    for param, canonical in pre_map.items():
        if canonical == "resource_type":
            enum_kinds.extend(k for k in (canonical_kind(str(v)) for v in props[param].get("enum", [])) if k)

    kinds: list[str]
    if add_on:
        kinds = []
    elif name_kinds:
        kinds = name_kinds
    elif enum_kinds:
        kinds = list(dict.fromkeys(enum_kinds))
    elif (kind_params or "manifest" in pre_map.values()) and not qualifiers:
        kinds = [GENERIC]
    elif not qualifiers or set(qualifiers) <= {"previous"}:
        sentence = _FIRST_SENTENCE.match(description)
        kinds, _ = _kinds_in(words(sentence.group(1) if sentence else description))
        # get_previous_logs(pod_name): the kind is in the parameter's name.
        kinds = kinds or [k for k in (_param_kind(p) for p in props) if k]
    else:
        kinds = []

    name_required = any(pre_map[p] == "name" for p in required)
    name_optional = any(pre_map[p] == "name" for p in props if p not in required)
    _, kind_positions = _kinds_in(tokens)
    plural_kind = any(tokens[i].endswith("s") for i in kind_positions) or (
        bool(tokens) and tokens[-1].endswith("s") and tokens[-1] not in _SINGULAR_S
    )
    ops = _operations(tokens, description, props, name_required, name_optional, plural_kind)

    # "events" with another kind is that object's events; alone it is the event kind.
    if "events" in ops and (not kinds or kinds == ["event"]):
        ops = ["list" if o == "events" else o for o in ops]
        kinds = kinds or (["event"] if not add_on else [])
    elif "events" in ops:
        kinds = [k for k in kinds if k != "event"]
    # Taking a whole object (not merely allowing one) is what applying means.
    manifest_required = any(pre_map[p] == "manifest" for p in required)
    if manifest_required and any(o in ("create", "update") for o in ops):
        ops.append("apply")
    if not add_on and any(o in ("version", "config") for o in ops):
        kinds = [k for k in name_kinds if k != "namespace"] + [CLUSTER]
    elif not add_on and _names_cluster_itself(tokens):
        kinds = [CLUSTER]
    kinds = list(dict.fromkeys(kinds))
    ops = list(dict.fromkeys(ops))

    read_hint = _annotation(tool, "readOnlyHint")
    destructive_hint = _annotation(tool, "destructiveHint")
    inferred_write = any(o in WRITE_OPERATIONS for o in ops)
    named_write = any(_OP_WORDS.get(t) in WRITE_OPERATIONS for t in tokens)
    if read_hint is True:
        # A read-only hint is trusted unless the name itself says the tool changes things.
        writes = named_write and not any(o in READ_OPERATIONS for o in ops)
    elif read_hint is False or destructive_hint is True:
        writes = True
    else:
        # No hint: unknown verbs count as writes, so they never answer a read.
        writes = inferred_write or not all(o in READ_OPERATIONS for o in ops)
    destructive = writes and (destructive_hint is True or any(o in DESTRUCTIVE_OPERATIONS for o in ops))

    param_map = {p: c for p, c in pre_map.items() if c is not None}
    all_ns_param = next((p for p, c in param_map.items() if c == "all_namespaces"), None)
    ns_param = next((p for p, c in param_map.items() if c == "namespace"), None)
    if ns_param is None:
        scope = "cluster"
    elif ns_param in required:
        scope = "namespace"
    elif (
        all_ns_param is not None
        or GENERIC in kinds
        or _ALL_NAMESPACES_TEXT.search(description)
        or _ALL_NAMESPACES_TEXT.search(str(props[ns_param].get("description", "")))
    ):
        scope = "any"
    else:
        scope = "namespace"

    reads_objects = not writes and bool(kinds) and kinds != [CLUSTER]
    cache_friendly = (
        reads_objects
        and bool(set(ops) & {"list", "get"})
        and not set(ops) - {"list", "get"}
        and not qualifiers
    )
    fixed_args: dict[str, Any] = {}
    output_param = next((p for p, c in param_map.items() if c == "output"), None)
    output_enum = props[output_param].get("enum", []) if output_param else []
    if cache_friendly and output_param and "json" in output_enum:
        fixed_args[output_param] = "json"
    output_format = _output_format(tool, ops, description, fixed_args, writes)

    return ToolCapability(
        name=name,
        description=description,
        input_schema=dict(schema),
        resource_types=tuple(kinds),
        operation_types=tuple(ops),
        scope=scope,
        required_params=tuple(required),
        optional_params=tuple(p for p in props if p not in required),
        param_map=param_map,
        fixed_args=fixed_args,
        output_format=output_format,
        cache_friendly=cache_friendly,
        read_only=not writes,
        writes=writes,
        destructive=destructive,
        all_namespaces_param=all_ns_param,
    )


def _names_cluster_itself(tokens: list[str]) -> bool:
    """``get_cluster_info``, ``get_cluster_version``: the cluster, not objects in it."""
    for i, token in enumerate(tokens):
        if token == "cluster":
            rest = tokens[i + 1 :]
            return not rest or rest[0] in _CLUSTER_WORDS
    return False


def _output_format(
    tool: Mapping[str, Any],
    ops: list[str],
    description: str,
    fixed_args: dict[str, Any],
    writes: bool,
) -> str:
    if "json" in fixed_args.values() or tool.get("outputSchema"):
        return "json"
    if writes or any(o in ("logs", "describe", "exec") for o in ops):
        return "text"
    text = description.lower()
    if "yaml" in text:
        return "yaml"
    if "json" in text:
        return "json"
    if "top" in ops:
        return "table"
    if any(o in ("list", "get") for o in ops):
        return "yaml"
    return "text"


def classify_all(tools: list[dict[str, Any]]) -> list[ToolCapability]:
    """Classify every tool of a ``tools/list`` result, keeping its order.

    Raises:
        McpUnavailableError: the list is empty, a tool is malformed, or two share a name.
    """
    if not tools:
        raise McpUnavailableError("the MCP server listed no tools")
    caps = [classify(tool) for tool in tools]
    names = [c.name for c in caps]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise McpUnavailableError(f"the MCP server listed tools more than once: {dupes}")
    return caps

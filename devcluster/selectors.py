"""Label and field selectors, parsed and matched as kube-apiserver does."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from devcluster.status import ApiError, bad_request


@dataclass(frozen=True)
class Requirement:
    """One term of a label selector."""

    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy this term."""
        has = self.key in labels
        value = labels.get(self.key)
        if self.op == "=":
            return has and value == self.values[0]
        if self.op == "!=":
            return not has or value != self.values[0]
        if self.op == "in":
            return has and value in self.values
        if self.op == "notin":
            return not has or value not in self.values
        if self.op == "exists":
            return has
        return not has


_TOKEN = re.compile(r"\s*(!=|==|=|\(|\)|,|!|[^\s!=(),]+)")
_KEY = re.compile(r"^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$")


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise bad_request(f"unable to parse requirement: {text!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse_label_selector(text: str) -> list[Requirement]:
    """Parse ``a=b,c!=d,e in (x,y),f notin (z),g,!h``.

    Raises:
        ApiError: 400 BadRequest naming the unparsable selector.
    """
    toks = _tokens(text)
    reqs: list[Requirement] = []
    i = 0

    def fail(why: str) -> ApiError:
        return bad_request(f"unable to parse requirement: {why}")

    while i < len(toks):
        if toks[i] == "!":
            if i + 1 >= len(toks):
                raise fail("found '', expected: identifier after '!'")
            reqs.append(Requirement(toks[i + 1], "!"))
            i += 2
        else:
            key = toks[i]
            if not _KEY.match(key):
                raise fail(f"invalid label key {key!r}")
            i += 1
            op = toks[i] if i < len(toks) else ","
            if op == ",":
                reqs.append(Requirement(key, "exists"))
            elif op in ("=", "==", "!="):
                if i + 1 >= len(toks) or toks[i + 1] in (",", "(", ")"):
                    value = ""
                    i += 1
                else:
                    value = toks[i + 1]
                    i += 2
                reqs.append(Requirement(key, "!=" if op == "!=" else "=", (value,)))
            elif op in ("in", "notin"):
                if i + 1 >= len(toks) or toks[i + 1] != "(":
                    raise fail(f"found {toks[i + 1] if i + 1 < len(toks) else ''!r}, expected: '('")
                i += 2
                values: list[str] = []
                while i < len(toks) and toks[i] != ")":
                    if toks[i] != ",":
                        values.append(toks[i])
                    i += 1
                if i >= len(toks):
                    raise fail("found '', expected: ')'")
                i += 1
                reqs.append(Requirement(key, op, tuple(values)))
            else:
                raise fail(f"found {op!r}, expected: in, notin, =, ==, !=, ',' or end of string")
        if i < len(toks):
            if toks[i] != ",":
                raise fail(f"found {toks[i]!r}, expected: ','")
            i += 1
    return reqs


def selector_from_label_selector(spec: Mapping[str, Any] | None) -> list[Requirement]:
    """Convert a ``metav1.LabelSelector`` (matchLabels/matchExpressions) into requirements."""
    if not spec:
        return []
    reqs = [Requirement(k, "=", (str(v),)) for k, v in (spec.get("matchLabels") or {}).items()]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expr in spec.get("matchExpressions") or []:
        reqs.append(Requirement(expr["key"], ops[expr["operator"]], tuple(expr.get("values") or ())))
    return reqs


def labels_match(reqs: list[Requirement], labels: Mapping[str, str] | None) -> bool:
    """Whether ``labels`` satisfy every requirement (an empty selector matches everything)."""
    lbl = labels or {}
    return all(r.matches(lbl) for r in reqs)


def _get(obj: Mapping[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


_COMMON = ("metadata.name", "metadata.namespace")
#: Field labels each kind supports beyond metadata.name and metadata.namespace.
FIELDS: dict[str, tuple[str, ...]] = {
    "pod": (
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.nominatedNodeName",
    ),
    "event": (
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
    "namespace": ("status.phase",),
    "node": ("spec.unschedulable",),
    "secret": ("type",),
    "replicaset": ("status.replicas",),
    "job": ("status.successful",),
    "persistentvolumeclaim": (),
}


@dataclass(frozen=True)
class FieldTerm:
    """One ``field=value`` / ``field!=value`` term."""

    field: str
    negate: bool
    value: str


def parse_field_selector(text: str, kind: str) -> list[FieldTerm]:
    """Parse a field selector for ``kind``.

    Raises:
        ApiError: 400 BadRequest for bad syntax or a field label the kind does not support.
    """
    terms: list[FieldTerm] = []
    allowed = _COMMON + FIELDS.get(kind, ())
    for raw in (p.strip() for p in text.split(",")):
        if not raw:
            continue
        for op in ("!=", "==", "="):
            if op in raw:
                name, value = raw.split(op, 1)
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{raw}'")
        name = name.strip()
        if name not in allowed:
            raise bad_request(f"field label not supported: {name}")
        terms.append(FieldTerm(name, op == "!=", value.strip()))
    return terms


def fields_match(terms: list[FieldTerm], obj: Mapping[str, Any]) -> bool:
    """Whether ``obj`` satisfies every field term."""
    getter: Callable[[Mapping[str, Any], str], str] = _get
    for t in terms:
        value = getter(obj, t.field)
        if t.field == "source" and not value:
            value = _get(obj, "source.component")
        if (value == t.value) == t.negate:
            return False
    return True


__all__ = [
    "ApiError",
    "FieldTerm",
    "Requirement",
    "fields_match",
    "labels_match",
    "parse_field_selector",
    "parse_label_selector",
    "selector_from_label_selector",
]

"""The access-review knob: everything is allowed unless a rule denies it."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DenyRule:
    """Deny ``verb`` on ``resource``; ``namespace`` ``*`` = anywhere, ``""`` = cluster scope."""

    verb: str
    resource: str
    namespace: str = "*"

    def matches(self, verb: str, resource: str, namespace: str) -> bool:
        """Whether this rule denies the request."""
        return (
            self.verb in ("*", verb)
            and self.resource in ("*", resource)
            and (self.namespace == "*" or self.namespace == namespace)
        )


class AccessPolicy:
    """Thread-safe set of deny rules consulted by access reviews and by every request."""

    user = "devcluster-admin"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[DenyRule] = []

    def deny(self, verb: str, resource: str, namespace: str = "*") -> None:
        """Deny ``verb`` (e.g. ``list``) on ``resource`` (plural, e.g. ``pods``)."""
        with self._lock:
            self._rules.append(DenyRule(verb, resource, namespace))

    def clear(self) -> None:
        """Allow everything again."""
        with self._lock:
            self._rules.clear()

    def allowed(self, verb: str, resource: str, namespace: str = "") -> bool:
        """Whether the request is allowed."""
        with self._lock:
            return not any(r.matches(verb, resource, namespace) for r in self._rules)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            value = data[pos : pos + size]
            pos += size
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


_ATTRS = ("namespace", "verb", "group", "version", "resource", "subresource", "name")
_NON_RESOURCE_ATTRS = ("path", "verb")


def _strings(fields: dict[int, list[Any]], names: tuple[str, ...]) -> dict[str, str]:
    return {
        name: fields[i + 1][0].decode()
        for i, name in enumerate(names)
        if i + 1 in fields and isinstance(fields[i + 1][0], bytes)
    }


def decode_review(kind: str, body: bytes) -> dict[str, Any]:
    """The ``spec`` of a protobuf-encoded access or rules review of ``kind``.

    SubjectAccessReviewSpec and its Self/Local forms number their fields alike:
    resourceAttributes 1, nonResourceAttributes 2, user 3, groups 4, uid 6;
    SelfSubjectRulesReviewSpec has only namespace 1.

    Raises:
        ValueError: the body is not a Kubernetes protobuf envelope.
    """
    if not body.startswith(b"k8s\x00"):
        raise ValueError("not a Kubernetes protobuf message")
    envelope = _fields(body[4:])
    raw = envelope.get(2, [b""])[0]
    spec = _fields(_fields(raw).get(2, [b""])[0])
    if kind == "SelfSubjectRulesReview":
        return _strings(spec, ("namespace",))
    out: dict[str, Any] = {}
    if 1 in spec:
        out["resourceAttributes"] = _strings(_fields(spec[1][0]), _ATTRS)
    if 2 in spec:
        out["nonResourceAttributes"] = _strings(_fields(spec[2][0]), _NON_RESOURCE_ATTRS)
    if 3 in spec:
        out["user"] = spec[3][0].decode()
    if 4 in spec:
        out["groups"] = [g.decode() for g in spec[4]]
    if 6 in spec:
        out["uid"] = spec[6][0].decode()
    return out


def decode_access_review(body: bytes) -> dict[str, str]:
    """``spec.resourceAttributes`` of a protobuf-encoded SelfSubjectAccessReview.

    Raises:
        ValueError: the body is not a Kubernetes protobuf envelope.
    """
    attrs = decode_review("SelfSubjectAccessReview", body).get("resourceAttributes") or {}
    return dict(attrs)

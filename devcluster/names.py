"""Deterministic Kubernetes-style generated names, hashes, uids and addresses."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

#: The alphabet Kubernetes uses for generated suffixes (no vowels, no confusable digits).
ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_UID_NAMESPACE = uuid.UUID("6f2c3f4e-5d2b-4c7e-9a51-2f0d6c0b8a11")


def _encode(data: bytes, length: int) -> str:
    number = int.from_bytes(hashlib.sha256(data).digest(), "big")
    chars = []
    for _ in range(length):
        number, rem = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[rem])
    return "".join(chars)


def template_hash(template: dict[str, Any]) -> str:
    """The ``pod-template-hash`` of a pod template: 10 characters, stable for equal templates."""
    canonical = json.dumps(template, sort_keys=True, separators=(",", ":"))
    return _encode(canonical.encode(), 10)


def suffix(seed: str, length: int = 5) -> str:
    """A generated-name suffix derived from ``seed``, like ``generateName`` produces."""
    return _encode(seed.encode(), length)


def uid(*parts: str) -> str:
    """A stable UUID for an object identity (same parts, same uid)."""
    return str(uuid.uuid5(_UID_NAMESPACE, "/".join(parts)))


def event_suffix(seed: str) -> str:
    """The 16 hex digits kube components append to an event's involved-object name."""
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def number(seed: str, modulo: int) -> int:
    """A stable integer in ``[0, modulo)`` derived from ``seed``."""
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % modulo

"""The object store: every served object, one global resourceVersion and a change log.

All access goes through one re-entrant lock, so the server thread, controllers and test
threads can change the cluster concurrently. Every write bumps the global
``resourceVersion`` and appends a :class:`Change` to a bounded log that a watch endpoint
can replay from a given version.
"""

from __future__ import annotations

import builtins
import copy
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

Key = tuple[str, str, str]  # (lowercase kind, namespace or "", name)


@dataclass(frozen=True)
class Change:
    """One write: ``type`` is ADDED, MODIFIED or DELETED, ``obj`` the object after it."""

    resource_version: int
    type: str
    kind: str
    obj: dict[str, Any]


class ExpiredError(Exception):
    """The requested resourceVersion is older than the oldest change still logged."""


class ObjectStore:
    """Objects by ``(kind, namespace, name)``, with a monotonically increasing version."""

    def __init__(self, log_size: int = 10_000) -> None:
        self.lock = threading.RLock()
        self._objects: dict[Key, dict[str, Any]] = {}
        self._rv = 0
        self._log: deque[Change] = deque(maxlen=log_size)
        self._listeners: list[Callable[[Change], None]] = []

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store lock across several operations."""
        with self.lock:
            yield

    @property
    def resource_version(self) -> int:
        """The version of the latest write."""
        return self._rv

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored object (not a copy: callers must not mutate it), or None."""
        with self.lock:
            return self._objects.get((kind, namespace, name))

    def list(self, kind: str, namespace: str | None = None) -> builtins.list[dict[str, Any]]:
        """Stored objects of ``kind``, optionally in one namespace, sorted by namespace/name."""
        with self.lock:
            items = [
                (k, o)
                for k, o in self._objects.items()
                if k[0] == kind and (namespace is None or k[1] == namespace)
            ]
        return [o for _, o in sorted(items, key=lambda kv: (kv[0][1], kv[0][2]))]

    def put(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace ``obj``, stamping a new ``metadata.resourceVersion``."""
        meta = obj["metadata"]
        key = (kind, meta.get("namespace", ""), meta["name"])
        with self.lock:
            self._rv += 1
            meta["resourceVersion"] = str(self._rv)
            kind_of_change = "MODIFIED" if key in self._objects else "ADDED"
            self._objects[key] = obj
            self._record(Change(self._rv, kind_of_change, kind, copy.deepcopy(obj)))
        return obj

    def remove(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """Remove and return the object, or None if it was not there."""
        with self.lock:
            obj = self._objects.pop((kind, namespace, name), None)
            if obj is not None:
                self._rv += 1
                gone = copy.deepcopy(obj)
                gone["metadata"]["resourceVersion"] = str(self._rv)
                self._record(Change(self._rv, "DELETED", kind, gone))
        return obj

    def changes_since(self, resource_version: int, kind: str | None = None) -> builtins.list[Change]:
        """Changes after ``resource_version``.

        Raises:
            ExpiredError: the log no longer reaches back to ``resource_version``.
        """
        with self.lock:
            if self._log and resource_version < self._log[0].resource_version - 1:
                raise ExpiredError(
                    f"too old resource version: {resource_version} ({self._log[0].resource_version - 1})"
                )
            return [
                c
                for c in self._log
                if c.resource_version > resource_version and (kind is None or c.kind == kind)
            ]

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``listener`` (under the store lock) on every change; returns an unsubscribe."""
        with self.lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self.lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _record(self, change: Change) -> None:
        self._log.append(change)
        for listener in list(self._listeners):
            listener(change)

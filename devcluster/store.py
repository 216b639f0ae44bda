"""The object store: every served object, one global resourceVersion and a change log.

All access goes through one re-entrant lock, so the server thread, controllers and test
threads can change the cluster concurrently. Every write bumps the global
``resourceVersion`` and appends a :class:`Change` to a bounded log that a watch endpoint
can replay from a given version.

Objects are indexed by kind and by (kind, namespace), so a namespaced list touches only that
namespace's objects: the controllers list per workload and per Service, and a scan of the
whole store for each would make one scale take a minute at 10,000 pods. Sorted key lists,
built on first use and kept sorted on later inserts and removals, spare each list a sort.
"""

from __future__ import annotations

import builtins
import copy
import threading
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

Key = tuple[str, str, str]  # (lowercase kind, namespace or "", name)
Obj = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One write: ``type`` is ADDED, MODIFIED or DELETED, ``obj`` the object after it."""

    resource_version: int
    type: str
    kind: str
    obj: dict[str, Any]


class ExpiredError(Exception):
    """The requested resourceVersion is older than the oldest change still logged."""


class _KindIndex:
    """One kind's objects by namespace and name, with lazily built sorted key lists."""

    def __init__(self) -> None:
        self.by_ns: dict[str, dict[str, Obj]] = {}
        # None until a list asks for it; after that, kept sorted on every insert and removal.
        self.keys: builtins.list[tuple[str, str]] | None = None
        self.names: dict[str, builtins.list[str]] = {}
        # Owner uids as indexed, so a later replace or removal unindexes exactly those.
        self.owner_uids: dict[tuple[str, str], tuple[str, ...]] = {}
        self.owned: dict[str, set[tuple[str, str]]] = {}

    def index_owners(self, namespace: str, name: str, obj: Obj | None) -> None:
        key = (namespace, name)
        refs = [] if obj is None else obj["metadata"].get("ownerReferences") or []
        uids = tuple(str(r["uid"]) for r in refs if r.get("uid"))
        old = self.owner_uids.get(key, ())
        if uids == old:
            return
        for uid in old:
            keys = self.owned[uid]
            keys.discard(key)
            if not keys:
                del self.owned[uid]
        for uid in uids:
            self.owned.setdefault(uid, set()).add(key)
        if uids:
            self.owner_uids[key] = uids
        else:
            self.owner_uids.pop(key, None)

    def add(self, namespace: str, name: str) -> None:
        if self.keys is not None:
            insort(self.keys, (namespace, name))
        names = self.names.get(namespace)
        if names is not None:
            insort(names, name)

    def discard(self, namespace: str, name: str) -> None:
        if self.keys is not None:
            del self.keys[bisect_left(self.keys, (namespace, name))]
        names = self.names.get(namespace)
        if names is not None:
            del names[bisect_left(names, name)]
        if not self.by_ns[namespace]:
            del self.by_ns[namespace]
            self.names.pop(namespace, None)

    def sorted_keys(self) -> builtins.list[tuple[str, str]]:
        if self.keys is None:
            self.keys = sorted((ns, name) for ns, objs in self.by_ns.items() for name in objs)
        return self.keys

    def sorted_names(self, namespace: str) -> builtins.list[str]:
        names = self.names.get(namespace)
        if names is None:
            names = self.names[namespace] = sorted(self.by_ns.get(namespace, ()))
        return names


class ObjectStore:
    """Objects by ``(kind, namespace, name)``, with a monotonically increasing version."""

    def __init__(self, log_size: int = 10_000) -> None:
        self.lock = threading.RLock()
        self._kinds: dict[str, _KindIndex] = {}
        self._rv = 0
        self._log: deque[Change] = deque(maxlen=log_size)
        # Versions at or below this one were compacted away (see :meth:`compact`).
        self._compacted = 0
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
            index = self._kinds.get(kind)
            if index is None:
                return None
            objs = index.by_ns.get(namespace)
            return None if objs is None else objs.get(name)

    def list(self, kind: str, namespace: str | None = None) -> builtins.list[dict[str, Any]]:
        """Stored objects of ``kind``, optionally in one namespace, sorted by namespace/name."""
        with self.lock:
            index = self._kinds.get(kind)
            if index is None:
                return []
            if namespace is not None:
                objs = index.by_ns.get(namespace)
                if objs is None:
                    return []
                return [objs[name] for name in index.sorted_names(namespace)]
            by_ns = index.by_ns
            return [by_ns[ns][name] for ns, name in index.sorted_keys()]

    def count(self, kind: str, namespace: str | None = None) -> int:
        """How many objects of ``kind`` there are, optionally in one namespace."""
        with self.lock:
            index = self._kinds.get(kind)
            if index is None:
                return 0
            if namespace is not None:
                return len(index.by_ns.get(namespace, ()))
            return sum(len(objs) for objs in index.by_ns.values())

    def owned(self, kind: str, namespace: str, uid: str) -> builtins.list[dict[str, Any]]:
        """Objects of ``kind`` in ``namespace`` that list ``uid`` among their owners, by name.

        The owner index is taken at each write, like every other index here.
        """
        with self.lock:
            index = self._kinds.get(kind)
            if index is None:
                return []
            objs = index.by_ns.get(namespace, {})
            names = sorted(name for ns, name in index.owned.get(uid, ()) if ns == namespace)
            return [objs[name] for name in names]

    def put(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace ``obj``, stamping a new ``metadata.resourceVersion``."""
        with self.lock:
            added = self._insert(kind, obj)
            self._record(Change(self._rv, "ADDED" if added else "MODIFIED", kind, copy.deepcopy(obj)))
        return obj

    def load(self, kind: str, objects: Iterable[dict[str, Any]]) -> None:
        """Insert or replace ``objects`` as :meth:`put` does, but without change-log entries.

        For bulk loading before anyone watches: each object still gets its own
        ``resourceVersion``, but no :class:`Change` is logged and no listener is called, which
        spares a deep copy per object.
        """
        with self.lock:
            for obj in objects:
                self._insert(kind, obj)

    def remove(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """Remove and return the object, or None if it was not there."""
        with self.lock:
            index = self._kinds.get(kind)
            objs = None if index is None else index.by_ns.get(namespace)
            obj = None if objs is None else objs.pop(name, None)
            if obj is not None:
                assert index is not None
                index.discard(namespace, name)
                index.index_owners(namespace, name, None)
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
            # Without a log (bulk-loaded or compacted) only the current version can be resumed.
            oldest = max(self._log[0].resource_version - 1 if self._log else self._rv, self._compacted)
            if resource_version < oldest:
                raise ExpiredError(f"too old resource version: {resource_version} ({oldest})")
            return [
                c
                for c in self._log
                if c.resource_version > resource_version and (kind is None or c.kind == kind)
            ]

    def compact(self) -> int:
        """Forget the change log, as etcd compaction does; returns the version compacted to.

        A watch from any older version then answers ``410 Expired``.
        """
        with self.lock:
            self._log.clear()
            self._compacted = self._rv
            return self._rv

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``listener`` (under the store lock) on every change; returns an unsubscribe."""
        with self.lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self.lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _insert(self, kind: str, obj: Obj) -> bool:
        """Stamp a new version on ``obj`` and store it; True if it was not there before."""
        meta = obj["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        index = self._kinds.get(kind)
        if index is None:
            index = self._kinds[kind] = _KindIndex()
        objs = index.by_ns.get(namespace)
        if objs is None:
            objs = index.by_ns[namespace] = {}
        added = name not in objs
        objs[name] = obj
        index.index_owners(namespace, name, obj)
        if added:
            index.add(namespace, name)
        return added

    def _record(self, change: Change) -> None:
        self._log.append(change)
        for listener in list(self._listeners):
            listener(change)

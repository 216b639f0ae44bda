"""A read-only view of cached objects, indexed the ways analyzers follow them.

Analyzers never query the store: the caller reads the rows of a scope once and hands them
over here. The view indexes them by identity, by controlling owner, by label, by the
object an event is about and by the claims pods mount, so that following an owner, a
selector or a reference costs a dictionary lookup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kcache.model import Resource

Key = tuple[str, str | None, str]


class View:
    """Cached objects by kind; read-only once built.

    Args:
        objects: Records by canonical kind. A kind present as a key (even with an empty
            list) counts as *loaded*: its absence of an object is a fact (a Secret a pod
            names really is missing). Kinds not given are unknown, and nothing is
            concluded from them.
        ingress_classes: Names of the cluster's IngressClasses when known; None when not.
    """

    def __init__(
        self,
        objects: Mapping[str, Sequence[Resource]],
        *,
        ingress_classes: Iterable[str] | None = None,
    ) -> None:
        self._by_kind: dict[str, list[Resource]] = {kind: list(items) for kind, items in objects.items()}
        self.ingress_classes: frozenset[str] | None = (
            frozenset(ingress_classes) if ingress_classes is not None else None
        )
        self._by_key: dict[Key, Resource] = {}
        self._by_ns: dict[tuple[str, str | None], list[Resource]] = defaultdict(list)
        self._children: dict[tuple[str, Key], list[Resource]] = defaultdict(list)
        self._labels: dict[tuple[str | None, str, str], list[Resource]] = defaultdict(list)
        self._events: dict[Key, list[Resource]] = defaultdict(list)
        self._claimants: dict[tuple[str | None, str], list[Resource]] = defaultdict(list)
        self._on_node: dict[str, list[Resource]] = defaultdict(list)
        self._unscheduled: list[Resource] = []
        self.memo: dict[tuple[str, Key], Any] = {}
        """Results an analyzer computed once per object (a pod's findings), shared by callers."""
        for kind, items in self._by_kind.items():
            for r in items:
                self._index(kind, r)

    @classmethod
    def of(
        cls,
        resources: Iterable[Resource],
        *,
        loaded: Iterable[str] = (),
        ingress_classes: Iterable[str] | None = None,
    ) -> View:
        """A view of mixed records; the kinds seen, and those in ``loaded``, count as loaded."""
        objects: dict[str, list[Resource]] = {kind: [] for kind in loaded}
        for r in resources:
            objects.setdefault(r.kind, []).append(r)
        return cls(objects, ingress_classes=ingress_classes)

    def _index(self, kind: str, r: Resource) -> None:
        key = (kind, r.namespace, r.name)
        self._by_key[key] = r
        self._by_ns[(kind, r.namespace)].append(r)
        if r.owner_kind and r.owner_name:
            self._children[(kind, (r.owner_kind, r.namespace, r.owner_name))].append(r)
        if kind == "pod":
            node = r.fields.get("node_name")
            if node:
                self._on_node[str(node)].append(r)
            elif r.fields.get("phase") == "Pending":
                self._unscheduled.append(r)
            for label in r.labels.items():
                self._labels[(r.namespace, *label)].append(r)
            for ref in r.fields.get("refs") or ():
                if ref.get("kind") == "persistentvolumeclaim":
                    self._claimants[(r.namespace, str(ref.get("name")))].append(r)
        elif kind == "event":
            f = r.fields
            involved = (
                str(f.get("involved_kind") or ""),
                f.get("involved_namespace") or r.namespace,
                str(f.get("involved_name") or ""),
            )
            self._events[involved].append(r)

    def loaded(self, kind: str) -> bool:
        """Whether the view holds every object of ``kind`` in its scope."""
        return kind in self._by_kind

    def namespaces(self) -> list[str]:
        """The namespaces any namespaced object of the view lives in, sorted."""
        return sorted({ns for (_, ns) in self._by_ns if ns})

    def all(self, kind: str, namespace: str | None = None) -> list[Resource]:
        """Every object of ``kind``; only those in ``namespace`` when one is given."""
        if namespace is None:
            return self._by_kind.get(kind, [])
        return self._by_ns.get((kind, namespace), [])

    def get(self, kind: str, namespace: str | None, name: str) -> Resource | None:
        """The object of that identity, or None."""
        return self._by_key.get((kind, namespace, name))

    def children(self, parent: Resource, kind: str) -> list[Resource]:
        """Objects of ``kind`` whose controlling owner is ``parent``."""
        return self._children.get((kind, parent.key), [])

    def pods_of(self, workload: Resource) -> list[Resource]:
        """A workload's pods through owner references: Deployment → ReplicaSet → Pod, Job → Pod."""
        if workload.kind == "deployment":
            return [p for rs in self.children(workload, "replicaset") for p in self.children(rs, "pod")]
        if workload.kind == "cronjob":
            return [p for job in self.children(workload, "job") for p in self.children(job, "pod")]
        return self.children(workload, "pod")

    def pods_matching(self, namespace: str | None, selector: Mapping[str, str]) -> list[Resource]:
        """Pods of ``namespace`` whose labels hold every pair of ``selector`` (none if empty)."""
        if not selector:
            return []
        lists = [self._labels.get((namespace, k, v), []) for k, v in selector.items()]
        smallest = min(lists, key=len)
        return [p for p in smallest if all(p.labels.get(k) == v for k, v in selector.items())]

    def pods_labelled(self, namespace: str | None, key: str, value: str) -> list[Resource]:
        """Pods of ``namespace`` that carry the label ``key=value``."""
        return self._labels.get((namespace, key, value), [])

    def events(self, r: Resource, *, warnings_only: bool = True) -> list[Resource]:
        """Events about ``r``, newest first; only Warning events unless told otherwise."""
        found = self._events.get(r.key, [])
        if warnings_only:
            found = [e for e in found if e.fields.get("type") == "Warning"]
        return sorted(found, key=lambda e: str(e.fields.get("last_timestamp") or ""), reverse=True)

    def pods_on(self, node: str) -> list[Resource]:
        """Pods placed on the node of that name."""
        return self._on_node.get(node, [])

    def unscheduled(self) -> list[Resource]:
        """Pending pods not yet placed on a node."""
        return self._unscheduled

    def claimants(self, namespace: str | None, claim: str) -> list[Resource]:
        """Pods whose spec names the PersistentVolumeClaim ``claim``."""
        return self._claimants.get((namespace, claim), [])

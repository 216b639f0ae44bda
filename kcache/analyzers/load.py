"""Read the cached objects of a scope from the store into a :class:`View` (the analyzers' only I/O)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from kcache.access import complete_kinds, grant_of
from kcache.analyzers.findings import Finding
from kcache.analyzers.scope import diagnose_each
from kcache.analyzers.view import View
from kcache.kinds import TIER_OF, is_namespaced
from kcache.model import Resource
from kcache.store import Lookup, Store

#: Every kind the cache keeps: analyzers follow owners, selectors and references across them.
VIEW_KINDS: tuple[str, ...] = tuple(TIER_OF)


@dataclass(frozen=True, kw_only=True)
class ScopeView:
    """A view of a scope and how old its data is."""

    view: View
    age_s: float | None
    """Seconds since the oldest row read was written (None when nothing was read)."""
    stale: tuple[str, ...]
    """Kinds whose rows are past their TTL."""


async def load_view(
    store: Store,
    cluster: str,
    namespace: str | None = None,
    *,
    kinds: tuple[str, ...] = VIEW_KINDS,
) -> ScopeView:
    """The cached objects of one namespace (with the cluster-scoped kinds), or of the cluster.

    A kind whose scope was never scanned is left out of the view (so nothing is concluded
    from its absence); a kind scanned and empty is in it with no objects. Read through an
    asker's view of the store, a kind they may not read wholly in the scope is left out
    too: a Secret hidden from them is not a missing Secret.
    """
    kinds = complete_kinds(grant_of(store), kinds, namespace)

    async def read(kind: str) -> tuple[str, Lookup]:
        scoped = namespace if is_namespaced(kind) else None
        return kind, await store.query(cluster, kind, namespace=scoped)

    results = await asyncio.gather(*(read(kind) for kind in kinds))
    objects = {kind: lookup.items for kind, lookup in results if lookup.freshness != "missing"}
    ages = [lookup.age_s for _, lookup in results if lookup.age_s is not None]
    stale = tuple(kind for kind, lookup in results if lookup.freshness == "stale")
    return ScopeView(view=View(objects), age_s=max(ages) if ages else None, stale=stale)


async def diagnose_items(
    store: Store,
    cluster: str,
    items: Sequence[Resource],
    namespace: str | None = None,
    *,
    owner: tuple[str, str] | None = None,
) -> list[Finding]:
    """The ranked findings of ``items`` over the cached scope around them (one call for a node).

    The scope is ``namespace``, else the namespace of the first item (the cluster for
    cluster-scoped items), read with :func:`load_view`. ``owner`` (kind, name), the workload
    the user named whose pods ``items`` are, is diagnosed with them: its own state (a Job past
    its backoffLimit, a CronJob whose last run failed, a rollout stuck) explains its pods'.
    """
    if not items:
        return []
    ns = namespace or items[0].namespace
    scope = await load_view(store, cluster, ns)
    head = scope.view.get(owner[0], ns, owner[1]) if owner else None
    return diagnose_each(scope.view, [*([head] if head is not None else []), *items])

"""The agent's view of the cache: its vocabulary of names, and warming an empty cache first."""

from __future__ import annotations

import logging
import weakref

from kcache.kinds import TABLE
from kcache.logs import event
from kcache.runtime import Holder
from kcache.scan import as_scanner, run_tier
from kcache.understand import Vocabulary

logger = logging.getLogger(__name__)

#: Kinds whose names users mention (every cached kind but the bookkeeping ones).
VOCAB_KINDS = tuple(
    k.name
    for k in TABLE
    if k.tier is not None and k.name not in ("namespace", "event", "endpoints", "resourcequota")
)
# Per store and cluster: (store generation, vocabulary). Weak, so a closed store is forgotten.
_CACHE: weakref.WeakKeyDictionary[object, dict[str, tuple[int, Vocabulary]]] = weakref.WeakKeyDictionary()


async def vocabulary(kc: Holder) -> Vocabulary:
    """Names and namespaces the cache holds; rebuilt only after the cache changed.

    Read through an asker's view (``Kcache.for_asker``), it holds only the names they may
    read: what the reader recognises, suggests and offers.
    """
    per_cluster = _CACHE.setdefault(kc.store, {})
    hit = per_cluster.get(kc.cluster)
    if hit is not None and hit[0] == kc.store.generation:
        return hit[1]
    generation = kc.store.generation
    names = await kc.store.names(kc.cluster, ("namespace", *VOCAB_KINDS))
    namespaces = sorted(n for _, n in names.pop("namespace"))
    # Namespaces that objects name are real even when the namespace list was not scanned.
    for pairs in names.values():
        namespaces.extend(ns for ns, _ in pairs if ns and ns not in namespaces)
    vocab = Vocabulary.from_objects(
        sorted(set(namespaces)), ((kind, ns, name) for kind, pairs in names.items() for ns, name in pairs)
    )
    per_cluster[kc.cluster] = (generation, vocab)
    return vocab


async def ensure_warm(kc: Holder) -> list[str]:
    """Scan the tiers that were never scanned or whose data expired; returns the tiers scanned.

    Whoever asks, the tiers are the scanner's: their state is read from the whole store.
    """
    kc = as_scanner(kc)
    now = kc.store.now()
    scanned = []
    for tier, probe in (("static", "namespaces"), ("dynamic", "pods")):
        scope = await kc.store.scope(kc.cluster, probe)
        if scope is None or scope.last_success_at is None or (scope.expires_at or 0) <= now:
            event(
                logger,
                "cache",
                "warm",
                f"the {tier} tier is empty or expired: refreshing it first",
                tier=tier,
            )
            await run_tier(kc, tier)
            scanned.append(tier)
    return scanned

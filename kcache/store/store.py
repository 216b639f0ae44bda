"""The SQLite cache: one writer, a small pool of readers, freshness on every read.

All SQL lives in :mod:`kcache.store.sql`. Writes go through :meth:`Store.transaction`
(``BEGIN IMMEDIATE``, commit on success, roll back on any exception) on the single writer
connection; reads use pooled connections and, under WAL, see either the old or the new
set of a tier replacement, never a mix.

:class:`Store` is composed of one class per section of the database, all over the same
connections (:class:`kcache.store.pool.Pool`): cluster objects, cluster rows, scans, tools,
the audit log, agent turns and eval runs.
"""

from __future__ import annotations

from kcache.store.audit import Audit
from kcache.store.clusters import Clusters
from kcache.store.evals import Evals
from kcache.store.objects import Objects
from kcache.store.rows import Freshness, Lookup, ScanScope, from_ts, to_ts
from kcache.store.scans import Scans
from kcache.store.tools import Tools
from kcache.store.turns import Turns

__all__ = ["Freshness", "Lookup", "ScanScope", "Store", "from_ts", "to_ts"]


class Store(Objects, Clusters, Scans, Tools, Audit, Turns, Evals):
    """The cache database. Open it with ``async with Store(path, ...) as store``."""

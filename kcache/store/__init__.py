"""The SQLite cache of cluster state (all SQL in :mod:`kcache.store.sql`)."""

from kcache.store.store import Lookup, ScanScope, Store, from_ts, to_ts

__all__ = ["Lookup", "ScanScope", "Store", "from_ts", "to_ts"]

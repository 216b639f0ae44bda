"""The SQLite cache of cluster state (all SQL in :mod:`kcache.store.sql`)."""

from kcache.store.store import Lookup, ScanScope, Store, from_ts, to_ts
from kcache.store.turns import TurnRow

__all__ = ["Lookup", "ScanScope", "Store", "TurnRow", "from_ts", "to_ts"]

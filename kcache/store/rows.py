"""What the store's rows become in Python: timestamps, lookups, scan scopes, resources."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from kcache.errors import StoreError
from kcache.model import Resource

Freshness = Literal["fresh", "stale", "missing"]
_TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def to_ts(epoch: float) -> str:
    """Epoch seconds → the UTC text timestamps the store writes (sortable as text)."""
    return datetime.fromtimestamp(epoch, UTC).strftime(_TS_FORMAT)


def from_ts(text: str | None) -> float | None:
    """The store's text timestamps (or SQLite's CURRENT_TIMESTAMP) → epoch seconds."""
    if not text:
        return None
    for fmt in (_TS_FORMAT, "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise StoreError(f"unreadable timestamp in the cache: {text!r}")


@dataclass(kw_only=True)
class Lookup:
    """What a read returns: the rows, and whether they are fresh, stale or missing."""

    items: list[Resource] = field(default_factory=list)
    freshness: Freshness = "missing"
    age_s: float | None = None
    """Seconds since the oldest returned row (or the empty scope) was written."""

    @property
    def fresh(self) -> bool:
        """True only when every row returned is within its TTL."""
        return self.freshness == "fresh"


@dataclass(frozen=True, kw_only=True)
class ScanScope:
    """The ``cache_metadata`` row of one scan scope."""

    table_name: str
    scan_status: str
    last_scan_at: float | None
    next_scan_at: float | None
    expires_at: float | None
    last_success_at: float | None
    record_count: int
    error_message: str | None
    tier: str | None


# json.dumps() with options builds a new encoder per call; one shared encoder is much faster.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Compact JSON text, as the store writes it."""
    return _ENCODER.encode(value)


def column_value(r: Resource, column: str) -> Any:
    """The value of one extra column of a spec table, defaults and JSON applied."""
    value = r.fields.get(column)
    if column == "status" and value is None:
        return "Unknown"
    if column in ("phase", "type") and value is None:
        return "Unknown" if column == "phase" else "ClusterIP"
    if isinstance(value, (dict, list, tuple)):  # noqa: UP038 - the tuple form is faster here
        return dumps(value)
    return value


def resource(kind: str, row: Sequence[Any]) -> Resource:
    """A row of :func:`kcache.store.sql.select_sql` → the Resource it was written from."""
    namespace, name, labels, annotations, created, owner_kind, owner_name, data = row[:8]
    return Resource(
        kind=kind,
        name=name,
        namespace=namespace or None,
        labels=json.loads(labels) if labels else {},
        annotations=json.loads(annotations) if annotations else {},
        owner_kind=owner_kind,
        owner_name=owner_name,
        created_at=created,
        fields=json.loads(data) if data else {},
    )


def scope(row: Sequence[Any]) -> ScanScope:
    """A ``cache_metadata`` row (``sql.SELECT_METADATA`` columns) → ScanScope."""
    table, _cluster, last, nxt, status, error, count, tier, expires, success = row
    return ScanScope(
        table_name=table,
        scan_status=status,
        last_scan_at=from_ts(last),
        next_scan_at=from_ts(nxt),
        expires_at=from_ts(expires),
        last_success_at=from_ts(success),
        record_count=int(count or 0),
        error_message=error,
        tier=tier,
    )


def freshness(
    items: list[Resource], raw: Sequence[Sequence[Any]], meta: list[ScanScope], now: float
) -> Lookup:
    """The Lookup of a read: rows decide by their own expiry, an empty answer by its scopes."""
    if raw:
        expires = min(from_ts(r[8]) or 0.0 for r in raw)
        written = min(from_ts(r[9]) or now for r in raw)
        return Lookup(
            items=items, freshness="fresh" if expires > now else "stale", age_s=round(now - written, 3)
        )
    # No rows: an empty answer is fresh only when a completed scan of the scope says so.
    done = [m for m in meta if m.last_success_at is not None]
    if not done:
        return Lookup(items=[], freshness="missing")
    best = max(done, key=lambda m: m.expires_at or 0.0)
    fresh = (best.expires_at or 0.0) > now
    return Lookup(
        items=[], freshness="fresh" if fresh else "stale", age_s=round(now - (best.last_success_at or now), 3)
    )

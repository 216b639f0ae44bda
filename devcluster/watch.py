"""Watch streams as kube-apiserver serves them to list+watch clients.

A watch answers newline-delimited JSON events from the store's change log:

- ``watch`` is read as Go's ``strconv.ParseBool`` reads it (``1``, ``t``, ``T``, ``TRUE``,
  ``true``, ``True``); kubernetes_asyncio sends ``watch=True``.
- ``resourceVersion`` unset or ``0`` starts with an ADDED event per current object; any other
  version replays the changes after it, or answers a ``410 Expired`` ERROR event when the log
  no longer reaches back that far.
- ``sendInitialEvents=true`` (with ``resourceVersionMatch=NotOlderThan``, as client-go's
  WatchListClient asks) sends the current objects, then a BOOKMARK annotated
  ``k8s.io/initial-events-end: "true"``.
- ``allowWatchBookmarks=true`` adds a BOOKMARK carrying the current resourceVersion every
  :attr:`Watches.bookmark_interval` seconds and one when ``timeoutSeconds`` ends the stream.
- :meth:`Watches.drop_all` cuts every open watch connection (the ``drop_watches`` fault).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.responses import StreamingResponse

from devcluster import status
from devcluster.faults import DroppedConnection
from devcluster.resources import ResourceType
from devcluster.selectors import fields_match, labels_match, parse_field_selector, parse_label_selector
from devcluster.state import ClusterState, served
from devcluster.status import ApiError
from devcluster.store import ExpiredError

Obj = dict[str, Any]
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")
#: How often a stream looks for new changes, in seconds.
POLL_SECONDS = 0.1


def parse_bool(value: str | None) -> bool:
    """A boolean query parameter as kube-apiserver parses it (absent or empty: False).

    Raises:
        ApiError: 400 for a value ``strconv.ParseBool`` rejects.
    """
    if value is None or value == "" or value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise status.bad_request(f'strconv.ParseBool: parsing "{value}": invalid syntax')


class Watches:
    """The open watch streams of one server: counted, and droppable all at once."""

    def __init__(self, bookmark_interval: float = 60.0) -> None:
        self._lock = threading.Lock()
        self._epoch = 0
        self._open = 0
        self.bookmark_interval = bookmark_interval
        """Seconds between periodic BOOKMARK events (kube-apiserver sends about one a minute)."""

    @property
    def open(self) -> int:
        """How many watch streams are being served."""
        with self._lock:
            return self._open

    def drop_all(self) -> int:
        """Cut every open watch connection (clients see the stream break); returns how many."""
        with self._lock:
            self._epoch += 1
            return self._open

    def _enter(self) -> int:
        with self._lock:
            self._open += 1
            return self._epoch

    def _leave(self) -> None:
        with self._lock:
            self._open -= 1

    def _dropped_since(self, epoch: int) -> bool:
        with self._lock:
            return self._epoch != epoch


def _line(event_type: str, obj: Obj) -> bytes:
    return (json.dumps({"type": event_type, "object": obj}, separators=(",", ":")) + "\n").encode()


def _bookmark(rt: ResourceType, rv: int, initial_end: bool = False) -> bytes:
    meta: Obj = {"resourceVersion": str(rv), "creationTimestamp": None}
    if initial_end:
        meta["annotations"] = {INITIAL_EVENTS_END: "true"}
    return _line("BOOKMARK", {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta})


def respond(
    state: ClusterState,
    watches: Watches,
    rt: ResourceType,
    namespace: str | None,
    query: Mapping[str, str],
) -> StreamingResponse:
    """The streaming answer to a watch request.

    Raises:
        ApiError: 400 for a bad selector or boolean, 422 for ``sendInitialEvents`` without
            ``resourceVersionMatch=NotOlderThan`` and ``allowWatchBookmarks=true``.
    """
    labels = parse_label_selector(query.get("labelSelector", ""))
    fields = parse_field_selector(query.get("fieldSelector", ""), rt.key)
    timeout = min(int(query.get("timeoutSeconds", "1800") or 1800), 3600)
    since = query.get("resourceVersion") or ""
    bookmarks = parse_bool(query.get("allowWatchBookmarks"))
    send_initial = parse_bool(query.get("sendInitialEvents"))
    if "sendInitialEvents" in query:
        causes = []
        if query.get("resourceVersionMatch") != "NotOlderThan":
            causes.append(
                "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch "
                "to NotOlderThan"
            )
        if not bookmarks:
            causes.append(
                "allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true"
            )
        if causes:
            text = causes[0] if len(causes) == 1 else f"[{', '.join(causes)}]"
            raise ApiError(
                422,
                "Invalid",
                f'ListOptions.meta.k8s.io "" is invalid: {text}',
                {"kind": "ListOptions", "group": "meta.k8s.io"},
            )
    # An unset or "0" version lists first, unless the client said sendInitialEvents=false.
    initial_events = send_initial or ("sendInitialEvents" not in query and since in ("", "0"))
    if since not in ("", "0") and not since.isdigit():
        raise status.bad_request(f'invalid resource version "{since}"')
    store = state.store

    def wanted(obj: Obj) -> bool:
        meta = obj["metadata"]
        return (
            (namespace is None or meta.get("namespace") == namespace)
            and labels_match(labels, meta.get("labels"))
            and fields_match(fields, obj)
        )

    async def stream() -> AsyncIterator[bytes]:
        epoch = watches._enter()
        try:
            with store.locked():
                rv = store.resource_version
                initial = [o for o in store.list(rt.key, namespace) if wanted(o)] if initial_events else []
                initial = [served(o) for o in initial]
            if not initial_events and since not in ("", "0"):
                rv = int(since)
            for obj in initial:
                yield _line("ADDED", obj)
            if send_initial:
                yield _bookmark(rt, rv, initial_end=True)
            started = time.monotonic()
            deadline = started + timeout
            next_bookmark = started + watches.bookmark_interval
            while time.monotonic() < deadline:
                if watches._dropped_since(epoch):
                    raise DroppedConnection("devcluster dropped every watch connection (drop_watches fault)")
                try:
                    with store.locked():
                        changes = store.changes_since(rv, rt.key)
                        current = store.resource_version
                except ExpiredError as exc:
                    yield _line("ERROR", ApiError(410, "Expired", str(exc)).to_status())
                    return
                for change in changes:
                    if wanted(change.obj):
                        yield _line(change.type, served(change.obj))
                # Every change up to ``current`` has been looked at, so a bookmark may carry it.
                rv = max(rv, current)
                if bookmarks and time.monotonic() >= next_bookmark:
                    yield _bookmark(rt, rv)
                    next_bookmark = time.monotonic() + watches.bookmark_interval
                await asyncio.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
            if bookmarks:
                yield _bookmark(rt, rv)
        finally:
            watches._leave()

    return StreamingResponse(stream(), media_type="application/json")

"""Merge patch, strategic merge patch (approximated by list-merge-by-name) and JSON patch."""

from __future__ import annotations

import copy
from typing import Any

from devcluster.status import ApiError, bad_request

#: List fields that strategic merge patch merges by key instead of replacing.
_MERGE_KEYS = ("name", "containerPort", "mountPath", "ip", "type", "key", "port")


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _merge_key(a: list[Any], b: list[Any]) -> str | None:
    items = a + b
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in _MERGE_KEYS:
        if all(key in i for i in items):
            return key
    return None


def strategic_merge(target: Any, patch: Any) -> Any:
    """Apply a strategic merge patch, merging lists of named items by their key."""
    if isinstance(patch, list) and isinstance(target, list):
        key = _merge_key(target, patch)
        if key is None:
            return copy.deepcopy(patch)
        out = copy.deepcopy(target)
        index = {item[key]: i for i, item in enumerate(out)}
        for item in patch:
            if item.get("$patch") == "delete":
                out = [o for o in out if o[key] != item[key]]
                index = {o[key]: i for i, o in enumerate(out)}
            elif item[key] in index:
                out[index[item[key]]] = strategic_merge(out[index[item[key]]], item)
            else:
                out.append(copy.deepcopy(item))
                index[item[key]] = len(out) - 1
        return out
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = strategic_merge(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str]) -> Any:
    cur = doc
    for part in parts:
        if isinstance(cur, list):
            cur = cur[int(part)]
        elif isinstance(cur, dict):
            cur = cur[part]
        else:
            raise KeyError(part)
    return cur


def json_patch(doc: Any, ops: Any) -> Any:
    """Apply an RFC 6902 JSON patch (add, remove, replace, test, copy, move).

    Raises:
        ApiError: 422/400 for a malformed patch or a failed operation.
    """
    if not isinstance(ops, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    out = copy.deepcopy(doc)
    for op in ops:
        try:
            kind = op["op"]
            parts = _pointer(op["path"])
            if kind == "test":
                if _walk(out, parts) != op.get("value"):
                    raise ApiError(422, "Invalid", f"testing value {op['path']} failed")
                continue
            if kind in ("copy", "move"):
                src = _pointer(op["from"])
                value = copy.deepcopy(_walk(out, src))
                if kind == "move":
                    parent = _walk(out, src[:-1])
                    del parent[int(src[-1]) if isinstance(parent, list) else src[-1]]
            else:
                value = copy.deepcopy(op.get("value"))
            parent = _walk(out, parts[:-1])
            last = parts[-1]
            if kind in ("add", "copy", "move"):
                if isinstance(parent, list):
                    parent.insert(len(parent) if last == "-" else int(last), value)
                else:
                    parent[last] = value
            elif kind == "remove":
                del parent[int(last) if isinstance(parent, list) else last]
            elif kind == "replace":
                if isinstance(parent, list):
                    parent[int(last)] = value
                else:
                    if last not in parent:
                        raise KeyError(last)
                    parent[last] = value
            else:
                raise bad_request(f"Unexpected kind: {kind}")
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise ApiError(
                422,
                "Invalid",
                f"the server rejected our request due to an error in our request: {op!r}: {exc}",
            ) from exc
    return out

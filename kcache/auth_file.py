"""The server's token file: who may call ``langgraph dev``, and as which Kubernetes user.

``KCACHE_AUTH_FILE`` names a YAML file (JSON is YAML too) with one entry per caller::

    users:
      - identity: alice                  # who calls: thread owner, turn records, audit rows
        token_sha256: 2bd806c97f0e00af...  # SHA-256 of the bearer token, hex (never the token)
        kubernetes_user: alice           # whom the cluster sees (default: the identity)
        kubernetes_groups: [team-a]      # and in which groups (default: none)

The file holds only hashes: a token is checked by hashing what the caller sent. Every
problem is reported at once, naming the variable, the entry and the field. The table is read
once per process (the server's start-up reads it first, so a bad file stops the start).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kcache.errors import ConfigError
from kcache.settings import Settings

VARIABLE = "KCACHE_AUTH_FILE"
FIELDS = ("identity", "token_sha256", "kubernetes_user", "kubernetes_groups")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def token_sha256(token: str) -> str:
    """The hex SHA-256 of a token, as the file stores it (``printf %s TOKEN | sha256sum``)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenUser:
    """One caller of the server: its identity, its token's hash, its Kubernetes user and groups."""

    identity: str
    token_sha256: str
    kubernetes_user: str
    kubernetes_groups: tuple[str, ...] = ()

    def user_dict(self) -> dict[str, Any]:
        """What the server's auth handler returns: ``kcache.access.turn_asker`` reads these fields."""
        return {
            "identity": self.identity,
            "display_name": self.identity,
            "is_authenticated": True,
            "kubernetes_user": self.kubernetes_user,
            "kubernetes_groups": list(self.kubernetes_groups),
        }


@dataclass(frozen=True)
class TokenTable:
    """The callers a token file names."""

    users: tuple[TokenUser, ...]
    source: str

    def find(self, token: str) -> TokenUser | None:
        """The caller whose token this is, else None (each hash compared in constant time)."""
        digest = token_sha256(token)
        found = None
        for user in self.users:
            if hmac.compare_digest(user.token_sha256, digest):
                found = user
        return found


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _entry(raw: Any, index: int, where: str, errors: list[str]) -> TokenUser | None:
    if not isinstance(raw, Mapping):
        errors.append(f"{where}: entry {index} must be a mapping of {', '.join(FIELDS)}")
        return None
    identity = raw.get("identity")
    name = f"entry {index} ({identity})" if isinstance(identity, str) and identity else f"entry {index}"
    bad = len(errors)
    if "token" in raw:
        errors.append(
            f"{where}: {name} has `token`: the file keeps no token in clear; store its SHA-256 "
            "as token_sha256 (printf %s TOKEN | sha256sum)"
        )
    unknown = sorted(str(k) for k in raw if k not in FIELDS and k != "token")
    if unknown:
        errors.append(f"{where}: {name}: unknown field(s) {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    if not isinstance(identity, str) or not identity.strip():
        errors.append(f"{where}: {name}: identity must be a non-empty string")
    digest = raw.get("token_sha256")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest.strip().lower()):
        # The value is never shown: it might be a token pasted in clear.
        errors.append(f"{where}: {name}: token_sha256 must be the 64 hex digits of the token's SHA-256")
    user = raw.get("kubernetes_user", identity)
    if not isinstance(user, str) or not user.strip():
        errors.append(f"{where}: {name}: kubernetes_user must be a non-empty string (default: the identity)")
    groups = raw.get("kubernetes_groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) and g.strip() for g in groups):
        errors.append(f"{where}: {name}: kubernetes_groups must be a list of non-empty strings")
    if len(errors) > bad:
        return None
    assert isinstance(identity, str) and isinstance(digest, str) and isinstance(user, str)
    return TokenUser(
        identity=identity.strip(),
        token_sha256=digest.strip().lower(),
        kubernetes_user=user.strip(),
        kubernetes_groups=tuple(sorted({g.strip() for g in groups})),
    )


def parse_tokens(text: str, source: str) -> TokenTable:
    """The token table in ``text`` (YAML or JSON) read from ``source``.

    Raises:
        ConfigError: naming KCACHE_AUTH_FILE, the file and every bad entry.
    """
    where = f"{VARIABLE}={source}"
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not YAML or JSON: {exc}") from exc
    if not isinstance(doc, Mapping) or not isinstance(doc.get("users"), list) or not doc["users"]:
        raise ConfigError(f"{where}: expected a mapping with a non-empty `users` list")
    errors: list[str] = []
    users: list[TokenUser] = []
    for index, raw in enumerate(doc["users"], start=1):
        entry = _entry(raw, index, where, errors)
        if entry is not None:
            users.append(entry)
    seen: set[str] = set()
    hashes: dict[str, str] = {}
    for user in users:
        if user.identity in seen:
            errors.append(f"{where}: identity {user.identity!r} appears twice")
        seen.add(user.identity)
        if user.token_sha256 in hashes:
            errors.append(
                f"{where}: {hashes[user.token_sha256]!r} and {user.identity!r} share one token_sha256"
            )
        hashes[user.token_sha256] = user.identity
    if errors:
        raise ConfigError("; ".join(errors))
    return TokenTable(users=tuple(users), source=source)


def read_tokens(path: Path) -> TokenTable:
    """The token table of the file at ``path``; ConfigError when it is missing or invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{VARIABLE}={path}: cannot read it: {exc.strerror or exc}") from exc
    return parse_tokens(text, str(path))


_LOADED: list[TokenTable | None] = []
_LOCK = asyncio.Lock()


async def configured_tokens(settings: Settings | None = None) -> TokenTable | None:
    """The table KCACHE_AUTH_FILE names, read once per process; None when the variable is unset.

    The server's start-up calls it with its settings, so an invalid file stops the start;
    the auth handler calls it afterwards and gets the same table.
    """
    if _LOADED:
        return _LOADED[0]
    async with _LOCK:
        if not _LOADED:
            if settings is None:
                settings = await asyncio.to_thread(Settings.from_env)
            path = settings.kcache_auth_file
            table = await asyncio.to_thread(read_tokens, path) if path is not None else None
            _LOADED.append(table)
    return _LOADED[0]


def forget_tokens() -> None:
    """Drop the table read by :func:`configured_tokens` (the next call reads the file again)."""
    _LOADED.clear()

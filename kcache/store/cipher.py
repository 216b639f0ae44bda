"""Opening the cache file: plain SQLite, or SQLCipher when CACHE_DB_KEY is set.

Every connection the store makes (the aiosqlite writer and readers, the synchronous
read-only ones) comes from :func:`connect`, so all of them use the same library and set the
key before anything else reads the file. The key itself is never logged nor put in an
error message; messages name CACHE_DB_KEY and the file instead.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from kcache.errors import StoreError
from kcache.store import sql

_sqlcipher: Any
try:
    _sqlcipher = importlib.import_module("sqlcipher3.dbapi2")
except ImportError:  # pragma: no cover - a dependency; the message below says how to fix it
    _sqlcipher = None

PLAIN_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every plain SQLite file; an encrypted one starts with random salt."""

DB_ERRORS: tuple[type[Exception], ...] = (
    (sqlite3.Error,) if _sqlcipher is None else (sqlite3.Error, _sqlcipher.Error)
)
"""What a database call can raise, from either library."""


KDF_ITERATIONS = 256_000
"""SQLCipher 4's default PBKDF2-HMAC-SHA512 rounds for a passphrase (about 0.15 s here)."""

_RAW_KEY = re.compile(r"x'[0-9a-fA-F]{64}([0-9a-fA-F]{32})?'")


@functools.lru_cache(maxsize=8)
def _derived(key: str, salt: bytes) -> str:
    """The raw key SQLCipher derives from ``key`` and the file's salt, in hex.

    A passphrase costs SQLCipher a full PBKDF2 on every connection it opens; the store opens
    several (writer, readers, inline reader), so the derivation is done once per file and
    later connections are given the raw key, which SQLCipher uses without derivation.
    """
    raw = hashlib.pbkdf2_hmac("sha512", key.encode("utf-8"), salt, KDF_ITERATIONS, 32)
    return raw.hex()


def quote(key: str) -> str:
    """``key`` as an SQL string literal (the key pragma binds no parameters)."""
    return "'" + key.replace("'", "''") + "'"


def connect(
    database: str | Path, key: str | None, *, shown: Path | None = None, **kwargs: Any
) -> sqlite3.Connection:
    """A connection to ``database`` (a path, or a ``file:`` URI with ``uri=True``), keyed when ``key`` is set.

    ``shown`` is the file's path for messages when ``database`` is a URI. The file is read
    once here, so a wrong key (or a key for a plain file, or none for an encrypted one)
    fails now with a StoreError saying which.

    Raises:
        StoreError: The key does not open the file, or SQLCipher is not installed.
    """
    path = Path(shown if shown is not None else database)
    conn: sqlite3.Connection
    if key is None:
        conn = sqlite3.connect(database, **kwargs)
    elif _sqlcipher is None:
        raise StoreError(
            f"CACHE_DB_KEY is set for {path} but SQLCipher is not installed: pip install sqlcipher3-wheels"
        )
    else:
        conn = _sqlcipher.connect(str(database), **kwargs)
    try:
        if key is not None:
            conn.execute(sql.CIPHER_LOG_OFF)
            salt = _salt(path) if not _RAW_KEY.fullmatch(key) else None
            if salt is not None and _opens(conn, f"\"x'{_derived(key, salt)}'\""):
                return conn
            if salt is None and not _RAW_KEY.fullmatch(key) and _is_empty(path):
                # A new file: its salt is chosen here and given with the raw key.
                salt = os.urandom(16)
                if _opens(conn, f"\"x'{_derived(key, salt)}{salt.hex()}'\""):
                    return conn
            # The derivation did not match (or the key is SQLCipher's raw x'...' form): the
            # passphrase itself, derived by SQLCipher.
            conn.close()
            conn = _sqlcipher.connect(str(database), **kwargs)
            conn.execute(sql.CIPHER_LOG_OFF)
            conn.execute(sql.CIPHER_KEY.format(literal=quote(key)))
        conn.execute(sql.PROBE).fetchall()
    except DB_ERRORS as exc:
        conn.close()
        problem = _unreadable(path, key, exc)
        if problem is None:
            raise
        raise StoreError(problem) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _opens(conn: sqlite3.Connection, literal: str) -> bool:
    conn.execute(sql.CIPHER_KEY.format(literal=literal))
    try:
        conn.execute(sql.PROBE).fetchall()
    except DB_ERRORS:
        return False
    return True


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _salt(path: Path) -> bytes | None:
    """The salt an encrypted file starts with; None for a new, empty or plain file."""
    try:
        with path.open("rb") as f:
            head = f.read(len(PLAIN_HEADER))
    except OSError:
        return None
    return head if len(head) == len(PLAIN_HEADER) and head != PLAIN_HEADER else None


def is_encrypted(path: Path) -> bool:
    """True when ``path`` holds data without the plain SQLite header (an encrypted file)."""
    try:
        with path.open("rb") as f:
            head = f.read(len(PLAIN_HEADER))
    except OSError:
        return False
    return bool(head) and head != PLAIN_HEADER


def _unreadable(path: Path, key: str | None, exc: Exception) -> str | None:
    """What went wrong when the file is not a database for this key; None for other errors."""
    if "not a database" not in str(exc):
        return None
    if key is None:
        if not is_encrypted(path):
            return None
        return (
            f"cannot open the cache database {path}: file is not a database (it has no SQLite "
            "header: if it is encrypted, set CACHE_DB_KEY to its key; otherwise delete it)"
        )
    if not is_encrypted(path):
        return (
            f"the cache database {path} is a plain (unencrypted) SQLite file but CACHE_DB_KEY is set: "
            "unset CACHE_DB_KEY to use it, or delete the file to start an encrypted cache"
        )
    return (
        f"cannot decrypt the cache database {path} with CACHE_DB_KEY: the key is not the one the "
        "file was encrypted with (or the file is not a kcache database)"
    )

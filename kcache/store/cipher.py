"""Opening the cache file: plain SQLite, or SQLCipher when CACHE_DB_KEY is set.

Every connection the store makes (the aiosqlite writer and readers, the synchronous
read-only ones) comes from :func:`connect`, so all of them use the same library and set the
key before anything else reads the file. The key itself is never logged nor put in an
error message; messages name CACHE_DB_KEY and the file instead.
"""

from __future__ import annotations

import importlib
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

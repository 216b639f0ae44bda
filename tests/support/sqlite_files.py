"""Damage done to a plain SQLite file on purpose, for the store's corruption tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def corrupt_a_middle_page(db: Path) -> None:
    """Checkpoint the WAL into ``db``, then overwrite the page in the middle of the file with 0xff."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page, pages = (
        con.execute("PRAGMA page_size").fetchone()[0],
        con.execute("PRAGMA page_count").fetchone()[0],
    )
    con.close()
    with open(db, "r+b") as f:
        f.seek(page * (pages // 2))
        f.write(b"\xff" * page)

"""CACHE_DB_KEY: the cache file encrypted with SQLCipher, and the errors around the key."""

import sqlite3
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from kcache.errors import ConfigError, StoreError
from kcache.model import Resource
from kcache.settings import Settings
from kcache.store import Store

KEY = "correct horse 'battery' staple"


def pod(name: str) -> Resource:
    return Resource(kind="pod", namespace="shop", name=name, fields={"status": "Running", "phase": "Running"})


async def fill(path: Path, key: str | None) -> None:
    async with Store(path, key=key) as store:
        await store.replace("c", "pod", [pod("web-1"), pod("web-2")], ttl_s=60)


async def test_the_encrypted_file_is_noise_to_sqlite_and_readable_by_sqlcipher(tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    await fill(db, KEY)
    # WAL content is checkpointed on close: the whole file is written under the key.
    body = db.read_bytes()
    assert not body.startswith(b"SQLite format 3") and b"web-1" not in body
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(db).execute("SELECT * FROM sqlite_master").fetchall()
    # The passphrase opens it the standard way (SQLCipher's own key derivation), so other
    # SQLCipher tools read what kcache wrote.
    con = sqlcipher.connect(str(db))
    con.execute("PRAGMA key = 'correct horse ''battery'' staple'")
    assert sorted(r[0] for r in con.execute("SELECT name FROM pods")) == ["web-1", "web-2"]
    con.close()
    async with Store(db, key=KEY) as store:
        assert [r.name for r in (await store.query("c", "pod")).items] == ["web-1", "web-2"]


async def test_a_wrong_key_is_a_store_error_naming_the_variable_and_file(tmp_path: Path, capfd) -> None:
    db = tmp_path / "cache.db"
    await fill(db, KEY)
    with pytest.raises(StoreError) as err:
        await Store(db, key="not the key").open()
    message = str(err.value)
    assert "CACHE_DB_KEY" in message and str(db) in message and "not the one" in message
    assert "not the key" not in message and KEY not in message
    # SQLCipher's own log of the failed decryption stays off stderr.
    assert "hmac" not in capfd.readouterr().err


async def test_an_encrypted_file_without_key_says_to_set_it(tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    await fill(db, KEY)
    with pytest.raises(StoreError, match="set CACHE_DB_KEY") as err:
        await Store(db).open()
    assert str(db) in str(err.value)


async def test_a_key_for_a_plain_file_says_it_is_plain(tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    await fill(db, None)
    with pytest.raises(StoreError, match="plain .* CACHE_DB_KEY is set") as err:
        await Store(db, key=KEY).open()
    assert str(db) in str(err.value)
    # Refused means untouched: the plain file still opens without the key.
    async with Store(db) as store:
        assert len((await store.query("c", "pod")).items) == 2


async def test_info_says_whether_the_file_is_encrypted(tmp_path: Path) -> None:
    async with Store(tmp_path / "a.db", key=KEY) as keyed, Store(tmp_path / "b.db") as plain:
        assert (await keyed.info())["encrypted"] is True
        assert (await plain.info())["encrypted"] is False


def test_the_key_is_read_as_given_and_never_shown(tmp_path: Path) -> None:
    env = {"CACHE_DB_KEY": " spaced key "}
    settings = Settings.from_env(env, dotenv_path=tmp_path / "none.env")
    assert settings.cache_db_key == " spaced key "
    assert "spaced key" not in repr(settings)
    assert settings.public()["cache_db_key"] == "***"
    assert Settings.from_env({}, dotenv_path=tmp_path / "none.env").cache_db_key is None


def test_an_empty_key_is_a_config_error_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CACHE_DB_KEY is set but empty"):
        Settings.from_env({"CACHE_DB_KEY": "  "}, dotenv_path=tmp_path / "none.env")


async def test_the_wal_is_encrypted_too_while_the_store_is_open(tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    async with Store(db, key=KEY) as store:
        await store.replace("c", "pod", [pod("web-1"), pod("web-2")], ttl_s=60)
        wal = tmp_path / "cache.db-wal"
        assert wal.stat().st_size > 0
        assert b"web-1" not in wal.read_bytes() and b"shop" not in wal.read_bytes()
        # Readers on other connections see the write through the key.
        assert len((await store.query("c", "pod", namespace="shop")).items) == 2

import json
import logging
import re
import stat
from pathlib import Path

import pytest

from kcache.errors import ConfigError
from kcache.logs import configure, event
from kcache.settings import Settings


def test_json_lines_with_the_specs_fields_and_rotation(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "kcache.log"
    settings = Settings.from_env(
        {"LOG_FILE": str(log), "LOG_LEVEL": "debug", "LOG_FILE_MAX_BYTES": "2048", "LOG_FILE_BACKUPS": "2"},
        dotenv_path=tmp_path / "none",
    )
    configure(settings)
    configure(settings)  # idempotent: one handler, not two
    logger = logging.getLogger("kcache.test")
    try:
        event(logger, "cache", "lookup", "looked up pods", duration_ms=1.234, cache_hit=True, table="pods")
        first = json.loads(log.read_text().splitlines()[0])
        assert {
            "timestamp",
            "level",
            "component",
            "operation",
            "duration_ms",
            "cache_hit",
            "error_details",
        } <= set(first)
        assert (first["component"], first["operation"], first["cache_hit"], first["duration_ms"]) == (
            "cache",
            "lookup",
            True,
            1.23,
        )
        assert first["timestamp"].endswith("+00:00") and first["level"] == "INFO"
        assert len(log.read_text().splitlines()) == 1
        for i in range(100):
            event(logger, "scanner", "scan", f"line {i}", level=logging.DEBUG)
        assert Path(f"{log}.1").exists() and not Path(f"{log}.3").exists()
    finally:
        configure(Settings.from_env({}, dotenv_path=tmp_path / "none"))


def test_an_unwritable_log_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    bad = blocker / "kcache.log"
    settings = Settings.from_env({"LOG_FILE": str(bad)}, dotenv_path=tmp_path / "none")
    with pytest.raises(ConfigError, match=re.escape(f"LOG_FILE='{bad}'")):
        configure(settings)
    directory = tmp_path / "a-directory"
    directory.mkdir()
    settings = Settings.from_env({"LOG_FILE": str(directory)}, dotenv_path=tmp_path / "none")
    with pytest.raises(ConfigError, match="cannot be written"):
        configure(settings)


def test_the_log_file_and_its_rotations_are_private(tmp_path: Path) -> None:
    log = tmp_path / "kcache.log"
    log.write_text("")
    log.chmod(0o644)  # an older file, made before
    settings = Settings.from_env(
        {"LOG_FILE": str(log), "LOG_FILE_MAX_BYTES": "1024", "LOG_FILE_BACKUPS": "1"},
        dotenv_path=tmp_path / "none",
    )
    configure(settings)
    try:
        logger = logging.getLogger("kcache.test")
        for i in range(40):
            event(logger, "scanner", "scan", f"line {i}")
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        assert stat.S_IMODE(Path(f"{log}.1").stat().st_mode) == 0o600
    finally:
        configure(Settings.from_env({}, dotenv_path=tmp_path / "none"))

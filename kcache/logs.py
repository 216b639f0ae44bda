"""Logging as JSON lines with the spec's fields, configured once per process.

Each line has ``timestamp`` (ISO 8601), ``level``, ``component``, ``operation``,
``duration_ms``, ``cache_hit`` and ``error_details``; callers pass the last five through
``extra=`` (see :func:`event`). Lines go to stderr, or to a rotating file when ``LOG_FILE``
is set.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from kcache.errors import ConfigError
from kcache.settings import Settings

FIELDS = ("component", "operation", "duration_ms", "cache_hit", "error_details")
_HANDLER_MARK = "_kcache_handler"


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record with the spec's fields first, then any other extras."""
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "component": getattr(record, "component", record.name.split(".")[-1]),
            "operation": getattr(record, "operation", None),
            "duration_ms": getattr(record, "duration_ms", None),
            "cache_hit": getattr(record, "cache_hit", None),
            "error_details": getattr(record, "error_details", None),
            "message": record.getMessage(),
            "logger": record.name,
        }
        if record.exc_info and not line["error_details"]:
            line["error_details"] = self.formatException(record.exc_info)
        for key in ("tool", "cluster", "table", "count", "tier", "thread_id"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        return json.dumps(line, ensure_ascii=False, default=str)


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only their owner can read (0600): lines name the cluster's objects."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # an older file keeps its mode otherwise
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115


def configure(settings: Settings) -> None:
    """Install the JSON handler on the ``kcache`` loggers (idempotent).

    Raises:
        ConfigError: ``LOG_FILE`` cannot be created or written.
    """
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, _HANDLER_MARK, False):
            root.removeHandler(existing)
    handler: logging.Handler
    if settings.log_file is not None:
        try:
            settings.log_file.parent.mkdir(parents=True, exist_ok=True)
            handler = _PrivateRotatingFileHandler(
                settings.log_file,
                maxBytes=settings.log_file_max_bytes,
                backupCount=settings.log_file_backups,
                encoding="utf-8",
            )
        except OSError as exc:
            raise ConfigError(
                f"LOG_FILE={str(settings.log_file)!r} cannot be written: {exc.strerror or exc}"
            ) from exc
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    setattr(handler, _HANDLER_MARK, True)
    for name in ("kcache", "graph", "nodes"):
        logger = logging.getLogger(name)
        for existing in list(logger.handlers):
            if getattr(existing, _HANDLER_MARK, False):
                logger.removeHandler(existing)
        logger.setLevel(settings.log_level)
        logger.addHandler(handler)
        logger.propagate = False


def event(
    logger: logging.Logger,
    component: str,
    operation: str,
    message: str,
    *,
    level: int = logging.INFO,
    duration_ms: float | None = None,
    cache_hit: bool | None = None,
    error_details: str | None = None,
    **extra: Any,
) -> None:
    """Log one operational event with the spec's fields."""
    logger.log(
        level,
        message,
        extra={
            "component": component,
            "operation": operation,
            "duration_ms": None if duration_ms is None else round(duration_ms, 2),
            "cache_hit": cache_hit,
            "error_details": error_details,
            **extra,
        },
    )


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Measure the duration of a block; the box's ``ms`` holds it on exit."""
    box = {"ms": 0.0}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["ms"] = (time.perf_counter() - start) * 1000

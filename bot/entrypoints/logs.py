"""Logging for the ``cto-bot`` processes, configured once by ``main``: a level, and text or JSON lines.

``CTO_BOT_LOG_FORMAT=json`` writes one JSON object per line (``time``, ``level``, ``logger``, ``message``,
and ``exception`` when there is one), for platforms that collect logs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from bot.errors import ConfigurationError

LEVELS = ("debug", "info", "warning", "error", "critical")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass(frozen=True)
class LogSettings:
    level: str
    format: str

    @classmethod
    def from_env(cls, option: str | None, environ: Mapping[str, str], *, default_level: str) -> LogSettings:
        """``--log-level`` (``option``), else ``CTO_BOT_LOG_LEVEL``, else ``default_level``; and the format."""
        level = (option or environ.get("CTO_BOT_LOG_LEVEL", "").strip() or default_level).lower()
        if level not in LEVELS:
            raise ConfigurationError(f"log level {level!r} is unknown; use one of {', '.join(LEVELS)} "
                                     "(--log-level or CTO_BOT_LOG_LEVEL)")
        fmt = environ.get("CTO_BOT_LOG_FORMAT", "").strip().lower() or "text"
        if fmt not in FORMATS:
            raise ConfigurationError(f"CTO_BOT_LOG_FORMAT={fmt!r} is unknown; use text or json")
        return cls(level=level, format=fmt)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class _Handler(logging.StreamHandler):
    """The handler ``configure_logging`` installs, so that configuring again replaces it."""


def configure_logging(settings: LogSettings, stream: TextIO) -> None:
    """Send every log record at ``settings.level`` or above to ``stream``, as text or JSON lines."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler(stream)
    handler.setFormatter(JsonFormatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(settings.level.upper())

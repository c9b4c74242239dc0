"""Settings read from the environment, once, at the edge (``main``); everything else takes them as values."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.errors import ConfigurationError


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number; set it to e.g. {default:g}") from None
    if value < 0:
        raise ConfigurationError(f"{name}={raw!r} must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    """What the learning loop needs: where to store, for how long, and how to hash user ids."""

    database_url: str
    data_dir: Path
    salt: str | None
    retention: timedelta
    reload_seconds: float
    record: bool
    shared_database: bool = False
    """True when ``DATABASE_URL`` names a database several processes share (not the default SQLite file)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        data_dir = Path(environ.get("CTO_BOT_DATA_DIR") or Path(data_home) / "cto-bot").expanduser()
        return cls(
            database_url=environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'cto-bot.sqlite3'}",
            data_dir=data_dir,
            salt=environ.get("CTO_BOT_SALT") or None,
            retention=timedelta(days=_number(environ, "CTO_BOT_RETENTION_DAYS", 90)),
            reload_seconds=_number(environ, "CTO_BOT_RELOAD_SECONDS", 2),
            record=environ.get("CTO_BOT_RECORD", "1").strip().lower() not in ("0", "false", "no", "off"),
            shared_database=bool(environ.get("DATABASE_URL")),
        )

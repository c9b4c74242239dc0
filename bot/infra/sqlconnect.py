"""Connecting to the SQL database the stores share (``sqlstore``, ``sqlcontext``): the engine for a URL, the
errors that mean "unreachable", one-line reasons, and text every database accepts."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, exc, make_url
from sqlalchemy.engine import Engine as SqlEngine

BUSY_TIMEOUT = 5.0
"""Seconds a SQLite writer waits for another one to finish before the write counts as failed (and retried)."""
CONNECT_TIMEOUT = 5
"""Seconds to wait for a PostgreSQL server before the store counts as unavailable."""

UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError, OSError)
"""Errors that say the database cannot be reached or written now, not that a row is wrong."""
_SURROGATES = re.compile("[\ud800-\udfff]")


def normalise_url(url: str) -> str:
    """SQLAlchemy URLs from the ones platforms hand out: ``postgres://`` and ``postgresql://`` use psycopg 3.

    >>> normalise_url("postgres://u:p@host/db")
    'postgresql+psycopg://u:p@host/db'
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def clean_text(value: str, limit: int | None = None) -> str:
    """Text every database accepts: lone surrogates replaced, NUL characters removed, cut to ``limit``.

    >>> clean_text("caf\\udce9\\x00 noir", 6)
    'caf\\ufffd n'
    """
    value = _SURROGATES.sub("\ufffd", value).replace("\x00", "")
    return value[:limit] if limit else value


def failure_reason(error: BaseException) -> str:
    """One line saying why the database failed, without the SQL statement or its parameters."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else 'no details'}"


def open_engine(url: str, busy_timeout: float = BUSY_TIMEOUT) -> SqlEngine:
    """An engine for ``url``: SQLite in WAL mode with a busy timeout (its file created mode 600), PostgreSQL
    with a connect timeout and connections checked before use."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        args = {"connect_timeout": CONNECT_TIMEOUT} if parsed.get_backend_name() == "postgresql" else {}
        return create_engine(url, pool_pre_ping=True, connect_args=args)
    if parsed.database and parsed.database != ":memory:":
        _private_file(Path(parsed.database))
    engine = create_engine(url, connect_args={"timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")  # writers no longer block readers, nor fsync each row
        cursor.execute("PRAGMA synchronous = NORMAL")  # safe in WAL mode: a crash loses no committed row
        cursor.close()

    return engine


def _private_file(path: Path) -> None:
    """Create the database file readable by its owner only (SQLite gives its -wal and -shm files the same
    mode); an existing file is left as it is."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        pass  # a missing folder or a read-only disk: connecting will say so

"""Conversation contexts in SQL (SQLAlchemy Core), shared by the processes that serve one workspace, so that a
follow-up is understood whichever process receives it. Used when ``DATABASE_URL`` is set.

A conversation's key (platform, workspace, channel, thread, user ids) is stored only as a salted hash; rows
are overwritten on each answer and deleted once they are well past their expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, insert, select, update

from bot.infra.sqlconnect import UNAVAILABLE, clean_text, failure_reason, normalise_url, open_engine
from bot.service.context import TTL_SECONDS, Context

log = logging.getLogger(__name__)
T = TypeVar("T")

metadata = MetaData()

contexts = Table(
    "conversation_contexts", metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("passage_id", String(200)),
    Column("lang", String(8), nullable=False),
    Column("question", Text, nullable=False),
    Column("offered", Text, nullable=False),
    Column("turns", Integer, nullable=False),
    Column("at", Float, nullable=False, index=True),
)

KEPT_SECONDS = 4 * TTL_SECONDS
"""Rows older than this are deleted (they expired long ago)."""
PRUNE_EVERY = 500
"""Delete old rows once every this many writes."""
RETRY_AFTER = 60.0
"""Seconds during which a database that failed is left alone (follow-ups start afresh), so that an outage never
delays answers by a connection timeout each."""


class SqlContexts:
    """A ``ContextStore`` in SQLite or PostgreSQL; the table is created on first use. While the database is
    unreachable, contexts are not found and not kept (logged once per ``RETRY_AFTER``)."""

    def __init__(self, url: str, *, salt: bytes = b"", clock: Callable[[], float] = time.monotonic):
        self.engine = open_engine(normalise_url(url))
        self.salt = salt
        self.clock = clock
        self._writes = 0
        self._ready = False
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _guarded(self, work: Callable[[], T], otherwise: T) -> T:
        """``work()``, or ``otherwise`` while the database is down."""
        if self.clock() < self._down_until:
            return otherwise
        try:
            if not self._ready:
                with self._lock:
                    metadata.create_all(self.engine)
                    self._ready = True
            return work()
        except UNAVAILABLE as error:
            self._down_until = self.clock() + RETRY_AFTER
            log.warning("conversation contexts unavailable (%s); follow-ups start afresh for %.0f s",
                        failure_reason(error), RETRY_AFTER)
            return otherwise

    def key_hash(self, key: tuple[str, ...]) -> str:
        """The salted hash a conversation is stored under: its ids never reach the database."""
        return hmac.new(self.salt, "\x1f".join(key).encode("utf-8", "replace"), hashlib.sha256).hexdigest()

    def get(self, key: tuple[str, ...]) -> Context | None:
        return self._guarded(lambda: self._get(key), None)

    def put(self, key: tuple[str, ...], context: Context) -> None:
        self._guarded(lambda: self._put(key, context), None)

    def _get(self, key: tuple[str, ...]) -> Context | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(contexts).where(contexts.c.key_hash == self.key_hash(key))).first()
        if row is None:
            return None
        return Context(row.passage_id, row.lang, row.question, tuple(json.loads(row.offered)), row.turns, row.at)

    def _put(self, key: tuple[str, ...], context: Context) -> None:
        values = {"passage_id": context.passage_id, "lang": context.lang[:8],
                  "question": clean_text(context.question, 2000), "offered": json.dumps(list(context.offered)),
                  "turns": context.turns, "at": context.at}
        key_hash = self.key_hash(key)
        with self.engine.begin() as connection:
            changed = connection.execute(update(contexts).where(contexts.c.key_hash == key_hash).values(**values))
            if not changed.rowcount:
                connection.execute(insert(contexts).values(key_hash=key_hash, **values))
            self._writes += 1
            if self._writes % PRUNE_EVERY == 0:
                connection.execute(delete(contexts).where(contexts.c.at < time.time() - KEPT_SECONDS))

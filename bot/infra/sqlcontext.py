"""Conversation contexts in SQL (SQLAlchemy Core), shared by the processes that serve one workspace, so that a
follow-up is understood whichever process receives it. Used when ``DATABASE_URL`` is set.

A conversation's key (platform, workspace, channel, thread, user ids) is stored only as a salted hash; rows
are overwritten on each answer and deleted once they are well past their expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, insert, select, update

from bot.infra.sqlstore import _sql_engine, clean_text, normalise_url
from bot.service.context import TTL_SECONDS, Context

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


class SqlContexts:
    """A ``ContextStore`` in SQLite or PostgreSQL; the table is created on first use."""

    def __init__(self, url: str, *, salt: bytes = b""):
        self.engine = _sql_engine(normalise_url(url), 5.0)
        self.salt = salt
        self._writes = 0
        metadata.create_all(self.engine)

    def key_hash(self, key: tuple[str, ...]) -> str:
        """The salted hash a conversation is stored under: its ids never reach the database."""
        return hmac.new(self.salt, "\x1f".join(key).encode("utf-8", "replace"), hashlib.sha256).hexdigest()

    def get(self, key: tuple[str, ...]) -> Context | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(contexts).where(contexts.c.key_hash == self.key_hash(key))).first()
        if row is None:
            return None
        return Context(row.passage_id, row.lang, row.question, tuple(json.loads(row.offered)), row.turns, row.at)

    def put(self, key: tuple[str, ...], context: Context) -> None:
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

"""The store in SQL, through SQLAlchemy Core: SQLite in a local file by default, PostgreSQL with
``DATABASE_URL=postgresql://…``. One code path for both; tables are created on first use.

Rows are written in batches, one transaction each, and a retried batch never writes a row twice. SQLite runs
in WAL mode with a busy timeout, so that several processes can write to one file. A database that cannot be
reached raises ``StoreUnavailable`` (retried by ``BackgroundRecorder``), with a one-line reason.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    exc,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as SqlEngine

from bot.infra.sqlconnect import (
    BUSY_TIMEOUT,
    UNAVAILABLE,
    clean_text,
    failure_reason,
    normalise_url,
    open_engine,
)
from bot.service.store import CLAIMS_KEPT, Interaction, StoreUnavailable, Vote

log = logging.getLogger(__name__)

metadata = MetaData()

interactions = Table(
    "interactions", metadata,
    Column("id", String(64), primary_key=True),
    Column("question", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("passage_id", String(200)),
    Column("lang", String(8), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("channel_kind", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)

votes = Table(
    "votes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", String(64), nullable=False),
    Column("passage_id", String(200), nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("value", Integer, nullable=False),
    Column("platform", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    UniqueConstraint("answer_id", "user_hash", name="one_vote_per_user_and_answer"),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", String(255), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)
"""Delivery ids claimed by the processes sharing this database (``claim``), kept for ``CLAIMS_KEPT``."""

EXPIRE_EVERY = timedelta(minutes=10)

def _row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every text cleaned and cut to its column's size."""
    return {key: clean_text(value, getattr(table.c[key].type, "length", None)) if isinstance(value, str) else value
            for key, value in values.items()}


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dialect_insert(sql: SqlEngine, table: Table) -> Any:
    """An INSERT that can take ``ON CONFLICT`` (SQLite and PostgreSQL); None on other databases."""
    dialect = sql.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    return None


class SqlStore:
    """Outcomes, votes and claimed delivery ids in a SQL database."""

    def __init__(self, url: str, *, sql_engine: SqlEngine | None = None, busy_timeout: float = BUSY_TIMEOUT):
        self.url = normalise_url(url)
        self.sql = sql_engine or open_engine(self.url, busy_timeout)
        self._ready = False
        self._schema_lock = threading.Lock()
        self._last_expiry: datetime | None = None

    def __repr__(self) -> str:
        return f"SqlStore({self.sql.url.render_as_string(hide_password=True)!r})"

    def _schema(self) -> SqlEngine:
        """The engine, with the tables created on first use: a database that is down at start-up is retried
        on the next call instead of stopping the bot. Processes starting together may race to create the
        tables: the loser finds them there and carries on."""
        if self._ready:
            return self.sql
        attempts = 2 * len(metadata.tables) + 1  # each table may be lost to another process once, in turn
        with self._schema_lock:
            for attempt in range(attempts):
                try:
                    metadata.create_all(self.sql)
                    break
                except exc.DatabaseError as error:
                    text = str(error.orig).lower()
                    racing = "already exists" in text or "duplicate key" in text
                    if not racing or attempt == attempts - 1:
                        raise
            self._ready = True
        return self.sql

    def _unavailable(self, error: BaseException) -> StoreUnavailable:
        self._ready = False  # check the tables again once it is back (e.g. a new SQLite file)
        return StoreUnavailable(failure_reason(error))

    def record(self, item: Interaction | Vote) -> None:
        self.record_many([item])

    def record_many(self, items: Sequence[Interaction | Vote]) -> None:
        """Write ``items`` in one transaction. An interaction already written (a batch retried after its
        commit was not acknowledged) is skipped; a later vote of a user on an answer replaces the earlier."""
        rows = [_row(interactions, {
            "id": item.id, "question": item.question, "outcome": item.outcome, "score": item.score,
            "passage_id": item.passage_id, "lang": item.lang, "platform": item.platform,
            "channel_kind": item.channel_kind, "at": item.at}) for item in items if isinstance(item, Interaction)]
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for item in items:
            if isinstance(item, Vote):
                row = _row(votes, {"answer_id": item.answer_id, "passage_id": item.passage_id,
                                   "user_hash": item.user_hash, "value": item.value, "platform": item.platform,
                                   "at": item.at})
                latest[row["answer_id"], row["user_hash"]] = row
        try:
            with self._schema().begin() as db:
                if rows:
                    self._insert_interactions(db, rows)
                if latest:
                    self._upsert_votes(db, list(latest.values()))
        except UNAVAILABLE as error:
            raise self._unavailable(error) from error

    def _insert_interactions(self, db: Connection, rows: list[dict[str, Any]]) -> None:
        statement = _dialect_insert(self.sql, interactions)
        if statement is not None:
            db.execute(statement.on_conflict_do_nothing(index_elements=["id"]), rows)
        else:
            db.execute(insert(interactions), rows)

    def _upsert_votes(self, db: Connection, rows: list[dict[str, Any]]) -> None:
        statement = _dialect_insert(self.sql, votes)
        if statement is not None:
            db.execute(statement.on_conflict_do_update(
                index_elements=["answer_id", "user_hash"],
                set_={"value": statement.excluded.value, "at": statement.excluded.at,
                      "passage_id": statement.excluded.passage_id}), rows)
            return
        for row in rows:
            changed = db.execute(update(votes).where(votes.c.answer_id == row["answer_id"],
                                                     votes.c.user_hash == row["user_hash"])
                                 .values(value=row["value"], at=row["at"], passage_id=row["passage_id"])).rowcount
            if not changed:
                db.execute(insert(votes).values(**row))

    def claim(self, delivery_id: str, *, at: datetime | None = None) -> bool:
        """True for the first claim of ``delivery_id`` by any process on this database (a unique key: the
        insert of an id already there does nothing); ids older than ``CLAIMS_KEPT`` are forgotten."""
        moment = at or datetime.now(UTC)
        row = _row(deliveries, {"id": delivery_id, "at": moment})
        try:
            with self._schema().begin() as db:
                if self._last_expiry is None or moment - self._last_expiry >= EXPIRE_EVERY:
                    db.execute(delete(deliveries).where(deliveries.c.at < moment - CLAIMS_KEPT))
                    self._last_expiry = moment
                statement = _dialect_insert(self.sql, deliveries)
                if statement is not None:
                    inserted = statement.on_conflict_do_nothing(index_elements=["id"]).returning(deliveries.c.id)
                    return db.execute(inserted, row).first() is not None
                if db.execute(select(deliveries.c.id).where(deliveries.c.id == row["id"])).first():
                    return False
                db.execute(insert(deliveries), row)
                return True
        except UNAVAILABLE as error:
            raise self._unavailable(error) from error

    def interactions_since(self, since: datetime) -> list[Interaction]:
        with self._schema().connect() as db:
            rows = db.execute(select(interactions).where(interactions.c.at >= since)
                              .order_by(interactions.c.at)).mappings()
            return [Interaction(**{**row, "at": _aware(row["at"])}) for row in rows]

    def votes_since(self, since: datetime) -> list[Vote]:
        with self._schema().connect() as db:
            rows = db.execute(select(votes).where(votes.c.at >= since).order_by(votes.c.at)).mappings()
            return [Vote(**{k: v for k, v in row.items() if k != "id"} | {"at": _aware(row["at"])})
                    for row in rows]

    def prune(self, older_than: datetime) -> int:
        with self._schema().begin() as db:
            removed = db.execute(delete(interactions).where(interactions.c.at < older_than)).rowcount
            return removed + db.execute(delete(votes).where(votes.c.at < older_than)).rowcount

    def purge(self) -> int:
        with self._schema().begin() as db:
            return db.execute(delete(interactions)).rowcount + db.execute(delete(votes)).rowcount

    def close(self) -> None:
        self.sql.dispose()

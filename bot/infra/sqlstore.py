"""The store in SQL, through SQLAlchemy Core: SQLite in a local file by default, PostgreSQL with
``DATABASE_URL=postgresql://…``. One code path for both; tables are created on start-up."""

from __future__ import annotations

from datetime import UTC, datetime

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
    create_engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine as SqlEngine

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


def normalise_url(url: str) -> str:
    """SQLAlchemy URLs from the ones platforms hand out: ``postgres://`` and ``postgresql://`` use psycopg 3.

    >>> normalise_url("postgres://u:p@host/db")
    'postgresql+psycopg://u:p@host/db'
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SqlStore:
    """Outcomes and votes in a SQL database."""

    def __init__(self, url: str, *, sql_engine: SqlEngine | None = None):
        self.url = normalise_url(url)
        self.sql = sql_engine or create_engine(self.url, pool_pre_ping=True)
        self._ready = False

    def _schema(self) -> SqlEngine:
        """The engine, with the tables created on first use: a database that is down at start-up is retried
        on the next call instead of stopping the bot."""
        if not self._ready:
            metadata.create_all(self.sql)
            self._ready = True
        return self.sql

    def __repr__(self) -> str:
        return f"SqlStore({self.sql.url.render_as_string(hide_password=True)!r})"

    def record(self, item) -> None:
        from bot.service.store import Vote

        with self._schema().begin() as db:
            if not isinstance(item, Vote):
                db.execute(insert(interactions).values(
                    id=item.id, question=item.question, outcome=item.outcome, score=item.score,
                    passage_id=item.passage_id, lang=item.lang, platform=item.platform,
                    channel_kind=item.channel_kind, at=item.at))
                return
            changed = db.execute(
                update(votes).where(votes.c.answer_id == item.answer_id, votes.c.user_hash == item.user_hash)
                .values(value=item.value, at=item.at, passage_id=item.passage_id)).rowcount
            if not changed:
                db.execute(insert(votes).values(
                    answer_id=item.answer_id, passage_id=item.passage_id, user_hash=item.user_hash,
                    value=item.value, platform=item.platform, at=item.at))

    def interactions_since(self, since: datetime):
        from bot.service.store import Interaction

        with self._schema().connect() as db:
            rows = db.execute(select(interactions).where(interactions.c.at >= since)
                              .order_by(interactions.c.at)).mappings()
            return [Interaction(**{**row, "at": _aware(row["at"])}) for row in rows]

    def votes_since(self, since: datetime):
        from bot.service.store import Vote

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

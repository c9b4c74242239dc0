"""Follow-up context shared through the database, for several processes serving one workspace."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chat_drivers import Clock

from bot.bootstrap import open_contexts
from bot.core.engine import Engine
from bot.infra.settings import Settings
from bot.infra.sqlcontext import SqlContexts
from bot.service.assistant import Assistant
from bot.service.context import Context, Memory, Where
from bot.service.conversation import Conversation

ADA = Where("slack", "thread", "T1", "C1", "1700000000.000100", "U0ADA")
GRACE = Where("slack", "thread", "T1", "C1", "1700000000.000100", "U0GRACE")


def test_a_follow_up_is_understood_by_another_process_sharing_the_database(tmp_path: Path, engine: Engine):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    clock = Clock()
    first = Conversation(Assistant(engine), memory=Memory(SqlContexts(url, salt=b"s"), clock=clock))
    second = Conversation(Assistant(engine), memory=Memory(SqlContexts(url, salt=b"s"), clock=clock))

    first.ask("What are the CTO's missions?", ADA)
    follow_up = second.ask("en français ?", ADA)
    theirs = second.ask("en français ?", GRACE)

    assert follow_up.answer is not None and follow_up.answer.passage_id == "missions-overview"
    assert follow_up.answer.lang == "fr"
    assert theirs.answer is not None and theirs.answer.passage_id is None  # not answered from ada's context


def test_stores_no_channel_or_user_id(tmp_path: Path):
    path = tmp_path / "shared.sqlite3"
    SqlContexts(f"sqlite:///{path}", salt=b"s").put(ADA.key, Context("missions-budget", "en", "q", (), 0, 1.0))
    dump = "\n".join(sqlite3.connect(path).iterdump())
    assert "missions-budget" in dump
    assert not any(part in dump for part in ("U0ADA", "C1", "1700000000.000100"))


def test_contexts_are_shared_only_when_database_url_is_set(tmp_path: Path):
    assert open_contexts(Settings.from_env({"CTO_BOT_DATA_DIR": str(tmp_path)}), b"s") is None
    shared = open_contexts(Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}), b"s")
    assert isinstance(shared, SqlContexts)


class BrokenStore:
    def get(self, key: tuple[str, ...]) -> Context | None:
        raise OSError("the database is down")

    def put(self, key: tuple[str, ...], context: Context) -> None:
        raise OSError("the database is down")


def test_a_context_store_that_is_down_only_loses_the_context(engine: Engine):
    conversation = Conversation(Assistant(engine), memory=Memory(BrokenStore()))
    reply = conversation.ask("What are the CTO's missions?", ADA)
    assert reply.answer is not None and reply.answer.passage_id == "missions-overview"
    assert conversation.ask("and the budget?", ADA).notice is None


def test_a_database_that_cannot_be_reached_is_left_alone_for_a_while(caplog):
    now = [0.0]
    contexts = SqlContexts("postgresql://nobody:nothing@127.0.0.1:1/none", salt=b"s", clock=lambda: now[0])
    assert contexts.get(ADA.key) is None
    contexts.put(ADA.key, Context("missions-budget", "en", "q", (), 0, 1.0))  # dropped, no exception
    [warning] = [r for r in caplog.records if r.name == "bot.infra.sqlcontext"]
    assert "unavailable" in warning.getMessage() and "nothing@" not in caplog.text
    now[0] = 61.0
    assert contexts.get(ADA.key) is None
    assert len([r for r in caplog.records if r.name == "bot.infra.sqlcontext"]) == 2  # tried again, once

"""The learning loop on Discord: every question's outcome is recorded, and 👍 / 👎 under an answer is a vote.

The real client against the fake Discord, over the real assistant recording into a store in memory (or,
once, SQLite). Every click comes on a message this client never sent, as after a restart.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_discord import (
    BOT_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    GUILD_ID,
    HUMAN,
    OTHER_HUMAN,
    OTHER_USER_ID,
    THREAD_ID,
    USER_ID,
    FakeDiscord,
    Sent,
    connected,
)

from adapters.discord.client import CtoClient
from adapters.discord.render import PassageButton, VoteButton
from bot.bootstrap import build_assistant
from bot.core.engine import Engine
from bot.infra.sqlstore import SqlStore
from bot.service.assistant import Assistant
from bot.service.privacy import hash_user
from bot.service.store import Interaction, MemoryStore, Vote

QUESTION = "Combien gagne un CTO ?"
PASSAGE = "salary-range"
RAW_IDS = [str(i) for i in (USER_ID, OTHER_USER_ID, BOT_ID, GUILD_ID, CHANNEL_ID, DM_CHANNEL_ID, THREAD_ID)]
"""Discord ids that must never be stored: users, servers, channels."""
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


async def answered(fake: FakeDiscord, question: str = QUESTION, *, dm: bool = False, thread: bool = False) -> Sent:
    """The bot's reply to ``question``, mentioning it in the server channel (or in a DM, or a thread)."""
    return await fake.reply_to(await fake.send_message(question, dm=dm, thread=thread))


def vote_ids(reply: Sent) -> dict[str, str]:
    """The reply's vote buttons' custom_ids, by direction (``up``, ``down``)."""
    return {custom_id.split(":")[2]: custom_id for custom_id in reply.custom_ids
            if custom_id.startswith("cto:vote:")}


async def click(fake: FakeDiscord, custom_id: str, *, user: dict[str, Any] = HUMAN, dm: bool = False,
                locale: str = "fr") -> Sent:
    """The bot's response to ``user`` clicking the button ``custom_id``."""
    return await fake.response_to(await fake.click(custom_id, user=user, dm=dm, locale=locale))


# -- outcomes -------------------------------------------------------------------------------------


async def test_records_where_each_question_was_asked_by_kind_of_place(bot: CtoClient, fake: FakeDiscord,
                                                                     store: MemoryStore, engine: Engine):
    await answered(fake, dm=True)
    await answered(fake, thread=True)
    await fake.response_to(await fake.slash(QUESTION))
    await fake.response_to(await fake.slash(QUESTION, dm=True))
    suggestion = engine.ask("technologie").suggestions[0]
    custom_id = PassageButton.custom_id_for(suggestion.passage_id, "fr")
    await click(fake, custom_id, user=OTHER_HUMAN)  # someone else: the asker has used up the cooldown
    await click(fake, custom_id, user=OTHER_HUMAN, dm=True)

    assert [i.channel_kind for i in store.interactions] == ["dm", "thread", "command", "command", "channel", "dm"]
    assert {i.platform for i in store.interactions} == {"discord"}
    assert [i.passage_id for i in store.interactions[-2:]] == [suggestion.passage_id] * 2


async def test_the_topics_are_not_a_question_and_record_nothing(bot: CtoClient, fake: FakeDiscord,
                                                               store: MemoryStore):
    response = await fake.response_to(await fake.slash())
    assert response.custom_ids == [] and store.interactions == []


# -- votes ----------------------------------------------------------------------------------------


async def test_a_thumbs_up_records_a_vote_and_thanks_the_voter_privately(bot: CtoClient, fake: FakeDiscord,
                                                                        store: MemoryStore):
    reply = await answered(fake)
    posted = len([s for s in fake.sent if s.kind == "message"])

    thanks = await click(fake, vote_ids(reply)["up"])

    [interaction] = store.interactions
    [vote] = store.votes.values()
    assert (vote.answer_id, vote.passage_id, vote.value, vote.platform) == (interaction.id, PASSAGE, 1, "discord")
    assert vote.user_hash == hash_user(b"test-salt", "discord", str(USER_ID))
    assert thanks.body["type"] == 4 and thanks.message["flags"] & 64  # ephemeral: only the voter sees it
    assert thanks.message["content"].startswith("Merci pour votre retour 👍")
    assert len([s for s in fake.sent if s.kind == "message"]) == posted  # nothing posted in the channel


async def test_votes_on_two_answers_are_two_votes(bot: CtoClient, fake: FakeDiscord, store: MemoryStore):
    for question in (QUESTION, "Comment devenir CTO ?"):
        await click(fake, vote_ids(await answered(fake, question))["up"])

    assert [v.passage_id for v in store.votes.values()] == [i.passage_id for i in store.interactions]


async def test_apologises_privately_when_a_vote_cannot_be_taken(fake: FakeDiscord, assistant: Assistant,
                                                                caplog: pytest.LogCaptureFixture):
    class Refuses:
        def __getattr__(self, name: str):
            return getattr(assistant, name)

        def vote(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("the assistant broke")

    async with connected(CtoClient(Refuses(), guild_ready_timeout=0.05)):  # type: ignore[arg-type]
        apology = await click(fake, VoteButton.custom_id_for("up", "0" * 32, PASSAGE))
    assert apology.message["content"].startswith("Désolé") and apology.message["flags"] & 64
    [failure] = [r for r in caplog.records if r.name == "adapters.discord.client" and r.levelno == logging.ERROR]
    assert "the assistant broke" in str(failure.exc_info and failure.exc_info[1])


# -- privacy --------------------------------------------------------------------------------------


async def test_no_raw_discord_id_is_stored(bot: CtoClient, fake: FakeDiscord, store: MemoryStore):
    votes = vote_ids(await answered(fake, f"<@{OTHER_USER_ID}> <#{CHANNEL_ID}> {QUESTION}"))
    await answered(fake, dm=True)
    await fake.response_to(await fake.slash(f"<@!{OTHER_USER_ID}> {QUESTION}"))
    await click(fake, votes["up"])
    await click(fake, votes["down"], user=OTHER_HUMAN)

    stored = repr(store.interactions) + repr(store.votes)
    assert len(store.interactions) == 3 and len(store.votes) == 2
    assert [i.question for i in store.interactions] == [QUESTION] * 3  # mentions are markup, not the question
    assert [raw for raw in RAW_IDS if raw in stored] == []


async def test_no_raw_discord_id_reaches_the_sqlite_file(fake: FakeDiscord, engine: Engine, tmp_path: Path):
    sql = SqlStore("sqlite:///" + str(tmp_path / "x.db"))
    assistant = Assistant(engine, recorder=sql, salt=b"test-salt")
    async with connected(CtoClient(assistant, guild_ready_timeout=0.05)):
        asked = await fake.send_message(f"<@{OTHER_USER_ID}> {QUESTION}")
        votes = vote_ids(await fake.reply_to(asked))
        await click(fake, votes["up"])
        await click(fake, votes["down"])
        await click(fake, votes["down"], user=OTHER_HUMAN)
    assert [(i.platform, i.channel_kind, i.question) for i in sql.interactions_since(EPOCH)] == [
        ("discord", "channel", QUESTION)]
    assert sorted(v.value for v in sql.votes_since(EPOCH)) == [-1, -1]
    sql.close()

    written = b"".join(path.read_bytes() for path in tmp_path.glob("x.db*"))
    assert QUESTION.encode() in written  # the search below does look at the rows
    assert [raw for raw in [*RAW_IDS, asked] if raw.encode() in written] == []


# -- a store that is down -------------------------------------------------------------------------


class StoreDown(MemoryStore):
    """A store whose every write fails, like a database that is unreachable."""

    def record(self, item: Interaction | Vote) -> None:
        raise ConnectionError("the store is down")

    def prune(self, older_than: object) -> int:
        raise ConnectionError("the store is down")


@pytest.mark.parametrize("recording", ["directly", "in the background"])
async def test_a_store_that_is_down_never_stops_an_answer_or_a_vote(
        fake: FakeDiscord, engine: Engine, caplog: pytest.LogCaptureFixture, recording: str):
    if recording == "directly":
        assistant, logger = Assistant(engine, recorder=StoreDown()), "bot.service.assistant"
    else:  # as the CLI builds it
        assistant, logger = build_assistant([Path(__file__).with_name("knowledge.yaml")], store=StoreDown()), \
            "bot.service.store"
    async with connected(CtoClient(assistant, guild_ready_timeout=0.05)):
        reply = await answered(fake)
        assert reply.embed["title"] == "Le salaire du CTO"
        thanks = await click(fake, vote_ids(reply)["up"])
        assert thanks.message["content"].startswith("Merci pour votre retour")
    if recording != "directly":
        assert assistant.recorder.flush()  # type: ignore[union-attr]
    failures = [r for r in caplog.records if r.name == logger and r.levelno == logging.ERROR]
    assert len(failures) == 2  # the question and the vote, each logged with its cause
    assert all(r.exc_info and isinstance(r.exc_info[1], ConnectionError) for r in failures)

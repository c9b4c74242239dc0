"""The learning loop in Slack: every question's outcome is recorded, and 👍 / 👎 on an answer is a vote.

Over HTTP against the fake Slack, with the real assistant recording into a store in memory (or SQLite).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_fake import FakeSlack, button_click, buttons, direct_message, feedback_button, mention
from slack_harness import HttpBot

from bot.core.engine import Engine
from bot.infra.sqlstore import SqlStore
from bot.service.assistant import Assistant
from bot.service.store import Interaction, MemoryStore, Vote

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
"""An exception in a server thread fails the test instead of passing as a warning."""

VOTER, OTHER_VOTER = "U0VOTER", "U0OTHER"
QUESTION = "Que fait un CTO ?"


def answered(bot: HttpBot, fake: FakeSlack, question: str = QUESTION) -> dict:
    """Mention the bot with ``question`` and return its reply."""
    bot.user.send_event(mention(question))
    [post] = fake.wait_for_posts(1)
    return post


def vote(bot: HttpBot, fake: FakeSlack, post: dict, emoji: str, user: str = VOTER) -> None:
    bot.user.click(button_click(feedback_button(post, emoji), post, response_url=fake.response_url(), user=user))


def test_records_direct_messages_commands_and_suggestion_clicks_with_their_kind(
        http_bot: HttpBot, fake_slack: FakeSlack, store: MemoryStore):
    http_bot.user.send_event(direct_message(QUESTION))
    http_bot.user.send_command(QUESTION)
    http_bot.user.send_event(mention("études expérience"))
    _, suggestion = fake_slack.wait_for_posts(2)
    http_bot.user.click(button_click(buttons(suggestion, "suggestions")[0], suggestion,
                                     response_url=fake_slack.response_url()))

    assert [(i.channel_kind, i.outcome) for i in store.interactions] == [
        ("dm", "answer"), ("command", "answer"), ("thread", "suggest"), ("thread", "pick")]
    assert {i.platform for i in store.interactions} == {"slack"}


def test_a_thumbs_up_records_a_vote_and_thanks_only_the_voter_in_the_thread(
        http_bot: HttpBot, fake_slack: FakeSlack, store: MemoryStore):
    post = answered(http_bot, fake_slack)

    reply = http_bot.user.click(button_click(feedback_button(post, "👍"), post,
                                             response_url=fake_slack.response_url(), user=VOTER))

    assert reply.status == 200
    [interaction] = store.interactions
    [recorded] = store.votes.values()
    assert (recorded.answer_id, recorded.passage_id) == (interaction.id, interaction.passage_id)
    assert (recorded.value, recorded.platform) == (1, "slack")
    [thanks] = fake_slack.wait_for_ephemerals(1)
    assert (thanks["user"], thanks["channel"], thanks["thread_ts"]) == (VOTER, post["channel"], post["thread_ts"])
    assert "Merci" in thanks["text"]
    assert len(fake_slack.posts()) == 1, "a vote posts nothing that others see"


def test_a_vote_on_a_cto_command_answer_thanks_the_asker_privately(http_bot: HttpBot, fake_slack: FakeSlack,
                                                                    store: MemoryStore):
    http_bot.user.send_command("what does a CTO do?")
    [answer] = fake_slack.wait_for_responses(1)
    click = button_click(feedback_button(answer, "👎"), {"channel": "C0000001", **answer},
                         response_url=fake_slack.response_url("r2"), user=VOTER)
    click["container"]["is_ephemeral"] = True
    del click["message"]

    http_bot.user.click(click)

    [recorded] = store.votes.values()
    assert recorded.value == -1
    _, thanks = fake_slack.wait_for_responses(2)
    assert (thanks["response_type"], thanks["replace_original"]) == ("ephemeral", False)
    assert "Thanks for your feedback" in thanks["text"]


def test_no_raw_slack_user_id_is_stored(http_bot: HttpBot, fake_slack: FakeSlack, store: MemoryStore):
    post = answered(http_bot, fake_slack, f"<@{OTHER_VOTER}> {QUESTION}")
    vote(http_bot, fake_slack, post, "👍", VOTER)

    assert store.votes, "the vote was recorded"
    stored = repr(store.interactions) + repr(store.votes)
    for raw in (VOTER, "U0000001", OTHER_VOTER):  # the voter, the asker, someone mentioned in the question
        assert raw not in stored


def test_no_raw_slack_user_id_reaches_the_database(engine: Engine, fake_slack: FakeSlack, tmp_path: Path):
    database = SqlStore(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with HttpBot(Assistant(engine, recorder=database, salt=b"test-salt"), fake_slack) as bot:
            post = answered(bot, fake_slack)
            vote(bot, fake_slack, post, "👍", VOTER)
            vote(bot, fake_slack, post, "👎", VOTER)
        [recorded] = database.votes_since(datetime(2000, 1, 1, tzinfo=UTC))
        [interaction] = database.interactions_since(datetime(2000, 1, 1, tzinfo=UTC))
    finally:
        database.close()

    assert (recorded.value, recorded.answer_id) == (-1, interaction.id)
    assert recorded.user_hash.encode() in (tmp_path / "x.db").read_bytes(), "the vote is in the file searched"
    for file in tmp_path.iterdir():
        data = file.read_bytes()
        assert VOTER.encode() not in data and b"U0000001" not in data, file.name


class BrokenStore:
    """A store that is down: every ``record`` raises."""

    def record(self, item: Interaction | Vote) -> None:
        raise ConnectionError("the database is down")


def test_a_store_that_is_down_does_not_stop_answers_or_votes_and_is_logged(
        engine: Engine, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture):
    with HttpBot(Assistant(engine, recorder=BrokenStore()), fake_slack) as bot:
        post = answered(bot, fake_slack)
        vote(bot, fake_slack, post, "👍")
        [thanks] = fake_slack.wait_for_ephemerals(1)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()  # expected: the autouse fixture would fail the test on them

    assert post["text"].startswith("Le CTO dirige")
    assert "Merci" in thanks["text"]
    assert [(r.name, type(r.exc_info[1]).__name__) for r in errors if r.exc_info] == [
        ("bot.service.assistant", "ConnectionError"), ("bot.service.assistant", "ConnectionError")]


def test_a_feedback_button_that_is_not_ours_records_nothing_and_apologises(
        http_bot: HttpBot, fake_slack: FakeSlack, store: MemoryStore, caplog: pytest.LogCaptureFixture):
    post = answered(http_bot, fake_slack)
    forged = dict(feedback_button(post, "👍"), value="not json")

    http_bot.user.click(button_click(forged, post, response_url=fake_slack.response_url(), user=VOTER))

    [apology] = fake_slack.wait_for_ephemerals(1)
    caplog.clear()  # the refused value is logged as an error, on purpose
    assert store.votes == {}
    assert "Sorry" in apology["text"]

"""The real slack-bolt app in Socket Mode, connected to a fake Slack's websocket on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from slack_fake import (
    FakeSlack,
    button_click,
    buttons,
    direct_message,
    event_callback,
    feedback_button,
    mention,
    slash_command,
)
from slack_harness import SocketBot

from bot.core.engine import Engine
from bot.service.assistant import Assistant
from bot.service.store import MemoryStore

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
"""An exception in a server thread fails the test instead of passing as a warning."""


def test_acknowledges_a_mention_and_replies_in_its_thread(socket_bot: SocketBot, fake_slack: FakeSlack):
    event = mention("Que fait un CTO ?")

    fake_slack.push("events_api", event_callback(event, "Ev0SOCKET1"), envelope_id="env-1")

    assert fake_slack.wait_for_ack("env-1")
    [post] = fake_slack.wait_for_posts(1)
    assert post["thread_ts"] == event["ts"]
    assert post["text"].startswith("Le CTO dirige")


def test_handles_a_first_delivery_although_bolt_marks_it_retry_zero(socket_bot: SocketBot,
                                                                     fake_slack: FakeSlack):
    fake_slack.push("events_api", event_callback(direct_message("Que fait un CTO ?"), "Ev0SOCKET2"),
                    envelope_id="env-2", retry_attempt=0)

    [post] = fake_slack.wait_for_posts(1)
    assert post["channel"] == "D0000001"


def test_acknowledges_but_skips_a_redelivered_envelope_or_retry(assistant: Assistant, fake_slack: FakeSlack):
    payload = event_callback(mention("Que fait un CTO ?"), "Ev0SOCKET3")
    # Acknowledging after the listener ran makes "nothing was posted" final at each ack.
    with SocketBot(assistant, fake_slack, process_before_response=True):
        fake_slack.push("events_api", payload, envelope_id="env-3")
        fake_slack.wait_for_posts(1)

        fake_slack.push("events_api", payload, envelope_id="env-3")
        fake_slack.push("events_api", payload, envelope_id="env-4", retry_attempt=1)
        fake_slack.push("events_api", event_callback(mention("Que fait un CTO ?"), "Ev0SOCKET5"),
                        envelope_id="env-5", retry_attempt=2)
        fake_slack.wait_for(
            lambda r: sorted(a["envelope_id"] for a in r.acks) == ["env-3", "env-3", "env-4", "env-5"],
            "the redeliveries to be acknowledged")

        assert len(fake_slack.posts()) == 1


def test_answers_the_cto_command_in_socket_mode(socket_bot: SocketBot, fake_slack: FakeSlack):
    fake_slack.push("slash_commands", slash_command("help", fake_slack.response_url()), envelope_id="env-7")

    assert fake_slack.wait_for_ack("env-7")
    [response] = fake_slack.wait_for_responses(1)
    assert "becoming a CTO" in response["text"]


def test_buttons_answer_a_suggestion_and_record_a_vote_in_socket_mode(socket_bot: SocketBot,
                                                                     fake_slack: FakeSlack, engine: Engine,
                                                                     store: MemoryStore):
    # One test for both kinds of button: each Socket Mode test costs seconds to close the SDK's client.
    fake_slack.push("events_api", event_callback(direct_message("études expérience"),
                                                 "Ev0SOCKET8"), envelope_id="env-8")
    [suggestion] = fake_slack.wait_for_posts(1)
    button = buttons(suggestion)[0]

    fake_slack.push("interactive", button_click(button, suggestion, response_url=fake_slack.response_url()),
                    envelope_id="env-9")

    assert fake_slack.wait_for_ack("env-9")
    _, answer = fake_slack.wait_for_posts(2)
    assert answer["channel"] == "D0000001"
    assert answer["text"] == engine.answer_passage(json.loads(button["value"])["passage"], "fr").text

    fake_slack.push("interactive", button_click(feedback_button(answer, "👍"), answer, user="U0VOTER",
                                                response_url=fake_slack.response_url()), envelope_id="env-10")

    [thanks] = fake_slack.wait_for_ephemerals(1)
    assert thanks["user"] == "U0VOTER"
    [recorded] = store.votes.values()
    assert (recorded.value, recorded.platform, recorded.answer_id) == (1, "slack", store.interactions[-1].id)
    assert [(i.channel_kind, i.outcome) for i in store.interactions] == [("dm", "suggest"), ("dm", "pick")]
    assert store.interactions[1].question == store.interactions[0].question  # the pick is of the asker's question

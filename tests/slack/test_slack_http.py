"""The real slack-bolt app over HTTP, against a fake Slack on 127.0.0.1: what people see in Slack, and what the
real server (gunicorn, with the signature guard in front of Bolt) does with hostile or broken requests."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import time
from collections.abc import Iterator

import pytest
from slack_fake import BOT_USER_ID, WAIT, FakeSlack, button_click, buttons, direct_message, mention, shown_text
from slack_harness import SIGNING_SECRET, HttpBot
from slack_server import ServedBot

from bot.core.engine import Engine
from bot.service.store import MemoryStore

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
"""An exception in a server thread fails the test instead of passing as a warning."""

LIVE_MENTIONS = ("<!channel>", "<!here>", "<!everyone>", "<@")


def assert_no_live_mention(message: dict) -> None:
    text = json.dumps(message, ensure_ascii=False)
    for live in LIVE_MENTIONS:
        assert live not in text, f"{live} would reach Slack live in {text}"


def test_replies_in_the_thread_of_a_mention_with_the_right_passage(http_bot: HttpBot, fake_slack: FakeSlack):
    event = mention("Que fait un CTO ?")

    reply = http_bot.user.send_event(event)

    assert reply.status == 200
    [post] = fake_slack.wait_for_posts(1)
    assert post["channel"] == event["channel"]
    assert post["thread_ts"] == event["ts"]
    assert "Le CTO dirige la technologie" in post["text"]
    assert "Source : _Le rôle du CTO_" in shown_text(post)


def test_replies_in_the_existing_thread_when_mentioned_inside_one(http_bot: HttpBot, fake_slack: FakeSlack):
    event = mention("what does a CTO do?", thread_ts="1700000000.000100")

    http_bot.user.send_event(event)

    [post] = fake_slack.wait_for_posts(1)
    assert post["thread_ts"] == "1700000000.000100"
    assert "The CTO leads technology" in post["text"]


def test_removes_the_mention_and_slack_markup_from_the_question(http_bot: HttpBot, fake_slack: FakeSlack,
                                                                   engine: Engine):
    http_bot.user.send_event(mention("<https://example.com|Que fait> un CTO &amp; ?"))

    [post] = fake_slack.wait_for_posts(1)
    assert post["text"].startswith("Le CTO dirige")


def test_answers_a_direct_message_in_the_dm(http_bot: HttpBot, fake_slack: FakeSlack):
    http_bot.user.send_event(direct_message("Quelles études pour devenir CTO ?"))

    [post] = fake_slack.wait_for_posts(1)
    assert post["channel"] == "D0000001"
    assert "thread_ts" not in post
    assert "école d’ingénieurs" in post["text"]


@pytest.mark.parametrize("event", [
    direct_message("Que fait un CTO ?", bot_id="B0000009", subtype="bot_message"),
    direct_message("Que fait un CTO ?", user=BOT_USER_ID),
    direct_message("Que fait un CTO ?", subtype="message_changed"),
    direct_message("", subtype="message_deleted"),
    direct_message("Que fait un CTO ?", subtype="file_share"),
], ids=["another bot", "itself", "an edit", "a deletion", "a file"])
def test_ignores_messages_that_are_not_a_persons_new_question(http_bot: HttpBot, fake_slack: FakeSlack,
                                                               event: dict):
    reply = http_bot.user.send_event(event)

    assert reply.status == 200
    assert fake_slack.posts() == []


def test_answers_the_cto_command_to_the_asker(http_bot: HttpBot, fake_slack: FakeSlack):
    reply = http_bot.user.send_command("Que fait un CTO ?")

    assert reply.status == 200
    [response] = fake_slack.wait_for_responses(1)
    assert response["response_type"] == "ephemeral"
    assert "Le CTO dirige la technologie" in response["text"]
    assert "Que fait un CTO ?" in shown_text(response), "the asker sees the question they asked"
    assert fake_slack.posts() == []


@pytest.mark.parametrize("text", ["", "help", "  aide "])
def test_lists_the_topics_for_the_cto_command_alone_or_help(http_bot: HttpBot, fake_slack: FakeSlack,
                                                            engine: Engine, text: str):
    http_bot.user.send_command(text)

    [response] = fake_slack.wait_for_responses(1)
    lang = "en" if text == "help" else "fr"
    for topic in engine.topics(lang):
        assert topic.replace("'", "") in response["text"].replace("'", "")


def test_a_suggestion_button_answers_that_question_in_the_same_thread(http_bot: HttpBot,
                                                                      fake_slack: FakeSlack, engine: Engine):
    question = "études expérience"
    assert engine.ask(question).suggestions, "the fixture question should get suggestions; pick another"
    event = mention(question)
    http_bot.user.send_event(event)
    [suggestion] = fake_slack.wait_for_posts(1)
    first = buttons(suggestion)[0]
    expected = engine.answer_passage(json.loads(first["value"])["passage"], "fr")

    reply = http_bot.user.click(button_click(first, suggestion, response_url=fake_slack.response_url()))

    assert reply.status == 200
    _, answer = fake_slack.wait_for_posts(2)
    assert answer["channel"] == event["channel"]
    assert answer["thread_ts"] == event["ts"]
    assert answer["text"] == expected.text
    assert expected.section and expected.section in shown_text(answer)


def test_a_suggestion_button_in_a_cto_command_reply_answers_the_asker(http_bot: HttpBot,
                                                                      fake_slack: FakeSlack, store: MemoryStore):
    http_bot.user.send_command("études expérience")
    [suggestion] = fake_slack.wait_for_responses(1)
    button = buttons(suggestion)[1]
    click = button_click(button, {"channel": "C0000001"}, response_url=fake_slack.response_url("r2"))
    click["container"]["is_ephemeral"] = True
    del click["message"]

    http_bot.user.click(click)

    _, answer = fake_slack.wait_for_responses(2)
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    assert "Source" in shown_text(answer)
    pick = store.interactions[-1]
    assert (pick.outcome, pick.question, pick.channel_kind) == ("pick", "études expérience", "command")


def test_rejects_a_request_with_a_bad_signature_and_posts_nothing(http_bot: HttpBot, fake_slack: FakeSlack,
                                                                  caplog: pytest.LogCaptureFixture):
    reply = http_bot.user.send_event(mention("Que fait un CTO ?"), secret="not-the-secret")

    assert reply.status == 401
    assert fake_slack.posts() == []


def test_rejects_a_five_minute_old_request_and_posts_nothing(http_bot: HttpBot, fake_slack: FakeSlack):
    reply = http_bot.user.send_event(mention("Que fait un CTO ?"), timestamp=time.time() - 5 * 60 - 10)

    assert reply.status == 401
    assert fake_slack.posts() == []


def test_answers_a_redelivered_event_only_once(http_bot: HttpBot, fake_slack: FakeSlack):
    event = mention("Que fait un CTO ?")

    first = http_bot.user.send_event(event, event_id="Ev0REDELIVERED")
    again = http_bot.user.send_event(event, event_id="Ev0REDELIVERED")

    assert (first.status, again.status) == (200, 200)
    assert len(fake_slack.posts()) == 1


def test_skips_an_http_retry_but_acknowledges_it(http_bot: HttpBot, fake_slack: FakeSlack):
    retry_headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    retried = http_bot.user.send_event(mention("Que fait un CTO ?"), headers=retry_headers)
    first = http_bot.user.send_event(mention("Que fait un CTO ?"), headers={"X-Slack-Retry-Num": "0"})

    assert (retried.status, first.status) == (200, 200)
    assert len(fake_slack.wait_for_posts(1)) == 1


@pytest.mark.parametrize("live", ["<!channel>", "<!here>", "<!everyone>", "<@U0000002>"])
def test_never_echoes_a_mention_live(http_bot: HttpBot, fake_slack: FakeSlack, live: str):
    typed = live.replace("<", "&lt;").replace(">", "&gt;")
    http_bot.user.send_event(mention(f"{live} {typed} que fait un CTO ?"))
    http_bot.user.send_command(f"{live} {typed} que fait un CTO ?")

    [post] = fake_slack.wait_for_posts(1)
    [response] = fake_slack.wait_for_responses(1)
    assert_no_live_mention(post)
    assert_no_live_mention(response)
    assert "&lt;" in shown_text(response), "what the user typed is shown, escaped"


def test_escapes_the_knowledge_text(http_bot: HttpBot, fake_slack: FakeSlack):
    http_bot.user.send_event(direct_message("Que fait un CTO ?"))

    [post] = fake_slack.wait_for_posts(1)
    assert "la R&amp;D et les équipes &lt;techniques&gt;" in shown_text(post)


def test_answers_the_platform_health_check(http_bot: HttpBot):
    reply = http_bot.user.request("GET", "/healthz")

    assert (reply.status, reply.body) == (200, "ok\n")


def test_answers_404_outside_its_paths(http_bot: HttpBot):
    assert http_bot.user.request("GET", "/elsewhere").status == 404


# -- the real server (gunicorn, as `cto-bot slack --http` runs it) against hostile or broken requests --------

@pytest.fixture(scope="module")
def served() -> Iterator[ServedBot]:
    """One `cto-bot slack --http` process for the module's tests, on its own fake Slack."""
    fake = FakeSlack().start()
    try:
        with ServedBot(fake) as bot:
            yield bot
        assert "Traceback" not in bot.log, bot.log
    finally:
        fake.stop()


def raw_request(port: int, head: str, body: bytes = b"") -> tuple[int, str]:
    """Send ``head`` (request line and headers, without the blank line) and ``body`` as they are; the status
    and body of the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as connection:
        connection.sendall(head.encode() + b"\r\n\r\n" + body)
        reply = http.client.HTTPResponse(connection)
        reply.begin()
        return reply.status, reply.read().decode(errors="replace")


def signed_headers(body: bytes, *, timestamp: str | None = None, secret: str = SIGNING_SECRET,
                   content_type: str = "application/json") -> str:
    timestamp = timestamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return (f"Content-Type: {content_type}\r\nX-Slack-Request-Timestamp: {timestamp}\r\n"
            f"X-Slack-Signature: v0={digest}")


def post_head(length: str | None, headers: str) -> str:
    content_length = "" if length is None else f"Content-Length: {length}\r\n"
    return f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{content_length}{headers}"


EVENT = json.dumps({"type": "event_callback", "event_id": "Ev0HOSTILE", "team_id": "T0000001",
                    "event": mention("Que fait un CTO ?")}).encode()


@pytest.mark.parametrize(("length", "headers", "body", "status"), [
    (None, signed_headers(EVENT), EVENT, 411),
    ("-1", signed_headers(EVENT), EVENT, 400),
    ("12abc", signed_headers(EVENT), EVENT, 400),
    ("104857600", signed_headers(b""), b"x" * 1000, 413),
    (str(len(EVENT)), signed_headers(EVENT, timestamp="soon"), EVENT, 401),
    (str(len(EVENT)), signed_headers(EVENT, timestamp=str(int(time.time()) - 600)), EVENT, 401),
    (str(len(EVENT)), signed_headers(EVENT, timestamp=str(int(time.time()) + 600)), EVENT, 401),
    (str(len(EVENT)), signed_headers(EVENT, secret="not-the-secret"), EVENT, 401),
    (str(len(EVENT)), "Content-Type: application/json", EVENT, 401),
    ("1", signed_headers(b"1"), b"1", 400),
    ("9", signed_headers(b'{"type": '), b'{"type": ', 400),
    ("7", signed_headers(b'{"\xff":1}'), b'{"\xff":1}', 400),
    ("9", signed_headers(b"payload=1", content_type="application/x-www-form-urlencoded"), b"payload=1", 400),
    ("14", signed_headers(b'{"event":null}'), b'{"event":null}', 400),
    ("22", signed_headers(b'{"authorizations":"x"}'), b'{"authorizations":"x"}', 400),
], ids=["no length", "negative length", "length not a number", "100 MB body", "timestamp not a number",
        "stale timestamp", "future timestamp", "bad signature", "unsigned", "a body of 1 (signed)",
        "malformed JSON (signed)", "invalid UTF-8 (signed)", "a form payload that is not an object (signed)",
        "an event that is not an object (signed)", "authorizations Bolt cannot read (signed)"])
def test_refuses_a_bad_request_before_bolt_parses_it_without_a_traceback(
        served: ServedBot, length: str | None, headers: str, body: bytes, status: int):
    posted = len(served.fake.posts())

    reply = raw_request(served.port, post_head(length, headers), body)

    assert reply[0] == status, reply
    assert "Traceback" not in served.log
    assert served.user.send_event(mention("Que fait un CTO ?")).status == 200, "the server still serves"
    served.fake.wait_for_posts(posted + 1)
    assert len(served.fake.posts()) == posted + 1, "the refused request was not answered"


def test_refuses_a_huge_body_without_reading_it(served: ServedBot):
    """The 413 comes back while the client has sent 1 KB of the 100 MB it announced."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=WAIT) as connection:
        connection.sendall(post_head("104857600", signed_headers(b"")).encode() + b"\r\n\r\n" + b"x" * 1024)
        reply = http.client.HTTPResponse(connection)
        reply.begin()

    assert reply.status == 413


def test_the_real_server_answers_a_signed_mention_once_and_skips_its_redelivery(served: ServedBot):
    posted = len(served.fake.posts())
    event = mention("Que fait un CTO ?")

    first = served.user.send_event(event, event_id="Ev0SERVEDTWICE")
    again = served.user.send_event(event, event_id="Ev0SERVEDTWICE")
    served.fake.wait_for_posts(posted + 1)
    served.user.send_event(mention("Que fait un CTO ?"))  # answered after the redelivery would have been
    served.fake.wait_for_posts(posted + 2)

    assert (first.status, again.status) == (200, 200)
    assert [p["thread_ts"] for p in served.fake.posts()[posted:]].count(event["ts"]) == 1

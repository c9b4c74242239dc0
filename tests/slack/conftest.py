"""Fixtures for the Slack tests: the real engine on a tiny knowledge file, a fake Slack, the bot on it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_fake import WAIT, FakeSlack, SlackUser
from slack_sdk import WebClient

from adapters.slack.app import Engine, build_app
from adapters.slack.http import http_server
from adapters.slack.socket_mode import DedupingSocketModeHandler
from bot.bootstrap import build_engine
from bot.engine import Engine as RealEngine

KNOWLEDGE = Path(__file__).parent / "knowledge" / "cto.yaml"
SIGNING_SECRET = "test-signing-secret"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk honours proxy variables, and its Socket Mode client ignores NO_PROXY: no proxy here."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fail_on_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Fail a test when anything logs an error it did not expect; tests that expect one clear the log."""
    caplog.set_level(logging.INFO)
    yield caplog
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, "unexpected errors logged:\n" + "\n".join(r.getMessage() for r in errors)


@pytest.fixture(scope="session")
def engine() -> RealEngine:
    return build_engine(KNOWLEDGE)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()
    assert not fake.records.unknown, f"the bot called Web API methods the fake lacks: {fake.records.unknown}"


class HttpBot:
    """The bot served over HTTP on 127.0.0.1 for one test, and a user who talks to it through Slack."""

    def __init__(self, engine: Engine, fake: FakeSlack):
        self.fake = fake
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        self.app = build_app(engine, client=client, signing_secret=SIGNING_SECRET,
                             process_before_response=True)
        self.server = http_server(self.app, host="127.0.0.1", port=0)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.user = SlackUser(self.port, SIGNING_SECRET, fake)

    def __enter__(self) -> HttpBot:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(WAIT)


@pytest.fixture
def http_bot(engine: RealEngine, fake_slack: FakeSlack) -> Iterator[HttpBot]:
    with HttpBot(engine, fake_slack) as bot:
        yield bot


class SocketBot:
    """The bot connected in Socket Mode to the fake Slack (closing takes the SDK's client about a second)."""

    def __init__(self, engine: Engine, fake: FakeSlack, *, process_before_response: bool = False):
        self.fake = fake
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        self.app = build_app(engine, client=client, process_before_response=process_before_response)
        self.handler = DedupingSocketModeHandler(self.app, "xapp-test", ping_interval=60)

    def __enter__(self) -> SocketBot:
        self.handler.connect()
        self.fake.wait_for(lambda r: r.socket_connections >= 1, "the Socket Mode connection")
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.close()
        self.fake.wait_for(lambda r: r.socket_closed >= r.socket_connections, "the socket to close")


@pytest.fixture
def socket_bot(engine: RealEngine, fake_slack: FakeSlack) -> Iterator[SocketBot]:
    with SocketBot(engine, fake_slack) as bot:
        yield bot

"""Fixtures for the Slack tests: the real engine on a tiny knowledge file, an assistant recording into a store
in memory, a fake Slack, the bot on it.

Helpers live in ``slack_fake`` and ``slack_harness``: test modules must not import ``conftest``, whose
name the Discord tests' conftest shares.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_fake import FakeSlack
from slack_harness import KNOWLEDGE, HttpBot, SocketBot

from bot.bootstrap import build_engine
from bot.core.engine import Engine
from bot.service.assistant import Assistant

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
def engine() -> Engine:
    return build_engine(KNOWLEDGE)




@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()
    assert not fake.records.unknown, f"the bot called Web API methods the fake lacks: {fake.records.unknown}"


@pytest.fixture
def http_bot(assistant: Assistant, fake_slack: FakeSlack) -> Iterator[HttpBot]:
    with HttpBot(assistant, fake_slack) as bot:
        yield bot


@pytest.fixture
def socket_bot(assistant: Assistant, fake_slack: FakeSlack) -> Iterator[SocketBot]:
    with SocketBot(assistant, fake_slack) as bot:
        yield bot

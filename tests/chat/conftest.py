"""The shared chat harness: ``chat`` is the bot on Slack, on Discord and in the REPL in turn, over one
conversation on a tiny knowledge file, with a clock the test moves. A chat test is written once and runs on
every platform."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord.gateway
import discord.http
import pytest

TESTS = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(TESTS / "slack"), str(TESTS / "discord")]  # the fakes live next to their own tests

from chat_drivers import Clock, DiscordChat, ReplChat, SlackChat  # noqa: E402
from fake_discord import FakeDiscord, connected  # noqa: E402
from slack_fake import FakeSlack  # noqa: E402

from bot.bootstrap import build_engine  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.service.assistant import Assistant  # noqa: E402
from bot.service.context import Memory  # noqa: E402
from bot.service.conversation import Conversation  # noqa: E402
from bot.service.cooldown import Cooldown  # noqa: E402

KNOWLEDGE = Path(__file__).with_name("chat_knowledge.yaml")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(scope="session")
def engine() -> Engine:
    return build_engine(KNOWLEDGE)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cooldown() -> Cooldown | None:
    """No cooldown, unless a test overrides this fixture."""
    return None


@pytest.fixture
def conversation(assistant: Assistant, clock: Clock, cooldown: Cooldown | None) -> Conversation:
    return Conversation(assistant, cooldown=cooldown, memory=Memory(clock=clock))


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(params=["slack", "discord", "repl"])
async def chat(request: pytest.FixtureRequest, conversation: Conversation,
               monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SlackChat | DiscordChat | ReplChat]:
    """The bot on one platform, driven through that platform's fake."""
    if request.param == "slack":
        fake = request.getfixturevalue("fake_slack")
        slack = SlackChat(conversation, fake)
        slack.start()
        try:
            yield slack
        finally:
            slack.stop()
    elif request.param == "discord":
        server = FakeDiscord()
        await server.start()
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", server.gateway)
        try:
            driver = DiscordChat(conversation, server)
            async with connected(driver.client):
                yield driver
        finally:
            await server.stop()
        assert not server.unexpected, f"the bot called routes the fake does not serve: {server.unexpected}"
    else:
        yield ReplChat(conversation)

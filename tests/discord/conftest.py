"""Fixtures: the engine over a tiny knowledge file, the assistant recording into a store in memory, a fake
Discord, and the real client connected to it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import discord.gateway
import discord.http
import pytest
from fake_discord import FakeDiscord, connected

from adapters.discord.client import CtoClient
from bot.bootstrap import build_engine
from bot.core.engine import Engine
from bot.service.assistant import Assistant

KNOWLEDGE = Path(__file__).with_name("knowledge.yaml")


@pytest.fixture(scope="session")
def engine() -> Engine:
    return build_engine(KNOWLEDGE)




class ErrorRecords(logging.Handler):
    """Collects ERROR records: discord.py logs a failing handler instead of raising it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def discord_errors() -> Iterator[ErrorRecords]:
    """Fail the test on any ERROR that discord.py logs."""
    handler = ErrorRecords()
    logger = logging.getLogger("discord")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
    assert not handler.records, [f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in handler.records]


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch, discord_errors: ErrorRecords) -> AsyncIterator[FakeDiscord]:
    """A fake Discord on 127.0.0.1, with discord.py pointed at it (and back when the test ends)."""
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", server.gateway)
    try:
        yield server
    finally:
        await server.stop()
    assert not server.unexpected, f"the bot called routes the fake does not serve: {server.unexpected}"


@pytest.fixture
async def bot(fake: FakeDiscord, assistant: Assistant) -> AsyncIterator[CtoClient]:
    """The real client over the real assistant and engine, connected to the fake."""
    async with connected(CtoClient(assistant, guild_ready_timeout=0.05)) as client:
        yield client  # type: ignore[misc]

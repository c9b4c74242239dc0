"""``cto-bot discord``: settings from the environment (checked before the engine is built), the client started,
an optional health check, SIGTERM made a clean close."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.health import health_check, health_port
from bot.errors import ConfigurationError, MissingSettingError

if TYPE_CHECKING:  # discord.py takes half a second to import: not before the settings are checked
    import discord

    from adapters.discord.client import Assistant, CtoClient

log = logging.getLogger(__name__)

PERMISSIONS = ("view_channel", "send_messages", "send_messages_in_threads", "embed_links", "read_message_history")
"""The least the bot needs in a channel: see it, answer in it and its threads, embed, reply to a message."""
SCOPES = ("bot", "applications.commands")
TOKEN_PURPOSE = "the bot token from the Developer Portal, Bot page"


@dataclass(frozen=True)
class DiscordSettings:
    """Everything ``cto-bot discord`` reads from the environment."""

    token: str
    shard_count: int | None = None
    """How many shards the whole bot has; None lets Discord recommend it (one process runs them all)."""
    shard_ids: tuple[int, ...] | None = None
    """The shards this process runs; None for all of them."""
    sync_commands: bool = True
    cooldown_rate: int = 5
    cooldown_seconds: float = 30.0
    health_port: int | None = None
    """``CTO_BOT_HEALTH_PORT``: serve ``GET /healthz`` there (503 until connected)."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> DiscordSettings:
        """Read ``DISCORD_TOKEN``, ``DISCORD_SHARD_COUNT``, ``DISCORD_SHARD_IDS``, ``DISCORD_SYNC_COMMANDS``
        ``DISCORD_COOLDOWN`` and ``CTO_BOT_HEALTH_PORT``; raise a ConfigurationError saying what to fix."""
        token = environ.get("DISCORD_TOKEN", "").strip()
        if not token:
            raise MissingSettingError("DISCORD_TOKEN", TOKEN_PURPOSE)
        shard_count = _count(environ.get("DISCORD_SHARD_COUNT", ""))
        shard_ids = _shard_ids(environ.get("DISCORD_SHARD_IDS", ""), shard_count)
        rate, seconds = _cooldown(environ.get("DISCORD_COOLDOWN", ""))
        sync = environ.get("DISCORD_SYNC_COMMANDS", "1").strip().lower() not in ("0", "false", "no", "off")
        return cls(token=token, shard_count=shard_count, shard_ids=shard_ids, sync_commands=sync,
                   cooldown_rate=rate, cooldown_seconds=seconds, health_port=health_port(environ))


def _count(raw: str) -> int | None:
    if not raw.strip():
        return None
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ConfigurationError(f"DISCORD_SHARD_COUNT={raw!r} is not a whole number of shards; set it to 1 "
                                 "or more, or unset it to let Discord recommend one")
    return int(raw)


def _shard_ids(raw: str, count: int | None) -> tuple[int, ...] | None:
    """``"0,1,2"`` or ``"0-2"`` (or both: ``"0-2,5"``) as shard ids, checked against ``count``.

    >>> _shard_ids("0-2,5", 8)
    (0, 1, 2, 5)
    """
    if not raw.strip():
        return None
    if count is None:
        raise ConfigurationError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT: set the total number of "
                                 "shards too")
    ids: list[int] = []
    try:
        for part in raw.split(","):
            first, _, last = part.strip().partition("-")
            ids.extend(range(int(first), int(last or first) + 1))
    except ValueError:
        raise ConfigurationError(f"DISCORD_SHARD_IDS={raw!r} is not a list of shard ids; write e.g. 0,1,2 "
                                 "or 0-2") from None
    bad = [i for i in ids if not 0 <= i < count]
    if bad or not ids:
        raise ConfigurationError(f"DISCORD_SHARD_IDS={raw!r}: shard ids go from 0 to DISCORD_SHARD_COUNT-1 "
                                 f"({count - 1})")
    return tuple(dict.fromkeys(ids))


def _cooldown(raw: str) -> tuple[int, float]:
    """``"5/30"``: 5 questions per user every 30 seconds (the default)."""
    if not raw.strip():
        return 5, 30.0
    rate, _, seconds = raw.partition("/")
    try:
        parsed = int(rate), float(seconds)
    except ValueError:
        parsed = (0, 0.0)
    if parsed[0] < 1 or parsed[1] <= 0:
        raise ConfigurationError(f"DISCORD_COOLDOWN={raw!r}: write questions/seconds, e.g. 5/30")
    return parsed


def application_id(environ: Mapping[str, str]) -> str:
    """``DISCORD_APPLICATION_ID``, else the bot's user id, which the token starts with (base64)."""
    explicit = environ.get("DISCORD_APPLICATION_ID", "").strip()
    if explicit:
        if not explicit.isdigit():
            raise ConfigurationError(f"DISCORD_APPLICATION_ID={explicit!r} is not an id; copy the "
                                     "Application ID from the Developer Portal, General Information page")
        return explicit
    token = environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise MissingSettingError("DISCORD_APPLICATION_ID", "the Application ID from the Developer Portal, "
                                  "General Information page; or set DISCORD_TOKEN")
    first = token.split(".")[0]
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.isdigit():
        raise ConfigurationError("DISCORD_TOKEN does not start with an application id; set "
                                 "DISCORD_APPLICATION_ID (Developer Portal, General Information page)")
    return decoded


def invite_url(environ: Mapping[str, str]) -> str:
    """The OAuth2 URL that adds the bot to a server, with its slash commands and the least permissions."""
    import discord

    permissions = discord.Permissions(**dict.fromkeys(PERMISSIONS, True))
    return discord.utils.oauth_url(application_id(environ), permissions=permissions, scopes=SCOPES)


def build_client(settings: DiscordSettings, assistant: Assistant) -> CtoClient:
    from adapters.discord.client import CtoClient
    from adapters.discord.cooldown import Cooldown

    return CtoClient(assistant, cooldown=Cooldown(rate=settings.cooldown_rate, per=settings.cooldown_seconds),
                     sync_commands=settings.sync_commands, shard_count=settings.shard_count,
                     shard_ids=settings.shard_ids)


async def serve(client: discord.Client, token: str) -> int:
    """Run ``client`` until it is closed, by SIGTERM or SIGINT among others; return 0."""
    import discord

    loop = asyncio.get_running_loop()
    closing: set[asyncio.Task[None]] = set()

    def stop(signum: int) -> None:
        log.info("received %s, closing the connection to Discord", signal.Signals(signum).name)
        task = loop.create_task(client.close())
        closing.add(task)
        task.add_done_callback(closing.discard)

    handled = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop, signum)
            handled.append(signum)
        except (NotImplementedError, RuntimeError):  # not the main thread, or not a Unix loop
            pass
    try:
        async with client:
            await client.start(token)
    except discord.LoginFailure as error:
        raise ConfigurationError(f"Discord rejected DISCORD_TOKEN ({error}); copy it again from the "
                                 "Developer Portal, Bot page") from error
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
    log.info("closed cleanly")
    return 0


def is_connected(client: discord.AutoShardedClient) -> bool:
    """True while every shard of ``client`` is connected and ready: what ``/healthz`` reports."""
    return (client.is_ready() and not client.is_closed()
            and all(not shard.is_closed() for shard in client.shards.values()))


Serving = Callable[[], "contextlib.AbstractContextManager[Assistant]"]
"""Builds the assistant (engine, store) while inside, and flushes its records on the way out."""


def run(settings: DiscordSettings, serving: Serving) -> int:
    """``cto-bot discord``: run the bot over the assistant that ``serving`` builds
    (``bot.bootstrap.build_assistant``) until SIGTERM; return the exit status. ``settings`` are read (and
    checked) by the caller first; logging is configured by ``main`` (``--log-level``, JSON)."""
    with serving() as assistant:
        client = build_client(settings, assistant)
        with health_check(settings.health_port, lambda: is_connected(client)):
            return asyncio.run(serve(client, settings.token))

"""The Discord client: mentions, direct messages, ``/cto`` and button clicks in; rendered answers out.

Every question goes to the assistant with where it was asked (``channel_kind``: ``dm``, ``channel``,
``thread`` or ``command``, never a channel's name or id), which records its outcome; 👍 / 👎 clicks become
votes, recorded under a salted hash of the user id.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import discord
from discord import app_commands

from adapters.discord.render import (
    CHOICE_LIMIT,
    CHOICE_NAME_LIMIT,
    DYNAMIC_ITEMS,
    NO_MENTIONS,
    Reply,
    clip,
    notice,
    render_reply,
)
from bot.core.text import detect_language
from bot.service.conversation import Assistant, Conversation, Where
from bot.service.conversation import Reply as Said
from bot.service.cooldown import Cooldown, default_cooldown

log = logging.getLogger(__name__)
T = TypeVar("T")

PLATFORM = "discord"
ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)
MENTIONS = re.compile(r"<@[!&]?\d+>|<#\d+>|@(?:everyone|here)\b")
"""Mentions of users, roles, channels, everyone and here: markup around a question, not part of it."""
THREADS = frozenset({discord.ChannelType.public_thread, discord.ChannelType.private_thread,
                     discord.ChannelType.news_thread})


def intents() -> discord.Intents:
    """The least the bot needs: servers and their channels, and messages in servers and DMs.

    No privileged intent: Discord sends the content of messages that mention the bot, and of DMs,
    without Message Content; the bot answers nothing else.
    """
    return discord.Intents(guilds=True, guild_messages=True, dm_messages=True)


def question_in(message: discord.Message, me: int) -> str | None:
    """The question in ``message`` for the bot with id ``me``, or None when the bot should not answer."""
    if message.guild is not None and all(user.id != me for user in message.mentions):
        return None
    return without_mentions(message.content)


def without_mentions(text: str) -> str:
    """``text`` without mentions, which are markup (and ids, never to be recorded), not part of a question.

    >>> without_mentions("<@123> combien gagne un CTO ? @here")
    'combien gagne un CTO ?'
    """
    return " ".join(MENTIONS.sub(" ", text).split())


def channel_kind(channel: object, *, in_server: bool) -> str:
    """``dm`` outside servers, ``thread`` in a thread, else ``channel``: the kind of place, never which one."""
    if not in_server:
        return "dm"
    return "thread" if getattr(channel, "type", None) in THREADS else "channel"


def where_lang(text: str) -> str:
    """The language to apologise in for a message: the message's own."""
    return detect_language(text)


def interaction_lang(interaction: discord.Interaction[Any]) -> str:
    """French for French-speaking users, English for everyone else."""
    return "fr" if str(interaction.locale).startswith("fr") else "en"


class CtoClient(discord.AutoShardedClient):
    """cto-bot on Discord. The assistant (or a whole conversation) and the cooldown are injected; nothing is
    built at import time."""

    def __init__(self, assistant: Assistant | Conversation, *, cooldown: Cooldown | None = None,
                 sync_commands: bool = True, shard_count: int | None = None,
                 shard_ids: Sequence[int] | None = None, **options: Any):
        options.setdefault("max_messages", None)  # no message cache: the bot only reacts to new messages
        if shard_ids is not None:
            options["shard_ids"] = list(shard_ids)
        super().__init__(intents=intents(), allowed_mentions=NO_MENTIONS, shard_count=shard_count, **options)
        if isinstance(assistant, Conversation):
            self.conversation = assistant
        else:
            self.conversation = Conversation(assistant, cooldown=cooldown or default_cooldown(PLATFORM))
        self.sync_commands = sync_commands
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(cto_command(self))
        self.tree.on_error = self.on_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        """Register the buttons (so that old messages keep working) and sync ``/cto`` with Discord."""
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.sync_commands:
            synced = await self.tree.sync()
            log.info("synced %d application command(s)", len(synced))

    @property
    def assistant(self) -> Assistant:
        return self.conversation.assistant

    @property
    def cooldown(self) -> Cooldown | None:
        """The conversation's cooldown (set by ``DISCORD_COOLDOWN``)."""
        return self.conversation.cooldown

    async def on_ready(self) -> None:
        log.info("ready as %s in %d server(s), shards %s of %s",
                 self.user, len(self.guilds), sorted(self.shards), self.shard_count)

    # -- messages ---------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """Answer a DM, or a server message that mentions the bot, as a reply; ignore bots.

        The conversation's context is the author's, in this DM, channel or thread."""
        if message.author.bot or message.type not in ANSWERED_TYPES or self.user is None:
            return
        question = question_in(message, self.user.id)
        if question is None:
            return
        kind = channel_kind(message.channel, in_server=message.guild is not None)
        where = Where(PLATFORM, kind, str(message.guild.id) if message.guild else "", str(message.channel.id),
                      "", str(message.author.id))
        try:
            said = await self._in_thread(lambda: self.conversation.ask(question, where, logger=log))
            if said.quiet:
                return
            await self._reply(message, render_reply(said), raise_errors=True)
        except Exception:
            log.exception("could not answer message %s", message.id)
            await self._reply(message, notice("apology", where_lang(question)))

    async def _reply(self, message: discord.Message, reply: Reply, *, raise_errors: bool = False) -> None:
        """Reply to ``message``; should it be deleted meanwhile, post in its channel all the same."""
        try:
            reference = message.to_reference(fail_if_not_exists=False)
            await message.channel.send(**reply.kwargs(), reference=reference)
        except discord.HTTPException as error:
            if raise_errors:
                raise
            log.warning("could not reply to message %s: %s", message.id, error)

    # -- interactions -----------------------------------------------------------------------------

    async def answer_command(self, interaction: discord.Interaction[Any], question: str | None) -> None:
        """``/cto question:...``; without a question, the topics."""
        question = without_mentions(question or "")
        where = self._where(interaction, "command")
        await self._answer_interaction(interaction,
                                       lambda: self.conversation.command(question, where, logger=log))

    async def answer_suggestion(self, interaction: discord.Interaction[Any], passage_id: str,
                                lang: str) -> None:
        """A click on a "did you mean" button: answered in public, where the button is; recorded as a pick."""
        where = self._where(interaction)
        await self._answer_interaction(
            interaction, lambda: self.conversation.pick(passage_id, lang, where, logger=log))

    async def answer_next(self, interaction: discord.Interaction[Any], passage_id: str, lang: str) -> None:
        """A click on a next step under an answer: answered in public, where the button is."""
        where = self._where(interaction)
        await self._answer_interaction(
            interaction, lambda: self.conversation.follow(passage_id, lang, where, logger=log))

    async def record_vote(self, interaction: discord.Interaction[Any], answer_id: str, passage_id: str,
                          value: int) -> None:
        """A click on 👍 (``value`` 1) or 👎 (-1): record it, and thank the voter privately.

        A second click by the same user replaces their vote; the assistant keeps one per user and answer.
        """
        lang = interaction_lang(interaction)
        user_id = str(interaction.user.id)
        try:
            await self._in_thread(lambda: self.conversation.vote(answer_id, passage_id, user_id=user_id, value=value,
                                                                 platform=PLATFORM))
            reply = notice("thanks_up" if value > 0 else "thanks_down", lang)
        except Exception:
            log.exception("could not record a vote on answer %s", answer_id)
            reply = notice("apology", lang)
        await self._respond(interaction, reply)

    async def complete(self, current: str) -> list[app_commands.Choice[str]]:
        """Up to 25 questions the bot can answer, closest to what was typed first; none on failure."""
        try:
            suggestions = await self._in_thread(lambda: self.conversation.complete(current, CHOICE_LIMIT))
        except Exception:
            log.exception("could not complete %r", current)
            return []
        questions = dict.fromkeys(clip(s.question, CHOICE_NAME_LIMIT) for s in suggestions)
        return [app_commands.Choice(name=q, value=q) for q in questions][:CHOICE_LIMIT]

    async def on_command_error(self, interaction: discord.Interaction[Any],
                               error: app_commands.AppCommandError) -> None:
        log.error("/cto failed for user %s", interaction.user.id, exc_info=error)
        await self._respond(interaction, notice("apology", interaction_lang(interaction)))

    async def _answer_interaction(self, interaction: discord.Interaction[Any],
                                  compute: Callable[[], Said]) -> None:
        """Respond with what the conversation says; an interaction is always answered, a notice privately."""
        try:
            said = await self._in_thread(compute)
            await self._respond(interaction, render_reply(said), raise_errors=True)
        except Exception:
            log.exception("could not answer interaction %s", interaction.id)
            await self._respond(interaction, notice("apology", interaction_lang(interaction)))

    @staticmethod
    def _where(interaction: discord.Interaction[Any], kind: str | None = None) -> Where:
        """The conversation an interaction belongs to, and the clicker's language for notices."""
        in_server = interaction.guild_id is not None
        return Where(PLATFORM, kind or channel_kind(interaction.channel, in_server=in_server),
                     str(interaction.guild_id or ""), str(interaction.channel_id or ""), "",
                     str(interaction.user.id), lang=interaction_lang(interaction))

    async def _respond(self, interaction: discord.Interaction[Any], reply: Reply, *,
                       raise_errors: bool = False) -> None:
        kwargs = reply.kwargs(interaction=True)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(**kwargs)
            else:
                await interaction.response.send_message(**kwargs)
        except discord.HTTPException as error:
            if raise_errors:
                raise
            log.warning("could not respond to interaction %s: %s", interaction.id, error)

    # -- helpers ----------------------------------------------------------------------------------

    @staticmethod
    async def _in_thread(compute: Callable[[], T]) -> T:
        """Run an assistant call off the event loop, so that a slow answer or store never delays heartbeats."""
        return await asyncio.to_thread(compute)


def cto_command(client: CtoClient) -> app_commands.Command[Any, Any, None]:
    """``/cto question:<text>``, with autocomplete over the questions the bot can answer."""

    @app_commands.command(name="cto", description="Ask about the CTO career · Questions sur le métier de CTO")
    @app_commands.describe(question="Your question; leave empty for the topics · Votre question")
    async def cto(interaction: discord.Interaction, question: str | None = None) -> None:
        await client.answer_command(interaction, question)

    @cto.autocomplete("question")
    async def suggest(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await client.complete(current)

    return cto

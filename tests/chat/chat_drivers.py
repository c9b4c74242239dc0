"""One way to chat with the bot on every platform, the way errbot's ``testbot`` serves every backend.

Each driver puts the real adapter on its fake platform (slack-bolt over HTTP against the fake Slack,
discord.py against the fake Discord gateway, the REPL through string streams), over one ``Conversation``,
and offers the same two moves: ``say`` a message as a user, and ``choose`` a button (a numbered choice in
the REPL). Both return what the user then sees, as a ``Shown``.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from fake_discord import HUMAN, OTHER_HUMAN, FakeDiscord
from slack_fake import FakeSlack, button_click, buttons, mention, shown_text
from slack_harness import HttpBot

from adapters.discord.client import CtoClient
from adapters.repl import Repl
from bot.service.conversation import Conversation

USERS = ("ada", "grace")
"""The people who chat in these tests, in the same channel."""


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Shown:
    """What a user sees after a move: the reply's text, the labels of its choices (buttons or numbered
    lines; 👍 / 👎 left out), and everything shown, labels included (to count what appears twice)."""

    text: str
    choices: list[str] = field(default_factory=list)
    everything: str = ""
    vote_id: str | None = None
    """The answer id the reply's 👍 / 👎 vote on; None without them (the REPL has ``:good`` / ``:bad`` instead)."""


class SlackChat:
    """The Slack app served over HTTP on 127.0.0.1 (the Slack tests' ``HttpBot``), mentioned in one thread of
    one channel."""

    platform = "slack"
    ids = {"ada": "U0000001", "grace": "U0000002"}

    def __init__(self, conversation: Conversation, fake: FakeSlack):
        self.fake = fake
        self.bot = HttpBot(conversation, fake)  # type: ignore[arg-type]  # build_app takes a conversation too
        self.user = self.bot.user
        self.root: str | None = None
        self.last: dict[str, Any] = {}

    def start(self) -> None:
        self.bot.__enter__()

    def stop(self) -> None:
        self.bot.__exit__(None, None, None)

    async def say(self, text: str, *, user: str = "ada") -> Shown:
        event = mention(text, user=self.ids[user], thread_ts=self.root)
        self.root = self.root or event["ts"]
        return await asyncio.to_thread(self._reply_to, lambda: self.user.send_event(event))

    async def choose(self, label: str, *, user: str = "ada") -> Shown:
        [button] = [b for b in buttons(self.last) if b["text"]["text"] == label]
        payload = button_click(button, self.last, response_url=self.fake.response_url(), user=self.ids[user])
        return await asyncio.to_thread(self._reply_to, lambda: self.user.click(payload))

    async def vote(self, up: bool, *, user: str = "ada") -> Shown:
        """Click 👍 (``up``) or 👎 under the last answer."""
        [button] = [b for b in buttons(self.last, "feedback") if b["text"]["text"] == ("👍" if up else "👎")]
        payload = button_click(button, self.last, response_url=self.fake.response_url(), user=self.ids[user])
        return await asyncio.to_thread(self._reply_to, lambda: self.user.click(payload))

    def _reply_to(self, send: Any) -> Shown:
        """Send, then the first message the bot posts (for all, or for one person) after it."""
        before = len(self._shown_calls(self.fake.records.calls))
        assert send().status == 200
        [call, *_] = self.fake.wait_for(lambda r: self._shown_calls(r.calls)[before:], "a reply")
        message = call.params
        if call.method == "chat.postMessage" and buttons(message):
            self.last = message
        choices = [b["text"]["text"] for b in buttons(message) if not b["action_id"].startswith("feedback")]
        votes = [json.loads(b["value"])["answer"] for b in buttons(message, "feedback")]
        return Shown(message["text"], choices, shown_text(message), votes[0] if votes else None)

    @staticmethod
    def _shown_calls(calls: list[Any]) -> list[Any]:
        return [c for c in calls if c.method in ("chat.postMessage", "chat.postEphemeral")]


class DiscordChat:
    """The Discord client connected to the fake gateway; everyone writes in one server channel."""

    platform = "discord"
    authors = {"ada": HUMAN, "grace": OTHER_HUMAN}

    def __init__(self, conversation: Conversation, fake: FakeDiscord):
        self.fake = fake
        self.client = CtoClient(conversation, guild_ready_timeout=0.05)
        self.last: dict[str, str] = {}
        self.votes: dict[str, str] = {}

    async def say(self, text: str, *, user: str = "ada") -> Shown:
        sent = await self.fake.reply_to(await self.fake.send_message(text, author=self.authors[user]))
        return self._shown(sent.message)

    async def choose(self, label: str, *, user: str = "ada") -> Shown:
        custom_id = self.last[label]
        sent = await self.fake.response_to(await self.fake.click(custom_id, label=label,
                                                                  user=self.authors[user]))
        return self._shown(sent.message)

    async def vote(self, up: bool, *, user: str = "ada") -> Shown:
        """Click 👍 (``up``) or 👎 under the last answer."""
        custom_id = self.votes["up" if up else "down"]
        sent = await self.fake.response_to(await self.fake.click(custom_id, user=self.authors[user]))
        return self._shown(sent.message)

    def _shown(self, message: dict[str, Any]) -> Shown:
        embed = (message.get("embeds") or [{}])[0]
        text = " ".join(filter(None, [message.get("content"), embed.get("description")])).replace("\\", "")
        every = [c for row in message.get("components", []) for c in row.get("components", [])]
        pressed = [c for c in every if not c["custom_id"].startswith("cto:vote:")]
        votes = [c["custom_id"].split(":")[3] for c in every if c["custom_id"].startswith("cto:vote:")]
        if votes:
            self.votes = {c["custom_id"].split(":")[2]: c["custom_id"] for c in every
                          if c["custom_id"].startswith("cto:vote:")}
        if pressed:
            self.last = {c["label"]: c["custom_id"] for c in pressed}
        labels = [c["label"] for c in pressed]
        fields = [f["value"] for f in embed.get("fields", [])]
        return Shown(text, labels, "\n".join([text, *fields, *labels]), votes[0] if votes else None)


CHOICE = re.compile(r"^  (\d+)\. (.*)$", re.MULTILINE)


class ReplChat:
    """One REPL per user, over the same conversation (as if each had a terminal)."""

    platform = "repl"

    def __init__(self, conversation: Conversation):
        self.out = {user: io.StringIO() for user in USERS}
        self.repls = {user: Repl(conversation, stdin=io.StringIO(), stdout=self.out[user], user=user)
                      for user in USERS}
        self.numbers: dict[str, dict[str, str]] = {user: {} for user in USERS}

    async def say(self, text: str, *, user: str = "ada") -> Shown:
        return self._type(text, user)

    async def choose(self, label: str, *, user: str = "ada") -> Shown:
        return self._type(self.numbers[user][label], user)

    async def vote(self, up: bool, *, user: str = "ada") -> Shown:
        """``:good`` or ``:bad``, on the last answer this user saw."""
        return self._type(":good" if up else ":bad", user)

    def _type(self, line: str, user: str) -> Shown:
        out = self.out[user]
        start = out.tell()
        assert self.repls[user].handle(line)
        shown = out.getvalue()[start:]
        if CHOICE.search(shown):
            self.numbers[user] = {label: number for number, label in CHOICE.findall(shown)}
        return Shown(shown, [label for _, label in CHOICE.findall(shown)], shown)

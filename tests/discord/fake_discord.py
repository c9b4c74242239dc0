"""A fake Discord on 127.0.0.1: the REST routes and the gateway that the real discord.py client uses.

It records what the bot sends (messages, interaction callbacks) and lets a test dispatch gateway events
(a message, a slash command, a button click, an op 7 RECONNECT) and wait for the bot's answer.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import discord
import yarl
from aiohttp import WSMsgType, web

BOT_ID = 100_000_000_000_000_001
GUILD_ID = 200_000_000_000_000_001
CHANNEL_ID = 300_000_000_000_000_001
DM_CHANNEL_ID = 300_000_000_000_000_002
THREAD_ID = 300_000_000_000_000_003
USER_ID = 400_000_000_000_000_001
OTHER_BOT_ID = 400_000_000_000_000_002
OTHER_USER_ID = 400_000_000_000_000_003
TIMESTAMP = "2024-01-01T00:00:00+00:00"
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.fake.token"
"""A token whose first part is the bot's id in base64, like a real one."""


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "global_name": name, "discriminator": "0", "avatar": None,
            "bot": bot}


BOT_USER = user(BOT_ID, "cto-bot", bot=True)
HUMAN = user(USER_ID, "ada")
OTHER_BOT = user(OTHER_BOT_ID, "other-bot", bot=True)
OTHER_HUMAN = user(OTHER_USER_ID, "grace")


@dataclass
class Sent:
    """One call the bot made: a message posted to a channel, or an interaction callback."""

    kind: str
    """``message`` or ``callback`` (or ``followup``)."""
    target: str
    """The channel id, or the interaction id."""
    body: dict[str, Any]

    @property
    def message(self) -> dict[str, Any]:
        """The message itself: the body for a post, its ``data`` for a callback."""
        return self.body.get("data", {}) if self.kind == "callback" else self.body

    @property
    def replies_to(self) -> str | None:
        """The id of the message this one replies to."""
        reference = self.body.get("message_reference") or {}
        return str(reference["message_id"]) if "message_id" in reference else None

    @property
    def embed(self) -> dict[str, Any]:
        return (self.message.get("embeds") or [{}])[0]

    @property
    def text(self) -> str:
        """The content and the embed's description, which is where an answer or a notice is written."""
        return " ".join(filter(None, [self.message.get("content"), self.embed.get("description")]))

    @property
    def custom_ids(self) -> list[str]:
        rows = self.message.get("components", [])
        return [c["custom_id"] for row in rows for c in row.get("components", [])]


@dataclass
class FakeDiscord:
    """Serve the fake on ``start()``; point discord.py at ``api_base`` and ``gateway``."""

    sent: list[Sent] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    identifies: list[dict[str, Any]] = field(default_factory=list)
    resumes: list[dict[str, Any]] = field(default_factory=list)
    guild_ids: list[int] = field(default_factory=lambda: [GUILD_ID])

    def __post_init__(self) -> None:
        self._ids = itertools.count(900_000_000_000_000_001)
        self._sequence = itertools.count(1)
        self._changed = asyncio.Condition()
        self._socket: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- serving ----------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/api/v10/gateway/bot", self._gateway_bot)
        app.router.add_get("/api/v10/users/@me", self._me)
        app.router.add_get("/api/v10/oauth2/applications/@me", self._application)
        app.router.add_put("/api/v10/applications/{app}/commands", self._put_commands)
        app.router.add_post("/api/v10/channels/{channel}/messages", self._post_message)
        app.router.add_post("/api/v10/channels/{channel}/typing", self._typing)
        app.router.add_post("/api/v10/interactions/{id}/{token}/callback", self._callback)
        app.router.add_post("/api/v10/webhooks/{app}/{token}", self._followup)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}/gateway")

    # -- driving the bot --------------------------------------------------------------------------

    async def send_message(self, content: str, *, author: dict[str, Any] = HUMAN, mention_bot: bool = True,
                           dm: bool = False, thread: bool = False) -> str:
        """Dispatch MESSAGE_CREATE (in the server channel, a thread of it, or a DM); return the message id."""
        message_id = self.new_id()
        mentions = [BOT_USER] if mention_bot and not dm else []
        text = f"<@{BOT_ID}> {content}" if mention_bot and not dm else content
        channel_id = DM_CHANNEL_ID if dm else THREAD_ID if thread else CHANNEL_ID
        data: dict[str, Any] = {
            "id": message_id, "channel_id": str(channel_id), "type": 0,
            "author": author, "content": text, "mentions": mentions, "mention_roles": [],
            "mention_everyone": False,
            "attachments": [], "embeds": [], "pinned": False, "tts": False, "timestamp": TIMESTAMP,
            "edited_timestamp": None, "flags": 0, "components": [],
        }
        if not dm:
            data["guild_id"] = str(GUILD_ID)
            data["member"] = {"roles": [], "joined_at": TIMESTAMP, "deaf": False, "mute": False, "flags": 0}
        await self.dispatch("MESSAGE_CREATE", data)
        return message_id

    async def slash(self, question: str | None = None, *, locale: str = "fr", dm: bool = False) -> str:
        """Dispatch ``/cto`` (with ``question`` if given); return the interaction id."""
        options = [{"name": "question", "type": 3, "value": question}] if question is not None else []
        data = {"id": "1", "name": "cto", "type": 1, "options": options}
        return await self.interact(2, data, locale=locale, dm=dm)

    async def autocomplete(self, typed: str) -> str:
        options = [{"name": "question", "type": 3, "value": typed, "focused": True}]
        return await self.interact(4, {"id": "1", "name": "cto", "type": 1, "options": options})

    async def click(self, custom_id: str, *, label: str = "…", user: dict[str, Any] = HUMAN, dm: bool = False,
                    locale: str = "fr") -> str:
        """``user`` clicks a button with ``custom_id`` on a message the bot sent (perhaps before a restart)."""
        message = {
            "id": self.new_id(), "channel_id": str(DM_CHANNEL_ID if dm else CHANNEL_ID), "type": 0,
            "author": BOT_USER, "content": "",
            "mentions": [], "mention_roles": [], "mention_everyone": False, "attachments": [], "embeds": [],
            "pinned": False, "tts": False, "timestamp": TIMESTAMP, "edited_timestamp": None, "flags": 0,
            "components": [{"type": 1, "components": [
                {"type": 2, "style": 2, "label": label, "custom_id": custom_id}]}],
        }
        return await self.interact(3, {"custom_id": custom_id, "component_type": 2}, message=message, user=user,
                                   dm=dm, locale=locale)

    async def interact(self, kind: int, data: dict[str, Any], *, locale: str = "fr",
                       message: dict[str, Any] | None = None, user: dict[str, Any] = HUMAN,
                       dm: bool = False) -> str:
        """Dispatch INTERACTION_CREATE from ``user``, in the server channel or (``dm``) a direct message."""
        interaction_id = self.new_id()
        payload: dict[str, Any] = {
            "id": interaction_id, "application_id": str(BOT_ID), "type": kind,
            "token": f"token-{interaction_id}", "version": 1, "attachment_size_limit": 8_388_608,
            "data": data, "locale": locale, "app_permissions": "0", "entitlements": [],
        }
        if dm:
            payload.update(channel_id=str(DM_CHANNEL_ID), user=user, context=1,
                           channel={"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [user]},
                           authorizing_integration_owners={"0": str(GUILD_ID)})
        else:
            payload.update(channel_id=str(CHANNEL_ID), guild_id=str(GUILD_ID), guild_locale="fr", context=0,
                           channel={"id": str(CHANNEL_ID), "type": 0, "name": "general", "position": 0,
                                    "guild_id": str(GUILD_ID)},
                           authorizing_integration_owners={"0": str(GUILD_ID)},
                           member={"user": user, "roles": [], "joined_at": TIMESTAMP, "deaf": False,
                                   "mute": False, "permissions": "0", "flags": 0})
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    async def reconnect(self) -> None:
        """Send op 7 RECONNECT: the client closes this socket and RESUMEs on a new one."""
        assert self._socket is not None
        await self._socket.send_str(json.dumps({"op": 7, "d": None}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._socket is not None, "the bot is not connected"
        await self._socket.send_str(json.dumps({"op": 0, "t": event, "s": next(self._sequence), "d": data}))

    async def wait_for(self, match: Callable[[Sent], bool], timeout: float = 5.0) -> Sent:
        """The first call the bot made that ``match``es, waiting for it if needed."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                while True:
                    found = next((s for s in self.sent if match(s)), None)
                    if found is not None:
                        return found
                    await self._changed.wait()

    async def reply_to(self, message_id: str) -> Sent:
        """The bot's reply to message ``message_id``."""
        return await self.wait_for(lambda s: s.kind == "message" and s.replies_to == message_id)

    async def response_to(self, interaction_id: str) -> Sent:
        """The bot's callback to interaction ``interaction_id``."""
        return await self.wait_for(lambda s: s.kind == "callback" and s.target == interaction_id)

    async def wait_resumed(self, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: bool(self.resumes))

    async def wait_connected(self, timeout: float = 5.0) -> None:
        """Until the bot has identified and been sent its server."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: bool(self.identifies))

    def new_id(self) -> str:
        return str(next(self._ids))

    # -- REST -------------------------------------------------------------------------------------

    async def _me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {TOKEN}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json(BOT_USER)

    async def _typing(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _application(self, request: web.Request) -> web.Response:
        return _json({"id": str(BOT_ID), "name": "cto-bot", "icon": None, "description": "",
                "rpc_origins": [],
                "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
                "owner": HUMAN, "team": None, "summary": "", "tags": [], "install_params": None,
                "custom_install_url": None})

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return _json({"url": str(self.gateway), "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}})

    async def _put_commands(self, request: web.Request) -> web.Response:
        commands = await request.json()
        self.commands = [{**c, "id": self.new_id(), "application_id": str(BOT_ID), "version": "1",
                          "default_member_permissions": None, "dm_permission": True, "nsfw": False}
                         for c in commands]
        return _json(self.commands)

    async def _post_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record(Sent("message", request.match_info["channel"], body))
        return _json(self._message_from(body, request.match_info["channel"]))

    async def _callback(self, request: web.Request) -> web.Response:
        body = await request.json()
        interaction_id = request.match_info["id"]
        await self._record(Sent("callback", interaction_id, body))
        response: dict[str, Any] = {"interaction": {"id": interaction_id, "type": 2}}
        if body.get("type") == 4:
            message = self._message_from(body.get("data", {}), str(CHANNEL_ID))
            response["interaction"].update(response_message_id=message["id"], response_message_loading=False,
                                           response_message_ephemeral=bool(body["data"].get("flags", 0) & 64))
            response["resource"] = {"type": 4, "message": message}
        else:
            response["resource"] = {"type": body.get("type")}
        return _json(response)

    async def _followup(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record(Sent("followup", request.match_info["token"], body))
        return _json(self._message_from(body, str(CHANNEL_ID)))

    async def _unknown(self, request: web.Request) -> web.Response:
        self.unexpected.append(f"{request.method} {request.path}")
        return _json({"message": f"fake Discord has no route {request.method} {request.path}", "code": 0},
                     status=404)

    def _message_from(self, body: dict[str, Any], channel_id: str) -> dict[str, Any]:
        return {"id": self.new_id(), "channel_id": channel_id, "type": 0, "author": BOT_USER,
                "content": body.get("content") or "", "embeds": body.get("embeds", []),
                "components": body.get("components", []), "mentions": [], "mention_roles": [],
                "mention_everyone": False, "attachments": [], "pinned": False, "tts": False,
                "timestamp": TIMESTAMP, "edited_timestamp": None, "flags": body.get("flags", 0)}

    async def _record(self, sent: Sent) -> None:
        async with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()

    # -- gateway ----------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45_000}}))
        async for frame in socket:
            if frame.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            op = payload["op"]
            if op == 1:
                await socket.send_str(json.dumps({"op": 11, "d": None}))
            elif op == 2:
                self._socket = socket
                await self._identified(payload["d"])
                async with self._changed:
                    self.identifies.append(payload["d"])
                    self._changed.notify_all()
            elif op == 6:
                self._socket = socket
                await self.dispatch("RESUMED", {})
                async with self._changed:
                    self.resumes.append(payload["d"])
                    self._changed.notify_all()
        return socket

    async def _identified(self, identify: dict[str, Any]) -> None:
        await self.dispatch("READY", {
            "v": 10, "user": BOT_USER, "session_id": "fake-session", "resume_gateway_url": str(self.gateway),
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guild_ids],
            "shard": identify.get("shard", [0, 1]), "application": {"id": str(BOT_ID), "flags": 0},
            "private_channels": [], "relationships": [],
        })
        for guild_id in self.guild_ids:
            await self.dispatch("GUILD_CREATE", {
                "id": str(guild_id), "name": "CTO club", "owner_id": str(USER_ID), "unavailable": False,
                "member_count": 2, "large": False, "features": [], "emojis": [], "stickers": [],
                "channels": [{"id": str(CHANNEL_ID), "type": 0, "name": "general", "position": 0,
                              "permission_overwrites": [], "guild_id": str(guild_id)}],
                "roles": [{"id": str(guild_id), "name": "@everyone", "permissions": "1071698660929",
                           "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False,
                           "flags": 0}],
                "members": [{"user": BOT_USER, "roles": [], "joined_at": TIMESTAMP, "deaf": False,
                             "mute": False, "flags": 0}],
                "threads": [thread(THREAD_ID, CHANNEL_ID, guild_id)], "voice_states": [], "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [], "soundboard_sounds": [],
            })


def thread(thread_id: int, parent_id: int, guild_id: int) -> dict[str, Any]:
    """A public thread, as GUILD_CREATE lists the active ones."""
    return {"id": str(thread_id), "type": 11, "name": "a thread", "guild_id": str(guild_id),
            "parent_id": str(parent_id), "owner_id": str(USER_ID), "last_message_id": None,
            "message_count": 1, "member_count": 1, "rate_limit_per_user": 0, "flags": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "locked": False,
                                "archive_timestamp": TIMESTAMP, "create_timestamp": TIMESTAMP}}


@asynccontextmanager
async def connected(client: discord.Client) -> AsyncIterator[discord.Client]:
    """``client`` logged in and connected to the fake, until the block ends."""
    await client.login(TOKEN)
    task = asyncio.create_task(client.connect(reconnect=False))
    try:
        async with asyncio.timeout(10):
            ready = asyncio.create_task(client.wait_until_ready())
            await asyncio.wait([ready, task], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()
            raise AssertionError("the client stopped before it was ready")
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with exactly ``Content-Type: application/json``: discord.py parses nothing else."""
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})

"""A fake Slack on 127.0.0.1 for the real slack-bolt app, and a fake user who sends it signed requests.

``FakeSlack`` serves the Web API methods the bot calls (``auth.test``, ``chat.postMessage``,
``chat.postEphemeral``, ``apps.connections.open``), the ``response_url`` of slash commands and buttons, and
the Socket Mode websocket. It records what the bot sends; tests wait on conditions over those records, never on sleeps.
An unknown Web API method is answered ``ok: false`` and recorded, and the fixture fails the test.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
REVOKED_TOKEN = "xoxb-revoked"
"""A token the fake refuses with ``invalid_auth``."""
TEAM_ID = "T0000001"
WAIT = 10.0
"""Seconds to wait for a condition before failing."""
SLOW_WAIT = 60.0
"""Seconds to wait, at most, on what a loaded machine makes slow (a process that starts, or stops gracefully):
a bound that only fails a test that is really stuck."""


@dataclass
class Call:
    """One Web API call the bot made."""

    method: str
    params: dict[str, Any]


@dataclass
class Records:
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    """Messages the bot sent to a ``response_url``."""
    acks: list[dict[str, Any]] = field(default_factory=list)
    """Socket Mode acknowledgements, by envelope."""
    unknown: list[str] = field(default_factory=list)
    socket_connections: int = 0
    socket_closed: int = 0


def _append_ack(records: Records, ack: dict[str, Any]) -> None:
    records.acks.append(ack)


class FakeSlack:
    """The Web API, ``response_url`` and Socket Mode endpoints of Slack, in a background thread."""

    def __init__(self) -> None:
        self.records = Records()
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-slack", daemon=True)
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self.port = 0

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(WAIT)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/link", self._websocket)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop_sockets(self) -> None:
        """Close every Socket Mode connection from Slack's side."""

        async def _close() -> None:
            for ws in list(self._sockets):
                await ws.close()

        asyncio.run_coroutine_threadsafe(_close(), self._loop).result(WAIT)

    def stop(self) -> None:
        async def _stop() -> None:
            for ws in list(self._sockets):
                await ws.close()
            assert self._runner is not None
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(WAIT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(WAIT)

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)``; the trailing slash matters."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    # -- waiting on what the bot did ----------------------------------------------------------------

    def _record(self, change: Callable[[Records], None]) -> None:
        with self._changed:
            change(self.records)
            self._changed.notify_all()

    def wait_for(self, condition: Callable[[Records], Any], what: str, timeout: float = WAIT) -> Any:
        """Wait until ``condition(records)`` is truthy and return it; fail the test after ``timeout``."""
        with self._changed:
            result = self._changed.wait_for(lambda: condition(self.records), timeout)
        assert result, f"timed out waiting for {what}; recorded: {self.records}"
        return result

    def posts(self) -> list[dict[str, Any]]:
        """The ``chat.postMessage`` calls so far, in order."""
        with self._changed:
            return [c.params for c in self.records.calls if c.method == "chat.postMessage"]

    def wait_for_posts(self, count: int, timeout: float = WAIT) -> list[dict[str, Any]]:
        self.wait_for(lambda r: sum(c.method == "chat.postMessage" for c in r.calls) >= count,
                      f"{count} chat.postMessage call(s)", timeout)
        return self.posts()

    def ephemerals(self) -> list[dict[str, Any]]:
        """The ``chat.postEphemeral`` calls so far, in order: messages one user sees."""
        with self._changed:
            return [c.params for c in self.records.calls if c.method == "chat.postEphemeral"]

    def wait_for_ephemerals(self, count: int) -> list[dict[str, Any]]:
        self.wait_for(lambda r: sum(c.method == "chat.postEphemeral" for c in r.calls) >= count,
                      f"{count} chat.postEphemeral call(s)")
        return self.ephemerals()

    def wait_for_responses(self, count: int) -> list[dict[str, Any]]:
        self.wait_for(lambda r: len(r.responses) >= count, f"{count} response_url message(s)")
        with self._changed:
            return list(self.records.responses)

    # -- the Web API --------------------------------------------------------------------------------

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        for key in ("blocks", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        self._record(lambda r: r.calls.append(Call(method, params)))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or params.get("token")
        if token == REVOKED_TOKEN:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://fake.slack.com/", "team": "Fake",
                                      "user": "cto-bot", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                                      "bot_id": BOT_ID, "is_enterprise_install": False})
        if method == "chat.postMessage":
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            return web.json_response({"ok": True, "channel": params.get("channel"), "ts": ts,
                                      "message": {"text": params.get("text"), "ts": ts, "bot_id": BOT_ID}})
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "message_ts": f"{int(time.time())}.{next(self._ts):06d}"})
        if method == "apps.connections.open":
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link?ticket=t"})
        self._record(lambda r: r.unknown.append(method))
        return web.json_response({"ok": False, "error": f"fake_slack_does_not_know_{method}"})

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(lambda r: r.responses.append(body))
        return web.Response(text="ok")

    # -- Socket Mode --------------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.add(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                            "connection_info": {"app_id": "A0000001"}})
        self._record(lambda r: setattr(r, "socket_connections", r.socket_connections + 1))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    ack = json.loads(message.data)
                    if "envelope_id" in ack:
                        self._record(partial(_append_ack, ack=ack))
        finally:
            self._sockets.discard(ws)
            self._record(lambda r: setattr(r, "socket_closed", r.socket_closed + 1))
        return ws

    def push(self, envelope_type: str, payload: dict[str, Any], *, envelope_id: str,
             retry_attempt: int = 0) -> None:
        """Send one Socket Mode envelope to every connected client."""
        envelope = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                    "accepts_response_payload": envelope_type != "events_api",
                    "retry_attempt": retry_attempt, "retry_reason": ""}

        async def _push() -> None:
            for ws in list(self._sockets):
                await ws.send_json(envelope)

        asyncio.run_coroutine_threadsafe(_push(), self._loop).result(WAIT)

    def wait_for_ack(self, envelope_id: str) -> dict[str, Any]:
        return self.wait_for(lambda r: next((a for a in r.acks if a["envelope_id"] == envelope_id), None),
                             f"the ack of envelope {envelope_id}")


# -- a user in Slack, sending signed HTTP requests ----------------------------------------------------

def signature(secret: str, timestamp: str, body: str) -> str:
    """``X-Slack-Signature`` as Slack computes it."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


@dataclass
class Reply:
    status: int
    body: str


class SlackUser:
    """Sends what Slack would send to the bot's Request URL when someone mentions it, DMs it, and so on."""

    def __init__(self, port: int, signing_secret: str, fake: FakeSlack, path: str = "/slack/events"):
        self.port = port
        self.signing_secret = signing_secret
        self.fake = fake
        self.path = path
        self._ids = itertools.count(1)

    def post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
             timestamp: float | None = None, secret: str | None = None) -> Reply:
        ts = str(int(time.time() if timestamp is None else timestamp))
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                       "X-Slack-Signature": signature(secret or self.signing_secret, ts, body),
                       **(headers or {})}
        return self.request("POST", self.path, body, all_headers)

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None, *,
                timeout: float = WAIT) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body.encode(), headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, response.read().decode())
        finally:
            connection.close()

    def send_event(self, event: dict[str, Any], *, event_id: str | None = None, **kwargs: Any) -> Reply:
        return self.post(json.dumps(event_callback(event, event_id or self.new_id("Ev"))), "application/json",
                         **kwargs)

    def send_command(self, text: str, **kwargs: Any) -> Reply:
        form = slash_command(text, self.fake.response_url(self.new_id("cmd")))
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kwargs)

    def click(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        return self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded", **kwargs)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"


_ts = itertools.count(1)


def new_ts() -> str:
    return f"{int(time.time())}.{next(_ts):06d}"


def mention(text: str, *, channel: str = "C0000001", user: str = "U0000001",
            thread_ts: str | None = None) -> dict[str, Any]:
    """An ``app_mention`` event: someone wrote ``<@bot> text`` in a channel."""
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": new_ts(),
             "channel": channel, "event_ts": new_ts()}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(text: str, *, channel: str = "D0000001", user: str = "U0000001",
                   **extra: Any) -> dict[str, Any]:
    """A ``message`` event in a DM with the bot."""
    return {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": new_ts(),
            "channel": channel, "event_ts": new_ts(), **extra}


def event_callback(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0000001", "type": "event_callback",
            "event": event, "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}


def slash_command(text: str, response_url: str) -> dict[str, str]:
    return {"token": "legacy", "team_id": TEAM_ID, "channel_id": "C0000001", "channel_name": "general",
            "user_id": "U0000001", "user_name": "ada", "command": "/cto", "text": text,
            "api_app_id": "A0000001", "response_url": response_url, "trigger_id": "1.2.3"}


def button_click(button: dict[str, Any], posted: dict[str, Any], *, response_url: str,
                 user: str = "U0000002") -> dict[str, Any]:
    """The ``block_actions`` payload when ``user`` clicks ``button`` in the message ``posted`` by the bot."""
    ts = new_ts()
    message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts, "text": posted.get("text"),
               "blocks": posted.get("blocks")}
    container = {"type": "message", "message_ts": ts, "channel_id": posted["channel"], "is_ephemeral": False}
    if posted.get("thread_ts"):
        message["thread_ts"] = posted["thread_ts"]
        container["thread_ts"] = posted["thread_ts"]
    block_id = next((b.get("block_id") for b in posted.get("blocks") or [] if button in b.get("elements", [])),
                    "suggestions")
    return {"type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": user},
            "api_app_id": "A0000001", "token": "legacy", "trigger_id": "1.2.3", "container": container,
            "channel": {"id": posted["channel"]}, "message": message, "response_url": response_url,
            "actions": [{"type": "button", "block_id": block_id, "action_id": button["action_id"],
                         "value": button["value"], "text": button["text"], "action_ts": new_ts()}]}


def buttons(message: dict[str, Any], block_id: str | None = None) -> list[dict[str, Any]]:
    """The buttons in a message the bot sent (in the actions block ``block_id``, if given)."""
    return [e for b in message.get("blocks", []) if b["type"] == "actions" and block_id in (None, b["block_id"])
            for e in b["elements"]]


def feedback_button(message: dict[str, Any], emoji: str) -> dict[str, Any]:
    """The 👍 or 👎 button of an answer the bot sent."""
    [button] = [b for b in buttons(message, "feedback") if b["text"]["text"] == emoji]
    return button


def shown_text(message: dict[str, Any]) -> str:
    """Every text the message shows or notifies with, joined: what could reach a reader."""
    texts = [message.get("text") or ""]
    for block in message.get("blocks", []):
        if "text" in block:
            texts.append(block["text"]["text"])
        for element in block.get("elements", []):
            texts.append(element["text"] if isinstance(element.get("text"), str) else element["text"]["text"])
    return "\n".join(texts)

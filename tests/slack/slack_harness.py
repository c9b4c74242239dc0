"""The bot under test, served on the fake Slack: over HTTP on 127.0.0.1 port 0, or in Socket Mode."""

from __future__ import annotations

import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_fake import WAIT, FakeSlack, SlackUser
from slack_sdk import WebClient

from adapters.slack.app import Assistant, build_app
from adapters.slack.http import wsgi_app
from adapters.slack.socket_mode import DedupingSocketModeHandler

KNOWLEDGE = Path(__file__).parent / "slack_knowledge.yaml"
"""A tiny knowledge file. (Not a folder named ``knowledge``: on sys.path it would hide the real package.)"""
SIGNING_SECRET = "test-signing-secret"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class HttpBot:
    """The bot served over HTTP on 127.0.0.1 for one test, and a user who talks to it through Slack.

    The app is the production WSGI app (signature guard, Bolt, health check), in a small in-process server that
    waits for each answer before acknowledging (deterministic tests); ``tests/slack/test_slack_http.py`` also
    runs the real gunicorn server as ``cto-bot slack --http``."""

    def __init__(self, assistant: Assistant, fake: FakeSlack):
        self.fake = fake
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        self.app = build_app(assistant, client=client, signing_secret=SIGNING_SECRET,
                             process_before_response=True)
        self.server = make_server("127.0.0.1", 0, wsgi_app(self.app, signing_secret=SIGNING_SECRET),
                                  server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
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


class SocketBot:
    """The bot connected in Socket Mode to the fake Slack (closing takes the SDK's client about a second)."""

    def __init__(self, assistant: Assistant, fake: FakeSlack, *, process_before_response: bool = False):
        self.fake = fake
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        self.app = build_app(assistant, client=client, process_before_response=process_before_response)
        self.handler = DedupingSocketModeHandler(self.app, "xapp-test", ping_interval=60)

    def __enter__(self) -> SocketBot:
        self.handler.connect()
        self.fake.wait_for(lambda r: r.socket_connections >= 1, "the Socket Mode connection")
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.close()
        self.fake.wait_for(lambda r: r.socket_closed >= r.socket_connections, "the socket to close")

"""Run the Slack app in Socket Mode: Slack pushes events over a websocket that the bot opens."""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from adapters.health import health_check
from adapters.slack.redelivery import SeenIds

log = logging.getLogger(__name__)


class DedupingSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, acknowledging an envelope seen before without handling it again."""

    def __init__(self, app: App, app_token: str, *, seen: SeenIds | None = None, **kwargs: object):
        super().__init__(app, app_token, **kwargs)  # type: ignore[arg-type]
        self.seen = seen or SeenIds()

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        if not self.seen.first_time(req.envelope_id):
            log.info("Skipping a redelivered envelope %s", req.envelope_id)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        super().handle(client, req)


def serve_socket_mode(app: App, *, app_token: str, stop: threading.Event, health_port: int | None = None,
                      seen: SeenIds | None = None) -> None:
    """Connect to Slack in Socket Mode and serve until ``stop`` is set, then disconnect.

    With ``health_port``, ``GET /healthz`` answers 200 there while the socket is connected, 503 otherwise.
    ``seen`` remembers the envelope ids handled (by every process of the app when built with shared claims).
    """
    handler = DedupingSocketModeHandler(app, app_token, seen=seen)
    with health_check(health_port, handler.client.is_connected):
        handler.connect()
        log.info("Connected to Slack in Socket Mode")
        try:
            stop.wait()
        finally:
            log.info("Disconnecting from Slack")
            handler.close()

"""Serve the Slack app over HTTP: the Events API, slash commands and interactivity, plus a health check.

A small threading WSGI server from the standard library in front of Bolt's WSGI adapter; tests run the
same server on 127.0.0.1, port 0.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, *, path: str = EVENTS_PATH) -> WsgiApp:
    """A WSGI application: Slack's requests at ``path``, ``GET /healthz`` for the platform, 404 elsewhere."""
    slack = SlackRequestHandler(app, path=path)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """One thread per request; on shutdown, requests in flight are finished first."""

    daemon_threads = False
    block_on_close = True


class _LoggingHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("%s - " + format, self.address_string(), *args)


def http_server(app: App, *, host: str, port: int, path: str = EVENTS_PATH) -> ThreadingWSGIServer:
    """A server for ``app`` bound to ``host:port`` (port 0: any free port), not yet serving."""
    server = make_server(host, port, wsgi_app(app, path=path), server_class=ThreadingWSGIServer,
                         handler_class=_LoggingHandler)
    assert isinstance(server, ThreadingWSGIServer)
    return server


def serve_http(app: App, *, host: str, port: int, stop: threading.Event, path: str = EVENTS_PATH) -> None:
    """Serve ``app`` on ``host:port`` until ``stop`` is set, then finish the requests in flight and return."""
    server = http_server(app, host=host, port=port, path=path)
    bound_port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), name="slack-http", daemon=True)
    thread.start()
    log.info("Serving Slack on http://%s:%d%s (health check: %s)", host, bound_port, path, HEALTH_PATH)
    try:
        stop.wait()
    finally:
        log.info("Stopping the HTTP server")
        server.shutdown()
        server.server_close()
        thread.join()

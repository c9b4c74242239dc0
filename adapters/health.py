"""``GET /healthz`` for the processes that serve no HTTP of their own (Slack Socket Mode, Discord).

Set ``CTO_BOT_HEALTH_PORT`` and the process answers ``200 ok`` on that port while it is connected to its
platform, and ``503 not ready`` before it connects or while it reconnects, so that a platform's health check
or an orchestrator's readiness probe can tell. A tiny threaded server from the standard library: it serves
only this path, with a short socket timeout, and never keeps the process alive.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.errors import ConfigurationError

HEALTH_PATH = "/healthz"
PORT_VARIABLE = "CTO_BOT_HEALTH_PORT"

log = logging.getLogger(__name__)


def health_port(environ: Mapping[str, str]) -> int | None:
    """``CTO_BOT_HEALTH_PORT`` as a port number, or None when unset (no health server).

    >>> health_port({"CTO_BOT_HEALTH_PORT": "8080"}), health_port({})
    (8080, None)
    """
    raw = environ.get(PORT_VARIABLE, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 65535:
        raise ConfigurationError(f"{PORT_VARIABLE}={raw!r} is not a port number; set it to e.g. 8080, or unset "
                                 "it to serve no health check")
    return int(raw)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5  # seconds a client may stay silent: an idle connection does not hold a thread for long

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        if self.path.split("?")[0] != HEALTH_PATH:
            self._reply(404, b"not found\n")
        elif self.server.is_ready():
            self._reply(200, b"ok\n")
        else:
            self._reply(503, b"not ready\n")

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("%s - " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], ready: Callable[[], bool]):
        super().__init__(address, _Handler)
        self.is_ready = ready


class HealthServer:
    """Serves ``GET /healthz`` on ``host:port`` (port 0: any free port) from a daemon thread.

    ``ready`` says whether the process is connected; it is called on each request.
    Use as a context manager, or ``start()`` then ``close()``.
    """

    def __init__(self, port: int, ready: Callable[[], bool], *, host: str = "0.0.0.0"):
        self._server = _Server((host, port), ready)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.2,), name="health",
                                        daemon=True)

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("Health check on http://%s:%d%s", self._server.server_address[0], self.port, HEALTH_PATH)
        return self

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HealthServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def health_check(port: int | None, ready: Callable[[], bool]) -> Iterator[HealthServer | None]:
    """A health server on ``port`` while inside (nothing when ``port`` is None); a port in use is a
    ConfigurationError."""
    if port is None:
        yield None
        return
    try:
        server = HealthServer(port, ready)
    except OSError as error:
        raise ConfigurationError(f"cannot serve the health check on port {port} ({error}); choose another "
                                 f"{PORT_VARIABLE}") from None
    with server:
        yield server

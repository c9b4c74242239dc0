"""Serve the Slack app over HTTP with gunicorn: the Events API, slash commands and interactivity, and a health check.

The way Bolt's documentation deploys: Bolt's WSGI adapter behind gunicorn, here started from ``cto-bot slack
--http`` rather than the ``gunicorn`` command. ``gthread`` workers (``adapters.slack.worker``: idle connections
hold no thread) (``WEB_CONCURRENCY`` processes of
``CTO_BOT_WEB_THREADS`` threads each) each build their own engine and Bolt app after the fork, so the
engine's threads (knowledge reload, the store's writer) run in the process that serves. On SIGTERM gunicorn
stops accepting, finishes the requests in flight, and each worker lets its answers being posted finish and
flushes its records, all within ``GRACEFUL_TIMEOUT`` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from gunicorn.errors import AppImportError
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from adapters.slack.backpressure import BoundedExecutor, bound_answers
from adapters.slack.worker import IdleSafeThreadWorker
from adapters.slack.wsgi_guard import MAX_BODY, SignedRequestsOnly, WsgiApp
from bot.errors import CtoBotError

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
BACKLOG = 2048
"""Connections the kernel queues while every thread is busy (the standard library's server had 5)."""
KEEPALIVE = 5
"""Seconds an idle connection is kept open, or waited on for its first request, before it is closed."""
TIMEOUT = 30
"""Seconds a worker may stop answering gunicorn's heartbeat before gunicorn restarts it."""
GRACEFUL_TIMEOUT = 8
"""Seconds given on SIGTERM to the requests and answers in flight before the workers are killed."""

PENDING_ANSWERS_PER_THREAD = 8
"""With 8 threads, 64 answers queued at most per process: about a quarter of a second of answering."""

log = logging.getLogger(__name__)


def wsgi_app(app: App, *, signing_secret: str, path: str = EVENTS_PATH, max_body: int = MAX_BODY) -> WsgiApp:
    """A WSGI application: Slack's signed requests at ``path``, ``GET /healthz`` for the platform, 404 elsewhere."""
    slack = SignedRequestsOnly(SlackRequestHandler(app, path=path), signing_secret=signing_secret, path=path,
                               max_body=max_body)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


@dataclass(frozen=True)
class ServerSettings:
    """How the HTTP server runs: where it listens and how many processes and threads serve."""

    host: str = "0.0.0.0"
    port: int = 3000
    workers: int = 1
    """Processes (``WEB_CONCURRENCY``); each builds the engine, and capacity scales with them (the GIL)."""
    threads: int = 8
    """Threads per process (``CTO_BOT_WEB_THREADS``): requests served at once by one process."""
    graceful_timeout: float = GRACEFUL_TIMEOUT

    @property
    def pending_answers(self) -> int:
        """Answers a process queues before acknowledgements wait for room (``adapters.slack.backpressure``)."""
        return PENDING_ANSWERS_PER_THREAD * self.threads

    def gunicorn_options(self) -> dict[str, Any]:
        return {
            "bind": [f"{self.host}:{self.port}"], "workers": self.workers, "threads": self.threads,
            "worker_class": IdleSafeThreadWorker, "backlog": BACKLOG, "keepalive": KEEPALIVE, "timeout": TIMEOUT,
            "graceful_timeout": self.graceful_timeout, "proc_name": "cto-bot-slack", "accesslog": None,
            "errorlog": "-", "logger_class": RootLogger, "control_socket_disable": True, "preload_app": False,
        }


class RootLogger(glogging.Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn's own messages (start, signals, workers) through the logging ``cto-bot`` configured: the same
    level (``--log-level``) and format (``CTO_BOT_LOG_FORMAT=json``) as the bot's."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in list(self.error_log.handlers):
            self.error_log.removeHandler(handler)
        self.error_log.propagate = True
        self.error_log.setLevel(logging.NOTSET)


ServeApp = Callable[[], contextlib.AbstractContextManager[App]]
"""Builds the Bolt app (with its engine) in a worker; leaving the context flushes what the worker recorded."""


class SlackWebServer(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn, configured from ``ServerSettings``, serving the app that ``serve_app`` builds in each worker."""

    def __init__(self, serve_app: ServeApp, settings: ServerSettings, *, signing_secret: str,
                 path: str = EVENTS_PATH):
        self.serve_app = serve_app
        self.settings = settings
        self.signing_secret = signing_secret
        self.path = path
        self._worker_resources = contextlib.ExitStack()
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.settings.gunicorn_options().items():
            self.cfg.set(name, value)
        self.cfg.set("when_ready", self._when_ready)
        self.cfg.set("worker_exit", self._worker_exit)

    def load(self) -> WsgiApp:
        """In a worker, after the fork: build the engine and the Bolt app (a broken setting stops gunicorn)."""
        graceful_stop = signal.getsignal(signal.SIGTERM)  # gunicorn's: stop accepting, finish what is in flight
        try:
            app = self._worker_resources.enter_context(self.serve_app())
        except CtoBotError as error:
            raise AppImportError(f"cto-bot: {error}") from None
        signal.signal(signal.SIGTERM, graceful_stop)  # whatever building the assistant installed
        answers = BoundedExecutor(max_workers=self.settings.threads, max_pending=self.settings.pending_answers)
        bound_answers(app, answers)
        self._worker_resources.callback(answers.shutdown, wait=True)
        return wsgi_app(app, signing_secret=self.signing_secret, path=self.path)

    def _when_ready(self, arbiter: Any) -> None:
        for listener in arbiter.LISTENERS:
            host, port = listener.sock.getsockname()[:2]
            log.info("Serving Slack on http://%s:%d%s (health check: %s), %d worker(s) of %d thread(s)",
                     host, port, self.path, HEALTH_PATH, self.settings.workers, self.settings.threads)

    def _worker_exit(self, arbiter: Any, worker: Any) -> None:
        """Let the answers being posted finish, then flush the records (bounded by gunicorn's graceful timeout)."""
        self._worker_resources.close()


def serve_http(serve_app: ServeApp, settings: ServerSettings, *, signing_secret: str) -> int:
    """Run gunicorn until SIGTERM or SIGINT; return its exit status (0 after a clean stop)."""
    master = os.getpid()
    try:
        SlackWebServer(serve_app, settings, signing_secret=signing_secret).run()
    except SystemExit as exit_:
        if os.getpid() != master:  # a worker leaving: let it go through gunicorn's own exit path
            raise
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0

"""``cto-bot slack``: check the settings, then build the app and serve in Socket Mode or over HTTP until SIGTERM."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.health import health_port
from adapters.slack.app import Assistant, build_app
from adapters.slack.http import ServerSettings, serve_http
from adapters.slack.redelivery import SeenIds
from adapters.slack.socket_mode import serve_socket_mode
from bot.errors import ConfigurationError, MissingSettingError
from bot.service.store import DeliveryClaims

DEFAULT_PORT = 3000
DEFAULT_API_URL = "https://slack.com/api/"
MAX_WORKERS, MAX_THREADS = 64, 256

log = logging.getLogger(__name__)

Serving = Callable[[], contextlib.AbstractContextManager[Assistant]]
"""Builds the assistant (engine, store) while inside, and flushes its records on the way out."""
OpenClaims = Callable[[], DeliveryClaims | None]
"""Opens where the processes of one app share the delivery ids they handled (None: each process keeps its own);
called in the process that serves (after gunicorn's fork)."""


def _own_claims() -> DeliveryClaims | None:
    return None


@dataclass(frozen=True)
class SlackSettings:
    """What the Slack bot needs from the environment, for one mode."""

    bot_token: str
    http: bool = False
    app_token: str = ""
    """Socket Mode only: the app-level token (``xapp-...``)."""
    signing_secret: str = ""
    """HTTP only: the app's Signing Secret."""
    port: int = DEFAULT_PORT
    """HTTP only."""
    server: ServerSettings = field(default_factory=ServerSettings)
    """HTTP only: processes and threads (``WEB_CONCURRENCY``, ``CTO_BOT_WEB_THREADS``) and the port."""
    api_url: str = DEFAULT_API_URL
    """``SLACK_API_URL``: the Web API's base URL (GovSlack's, or a test double's)."""
    health_port: int | None = None
    """Socket Mode only: ``CTO_BOT_HEALTH_PORT`` (over HTTP, ``/healthz`` is on the main port)."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, http: bool,
                     port: int | None = None) -> SlackSettings:
        """The settings in ``environ``; raise MissingSettingError naming the first variable missing."""
        bot_token = _require(environ, "SLACK_BOT_TOKEN", "the Bot User OAuth Token, xoxb-...")
        api_url = environ.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        if not api_url.startswith(("https://", "http://")):
            raise ConfigurationError(f"SLACK_API_URL={api_url!r} is not a URL; unset it to use {DEFAULT_API_URL}")
        api_url = api_url if api_url.endswith("/") else api_url + "/"
        if http:
            secret = _require(environ, "SLACK_SIGNING_SECRET", "the app's Signing Secret, Basic Information")
            bound = _port(environ, port)
            server = ServerSettings(port=bound, workers=_count(environ, "WEB_CONCURRENCY", 1, MAX_WORKERS),
                                    threads=_count(environ, "CTO_BOT_WEB_THREADS", 8, MAX_THREADS))
            return cls(bot_token=bot_token, http=True, signing_secret=secret, port=bound, server=server,
                       api_url=api_url)
        app_token = _require(environ, "SLACK_APP_TOKEN", "an app-level token, connections:write, xapp-...")
        if not app_token.startswith("xapp-"):
            raise ConfigurationError("SLACK_APP_TOKEN must be an app-level token starting with xapp- "
                                     "(Basic Information > App-Level Tokens, scope connections:write)")
        return cls(bot_token=bot_token, app_token=app_token, api_url=api_url, health_port=health_port(environ))


def _require(environ: Mapping[str, str], name: str, purpose: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise MissingSettingError(name, purpose)
    return value


def _port(environ: Mapping[str, str], port: int | None) -> int:
    if port is not None:
        return port
    raw = environ.get("PORT", "").strip() or str(DEFAULT_PORT)
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"PORT must be a port number, not {raw!r}") from None


def _count(environ: Mapping[str, str], name: str, default: int, most: int) -> int:
    """A whole number from 1 to ``most`` in ``environ[name]``, else ``default``."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise ConfigurationError(f"{name}={raw!r}: set a whole number from 1 to {most}, or unset it "
                                 f"for {default}")
    return int(raw)


def run(settings: SlackSettings, serving: Serving, *, claims: OpenClaims = _own_claims,
        client: WebClient | None = None, stop: threading.Event | None = None) -> int:
    """Serve Slack until SIGTERM or SIGINT (or, in Socket Mode, ``stop`` is set); return the exit status.

    ``settings`` are read (and checked) by the caller before ``serving`` builds the engine or opens the store.
    Redelivered event ids, and in Socket Mode envelope ids, are recognised through ``claims()`` by every process
    of the app. ``client`` replaces the Web API client built from ``SLACK_BOT_TOKEN`` and ``SLACK_API_URL``.
    """
    _configure_logging()
    if settings.http:
        status = serve_http(lambda: _app(serving, settings, client, SeenIds(shared=claims())), settings.server,
                            signing_secret=settings.signing_secret)
        return _exit_status(status)
    stop = stop or threading.Event()
    shared = claims()
    with _app(serving, settings, client, SeenIds(shared=shared)) as app, _stopping_on_signals(stop):
        serve_socket_mode(app, app_token=settings.app_token, stop=stop, health_port=settings.health_port,
                          seen=SeenIds(shared=shared))
    return 0


def _exit_status(gunicorn_status: int) -> int:
    """gunicorn's exit status as ours: an app that could not load (token, knowledge; the worker printed why)
    or a port that could not be bound is a configuration error, 2."""
    if gunicorn_status == 0:
        return 0
    return 2 if gunicorn_status in (1, 4) else 1


@contextlib.contextmanager
def _app(serving: Serving, settings: SlackSettings, client: WebClient | None, seen: SeenIds) -> Iterator[App]:
    if client is None and settings.api_url != DEFAULT_API_URL:
        client = WebClient(token=settings.bot_token, base_url=settings.api_url)
    with serving() as assistant:
        yield _build(assistant, settings, client, seen)


def _build(assistant: Assistant, settings: SlackSettings, client: WebClient | None, seen: SeenIds) -> App:
    try:
        return build_app(assistant, token=settings.bot_token, client=client, signing_secret=settings.signing_secret,
                         seen=seen)
    except (BoltError, SlackApiError, SlackClientError) as error:
        raise ConfigurationError(f"Slack did not accept SLACK_BOT_TOKEN: {error}") from None
    except OSError as error:
        raise ConfigurationError(f"could not reach Slack to check SLACK_BOT_TOKEN: {error}") from None


@contextlib.contextmanager
def _stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM and SIGINT while inside; a no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        log.info("Received %s; shutting down", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

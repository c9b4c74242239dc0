"""``cto-bot slack``: read the settings, build the app, serve in Socket Mode or over HTTP until SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.slack.app import Assistant, build_app
from adapters.slack.http import serve_http
from adapters.slack.socket_mode import serve_socket_mode
from bot.errors import ConfigurationError, MissingSettingError

DEFAULT_PORT = 3000

log = logging.getLogger(__name__)


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

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, http: bool,
                     port: int | None = None) -> SlackSettings:
        """The settings in ``environ``; raise MissingSettingError naming the first variable missing."""
        bot_token = _require(environ, "SLACK_BOT_TOKEN", "the Bot User OAuth Token, xoxb-...")
        if http:
            secret = _require(environ, "SLACK_SIGNING_SECRET", "the app's Signing Secret, Basic Information")
            return cls(bot_token=bot_token, http=True, signing_secret=secret, port=_port(environ, port))
        app_token = _require(environ, "SLACK_APP_TOKEN", "an app-level token, connections:write, xapp-...")
        if not app_token.startswith("xapp-"):
            raise ConfigurationError("SLACK_APP_TOKEN must be an app-level token starting with xapp- "
                                     "(Basic Information > App-Level Tokens, scope connections:write)")
        return cls(bot_token=bot_token, app_token=app_token)


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


def run(args: argparse.Namespace, environ: Mapping[str, str], assistant: Assistant, *,
        client: WebClient | None = None, stop: threading.Event | None = None) -> int:
    """Serve Slack until SIGTERM or SIGINT (or ``stop`` is set); return the exit status.

    ``client`` replaces the Web API client built from ``SLACK_BOT_TOKEN`` (tests pass one for a fake Slack).
    """
    settings = SlackSettings.from_environ(environ, http=args.http, port=args.port)
    _configure_logging()
    stop = stop or threading.Event()
    app = _build(assistant, settings, client)
    with _stopping_on_signals(stop):
        if settings.http:
            serve_http(app, host="0.0.0.0", port=settings.port, stop=stop)
        else:
            serve_socket_mode(app, app_token=settings.app_token, stop=stop)
    return 0


def _build(assistant: Assistant, settings: SlackSettings, client: WebClient | None) -> App:
    try:
        return build_app(assistant, token=settings.bot_token, signing_secret=settings.signing_secret,
                         client=client)
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

"""``cto-bot slack``: its settings, its start-up errors, and serving until told to stop."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from slack_fake import REVOKED_TOKEN, WAIT, FakeSlack, SlackUser, mention
from slack_harness import KNOWLEDGE, SIGNING_SECRET
from slack_sdk import WebClient

from adapters.slack.run import SlackSettings, run
from bot.errors import ConfigurationError, MissingSettingError
from bot.service.assistant import Assistant

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
"""An exception in a server thread fails the test instead of passing as a warning."""

ROOT = Path(__file__).resolve().parents[2]
SOCKET_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
HTTP_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET}


def cto_bot_slack(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")} | env
    return subprocess.run([sys.executable, "-m", "bot", "slack", "--knowledge", str(KNOWLEDGE), *args],
                          env=environ, cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("args", "env", "missing"), [
    ((), {"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ((), {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
    (("--http",), {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    (("--http",), {"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
])
def test_a_missing_variable_fails_in_one_line_naming_it(args: tuple[str, ...], env: dict[str, str],
                                                        missing: str):
    result = cto_bot_slack(*args, env=env)

    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert missing in line
    assert "Traceback" not in result.stderr


def test_reads_the_port_from_the_option_else_port_else_3000():
    assert SlackSettings.from_environ(HTTP_ENV, http=True).port == 3000
    assert SlackSettings.from_environ(HTTP_ENV | {"PORT": "8080"}, http=True).port == 8080
    assert SlackSettings.from_environ(HTTP_ENV | {"PORT": "8080"}, http=True, port=9000).port == 9000


def test_refuses_a_port_that_is_not_a_number():
    with pytest.raises(ConfigurationError, match="PORT"):
        SlackSettings.from_environ(HTTP_ENV | {"PORT": "web"}, http=True)


def test_socket_mode_needs_an_app_level_token():
    with pytest.raises(ConfigurationError, match="xapp-"):
        SlackSettings.from_environ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, http=False)
    with pytest.raises(MissingSettingError, match="SLACK_APP_TOKEN"):
        SlackSettings.from_environ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": " "}, http=False)


def test_a_token_slack_refuses_is_a_configuration_error(assistant: Assistant, fake_slack: FakeSlack):
    client = WebClient(token=REVOKED_TOKEN, base_url=fake_slack.api_url)

    with pytest.raises(ConfigurationError, match="SLACK_BOT_TOKEN.*invalid_auth"):
        run(argparse.Namespace(http=False, port=None), SOCKET_ENV, assistant, client=client)


def test_socket_mode_stops_cleanly_on_sigterm(assistant: Assistant, fake_slack: FakeSlack):
    def terminate_once_connected() -> None:
        fake_slack.wait_for(lambda r: r.socket_connections == 1, "the Socket Mode connection")
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_once_connected)
    killer.start()
    status = run(argparse.Namespace(http=False, port=None), SOCKET_ENV, assistant,
                 client=WebClient(token="xoxb-1", base_url=fake_slack.api_url))
    killer.join(WAIT)

    assert status == 0
    fake_slack.wait_for(lambda r: r.socket_closed == 1, "the socket to close")
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "the previous SIGTERM handler is restored"


class PortListener(logging.Handler):
    """Learns the HTTP server's port from its start-up log line."""

    def __init__(self) -> None:
        super().__init__()
        self.port: int | None = None
        self.ready = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Serving Slack on"):
            assert isinstance(record.args, tuple)
            self.port = int(str(record.args[1]))
            self.ready.set()


def test_http_mode_serves_events_and_health_checks_until_stopped(assistant: Assistant, fake_slack: FakeSlack):
    listener = PortListener()
    logging.getLogger("adapters.slack.http").addHandler(listener)
    stop = threading.Event()
    result: list[int] = []
    server = threading.Thread(target=lambda: result.append(run(
        argparse.Namespace(http=True, port=0), HTTP_ENV, assistant,
        client=WebClient(token="xoxb-1", base_url=fake_slack.api_url), stop=stop)))
    try:
        server.start()
        assert listener.ready.wait(WAIT), "the server did not start"
        assert listener.port
        user = SlackUser(listener.port, SIGNING_SECRET, fake_slack)

        health = user.request("GET", "/healthz")
        reply = user.send_event(mention("Que fait un CTO ?"))
        [post] = fake_slack.wait_for_posts(1)
    finally:
        stop.set()
        server.join(WAIT)
        logging.getLogger("adapters.slack.http").removeHandler(listener)

    assert (health.status, reply.status) == (200, 200)
    assert post["text"].startswith("Le CTO dirige")
    assert result == [0]

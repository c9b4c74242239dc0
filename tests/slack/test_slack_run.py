"""``cto-bot slack``: its settings, its start-up errors, its health checks, and serving until told to stop."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from slack_fake import (
    REVOKED_TOKEN,
    SLOW_WAIT,
    WAIT,
    FakeSlack,
    event_callback,
    mention,
    signature,
    slash_command,
)
from slack_harness import KNOWLEDGE, SIGNING_SECRET
from slack_sdk import WebClient
from slack_server import ServedBot

from adapters.health import HealthServer
from adapters.slack.app import build_app
from adapters.slack.run import SlackSettings, run
from adapters.slack.socket_mode import DedupingSocketModeHandler
from bot.entrypoints.cli import main
from bot.errors import ConfigurationError, MissingSettingError
from bot.infra.sqlstore import SqlStore
from bot.service.assistant import Assistant

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
"""An exception in a server thread fails the test instead of passing as a warning."""

ROOT = Path(__file__).resolve().parents[2]
SOCKET_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
HTTP_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
SOCKET_SETTINGS = SlackSettings.from_environ(SOCKET_ENV, http=False)


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
        run(SOCKET_SETTINGS, lambda: contextlib.nullcontext(assistant),
            client=client)


def test_socket_mode_stops_cleanly_on_sigterm(assistant: Assistant, fake_slack: FakeSlack):
    never_connected = threading.Event()

    def terminate_once_connected() -> None:
        try:
            fake_slack.wait_for(lambda r: r.socket_connections == 1, "the Socket Mode connection", SLOW_WAIT)
        except AssertionError:
            never_connected.set()  # stop without a signal: the test fails rather than hangs
            raise
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_once_connected)
    killer.start()
    status = run(SOCKET_SETTINGS, lambda: contextlib.nullcontext(assistant),
                 client=WebClient(token="xoxb-1", base_url=fake_slack.api_url), stop=never_connected)
    killer.join(SLOW_WAIT)

    assert status == 0
    fake_slack.wait_for(lambda r: r.socket_closed == 1, "the socket to close", SLOW_WAIT)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "the previous SIGTERM handler is restored"


def test_http_mode_serves_events_and_health_checks_with_gunicorn(fake_slack: FakeSlack):
    with ServedBot(fake_slack, env={"WEB_CONCURRENCY": "2", "CTO_BOT_WEB_THREADS": "3"}) as bot:
        health = bot.user.request("GET", "/healthz")
        reply = bot.user.send_event(mention("Que fait un CTO ?"))
        [post] = fake_slack.wait_for_posts(1)

    assert (health.status, reply.status) == (200, 200)
    assert post["text"].startswith("Le CTO dirige")
    assert "2 worker(s) of 3 thread(s)" in bot.log
    assert bot.log.count("Booting worker") == 2, "WEB_CONCURRENCY processes serve"
    assert "Using worker: IdleSafeThreadWorker" in bot.log
    assert "Traceback" not in bot.log


def test_http_mode_finishes_a_request_in_flight_on_sigterm_and_idle_connections_do_not_hold_it(
        fake_slack: FakeSlack):
    with ServedBot(fake_slack, wait=SLOW_WAIT) as bot:  # generous bounds: a loaded machine only makes it slower
        idle = [socket.create_connection(("127.0.0.1", bot.port)) for _ in range(20)]
        body = json.dumps(event_callback(mention("Que fait un CTO ?"), "Ev0INFLIGHT")).encode()
        in_flight = socket.create_connection(("127.0.0.1", bot.port), timeout=SLOW_WAIT)
        in_flight.sendall(signed_head(body) + body[:10])  # the request has started, its body is not all there
        bot.user.request("GET", "/healthz", timeout=SLOW_WAIT)  # the worker is serving other requests meanwhile
        bot.process.send_signal(signal.SIGTERM)
        bot.wait_for_line(re.compile(r"Handling signal: term"), SLOW_WAIT)
        in_flight.sendall(body[10:])
        status_line = in_flight.makefile("rb").readline()
        in_flight.close()  # else gunicorn keeps the kept-alive connection 2 s more before it exits
        status = bot.terminate()
        [post] = fake_slack.wait_for_posts(1, SLOW_WAIT)
    for connection in idle:
        connection.close()

    assert status_line.startswith(b"HTTP/1.1 200"), status_line
    assert post["text"].startswith("Le CTO dirige"), "the answer to the request in flight was posted"
    assert status == 0
    assert "Traceback" not in bot.log


def test_http_mode_logs_gunicorn_and_the_bot_alike_as_json_lines_on_request(fake_slack: FakeSlack):
    with ServedBot(fake_slack, env={"CTO_BOT_LOG_FORMAT": "json"}) as bot:
        bot.user.send_event(mention("Que fait un CTO ?"))
        fake_slack.wait_for_posts(1)
    records = [json.loads(line) for line in bot.lines]

    assert {"gunicorn.error", "adapters.slack.http"} <= {r["logger"] for r in records}
    assert any(r["message"] == "Handling signal: term" for r in records)


def test_http_mode_with_broken_knowledge_exits_2_naming_the_file(fake_slack: FakeSlack, tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("sections: [\n", encoding="utf-8")
    bot = ServedBot(fake_slack, knowledge=broken)

    status = bot.process.wait(WAIT)
    bot._reader.join(WAIT)

    assert status == 2
    assert f"cto-bot: {broken}:2" in bot.log
    assert "Traceback" not in bot.log


def signed_head(body: bytes) -> bytes:
    """The request line and headers of a POST Slack signed, for a raw socket."""
    timestamp = str(int(time.time()))
    headers = {"Host": "127.0.0.1", "Content-Type": "application/json", "Content-Length": str(len(body)),
               "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": signature(SIGNING_SECRET, timestamp, body.decode())}
    return ("POST /slack/events HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + "\r\n").encode()


@pytest.mark.parametrize(("command", "env", "missing"), [
    (["slack"], {"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
    (["slack", "--http"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    (["discord"], {}, "DISCORD_TOKEN"),
])
def test_checks_the_tokens_before_loading_the_knowledge_or_opening_the_store(
        tmp_path: Path, command: list[str], env: dict[str, str], missing: str):
    broken = tmp_path / "broken.yaml"
    broken.write_text("sections: [\n", encoding="utf-8")
    err = io.StringIO()

    status = main([*command, "--knowledge", str(broken)], stderr=err,
                  environ=env | {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})

    assert status == 2
    assert missing in err.getvalue(), "the token is reported, not the broken knowledge or the unreachable store"
    assert len(err.getvalue().splitlines()) == 1


def test_refuses_server_sizes_that_are_not_whole_numbers():
    assert SlackSettings.from_environ(HTTP_ENV | {"WEB_CONCURRENCY": "3", "CTO_BOT_WEB_THREADS": "16"},
                                      http=True).server.workers == 3
    with pytest.raises(ConfigurationError, match="WEB_CONCURRENCY"):
        SlackSettings.from_environ(HTTP_ENV | {"WEB_CONCURRENCY": "0"}, http=True)
    with pytest.raises(ConfigurationError, match="CTO_BOT_WEB_THREADS"):
        SlackSettings.from_environ(HTTP_ENV | {"CTO_BOT_WEB_THREADS": "many"}, http=True)


def test_socket_mode_health_check_is_not_ready_until_connected(assistant: Assistant, fake_slack: FakeSlack):
    app = build_app(assistant, client=WebClient(token="xoxb-1", base_url=fake_slack.api_url))
    handler = DedupingSocketModeHandler(app, "xapp-1", ping_interval=60)

    with HealthServer(0, handler.client.is_connected, host="127.0.0.1") as health:
        before = get(health.port, "/healthz")
        handler.connect()
        fake_slack.wait_for(lambda r: r.socket_connections == 1, "the Socket Mode connection")
        connected = get(health.port, "/healthz")
        handler.close()
        after = get(health.port, "/healthz")

    assert before == (503, "not ready\n")
    assert connected == (200, "ok\n")
    assert after == (503, "not ready\n")


def test_socket_mode_serves_its_health_check_on_the_port_set(assistant: Assistant, fake_slack: FakeSlack,
                                                            caplog: pytest.LogCaptureFixture):
    stop = threading.Event()
    port = free_port()
    env = SOCKET_ENV | {"CTO_BOT_HEALTH_PORT": str(port), "SLACK_API_URL": fake_slack.api_url}
    server = threading.Thread(target=run, args=(SlackSettings.from_environ(env, http=False),
                                                lambda: contextlib.nullcontext(assistant)), kwargs={"stop": stop})
    connected = LogLine("Connected to Slack in Socket Mode")
    logging.getLogger("adapters.slack.socket_mode").addHandler(connected)
    server.start()
    try:
        assert connected.seen.wait(WAIT), "the bot did not connect"
        reply = get(port, "/healthz")
    finally:
        stop.set()
        server.join(WAIT)
        logging.getLogger("adapters.slack.socket_mode").removeHandler(connected)

    assert reply == (200, "ok\n")
    with pytest.raises(OSError):
        get(port, "/healthz")  # closed with the bot


class LogLine(logging.Handler):
    """Set ``seen`` when a record starting with ``prefix`` is logged."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(self.prefix):
            self.seen.set()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_socket_mode_processes_sharing_a_database_handle_an_envelope_delivered_to_both_once(
        assistant: Assistant, fake_slack: FakeSlack, tmp_path: Path):
    store = SqlStore(f"sqlite:///{tmp_path / 'shared.sqlite3'}")  # DATABASE_URL, as two processes share it
    stops = [threading.Event(), threading.Event()]
    skipped = LogLine("Skipping a redelivered envelope env-shared")
    logging.getLogger("adapters.slack.socket_mode").addHandler(skipped)
    env = SOCKET_ENV | {"SLACK_API_URL": fake_slack.api_url}
    processes = [threading.Thread(target=run, args=(SlackSettings.from_environ(env, http=False),
                                                    lambda: contextlib.nullcontext(assistant)),
                                  kwargs={"stop": stop, "claims": lambda: store}) for stop in stops]
    try:
        for process in processes:
            process.start()
        fake_slack.wait_for(lambda r: r.socket_connections == 2, "both Socket Mode connections", SLOW_WAIT)
        # A /cto command (no event id) pushed to every connection: an envelope both processes receive.
        fake_slack.push("slash_commands", slash_command("Que fait un CTO ?", fake_slack.response_url()),
                        envelope_id="env-shared")
        fake_slack.wait_for(lambda r: [a["envelope_id"] for a in r.acks] == ["env-shared"] * 2, "both acks")
        assert skipped.seen.wait(WAIT), "one of the processes skipped the envelope the other claimed"
        [response] = fake_slack.wait_for_responses(1)
    finally:
        for stop in stops:
            stop.set()
        for process in processes:
            process.join(SLOW_WAIT)
        logging.getLogger("adapters.slack.socket_mode").removeHandler(skipped)

    assert "Le CTO dirige" in json.dumps(response, ensure_ascii=False)
    assert len(fake_slack.records.responses) == 1

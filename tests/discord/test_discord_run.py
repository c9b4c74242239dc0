"""``cto-bot discord``: settings, the invite URL, a missing token, a clean stop on SIGTERM, the health check."""

from __future__ import annotations

import asyncio
import http.client
import io
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fake_discord import BOT_ID, TOKEN, FakeDiscord, connected

from adapters.discord.client import CtoClient
from adapters.discord.run import DiscordSettings, build_client, invite_url, is_connected, serve
from adapters.health import HealthServer
from bot.entrypoints.cli import main
from bot.errors import ConfigurationError, MissingSettingError
from bot.service.assistant import Assistant

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = Path(__file__).with_name("knowledge.yaml")


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_invite_url_asks_for_the_bot_and_commands_scopes_and_the_least_permissions():
    params = query(invite_url({"DISCORD_APPLICATION_ID": "1234"}))
    assert params["client_id"] == "1234"
    assert params["scope"] == "bot applications.commands"
    view_channel, send_messages, embed_links, read_message_history = 1 << 10, 1 << 11, 1 << 14, 1 << 16
    send_messages_in_threads = 1 << 38
    least = view_channel | send_messages | send_messages_in_threads | embed_links | read_message_history
    assert int(params["permissions"]) == least


def test_invite_url_takes_the_application_id_from_the_token():
    assert query(invite_url({"DISCORD_TOKEN": TOKEN}))["client_id"] == str(BOT_ID)


def test_invite_url_prefers_the_application_id_to_the_token():
    assert query(invite_url({"DISCORD_TOKEN": TOKEN, "DISCORD_APPLICATION_ID": "77"}))["client_id"] == "77"


def test_invite_url_names_the_variable_to_set_when_there_is_neither():
    with pytest.raises(MissingSettingError) as error:
        invite_url({})
    assert error.value.variable == "DISCORD_APPLICATION_ID"
    with pytest.raises(ConfigurationError, match="DISCORD_APPLICATION_ID"):
        invite_url({"DISCORD_TOKEN": "not-a-token"})


def test_the_cli_prints_the_invite_url():
    out = io.StringIO()
    assert main(["discord", "--invite-url"], environ={"DISCORD_TOKEN": TOKEN}, stdout=out) == 0
    assert out.getvalue().startswith("https://discord.com/oauth2/authorize?client_id=100000000000000001")


def test_a_missing_token_is_one_line_naming_the_variable_and_exit_status_2():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    done = subprocess.run([sys.executable, "-m", "bot", "discord", "--knowledge", str(KNOWLEDGE)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "DISCORD_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr


def test_reads_shard_settings_so_that_processes_can_split_the_shards():
    settings = DiscordSettings.from_environ(
        {"DISCORD_TOKEN": " t ", "DISCORD_SHARD_COUNT": "8", "DISCORD_SHARD_IDS": "0-2,5"})
    assert (settings.token, settings.shard_count, settings.shard_ids) == ("t", 8, (0, 1, 2, 5))
    assert DiscordSettings.from_environ({"DISCORD_TOKEN": "t"}) == DiscordSettings(token="t")


@pytest.mark.parametrize("environ, named", [
    ({"DISCORD_SHARD_COUNT": "zero"}, "DISCORD_SHARD_COUNT"),
    ({"DISCORD_SHARD_COUNT": "0"}, "DISCORD_SHARD_COUNT"),
    ({"DISCORD_SHARD_IDS": "0"}, "DISCORD_SHARD_COUNT"),
    ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "2"}, "DISCORD_SHARD_IDS"),
    ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "a"}, "DISCORD_SHARD_IDS"),
    ({"DISCORD_COOLDOWN": "5"}, "DISCORD_COOLDOWN"),
])
def test_refuses_wrong_settings_naming_the_variable(environ: dict[str, str], named: str):
    with pytest.raises(ConfigurationError, match=named):
        DiscordSettings.from_environ({"DISCORD_TOKEN": "t", **environ})


def test_builds_the_client_from_the_settings(assistant: Assistant):
    settings = DiscordSettings.from_environ({"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "4",
                                             "DISCORD_SHARD_IDS": "2,3", "DISCORD_COOLDOWN": "3/10",
                                             "DISCORD_SYNC_COMMANDS": "0"})
    client = build_client(settings, assistant)
    assert client.assistant is assistant
    assert (client.shard_count, client.shard_ids) == (4, [2, 3])
    assert (client.cooldown.rate, client.cooldown.per, client.sync_commands) == (3, 10.0, False)


async def test_stops_cleanly_on_sigterm(fake: FakeDiscord, assistant: Assistant):
    client = CtoClient(assistant, guild_ready_timeout=0.05)
    serving = asyncio.create_task(serve(client, TOKEN))
    await fake.wait_connected()
    await client.wait_until_ready()
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(serving, 10) == 0
    assert client.is_closed()


async def test_a_rejected_token_is_a_configuration_error(fake: FakeDiscord, assistant: Assistant):
    with pytest.raises(ConfigurationError, match="DISCORD_TOKEN"):
        await serve(CtoClient(assistant), "rejected")


def health_status(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    finally:
        connection.close()


async def test_the_health_check_is_not_ready_until_connected_to_discord(fake: FakeDiscord, assistant: Assistant):
    client = CtoClient(assistant, guild_ready_timeout=0.05)

    with HealthServer(0, lambda: is_connected(client), host="127.0.0.1") as health:
        before = await asyncio.to_thread(health_status, health.port)
        async with connected(client):
            during = await asyncio.to_thread(health_status, health.port)
        after = await asyncio.to_thread(health_status, health.port)

    assert (before, during, after) == (503, 200, 503)


def test_reads_the_health_port_and_refuses_one_that_is_not_a_port():
    assert DiscordSettings.from_environ({"DISCORD_TOKEN": "t", "CTO_BOT_HEALTH_PORT": "8081"}).health_port == 8081
    assert DiscordSettings.from_environ({"DISCORD_TOKEN": "t"}).health_port is None
    with pytest.raises(ConfigurationError, match="CTO_BOT_HEALTH_PORT"):
        DiscordSettings.from_environ({"DISCORD_TOKEN": "t", "CTO_BOT_HEALTH_PORT": "80a"})

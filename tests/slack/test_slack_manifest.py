"""The Slack app manifest we ship asks for exactly what the bot uses."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.app import COMMAND

MANIFEST = Path(__file__).resolve().parents[2] / "slack-manifest.yaml"


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_the_manifest_asks_for_exactly_the_scopes_and_events_the_bot_needs():
    app = manifest()

    assert sorted(app["oauth_config"]["scopes"]["bot"]) == ["app_mentions:read", "chat:write", "commands",
                                                            "im:history"]
    assert "user" not in app["oauth_config"]["scopes"]
    assert sorted(app["settings"]["event_subscriptions"]["bot_events"]) == ["app_mention", "message.im"]


def test_the_manifest_declares_the_cto_command_interactivity_and_socket_mode():
    app = manifest()

    assert [c["command"] for c in app["features"]["slash_commands"]] == [COMMAND]
    assert app["settings"]["interactivity"]["is_enabled"] is True
    assert app["settings"]["socket_mode_enabled"] is True
    assert app["features"]["app_home"]["messages_tab_enabled"] is True, "people can DM the bot"


def test_the_manifest_texts_fit_slacks_limits():
    info = manifest()["display_information"]

    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert len(manifest()["features"]["bot_user"]["display_name"]) <= 80

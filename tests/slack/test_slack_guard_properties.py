"""Whatever a signed request carries, the HTTP app answers with a status, never an exception (a 500).

Bodies: any bytes, any JSON value, any form, and objects with Slack's field names holding values of any type
(``{"event": null}`` made a Bolt middleware fail; ``{"authorizations": "x"}`` made Bolt's parsing raise): what
Bolt cannot read gets a 400 from the guard, and an object Bolt does not recognise gets Bolt's usual answer."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_fake import FakeSlack
from slack_harness import KNOWLEDGE, SIGNING_SECRET
from slack_sdk import WebClient

from adapters.slack.app import build_app
from adapters.slack.http import EVENTS_PATH, wsgi_app
from bot.bootstrap import build_engine
from bot.service.assistant import Assistant

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                max_size=4),
                    max_leaves=12)
SLACK_KEYS = st.sampled_from(["type", "event", "event_id", "team_id", "payload", "command", "actions", "user",
                              "channel", "team", "enterprise", "container", "message", "view", "authorizations",
                              "challenge", "is_enterprise_install", "response_url", "api_app_id", "token"])
SLACK_LIKE = st.dictionaries(SLACK_KEYS, JSON, max_size=5)
BODIES = st.one_of(
    st.binary(max_size=300),
    SLACK_LIKE.map(lambda value: json.dumps(value).encode()),
    SLACK_LIKE.map(lambda value: b"payload=" + json.dumps(value).encode()),
    JSON.map(lambda value: json.dumps(value).encode()),
    JSON.map(lambda value: b"payload=" + json.dumps(value).encode()),
    st.text(max_size=100).map(str.encode),
)


@pytest.fixture(scope="module")
def application() -> Iterator[Any]:
    fake = FakeSlack().start()
    app = build_app(Assistant(build_engine(KNOWLEDGE)), client=WebClient(token="xoxb-test", base_url=fake.api_url),
                    signing_secret=SIGNING_SECRET, process_before_response=True)
    yield wsgi_app(app, signing_secret=SIGNING_SECRET)
    fake.stop()


def call(application: Any, body: bytes, content_type: str) -> int:
    timestamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": EVENTS_PATH, "SERVER_PROTOCOL": "HTTP/1.1",
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type, "wsgi.input": io.BytesIO(body),
               "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp, "HTTP_X_SLACK_SIGNATURE": f"v0={digest}"}
    statuses: list[str] = []
    b"".join(application(environ, lambda status, headers: statuses.append(status)))
    return int(statuses[0].split()[0])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                                   "text/plain", ""]))
def test_a_signed_request_of_any_content_gets_a_status_not_an_exception(application: Any, body: bytes,
                                                                         content_type: str):
    assert call(application, body, content_type) < 500

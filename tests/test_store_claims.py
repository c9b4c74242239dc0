"""A Slack delivery handled once when several processes serve one app: the event ids they handled are shared
through the store when ``DATABASE_URL`` is set."""

from __future__ import annotations

import json
import logging
import uuid

from slack_bolt import BoltRequest, BoltResponse

from adapters.slack.app import skip_redeliveries
from adapters.slack.redelivery import SeenIds
from bot.infra.sqlstore import SqlStore
from bot.service.store import MemoryStore


def event_delivery(event_id: str) -> BoltRequest:
    """A first delivery (no retry header) of an ``app_mention`` event, as Bolt hands it to middleware."""
    body = {"type": "event_callback", "event_id": event_id, "team_id": "T1",
            "event": {"type": "app_mention", "text": "<@UBOT> salaire ?", "channel": "C1", "ts": "1.0"}}
    return BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})


def test_the_same_event_delivered_to_two_processes_is_handled_once(database_url):
    handled: list[str] = []
    processes = [skip_redeliveries(SeenIds(shared=SqlStore(database_url))) for _ in range(2)]
    event_id = f"Ev{uuid.uuid4().hex}"
    for middleware in processes + processes:  # each process gets it twice: a redelivery after a lost ack
        middleware(event_delivery(event_id), lambda: handled.append(event_id) or BoltResponse(status=200))
    assert handled == [event_id]


def test_without_a_database_each_process_remembers_its_own_ids():
    seen = SeenIds()
    assert seen.first_time("Ev1") and not seen.first_time("Ev1")
    assert SeenIds().first_time("Ev1"), "another process without a shared store cannot know"


class StoreDown(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def claim(self, delivery_id, *, at=None):
        self.calls += 1
        raise ConnectionError("the database is down")


def test_a_shared_store_that_is_down_is_logged_once_and_the_process_falls_back_on_its_own_memory(caplog):
    store, now = StoreDown(), [0.0]
    seen = SeenIds(shared=store, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING):
        assert seen.first_time("Ev1") and seen.first_time("Ev2") and not seen.first_time("Ev1")
    assert store.calls == 1, "not asked again while it is known to be down"
    assert [r.getMessage() for r in caplog.records if "delivery ids" in r.getMessage()] and len(caplog.records) == 1
    now[0] = 31.0
    seen.first_time("Ev3")
    assert store.calls == 2, "asked again after a while"


def test_the_memory_store_claims_like_the_sql_one():
    store = MemoryStore()
    assert store.claim("Ev1") and not store.claim("Ev1") and store.claim("Ev2")

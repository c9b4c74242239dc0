"""The SQL store under load and faults: batches, several writer processes on one SQLite file, an outage,
private files, and delivery ids shared between processes."""

from __future__ import annotations

import contextlib
import logging
import socket
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, make_url, text

from bot.bootstrap import open_delivery_claims, open_store
from bot.infra.settings import Settings
from bot.infra.sqlstore import SqlStore, normalise_url
from bot.service.store import BackgroundRecorder, Interaction, MemoryStore
from tests.conftest import REPO, postgres_url

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def interaction(question: str = "salaire cto") -> Interaction:
    return Interaction(id=uuid.uuid4().hex, question=question, outcome="decline", score=30.0, passage_id=None,
                       lang="fr", platform="repl", channel_kind="terminal")


class Logged(logging.Handler):
    """The messages logged under ``bot``, and an event per awaited phrase."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []
        self.tracebacks = 0
        self._waiting: dict[str, threading.Event] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.messages.append(message)
        self.tracebacks += bool(record.exc_info)
        for phrase, seen in self._waiting.items():
            if phrase in message:
                seen.set()

    def seen(self, phrase: str) -> threading.Event:
        return self._waiting.setdefault(phrase, threading.Event())

    def about(self, word: str) -> list[str]:
        return [m for m in self.messages if word in m]


@pytest.fixture
def logged() -> Iterator[Logged]:
    handler = Logged()
    logger = logging.getLogger("bot")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_a_batch_of_rows_is_written_in_one_transaction_in_wal_mode(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'cto-bot.sqlite3'}")
    assert store.interactions_since(LONG_AGO) == []  # the tables are created
    commits: list[object] = []
    event.listen(store.sql, "commit", commits.append)
    store.record_many([interaction(f"question {i}") for i in range(1000)])
    assert len(store.interactions_since(LONG_AGO)) == 1000
    assert len(commits) == 1
    with store.sql.connect() as db:
        assert db.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.execute(text("PRAGMA busy_timeout")).scalar() == 5000


class SlowStore(MemoryStore):
    """A store whose first write waits for ``go``, and that keeps the size of every batch."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()
        self.batches: list[int] = []

    def record_many(self, items):
        self.go.wait(30)
        self.batches.append(len(items))
        super().record_many(items)


def test_the_recorder_writes_what_queued_up_meanwhile_in_batches_of_500():
    store = SlowStore()
    recorder = BackgroundRecorder(store)
    recorder.record(interaction("first"))
    for i in range(999):
        recorder.record(interaction(f"question {i}"))
    store.go.set()
    assert recorder.flush()
    assert len(store.interactions) == 1000 and max(store.batches) == 500 and sum(store.batches) == 1000


WRITER = """
import sys, uuid
from bot.infra.sqlstore import SqlStore, normalise_url
from bot.service.store import BackgroundRecorder, Interaction
recorder = BackgroundRecorder(SqlStore(sys.argv[1]))
sys.stdin.read()  # start together: the parent closes every writer's stdin at once
for i in range(int(sys.argv[2])):
    recorder.record(Interaction(id=uuid.uuid4().hex, question=f"q{i}", outcome="decline", score=1.0,
                                passage_id=None, lang="fr", platform="repl", channel_kind="terminal"))
sys.exit(recorder.close())
"""


def test_several_writer_processes_on_one_sqlite_file_lose_no_row(tmp_path):
    url, writers, each = f"sqlite:///{tmp_path / 'shared.sqlite3'}", 4, 500
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(each)], cwd=REPO, text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(writers)]
    for process in processes:
        process.stdin.close()  # type: ignore[union-attr]
    failures = [process.stderr.read() for process in processes if process.wait(120) != 0]  # type: ignore[union-attr]
    assert failures == []
    with sqlite3.connect(tmp_path / "shared.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == writers * each


@pytest.fixture
def locked_sqlite(tmp_path) -> Iterator[tuple[SqlStore, threading.Event]]:
    """A SQLite store, and an event that keeps another connection holding the write lock until it is set."""
    path = tmp_path / "cto-bot.sqlite3"
    store = SqlStore(f"sqlite:///{path}", busy_timeout=0.05)
    store.record(interaction("before the outage"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holding the write lock: the store is unavailable
    release = threading.Event()

    def hold() -> None:
        release.wait(60)
        other.execute("ROLLBACK")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    yield store, release
    release.set()
    holder.join()
    store.close()


def test_records_wait_out_an_outage_and_the_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
        locked_sqlite, logged):
    store, release = locked_sqlite
    recorder = BackgroundRecorder(store, retry_delays=(0.01, 0.05))
    recorder.record(interaction("during the outage"))
    assert logged.seen("store is unavailable").wait(30)
    for i in range(200):
        recorder.record(interaction(f"also during the outage {i}"))
    release.set()
    assert recorder.flush(30)
    assert len(store.interactions_since(LONG_AGO)) == 202
    assert len(logged.about("store")) == 2 and logged.tracebacks == 0
    assert "database is locked" in logged.about("unavailable")[0]
    assert "0 records were dropped" in logged.about("back after")[0]


def test_an_outage_longer_than_the_buffer_drops_only_what_does_not_fit_and_says_how_many(locked_sqlite, logged):
    store, release = locked_sqlite
    recorder = BackgroundRecorder(store, capacity=10, retry_delays=(0.01, 0.05))
    recorder.record(interaction("first"))
    assert logged.seen("store is unavailable").wait(30)
    for i in range(30):
        recorder.record(interaction(f"question {i}"))
    release.set()
    assert recorder.flush(30)
    written = len(store.interactions_since(LONG_AGO)) - 1
    [back] = logged.about("back after")
    assert written == 11 and back.endswith(f"{31 - written} records were dropped while it was down")
    assert len(logged.about("store")) == 2


def test_the_data_folder_and_the_database_are_private(tmp_path):
    settings = Settings.from_env({"CTO_BOT_DATA_DIR": str(tmp_path / "data")})
    store = open_store(settings)
    store.record(interaction())
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    for name in ("cto-bot.sqlite3", "cto-bot.sqlite3-wal"):
        assert (tmp_path / "data" / name).stat().st_mode & 0o777 == 0o600
    store.close()


# -- delivery ids shared between processes ------------------------------------------------------------



def test_a_delivery_id_is_claimed_once_across_two_stores_on_one_database(database_url):
    first, second = SqlStore(database_url), SqlStore(database_url)
    delivery = f"Ev{uuid.uuid4().hex}"
    assert first.claim(delivery) is True
    assert second.claim(delivery) is False and first.claim(delivery) is False
    assert second.claim(delivery + "-other") is True
    first.close()
    second.close()


def test_claimed_delivery_ids_expire(database_url):
    store = SqlStore(database_url)
    delivery, start = f"Ev{uuid.uuid4().hex}", datetime.now(UTC)
    assert store.claim(delivery, at=start)
    assert not store.claim(delivery, at=start + timedelta(minutes=30))
    assert store.claim(delivery, at=start + timedelta(hours=2)), "an hour later the id is forgotten"
    store.close()


def test_delivery_ids_go_to_the_database_only_when_database_url_is_set(tmp_path):
    assert open_delivery_claims(Settings.from_env({"CTO_BOT_DATA_DIR": str(tmp_path)})) is None
    claims = open_delivery_claims(Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}))
    assert claims is not None and claims.claim("Ev1") and not claims.claim("Ev1")


class SlowButSteadyStore(MemoryStore):
    """A store that takes a while for each batch, and always gets there."""

    def __init__(self, batch_seconds: float):
        super().__init__()
        self.batch_seconds = batch_seconds
        self.never = threading.Event()

    def record_many(self, items):
        self.never.wait(self.batch_seconds)  # a slow database
        super().record_many(items)


def test_stopping_writes_everything_while_the_store_makes_progress_however_long_it_takes(logged):
    store = SlowButSteadyStore(batch_seconds=0.1)
    recorder = BackgroundRecorder(store, batch_size=10)
    for i in range(60):
        recorder.record(interaction(f"question {i}"))
    assert recorder.close(timeout=0.5) == 0  # about 0.6 s in all, more than the timeout, without a pause
    assert len(store.interactions) == 60 and logged.about("not written") == []


class Proxy:
    """A TCP proxy to a database server that can be taken down (every connection cut, new ones refused)
    and brought back: an outage as the store sees it, without stopping the shared server."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.available = True
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.available:
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            self.open += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                end.close()

    def down(self) -> None:
        self.available = False
        for connection in self.open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.open.clear()

    def close(self) -> None:
        self.down()
        self.listener.close()


@pytest.fixture
def postgres_behind_a_proxy() -> Iterator[tuple[SqlStore, Proxy]]:
    url = make_url(normalise_url(postgres_url()))
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    store = SqlStore(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    store.purge()
    yield store, proxy
    store.purge()
    store.close()
    proxy.close()


def test_records_wait_out_a_postgresql_outage_and_it_is_logged_twice(postgres_behind_a_proxy, logged):
    store, proxy = postgres_behind_a_proxy
    recorder = BackgroundRecorder(store, retry_delays=(0.01, 0.1))
    recorder.record(interaction("before"))
    assert recorder.flush()
    proxy.down()
    recorder.record(interaction("when the server went away"))
    assert logged.seen("store is unavailable").wait(30)
    for i in range(100):
        recorder.record(interaction(f"during the outage {i}"))
    proxy.available = True
    assert recorder.flush(30)
    assert len(store.interactions_since(LONG_AGO)) == 102
    assert len(logged.about("store")) == 2 and logged.tracebacks == 0


def test_stores_opened_together_on_an_empty_database_create_the_tables_once_and_lose_no_row(database_url):
    from bot.infra.sqlstore import metadata

    cleaner = SqlStore(database_url)
    metadata.drop_all(cleaner.sql)  # a database nobody has used yet
    cleaner.close()
    stores = [SqlStore(database_url) for _ in range(4)]
    start = threading.Barrier(len(stores))
    failures: list[BaseException] = []

    def first_rows(store: SqlStore) -> None:
        start.wait(30)
        try:
            store.record_many([interaction(f"first {i}") for i in range(10)])
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=first_rows, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert len(stores[0].interactions_since(LONG_AGO)) == 40
    for store in stores:
        store.purge()
        store.close()

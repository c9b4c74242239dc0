"""What the bot remembers for its maintainers: each question's outcome, and votes on answers.

The core sees only the ``Recorder`` protocol. ``MemoryStore`` keeps everything in lists (tests, the REPL
without a database); ``bot.infra.sqlstore.SqlStore`` keeps it in SQLite or PostgreSQL. No names are stored,
and user ids only as salted hashes (``bot.service.privacy``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Interaction:
    """One question and what the bot did with it."""

    id: str
    question: str
    outcome: str
    score: float
    passage_id: str | None
    """The answering passage, or for other outcomes the closest one."""
    lang: str
    platform: str
    channel_kind: str
    """``dm``, ``channel``, ``thread``, ``command`` or ``terminal``: never a channel's name."""
    at: datetime = field(default_factory=now)


@dataclass(frozen=True)
class Vote:
    """A 👍 (+1) or 👎 (-1) from one user on one answer; a later vote by the same user replaces it."""

    answer_id: str
    passage_id: str
    user_hash: str
    value: int
    platform: str
    at: datetime = field(default_factory=now)


class Recorder(Protocol):
    """Where outcomes and votes go."""

    def record(self, item: Interaction | Vote) -> None: ...


class Store(Recorder, Protocol):
    """A recorder that can also be read back, pruned and emptied (for ``cto-bot report``)."""

    def interactions_since(self, since: datetime) -> list[Interaction]: ...

    def votes_since(self, since: datetime) -> list[Vote]: ...

    def prune(self, older_than: datetime) -> int: ...

    def purge(self) -> int: ...


class MemoryStore:
    """A store in memory: for tests, and for running with no database."""

    def __init__(self) -> None:
        self.interactions: list[Interaction] = []
        self.votes: dict[tuple[str, str], Vote] = {}

    def record(self, item: Interaction | Vote) -> None:
        if isinstance(item, Vote):
            self.votes[item.answer_id, item.user_hash] = item
        else:
            self.interactions.append(item)

    def interactions_since(self, since: datetime) -> list[Interaction]:
        return [i for i in self.interactions if i.at >= since]

    def votes_since(self, since: datetime) -> list[Vote]:
        return [v for v in self.votes.values() if v.at >= since]

    def prune(self, older_than: datetime) -> int:
        before = len(self.interactions) + len(self.votes)
        self.interactions = [i for i in self.interactions if i.at >= older_than]
        self.votes = {k: v for k, v in self.votes.items() if v.at >= older_than}
        return before - len(self.interactions) - len(self.votes)

    def purge(self) -> int:
        return self.prune(datetime.max.replace(tzinfo=UTC))


class BackgroundRecorder:
    """Writes to a recorder from one background thread, so that a slow or broken store never delays or
    stops an answer: failures are logged and dropped. Also prunes rows past the retention period."""

    def __init__(self, store: Store, *, retention: timedelta | None = None,
                 clock: Callable[[], datetime] = now, prune_every: timedelta = timedelta(hours=1)):
        self.store = store
        self.retention = retention
        self.clock = clock
        self.prune_every = prune_every
        self._last_prune: datetime | None = None
        self._queue: queue.Queue[Interaction | Vote | threading.Event] = queue.Queue(maxsize=10_000)
        self._thread = threading.Thread(target=self._work, name="cto-bot-recorder", daemon=True)
        self._thread.start()

    def record(self, item: Interaction | Vote) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            log.warning("the store is too slow; dropped a %s", type(item).__name__)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything recorded so far is written (or has failed); False on timeout."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if isinstance(item, threading.Event):
                item.set()
                continue
            try:
                self._maybe_prune()
                self.store.record(item)
            except Exception:
                log.exception("could not record a %s; the bot carries on without it", type(item).__name__)

    def _maybe_prune(self) -> None:
        if self.retention is None:
            return
        moment = self.clock()
        if self._last_prune is None or moment - self._last_prune >= self.prune_every:
            self._last_prune = moment
            removed = self.store.prune(moment - self.retention)
            if removed:
                log.info("removed %d rows older than %s days", removed, self.retention.days)

"""What the bot remembers for its maintainers: each question's outcome, and votes on answers.

The core sees only the ``Recorder`` protocol. ``MemoryStore`` keeps everything in lists (tests, the REPL
without a database); ``bot.infra.sqlstore.SqlStore`` keeps it in SQLite or PostgreSQL. No names are stored,
and user ids only as salted hashes (``bot.service.privacy``). ``BackgroundRecorder`` writes in batches from
a thread, rides out store outages with a bounded buffer, and writes what is left when the bot stops.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.errors import CtoBotError

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


class StoreUnavailable(CtoBotError):
    """The store cannot be reached now (database down or locked, network): worth retrying later. Its message
    says why, in one line, without credentials."""


class Recorder(Protocol):
    """Where outcomes and votes go."""

    def record(self, item: Interaction | Vote) -> None: ...


class Store(Recorder, Protocol):
    """A recorder that can also write in batches, be read back, pruned and emptied (for ``cto-bot report``)."""

    def record_many(self, items: Sequence[Interaction | Vote]) -> None:
        """Write all of ``items`` or none (one transaction); raise StoreUnavailable when the store is down."""
        ...

    def interactions_since(self, since: datetime) -> list[Interaction]: ...

    def votes_since(self, since: datetime) -> list[Vote]: ...

    def prune(self, older_than: datetime) -> int: ...

    def purge(self) -> int: ...


class DeliveryClaims(Protocol):
    """Delivery ids (e.g. Slack's ``event_id``) shared by every process of one bot, so that a redelivery is
    handled once even when another process got the first delivery."""

    def claim(self, delivery_id: str) -> bool:
        """True for the first claim of ``delivery_id``, False when it was claimed before (and has not expired)."""
        ...


CLAIMS_KEPT = timedelta(hours=1)
"""How long a delivery id is remembered: Slack redelivers within minutes."""


class MemoryStore:
    """A store in memory: for tests, and for running with no database."""

    def __init__(self) -> None:
        self.interactions: list[Interaction] = []
        self.votes: dict[tuple[str, str], Vote] = {}
        self.claims: dict[str, datetime] = {}

    def record(self, item: Interaction | Vote) -> None:
        if isinstance(item, Vote):
            self.votes[item.answer_id, item.user_hash] = item
        else:
            self.interactions.append(item)

    def record_many(self, items: Sequence[Interaction | Vote]) -> None:
        for item in items:
            self.record(item)

    def claim(self, delivery_id: str, *, at: datetime | None = None) -> bool:
        moment = at or now()
        self.claims = {key: when for key, when in self.claims.items() if moment - when < CLAIMS_KEPT}
        if delivery_id in self.claims:
            return False
        self.claims[delivery_id] = moment
        return True

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
    """Writes to a store from one background thread, so that a slow or broken store never delays or stops an
    answer.

    Records wait in a bounded buffer (``capacity``) and are written in batches of up to ``batch_size``, one
    transaction each. While the store is unavailable the batch is retried with back-off and new records wait
    in the buffer; only records that find it full are dropped. The outage is logged once when it starts and
    once when it ends, with the number dropped. ``close`` writes what is left when the bot stops. Also prunes
    rows past the retention period.
    """

    def __init__(self, store: Store | Recorder, *, retention: timedelta | None = None,
                 clock: Callable[[], datetime] = now, prune_every: timedelta = timedelta(hours=1),
                 capacity: int = 50_000, batch_size: int = 500, retry_delays: tuple[float, float] = (0.2, 30.0)):
        self.store = store
        self.retention = retention
        self.clock = clock
        self.prune_every = prune_every
        self.capacity = capacity
        self.batch_size = batch_size
        self.retry_delays = retry_delays
        self._last_prune: datetime | None = None
        self._queue: queue.Queue[Interaction | Vote] = queue.Queue(maxsize=capacity)
        self._progress = threading.Condition()
        self._accepted = 0
        """Records put in the buffer."""
        self._done = 0
        """Records written, or refused by the store."""
        self._dropped = 0
        """Records that found the buffer full, not reported yet."""
        self._outage_since: float | None = None
        self._closing = threading.Event()
        self._abandoned = False
        self._thread = threading.Thread(target=self._work, name="cto-bot-recorder", daemon=True)
        self._thread.start()

    def record(self, item: Interaction | Vote) -> None:
        with self._progress:
            try:
                self._queue.put_nowait(item)
                self._accepted += 1
                return
            except queue.Full:
                self._dropped += 1
                first = self._dropped == 1 and self._outage_since is None
        if first:  # during an outage, the end of the outage reports the count
            log.warning("the store is falling behind: its buffer of %d records is full; dropping new records "
                        "until it catches up", self.capacity)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything recorded so far is written (or refused); False on timeout."""
        with self._progress:
            target = self._accepted
            return self._progress.wait_for(lambda: self._done >= target, timeout)

    def close(self, timeout: float = 30.0) -> int:
        """Write everything still buffered, then stop; return how many records were lost (logged if any).

        Waits as long as the store makes progress (``timeout`` s at most without any); an outage still going
        on at stop gets one more attempt, then the rest is given up."""
        self._closing.set()
        with self._progress:
            while self._done < self._accepted and not self._abandoned:
                if not self._progress.wait_for(self._moved(self._done), timeout):
                    break
            self._abandoned = True
            lost = self._accepted - self._done + self._dropped
        if lost:
            log.error("stopped with %d records not written to the store", lost)
        elif callable(close := getattr(self.store, "close", None)):
            close()
        return lost

    def _moved(self, done: int) -> Callable[[], bool]:
        """A condition: more records were written than ``done``, or the recorder gave up."""
        return lambda: self._done != done or self._abandoned

    # -- the background thread ----------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.batch_size:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)
            self._maybe_prune()

    def _write(self, batch: list[Interaction | Vote]) -> None:
        delay, longest = self.retry_delays
        while not self._abandoned:
            stopping = self._closing.is_set()
            try:
                self._store_batch(batch)
            except StoreUnavailable as error:
                self._outage_started(error)
                if stopping:  # an attempt made after the bot began to stop: give up
                    self._abandon()
                elif not self._closing.is_set():
                    self._closing.wait(delay)  # back-off, cut short when the bot stops
                    delay = min(delay * 2, longest)
                continue
            except Exception:
                self._store_one_by_one(batch)
            self._outage_ended()
            self._finished(len(batch))
            return

    def _abandon(self) -> None:
        with self._progress:
            self._abandoned = True
            self._progress.notify_all()

    def _store_batch(self, batch: Sequence[Interaction | Vote]) -> None:
        many = getattr(self.store, "record_many", None)
        if many is not None:
            many(batch)
        else:
            for item in batch:
                self.store.record(item)

    def _store_one_by_one(self, batch: Sequence[Interaction | Vote]) -> None:
        """A batch the store refused for another reason than an outage: keep every record it accepts."""
        for item in batch:
            try:
                self._store_batch([item])
            except Exception:
                log.exception("could not record a %s; the bot carries on without it", type(item).__name__)

    def _finished(self, count: int) -> None:
        with self._progress:
            self._done += count
            self._progress.notify_all()

    def _outage_started(self, error: StoreUnavailable) -> None:
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            log.warning("the store is unavailable (%s); keeping up to %d records in memory and retrying",
                        error, self.capacity)

    def _outage_ended(self) -> None:
        with self._progress:
            dropped, self._dropped = self._dropped, 0
            since, self._outage_since = self._outage_since, None
        if since is not None:
            level = logging.WARNING if dropped else logging.INFO
            log.log(level, "the store is back after %.0f s; %d records were dropped while it was down",
                    time.monotonic() - since, dropped)
        elif dropped:
            log.warning("the store caught up; %d records were dropped while its buffer was full", dropped)

    def _maybe_prune(self) -> None:
        if self.retention is None or self._closing.is_set():
            return
        moment = self.clock()
        if self._last_prune is not None and moment - self._last_prune < self.prune_every:
            return
        self._last_prune = moment
        prune = getattr(self.store, "prune", None)
        if prune is None:
            return
        try:
            removed = prune(moment - self.retention)
        except Exception as error:
            log.warning("could not remove rows older than %s days (%s); trying again in %s", self.retention.days,
                        error, self.prune_every)
            return
        if removed:
            log.info("removed %d rows older than %s days", removed, self.retention.days)

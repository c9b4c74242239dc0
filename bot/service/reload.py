"""Serve edited knowledge without a restart: wait until the files are stable, load and validate everything,
then swap in one step."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Protocol

from bot.core.engine import Engine
from bot.core.knowledge import Knowledge
from bot.errors import KnowledgeError

log = logging.getLogger(__name__)


class KnowledgeSource(Protocol):
    """Where knowledge comes from (``bot.infra.files.YamlFiles``): load it, and tell when it changed."""

    def load(self) -> Knowledge:
        """The whole knowledge, validated; raises KnowledgeError."""
        ...

    def stamp(self) -> Hashable:
        """A value that changes when the knowledge may have changed (e.g. files' modification times)."""
        ...


class LiveEngine:
    """Holds the current engine. ``current`` is replaced by one assignment, so a question in flight keeps the
    engine it started with and never sees a half-loaded index. A broken edit keeps the last good knowledge.

    Files still being written are not loaded: their stamp (sizes and modification times) must be the same
    across two looks ``settle`` seconds apart, and the same again once loaded; else the reload waits for the
    next check. (An editor that saves by rename is never seen half-written.)
    """

    def __init__(self, source: KnowledgeSource, *, check_every: float = 2.0,
                 clock: Callable[[], float] = time.monotonic, build: Callable[[KnowledgeSource], Engine] | None = None,
                 settle: float = 0.2, pause: Callable[[float], object] = time.sleep):
        self.source = source
        self.build = build or (lambda source: Engine(source.load()))
        """Makes an engine from the source (``bot.infra.cache.EngineBuilder``: cached, built in a child process)."""
        self.check_every = check_every
        self.clock = clock
        self.settle = settle
        self.pause = pause
        self.current = self.build(source)
        self.last_error: str | None = None
        self._stamp = self._stamps()
        self._checked = clock()
        self._lock = threading.Lock()

    def _stamps(self) -> Hashable:
        return self.source.stamp()

    def _stable_stamp(self) -> Hashable | None:
        """The source's stamp when it did not change during ``settle`` seconds; None while it is changing."""
        before = self._stamps()
        self.pause(self.settle)
        after = self._stamps()
        return after if after == before else None

    def reload(self) -> bool:
        """Load the knowledge again now (e.g. on SIGHUP); True when the new knowledge is in service."""
        with self._lock:
            stamp = self._stable_stamp()
            if stamp is None:
                log.info("knowledge files are being written; reloading them once they stop changing")
                return False
            try:
                engine = self.build(self.source)
            except KnowledgeError as error:
                if self._stamps() != stamp:
                    return False  # written to while loading: the next check loads the finished files
                self._stamp = stamp
                self.last_error = str(error)
                for problem in error.problems:
                    log.error("knowledge not reloaded, still serving the last good one: %s", problem)
                return False
            if self._stamps() != stamp:
                log.info("knowledge files changed while loading; reloading them once they stop changing")
                return False
            self._stamp = stamp
            self.current = engine
            self.last_error = None
            log.info("knowledge reloaded: %d passages", len(engine.knowledge.passages))
            return True

    def maybe_reload(self) -> threading.Thread | None:
        """When a knowledge file changed (modification times checked at most every ``check_every`` s), reload
        it in a background thread, which is returned; the question that noticed goes on with the current
        engine instead of waiting for the new index."""
        moment = self.clock()
        if moment - self._checked < self.check_every:
            return None
        self._checked = moment
        if self._stamps() == self._stamp or self._lock.locked():
            return None
        return self.reload_in_background()

    def reload_in_background(self) -> threading.Thread:
        """Start ``reload`` in a daemon thread (from a signal handler or a request) and return the thread."""
        thread = threading.Thread(target=self.reload, name="cto-bot-reload", daemon=True)
        thread.start()
        return thread

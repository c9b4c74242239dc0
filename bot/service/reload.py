"""Serve edited knowledge without a restart: load and validate everything first, then swap in one step."""

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
    engine it started with and never sees a half-loaded index. A broken edit keeps the last good knowledge."""

    def __init__(self, source: KnowledgeSource, *, check_every: float = 2.0,
                 clock: Callable[[], float] = time.monotonic, build: Callable[[KnowledgeSource], Engine] | None = None):
        self.source = source
        self.build = build or (lambda source: Engine(source.load()))
        """Makes an engine from the source (``bot.infra.cache.EngineBuilder``: cached, built in a child process)."""
        self.check_every = check_every
        self.clock = clock
        self.current = self.build(source)
        self.last_error: str | None = None
        self._stamp = self._stamps()
        self._checked = clock()
        self._lock = threading.Lock()

    def _stamps(self) -> Hashable:
        return self.source.stamp()

    def reload(self) -> bool:
        """Load the knowledge again now (e.g. on SIGHUP); True when the new knowledge is in service."""
        with self._lock:
            self._stamp = self._stamps()
            try:
                engine = self.build(self.source)
            except KnowledgeError as error:
                self.last_error = str(error)
                for problem in error.problems:
                    log.error("knowledge not reloaded, still serving the last good one: %s", problem)
                return False
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
        self._stamp = self._stamps()
        return self.reload_in_background()

    def reload_in_background(self) -> threading.Thread:
        """Start ``reload`` in a daemon thread (from a signal handler or a request) and return the thread."""
        thread = threading.Thread(target=self.reload, name="cto-bot-reload", daemon=True)
        thread.start()
        return thread

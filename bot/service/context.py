"""What a conversation remembers between two messages, and where it is kept.

A context belongs to one place and one person (``Where.key``): a Slack thread, a Discord reply chain or DM,
a REPL session. It holds the last answer (its passage, language and question) and expires after a few
minutes or a handful of follow-ups, so that an old answer never colours a new question.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

TTL_SECONDS = 300.0
"""A context older than this is forgotten: five minutes."""
MAX_TURNS = 5
"""How many follow-ups in a row a context carries; then the next message starts afresh."""
log = logging.getLogger(__name__)

MAX_CONTEXTS = 2_000
"""The in-memory store keeps at most this many conversations (the oldest go first)."""


@dataclass(frozen=True)
class Where:
    """Where a message comes from: the platform, the place, and who wrote it.

    ``channel_kind`` (``dm``, ``channel``, ``thread``, ``command``, ``terminal``) is what gets recorded;
    the ids only key the conversation's context, in memory (or hashed, in a shared store).
    """

    platform: str
    channel_kind: str
    workspace: str = ""
    channel: str = ""
    thread: str = ""
    user: str = ""
    lang: str = ""
    """The person's language when the platform tells it (Discord's locale), for notices; not part of the key."""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """The conversation this message belongs to: never shared across users, channels or threads."""
        return (self.platform, self.workspace, self.channel, self.thread, self.user)


@dataclass(frozen=True)
class Context:
    """The last answer of a conversation, and how it got there."""

    passage_id: str | None
    """The passage last answered, or None when the last reply was not an answer."""
    lang: str
    question: str
    """The person's own last question (a suggestion pick is recorded with it)."""
    offered: tuple[str, ...] = ()
    """The passages the last reply offered as suggestions."""
    turns: int = 0
    """Follow-ups answered since the last question of its own."""
    at: float = field(default=0.0)


class ContextStore(Protocol):
    """Where contexts live: in memory for one process, or in the database for several."""

    def get(self, key: tuple[str, ...]) -> Context | None: ...

    def put(self, key: tuple[str, ...], context: Context) -> None: ...


class MemoryContexts:
    """Contexts in memory, the oldest dropped past ``limit``; safe from any thread."""

    def __init__(self, limit: int = MAX_CONTEXTS):
        self.limit = limit
        self._contexts: OrderedDict[tuple[str, ...], Context] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Context | None:
        with self._lock:
            return self._contexts.get(key)

    def put(self, key: tuple[str, ...], context: Context) -> None:
        with self._lock:
            self._contexts[key] = context
            self._contexts.move_to_end(key)
            while len(self._contexts) > self.limit:
                self._contexts.popitem(last=False)


class Memory:
    """Reads and writes contexts with their expiry: ``recall`` returns only a live one."""

    def __init__(self, store: ContextStore | None = None, *, ttl: float = TTL_SECONDS, max_turns: int = MAX_TURNS,
                 clock: Callable[[], float] = time.time):
        self.store = store if store is not None else MemoryContexts()
        self.ttl = ttl
        self.max_turns = max_turns
        self.clock = clock

    def recall(self, where: Where) -> Context | None:
        """The conversation's context, unless it has expired (too old, or too many follow-ups)."""
        try:
            context = self.store.get(where.key)
        except Exception:
            log.warning("could not read a conversation's context; answering it afresh", exc_info=True)
            return None
        if context is None or self.clock() - context.at > self.ttl or context.turns >= self.max_turns:
            return None
        return context

    def remember(self, where: Where, context: Context) -> None:
        """Keep ``context`` as the conversation's, stamped now; a store that fails only loses the context."""
        try:
            self.store.put(where.key, Context(context.passage_id, context.lang, context.question, context.offered,
                                              context.turns, self.clock()))
        except Exception:
            log.warning("could not keep a conversation's context; its next follow-up starts afresh", exc_info=True)

"""Each document's matcher, loaded on first use: an engine read back from a cache over many documents loads
only those its questions are scored in. The loading itself (reading a file) is injected: the core does no I/O."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import overload

from bot.core.matcher import Matcher

MatcherLoader = Callable[[int], Matcher]
"""Document number → its matcher (read from wherever the engine was kept)."""


class LazyMatchers(Sequence[Matcher]):
    """``count`` matchers, each loaded by ``load`` the first time it is asked for, then kept. Safe from any
    thread: a matcher is loaded once, however many questions need it at the same time."""

    def __init__(self, count: int, load: MatcherLoader):
        self._matchers: list[Matcher | None] = [None] * count
        self._load = load
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._matchers)

    @overload
    def __getitem__(self, document: int) -> Matcher: ...

    @overload
    def __getitem__(self, document: slice) -> list[Matcher]: ...

    def __getitem__(self, document: int | slice) -> Matcher | list[Matcher]:
        if isinstance(document, slice):
            return [self[d] for d in range(len(self))[document]]
        matcher = self._matchers[document]
        if matcher is None:
            with self._lock:
                matcher = self._matchers[document]
                if matcher is None:
                    matcher = self._matchers[document] = self._load(document % len(self))
        return matcher

    def __iter__(self) -> Iterator[Matcher]:
        return (self[d] for d in range(len(self)))

    @property
    def loaded(self) -> int:
        """How many matchers have been loaded so far."""
        return sum(m is not None for m in self._matchers)

    def loaded_documents(self) -> list[int]:
        """The numbers of the documents whose matchers have been loaded so far."""
        return [d for d, m in enumerate(self._matchers) if m is not None]

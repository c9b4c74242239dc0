"""A per-user cooldown: at most ``rate`` questions in ``per`` seconds, then one polite notice, then quiet.

A policy of the conversation service (``bot.service.conversation``), applied on every platform."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum

DEFAULTS = {"discord": (5, 30.0), "slack": (20, 60.0)}
"""Questions per person and window in seconds, by platform, unless configured (``DISCORD_COOLDOWN``). Discord
keeps its historical 5 in 30 s; Slack, where a thread is a conversation, allows a brisker pace and only stops
runaway loops. The REPL has none: its only user is at the keyboard."""

MAX_USERS = 5_000
"""The most people a cooldown follows at once (about 300 bytes each, 1.5 MB in all). Past it, the person whose
last question is the oldest is forgotten: under a flood of that many different people within one window,
someone who stopped asking may get ``rate`` more answers; someone who keeps asking is never forgotten."""


def default_cooldown(platform: str) -> Cooldown | None:
    """The platform's default cooldown, or None when it has none."""
    if platform not in DEFAULTS:
        return None
    rate, per = DEFAULTS[platform]
    return Cooldown(rate=rate, per=per)


class Verdict(StrEnum):
    ANSWER = "answer"
    """Under the limit: answer the question."""
    NOTICE = "notice"
    """Just over the limit: say so once, politely."""
    QUIET = "quiet"
    """Still over the limit and already told: say nothing, so that the channel is not flooded."""


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    retry_after: float = 0.0
    """Seconds until the user may ask again (0 when answered)."""


class Cooldown:
    """A sliding window of answered questions per user, with an injectable clock; it follows ``max_users``
    people at most (those who asked last), and forgets a person once their window is empty; safe from any
    thread.

    >>> now = [0.0]
    >>> cooldown = Cooldown(rate=2, per=10.0, clock=lambda: now[0])
    >>> [cooldown.check("ada").verdict.value for _ in range(4)]
    ['answer', 'answer', 'notice', 'quiet']
    >>> now[0] = 10.0
    >>> cooldown.check("ada").verdict.value
    'answer'
    """

    def __init__(self, *, rate: int = 5, per: float = 30.0, clock: Callable[[], float] = time.monotonic,
                 max_users: int = MAX_USERS):
        if rate < 1 or per <= 0 or max_users < 1:
            raise ValueError("a cooldown needs rate >= 1, per > 0 and max_users >= 1")
        self.rate = rate
        self.per = per
        self.max_users = max_users
        self._clock = clock
        self._answered: OrderedDict[Hashable, list[float]] = OrderedDict()
        """Each person's answered questions in the window, oldest first; the person who asked last, last."""
        self._noticed: set[Hashable] = set()
        self._lock = threading.Lock()  # the listeners of a Slack worker check from several threads

    @property
    def tracked(self) -> int:
        """How many people the cooldown follows now (at most ``max_users``)."""
        return len(self._answered)

    def check(self, key: Hashable) -> Decision:
        """Count a question from ``key`` and say whether to answer it."""
        with self._lock:
            return self._check(key)

    def _check(self, key: Hashable) -> Decision:
        now = self._clock()
        start = now - self.per
        self._forget_before(start)
        answered = self._answered.pop(key, None) or []  # back in last: the person who asked last
        while answered and answered[0] <= start:
            del answered[0]
        self._answered[key] = answered
        while len(self._answered) > self.max_users:
            self._noticed.discard(self._answered.popitem(last=False)[0])
        if len(answered) < self.rate:
            answered.append(now)
            self._noticed.discard(key)
            return Decision(Verdict.ANSWER)
        retry_after = max(0.0, answered[0] + self.per - now)
        if key in self._noticed:
            return Decision(Verdict.QUIET, retry_after)
        self._noticed.add(key)
        return Decision(Verdict.NOTICE, retry_after)

    def _forget_before(self, start: float) -> None:
        """Forget, from the least recent, the people with no answered question after ``start``."""
        while self._answered:
            key, answered = next(iter(self._answered.items()))
            if answered and answered[-1] > start:
                return
            del self._answered[key]
            self._noticed.discard(key)

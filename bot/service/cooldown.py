"""A per-user cooldown: at most ``rate`` questions in ``per`` seconds, then one polite notice, then quiet.

A policy of the conversation service (``bot.service.conversation``), applied on every platform."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum

DEFAULTS = {"discord": (5, 30.0), "slack": (20, 60.0)}
"""Questions per person and window in seconds, by platform, unless configured (``DISCORD_COOLDOWN``). Discord
keeps its historical 5 in 30 s; Slack, where a thread is a conversation, allows a brisker pace and only stops
runaway loops. The REPL has none: its only user is at the keyboard."""


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


SWEEP_AT = 10_000
"""Past this many users in the table, those with no recent question are swept out, at most once per window."""


class Cooldown:
    """A sliding window of answered questions per user, with an injectable clock.

    >>> now = [0.0]
    >>> cooldown = Cooldown(rate=2, per=10.0, clock=lambda: now[0])
    >>> [cooldown.check("ada").verdict.value for _ in range(4)]
    ['answer', 'answer', 'notice', 'quiet']
    >>> now[0] = 10.0
    >>> cooldown.check("ada").verdict.value
    'answer'
    """

    def __init__(self, *, rate: int = 5, per: float = 30.0, clock: Callable[[], float] = time.monotonic):
        if rate < 1 or per <= 0:
            raise ValueError("a cooldown needs rate >= 1 and per > 0")
        self.rate = rate
        self.per = per
        self._clock = clock
        self._answered: dict[Hashable, deque[float]] = {}
        self._swept = float("-inf")
        self._noticed: dict[Hashable, float] = {}

    def check(self, key: Hashable) -> Decision:
        """Count a question from ``key`` and say whether to answer it."""
        now = self._clock()
        self._forget_before(now - self.per, only=key)
        answered = self._answered.setdefault(key, deque())
        if len(answered) < self.rate:
            answered.append(now)
            self._noticed.pop(key, None)
            if len(self._answered) > SWEEP_AT and now - self._swept >= self.per:  # at most one sweep a window
                self._forget_before(now - self.per)
                self._swept = now
            return Decision(Verdict.ANSWER)
        retry_after = max(0.0, answered[0] + self.per - now)
        if key in self._noticed:
            return Decision(Verdict.QUIET, retry_after)
        self._noticed[key] = now
        return Decision(Verdict.NOTICE, retry_after)

    def _forget_before(self, start: float, only: Hashable | None = None) -> None:
        """Drop answers older than ``start`` (for ``only``, else for everyone) and users left with none."""
        for key in [only] if only is not None else list(self._answered):
            answered = self._answered.get(key)
            if answered is None:
                continue
            while answered and answered[0] <= start:
                answered.popleft()
            if not answered:
                del self._answered[key]
                self._noticed.pop(key, None)

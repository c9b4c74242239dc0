"""Recognise Slack's redeliveries, so that one question gets one answer.

Slack delivers again when it thinks we missed a delivery: over HTTP it sets ``X-Slack-Retry-Num`` to 1, 2,
3; in Socket Mode the envelope carries ``retry_attempt``, which Bolt passes on as ``x-slack-retry-num``,
**0 on a first delivery**. So a delivery is a retry when that number is 1 or more, not when it is present.
Independently, an ``event_id`` or a Socket Mode ``envelope_id`` already seen is a redelivery: seen by this
process, or, given a shared store (``DeliveryClaims``), by any process of the app.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

from bot.service.store import DeliveryClaims

log = logging.getLogger(__name__)

SHARED_RETRY_SECONDS = 30.0
"""After the shared store failed, how long this process relies on its own memory before asking it again."""


def retry_number(headers: Mapping[str, str | Sequence[str]]) -> int:
    """The ``X-Slack-Retry-Num`` in ``headers`` (names in lower case, as Bolt keeps them); 0 if absent.

    >>> retry_number({"x-slack-retry-num": ["0"]}), retry_number({"x-slack-retry-num": ["2"]})
    (0, 2)
    >>> retry_number({})
    0
    """
    value = headers.get("x-slack-retry-num")
    if not isinstance(value, str):
        value = value[0] if value else "0"
    try:
        return int(value)
    except ValueError:
        return 0


class SeenIds:
    """The last ``capacity`` delivery ids this process has handled, and, with ``shared``, the ids every process
    of the app has claimed; safe to share between threads.

    >>> seen = SeenIds(capacity=2)
    >>> seen.first_time("Ev1"), seen.first_time("Ev1"), seen.first_time("Ev2"), seen.first_time("Ev3")
    (True, False, True, True)
    >>> seen.first_time("Ev1")  # forgotten: only the last two are kept
    True
    """

    def __init__(self, capacity: int = 10_000, *, shared: DeliveryClaims | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.capacity = capacity
        self.shared = shared
        self.clock = clock
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._shared_down_until = 0.0

    def first_time(self, delivery_id: str) -> bool:
        """Remember ``delivery_id``; True when neither this process nor (with ``shared``) another saw it."""
        with self._lock:
            if delivery_id in self._ids:
                self._ids.move_to_end(delivery_id)
                return False
            self._ids[delivery_id] = None
            if len(self._ids) > self.capacity:
                self._ids.popitem(last=False)
        return self._claim(delivery_id)

    def _claim(self, delivery_id: str) -> bool:
        """Ask the shared store; when it fails, answer (better twice than never) and rely on this process's
        memory for a while, so that a store that is down does not slow every delivery."""
        if self.shared is None or self.clock() < self._shared_down_until:
            return True
        try:
            return self.shared.claim(delivery_id)
        except Exception as error:
            self._shared_down_until = self.clock() + SHARED_RETRY_SECONDS
            log.warning("cannot check delivery ids with the other processes (%s); this process checks its own "
                        "for %.0f s", error, SHARED_RETRY_SECONDS)
            return True

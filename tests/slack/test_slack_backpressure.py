"""The bounded backlog of answers, and the examples in the serving modules' docstrings."""

from __future__ import annotations

import doctest
import threading

import pytest
from slack_fake import WAIT

from adapters import health
from adapters.slack import backpressure
from adapters.slack.backpressure import BoundedExecutor


@pytest.mark.parametrize("module", [backpressure, health], ids=lambda m: m.__name__)
def test_the_docstring_examples_hold(module):
    result = doctest.testmod(module)
    assert result.attempted and not result.failed


def test_a_new_answer_waits_for_room_while_the_backlog_is_full():
    release, queued = threading.Event(), threading.Event()
    with BoundedExecutor(max_workers=1, max_pending=2, wait=WAIT) as pool:
        running = [pool.submit(release.wait), pool.submit(release.wait)]
        third = threading.Thread(target=lambda: (pool.submit(lambda: None), queued.set()))
        third.start()

        waited = not queued.wait(0.2)
        release.set()
        third.join(WAIT)

    assert waited, "the third answer was queued while two were pending"
    assert queued.is_set(), "it was queued once there was room"
    assert all(f.result() for f in running)


def test_an_answer_is_queued_anyway_after_the_wait_so_no_question_is_dropped():
    release = threading.Event()
    with BoundedExecutor(max_workers=1, max_pending=1, wait=0.05) as pool:
        pool.submit(release.wait)
        late = pool.submit(lambda: "answered")
        release.set()

        assert late.result(WAIT) == "answered"


def test_room_comes_back_when_an_answer_fails():
    queued = threading.Event()
    with BoundedExecutor(max_workers=1, max_pending=1, wait=60) as pool:
        failed = pool.submit(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failed.result(WAIT)
        threading.Thread(target=lambda: (pool.submit(lambda: None), queued.set()), daemon=True).start()

        assert queued.wait(WAIT), "the failed answer still held its room"

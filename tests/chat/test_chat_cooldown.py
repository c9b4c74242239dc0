"""The cooldown is the conversation's, so it applies on every platform alike."""

from __future__ import annotations

import sys
import threading

import pytest
from chat_drivers import Clock

from bot.service.cooldown import Cooldown

LIST_QUESTION = "What are the CTO's missions?"


@pytest.fixture
def cooldown(clock: Clock) -> Cooldown:
    return Cooldown(rate=1, per=30, clock=clock)


async def test_the_cooldown_applies_on_every_platform_in_the_language_of_the_question(chat, clock: Clock):
    first = await chat.say(LIST_QUESTION)
    assert "The CTO's missions are varied" in first.text
    notice = await chat.say(LIST_QUESTION)
    assert notice.text.startswith("Easy there: I answer 1 questions per person every 30 seconds")
    clock.advance(30)
    again = await chat.say("Quelles sont les missions du CTO ?")
    assert "Les missions du CTO sont variées" in again.text


def test_the_cooldown_follows_a_bounded_number_of_people_however_many_ask_within_a_window(clock: Clock):
    cooldown = Cooldown(rate=2, per=60, clock=clock, max_users=100)
    for user in range(1_000):
        assert cooldown.check(("slack", "T1", f"U{user}")).verdict.value == "answer"
        assert cooldown.tracked <= 100
    assert cooldown.tracked == 100


def test_someone_who_keeps_asking_stays_limited_while_many_others_ask(clock: Clock):
    cooldown = Cooldown(rate=2, per=60, clock=clock, max_users=10)
    verdicts = []
    for user in range(100):
        verdicts.append(cooldown.check("runaway").verdict.value)
        cooldown.check(f"U{user}")
    assert verdicts[:3] == ["answer", "answer", "notice"] and set(verdicts[3:]) == {"quiet"}


def test_past_the_cap_the_person_who_asked_least_recently_is_forgotten_first(clock: Clock):
    cooldown = Cooldown(rate=1, per=60, clock=clock, max_users=2)
    cooldown.check("ada")
    cooldown.check("grace")
    assert cooldown.check("ada").verdict.value == "notice"  # ada asked again: grace is now the least recent
    cooldown.check("linus")  # over the cap: grace is forgotten, ada is still limited
    assert cooldown.check("ada").verdict.value == "quiet"
    assert cooldown.check("grace").verdict.value == "answer"


def test_people_whose_window_is_over_are_forgotten_without_waiting_for_the_cap(clock: Clock):
    cooldown = Cooldown(rate=1, per=30, clock=clock)
    for user in range(50):
        cooldown.check(f"U{user}")
    clock.advance(31)
    cooldown.check("late")
    assert cooldown.tracked == 1


def test_the_cooldown_stays_bounded_and_consistent_when_many_threads_check_at_once(clock: Clock):
    cooldown = Cooldown(rate=3, per=60, clock=clock, max_users=50)
    verdicts: list[list[str]] = [[] for _ in range(8)]

    def ask(worker: int) -> None:
        for n in range(2_000):
            verdicts[worker].append(cooldown.check(f"U{(n * 7 + worker) % 400}").verdict.value)

    threads = [threading.Thread(target=ask, args=(worker,)) for worker in range(8)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: races show up if there are any
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert all(len(v) == 2_000 for v in verdicts), "every check returned a verdict"
    assert cooldown.tracked <= 50
    assert cooldown.check("U-new").verdict.value == "answer"

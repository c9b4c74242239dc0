"""The cooldown is the conversation's, so it applies on every platform alike."""

from __future__ import annotations

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

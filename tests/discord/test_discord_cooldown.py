"""The per-user cooldown, on an injected clock."""

from __future__ import annotations

import pytest

from adapters.discord.cooldown import Cooldown, Verdict


@pytest.fixture
def now() -> list[float]:
    return [100.0]


@pytest.fixture
def cooldown(now: list[float]) -> Cooldown:
    return Cooldown(rate=5, per=30.0, clock=lambda: now[0])


def verdicts(cooldown: Cooldown, key: object, times: int) -> list[Verdict]:
    return [cooldown.check(key).verdict for _ in range(times)]


def test_answers_five_questions_in_thirty_seconds_then_notices_once_then_keeps_quiet(cooldown: Cooldown):
    expected = [Verdict.ANSWER] * 5 + [Verdict.NOTICE, Verdict.QUIET, Verdict.QUIET]
    assert verdicts(cooldown, "ada", 8) == expected


def test_counts_each_user_apart(cooldown: Cooldown):
    verdicts(cooldown, "ada", 6)
    assert cooldown.check("grace").verdict is Verdict.ANSWER


def test_says_how_long_to_wait(cooldown: Cooldown, now: list[float]):
    for _ in range(5):
        cooldown.check("ada")
        now[0] += 2.0
    decision = cooldown.check("ada")
    assert decision.verdict is Verdict.NOTICE and decision.retry_after == pytest.approx(20.0)


def test_answers_again_once_the_oldest_question_leaves_the_window(cooldown: Cooldown, now: list[float]):
    cooldown.check("ada")
    now[0] += 10
    verdicts(cooldown, "ada", 5)
    now[0] += 20  # the first question is now 30 s old
    assert verdicts(cooldown, "ada", 2) == [Verdict.ANSWER, Verdict.NOTICE]


def test_forgets_users_who_stopped_asking(now: list[float]):
    cooldown = Cooldown(rate=1, per=1.0, clock=lambda: now[0])
    for user in range(10_001):
        cooldown.check(user)
    now[0] += 5
    cooldown.check("late")
    assert cooldown.tracked == 1


def test_refuses_a_cooldown_that_would_never_answer():
    with pytest.raises(ValueError):
        Cooldown(rate=0)

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

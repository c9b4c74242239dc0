"""When answering fails, every platform apologises, logs why, and answers the next message."""

from __future__ import annotations

import logging

import pytest

from bot.core.answer import Answer
from bot.service.assistant import Assistant
from bot.service.store import MemoryStore


class FailsOnce(Assistant):
    """The real assistant, except that its first ``ask`` raises."""

    failed = False

    def ask(self, question: str, **where) -> Answer:  # type: ignore[override]
        if not self.failed:
            self.failed = True
            raise RuntimeError("the engine broke")
        return super().ask(question, **where)


@pytest.fixture
def assistant(engine, store: MemoryStore) -> Assistant:
    return FailsOnce(engine, recorder=store, salt=b"test-salt")


async def test_apologises_when_answering_fails_and_answers_the_next_message(chat, caplog):
    apology = await chat.say("What are the CTO's missions?")
    answer = await chat.say("What are the CTO's missions?")

    assert "Sorry, " in apology.text  # in the question's language (Slack's apology holds both)
    assert "The CTO's missions are varied" in answer.text
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert [str(r.exc_info[1]) for r in failures] == ["the engine broke"]  # type: ignore[index]

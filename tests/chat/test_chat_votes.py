"""👍 / 👎 on an answer, on every platform (these tests once existed per platform)."""

from __future__ import annotations

import pytest

from bot.service.store import MemoryStore

QUESTION = "What are the CTO's missions?"


async def test_a_second_vote_by_the_same_person_replaces_the_first(chat, store: MemoryStore):
    await chat.say(QUESTION)

    await chat.vote(True)
    thanks = await chat.vote(False)

    [vote] = store.votes.values()
    assert (vote.value, vote.platform, vote.answer_id) == (-1, chat.platform, store.interactions[-1].id)
    assert "Thanks" in thanks.text or "Merci" in thanks.text


async def test_another_persons_vote_counts_separately(chat, store: MemoryStore):
    if chat.platform == "repl":
        pytest.skip("in a terminal, nobody else sees the answer")
    await chat.say(QUESTION)

    await chat.vote(True, user="ada")
    await chat.vote(False, user="grace")
    await chat.vote(False, user="grace")  # counted once

    assert sorted(v.value for v in store.votes.values()) == [-1, 1]
    assert len({v.user_hash for v in store.votes.values()}) == 2

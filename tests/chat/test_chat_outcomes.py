"""What every platform records and shows for an answer and a decline (these tests once existed per platform)."""

from __future__ import annotations

from bot.core.answer import Outcome
from bot.core.engine import Engine
from bot.service.store import MemoryStore

QUESTION = "What are the CTO's missions?"
PIZZA = "Quelle est la recette de la pizza ?"


async def test_declines_honestly_a_question_the_document_does_not_cover(chat, engine: Engine):
    assert engine.ask(PIZZA).outcome is Outcome.DECLINE

    reply = await chat.say(PIZZA)

    assert "Je n’ai pas la réponse" in reply.text
    assert "les missions du CTO" in reply.text, "a decline says what the bot covers"
    assert "Source" not in reply.everything and "source" not in reply.everything
    assert reply.choices == [] and reply.vote_id is None


async def test_an_answered_question_records_its_outcome_passage_and_where_it_was_asked(
        chat, store: MemoryStore, engine: Engine):
    reply = await chat.say(QUESTION)

    [interaction] = store.interactions
    assert (interaction.platform, interaction.outcome) == (chat.platform, "answer")
    assert interaction.channel_kind == {"slack": "thread", "discord": "channel", "repl": "terminal"}[chat.platform]
    assert (interaction.passage_id, interaction.question, interaction.lang) == (
        engine.ask(QUESTION).passage_id, QUESTION, "en")
    assert reply.vote_id == (None if chat.platform == "repl" else interaction.id)


async def test_a_declined_question_records_a_decline_and_offers_no_vote(chat, store: MemoryStore):
    reply = await chat.say(PIZZA)

    [interaction] = store.interactions
    assert (interaction.outcome, interaction.platform) == ("decline", chat.platform)
    assert reply.vote_id is None

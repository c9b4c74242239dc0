"""Chat behaviour, written once and checked on Slack, Discord and the REPL through ``chat``."""

from __future__ import annotations

from chat_drivers import Clock

from bot.core.engine import Engine
from bot.service.context import TTL_SECONDS
from bot.service.store import MemoryStore

LIST_QUESTION = "What are the CTO's missions?"
BUDGET_EN = "managing the technology budget"  # compared in lower case: an item alone opens a sentence
BUDGET_FR = "gestion du budget technologique"
AMBIGUOUS = "gestion"
"""Alone, a word of several missions (teams, budget): the bot suggests them."""


async def test_follow_ups_are_answered_in_the_context_of_the_previous_answer(chat, engine: Engine):
    assert not engine.ask("en français ?").matched, "alone, it asks nothing"

    whole_list = await chat.say(LIST_QUESTION)
    assert "The CTO's missions are varied" in whole_list.text and BUDGET_EN in whole_list.text.lower()

    budget = await chat.say("and the budget?")
    assert BUDGET_EN in budget.text.lower() and not budget.text.startswith("I'm not sure")

    french = await chat.say("en français ?")
    assert BUDGET_FR in french.text.lower()


async def test_asking_for_the_other_language_in_other_words_switches_it(chat):
    await chat.say("Le CTO gère-t-il le budget ?")
    english = await chat.say("Réponds en anglais")
    assert BUDGET_EN in english.text.lower()
    french = await chat.say("Can you translate it to French?")
    assert BUDGET_FR in french.text.lower()


async def test_asking_for_the_other_language_after_a_decline_declines_again_in_it(chat):
    declined = await chat.say("Quel temps fera-t-il demain à Paris ?")
    assert declined.text.startswith("Je n’ai pas la réponse")
    english = await chat.say("in English please")
    assert english.text.startswith("I don't know") and "I can tell you about" in english.text


async def test_a_follow_up_that_leads_nowhere_is_declined_not_answered_afresh(chat):
    await chat.say("Does the CTO get a training budget to attend conferences?")
    why = await chat.say("why?")  # the passage opens its section: the documents give no reason
    assert why.text.startswith("I don't know") and "conferences" not in why.text


async def test_tell_me_more_after_an_item_gives_the_whole_list(chat):
    await chat.say("Is the CTO in charge of security?")
    more = await chat.say("tell me more")
    assert "The CTO's missions are varied" in more.text and BUDGET_EN in more.text.lower()


async def test_an_ordinal_after_a_list_picks_that_item(chat):
    await chat.say(LIST_QUESTION)
    second = await chat.say("and the second one?")
    assert "IT security" in second.text and BUDGET_EN not in second.text.lower()
    last = await chat.say("et le dernier ?")
    assert BUDGET_FR in last.text.lower() and "IT security" not in last.text


async def test_a_question_that_only_points_back_goes_on_like_tell_me_more(chat):
    await chat.say("Is the CTO in charge of security?")
    more = await chat.say("and how do they do it?")
    assert "The CTO's missions are varied" in more.text and BUDGET_EN in more.text.lower()
    thanks = await chat.say("thanks for that")
    assert "The CTO's missions are varied" not in thanks.text


async def test_a_follow_up_that_is_a_question_of_its_own_is_answered_normally(chat):
    await chat.say(LIST_QUESTION)
    other = await chat.say("Does the CTO get a training budget to attend conferences?")
    assert "training budget" in other.text


async def test_another_user_in_the_same_channel_does_not_share_the_context(chat):
    await chat.say(LIST_QUESTION, user="ada")
    theirs = await chat.say("en français ?", user="grace")
    assert BUDGET_FR not in theirs.text.lower()  # grace asked nothing before: nothing to say again in French
    mine = await chat.say("en français ?", user="ada")
    assert BUDGET_FR in mine.text.lower()


async def test_the_context_expires(chat, clock: Clock):
    await chat.say(LIST_QUESTION)
    clock.advance(TTL_SECONDS + 1)
    later = await chat.say("en français ?")
    assert BUDGET_FR not in later.text.lower()


async def test_a_list_offers_its_items_and_an_item_offers_the_whole_list(chat):
    whole_list = await chat.say(LIST_QUESTION)
    assert whole_list.choices == ["Does the CTO manage the developers?", "Is the CTO in charge of security?",
                                  "Does the CTO manage the technology budget?"]
    item = await chat.choose("Is the CTO in charge of security?")
    assert "IT security" in item.text and item.choices == ["The whole list"]
    again = await chat.choose("The whole list")
    assert "The CTO's missions are varied" in again.text


async def test_a_suggestion_appears_once_per_reply(chat, engine: Engine):
    question = AMBIGUOUS
    answer = engine.ask(question)
    assert answer.suggestions, "the question should get suggestions; pick another"

    reply = await chat.say(question)

    for suggestion in answer.suggestions:
        assert reply.everything.count(suggestion.question) == 1, reply.everything
    assert reply.choices == [s.question for s in answer.suggestions]


async def test_picking_a_suggestion_is_recorded_as_a_pick_of_the_question_asked(chat, store: MemoryStore,
                                                                                engine: Engine):
    question = AMBIGUOUS
    asked = engine.ask(question)
    [suggestion] = [s for s in asked.suggestions if s.passage_id == "missions-budget"]
    await chat.say(question)

    picked = await chat.choose(suggestion.question)

    assert engine.answer_passage(suggestion.passage_id, asked.lang).text in picked.text
    pick = store.interactions[-1]
    assert (pick.outcome, pick.question, pick.passage_id) == ("pick", question, suggestion.passage_id)
    assert pick.platform == chat.platform

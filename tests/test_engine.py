"""The answer engine's outcomes, languages and robustness, on the shipped and on unrelated knowledge."""

from __future__ import annotations

import pytest

from bot.bootstrap import build_engine
from bot.core.answer import Outcome
from bot.core.matching import close_words
from bot.core.replies import standalone
from bot.core.text import fold


def section_of(engine, question: str) -> str | None:
    answer = engine.ask(question)
    return answer.section if answer.matched else None


@pytest.mark.parametrize("question, heading", [
    ("Quelles sont les missions d'un CTO ?", "Les missions du CTO"),
    ("Comment on devient CTO ?", "Comment devenir CTO ?"),
    ("What are the skills of a good CTO?", "Les compétences pour être un CTO performant"),
    ("Which executives does the CTO collaborate with?", "La relation entre le CTO et d’autres postes de direction"),
])
def test_answers_with_the_passage_of_the_right_section(engine, question, heading):
    assert section_of(engine, question) == heading


def test_answers_with_the_source_passage_verbatim_and_its_section(engine):
    answer = engine.ask("Qui protège l'entreprise contre les cyberattaques ?")
    assert answer.outcome is Outcome.ANSWER
    assert answer.passage_id == "missions-security"
    assert "cyberattaques" in answer.source
    assert answer.source == engine.knowledge.passage("missions-security").text
    assert answer.section == "Les missions du CTO"


@pytest.mark.parametrize("question", [
    "competences cto",
    "COMPÉTENCES DU CTO ???",
    "competances du cto",
    "cto skils",
    "kompetences cto",
    "quelles competences pour etre cto",
])
def test_understands_typos_missing_accents_shouting_and_keywords(engine, question):
    assert section_of(engine, question) == "Les compétences pour être un CTO performant"


def test_a_typo_in_a_plural_finds_the_plural_before_a_word_of_the_same_length():
    assert [w for w, _ in close_words("mision", ["vision", "missions"])][0] == "missions"
    assert [w for w, _ in close_words("rain", ["drains", "train"])] == ["train"]  # not a letter added in front


@pytest.mark.parametrize("question", [
    "Quel est le salaire moyen d'un CTO ?",
    "What is the weather like in Paris tomorrow?",
    "Donne-moi une recette de lasagnes",
    "How many CTOs are there in Germany?",
    "qsdfghjklm",
])
def test_declines_questions_the_document_does_not_cover(engine, question):
    answer = engine.ask(question)
    assert answer.outcome is Outcome.DECLINE
    assert not answer.matched and answer.section is None and answer.source is None
    assert answer.topics and all(topic in answer.text for topic in answer.topics)


def test_a_decline_lists_the_topics_in_the_language_of_the_question(engine):
    french = engine.ask("Quel temps fera-t-il demain ?")
    english = engine.ask("What will the weather be tomorrow?")
    assert french.lang == "fr" and "le rôle du CTO" in french.text.lower() or "rôle" in french.text
    assert english.lang == "en" and english.topics == engine.topics("en")
    assert english.text != french.text


def test_suggests_when_the_question_is_vague(tiny_engine):
    answer = tiny_engine.ask("eau")
    assert answer.outcome is Outcome.SUGGEST
    assert {s.passage_id for s in answer.suggestions} == {"coffee-brewing", "tea-steeping"}
    assert 1 <= len(answer.suggestions) <= 3
    assert not answer.matched


def test_every_suggestion_is_a_question_the_bot_answers(engine):
    answer = engine.ask("cto")
    assert answer.outcome in (Outcome.SUGGEST, Outcome.ANSWER)
    for suggestion in answer.suggestions:
        assert engine.ask(suggestion.question).passage_id == suggestion.passage_id


@pytest.mark.parametrize("question, kind_word", [
    ("Bonjour !", "Bonjour"), ("hello", "Hello"), ("merci beaucoup", "plaisir"), ("thanks!", "welcome"),
    ("help", "Ask me"), ("aide", "Posez-moi"),
])
def test_answers_small_talk_without_searching_the_knowledge(engine, question, kind_word):
    answer = engine.ask(question)
    assert answer.outcome is Outcome.SMALLTALK
    assert kind_word in answer.text
    assert answer.passage_id is None


def test_a_greeting_with_a_question_answers_the_question(engine):
    assert engine.ask("Bonjour, comment devenir CTO ?").outcome is Outcome.ANSWER


@pytest.mark.parametrize("question, lang", [
    ("Quelles sont les missions du CTO ?", "fr"),
    ("What are the missions of the CTO?", "en"),
    ("devenir cto", "fr"),
    ("how to become cto", "en"),
])
def test_replies_in_the_language_of_the_question(engine, question, lang):
    answer = engine.ask(question)
    assert answer.lang == lang
    passage = engine.knowledge.passage(answer.passage_id)
    assert answer.text.startswith(passage.text_in(lang))
    assert answer.source.startswith(passage.text)


@pytest.mark.parametrize("question, lang", [
    ("Quelles sont les missions du CTO ?", "fr"),
    ("What are the missions of the CTO?", "en"),
    ("Comment devenir CTO ?", "fr"),
    ("How do I become a CTO?", "en"),
    ("donne-moi la liste complète des missions du CTO", "fr"),
    ("Give me the full list of steps to become a CTO", "en"),
])
def test_a_question_about_a_whole_list_gets_the_lead_in_and_every_item(engine, question, lang):
    answer = engine.ask(question)
    lead_in = engine.knowledge.passage(answer.passage_id)
    items = engine.knowledge.items_of(lead_in)
    assert len(items) >= 2
    assert answer.items == tuple(item.text_in(lang) for item in items)
    assert answer.text.splitlines() == [lead_in.text_in(lang), *(f"• {i.text_in(lang)}" for i in items)]
    assert answer.source.splitlines() == [lead_in.text, *(i.text for i in items)]
    assert not answer.text.rstrip().endswith(":")


def test_a_question_about_one_item_gets_that_item_alone(engine):
    answer = engine.ask("Qui gère le budget ?")
    assert answer.passage_id == "missions-budget"
    assert answer.items == ()
    assert "budget" in answer.text and "sécurité" not in answer.text


def test_scores_run_from_0_to_100_and_rank_outcomes(engine):
    sure = engine.ask("Comment devenir CTO ?")
    off = engine.ask("Comment faire une pizza ?")
    assert 0 <= off.score < sure.score <= 100


def test_answers_a_picked_suggestion_by_passage_id(engine):
    answer = engine.answer_passage("become-education", "en")
    assert answer.outcome is Outcome.ANSWER and answer.lang == "en"
    assert answer.text == standalone(engine.knowledge.passage("become-education").translation)  # an item, alone
    assert engine.answer_passage("no-such-passage").outcome is Outcome.DECLINE


def test_completes_questions_as_the_user_types(engine):
    choices = engine.complete("secu")
    assert 1 <= len(choices) <= 25
    assert choices[0].passage_id == "missions-security"
    assert len(engine.complete("")) == len(engine.knowledge.passages)
    assert len(engine.complete("cto", limit=5)) == 5


def test_works_on_any_document_not_only_the_cto_article(tiny_engine):
    assert tiny_engine.ask("how long does green tea steep").passage_id == "tea-steeping"
    assert tiny_engine.ask("D'ou vient le cafe ?").passage_id == "coffee-origin"
    assert tiny_engine.ask("comment faire un expresso").passage_id == "coffee-brewing"
    assert tiny_engine.ask("Quel est le rôle du CTO ?").outcome is Outcome.DECLINE


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "🙂🚀", "\x00\x07\x1b", "?!?"])
def test_empty_or_wordless_input_gets_help_not_an_error(engine, question):
    answer = engine.ask(question)
    assert answer.outcome is Outcome.SMALLTALK
    assert answer.topics


def test_cuts_a_huge_paste_to_a_bounded_question(engine):
    answer = engine.ask("Comment devenir CTO ? " + "blabla " * 150_000)
    assert len(answer.question) <= 500
    assert len(answer.text) < 5000


def test_markup_is_treated_as_text(engine):
    answer = engine.ask("<b>compétences</b> du <i>CTO</i>")
    assert answer.section == "Les compétences pour être un CTO performant"
    scripted = engine.ask("<b>compétences</b> du <script>alert(1)</script> CTO")
    assert scripted.outcome in (Outcome.ANSWER, Outcome.SUGGEST)
    assert scripted.candidates[0].passage_id == "skills-overview"


def test_folding_ignores_case_accents_apostrophes_and_spaces():
    assert fold("L’ÉVOLUTION\u00a0de  Carrière") == "l'evolution de carriere"


def test_common_words_do_not_widen_the_search_beyond_its_bound():
    from bot.core.engine import Engine, Thresholds
    from bot.core.knowledge import Knowledge, Passage, Section

    passages = tuple(Passage(id=f"p{n}", text=f"Le projet commun numéro{n} parle de sujet{n}.",
                             questions_fr=(f"Que dit le projet commun sur sujet{n} ?",), section_id="s")
                     for n in range(50))
    engine = Engine(Knowledge(sections=(Section(id="s", heading="S", passages=passages),)),
                    Thresholds(max_candidates=5))
    assert engine.ask("projet commun sujet37").passage_id == "p37"
    assert len(engine.ask("projet commun").candidates) <= 5


def test_a_word_of_the_other_language_counts_for_less_when_the_language_is_clear(write_knowledge):
    engine = build_engine([write_knowledge("""\
        sections:
        - id: s
          heading: Le numérique
          passages:
          - id: era
            text: Nous vivons l’ère numérique.
            translation: We live in the digital age.
          - id: people
            text: L’âge moyen des équipes baisse.
            translation: The average age of teams is falling.
        """)])
    french = {c.passage_id: c.score for c in engine.ask("Quel est l'âge ?").candidates}
    english = {c.passage_id: c.score for c in engine.ask("What is the age?").candidates}
    assert french["people"] > french["era"], "the French question matches the French text first"
    assert english["era"] > french["era"], "'age' of the English translation counts fully in English only"


def test_a_list_item_answered_alone_reads_as_a_sentence_and_keeps_its_source_verbatim(engine):
    answer = engine.ask("Is the CTO in charge of security?")
    assert answer.passage_id == "missions-security"
    assert answer.text.startswith("IT security") and answer.text.endswith("cyberattacks.")
    assert answer.source == engine.knowledge.passage("missions-security").text and answer.source.endswith(";")


def test_a_passage_ending_with_a_colon_but_listing_nothing_is_answered_with_what_follows_it(write_knowledge):
    engine = build_engine([write_knowledge("""\
lang: en
sections:
- id: notes
  heading: Notes
  passages:
  - {id: notes-1, text: "Remember the two rules:"}
  - {id: notes-2, text: "lock the door"}
  - {id: notes-3, text: "switch off the lights"}
- id: other
  heading: Other
  passages:
  - {id: other-1, text: "Nothing else matters here."}
""")])
    answer = engine.answer_passage("notes-1", "en")
    assert answer.passage_id == "notes-1" and not answer.text.endswith(":")
    assert answer.items == ("lock the door", "switch off the lights")


@pytest.mark.parametrize("question, lead_in", [
    ("Quelles études et quelle expérience pour devenir CTO ?", "become-overview"),
    ("Le CTO gère-t-il la sécurité et le budget ?", "missions-overview"),
])
def test_two_items_of_one_list_asked_together_get_the_whole_list(engine, question, lead_in):
    answer = engine.ask(question)
    assert answer.passage_id == lead_in and len(answer.items) == 3
    assert engine.ask("Qui gère le budget ?").passage_id == "missions-budget"  # one item alone stays one item

"""Property tests: any text in, no exception, a bounded reply; the project's question set as a regression."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.answer import Outcome
from bot.core.text import MAX_QUESTION_CHARS, fold
from bot.tools.evaluate import default_questions_path, evaluate, load_cases

MAX_REPLY_CHARS = 4000

words = st.sampled_from(["cto", "CTO", "compétences", "budget", "devenir", "salaire", "<@U123>", "@everyone",
                         "<!channel>", "**gras**", "l’entreprise", "\u00a0", "🙂", "\x00", "DSI", "pdg"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_text_gets_a_bounded_reply_without_raising(engine, text):
    answer = engine.ask(text)
    assert isinstance(answer.outcome, Outcome)
    assert 0 <= answer.score <= 100
    assert len(answer.question) <= MAX_QUESTION_CHARS
    assert 0 < len(answer.text) <= MAX_REPLY_CHARS
    assert answer.lang in ("fr", "en")
    json.dumps(answer.to_json())
    assert (answer.section is not None) == answer.matched == (answer.source is not None)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(words, max_size=12).map(" ".join))
def test_mixtures_of_known_words_and_markup_never_raise(engine, text):
    answer = engine.ask(text)
    assert len(answer.text) <= MAX_REPLY_CHARS
    for suggestion in answer.suggestions:
        assert engine.knowledge.passage(suggestion.passage_id) is not None


@given(st.text(max_size=200))
def test_folding_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


def test_the_project_question_set_stays_above_its_regression_bar(engine):
    result = evaluate(engine, *load_cases(default_questions_path()))
    assert result.accuracy >= 0.88, result.failures
    for category, (right, total) in result.by_category.items():
        assert right / total >= 0.75, (category, result.failures)
    assert result.by_category["unanswerable"][0] + result.by_category["offtopic"][0] >= \
        result.by_category["unanswerable"][1] + result.by_category["offtopic"][1] - 1, "no confident wrong answers"

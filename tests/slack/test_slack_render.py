"""Rendering answers as Block Kit, and reading questions out of Slack markup."""

from __future__ import annotations

import doctest
import json
import re
import uuid
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.slack import mrkdwn, redelivery
from adapters.slack.mrkdwn import chunks, escape, plain_text, unescape
from adapters.slack.render import (
    BUTTON_LIMIT,
    SECTION_LIMIT,
    VALUE_LIMIT,
    VOTES,
    FeedbackChoice,
    SuggestionChoice,
    answer_blocks,
    answer_message,
)
from bot.bootstrap import build_engine
from bot.core.answer import Answer, Outcome, Suggestion
from bot.core.engine import Engine

LIVE = ("<!", "<@", "<#", "<http")


@pytest.mark.parametrize("module", [mrkdwn, redelivery])
def test_the_examples_in_the_docstrings_hold(module):
    assert doctest.testmod(module).failed == 0


def all_texts(blocks: list[dict]) -> list[str]:
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts.extend(e["text"] if isinstance(e["text"], str) else e["text"]["text"]
                     for e in block.get("elements", []))
    return texts


@pytest.mark.parametrize(("slack", "question"), [
    ("<@U123> Que fait un CTO ?", "Que fait un CTO ?"),
    ("<@U123|cto-bot>: R&amp;D &lt;et&gt; CTO", ": R&D <et> CTO"),
    ("voir <https://example.com/cto|cet article> et <https://example.com>", "voir cet article et https://example.com"),
    ("<!here> <!channel> <!subteam^S1|@devs> dans <#C1|general>", "@devs dans #general"),
    ("&amp;lt;", "&lt;"),
])
def test_reads_the_question_out_of_slack_markup(slack: str, question: str):
    assert plain_text(slack) == question


def test_a_long_answer_is_split_into_sections_within_slacks_limit():
    text = ("Le CTO & l’équipe <tech>. " * 400).strip()
    answer = Answer(question="q", outcome=Outcome.ANSWER, text=text, lang="fr", score=91.6, section="Le rôle",
                    passage_id="p")

    blocks = answer_blocks(answer)

    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) > 1
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in sections)
    assert unescape(" ".join(b["text"]["text"] for b in sections)) == text
    assert blocks[-1] == {"type": "context", "elements": [
        {"type": "mrkdwn", "text": "Source : _Le rôle_ · confiance : 92 %", "verbatim": True}]}


def test_an_english_answer_has_an_english_source_line():
    answer = Answer(question="q", outcome=Outcome.ANSWER, text="t", lang="en", score=70, section="Le rôle",
                    passage_id="p")

    assert answer_blocks(answer)[-1]["elements"][0]["text"] == "Source: _Le rôle_ · confidence: 70%"


def test_suggestions_become_buttons_that_carry_the_passage_and_language():
    long_question = "Quelles études " * 20
    answer = Answer(question="q", outcome=Outcome.SUGGEST, text="Vouliez-vous dire…", lang="en", score=50,
                    suggestions=(Suggestion("What studies?", "become-studies", "Devenir"),
                                 Suggestion(long_question, "become-experience", "Devenir")))

    [actions] = [b for b in answer_blocks(answer) if b["type"] == "actions"]

    first, second = actions["elements"]
    assert first["text"]["text"] == "What studies?"
    assert SuggestionChoice.decode(first["value"]) == SuggestionChoice("become-studies", "en")
    assert len(second["text"]["text"]) <= BUTTON_LIMIT
    assert first["action_id"] != second["action_id"]


def test_a_recorded_answer_gets_thumbs_up_and_down_carrying_the_answer_and_passage():
    answer = Answer(question="q", outcome=Outcome.ANSWER, text="t", lang="en", score=90, section="Le rôle",
                    passage_id="p" * 500, answer_id=uuid.uuid4().hex)

    *_, context, feedback = answer_blocks(answer)

    assert context["type"] == "context"
    up, down = feedback["elements"]
    assert [up["text"]["text"], down["text"]["text"]] == ["👍", "👎"]
    assert [VOTES[up["action_id"]], VOTES[down["action_id"]]] == [1, -1]
    assert FeedbackChoice.decode(up["value"]) == FeedbackChoice(answer.answer_id or "", "p" * 200, "en")
    assert up["value"] == down["value"] and len(up["value"]) <= VALUE_LIMIT
    assert up["accessibility_label"] == "This answer helped"


def test_only_recorded_answers_get_feedback_buttons(engine: Engine):
    unrecorded = engine.ask("Que fait un CTO ?")
    suggestion = replace(engine.ask("études expérience"), answer_id="a1")

    assert unrecorded.matched and all(b.get("block_id") != "feedback" for b in answer_blocks(unrecorded))
    assert [b.get("block_id") for b in answer_blocks(suggestion) if b["type"] == "actions"] == ["suggestions"]


def test_refuses_a_button_value_that_is_not_feedback():
    with pytest.raises(ValueError):
        FeedbackChoice.decode(SuggestionChoice("p", "fr").encode())


def test_a_decline_shows_no_source_and_no_buttons(engine: Engine):
    answer = engine.ask("Quelle est la recette de la pizza ?")

    assert [b["type"] for b in answer_blocks(answer)] == ["section"]


def test_refuses_a_button_value_that_is_not_a_suggestion():
    with pytest.raises(ValueError):
        SuggestionChoice.decode("not json")
    with pytest.raises(ValueError):
        SuggestionChoice.decode(json.dumps({"passage": "x"}))


@given(st.text())
def test_any_question_renders_within_limits_and_without_live_markup(text: str):
    answer = Answer(question=text, outcome=Outcome.SUGGEST, text=text * 3, lang="fr", score=50, section=text,
                    suggestions=(Suggestion(text, "id", text),))

    message = answer_message(answer, echo_question=True)

    assert len(message.text) <= 3000
    assert len(message.blocks) <= 50
    for piece in [message.text, *all_texts(message.blocks)]:
        assert 0 < len(piece) <= SECTION_LIMIT
        assert "<" not in piece and ">" not in piece


@given(st.text(alphabet="ab &<>\n", max_size=400), st.integers(min_value=5, max_value=40))
def test_chunks_never_cut_an_escape_and_lose_nothing(text: str, limit: int):
    pieces = chunks(escape(text), limit)

    assert all(0 < len(p) <= limit for p in pieces)
    assert all(re.fullmatch(r"(?:[^&]|&amp;|&lt;|&gt;)*", p) for p in pieces)
    assert "".join(unescape(p) for p in pieces).replace(" ", "").replace("\n", "") == \
        text.replace(" ", "").replace("\n", "")


@given(st.text())
def test_reading_a_question_never_fails(text: str):
    assert isinstance(plain_text(text), str)


def test_every_installed_passage_renders_within_slacks_limits():
    installed = build_engine()
    for passage in installed.knowledge.passages:
        for lang in ("fr", "en"):
            answer = replace(installed.answer_passage(passage.id, lang), answer_id=uuid.uuid4().hex)
            message = answer_message(answer)

            assert [b["type"] for b in message.blocks[-2:]] == ["context", "actions"], passage.id
            assert all(0 < len(t) <= SECTION_LIMIT for t in [message.text, *all_texts(message.blocks)])
            assert all("<" not in t for t in [message.text, *all_texts(message.blocks)])
            assert all(len(b["value"]) <= VALUE_LIMIT for b in message.blocks[-1]["elements"])
    assert installed.help("fr").topics, "the help lists the installed topics"

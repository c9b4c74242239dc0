"""Autocomplete prepared once per knowledge: a word index picks the candidates when the questions are many."""

from __future__ import annotations

import random

import pytest

from bot.core.completion import FULL_SCAN, Completions
from bot.core.engine import Engine
from bot.core.matching import rank
from bot.infra.loader import load_knowledge
from bot.tools.bench import synthetic_document, write_yaml


@pytest.fixture(scope="module")
def many() -> list[str]:
    document = synthetic_document(800)
    return [q for s in document["sections"] for p in s["passages"] for q in p["questions"]["fr"]]


def test_few_questions_are_ranked_exactly_as_a_full_scan():
    questions = ["Combien gagne un CTO ?", "Que fait un CTO ?", "Quelles compétences pour un CTO ?",
                 "Comment devenir CTO ?", "Le CTO gère-t-il le budget ?"]
    completions = Completions(questions)
    for typed in ("comb gagne", "cto", "budg", "Comment dev", "xyz"):
        assert completions.rank(typed, 3) == [key for key, _ in rank(typed, dict(enumerate(questions)), 3)]


def test_the_beginning_of_a_question_finds_it_among_many_as_often_as_a_full_scan(many):
    assert len(many) > FULL_SCAN
    completions = Completions(many)
    everything = dict(enumerate(many))
    found = full = 0
    for question in random.Random(5).sample(many, 40):
        first, second, third = question.split()[:3]
        typed = f"{first} {second} {third[:3]}"
        found += question in [completions.questions[n] for n in completions.rank(typed, 10)]
        full += question in [many[key] for key, _ in rank(typed, everything, 10)]
    assert found >= full and found >= 36


def test_a_typo_in_every_word_still_finds_the_question_among_many(many):
    completions = Completions(many)
    question = many[123]
    typo = " ".join(w[0] + w[2] + w[1] + w[3:] if len(w) > 3 else w for w in question.split()[:-1])
    assert question in [completions.questions[n] for n in completions.rank(typo, 10)]


def test_an_empty_or_punctuation_only_text_completes_nothing(many):
    assert Completions(many).rank("  ?! ", 5) == []


def test_the_engine_completes_among_many_questions_from_its_prepared_index(tmp_path):
    engine = Engine(load_knowledge([write_yaml(synthetic_document(800), tmp_path / "kb.yaml")]))
    question = engine.knowledge.passages[321].questions_fr[0]
    typed = " ".join(question.split()[:2])
    assert question in [s.question for s in engine.complete(typed)]
    assert engine.complete(typed) == engine.complete(typed)  # prepared once, then the same answer

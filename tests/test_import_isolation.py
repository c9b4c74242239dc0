"""Documents do not disturb each other: importing documents on other subjects changes no answer of the
shipped question sets (each document is matched with its own index and statistics)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.answer import Outcome
from bot.core.engine import Engine
from bot.infra.loader import load_knowledge
from bot.tools.importer import format_of, skeleton, to_yaml
from tests.conftest import REPO

FIXTURES = Path(__file__).parent / "fixtures"


def import_fixtures(folder: Path) -> None:
    """Import every fixture document into ``folder``, with no hand edit."""
    for source in sorted(FIXTURES.iterdir()):
        text = skeleton(source.read_text(encoding="utf-8"), fmt=format_of(source),
                        prefix=source.name.split(".")[0] + "-")
        (folder / f"{source.stem}.yaml").write_text(to_yaml(text), encoding="utf-8")


@pytest.mark.parametrize("question_set", ["questions.yaml", "real-questions.yaml"])
def test_importing_unrelated_documents_changes_no_answer_of_the_shipped_question_sets(tmp_path, question_set):
    import_fixtures(tmp_path)
    alone = Engine(load_knowledge([REPO / "knowledge"]))
    together = Engine(load_knowledge([REPO / "knowledge", tmp_path]))
    cases = yaml.safe_load((REPO / "bot" / question_set).read_text(encoding="utf-8"))["cases"]
    changed = []
    for case in cases:
        before, after = alone.ask(case["q"]), together.ask(case["q"])
        # an answer stays the same answer and a question not answered stays unanswered; what the bot offers
        # instead (a suggestion from the new documents, or a decline) may change, since it now knows more
        if (before.matched, before.passage_id) != (after.matched, after.passage_id):
            changed.append(f"{case['q']!r}: {before.outcome.value} {before.passage_id} -> "
                           f"{after.outcome.value} {after.passage_id}")
    assert not changed, f"{len(changed)} of {len(cases)} answers changed:\n" + "\n".join(changed)


def test_a_question_naming_what_only_another_document_knows_is_not_answered_from_this_one(tmp_path):
    import_fixtures(tmp_path)
    engine = Engine(load_knowledge([REPO / "knowledge", tmp_path]))
    for question in ("Quelles compétences faut-il pour réussir son compost ?", "Quel budget pour un compost ?"):
        answer = engine.ask(question)
        assert answer.outcome is not Outcome.ANSWER, (question, answer.passage_id)
    assert engine.ask("Quelles compétences faut-il pour être CTO ?").passage_id == "skills-overview"
    # a word another document is about ("met", the compost's « mettre ») beside this one's subject ("CTO")
    assert engine.ask("Le CTO met-il en place la sécurité ?").passage_id == "missions-security"
    assert engine.ask("Quand le compost est-il mûr ?").outcome is Outcome.ANSWER

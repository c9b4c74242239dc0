"""Documents do not disturb each other: importing documents on other subjects changes no answer of the
shipped question sets (each document is matched with its own index and statistics)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.engine import Engine
from bot.infra.loader import load_knowledge
from bot.tools.importer import format_of, skeleton, to_yaml
from tests.conftest import REPO

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("question_set", ["questions.yaml", "real-questions.yaml"])
def test_importing_unrelated_documents_changes_no_answer_of_the_shipped_question_sets(tmp_path, question_set):
    for source in sorted(FIXTURES.iterdir()):
        text = skeleton(source.read_text(encoding="utf-8"), fmt=format_of(source),
                        prefix=source.name.split(".")[0] + "-")
        (tmp_path / f"{source.stem}.yaml").write_text(to_yaml(text), encoding="utf-8")
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

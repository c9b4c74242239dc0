"""Questions written blind (by someone who had read neither the documents' YAML nor the code), as regression
floors: on documents imported with no hand edit (what a maintainer gets from `cto-bot import` alone), and in a
chat style on the shipped knowledge."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bootstrap import build_engine
from bot.tools.evaluate import evaluate, load_cases
from bot.tools.importer import format_of, read_source, skeleton, to_yaml

BLIND = Path(__file__).with_name("blind")
DOCUMENTS = ("onboarding.en.md", "velo.fr.txt", "sleep.en.html", "potager.fr.md")


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """The four documents imported into one folder, as `cto-bot import` writes them."""
    folder = tmp_path_factory.mktemp("blind")
    for name in DOCUMENTS:
        stem = name.split(".")[0]
        data = skeleton(read_source(BLIND / name), prefix=f"{stem}-", fmt=format_of(BLIND / name))
        (folder / f"{stem}.yaml").write_text(to_yaml(data), encoding="utf-8")
    return folder


def test_blind_questions_on_imported_documents_stay_above_their_floor(imported):
    right = total = wrong = 0
    failures = []
    for name in DOCUMENTS:
        stem = name.split(".")[0]
        engine = build_engine([imported / f"{stem}.yaml"])
        result = evaluate(engine, *load_cases(BLIND / f"{stem}.questions.yaml"))
        right += sum(r for r, _ in result.by_category.values())
        total += sum(n for _, n in result.by_category.values())
        wrong += sum("should not answer" in f[2] or "wrong section" in f[2] for f in result.failures)
        failures += result.failures
    print(f"blind imports: {right}/{total} right, {wrong} wrong answers")
    assert right / total >= 0.62, failures  # 65% (78/120) now; 59% at their first run
    assert wrong <= 5, failures  # 4 now: details the text is near to ("tubeless", "a cherry tomato variety")


def test_blind_chat_questions_on_the_shipped_knowledge_stay_above_their_floor(engine):
    result = evaluate(engine, *load_cases(BLIND / "cto-chat.questions.yaml"))
    assert result.accuracy >= 0.92, result.failures  # 96% (240/250); batches 5, 6, 7 at first run: 92, 92.5, 94.3%
    wrong = [f for f in result.failures if "should not answer" in f[2] or "wrong section" in f[2]]
    assert len(wrong) <= 1, wrong  # none now

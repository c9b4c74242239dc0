"""Active learning: what users picked or could not get answered becomes proposals in ``cto-bot report``;
``cto-bot learn`` writes one into the knowledge file, keeping its comments, and the running bot answers it."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from bot.infra.files import YamlFiles
from bot.infra.sqlstore import SqlStore
from bot.service.assistant import Assistant
from bot.service.reload import LiveEngine
from bot.service.store import Interaction
from bot.tools.importer import skeleton, to_yaml

FIXTURES = Path(__file__).parent / "fixtures"
ASKED = ["is tap water ok for plants", "can I give my plants tap water", "how much sun does a cactus need",
         "why are the leaves of my plant turning yellow", "when is the best season to change the pot"]
"""What users of the houseplant guide might ask; the tests need one that the imported guide only suggests."""
COMMENT = "# Houseplant care, imported from tests/fixtures/houseplants.en.md; keep this comment"


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    """The houseplant guide, imported, with a maintainer's comments, in a knowledge folder of its own."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    text = to_yaml(skeleton((FIXTURES / "houseplants.en.md").read_text(encoding="utf-8"), fmt="markdown",
                            prefix="plants-"))
    text = text.replace("  heading: Watering\n", "  heading: Watering   # the most asked section\n")
    (folder / "plants.yaml").write_text(f"{COMMENT}\n{text}", encoding="utf-8")
    return folder


@pytest.fixture
def suggested(guide: Path) -> tuple[str, str]:
    """A question the imported guide only suggests an answer to, and the passage it suggests first."""
    engine = LiveEngine(YamlFiles([guide])).current
    for question in ASKED:
        answer = engine.ask(question)
        if answer.outcome.value == "suggest" and answer.suggestions:
            return question, answer.suggestions[0].passage_id
    pytest.fail(f"the engine answers or declines every one of {ASKED}: add a question it only suggests")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CTO_BOT_DATA_DIR": str(tmp_path / "data")}


def store_of(env: dict[str, str]) -> SqlStore:
    """The store the CLI reads, for the settings in ``env``."""
    return SqlStore(f"sqlite:///{env['CTO_BOT_DATA_DIR']}/cto-bot.sqlite3")


def record(env: dict[str, str], *items: tuple[str, str, str | None]) -> None:
    """Record (question, outcome, passage id) as the conversation service does, in the store the CLI reads."""
    store = store_of(env)
    for n, (question, outcome, passage_id) in enumerate(items):
        store.record(Interaction(id=f"{outcome}-{n}", question=question, outcome=outcome, score=50.0,
                                 passage_id=passage_id, lang="en", platform="slack", channel_kind="dm"))


@pytest.fixture(autouse=True)
def _data_dir(env):
    Path(env["CTO_BOT_DATA_DIR"]).mkdir()


def test_a_picked_suggestion_is_proposed_learnt_and_then_answered_through_the_live_reload(cli, guide, env,
                                                                                         suggested):
    question, passage_id = suggested
    live = LiveEngine(YamlFiles([guide]), check_every=0)
    assistant = Assistant(live, recorder=store_of(env))
    for wording in (question, question.capitalize() + "?"):  # two users ask, each picks the first suggestion
        asked = assistant.ask(wording, platform="slack", channel_kind="dm")
        assert not asked.matched and asked.suggestions[0].passage_id == passage_id
        assistant.pick(passage_id, asked.lang, wording, platform="slack", channel_kind="dm")

    report = cli("report", "--knowledge", str(guide), env=env)
    assert report.status == 0, report.err
    assert f"[1] {passage_id} <- {question!r} (en; picked 2x" in report.out

    run = cli("learn", "--accept", "1", "--knowledge", str(guide), env=env)

    assert run.status == 0, run.out + run.err
    assert "learned:" in run.out and passage_id in run.out
    text = (guide / "plants.yaml").read_text(encoding="utf-8")
    assert text.startswith(COMMENT + "\n") and "heading: Watering   # the most asked section\n" in text
    assert f"      - {question}\n" in text
    reload = live.maybe_reload()
    assert reload is not None
    reload.join(timeout=30)
    after = live.current.ask(question)
    assert after.matched and after.passage_id == passage_id
    proposals = cli("report", "--knowledge", str(guide), env=env).out.split("Proposed alternate questions")[1]
    assert question not in proposals, "an accepted question is no longer proposed"


def test_learn_adds_the_question_and_changes_nothing_else(cli, guide, env):
    path = guide / "plants.yaml"
    before = path.read_text(encoding="utf-8")
    run = cli("learn", "plants-fertiliser-1", "When do I feed my plants?", "--knowledge", str(guide), env=env)
    assert run.status == 0, run.out + run.err
    after = path.read_text(encoding="utf-8")
    changed = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))[2:]
    assert changed[1:] == ["-      en: []", "+      en:", "+      - When do I feed my plants?"]
    assert not [p for p in guide.iterdir() if p.name != "plants.yaml"], "no temporary file left behind"
    run = cli("learn", "plants-fertiliser-1", "What dose of fertiliser?", "--knowledge", str(guide), env=env)
    assert run.status == 0, run.out
    assert path.read_text(encoding="utf-8") == after.replace(
        "      - When do I feed my plants?\n", "      - When do I feed my plants?\n      - What dose of fertiliser?\n")
    again = cli("learn", "plants-fertiliser-1", "when do i feed my plants?", "--knowledge", str(guide), env=env)
    assert again.status == 0 and "already has" in again.out


def test_unanswered_questions_whose_closest_passage_is_clear_are_proposed_with_counts(cli, guide, env):
    record(env, ("is water from the kitchen tap fine", "suggest", None),
           ("Is water from the kitchen tap fine?", "suggest", None),
           ("who won the football match", "decline", None))
    run = cli("report", "--knowledge", str(guide), "--format", "json", env=env)
    proposals = json.loads(run.out)["proposals"]
    assert [p["unanswered"] for p in proposals] == [2]
    assert proposals[0]["passage_id"] == "plants-watering-6"
    assert not any("football" in p["question"] for p in proposals)
    csv_rows = cli("report", "--knowledge", str(guide), "--format", "csv", env=env).out.splitlines()
    assert any(row.startswith("proposal,2,") and "plants-watering-6" in row and "cto-bot learn" in row
               for row in csv_rows)


def test_a_rejected_proposal_is_not_proposed_again(cli, guide, env, suggested):
    question, passage_id = suggested
    record(env, (question, "pick", passage_id))
    assert f"{passage_id} <- {question!r}" in cli("report", "--knowledge", str(guide), env=env).out
    run = cli("learn", "--reject", "1", "--knowledge", str(guide), env=env)
    assert run.status == 0 and "will not be proposed again" in run.out
    record(env, (question.upper() + " ??", "pick", passage_id))
    report = cli("report", "--knowledge", str(guide), "--since", "1d", env=env)
    assert f"{passage_id} <-" not in report.out
    assert "none" in report.out.split("Proposed alternate questions")[1].splitlines()[1]
    assert "1 questions" not in report.out.splitlines()[0], "picks and rejections are not counted as questions"


def test_learn_refuses_a_question_that_would_take_another_passage_s_questions(cli, write_knowledge, env):
    from tests.conftest import TINY_KNOWLEDGE

    path = write_knowledge(TINY_KNOWLEDGE)
    original = path.read_text(encoding="utf-8")
    run = cli("learn", "coffee-origin", "How long should green tea steep?", "--lang", "en",
              "--knowledge", str(path), env=env)
    assert run.status == 1
    assert run.out.startswith("refused:") and "tea-steeping" in run.out
    assert path.read_text(encoding="utf-8") == original
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_learn_names_an_unknown_passage_and_exits_2(cli, guide, env):
    run = cli("learn", "plants-nowhere", "How?", "--knowledge", str(guide), env=env)
    assert run.status == 2 and "no passage 'plants-nowhere'" in run.err


def test_learn_without_a_question_or_proposal_says_what_to_give(cli, guide, env):
    run = cli("learn", "--knowledge", str(guide), env=env)
    assert run.status == 2 and "--accept N" in run.err
    missing = cli("learn", "--accept", "7", "--knowledge", str(guide), env=env)
    assert missing.status == 2 and "no proposal 7" in missing.err


def test_the_numbers_of_a_report_stay_valid_while_its_proposals_are_accepted_or_rejected(cli, guide, env):
    record(env, ("is water from the kitchen tap fine", "suggest", None),
           ("Is water from the kitchen tap fine?", "suggest", None),
           ("what do plants eat", "pick", "plants-fertiliser-1"))
    report = cli("report", "--knowledge", str(guide), env=env).out
    assert "[1] plants-watering-6 <-" in report and "[2] plants-fertiliser-1 <-" in report
    assert cli("learn", "--accept", "1", "--knowledge", str(guide), env=env).status == 0
    rejected = cli("learn", "--reject", "2", "--knowledge", str(guide), env=env)
    assert rejected.status == 0 and "'what do plants eat'" in rejected.out
    again = cli("learn", "--accept", "1", "--knowledge", str(guide), env=env)
    assert again.status == 2 and "no proposal 1" in again.err

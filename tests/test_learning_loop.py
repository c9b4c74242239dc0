"""The learning loop: recorded outcomes and votes (SQLite and PostgreSQL), privacy, retention, the report,
and knowledge reload without a restart."""

from __future__ import annotations

import io
import json
import logging
import os
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from adapters.repl import Repl
from bot.bootstrap import build_assistant
from bot.infra.files import YamlFiles
from bot.infra.sqlstore import SqlStore
from bot.service.assistant import Assistant
from bot.service.reload import LiveEngine
from bot.service.store import BackgroundRecorder, Interaction, MemoryStore, Vote
from bot.tools.report import build_report, parse_since, render_csv, render_json, render_table
from tests.conftest import TINY_KNOWLEDGE, postgres_url


def _postgres_store() -> SqlStore:
    store = SqlStore(postgres_url())
    store.purge()
    return store


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request, tmp_path):
    """The same tests on every store: in memory, SQLite in a temp dir, and a real PostgreSQL server."""
    if request.param == "memory":
        yield MemoryStore()
        return
    sql = SqlStore(f"sqlite:///{tmp_path / 'cto-bot.sqlite3'}") if request.param == "sqlite" else _postgres_store()
    yield sql
    sql.purge()
    sql.close()


def interaction(question: str = "salaire cto", outcome: str = "decline", at: datetime | None = None,
                passage_id: str | None = None, platform: str = "slack") -> Interaction:
    return Interaction(id=uuid.uuid4().hex, question=question, outcome=outcome, score=30.0, passage_id=passage_id,
                       lang="fr", platform=platform, channel_kind="dm", at=at or datetime.now(UTC))


LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def test_outcomes_are_recorded_and_read_back(store):
    store.record(interaction("Comment devenir CTO ?", "answer", passage_id="become-overview"))
    store.record(interaction("salaire cto", "decline"))
    rows = store.interactions_since(LONG_AGO)
    assert [(r.question, r.outcome, r.passage_id) for r in rows] == [
        ("Comment devenir CTO ?", "answer", "become-overview"), ("salaire cto", "decline", None)]
    assert rows[0].at.tzinfo is not None


def test_a_vote_counts_once_per_user_and_answer_and_can_be_changed(store):
    store.record(Vote("answer-1", "missions-budget", "user-a", 1, "slack"))
    store.record(Vote("answer-1", "missions-budget", "user-a", -1, "slack"))
    store.record(Vote("answer-1", "missions-budget", "user-b", 1, "slack"))
    store.record(Vote("answer-2", "missions-budget", "user-a", -1, "slack"))
    votes = sorted((v.answer_id, v.user_hash, v.value) for v in store.votes_since(LONG_AGO))
    assert votes == [("answer-1", "user-a", -1), ("answer-1", "user-b", 1), ("answer-2", "user-a", -1)]


def test_retention_deletes_old_rows_only(store):
    old = datetime.now(UTC) - timedelta(days=100)
    store.record(interaction("old question", at=old))
    store.record(interaction("new question"))
    store.record(Vote("a", "p", "u", 1, "discord", at=old))
    assert store.prune(datetime.now(UTC) - timedelta(days=90)) == 2
    assert [r.question for r in store.interactions_since(LONG_AGO)] == ["new question"]
    assert store.votes_since(LONG_AGO) == []


def test_purge_deletes_everything(store):
    store.record(interaction())
    store.record(Vote("a", "p", "u", 1, "discord"))
    assert store.purge() == 2
    assert store.interactions_since(LONG_AGO) == [] and store.votes_since(LONG_AGO) == []


def test_no_raw_user_id_is_ever_stored(engine, tmp_path):
    path = tmp_path / "votes.sqlite3"
    store = SqlStore(f"sqlite:///{path}")
    assistant = Assistant(engine, recorder=store, salt=b"pepper")
    answer = assistant.ask("Comment devenir CTO ?", platform="slack", channel_kind="dm")
    assistant.vote(answer.answer_id, answer.passage_id, user_id="U0RAWUSER42", value=1, platform="slack")
    [vote] = store.votes_since(LONG_AGO)
    assert vote.user_hash != "U0RAWUSER42" and len(vote.user_hash) == 32
    store.close()
    assert b"U0RAWUSER42" not in path.read_bytes()


def test_the_same_user_hashes_alike_and_different_salts_hash_apart(engine):
    store = MemoryStore()
    first = Assistant(engine, recorder=store, salt=b"one")
    first.vote("a1", "p", user_id="U1", value=1, platform="slack")
    first.vote("a1", "p", user_id="U1", value=-1, platform="slack")
    Assistant(engine, recorder=store, salt=b"two").vote("a1", "p", user_id="U1", value=1, platform="slack")
    assert len(store.votes) == 2


class BrokenStore(MemoryStore):
    def record(self, item):
        raise ConnectionError("database is down")


def test_a_store_that_raises_does_not_stop_answers(engine, caplog):
    recorder = BackgroundRecorder(BrokenStore())
    assistant = Assistant(engine, recorder=recorder)
    with caplog.at_level(logging.ERROR):
        answer = assistant.ask("Comment devenir CTO ?")
        assert recorder.flush()
    assert answer.matched
    assert "could not record" in caplog.text and "database is down" in caplog.text


def test_a_store_that_cannot_be_reached_leaves_the_bot_answering_and_says_so_in_one_line(tmp_path, caplog):
    environ = {"DATABASE_URL": "postgresql://nobody:nothing@127.0.0.1:1/none", "CTO_BOT_DATA_DIR": str(tmp_path)}
    with caplog.at_level(logging.INFO, logger="bot"):
        assistant = build_assistant(None, environ)
        answers = [assistant.ask("Comment devenir CTO ?") for _ in range(3)]
        assert assistant.recorder.close() == 3
    assert all(answer.matched for answer in answers)
    [outage, lost] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "store is unavailable" in outage.getMessage() and "127.0.0.1" in outage.getMessage()
    assert lost.getMessage() == "stopped with 3 records not written to the store"
    assert not outage.exc_info and "nothing@" not in caplog.text


def test_learn_reject_with_a_store_that_is_down_says_which_store_in_one_line(cli):
    run = cli("learn", "--reject", "salaire du cto", env={"DATABASE_URL": "postgresql://bot:secret@127.0.0.1:1/none"})
    assert run.status == 2 and run.err.startswith("cto-bot: cannot reach the store at postgresql")
    assert "secret" not in run.err and len(run.err.splitlines()) == 1


def test_text_no_database_accepts_is_cleaned_before_it_is_stored(store):
    long_id = "p" * 300
    store.record(interaction("caf\udce9 au lait\x00 ?", passage_id=long_id))
    store.record(Vote("a" * 100, long_id, "user-\ud800", 1, "slack"))
    [row] = store.interactions_since(LONG_AGO)
    [vote] = store.votes_since(LONG_AGO)
    if isinstance(store, MemoryStore):
        assert row.passage_id == long_id  # nothing to clean in memory
    else:
        assert row.question == "caf\ufffd au lait ?" and row.passage_id == "p" * 200
        assert (vote.answer_id, vote.passage_id, vote.user_hash) == ("a" * 64, "p" * 200, "user-\ufffd")


def test_the_background_recorder_prunes_past_the_retention_period():
    store = MemoryStore()
    store.record(interaction(at=datetime.now(UTC) - timedelta(days=10)))
    recorder = BackgroundRecorder(store, retention=timedelta(days=7))
    recorder.record(interaction("fresh"))
    assert recorder.flush()
    assert [i.question for i in store.interactions] == ["fresh"]


def test_the_salt_is_generated_once_and_kept_locally(tmp_path):
    environ = {"CTO_BOT_DATA_DIR": str(tmp_path), "CTO_BOT_RECORD": "0"}
    first = build_assistant(None, environ)
    second = build_assistant(None, environ)
    assert first.salt == second.salt and len(first.salt) == 64
    assert (tmp_path / "salt").stat().st_mode & 0o077 == 0
    assert build_assistant(None, environ | {"CTO_BOT_SALT": "s3cret"}).salt == b"s3cret"


def test_the_repl_votes_on_its_last_answer(engine):
    store = MemoryStore()
    out = io.StringIO()
    commands = ":good\nComment devenir CTO ?\n:good\n:bad\n"
    Repl(Assistant(engine, recorder=store, salt=b"s"), stdin=io.StringIO(commands), stdout=out).run()
    assert "No answer to vote on yet" in out.getvalue()
    assert [i.platform for i in store.interactions] == ["repl"]
    [vote] = store.votes.values()
    assert vote.value == -1 and vote.passage_id == "become-overview"


# -- the report ---------------------------------------------------------------------------------------


def test_the_report_groups_near_duplicate_questions_and_suggests_the_nearest_passage(engine):
    rows = [interaction("salaire cto"), interaction("salaire d'un CTO ?"), interaction("Salaire du CTO"),
            interaction("qui gere l argent de la tech", "suggest"), interaction("Comment devenir CTO ?", "answer")]
    report = build_report(engine, rows, [], "7d")
    first = report.unanswered[0]
    assert first.count == 3 and set(first.wordings) == {"salaire cto", "salaire d'un CTO ?", "Salaire du CTO"}
    assert first.action.startswith("declined as out of scope (salary)")
    assert report.questions == 5 and report.answered == 1


def test_the_report_proposes_an_alternate_question_where_a_passage_is_close(engine):
    report = build_report(engine, [interaction("budget tech", "suggest")], [], "7d")
    [group] = report.unanswered
    assert group.closest_passage == "missions-budget"
    assert "alternate question of passage 'missions-budget'" in group.action


def test_the_report_ranks_the_answers_with_the_most_thumbs_down(engine):
    votes = [Vote("a1", "missions-budget", "u1", -1, "slack"), Vote("a2", "missions-budget", "u2", -1, "slack"),
             Vote("a3", "skills-overview", "u1", -1, "discord"), Vote("a4", "skills-overview", "u3", 1, "slack")]
    report = build_report(engine, [], votes, "7d")
    assert [(d.passage_id, d.down, d.up) for d in report.disliked] == [("missions-budget", 2, 0),
                                                                       ("skills-overview", 1, 1)]


def test_the_report_renders_as_a_table_json_and_csv(engine):
    report = build_report(engine, [interaction("salaire cto")], [Vote("a", "missions-budget", "u", -1, "x")], "7d")
    assert "salaire cto" in render_table(report) and "missions-budget" in render_table(report)
    assert json.loads(render_json(report))["unanswered"][0]["question"] == "salaire cto"
    assert render_csv(report).splitlines()[1].startswith("unanswered,1,salaire cto")


def test_report_reads_the_configured_store_and_purge_empties_it(cli, tmp_path):
    environ = {"CTO_BOT_DATA_DIR": str(tmp_path)}
    store = SqlStore(f"sqlite:///{tmp_path / 'cto-bot.sqlite3'}")
    store.record(interaction("salaire cto"))
    store.record(interaction("ancienne question", at=datetime.now(UTC) - timedelta(days=30)))
    run = cli("report", "--since", "7d", "--format", "json", env=environ)
    assert run.status == 0
    assert [g["question"] for g in json.loads(run.out)["unanswered"]] == ["salaire cto"]
    assert cli("report", "--purge", "--yes", env=environ).out.startswith("deleted 2 rows")
    assert json.loads(cli("report", "--format", "json", env=environ).out)["questions"] == 0


def test_a_bad_period_is_a_clear_error(cli, tmp_path):
    run = cli("report", "--since", "last week", env={"CTO_BOT_DATA_DIR": str(tmp_path)})
    assert run.status == 2 and "e.g. 7d" in run.err
    assert parse_since("2w") == timedelta(weeks=2)


# -- reload -------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_reload_picks_up_a_new_alternate_question_without_blocking_questions(write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    clock = Clock()
    live = LiveEngine(YamlFiles([path]), check_every=2.0, clock=clock)
    assistant = Assistant(live)
    assert not assistant.ask("Quelle boisson pour se réveiller ?").matched
    edited = TINY_KNOWLEDGE.replace('fr: ["Comment préparer un espresso ?"]',
                                    'fr: ["Comment préparer un espresso ?", "Quelle boisson pour se réveiller ?"]')
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(1, 1))
    clock.now = 1.0
    assert live.maybe_reload() is None, "modification times are checked at most every 2 s"
    clock.now = 5.0
    reloading = live.maybe_reload()
    assert reloading is not None
    reloading.join()
    assert assistant.ask("Quelle boisson pour se réveiller ?").passage_id == "coffee-brewing"
    assert live.maybe_reload() is None, "nothing changed since"


def test_a_broken_edit_keeps_the_last_good_knowledge_serving_and_logs_the_line(write_knowledge, caplog):
    path = write_knowledge(TINY_KNOWLEDGE)
    live = LiveEngine(YamlFiles([path]), check_every=0.0)
    path.write_text(TINY_KNOWLEDGE.replace("  - id: tea-steeping\n", "  - id: tea-steeping\n   broken: [\n"),
                    encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        assert live.reload() is False
    assert f"{path}:" in caplog.text and "still serving the last good one" in caplog.text
    assert Assistant(live).ask("how long should green tea steep").passage_id == "tea-steeping"


def test_questions_in_flight_never_see_a_half_loaded_index(write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    live = LiveEngine(YamlFiles([path]), check_every=0.0, settle=0.0)
    assistant = Assistant(live)
    failures: list[str] = []
    stop = threading.Event()

    def ask_forever() -> None:
        while not stop.is_set():
            answer = assistant.ask("how long should green tea steep")
            if answer.passage_id != "tea-steeping":
                failures.append(repr(answer))

    workers = [threading.Thread(target=ask_forever) for _ in range(3)]
    for worker in workers:
        worker.start()
    for _ in range(20):
        assert live.reload()
    stop.set()
    for worker in workers:
        worker.join()
    assert failures == []


def test_sighup_reloads_the_knowledge(write_knowledge):
    import signal

    from bot.bootstrap import reload_on_sighup

    path = write_knowledge(TINY_KNOWLEDGE)
    assistant = build_assistant([path], {"CTO_BOT_RECORD": "0", "CTO_BOT_RELOAD_SECONDS": "0",
                                         "CTO_BOT_DATA_DIR": str(path.parent / "data")})
    live = assistant._source
    previous = signal.getsignal(signal.SIGHUP)
    try:
        reload_on_sighup(assistant)
        engine_before = live.current
        reloaded = threading.Event()
        original = live.reload

        def reload_and_tell() -> bool:
            done = original()
            reloaded.set()
            return done

        live.reload = reload_and_tell
        os.kill(os.getpid(), signal.SIGHUP)
        assert reloaded.wait(10)
        assert live.current is not engine_before
    finally:
        signal.signal(signal.SIGHUP, previous)

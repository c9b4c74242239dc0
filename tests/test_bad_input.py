"""Every bad input ends in a clear message and the documented exit status, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bot.errors import KnowledgeError
from bot.infra import yaml_safety
from bot.infra.files import YamlFiles
from bot.infra.loader import load_knowledge
from bot.infra.sqlstore import SqlStore
from bot.service.assistant import Assistant
from bot.service.reload import LiveEngine
from bot.service.store import Interaction
from bot.tools.report import build_report, group_questions, render_csv
from tests.conftest import REPO, TINY_KNOWLEDGE, run_process

WITH_NUL = TINY_KNOWLEDGE.replace("heading: Le thé\n", "heading: Le th\x00é\n")
NUL_LINE = WITH_NUL.splitlines().index("  heading: Le th\x00é") + 1


# -- knowledge files ---------------------------------------------------------------------------------------

def test_a_nul_in_the_knowledge_stops_ask_with_its_file_and_line_and_status_2(cli, write_knowledge):
    path = write_knowledge(WITH_NUL)
    run = cli("ask", "--knowledge", str(path), "hello")
    assert run.status == 2
    assert f"{path}:{NUL_LINE}: control character U+0000 at column 17" in run.err
    assert "Traceback" not in run.err


def test_check_reports_a_control_character_as_one_more_knowledge_error(cli, write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE.replace("heading: Le café\n", "heading: Le \x07café\n"))
    run = cli("check", "--knowledge", str(path))
    assert run.status == 1
    assert f"error: {path}:3: control character U+0007" in run.out


@pytest.mark.parametrize("command", ["repl", "ask"])
def test_a_nul_in_the_knowledge_is_a_message_for_a_whole_process_too(command, write_knowledge):
    path = write_knowledge(WITH_NUL)
    run = run_process(command, "--knowledge", str(path), stdin="hello\n")
    assert run.returncode == 2, run.stderr
    assert f"{path}:{NUL_LINE}:" in run.stderr and "Traceback" not in run.stderr


def test_the_live_reload_keeps_serving_when_an_edit_brings_a_control_character(write_knowledge, caplog):
    path = write_knowledge(TINY_KNOWLEDGE)
    live = LiveEngine(YamlFiles([path]), check_every=0.0)
    path.write_text(WITH_NUL, encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        assert live.reload() is False
    assert f"{path}:{NUL_LINE}: control character" in caplog.text
    assert Assistant(live).ask("how long should green tea steep").passage_id == "tea-steeping"


def test_a_file_that_is_not_utf8_names_its_line_and_byte(write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    path.write_bytes(TINY_KNOWLEDGE.replace("Le café", "Le caf\udce9", 1).encode("utf-8", "surrogateescape"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge([path])
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:3: not UTF-8: byte 0xe9 at offset ")


def test_yaml_aliases_are_refused_with_their_line(write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE.replace("keywords: [expresso, machine]", "keywords: &kw [expresso]")
                           .replace('en: ["Where does coffee come from?"]',
                                    'en: ["Where does coffee come from?"]\n    keywords: *kw'))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge([path])
    assert caught.value.problems == [
        f"{path}:13: YAML anchor or alias &kw is not allowed in knowledge; write the text out in full",
        f"{path}:20: YAML anchor or alias *kw is not allowed in knowledge; write the text out in full"]


@pytest.mark.parametrize("keywords", ["[&kw expresso, *kw]", "[expresso, &kw machine,*kw]", "{a: &kw b}",
                                      "&kw\n      - expresso"])
def test_anchors_are_refused_wherever_they_stand(write_knowledge, keywords):
    path = write_knowledge(TINY_KNOWLEDGE.replace("keywords: [expresso, machine]", f"keywords: {keywords}"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge([path])
    assert "YAML anchor or alias &kw is not allowed" in caught.value.problems[0]


def test_an_ampersand_or_a_star_in_a_text_is_no_anchor(write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE.replace("keywords: [expresso, machine]", 'keywords: [R&D, "a * b", x*y]'))
    assert load_knowledge([path]).passages[0].keywords[:3] == ("R&D", "a * b", "x*y")


@pytest.mark.parametrize(("line", "maybe"), [
    ("    text: Un mot **gras** et *penché* ici", False), ("    text: 'R&D et *a* b'", False),
    ("    keywords: *kw", True), ("  - &kw", True), ("    keywords: [x, *kw]", True), ("    k: !!str &a b", True),
])
def test_only_where_a_node_starts_can_a_star_or_an_ampersand_be_an_alias_or_an_anchor(line, maybe):
    assert bool(yaml_safety._MAYBE_ANCHOR.search(line)) is maybe  # else the file is parsed a second time


def test_nested_aliases_cannot_blow_up_the_loader(write_knowledge):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 7)]
    path = write_knowledge(TINY_KNOWLEDGE.replace("keywords: [expresso, machine]", "keywords: *a6")
                           + "extra:\n" + "".join(f"  {level}\n" for level in levels))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge([path])
    assert len(caught.value.problems) == 51
    assert caught.value.problems[-1].startswith("… and ")


def test_errors_are_capped_with_a_count_of_the_rest(cli, write_knowledge):
    passages = "".join(f"  - id: p{n}\n" for n in range(120))
    path = write_knowledge(f"sections:\n- id: s\n  heading: S\n  passages:\n{passages}")
    run = cli("check", "--knowledge", str(path))
    errors = [line for line in run.out.splitlines() if line.startswith("error: ")]
    assert len(errors) == 51 and errors[-1] == "error: … and 70 more problem(s); fix these first"


# -- ask --json on stdin -----------------------------------------------------------------------------------

@pytest.mark.parametrize("env", [{}, {"PYTHONIOENCODING": "utf-8"}, {"LC_ALL": "C", "LANG": "C"}])
def test_ask_json_replaces_undecodable_bytes_and_keeps_one_valid_line_per_question(env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CTO_BOT_", "PYTHON", "LC_"))}
    run = subprocess.run([sys.executable, "-m", "bot", "ask", "--json"], input=b"caf\xe9 cto\nsalaire\xff\xfe\nok\n",
                         capture_output=True, env={**environ, **env}, cwd=REPO, timeout=60)
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    lines = run.stdout.decode("utf-8").splitlines()  # strict: the output must be valid UTF-8
    assert [json.loads(line)["question"] for line in lines] == ["caf\ufffd cto", "salaire\ufffd\ufffd", "ok"]


def test_ask_json_answers_a_line_holding_a_lone_surrogate(cli):
    run = cli("ask", "--json", stdin="bonjour \ud800 cto\n")
    assert run.status == 0
    assert json.loads(run.out)["question"] == "bonjour \ufffd cto"


# -- report ------------------------------------------------------------------------------------------------

def _unanswered(*questions: str) -> list[Interaction]:
    return [Interaction(id=str(n), question=q, outcome="decline", score=0.0, passage_id=None, lang="en",
                        platform="repl", channel_kind="terminal", at=datetime.now(UTC))
            for n, q in enumerate(questions)]


@pytest.mark.parametrize("question", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_report_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(engine, question):
    report = build_report(engine, _unanswered(question), [], "7d")
    [_, row] = list(csv.reader(io.StringIO(render_csv(report))))
    assert row[2] == "'" + question
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_report_grouping_puts_near_duplicates_together_most_frequent_first():
    questions = ["salaire du cto", "salaire cto", "salaire du CTO ?", "salair cto", "télétravail", "teletravail",
                 "stock options", "salaire cto"]
    groups = group_questions(questions)
    assert groups[0] == ["salaire cto", "salaire cto", "salaire du cto", "salaire du CTO ?", "salair cto"]
    assert sorted(map(sorted, groups[1:])) == [["stock options"], ["teletravail", "télétravail"]]


def test_report_with_an_unreachable_database_is_a_message_and_status_2(cli):
    run = cli("report", env={"DATABASE_URL": "postgresql://bot:secret@127.0.0.1:1/none"})
    assert run.status == 2
    assert "cannot reach the store" in run.err and "DATABASE_URL" in run.err
    assert "secret" not in run.err


def test_report_purge_needs_yes_when_stdin_is_not_a_terminal(cli, tmp_path):
    environ = {"CTO_BOT_DATA_DIR": str(tmp_path)}
    store = SqlStore(f"sqlite:///{tmp_path / 'cto-bot.sqlite3'}")
    store.record(_unanswered("salaire cto")[0])
    run = cli("report", "--purge", env=environ)
    assert run.status == 2 and "--yes" in run.err
    assert store.interactions_since(datetime(2000, 1, 1, tzinfo=UTC)), "nothing was deleted"
    assert cli("report", "--purge", "--yes", env=environ).out.startswith("deleted 1 rows")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("reply", "deleted"), [("y\n", True), ("yes\n", True), ("\n", False), ("no\n", False)])
def test_report_purge_asks_for_confirmation_on_a_terminal(tmp_path, reply, deleted):
    from bot.entrypoints.cli import main

    store = SqlStore(f"sqlite:///{tmp_path / 'cto-bot.sqlite3'}")
    store.record(_unanswered("salaire cto")[0])
    out = io.StringIO()
    status = main(["report", "--purge"], environ={"CTO_BOT_DATA_DIR": str(tmp_path)}, stdin=_Terminal(reply),
                  stdout=out, stderr=io.StringIO())
    assert status == 0
    assert "every recorded question and vote" in out.getvalue()
    assert ("deleted 1 rows" in out.getvalue()) is deleted
    assert bool(store.interactions_since(datetime(2000, 1, 1, tzinfo=UTC))) is not deleted


# -- other commands ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["bench", "--sizes", "0"], ["bench", "--sizes", "-5"], ["bench", "--repeat", "0"]])
def test_bench_refuses_sizes_and_repeats_below_one(argv):
    run = run_process(*argv)
    assert run.returncode == 2 and "must be a whole number of at least 1" in run.stderr
    assert "Traceback" not in run.stderr


def test_import_of_a_file_that_is_not_utf8_names_the_file_and_the_byte(cli, tmp_path):
    document = tmp_path / "latin1.md"
    document.write_bytes("# Le rôle\n\nLe CTO dirige l'équipe technique.\n".encode("latin-1"))
    run = cli("import", str(document))
    assert run.status == 2
    assert f"{document}: not UTF-8: byte 0xf4 at offset 6 (line 1)" in run.err


@pytest.mark.parametrize(("floor", "fails"), [("0.5", False), ("50", False), ("0", False), ("0.7", True),
                                              ("70", True), ("100", True)])
def test_eval_takes_the_minimum_accuracy_as_a_fraction_or_a_percentage(cli, tmp_path, floor, fails):
    questions = tmp_path / "q.yaml"
    questions.write_text('sections: {role: "Le rôle du CTO"}\ncases:\n'
                         '- {q: "How do I bake bread?", expect: role, cat: en}\n'
                         '- {q: "Bonjour", expect: none, cat: smalltalk}\n'
                         '- {q: "Bonsoir", expect: none, cat: smalltalk}\n', encoding="utf-8")
    run = cli("eval", str(questions), "--min-accuracy", floor)
    assert run.status == (1 if fails else 0)
    if fails:
        assert "accuracy 66.7% is below the minimum" in run.out, run.out


def test_eval_passes_at_a_percentage_floor_it_meets(cli):
    assert cli("eval", "--min-accuracy", "80").status == 0


@pytest.mark.parametrize("floor", ["-1", "101", "lots"])
def test_eval_refuses_a_minimum_accuracy_out_of_range(floor):
    run = run_process("eval", "--min-accuracy", floor)
    assert run.returncode == 2 and "--min-accuracy" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("content", [b"sections: {a: A}\ncases: [\x00]\n", b"sections: {a: \xe9}\ncases: []\n"])
def test_eval_of_a_question_file_it_cannot_read_is_a_message_and_status_2(cli, tmp_path, content):
    questions = tmp_path / "q.yaml"
    questions.write_bytes(content)
    run = cli("eval", str(questions))
    assert run.status == 2 and f"{questions}:1: not a question file" in run.err

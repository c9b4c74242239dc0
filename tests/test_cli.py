"""The ``cto-bot`` command line, in-process and as whole processes, through its public contract."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SEED, TINY_KNOWLEDGE, run_process

JSON_FIELDS = {"question", "outcome", "matched", "section", "passage_id", "source", "answer", "lang", "score",
               "suggestions"}


def test_ask_json_prints_one_object_with_every_contract_field(cli):
    run = cli("ask", "--json", "Quelle formation pour devenir CTO ?")
    assert run.status == 0
    reply = json.loads(run.out)
    assert JSON_FIELDS <= reply.keys()
    assert reply["outcome"] == "answer" and reply["matched"] is True
    assert reply["section"] == "Comment devenir CTO ?"
    assert "formation" in reply["source"] and reply["passage_id"]
    assert reply["lang"] == "fr" and 0 <= reply["score"] <= 100


def test_ask_json_leaves_section_and_source_null_when_not_answering(cli):
    reply = json.loads(cli("ask", "--json", "How do I bake bread?").out)
    assert reply["outcome"] == "decline" and reply["matched"] is False
    assert reply["section"] is None and reply["source"] is None and reply["passage_id"] is None
    assert reply["answer"]


def test_ask_json_reads_one_question_per_line_and_answers_in_order(cli):
    questions = ["Bonjour", "", "cto skils", "How do I bake bread?", "Quel est le rôle du CTO ?"]
    run = cli("ask", "--json", stdin="\n".join(questions) + "\n")
    replies = [json.loads(line) for line in run.out.splitlines()]
    assert [r["question"] for r in replies] == questions
    assert [r["outcome"] for r in replies] == ["smalltalk", "smalltalk", "answer", "decline", "answer"]


def test_ask_prints_a_plain_reply_with_its_source(cli):
    run = cli("ask", "What", "training", "does", "a", "CTO", "need?")
    assert run.status == 0
    assert "Comment devenir CTO ?" in run.out and "score" in run.out


def test_the_knowledge_option_points_at_other_documents(cli, write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    reply = json.loads(cli("ask", "--json", "--knowledge", str(path), "how long should green tea steep").out)
    assert reply["passage_id"] == "tea-steeping"
    reply = json.loads(cli("ask", "--json", "how long should green tea steep",
                           env={"CTO_BOT_KNOWLEDGE": str(path.parent)}).out)
    assert reply["passage_id"] == "tea-steeping"


def test_broken_knowledge_stops_with_its_file_and_line_and_status_2(cli, write_knowledge):
    path = write_knowledge("sections:\n- id: a\n  heading: A\n")
    run = cli("ask", "--knowledge", str(path), "hello")
    assert run.status == 2
    assert f"{path}:2: section 'a' has no 'passages'" in run.err


def test_check_passes_on_the_shipped_knowledge(cli):
    run = cli("check")
    assert run.status == 0
    assert "ok: 7 sections" in run.out


def test_check_fails_with_one_line_per_problem(cli, write_knowledge):
    path = write_knowledge("sections:\n- id: a\n  heading: A\n  passages:\n  - id: a-1\n  - text: no id\n")
    run = cli("check", "--knowledge", str(path))
    assert run.status == 1
    assert f"error: {path}:5: passage 'a-1' has no 'text'" in run.out
    assert f"error: {path}:6: a passage has no 'id'" in run.out


def test_import_writes_a_skeleton_that_check_accepts(cli, tmp_path):
    out = tmp_path / "seed.yaml"
    assert cli("import", str(SEED), "-o", str(out)).status == 0
    run = cli("check", "--knowledge", str(out))
    assert run.status == 0 and "13 passages" in run.out


def test_eval_prints_accuracy_per_category_and_latency(cli):
    run = cli("eval", "--min-accuracy", "0.8")
    assert run.status == 0
    assert "accuracy" in run.out and "p50" in run.out and "p99" in run.out
    for category in ("fr", "en", "typo", "unanswerable", "offtopic", "smalltalk"):
        assert category in run.out


def test_eval_exits_1_below_the_minimum_accuracy(cli, tmp_path):
    questions = tmp_path / "q.yaml"
    questions.write_text('sections: {role: "Le rôle du CTO"}\ncases:\n'
                         '- {q: "How do I bake bread?", expect: role, cat: en}\n', encoding="utf-8")
    run = cli("eval", str(questions), "--min-accuracy", "0.5")
    assert run.status == 1
    assert "FAIL [en] 'How do I bake bread?'" in run.out


@pytest.mark.parametrize("command", ["repl", "ask", "check", "import", "eval", "bench", "slack", "discord"])
def test_every_subcommand_has_help(command):
    run = run_process(command, "--help")
    assert run.returncode == 0 and "usage: cto-bot" in run.stdout


def test_ask_as_a_process_never_imports_slack_or_discord():
    probe = ("import sys, io; from bot.entrypoints.cli import main; main(['ask', '--json', 'devenir cto'], "
             "stdout=io.StringIO()); print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('slack_bolt', 'slack_sdk', 'discord', 'aiohttp')))")
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_the_scorer_contract_holds_for_a_whole_process_from_any_directory(tmp_path):
    run = run_process("ask", "--json", stdin="Quelles sont les missions du CTO ?\nzzzz\n", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    first, second = (json.loads(line) for line in run.stdout.splitlines())
    assert first["matched"] is True and first["section"] == "Les missions du CTO"
    assert second["matched"] is False


# -- version and logs ------------------------------------------------------------------------------------

def test_version_comes_from_the_installed_package():
    from importlib.metadata import version

    run = run_process("--version")
    assert run.returncode == 0
    assert run.stdout.strip() == f"cto-bot {version('cto-bot')}"


@pytest.fixture
def root_logging():
    """Put the root logger back as it was after a test that lets ``main`` configure it."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def _log_lines_after(argv: list[str], environ: dict[str, str]) -> tuple[int, list[str]]:
    import io
    import logging

    from bot.entrypoints.cli import main

    err = io.StringIO()
    status = main(argv, environ=environ, stdin=io.StringIO(), stdout=io.StringIO(), stderr=err)
    logging.getLogger("bot.probe").debug("debug %s", "probe")
    logging.getLogger("bot.probe").info("info %s", "probe")
    logging.getLogger("bot.probe").warning("warning %s", "probe")
    # only the probe's lines: the command's own (e.g. "engine cache written", when there was none) vary
    return status, [line for line in err.getvalue().splitlines() if "bot.probe" in line]


def test_logs_are_json_lines_on_request(root_logging):
    status, lines = _log_lines_after(["--log-level", "info", "ask", "bonjour"], {"CTO_BOT_LOG_FORMAT": "json"})
    assert status == 0
    records = [json.loads(line) for line in lines]
    assert [(r["level"], r["logger"], r["message"]) for r in records] == [("INFO", "bot.probe", "info probe"),
                                                                          ("WARNING", "bot.probe", "warning probe")]
    assert all(r["time"].endswith("+00:00") for r in records)


def test_the_log_level_comes_from_the_option_after_the_command_or_the_environment(root_logging):
    _, lines = _log_lines_after(["ask", "--log-level", "DEBUG", "bonjour"], {})
    assert [line.split(" ", 2)[2] for line in lines] == ["DEBUG bot.probe: debug probe", "INFO bot.probe: info probe",
                                                         "WARNING bot.probe: warning probe"]
    _, lines = _log_lines_after(["ask", "bonjour"], {"CTO_BOT_LOG_LEVEL": "error"})
    assert lines == []
    _, lines = _log_lines_after(["ask", "bonjour"], {})
    assert [line.split(" ", 2)[2] for line in lines] == ["WARNING bot.probe: warning probe"]


@pytest.mark.parametrize(("variable", "value"), [("CTO_BOT_LOG_LEVEL", "loud"), ("CTO_BOT_LOG_FORMAT", "xml")])
def test_a_bad_log_setting_is_a_message_and_status_2(cli, variable, value):
    run = cli("ask", "bonjour", env={variable: value})
    assert run.status == 2 and variable in run.err

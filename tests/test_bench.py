"""``cto-bot bench``: its inputs are checked, its synthetic knowledge is valid, and it prints every figure."""

from __future__ import annotations

import io

import pytest

from bot.infra.loader import load_knowledge
from bot.tools.bench import Progress, synthetic_document, synthetic_questions, write_yaml
from tests.conftest import TINY_KNOWLEDGE, run_process


@pytest.mark.parametrize("sizes", [["0"], ["-5"], ["1000", "x"]])
def test_sizes_must_be_whole_numbers_of_at_least_one(sizes):
    done = run_process("bench", "--sizes", *sizes)
    assert done.returncode == 2
    assert "must be a whole number of at least 1" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("size", [1, 25, 130])
def test_synthetic_knowledge_has_the_size_asked_and_loads(tmp_path, size):
    knowledge = load_knowledge([write_yaml(synthetic_document(size), tmp_path / "kb.yaml")])
    assert len(knowledge.passages) == size
    assert len({p.id for p in knowledge.passages}) == size
    assert len(synthetic_questions(knowledge, count=30)) == 30


def test_synthetic_words_follow_a_long_tail(tmp_path):
    document = synthetic_document(200)
    words = [w for s in document["sections"] for p in s["passages"] for w in p["text"].split()]
    counts = sorted((words.count(w) for w in set(words)), reverse=True)
    assert counts[0] > 10 * counts[len(counts) // 2]


def test_bench_prints_every_figure_for_synthetic_and_real_knowledge(write_knowledge):
    folder = write_knowledge(TINY_KNOWLEDGE).parent
    done = run_process("bench", "--sizes", "30", "--real", str(folder), "--repeat", "1")
    assert done.returncode == 0, done.stderr
    assert f"real knowledge {folder} (3 passages)" in done.stdout
    assert "synthetic knowledge (30 passages)" in done.stdout
    for figure in ("cold build", "cache load", "answer p50", "during a reload", "built in a child process",
                   "autocomplete p50", "with a warm cache", "peak memory"):
        assert done.stdout.count(figure) >= 2, figure
    assert done.stderr == ""  # no progress when stderr is not a terminal


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only():
    terminal, pipe = Terminal(), io.StringIO()
    Progress(terminal)("cold build")
    Progress(pipe)("cold build")
    assert "cold build" in terminal.getvalue()
    assert pipe.getvalue() == ""

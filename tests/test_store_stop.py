"""Nothing recorded is lost when a bot stops: every way out writes what is still queued for the store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO

QUESTIONS = ["Comment devenir CTO ?", "salaire du cto", "What does a CTO do?", "qui gère le budget tech ?",
             "quelles compétences pour un CTO", "bonjour le monde"]
PROMPT = "cto-bot> "


def _repl(data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CTO_BOT_DATA_DIR": str(data_dir), "CTO_BOT_RELOAD_SECONDS": "0"}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "bot", "repl", "--no-history"], cwd=REPO, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_prompts(process: subprocess.Popen[str], count: int) -> threading.Event:
    """An event set once the REPL has printed ``count`` prompts, i.e. answered ``count - 1`` lines."""
    seen = threading.Event()

    def read() -> None:
        prompts, tail = 0, ""
        while chunk := os.read(process.stdout.fileno(), 65536):  # type: ignore[union-attr]
            text = tail + chunk.decode(errors="replace")
            prompts += text.count(PROMPT)
            tail = text[-(len(PROMPT) - 1):] if not text.endswith(PROMPT) else ""
            if prompts >= count:
                seen.set()

    threading.Thread(target=read, daemon=True).start()
    return seen


def _rows(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "cto-bot.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]


@pytest.mark.parametrize(("way_out", "status"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_signal_to_the_repl_writes_every_recorded_question_before_it_exits(tmp_path, way_out, status):
    asked = 1500
    repl = _repl(tmp_path)
    answered = _wait_for_prompts(repl, asked + 1)
    repl.stdin.write("".join(QUESTIONS[i % len(QUESTIONS)] + "\n" for i in range(asked)))  # type: ignore[union-attr]
    repl.stdin.flush()  # type: ignore[union-attr]
    assert answered.wait(120), "the REPL did not answer every question"
    repl.send_signal(way_out)  # stdin stays open: the signal is the way out (SIGINT: Ctrl-C)
    assert repl.wait(60) == status
    assert _rows(tmp_path) == asked
    assert "not written" not in repl.stderr.read()  # type: ignore[union-attr]


def test_the_end_of_input_writes_every_recorded_question(tmp_path):
    asked = 300
    repl = _repl(tmp_path)
    out, err = repl.communicate("".join(QUESTIONS[i % len(QUESTIONS)] + "\n" for i in range(asked)), timeout=120)
    assert repl.returncode == 0 and out.count(PROMPT) == asked + 1
    assert _rows(tmp_path) == asked


def test_a_repl_whose_database_is_down_answers_and_says_so_in_a_line_not_a_traceback(tmp_path):
    env = {**os.environ, "CTO_BOT_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://bot:pw@127.0.0.1:1/none"}
    repl = subprocess.run([sys.executable, "-m", "bot", "repl", "--no-history"], cwd=REPO, env=env, text=True,
                          input="Comment devenir CTO ?\nsalaire du cto\n", capture_output=True, timeout=120)
    assert repl.returncode == 0 and repl.stdout.count(PROMPT) == 3
    assert "Traceback" not in repl.stderr
    store_lines = [line for line in repl.stderr.splitlines() if "bot.service.store" in line]
    assert len(store_lines) == 2
    assert "store is unavailable" in store_lines[0] and "stopped with 2 records not written" in store_lines[1]

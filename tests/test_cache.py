"""The engine cache: the same answers as a fresh build, rebuilt when stale or unreadable, shared by processes."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bootstrap import build_engine
from bot.infra.cache import KEEP, EngineBuilder, EngineCache, knowledge_key, read_engine
from bot.infra.files import YamlFiles
from bot.service.reload import LiveEngine
from bot.tools.evaluate import default_questions_path, load_cases
from tests.conftest import REPO, TINY_KNOWLEDGE, run_process


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def environ(data_dir: Path) -> dict[str, str]:
    return {"CTO_BOT_DATA_DIR": str(data_dir)}


def pickles(data_dir: Path) -> list[Path]:
    return [f for f in cache_files(data_dir) if f.suffix == ".pickle"]


def cache_files(data_dir: Path) -> list[Path]:
    folder = data_dir / "cache"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_engine_read_from_the_cache_answers_exactly_as_a_fresh_build(environ, data_dir):
    build_engine([REPO / "knowledge"], environ)
    [cached] = pickles(data_dir)
    from_cache = read_engine(cached)
    fresh = build_engine([REPO / "knowledge"], environ, cache=False)
    _, cases = load_cases(default_questions_path())
    questions = [str(case["q"]) for case in cases]
    assert [from_cache.ask(q).to_json() for q in questions] == [fresh.ask(q).to_json() for q in questions]
    assert [m.index.postings for m in from_cache.matchers] == [m.index.postings for m in fresh.matchers]
    assert from_cache.complete("budget") == fresh.complete("budget")


def test_the_cache_file_is_private_to_the_user(environ, data_dir):
    build_engine([REPO / "knowledge"], environ)
    [cached] = pickles(data_dir)
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert stat.S_IMODE(cached.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_a_corrupt_cache_file_is_logged_and_rebuilt(environ, data_dir, write_knowledge, caplog):
    path = write_knowledge(TINY_KNOWLEDGE)
    build_engine([path], environ)
    [cached] = pickles(data_dir)
    cached.write_bytes(cached.read_bytes()[:200])  # truncated, as by a full disk
    with caplog.at_level(logging.WARNING, logger="bot.infra.cache"):
        engine = build_engine([path], environ)
    assert engine.ask("Comment préparer un espresso ?").passage_id == "coffee-brewing"
    assert "unreadable" in caplog.text and "rebuilding" in caplog.text
    assert read_engine(cached).ask("D'où vient le café ?").passage_id == "coffee-origin"


def test_a_cache_file_others_may_write_is_not_trusted(environ, data_dir, write_knowledge, caplog):
    path = write_knowledge(TINY_KNOWLEDGE)
    build_engine([path], environ)
    [cached] = pickles(data_dir)
    cached.chmod(0o666)
    with caplog.at_level(logging.WARNING, logger="bot.infra.cache"):
        build_engine([path], environ)
    assert "others cannot write" in caplog.text
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600  # rebuilt by this process


def test_editing_the_knowledge_makes_the_cached_engine_stale(environ, write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    assert build_engine([path], environ).ask("Combien de temps infuser le thé vert ?").passage_id == "tea-steeping"
    path.write_text(TINY_KNOWLEDGE.replace("tea-steeping", "tea-brewing"), encoding="utf-8")
    assert build_engine([path], environ).ask("Combien de temps infuser le thé vert ?").passage_id == "tea-brewing"


def test_the_key_changes_with_the_content_not_with_the_modification_time(write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    key = knowledge_key([path])
    os.utime(path, (0, 0))
    assert knowledge_key([path]) == key
    path.write_text(TINY_KNOWLEDGE + "\n", encoding="utf-8")
    assert knowledge_key([path]) != key


@pytest.mark.parametrize("how", [("--no-cache",), ()])
def test_no_cache_bypasses_the_cache(cli, environ, data_dir, write_knowledge, how):
    path = write_knowledge(TINY_KNOWLEDGE)
    env = environ if how else environ | {"CTO_BOT_CACHE": "0"}
    run = cli("ask", "--json", "--knowledge", str(path), *how, "D'où vient le café ?", env=env)
    assert run.status == 0 and '"passage_id": "coffee-origin"' in run.out
    assert cache_files(data_dir) == []
    assert cli("ask", "--knowledge", str(path), "café ?", env=environ).status == 0
    assert len(pickles(data_dir)) == 1


def test_only_the_most_recently_used_cache_files_are_kept(environ, data_dir, write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    for n in range(KEEP + 2):
        path.write_text(TINY_KNOWLEDGE.replace("Ethiopia", f"Ethiopia {n}"), encoding="utf-8")
        build_engine([path], environ)
    files = pickles(data_dir)
    assert len(files) == KEEP
    assert EngineCache(data_dir / "cache").path(knowledge_key([path])) in files


def test_processes_started_together_share_one_cache_file(data_dir, write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTO_BOT_")}
    env["CTO_BOT_DATA_DIR"] = str(data_dir)
    argv = [sys.executable, "-m", "bot", "ask", "--log-level", "info", "--knowledge", str(path), "D'où vient le café ?"]
    processes = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
                 for _ in range(6)]
    outputs, logs = zip(*(p.communicate(timeout=60) for p in processes), strict=True)
    assert all(p.returncode == 0 for p in processes)
    assert len(set(outputs)) == 1 and "Éthiopie" in outputs[0]
    assert "".join(logs).count("engine built over 3 passages") == 1  # one built it, the others read it
    assert [f.suffix for f in cache_files(data_dir)] == [".lock", ".pickle"]  # no temporary file left behind
    assert run_process("ask", "--knowledge", str(path), "D'où vient le café ?",
                       env={"CTO_BOT_DATA_DIR": str(data_dir)}).stdout == outputs[0]


def test_a_reload_builds_the_new_engine_in_a_child_process(data_dir, write_knowledge, caplog):
    path = write_knowledge(TINY_KNOWLEDGE)
    builder = EngineBuilder(EngineCache(data_dir / "cache"))
    live = LiveEngine(YamlFiles([path]), check_every=0.0, build=builder)
    path.write_text(TINY_KNOWLEDGE.replace("Ethiopia", "Yemen"), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.infra.cache"):
        assert live.reload()
    assert caplog.text == ""  # the child's engine was loaded, not rebuilt here
    assert "Yemen" in live.current.ask("Where does coffee come from?").text
    assert builder.children == 1
    assert len(pickles(data_dir)) == 2  # where every worker finds it


def test_a_broken_edit_reported_by_the_child_keeps_the_last_good_engine(data_dir, write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    live = LiveEngine(YamlFiles([path]), check_every=0.0, build=EngineBuilder(None))
    path.write_text(TINY_KNOWLEDGE.replace("    text: Le caféier", "    txt: Le caféier"), encoding="utf-8")
    assert not live.reload()
    assert live.last_error and f"{path}:" in live.last_error
    assert live.current.ask("D'où vient le café ?").passage_id == "coffee-origin"

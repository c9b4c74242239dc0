"""The engine cache over several documents: each document's matcher is read when a question first needs it,
answers exactly as a fresh build, and a damaged document is rebuilt."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import pytest

from bot.bootstrap import build_engine
from bot.core.documents import LazyMatchers
from bot.infra.cache import _ENTRY, _LENGTH, _MAGIC, EngineBuilder, EngineCache, read_engine
from bot.infra.files import YamlFiles
from bot.tools.bench import synthetic_document, write_yaml
from bot.tools.evaluate import default_questions_path, load_cases
from tests.conftest import REPO, TINY_KNOWLEDGE

COFFEE, TEA = TINY_KNOWLEDGE.split("- id: tea\n")
TEA = "sections:\n- id: tea\n" + TEA


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Four documents: the shipped article, coffee, tea, and a synthetic one of pseudo-words."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    shutil.copy(REPO / "knowledge" / "cto-career.yaml", folder / "a-cto-career.yaml")
    (folder / "b-coffee.yaml").write_text(COFFEE, encoding="utf-8")
    (folder / "c-tea.yaml").write_text(TEA, encoding="utf-8")
    write_yaml(synthetic_document(60), folder / "d-synthetic.yaml")
    return folder


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {"CTO_BOT_DATA_DIR": str(tmp_path / "data")}


def cached_file(environ: dict[str, str]) -> Path:
    [path] = (Path(environ["CTO_BOT_DATA_DIR"]) / "cache").glob("*.pickle")
    return path


def questions() -> list[str]:
    _, cases = load_cases(default_questions_path())
    return [str(case["q"]) for case in cases] + ["Comment préparer un espresso ?", "How long should green tea steep?",
                                                 "Where does coffee come from?", "budjet du cto", "espreso"]


def test_a_cached_engine_reads_a_document_only_when_a_question_needs_it(folder, environ):
    build_engine([folder], environ)
    engine = read_engine(cached_file(environ))
    assert isinstance(engine.matchers, LazyMatchers)
    assert len(engine.matchers) == 4 and engine.matchers.loaded == 0
    assert engine.ask("How long should green tea steep?").passage_id == "tea-steeping"
    assert 1 <= engine.matchers.loaded < 4
    assert engine.help("en").text  # small talk and help need no document
    assert engine.answer_passage("coffee-origin", "en").text == "The coffee plant comes from Ethiopia."


def test_documents_read_on_demand_answer_exactly_as_a_fresh_build(folder, environ):
    build_engine([folder], environ)
    lazy = read_engine(cached_file(environ))
    fresh = build_engine([folder], environ, cache=False)
    asked = questions()
    assert [lazy.ask(q).to_json() for q in asked] == [fresh.ask(q).to_json() for q in asked]
    assert [lazy.ask(q, focus=["coffee-origin"]).to_json() for q in asked[:20]] == [
        fresh.ask(q, focus=["coffee-origin"]).to_json() for q in asked[:20]]
    assert [m.index.postings for m in lazy.matchers] == [m.index.postings for m in fresh.matchers]
    assert [m.index.passages for m in lazy.matchers] == [m.index.passages for m in fresh.matchers]
    assert lazy.complete("thé") == fresh.complete("thé")


def test_a_document_is_read_once_when_many_threads_need_it_at_the_same_time(folder, environ):
    build_engine([folder], environ)
    engine = read_engine(cached_file(environ))
    answers: list[str | None] = []
    threads = [threading.Thread(target=lambda: answers.append(engine.ask("Where does coffee come from?").passage_id))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["coffee-origin"] * 8
    assert engine.matchers[1] is engine.matchers[1]


def part_offsets(path: Path) -> list[tuple[int, int, int]]:
    data = path.read_bytes()
    (count,) = _LENGTH.unpack_from(data, len(_MAGIC))
    return list(_ENTRY.iter_unpack(data[len(_MAGIC) + _LENGTH.size:][: _ENTRY.size * count]))


def test_a_damaged_document_is_logged_and_rebuilt_and_the_file_replaced_by_the_next_process(folder, environ,
                                                                                           caplog):
    build_engine([folder], environ)
    path = cached_file(environ)
    offset, length, _ = part_offsets(path)[3]  # the tea document (the head is part 0)
    data = bytearray(path.read_bytes())
    data[offset + length // 2: offset + length // 2 + 8] = b"\x00garbage"
    path.write_bytes(bytes(data))
    engine = read_engine(path)  # the head is intact
    with caplog.at_level(logging.WARNING, logger="bot.infra.cache"):
        answer = engine.ask("How long should green tea steep?")
    assert answer.passage_id == "tea-steeping"
    assert "document 2 unreadable" in caplog.text and "rebuilding" in caplog.text
    assert not path.exists()  # removed: the next process builds it whole
    again = build_engine([folder], environ)
    assert cached_file(environ) == path
    assert again.ask("How long should green tea steep?").passage_id == "tea-steeping"


def test_a_damaged_head_makes_the_whole_file_unreadable(folder, environ):
    build_engine([folder], environ)
    path = cached_file(environ)
    offset, length, _ = part_offsets(path)[0]
    data = bytearray(path.read_bytes())
    data[offset + length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(Exception):  # noqa: B017 - whatever the damage, the cache then removes and rebuilds it
        read_engine(path)


def test_a_reload_reads_the_documents_in_use_before_the_new_engine_serves(folder, environ):
    build_engine([folder], environ)
    builder = EngineBuilder(EngineCache(Path(environ["CTO_BOT_DATA_DIR"]) / "cache"))
    source = YamlFiles([folder])
    first = builder(source)
    assert isinstance(first.matchers, LazyMatchers) and first.matchers.loaded == 0
    assert first.ask("How long should green tea steep?").passage_id == "tea-steeping"
    in_use = first.matchers.loaded_documents()
    assert 0 < len(in_use) < 4
    (folder / "b-coffee.yaml").write_text(COFFEE.replace("Ethiopia", "Ethiopia and Yemen"), encoding="utf-8")
    second = builder(source)  # built in a child process, read back from the cache
    assert builder.children == 1
    assert isinstance(second.matchers, LazyMatchers)
    assert second.matchers.loaded_documents() == in_use
    assert second.ask("Where does coffee come from?").text == "The coffee plant comes from Ethiopia and Yemen."

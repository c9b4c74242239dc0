"""``cto-bot learn``: write an accepted alternate question into its passage's knowledge file.

The change is refused (``LearnRefused``, exit 1) when the edited knowledge would not pass ``cto-bot check``:
it does not load, or an alternate question that its passage answered before (the new one included) would
be answered by another passage or only suggested. The file is replaced in one rename, so the running
bots' live reload sees the old file or the new one, never half of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.engine import Engine
from bot.core.knowledge import LANGS, Knowledge
from bot.core.text import clean, detect_language, fold
from bot.errors import ConfigurationError, CtoBotError, KnowledgeError
from bot.infra.loader import knowledge_files, load_knowledge
from bot.tools.check import misplaced_questions
from bot.tools.yaml_edit import keep_wrapping, replace_file, round_trip, temporary_beside
from bot.tools.yaml_splice import add_question, find_passage

MAX_QUESTION_CHARS = 300


class LearnRefused(CtoBotError):
    """The question was not written: the knowledge would be broken or answer worse."""


@dataclass(frozen=True)
class Learned:
    path: Path
    passage_id: str
    question: str
    lang: str
    written: bool
    """False when the passage already had the question."""


def learn(paths: list[Path], passage_id: str, question: str, lang: str | None = None) -> Learned:
    """Add ``question`` to the alternate questions of ``passage_id`` in ``lang`` (default: the question's)."""
    question = clean(question)
    if not question or len(question) > MAX_QUESTION_CHARS:
        raise ConfigurationError(f"the question must be 1 to {MAX_QUESTION_CHARS} characters long")
    lang = lang or detect_language(question)
    if lang not in LANGS:
        raise ConfigurationError(f"--lang {lang!r}: use one of {', '.join(LANGS)}")
    files = knowledge_files(paths)
    knowledge = load_knowledge(files)
    passage = knowledge.passage(passage_id)
    if passage is None:
        raise ConfigurationError(f"no passage {passage_id!r} in the knowledge ({', '.join(map(str, files))}); "
                                 "`cto-bot report` names the passages to use")
    path = _file_of(files, passage_id)
    if any(fold(q) == fold(question) for q in (*passage.questions_fr, *passage.questions_en)):
        return Learned(path, passage_id, question, lang, written=False)
    original = path.read_text(encoding="utf-8")
    edited = add_question(original, passage_id, lang, question) or _round_trip_add(original, passage_id, lang,
                                                                                   question)
    temporary = temporary_beside(path, edited)
    try:
        _check(knowledge, [temporary if f == path else f for f in files], temporary, path, passage_id, question)
        replace_file(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return Learned(path, passage_id, question, lang, written=True)


def _file_of(files: list[Path], passage_id: str) -> Path:
    """The knowledge file that defines the passage."""
    for file in files:
        text = file.read_text(encoding="utf-8")
        root = yaml.compose(text) if passage_id in text else None
        if root is not None and find_passage(root, passage_id) is not None:
            return file
    raise ConfigurationError(f"passage {passage_id!r} is not defined in any knowledge file")


def _round_trip_add(text: str, passage_id: str, lang: str, question: str) -> str:
    """The same edit through ruamel.yaml, for layouts the text insertion does not handle (e.g. a flow-style
    ``questions: {fr: [...]}``); comments, order and the wrapping of long texts are kept."""
    import io

    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = round_trip()
    doc = yaml.load(text)
    for section in doc["sections"]:
        for passage in section["passages"]:
            if passage.get("id") == passage_id:
                questions = passage.get("questions")
                if not isinstance(questions, dict):
                    questions = passage["questions"] = CommentedMap()
                if not isinstance(questions.get(lang), list):
                    questions[lang] = CommentedSeq()
                questions[lang].append(question)
    out = io.StringIO()
    yaml.dump(doc, out)
    return keep_wrapping(text, out.getvalue())


def _check(before: Knowledge, files: list[Path], temporary: Path, path: Path, passage_id: str,
           question: str) -> None:
    """Refuse the edit unless it loads and every alternate question still goes to its own passage."""
    try:
        after = load_knowledge(files)
    except KnowledgeError as error:
        problems = "; ".join(p.replace(str(temporary), str(path)) for p in error.problems[:3])
        raise LearnRefused(f"the edited knowledge would not load: {problems}") from None
    was_wrong = {(m.passage_id, m.question) for m in misplaced_questions(before, Engine(before))}
    broken = [m for m in misplaced_questions(after, Engine(after)) if (m.passage_id, m.question) not in was_wrong]
    if broken:
        reasons = "; ".join(m.message for m in broken[:3])
        raise LearnRefused(f"{question!r} not added to passage {passage_id!r}: `cto-bot check` would warn: "
                           f"{reasons}")

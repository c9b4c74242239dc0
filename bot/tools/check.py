"""Checks beyond the schema: entries that overlap, so that maintainers see conflicts before users do, and
passages that still answer only from their text."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.engine import Engine
from bot.core.knowledge import Knowledge

MAX_LISTED = 12
"""The hint names at most this many passages."""


@dataclass(frozen=True)
class Misplaced:
    """An alternate question that the engine does not answer with its own passage."""

    passage_id: str
    question: str
    message: str


def misplaced_questions(knowledge: Knowledge, engine: Engine | None = None) -> list[Misplaced]:
    """Every alternate question that its passage does not answer: another passage scores higher, or the
    engine only suggests it."""
    engine = engine or Engine(knowledge)
    found = []
    for passage in knowledge.passages:
        for question in (*passage.questions_fr, *passage.questions_en):
            answer = engine.ask(question)
            top = answer.candidates[0] if answer.candidates else None
            if top is None or top.passage_id != passage.id:
                other = f"passage {top.passage_id!r} scores higher ({top.score:.0f})" if top else "nothing matches it"
                found.append(Misplaced(passage.id, question,
                                       f"passage {passage.id!r}: alternate question {question!r}: {other}; "
                                       "reword it or move it to the passage that answers it"))
            elif answer.passage_id != passage.id:
                found.append(Misplaced(passage.id, question,
                                       f"passage {passage.id!r}: alternate question {question!r} is only "
                                       f"{answer.outcome.value} (score {answer.score:.0f}): it is too close to "
                                       f"{', '.join(c.passage_id for c in answer.candidates[1:3])}"))
    return found


def overlaps(knowledge: Knowledge, engine: Engine | None = None) -> list[str]:
    """One warning per alternate question that the engine does not answer with its own passage."""
    return [m.message for m in misplaced_questions(knowledge, engine)]


def without_questions(knowledge: Knowledge) -> list[str]:
    """The ids of the passages that have no alternate question yet."""
    return [p.id for p in knowledge.passages if not (p.questions_fr or p.questions_en)]


def questions_hint(knowledge: Knowledge) -> str | None:
    """One line naming the passages without alternate questions, or None when every passage has some."""
    missing = without_questions(knowledge)
    if not missing:
        return None
    shown = ", ".join(missing[:MAX_LISTED]) + (f" and {len(missing) - MAX_LISTED} more"
                                                if len(missing) > MAX_LISTED else "")
    return (f"{len(missing)} passage(s) have no alternate questions yet, and answer only from their text: "
            f"{shown}; add the questions people ask (`cto-bot learn PASSAGE_ID \"QUESTION\"`) to catch "
            "other wordings")

"""Checks beyond the schema: entries that overlap, so that maintainers see conflicts before users do."""

from __future__ import annotations

from bot.core.engine import Engine
from bot.core.knowledge import Knowledge


def overlaps(knowledge: Knowledge, engine: Engine | None = None) -> list[str]:
    """One warning per alternate question that the engine does not answer with its own passage."""
    engine = engine or Engine(knowledge)
    warnings = []
    for passage in knowledge.passages:
        for question in (*passage.questions_fr, *passage.questions_en):
            answer = engine.ask(question)
            top = answer.candidates[0] if answer.candidates else None
            if top is None or top.passage_id != passage.id:
                other = f"passage {top.passage_id!r} scores higher ({top.score:.0f})" if top else "nothing matches it"
                warnings.append(f"passage {passage.id!r}: alternate question {question!r}: {other}; "
                                "reword it or move it to the passage that answers it")
            elif answer.passage_id != passage.id:
                warnings.append(f"passage {passage.id!r}: alternate question {question!r} is only "
                                f"{answer.outcome.value} (score {answer.score:.0f}): it is too close to "
                                f"{', '.join(c.passage_id for c in answer.candidates[1:3])}")
    return warnings

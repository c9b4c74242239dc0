"""The engine's neutral answer value, which every adapter renders in its own format."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    ANSWER = "answer"
    """One passage answers the question confidently."""
    SUGGEST = "suggest"
    """Several passages are close, or the best is only middling: "did you mean"."""
    DECLINE = "decline"
    """The knowledge does not cover the question; the reply lists what it covers."""
    SMALLTALK = "smalltalk"
    """Greetings, thanks, help, or nothing to answer."""


@dataclass(frozen=True)
class Suggestion:
    """A question the bot can answer, offered as "did you mean"."""

    question: str
    passage_id: str
    section: str


@dataclass(frozen=True)
class Candidate:
    """A passage the engine considered, with its score (for ``--debug`` and reports)."""

    passage_id: str
    section: str
    score: float


@dataclass(frozen=True)
class Answer:
    """What the engine says to a question. ``text`` is plain text; adapters add their own markup."""

    question: str
    outcome: Outcome
    text: str
    lang: str
    score: float
    """Confidence from 0 to 100."""
    section: str | None = None
    """The source section's heading, verbatim; set only for ``answer``."""
    passage_id: str | None = None
    source: str | None = None
    """The passage's original text, verbatim; set only for ``answer``. For a whole list: the lead-in and each
    item, verbatim, one per line, in document order."""
    items: tuple[str, ...] = ()
    """For a whole-list answer, each item in the answer's language (``text`` holds the lead-in and them)."""
    out_of_scope: str | None = None
    """For a decline on a topic the knowledge names as not covered, that topic's id."""
    suggestions: tuple[Suggestion, ...] = ()
    topics: tuple[str, ...] = ()
    """What the knowledge covers, in the question's language (for declines and help)."""
    candidates: tuple[Candidate, ...] = field(default=(), compare=False)
    readings: tuple[str, ...] = field(default=(), compare=False)
    """How the question's words were read, for ``--debug``: typos corrected, synonym groups used."""
    answer_id: str | None = None
    """Set when the answer was recorded (``bot.service.assistant``): what 👍 / 👎 votes refer to."""

    @property
    def matched(self) -> bool:
        return self.outcome is Outcome.ANSWER

    def to_json(self) -> dict:
        """The ``cto-bot ask --json`` object (see the README for each field)."""
        return {
            "question": self.question,
            "outcome": self.outcome.value,
            "matched": self.matched,
            "section": self.section,
            "passage_id": self.passage_id,
            "source": self.source,
            "answer": self.text,
            "lang": self.lang,
            "score": round(self.score, 1),
            "suggestions": [asdict(s) for s in self.suggestions],
            "topics": list(self.topics),
            "items": list(self.items),
            "out_of_scope": self.out_of_scope,
        }

"""What a question's form says about whom it is about: another role, another job, a concept, a name, the reader.

Read once per question, then checked against each document (its subject, its words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.matcher import Matcher
from bot.core.subject import addressed_to_someone, concept_of, job_subject, role_subject
from bot.core.text import STOP_WORDS, fold


@dataclass(frozen=True)
class QuestionForm:
    """What a question's form says about whom it is about, read once for every document."""

    role: str | None
    """The X of "what does X do" / « les missions du X »: a question about that role."""
    job: str | None
    """The X of "how do I become X" / « compétences pour être X » when X names a job."""
    concept: str | None
    """The X of a bare "what is X?"."""
    names: tuple[str, ...]
    """Capitalised names ("Airbus"), folded."""
    to_someone: bool
    """Asked of the reader about their own past, wishes or choices ("How did you become a CTO?")."""

    @classmethod
    def of(cls, text: str) -> QuestionForm:
        """Read ``text`` (one question, cleaned, not folded: names keep their capitals)."""
        return cls(role_subject(text), job_subject(text), concept_of(text), tuple(_names(text)),
                   addressed_to_someone(text))

    def elsewhere(self, matcher: Matcher, words: list[str]) -> bool:
        """True when the question is about a job these documents never mention, or about the path to another
        job than theirs ("How do I become a data engineer?"): only their out-of-scope topics may answer."""
        return matcher.about_another_job(words) or (
            self.job is not None and not matcher.about_the_subject(self.job) and not matcher.names_subject(words))

    def doubtful(self, matcher: Matcher) -> bool:
        """True when these documents cannot answer with confidence: a name they lack ("NASA"), what a concept
        they only mention means ("What is innovation?"), or the reader's own story."""
        return (self.to_someone or any(not matcher.index.lookup(n).known for n in self.names)
                or self.concept is not None and not matcher.about_the_subject(self.concept))


_NAME = re.compile(r"(?<![.!?¿¡:;]\s)(?<!^)\b([A-Z][\w-]+)")


def _names(text: str) -> list[str]:
    """The folded proper names of ``text``: capitalised words that do not open a sentence ("Apple", "NASA"),
    unless most words are capitalised ("What Does A CTO Do?").

    >>> _names("How does the CTO of Airbus work?"), _names("What Does A CTO Actually Do?")
    (['cto', 'airbus'], [])
    >>> _names("What Is the Primary Responsibility of the CTO?"), _names("Qui est le CTO de Google ?")
    ([], ['cto', 'google'])
    """
    text = text.strip()
    found = re.findall(r"[^\W\d_]{3,}", text)[1:]
    capitalised = sum(w[0].isupper() and not w.isupper() for w in found)
    small = sum(w[0].islower() and (w if w.isascii() else fold(w)) not in STOP_WORDS for w in found)
    if capitalised > max(1, small):  # "the", "of" stay small in title case
        return []
    return [n for n in (fold(w) for w in _NAME.findall(text)) if n not in STOP_WORDS]

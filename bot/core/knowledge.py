"""The knowledge model: documents made of sections made of passages."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Passage:
    """One paragraph or bullet of a document: the unit an answer quotes."""

    id: str
    text: str
    """The original text, verbatim (French for the seed)."""
    translation: str = ""
    """The English translation of ``text``."""
    questions_fr: tuple[str, ...] = ()
    questions_en: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    section_id: str = ""

    def text_in(self, lang: str) -> str:
        """The passage in ``lang``: the translation for English when there is one."""
        return self.translation if lang == "en" and self.translation else self.text

    def questions_in(self, lang: str) -> tuple[str, ...]:
        """Alternate questions in ``lang``, falling back to the other language."""
        own, other = (self.questions_en, self.questions_fr) if lang == "en" else (
            self.questions_fr, self.questions_en)
        return own or other


@dataclass(frozen=True)
class Section:
    """A headed part of a document."""

    id: str
    heading: str
    """The heading, verbatim from the document."""
    heading_en: str = ""
    topic_fr: str = ""
    """A short name of what the section covers, for lists of topics."""
    topic_en: str = ""
    passages: tuple[Passage, ...] = ()

    def title_in(self, lang: str) -> str:
        """The heading in ``lang``."""
        return self.heading_en if lang == "en" and self.heading_en else self.heading

    def topic_in(self, lang: str) -> str:
        """A short topic name in ``lang``, falling back to the heading."""
        topic = self.topic_en if lang == "en" else self.topic_fr
        return topic or self.title_in(lang)


@dataclass(frozen=True)
class Knowledge:
    """Every section of every loaded document, in file order."""

    sections: tuple[Section, ...] = ()
    sources: tuple[str, ...] = field(default=())

    @cached_property
    def passages(self) -> tuple[Passage, ...]:
        """Every passage, in document order."""
        return tuple(p for s in self.sections for p in s.passages)

    @cached_property
    def _sections_by_id(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    @cached_property
    def _passages_by_id(self) -> dict[str, Passage]:
        return {p.id: p for p in self.passages}

    def section_of(self, passage: Passage) -> Section:
        return self._sections_by_id[passage.section_id]

    def passage(self, passage_id: str) -> Passage | None:
        return self._passages_by_id.get(passage_id)

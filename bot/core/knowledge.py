"""The knowledge model: documents made of sections made of passages, plus what the maintainers add around
them (synonyms, topics the documents do not cover, the bot's identity)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

LANGS = ("fr", "en")


def other_language(lang: str) -> str:
    """The other of the two languages."""
    return "en" if lang == "fr" else "fr"


@dataclass(frozen=True)
class Passage:
    """One paragraph or bullet of a document: the unit an answer quotes."""

    id: str
    text: str
    """The original text, verbatim, in ``lang``."""
    translation: str = ""
    """``text`` in the other language, when a maintainer wrote it."""
    questions_fr: tuple[str, ...] = ()
    questions_en: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    section_id: str = ""
    lang: str = "fr"
    """The language of ``text``."""
    items: tuple[str, ...] = ()
    """For a list's lead-in ("The missions are:"), the ids of the list's items, in document order."""
    lead_in: str = ""
    """For a list item, the id of the passage that introduces its list."""

    def has_text_in(self, lang: str) -> bool:
        return lang == self.lang or bool(self.translation)

    def text_in(self, lang: str) -> str:
        """The passage in ``lang`` when it has text in it, else the original."""
        return self.text if lang == self.lang or not self.translation else self.translation

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
    """The heading, verbatim from the document, in ``lang``."""
    heading_en: str = ""
    heading_fr: str = ""
    topic_fr: str = ""
    """A short name of what the section covers, for lists of topics."""
    topic_en: str = ""
    passages: tuple[Passage, ...] = ()
    lang: str = "fr"
    document: str = ""
    """The document (knowledge file) the section comes from."""

    def title_in(self, lang: str) -> str:
        """The heading in ``lang`` when there is one, else the original."""
        if lang == self.lang:
            return self.heading
        return (self.heading_en if lang == "en" else self.heading_fr) or self.heading

    def topic_in(self, lang: str) -> str:
        """A short topic name in ``lang``, falling back to the heading."""
        topic = self.topic_en if lang == "en" else self.topic_fr
        return topic or self.title_in(lang)


@dataclass(frozen=True)
class OutOfScope:
    """A topic people ask about that the documents do not cover: such questions get a precise decline."""

    id: str
    topic_fr: str
    """What the topic is, as a noun phrase ("les salaires"), for "the document does not cover …"."""
    topic_en: str
    questions_fr: tuple[str, ...] = ()
    questions_en: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    document: str = ""

    def topic_in(self, lang: str) -> str:
        return (self.topic_en if lang == "en" else self.topic_fr) or self.topic_fr or self.topic_en


@dataclass(frozen=True)
class Identity:
    """Who the bot says it is: its name and what it answers about, in each language."""

    name: str = ""
    about_fr: str = ""
    """What the bot answers about, as a noun phrase: « le métier de CTO »."""
    about_en: str = ""
    greeting_fr: str = ""
    """Replaces the default greeting sentence, when set."""
    greeting_en: str = ""

    def about(self, lang: str) -> str:
        return (self.about_en if lang == "en" else self.about_fr) or self.about_fr or self.about_en

    def greeting(self, lang: str) -> str:
        return self.greeting_en if lang == "en" else self.greeting_fr


@dataclass(frozen=True)
class Knowledge:
    """Every section of every loaded document, in file order, and what surrounds them."""

    sections: tuple[Section, ...] = ()
    sources: tuple[str, ...] = field(default=())
    synonyms: tuple[tuple[str, ...], ...] = ()
    """Groups of words or phrases that mean the same here (``qualités``, ``compétences``, ``skills``)."""
    synonyms_of: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(document, group) for each synonym group: a document's own groups apply to it alone; groups of a file
    with no sections (document ``""``) apply to every document. Empty: every group applies everywhere."""
    out_of_scope: tuple[OutOfScope, ...] = ()
    identity: Identity = field(default_factory=Identity)

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

    def documents(self) -> list[Knowledge]:
        """One knowledge per document: its sections, out-of-scope topics and synonyms, and the shared ones."""
        sections: dict[str, list[Section]] = {}
        topics: dict[str, list[OutOfScope]] = {}
        for s in self.sections:
            sections.setdefault(s.document, []).append(s)
        for topic in self.out_of_scope:
            topics.setdefault(topic.document, []).append(topic)
        def synonyms(document: str) -> tuple[tuple[str, ...], ...]:
            if not self.synonyms_of:
                return self.synonyms
            return tuple(group for owner, group in self.synonyms_of if owner in ("", document))

        return [Knowledge(sections=tuple(sections.get(d, ())), sources=self.sources, synonyms=synonyms(d),
                          out_of_scope=tuple(topics.get(d, ())), identity=self.identity)
                for d in dict.fromkeys([*sections, *topics])]

    def items_of(self, passage: Passage) -> tuple[Passage, ...]:
        """The list items a lead-in introduces, in document order (none for other passages)."""
        return tuple(p for i in passage.items if (p := self.passage(i)) is not None)

    def introduced_by(self, passage: Passage, limit: int = 10) -> tuple[Passage, ...]:
        """What a passage ending with ":" introduces when it lists no items (a table, a list the importer could
        not tell from text): the passages after it in its section, up to the next one that introduces
        something, at most ``limit``. A reply never ends with a colon and nothing after it."""
        if passage.items or not passage.text.rstrip().endswith(":"):
            return ()
        section = self.section_of(passage)
        ids = [p.id for p in section.passages]
        after: list[Passage] = []
        for p in section.passages[ids.index(passage.id) + 1:][:limit]:
            if p.lead_in or p.items:
                break
            after.append(p)
            if p.text.rstrip().endswith(":"):
                break
        return tuple(after)

"""The search index, built once from the knowledge: which words each entry holds, and how rare each is.

An entry is a passage, or an out-of-scope topic (something people ask that the documents do not cover). Every
entry is indexed under the stems of the words of its text, its translation, its alternate questions, its
keywords and its section's heading, each language's texts with its own stemmer, keywords with both; a word of
a synonym group is also indexed under the group's key. A question's words are looked up by stem first, and,
for words the knowledge does not hold, by close spelling (typos). Only entries that share a word with the
question are scored, so time grows with the question, not with the knowledge.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.knowledge import Knowledge, OutOfScope, Passage, other_language
from bot.core.matching import close_words
from bot.core.phrasing import PhraseModel
from bot.core.synonyms import Synonyms
from bot.core.text import STOP_WORDS, fold, folded_words, stems, words

FIELD_WEIGHTS = {"questions": 1.0, "keywords": 1.0, "keyword phrases": 0.5, "text": 0.8, "heading": 0.75,
                 "topic questions": 0.6}
"""How much a word found in each field counts: alternate questions and keywords are written to match; one word
of a several-word keyword ("career options") says little on its own; an out-of-scope topic's questions share
the documents' own words ("the CTO's salary"), so its keywords must carry it."""

SYNONYM = 0.8
"""How much a word counts where the entry holds only another word of its synonym group: "abilities" is found in
the passage that lists abilities before the one that says "compétences" in passing."""
SIDES = ("fr", "en", "any")
OTHER_LANGUAGE = 0.6
"""How much a word found only in the other language's texts counts, when the question's language is clear."""
FULL_SCAN_WORDS = 5000
"""Up to this many known words, a misspelt word is compared with all of them, not only same-initial ones."""
LOOKUP_MEMO = 20_000
"""How many word lookups an index remembers before starting afresh."""
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def _forms(word: str, side: str = "any") -> frozenset[str]:
    return frozenset((word,)) if word.startswith("=") else stems(word, side)


def _terms(tokens: list[str], synonyms: Synonyms, keep_phrase_words: bool = False) -> list[str]:
    """The meaningful words of a folded word sequence, then the keys of the synonym phrases it holds; in a
    question a phrase ("directeur technique") stands as its group's key rather than as its words."""
    spans = synonyms.phrases_in(tokens)
    inside = set() if keep_phrase_words else {n for start, end, _ in spans for n in range(start, end)}
    found = [w for n, w in enumerate(tokens) if n not in inside and w not in STOP_WORDS and not w.isdigit()]
    return found + sorted({key for _, _, keys in spans for key in keys})


def _frequencies(postings: Mapping[str, Mapping[str, dict[int, float]]]) -> dict[str, int]:
    """Stem → how many entries hold it, on any side."""
    frequency: dict[str, int] = {}
    first: dict[str, dict[int, float]] = {}
    several: dict[str, set[int]] = {}
    for by_stem in postings.values():
        for form, found in by_stem.items():
            if form not in first:
                first[form] = found
                frequency[form] = len(found)
            else:  # on several sides: the entries of all of them
                holders = several.get(form)
                if holders is None:
                    holders = several[form] = set(first[form])
                holders.update(found)
                frequency[form] = len(holders)
    return frequency


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences (and list clauses), for the phrase model."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


@dataclass
class WordMatch:
    """Where one word of a question was found: the postings of its stems (or of close spellings)."""

    word: str
    postings: list[tuple[dict[int, float], float]] = field(default_factory=list)
    """(entry index → strength, factor) pairs; the factor is below 1 for a close spelling."""
    frequency: int = 0
    """About how many entries hold the word (or the close spellings it was matched by)."""
    weight: float = 0.0
    """How informative the word is: rare words weigh more; words the knowledge lacks weigh most."""
    fields: frozenset[str] = frozenset()
    """Keys of the synonym groups the word was found through (for ``--debug``)."""
    spelled: str = ""
    """The known word it was read as: itself, or its closest spelling (a typo corrected)."""
    spellings: tuple[str, ...] = ()
    """Every known word it was read as (close spellings, best first)."""

    @property
    def known(self) -> bool:
        """True when the knowledge holds the word (or a close spelling of it)."""
        return bool(self.postings)

    def passages(self) -> set[int]:
        return {i for p, _ in self.postings for i in p}

    def strengths(self, candidates: set[int]) -> dict[int, float]:
        """How strongly each of ``candidates`` that holds the word holds it, 0..1."""
        found: dict[int, float] = {}
        for postings, factor in self.postings:
            if len(postings) < len(candidates):
                pairs = ((i, s) for i, s in postings.items() if i in candidates)
            else:
                pairs = ((i, postings[i]) for i in candidates if i in postings)
            for i, strength in pairs:
                if strength * factor > found.get(i, 0.0):
                    found[i] = strength * factor
        return found


@dataclass
class Index:
    """Postings from stems to entries, the vocabulary for typos, each entry's folded questions, the phrase
    model. Entries ``0 .. len(passages) - 1`` are the passages, the next ones the out-of-scope topics."""

    passages: tuple[Passage, ...]
    topics: tuple[OutOfScope, ...]
    postings: dict[str, Mapping[str, dict[int, float]]]
    """Side (``fr``, ``en``, ``any`` for keywords and synonym keys) → stem → entry index → strength (in a cached
    engine, each side a ``PackedPostings``)."""
    frequency: dict[str, int]
    """Stem → how many entries hold it, on any side."""
    vocabulary: list[str]
    vocabulary_by_initial: dict[str, list[str]]
    questions: list[list[str]]
    """Per entry, the meaningful words of each alternate question, for phrase matching."""
    question_keys: dict[str, str]
    """Each alternate question's text → its meaningful words."""
    french_words: frozenset[str]
    english_words: frozenset[str]
    synonyms: Synonyms
    keyword_forms: frozenset[str]
    """The stems of every one-word keyword (or alternate question): words maintainers said a passage is about."""
    phrases: PhraseModel

    @property
    def size(self) -> int:
        return len(self.passages) + len(self.topics)

    def is_topic(self, entry: int) -> bool:
        return entry >= len(self.passages)

    def terms(self, text: str) -> list[str]:
        """The meaningful words of ``text``, then the keys of the synonym phrases it holds."""
        return _terms(words(text), self.synonyms)

    @classmethod
    def build(cls, knowledge: Knowledge) -> Index:
        synonyms = Synonyms(knowledge.synonyms)
        postings: dict[str, dict[str, dict[int, float]]] = {side: defaultdict(dict) for side in SIDES}
        vocabulary: set[str] = set()
        by_lang: dict[str, set[str]] = {"fr": set(), "en": set()}
        questions: list[list[str]] = []
        keys: dict[str, str] = {}
        memo: dict[str, tuple[list[str], list[str]]] = {}
        phrase_entries: list[tuple[list[list[str]], list[list[str]]]] = []
        keyword_forms: set[str] = set()

        folds: dict[str, str] = {}

        def analyse(text: str) -> tuple[list[str], list[str]]:
            """(all folded words, meaningful words + synonym phrase keys) of ``text``, once per text."""
            if text not in memo:  # a text is indexed under the words of its synonym phrases and their keys
                folded = folds[text] = fold(text)
                tokens = folded_words(folded)
                memo[text] = tokens, _terms(tokens, synonyms, keep_phrase_words=True)
            return memo[text]

        def sentence_words(text: str) -> list[list[str]]:
            """The folded words of each sentence of ``text`` (analysed already), for the phrase model."""
            return [folded_words(s) for s in sentences(folds[text])]

        places: dict[str, dict[str, list[dict[int, float]]]] = {side: {} for side in SIDES}

        def places_of(word: str, side: str) -> list[dict[int, float]]:
            """The postings ``word`` goes to on ``side``: its stems, its synonym groups (worked out once a word)."""
            if word not in places[side]:
                if not word.startswith("="):
                    vocabulary.add(word)
                forms = [(side, f) for f in _forms(word, side)]
                forms += [("any", key) for key in synonyms.keys_of(word)] if not word.startswith("=") else []
                places[side][word] = [postings["any" if form.startswith("=") else where][form]
                                      for where, form in forms]
            return places[side][word]

        def post(i: int, name: str, side: str, texts: list[str]) -> None:
            weight = FIELD_WEIGHTS[name]
            terms = analyse(texts[0])[1] if len(texts) == 1 else [w for t in texts if t for w in analyse(t)[1]]
            known = places[side]
            for word in dict.fromkeys(terms):
                for found in known.get(word) or places_of(word, side):
                    if found.get(i, 0.0) < weight:
                        found[i] = weight

        def keywords(i: int, entry_keywords: tuple[str, ...]) -> None:
            single = [k for k in entry_keywords if len(analyse(k)[1]) == 1]
            keyword_forms.update(f for k in single for w in analyse(k)[1] for f in _forms(w))
            post(i, "keywords", "any", single)
            post(i, "keyword phrases", "any", [k for k in entry_keywords if k not in single])

        for i, passage in enumerate(knowledge.passages):
            section = knowledge.section_of(passage)
            own, other = passage.lang, other_language(passage.lang)
            post(i, "questions", "fr", list(passage.questions_fr))
            post(i, "questions", "en", list(passage.questions_en))
            keywords(i, passage.keywords)
            post(i, "text", own, [passage.text])
            post(i, "text", other, [passage.translation])
            post(i, "heading", section.lang, [section.heading, section.topic_in(section.lang)])
            post(i, "heading", other_language(section.lang),
                 [section.title_in(other_language(section.lang)), section.topic_in(other_language(section.lang))])
            for lang, texts in ((own, [passage.text]), (other, [passage.translation])):
                by_lang[lang].update(w for t in texts for w in analyse(t)[1])
            for lang, qs in (("fr", passage.questions_fr), ("en", passage.questions_en)):
                by_lang[lang].update(w for q in qs for w in analyse(q)[1])
            by_lang[section.lang].update(analyse(section.heading)[1])
            all_questions = (*passage.questions_fr, *passage.questions_en)
            for q in all_questions:
                keys[q] = " ".join(analyse(q)[1])
                if len(analyse(q)[1]) == 1:  # a one-word alternate question is a keyword too
                    keyword_forms.update(_forms(analyse(q)[1][0]))
            questions.append([keys[q] for q in all_questions])
            # with no alternate questions yet, a passage reads like its own sentences, and a section's first passage
            # like its heading too ("Salaire", "Comment devenir Product Manager ?")
            said = [s for t in (passage.text, passage.translation) if t for s in sentence_words(t)]
            if passage.id == section.passages[0].id:
                said += [analyse(t)[0] for t in dict.fromkeys(
                    (section.heading, section.title_in(other_language(section.lang)))) if t]
            phrase_entries.append(([analyse(q)[0] for q in all_questions], [s for s in said if s]))
        offset = len(knowledge.passages)
        for n, topic in enumerate(knowledge.out_of_scope):
            i = offset + n
            post(i, "topic questions", "fr", list(topic.questions_fr))
            post(i, "topic questions", "en", list(topic.questions_en))
            keywords(i, topic.keywords)
            all_questions = (*topic.questions_fr, *topic.questions_en)
            questions.append([" ".join(analyse(q)[1]) for q in all_questions])
            phrase_entries.append(([analyse(q)[0] for q in all_questions], []))
        by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(vocabulary):
            by_initial[word[0]].append(word)
        return cls(passages=knowledge.passages, topics=knowledge.out_of_scope,
                   postings={side: dict(p) for side, p in postings.items()},
                   frequency=_frequencies(postings),
                   vocabulary=sorted(vocabulary), vocabulary_by_initial=dict(by_initial),
                   questions=questions, question_keys=keys, french_words=frozenset(by_lang["fr"]),
                   english_words=frozenset(by_lang["en"]), synonyms=synonyms, keyword_forms=frozenset(keyword_forms),
                   phrases=PhraseModel(phrase_entries, synonyms))

    def _close_words(self, word: str) -> list[tuple[str, float]]:
        """Known words ``word`` may be a misspelling of: among words of the same initial first; then, when the
        vocabulary is small enough to scan quickly, among all words (a typo in the first letter)."""
        found = close_words(word, self.vocabulary_by_initial.get(word[0], []))
        if not found and len(self.vocabulary) <= FULL_SCAN_WORDS:
            found = close_words(word, self.vocabulary)
        return found

    def lookup(self, word: str, lang: str | None = None) -> WordMatch:
        """Where ``word`` (folded) appears: by stem or synonym group, else by close spelling. When the
        question's language ``lang`` is known, words of the other language's texts count for less
        (``OTHER_LANGUAGE``): a French "âge" is not the English "digital age". Remembered for the next
        questions (a bounded memo, made on first use so that it is never part of a cached engine)."""
        memo: dict[tuple[str, str | None], WordMatch] = self.__dict__.setdefault("_lookups", {})
        found = memo.get((word, lang))
        if found is None:
            if len(memo) >= LOOKUP_MEMO:
                memo.clear()
            found = memo[word, lang] = self._lookup(word, lang)
        return found

    def _lookup(self, word: str, lang: str | None) -> WordMatch:
        factors = {"any": 1.0, "fr": 1.0, "en": 1.0}
        if lang in ("fr", "en"):
            factors[other_language(lang)] = OTHER_LANGUAGE
        match = WordMatch(word)
        found = [(word, 100.0)]
        match.postings = self._postings(word, 100.0, factors)
        if not match.postings and not word.startswith("="):
            found = self._close_words(word)
            for close, similarity in found:
                match.postings += self._postings(close, similarity, factors)
        match.spelled = found[0][0] if found else word
        match.spellings = tuple(close for close, _ in found)
        groups = [k for close, _ in found for k in self._groups(close)]
        match.fields = frozenset(groups)
        forms = [f for close, _ in found for f in _forms(close)] + groups
        match.frequency = max((self.frequency.get(form, 0) for form in forms), default=0)
        total = max(self.size, 1)
        match.weight = math.log(1 + total / (1 + match.frequency))
        return match

    def holds(self, word: str) -> bool:
        """True when some passage holds ``word`` itself (by stem or synonym group, not by a close spelling); an
        out-of-scope topic does not count: it names what the documents lack."""
        passages = len(self.passages)
        return any(i < passages for postings, _ in self._postings(word, 100.0, {"any": 1.0, "fr": 1.0, "en": 1.0})
                   for i in postings)

    def _groups(self, word: str) -> list[str]:
        if word.startswith("="):
            return [word]
        return [k for k in self.synonyms.keys_of(word) if k in self.postings["any"]]

    def _postings(self, word: str, similarity: float,
                  factors: dict[str, float]) -> list[tuple[dict[int, float], float]]:
        found = [(self.postings[side][form], factor * similarity / 100)
                 for side, factor in factors.items() for form in _forms(word, side) if form in self.postings[side]]
        found += [(self.postings["any"][key], SYNONYM * similarity / 100) for key in self._groups(word)
                  if not word.startswith("=")]
        return found

"""The search index, built once from the knowledge: which words each passage holds, and how rare each is.

Every passage is indexed under the stems of the words of its text, its translation, its alternate
questions, its keywords and its section's heading: French texts with the French stemmer, English ones with
the English stemmer, keywords with both. A question's words are looked up by
stem first, and, for words the knowledge does not hold, by close spelling (typos). Only passages that
share a word with the question are scored, so time grows with the question, not with the knowledge.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from bot.core.knowledge import Knowledge, Passage
from bot.core.matching import close_words
from bot.core.text import content_words, stems

FIELD_WEIGHTS = {"questions": 1.0, "keywords": 1.0, "keyword phrases": 0.5, "text": 0.9, "heading": 0.75}
"""How much a word found in each field counts: alternate questions and keywords are written to match; one word
of a several-word keyword ("career options") says little on its own."""


SIDES = ("fr", "en", "any")
OTHER_LANGUAGE = 0.6
"""How much a word found only in the other language's texts counts, when the question's language is clear."""
FULL_SCAN_WORDS = 5000
"""Up to this many known words, a misspelt word is compared with all of them, not only same-initial ones."""


@dataclass
class WordMatch:
    """Where one word of a question was found: the postings of its stems (or of close spellings)."""

    word: str
    postings: list[tuple[dict[int, float], float]] = field(default_factory=list)
    """(passage index → strength, factor) pairs; the factor is below 1 for a close spelling."""
    frequency: int = 0
    """About how many passages hold the word (or the close spellings it was matched by)."""
    weight: float = 0.0
    """How informative the word is: rare words weigh more; words the knowledge lacks weigh most."""

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
    """Postings from stems to passages, the vocabulary for typos, and each passage's folded questions."""

    passages: tuple[Passage, ...]
    postings: dict[str, dict[str, dict[int, float]]]
    """Side (``fr``, ``en``, ``any`` for keywords) → stem → passage index → strength."""
    frequency: dict[str, int]
    """Stem → how many passages hold it, on any side."""
    vocabulary: list[str]
    vocabulary_by_initial: dict[str, list[str]]
    questions: list[list[str]]
    """Per passage, the meaningful words of each alternate question (French ones first), for phrase matching."""
    question_keys: dict[str, str]
    """Each alternate question's text → its meaningful words."""
    french_words: frozenset[str]
    english_words: frozenset[str]

    @classmethod
    def build(cls, knowledge: Knowledge) -> Index:
        postings: dict[str, dict[str, dict[int, float]]] = {side: defaultdict(dict) for side in SIDES}
        holders: dict[str, set[int]] = defaultdict(set)
        vocabulary: set[str] = set()
        french: set[str] = set()
        english: set[str] = set()
        questions: list[list[str]] = []
        keys: dict[str, str] = {}
        memo: dict[str, list[str]] = {}

        def words_of(text: str) -> list[str]:
            if text not in memo:
                memo[text] = content_words(text)
            return memo[text]

        passages = knowledge.passages
        for i, passage in enumerate(passages):
            section = knowledge.section_of(passage)
            keywords = [(k, words_of(k)) for k in passage.keywords]
            fields = [
                ("questions", "fr", passage.questions_fr), ("questions", "en", passage.questions_en),
                ("keywords", "any", [k for k, found in keywords if len(found) == 1]),
                ("keyword phrases", "any", [k for k, found in keywords if len(found) > 1]),
                ("text", "fr", [passage.text]), ("text", "en", [passage.translation]),
                ("heading", "fr", [section.heading, section.topic_fr]),
                ("heading", "en", [section.heading_en, section.topic_en]),
            ]
            for name, side, texts in fields:
                for word in (w for text in texts for w in words_of(text)):
                    vocabulary.add(word)
                    for form in stems(word, side):
                        found = postings[side][form]
                        if found.get(i, 0.0) < FIELD_WEIGHTS[name]:
                            found[i] = FIELD_WEIGHTS[name]
                        holders[form].add(i)
            for text in (passage.text, *passage.questions_fr, section.heading):
                french.update(words_of(text))
            for text in (passage.translation, *passage.questions_en, section.heading_en):
                english.update(words_of(text))
            for q in (*passage.questions_fr, *passage.questions_en):
                keys[q] = " ".join(words_of(q))
            questions.append([keys[q] for q in (*passage.questions_fr, *passage.questions_en)])
        by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(vocabulary):
            by_initial[word[0]].append(word)
        return cls(passages=passages, postings={side: dict(p) for side, p in postings.items()},
                   frequency={form: len(found) for form, found in holders.items()},
                   vocabulary=sorted(vocabulary),
                   vocabulary_by_initial=dict(by_initial),
                   questions=questions, question_keys=keys, french_words=frozenset(french),
                   english_words=frozenset(english))

    def _close_words(self, word: str) -> list[tuple[str, float]]:
        """Known words ``word`` may be a misspelling of: among words of the same initial first; then, when the
        vocabulary is small enough to scan quickly, among all words (a typo in the first letter)."""
        found = close_words(word, self.vocabulary_by_initial.get(word[0], []))
        if not found and len(self.vocabulary) <= FULL_SCAN_WORDS:
            found = close_words(word, self.vocabulary)
        return found

    def lookup(self, word: str, lang: str | None = None) -> WordMatch:
        """Where ``word`` (folded) appears: by stem, else by close spelling. When the question's language
        ``lang`` is known, words of the other language's texts count for less (``OTHER_LANGUAGE``): a French
        "âge" is not the English "digital age"."""
        factors = {"any": 1.0, "fr": 1.0, "en": 1.0}
        if lang in ("fr", "en"):
            factors["en" if lang == "fr" else "fr"] = OTHER_LANGUAGE
        match = WordMatch(word)
        found = [(word, 100.0)]
        match.postings = self._postings(word, 100.0, factors)
        if not match.postings:
            found = self._close_words(word)
            for close, similarity in found:
                match.postings += self._postings(close, similarity, factors)
        match.frequency = max((self.frequency.get(form, 0) for close, _ in found for form in stems(close)),
                              default=0)
        total = max(len(self.passages), 1)
        match.weight = math.log(1 + total / (1 + match.frequency))
        return match

    def _postings(self, word: str, similarity: float,
                  factors: dict[str, float]) -> list[tuple[dict[int, float], float]]:
        return [(self.postings[side][form], factor * similarity / 100)
                for side, factor in factors.items() for form in stems(word, side) if form in self.postings[side]]

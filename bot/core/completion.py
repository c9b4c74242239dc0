"""Autocomplete over the questions the bot can answer, prepared once per knowledge version.

Ranking every question by ``WRatio`` at each keystroke takes about 0.1 s at 10,000 passages. Beyond
``FULL_SCAN`` questions, a word index chooses the candidates first: the questions holding a word that starts
with each typed word (``comb gagne`` → "Combien gagne…"), most typed words first; only those are ranked. When
no question holds any typed word (a typo in every word), every question is ranked, as for small knowledge.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.core.matching import processed, rank_processed

FULL_SCAN = 2000
"""Up to this many questions, every one is ranked at each keystroke: it is fast enough, and the most tolerant."""
CANDIDATES = 200
"""How many questions the word index hands to the ranking, at most."""
MIN_PREFIX = 3
"""A typed word shorter than this matches whole words only, so that "a" does not select every question."""


class Completions:
    """The questions of one language, processed for ranking, and the index of their words."""

    def __init__(self, questions: Sequence[str]):
        self.questions = list(questions)
        self.processed = [processed(q) for q in self.questions]
        self.words, self.holders = _word_index(text.split() for text in self.processed)
        self.first_words, self.first_holders = _word_index(text.split()[:1] for text in self.processed)

    def rank(self, text: str, limit: int) -> list[int]:
        """Numbers of the ``limit`` questions closest to ``text``, closest first."""
        query = processed(text)
        if not query:
            return []
        choices: Sequence[int] | None = None
        if len(self.processed) > FULL_SCAN:
            choices = self._candidates(query.split()) or None
        if choices is None:
            return [n for n, _ in rank_processed(query, self.processed, limit)]
        found = rank_processed(query, [self.processed[n] for n in choices], limit)
        return [choices[k] for k, _ in found]

    def _candidates(self, typed: list[str]) -> list[int]:
        """The questions holding most of the typed words (as whole words, or as prefixes of theirs), rarer words
        counting more, and a question starting with the first typed word counting as one more word."""
        scores: dict[int, float] = defaultdict(float)
        lookups = [(w, self.words, self.holders) for w in dict.fromkeys(typed)]
        for word, words, holders in [*lookups, (typed[0], self.first_words, self.first_holders)]:
            held = _holding(word, words, holders)
            weight = math.log(1 + len(self.processed) / (1 + len(held)))
            for n in held:
                scores[n] += weight
        best = heapq.nsmallest(CANDIDATES, scores.items(), key=lambda item: (-item[1], item[0]))
        return sorted(n for n, _ in best)


def _word_index(texts: Iterable[list[str]]) -> tuple[list[str], list[list[int]]]:
    """The sorted distinct words of ``texts``, and the numbers of the texts holding each."""
    holders: dict[str, list[int]] = defaultdict(list)
    for n, words in enumerate(texts):
        for word in dict.fromkeys(words):
            holders[word].append(n)
    words = sorted(holders)
    return words, [holders[w] for w in words]


def _holding(word: str, words: list[str], holders: list[list[int]]) -> set[int]:
    """The texts holding ``word``, or, for a word of ``MIN_PREFIX`` letters or more, a word it begins."""
    start = bisect.bisect_left(words, word)
    if len(word) >= MIN_PREFIX:
        end = bisect.bisect_right(words, word + "\uffff")
    else:
        end = start + (start < len(words) and words[start] == word)
    held: set[int] = set()
    for numbers in holders[start:end]:
        held.update(numbers)
    return held

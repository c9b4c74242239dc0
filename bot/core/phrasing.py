"""The second signal: how a whole question reads, function words and word order included, learnt from the
knowledge's own alternate questions (and a passage's text, for passages that have none yet).

Each sentence becomes a TF-IDF vector of its words and word pairs (stop words kept: "what does … do" and
"what is …" are different questions). An entry (a passage or an out-of-scope topic) is scored by
- its nearest sentence (cosine), which rewards a question phrased like one the maintainers wrote, and
- its centroid, the normalised mean of its questions' vectors: a small linear model of how people ask for it.
Deterministic, built at index time, no download.
"""

from __future__ import annotations

import itertools
import math
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

from bot.core.synonyms import Synonyms
from bot.core.text import STOP_WORDS, stems

Vector = dict[int, float]
"""A TF-IDF vector: feature number → weight."""
K = TypeVar("K")

MAX_NEIGHBOUR_SHARE = 0.25
"""Features held by more than this share of the sentences are left out of the nearest-sentence search (they
still count in the centroids): they say little and would make the search grow with the knowledge."""
MAX_NEIGHBOUR_POSTINGS = 2000


_PERSON = {**dict.fromkeys("my your our mon ma mes ton ta tes votre vos notre nos".split(), "<poss>"),
           **dict.fromkeys("i you we je j tu vous nous on".split(), "<someone>")}
"""The asker's and the reader's words read alike: "how do you become…" asks what "how do I become…" asks, and
« votre startup » is « ma startup »."""


def _norm(token: str, synonyms: Synonyms) -> str:
    if token in _PERSON:
        return _PERSON[token]
    if token in STOP_WORDS or len(token) < 3 or token.startswith("="):
        return token
    keys = synonyms.keys_of(token)
    return keys[0] if keys else _shortest_stem(token)


@lru_cache(maxsize=65536)
def _shortest_stem(token: str) -> str:
    return min(stems(token), key=lambda s: (len(s), s))


def features(tokens: Sequence[str], synonyms: Synonyms, memo: dict[str, str] | None = None) -> dict[str, int]:
    """Counts of the normalised words and of consecutive word pairs of a folded word sequence (``memo``: each
    token's normal form, kept between calls)."""
    memo = {} if memo is None else memo
    tokens = _phrases_as_keys(tokens, synonyms)
    norm = [memo[t] if t in memo else memo.setdefault(t, _norm(t, synonyms)) for t in tokens if not t.isdigit()]
    counts = Counter(norm)  # the words, then the pairs, in order
    counts.update(map("{} {}".format, norm, norm[1:]))
    return counts


def _phrases_as_keys(tokens: Sequence[str], synonyms: Synonyms) -> Sequence[str]:
    """``tokens`` with each synonym phrase ("chief technology officer", « directeur technique ») as its group's
    key, so that a question spelling the subject out reads like one that names it in a word ("CTO")."""
    spans = synonyms.phrases_in(tokens)
    if not spans:
        return tokens
    out: list[str] = []
    n = 0
    for start, end, keys in spans:
        if start < n:
            continue  # overlapping phrases: the first one stands
        out += tokens[n:start]
        out.append(min(keys))
        n = end
    return out + list(tokens[n:])


class PhraseModel:
    """Nearest-sentence and centroid similarity of a question to each entry, 0..1.

    Stored flat, for memory and loading: each feature (a word or word pair) has a number (``ids``); its IDF,
    its postings (sentence numbers and weights) and each entry's centroid (feature numbers and weights) are
    arrays, a feature's postings and an entry's centroid being the slices between two of their ``starts``."""

    def __init__(self, entries: Sequence[tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]]],
                 synonyms: Synonyms):
        """``entries``: per entry, (its alternate questions, its own text's sentences), each a folded word list;
        the sentences count only for entries with no questions."""
        self.synonyms = synonyms
        raw: list[tuple[int, dict[str, int]]] = []
        memo: dict[str, str] = {}
        for e, (questions, texts) in enumerate(entries):
            raw += [(e, features(q, synonyms, memo)) for q in questions]
            if not questions:  # a passage with no alternate questions yet is known by its own sentences
                raw += [(e, features(t, synonyms, memo)) for t in texts]
        df: Counter[str] = Counter()
        for _, counts in raw:
            df.update(counts.keys())
        total = len(raw) + 1
        self.ids = {f: n for n, f in enumerate(df)}
        self.idf = array("d", [math.log(total / (n + 1)) + 1.0 for n in df.values()])
        self.owner = array("I", [e for e, _ in raw])
        limit = min(MAX_NEIGHBOUR_POSTINGS, max(8, int(MAX_NEIGHBOUR_SHARE * len(raw))))
        searched = [n <= limit for n in df.values()]
        numbers: list[list[int]] = [[] for _ in df]
        weights: list[list[float]] = [[] for _ in df]
        sums: list[dict[int, float]] = [defaultdict(float) for _ in entries]
        idf, log = self.idf, math.log
        for s, (e, counts) in enumerate(raw):  # each sentence's vector, as ``_weigh`` makes it (inlined: hot)
            found = [self.ids[f] for f in counts]
            vector = [idf[i] if n == 1 else (1 + log(n)) * idf[i] for i, n in zip(found, counts.values(), strict=True)]
            norm = math.sqrt(sum([w * w for w in vector]))
            if not norm:
                continue
            sum_of_entry = sums[e]
            for i, w in zip(found, vector, strict=True):
                w = w / norm
                if searched[i]:
                    numbers[i].append(s)
                    weights[i].append(w)
                sum_of_entry[i] += w
        self.starts = array("I", [0, *itertools.accumulate(map(len, numbers))])
        self.sentences = array("I", itertools.chain.from_iterable(numbers))
        self.weights = array("d", itertools.chain.from_iterable(weights))
        centroids = [dict(sorted(_normalised(v).items())) for v in sums]
        self.centroid_starts = array("I", [0, *itertools.accumulate(map(len, centroids))])
        self.centroid_features = array("I", itertools.chain.from_iterable(centroids))
        self.centroid_weights = array("d", itertools.chain.from_iterable(c.values() for c in centroids))

    def _weigh(self, counts: dict[str, int]) -> dict[int, float]:
        """The normalised TF-IDF vector of feature ``counts``, by feature number (unknown features left out)."""
        ids, idf = self.ids, self.idf  # (1 + log 1) * x is x: most features occur once, and skip the logarithm
        return _normalised({i: idf[i] if n == 1 else (1 + math.log(n)) * idf[i] for f, n in counts.items()
                            if (i := ids.get(f)) is not None})

    def vector(self, tokens: Sequence[str]) -> Vector:
        return self._weigh(features(tokens, self.synonyms))

    def nearest(self, query: Vector) -> dict[int, float]:
        """Per entry, the cosine of its nearest sentence to ``query`` (entries with none left out)."""
        dots: dict[int, float] = defaultdict(float)
        starts, sentences, weights = self.starts, self.sentences, self.weights
        for i, w in query.items():
            start, end = starts[i], starts[i + 1]
            for s, v in zip(sentences[start:end], weights[start:end], strict=True):
                dots[s] += w * v
        best: dict[int, float] = {}
        for s, d in dots.items():
            e = self.owner[s]
            if d > best.get(e, 0.0):
                best[e] = d
        return best

    def centroid(self, query: Vector, entries: Iterable[int]) -> dict[int, float]:
        """Per entry of ``entries``, the cosine of its centroid to ``query`` (each centroid's features are sorted:
        the query's few features are searched in it)."""
        found = {}
        starts, numbers, weights = self.centroid_starts, self.centroid_features, self.centroid_weights
        for e in entries:
            start, end = starts[e], starts[e + 1]
            dot = 0.0
            for i, w in query.items():
                k = bisect_left(numbers, i, start, end)
                if k < end and numbers[k] == i:
                    dot += w * weights[k]
            found[e] = dot
        return found


def _normalised(vector: dict[K, float]) -> dict[K, float]:
    norm = math.sqrt(sum([w * w for w in vector.values()]))
    return {f: w / norm for f, w in vector.items()} if norm else {}

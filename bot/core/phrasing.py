"""The second signal: how a whole question reads, function words and word order included, learnt from the
knowledge's own alternate questions (and a passage's text, for passages that have none yet).

Each sentence becomes a TF-IDF vector of its words and word pairs (stop words kept: "what does … do" and
"what is …" are different questions). An entry (a passage or an out-of-scope topic) is scored by
- its nearest sentence (cosine), which rewards a question phrased like one the maintainers wrote, and
- its centroid, the normalised mean of its questions' vectors: a small linear model of how people ask for it.
Deterministic, built at index time, no download.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.core.synonyms import Synonyms
from bot.core.text import STOP_WORDS, stems

Vector = dict[str, float]

MAX_NEIGHBOUR_SHARE = 0.25
"""Features held by more than this share of the sentences are left out of the nearest-sentence search (they
still count in the centroids): they say little and would make the search grow with the knowledge."""
MAX_NEIGHBOUR_POSTINGS = 2000


def _norm(token: str, synonyms: Synonyms) -> str:
    if token in STOP_WORDS or len(token) < 3:
        return token
    keys = synonyms.keys_of(token)
    return keys[0] if keys else min(stems(token), key=lambda s: (len(s), s))


def features(tokens: Sequence[str], synonyms: Synonyms, memo: dict[str, str] | None = None) -> dict[str, int]:
    """Counts of the normalised words and of consecutive word pairs of a folded word sequence (``memo``: each
    token's normal form, kept between calls)."""
    memo = {} if memo is None else memo
    norm = [memo[t] if t in memo else memo.setdefault(t, _norm(t, synonyms)) for t in tokens if not t.isdigit()]
    counts: dict[str, int] = defaultdict(int)
    for t in norm:
        counts[t] += 1
    for a, b in zip(norm, norm[1:], strict=False):
        counts[f"{a} {b}"] += 1
    return counts


class PhraseModel:
    """Nearest-sentence and centroid similarity of a question to each entry, 0..1."""

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
        df: dict[str, int] = defaultdict(int)
        for _, counts in raw:
            for f in counts:
                df[f] += 1
        total = len(raw) + 1
        self.idf = {f: math.log(total / (n + 1)) + 1.0 for f, n in df.items()}
        self.owner: list[int] = []
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        sums: list[Vector] = [defaultdict(float) for _ in entries]
        limit = min(MAX_NEIGHBOUR_POSTINGS, max(8, int(MAX_NEIGHBOUR_SHARE * len(raw))))
        for e, counts in raw:
            vector = self._weigh(counts)
            s = len(self.owner)
            self.owner.append(e)
            for f, w in vector.items():
                if df[f] <= limit:
                    postings[f].append((s, w))
                sums[e][f] += w
        self.postings = dict(postings)
        self.centroids = [_normalised(v) for v in sums]

    def _weigh(self, counts: dict[str, int]) -> Vector:
        idf = self.idf  # (1 + log 1) * x is x: most features occur once, and skip the logarithm
        return _normalised({f: idf[f] if n == 1 else (1 + math.log(n)) * idf[f] for f, n in counts.items()
                            if f in idf})

    def vector(self, tokens: Sequence[str]) -> Vector:
        return self._weigh(features(tokens, self.synonyms))

    def nearest(self, query: Vector) -> dict[int, float]:
        """Per entry, the cosine of its nearest sentence to ``query`` (entries with none left out)."""
        dots: dict[int, float] = defaultdict(float)
        for f, w in query.items():
            for s, v in self.postings.get(f, ()):
                dots[s] += w * v
        best: dict[int, float] = {}
        for s, d in dots.items():
            e = self.owner[s]
            if d > best.get(e, 0.0):
                best[e] = d
        return best

    def centroid(self, query: Vector, entries: Iterable[int]) -> dict[int, float]:
        found = {}
        for e in entries:
            centroid = self.centroids[e]
            found[e] = sum(query[f] * centroid[f] for f in query.keys() & centroid.keys())
        return found


def _normalised(vector: Vector) -> Vector:
    norm = math.sqrt(sum([w * w for w in vector.values()]))
    return {f: w / norm for f, w in vector.items()} if norm else {}

"""The one module that calls rapidfuzz: processors and cutoffs are passed explicitly, ``None`` is no match."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process, utils


def typo_cutoff(word: str) -> float | None:
    """The least ``fuzz.ratio`` at which another word counts as ``word`` misspelt; None for words too short.

    One edit in five letters is 80; longer words tolerate a little more.
    """
    if len(word) < 4:
        return None
    return 80.0 if len(word) < 7 else 75.0


def close_words(word: str, vocabulary: Sequence[str], limit: int = 3) -> list[tuple[str, float]]:
    """Words of ``vocabulary`` that ``word`` may be a misspelling of, best first, with their similarity 0..100."""
    cutoff = typo_cutoff(word)
    if cutoff is None or not vocabulary:
        return []
    found = process.extract(word, vocabulary, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff,
                            limit=limit + 2)
    slack = 1 if len(word) < 7 else 2  # a typo changes a letter or two, not the word's length ("rain" ≠ "drains")
    return [(choice, score) for choice, score, _ in found if choice != word and _length_gap(word, choice) <= slack
            ][:limit]


def _length_gap(word: str, choice: str) -> int:
    """How much longer or shorter ``choice`` is than ``word``, a plural's "s" aside when both start alike
    ("mision" → "missions"; not "rain" → "drains")."""
    gap = abs(len(choice) - len(word))
    plural = choice.endswith("s") != word.endswith("s") and choice[:1] == word[:1]
    return gap - 1 if gap and plural else gap


def phrase_similarity(query: str, phrases: Iterable[str]) -> float:
    """The best ``token_sort_ratio`` of ``query`` against ``phrases`` (already folded), 0 when there are none."""
    best = process.extractOne(query, list(phrases), scorer=fuzz.token_sort_ratio, processor=None)
    return float(best[1]) if best is not None else 0.0


def rank(query: str, choices: Mapping[int, str], limit: int) -> list[tuple[int, float]]:
    """Keys of ``choices`` ranked by ``WRatio`` of their text against ``query``, ignoring case and punctuation."""
    found = process.extract(query, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit)
    return [(key, float(score)) for _, score, key in found]


def first_similar(query: str, phrases: Sequence[str], cutoff: float) -> int | None:
    """The index of the first of ``phrases`` whose ``fuzz.ratio`` with ``query`` reaches ``cutoff``, else None.

    One call compares with every phrase in C. With each text's words sorted beforehand, this is
    ``token_sort_ratio`` without re-sorting the phrases at every call.
    """
    found = process.extract(query, phrases, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None)
    return min((index for _, _, index in found), default=None)


def processed(text: str) -> str:
    """``text`` as ``rank`` compares it: lowercase, punctuation and surrounding spaces removed."""
    return utils.default_process(text)


def rank_processed(query: str, choices: Sequence[str], limit: int) -> list[tuple[int, float]]:
    """``rank`` over choices already ``processed`` (prepared once, not at each call), for a ``processed`` query."""
    found = process.extract(query, choices, scorer=fuzz.WRatio, processor=None, limit=limit)
    return [(key, float(score)) for _, score, key in found]


def similarity(a: str, b: str) -> float:
    """``fuzz.ratio`` of two folded texts, 0..100."""
    return float(fuzz.ratio(a, b, processor=None))

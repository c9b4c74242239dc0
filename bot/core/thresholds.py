"""Where the engine draws its lines."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Where the engine draws its lines, on the 0..100 score."""

    answer: float = 62.0
    """The least score of an answer."""
    unasked_answer: float = 65.0
    """The least score of an answer from a passage known by its text alone (no alternate questions yet): in a
    freshly imported document, a near miss scores as high as a match."""
    lone_answer: float = 58.0
    """The least score of an answer that leads every other candidate by ``lone_margin`` or more."""
    lone_margin: float = 10.0
    margin: float = 5.0
    """How far the best passage must lead the next one to be answered alone."""
    sure: float = 85.0
    """A score at which the best passage is answered even when the next one is close."""
    suggest: float = 40.0
    """The least score of a suggestion; below, the question is declined."""
    coverage: float = 0.45
    """The least share of the question's information that an answer must cover."""
    least_coverage: float = 0.2
    """Below this share of the question's words, its phrasing alone never supports an answer or a suggestion."""
    suggest_coverage: float = 0.4
    """The least share of the question's information that a suggestion must cover."""
    coverage_weight: float = 0.5
    """How much word coverage counts in the score."""
    phrase_weight: float = 0.2
    """How much closeness to an alternate question's meaningful words counts (rapidfuzz)."""
    text_weight: float = 0.8
    """How much word coverage counts for a passage with no alternate questions yet (instead of the two above)."""
    model_weight: float = 0.7
    """How much the phrase model counts: the whole question, function words and word order included."""
    model_answer: float = 0.28
    """The least phrase-model similarity that lets a question whose only words are generic (held by most
    passages, like the documents' subject) be answered."""
    model_margin: float = 0.0
    """How far that similarity must lead the next passage's for such a question."""
    subject_share: float = 0.75
    """A word held by at least this share of the passages names the documents' subject ("CTO")."""
    generic_share: float = 0.5
    """A word held by at least this share of the passages is generic: it cannot carry an answer alone."""
    focus_bonus: float = 15.0
    """Added to the score of passages near the previous answer (``focus``), for follow-up questions."""
    unknown_word_weight: float = 0.5
    """How much a word the knowledge lacks counts against coverage, against a rare known word (1)."""
    shortlist: int = 40
    """How many entries, best by word coverage, get the finer phrase comparison."""
    max_candidates: int = 400
    """How many entries holding the question's rarer words are scored at most."""

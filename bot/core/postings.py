"""One side of an index's postings packed in arrays, as a cached engine keeps them: a stem's postings are
unpacked into a dict the first time a question looks it up. Millions of postings cost 6 bytes each instead of
a dict entry and two objects, and load in one copy instead of one object at a time."""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterator, Mapping
from typing import Any

Postings = dict[int, float]
"""Entry index → strength."""
MAX_STRENGTHS = 1 << 16
"""Strengths are stored as numbers into a table of the distinct ones (a handful: the field weights)."""


class PackedPostings(Mapping[str, Postings]):
    """Stem → postings, read-only, each stem's postings unpacked (then kept) on first access."""

    def __init__(self, stems: list[str], starts: array, numbers: array, codes: array, strengths: list[float]):
        self._at = {stem: n for n, stem in enumerate(stems)}
        self._starts, self._numbers, self._codes, self._strengths = starts, numbers, codes, strengths
        self._unpacked: dict[str, Postings] = {}

    @classmethod
    def pack(cls, by_stem: Mapping[str, Postings]) -> PackedPostings | None:
        """``by_stem`` packed, or None when it does not fit (entry numbers or strengths out of range)."""
        strengths = sorted({s for found in by_stem.values() for s in found.values()})
        if len(strengths) > MAX_STRENGTHS:
            return None
        code = {s: n for n, s in enumerate(strengths)}
        try:
            numbers = array("I", (i for found in by_stem.values() for i in found))
        except (OverflowError, TypeError):
            return None
        codes = array("H", (code[s] for found in by_stem.values() for s in found.values()))
        starts = array("I", [0, *itertools.accumulate(map(len, by_stem.values()))])
        return cls(list(by_stem), starts, numbers, codes, strengths)

    def __getitem__(self, stem: str) -> Postings:
        found = self._unpacked.get(stem)
        if found is None:
            n = self._at[stem]
            start, end = self._starts[n], self._starts[n + 1]
            found = self._unpacked[stem] = dict(zip(self._numbers[start:end],
                                                    map(self._strengths.__getitem__, self._codes[start:end]),
                                                    strict=True))
        return found

    def __contains__(self, stem: object) -> bool:
        return stem in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (list(self._at), self._starts, self._numbers, self._codes, self._strengths)

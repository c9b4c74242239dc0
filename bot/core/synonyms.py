"""Synonym groups from the knowledge (``synonyms:``): words and phrases that mean the same here.

Each group gets a key (``=0``, ``=1`` …) that the index posts beside the words themselves, so that a question
word finds every passage holding any member of its group. A phrase member ("in charge") is found in the folded
word sequence, stop words included, and stands for the group's key.

>>> s = Synonyms([("compétences", "qualités", "skills"), ("responsable", "in charge", "owns")])
>>> s.keys_of("qualites"), s.keys_of("skill"), s.keys_of("budget")
(('=0',), ('=0',), ())
>>> s.phrases_in(["who", "is", "in", "charge", "of", "it"])
[(2, 4, {'=1'})]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.text import STOP_WORDS, stems, words


class Synonyms:
    """Lookups from a word's stems (or a phrase) to the keys of the groups it belongs to."""

    def __init__(self, groups: Iterable[Sequence[str]] = ()):
        self.groups = [tuple(g) for g in groups]
        self._by_stem: dict[str, set[str]] = {}
        self._phrases: dict[tuple[str, ...], set[str]] = {}
        for n, group in enumerate(self.groups):
            key = f"={n}"
            for member in group:
                tokens = tuple(words(member))
                meaningful = [t for t in tokens if t not in STOP_WORDS]
                if len(tokens) == 1 and meaningful:
                    for form in stems(tokens[0]):
                        self._by_stem.setdefault(form, set()).add(key)
                elif tokens:
                    self._phrases.setdefault(tokens, set()).add(key)
        self._longest = max((len(p) for p in self._phrases), default=0)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def keys_of(self, word: str) -> tuple[str, ...]:
        """The keys of the groups a folded word belongs to, by any of its stems."""
        if not self._by_stem:
            return ()
        found = [key for form in stems(word) for key in self._by_stem.get(form, ())]
        return tuple(sorted(set(found))) if found else ()

    def phrases_in(self, tokens: Sequence[str]) -> list[tuple[int, int, set[str]]]:
        """(start, end, group keys) of each phrase member found in ``tokens``."""
        if not self._phrases:
            return []
        found = []
        for start in range(len(tokens)):
            for size in range(2, min(self._longest, len(tokens) - start) + 1):
                if keys := self._phrases.get(tuple(tokens[start:start + size])):
                    found.append((start, start + size, keys))
        return found

    def group(self, key: str) -> tuple[str, ...]:
        """The members of the group ``key`` (for ``--debug``)."""
        return self.groups[int(key[1:])]

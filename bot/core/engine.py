"""The answer engine: a question in, an Answer out. Pure: no I/O, no environment, no platform.

How a question is answered:
1. it is cleaned and cut to a bounded length; greetings, thanks and calls for help are small talk;
2. each meaningful word is looked up in the index (by stem, else by close spelling);
3. every passage holding some of the words is scored: the share of the question's information it
   covers (rare words weigh more, words the knowledge lacks weigh most), blended with how close the
   question is to one of the passage's alternate questions;
4. the best passage is the answer only when it covers the question's meaningful words and clearly beats
   the others; close or middling candidates become "did you mean" suggestions; the rest is declined.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.answer import Answer, Candidate, Outcome, Suggestion
from bot.core.index import Index, WordMatch
from bot.core.knowledge import Knowledge, Passage
from bot.core.matching import phrase_similarity, rank
from bot.core.replies import list_text, message, suggestion_text, topics_line
from bot.core.smalltalk import GREETING_WORDS, smalltalk_kind
from bot.core.text import MAX_QUESTION_CHARS, clean, content_words, detect_language, strip_tags, truncate

MAX_TOPICS = 12
"""Replies list at most this many topics, so that they stay short however big the knowledge grows."""


@dataclass(frozen=True)
class Thresholds:
    """Where the engine draws its lines, on the 0..100 score."""

    answer: float = 65.0
    """The least score of an answer."""
    margin: float = 4.0
    """How far the best passage must lead the next one to be answered alone."""
    sure: float = 85.0
    """A score at which the best passage is answered even when the next one is close."""
    suggest: float = 50.0
    """The least score of a suggestion; below, the question is declined."""
    coverage: float = 0.65
    """The least share of the question's information that an answer must cover."""
    suggest_coverage: float = 0.4
    """The least share of the question's information that a suggestion must cover."""
    phrase_weight: float = 0.35
    """How much closeness to an alternate question counts, against word coverage."""
    unknown_word_weight: float = 0.5
    """How much a word the knowledge lacks counts against coverage, against a rare known word (1)."""
    shortlist: int = 40
    """How many passages, best by word coverage, get the finer phrase comparison."""
    max_candidates: int = 400
    """How many passages holding the question's rarer words are scored at most."""


@dataclass(frozen=True)
class _Scored:
    index: int
    score: float
    coverage: float


class Engine:
    """Answers questions from one knowledge base. Build it once; ``ask`` is safe to call from any thread."""

    def __init__(self, knowledge: Knowledge, thresholds: Thresholds | None = None):
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self.index = Index.build(knowledge)
        self._sections = {s.id: s for s in knowledge.sections}
        self._by_id = {p.id: i for i, p in enumerate(self.index.passages)}
        self._completions = {lang: self._questions_by_key(lang) for lang in ("fr", "en")}
        self._topics = {lang: tuple(dict.fromkeys(s.topic_in(lang) for s in knowledge.sections))[:MAX_TOPICS]
                        for lang in ("fr", "en")}

    # -- public interface -------------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        """Answer ``question``, whatever the string: never raises, and the reply stays bounded."""
        raw = question[: 4 * MAX_QUESTION_CHARS] if isinstance(question, str) else ""
        question = truncate(clean(raw))
        lang = self._language(question)
        kind = smalltalk_kind(question)
        words = [w for w in content_words(strip_tags(question)) if w not in GREETING_WORDS]
        if kind or not words:
            return self._smalltalk(question, lang, kind or "help")
        ranked = self._score(words, self._confident_language(question))
        return self._decide(question, lang, " ".join(words), ranked)

    def answer_passage(self, passage_id: str, lang: str = "fr", question: str = "") -> Answer:
        """Answer with a known passage, as when someone picks a suggestion; decline an unknown id."""
        lang = lang if lang in ("fr", "en") else "fr"
        i = self._by_id.get(passage_id)
        if i is None:
            return self._decline(question, lang, 0.0, [])
        passage = self.index.passages[i]
        return self._answer(question or self._question_of(passage, lang), lang, passage, 100.0, [])

    def help(self, lang: str = "fr") -> Answer:
        """The reply to "help": what the bot is for and the topics it covers."""
        return self._smalltalk("", lang if lang in ("fr", "en") else "fr", "help")

    def topics(self, lang: str = "fr") -> tuple[str, ...]:
        """What the knowledge covers, one short name per section (the first ``MAX_TOPICS``), in ``lang``."""
        return self._topics["en" if lang == "en" else "fr"]

    def complete(self, text: str, limit: int = 25) -> list[Suggestion]:
        """Up to ``limit`` questions the bot can answer, closest to ``text`` first (for autocomplete)."""
        text = truncate(clean(text if isinstance(text, str) else ""), 100)
        lang = self._language(text)
        choices, owners = self._completions[lang]
        if not text.strip():
            firsts = [Suggestion(self._question_of(p, lang), p.id, self._heading(p)) for p in self.index.passages]
            return firsts[:limit]
        seen: set[str] = set()
        found: list[Suggestion] = []
        for key, _ in rank(text, choices, limit=limit * 2):
            if choices[key] not in seen:
                seen.add(choices[key])
                found.append(Suggestion(choices[key], owners[key].id, self._heading(owners[key])))
        return found[:limit]

    def _questions_by_key(self, lang: str) -> tuple[dict[int, str], list[Passage]]:
        """Every alternate question in ``lang`` by number, and the passage each belongs to (for ``complete``)."""
        pairs = [(q, p) for p in self.index.passages for q in p.questions_in(lang)]
        return {n: q for n, (q, _) in enumerate(pairs)}, [p for _, p in pairs]

    # -- scoring ----------------------------------------------------------------------------------

    @staticmethod
    def _confident_language(question: str) -> str | None:
        """The question's language when its own words tell (not guessed from the knowledge), else None."""
        return detect_language(question, default="") or None

    def _language(self, question: str) -> str:
        guess = detect_language(question, default="")
        if guess:
            return guess
        words = content_words(question)
        french = sum(w in self.index.french_words for w in words)
        english = sum(w in self.index.english_words for w in words)
        return "en" if english > french else "fr"

    def _score(self, words: list[str], lang: str | None) -> list[_Scored]:
        matches = [self.index.lookup(w, lang) for w in dict.fromkeys(words)]
        unknown = self.thresholds.unknown_word_weight
        total = sum(m.weight * (1.0 if m.known else unknown) for m in matches) or 1.0
        candidates = self._candidates(matches)
        coverage = dict.fromkeys(candidates, 0.0)
        for m in matches:
            for i, strength in m.strengths(candidates).items():
                coverage[i] += m.weight * strength / total
        shortlist = sorted(coverage, key=coverage.__getitem__, reverse=True)[: self.thresholds.shortlist]
        query = " ".join(words)
        phrase = self.thresholds.phrase_weight
        scored = [
            _Scored(i, 100 * ((1 - phrase) * coverage[i] + phrase * self._phrase(query, i) / 100), coverage[i])
            for i in shortlist
        ]
        return sorted(scored, key=lambda s: s.score, reverse=True)

    def _candidates(self, matches: list[WordMatch]) -> set[int]:
        """Passages worth scoring, at most ``max_candidates``: those holding the question's rarest word, then
        the next rarest while the set stays small. When even the rarest word is everywhere, passages holding
        several of the words are kept, so that common words cannot make the work grow with the knowledge."""
        limit = self.thresholds.max_candidates
        ordered = sorted((m for m in matches if m.known), key=lambda m: m.frequency)
        if not ordered:
            return set()
        candidates = ordered[0].passages()
        if len(candidates) > limit:
            for m in ordered[1:]:
                candidates = (candidates & m.passages()) or candidates
                if len(candidates) <= limit:
                    break
            return set(sorted(candidates)[:limit])
        for m in ordered[1:]:
            if len(candidates) + m.frequency > limit:
                break
            candidates.update(m.passages())
        return candidates

    def _phrase(self, query: str, i: int) -> float:
        return phrase_similarity(query, self.index.questions[i])

    def _decide(self, question: str, lang: str, query: str, ranked: list[_Scored]) -> Answer:
        t = self.thresholds
        candidates = [Candidate(self.index.passages[s.index].id, self._heading(self.index.passages[s.index]),
                                round(s.score, 1)) for s in ranked[:5]]
        if not ranked:
            return self._decline(question, lang, 0.0, candidates)
        best = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        clear = best.score >= t.sure or best.score - runner_up >= t.margin
        if best.score >= t.answer and best.coverage >= t.coverage and clear:
            return self._answer(question, lang, self.index.passages[best.index], best.score, candidates)
        if best.score >= t.suggest and best.coverage >= t.suggest_coverage:
            close = [s for s in ranked[:3] if s.score >= t.suggest and best.score - s.score < 15]
            return self._suggest(question, lang, query, best.score, close, candidates)
        return self._decline(question, lang, best.score, candidates)

    # -- replies ----------------------------------------------------------------------------------

    def _heading(self, passage: Passage) -> str:
        return self._sections[passage.section_id].heading

    def _question_of(self, passage: Passage, lang: str, near: str = "") -> str:
        questions = passage.questions_in(lang)
        if not questions:
            return self._sections[passage.section_id].title_in(lang)
        if not near:
            return questions[0]
        return max(questions, key=lambda q: phrase_similarity(near, [self.index.question_keys[q]]))

    def _answer(self, question: str, lang: str, passage: Passage, score: float,
                candidates: list[Candidate]) -> Answer:
        """The passage in ``lang``; a list's lead-in comes with every item; a passage with no text in ``lang`` is
        given in its original language, with one line that says so."""
        items = self.knowledge.items_of(passage)
        text, source = passage.text_in(lang), passage.text
        if items:
            text = list_text(text, [item.text_in(lang) for item in items])
            source = "\n".join([passage.text, *(item.text for item in items)])
        if not all(p.has_text_in(lang) for p in (passage, *items)):
            text = f"{message(lang, 'original_language')}\n{text}"
        return Answer(question=question, outcome=Outcome.ANSWER, text=text, lang=lang,
                      score=min(score, 100.0), section=self._heading(passage), passage_id=passage.id,
                      source=source, items=tuple(item.text_in(lang) for item in items),
                      candidates=tuple(candidates))

    def _suggest(self, question: str, lang: str, query: str, score: float, close: list[_Scored],
                 candidates: list[Candidate]) -> Answer:
        suggestions = tuple(
            Suggestion(self._question_of(p, lang, query), p.id, self._heading(p))
            for p in (self.index.passages[s.index] for s in close)
        )
        return Answer(question=question, outcome=Outcome.SUGGEST,
                      text=suggestion_text(lang, [s.question for s in suggestions]), lang=lang, score=score,
                      suggestions=suggestions, topics=self.topics(lang), candidates=tuple(candidates))

    def _decline(self, question: str, lang: str, score: float, candidates: list[Candidate]) -> Answer:
        topics = self.topics(lang)
        text = f"{message(lang, 'decline')} {topics_line(lang, topics)}"
        return Answer(question=question, outcome=Outcome.DECLINE, text=text, lang=lang, score=score,
                      topics=topics, candidates=tuple(candidates))

    def _about(self, lang: str) -> str:
        return self.knowledge.identity.about(lang) or message(lang, "default_about")

    def _smalltalk(self, question: str, lang: str, kind: str) -> Answer:
        topics = self.topics(lang)
        greeting = self.knowledge.identity.greeting(lang) if kind == "greeting" else ""
        text = greeting or message(lang, kind, about=self._about(lang))
        if kind in ("greeting", "help"):
            text = f"{text} {topics_line(lang, topics)}"
            if self.index.passages:
                text += " " + message(lang, "example", example=self._question_of(self.index.passages[0], lang))
        return Answer(question=question, outcome=Outcome.SMALLTALK, text=text, lang=lang, score=100.0,
                      topics=topics)

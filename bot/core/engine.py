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

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.answer import Answer, Candidate, Outcome, Suggestion
from bot.core.index import FIELD_WEIGHTS, Index, WordMatch
from bot.core.knowledge import Knowledge, OutOfScope, Passage
from bot.core.matching import phrase_similarity, rank
from bot.core.replies import list_text, message, suggestion_text, topics_line
from bot.core.smalltalk import smalltalk_kind, without_greeting
from bot.core.subject import JOB_WORDS, role_subject
from bot.core.text import MAX_QUESTION_CHARS, clean, content_words, detect_language, shorten, strip_tags, truncate
from bot.core.text import words as all_words

_CLAUSE_END = re.compile(r"(?<=[?!.;])\s+")
"""Where a message that asks several things splits ("What is a CTO? Why does a startup need one?")."""
MAX_TOPICS = 12
"""Replies list at most this many topics, so that they stay short however big the knowledge grows."""


@dataclass(frozen=True)
class Thresholds:
    """Where the engine draws its lines, on the 0..100 score."""

    answer: float = 60.0
    """The least score of an answer."""
    margin: float = 3.0
    """How far the best passage must lead the next one to be answered alone."""
    sure: float = 85.0
    """A score at which the best passage is answered even when the next one is close."""
    suggest: float = 45.0
    """The least score of a suggestion; below, the question is declined."""
    coverage: float = 0.55
    """The least share of the question's information that an answer must cover."""
    suggest_coverage: float = 0.4
    """The least share of the question's information that a suggestion must cover."""
    coverage_weight: float = 0.5
    """How much word coverage counts in the score."""
    phrase_weight: float = 0.3
    """How much closeness to an alternate question's meaningful words counts (rapidfuzz)."""
    model_weight: float = 0.6
    """How much the phrase model counts: the whole question, function words and word order included."""
    model_answer: float = 0.32
    """The least phrase-model similarity that lets a question whose only words are generic (held by most
    passages, like the documents' subject) be answered."""
    model_margin: float = 0.0
    """How far that similarity must lead the next passage's for such a question."""
    subject_share: float = 0.75
    """A word held by at least this share of the passages names the documents' subject ("CTO")."""
    generic_share: float = 0.5
    """A word held by at least this share of the passages is generic: it cannot carry an answer alone."""
    focus_bonus: float = 8.0
    """Added to the score of passages near the previous answer (``focus``), for follow-up questions."""
    unknown_word_weight: float = 0.5
    """How much a word the knowledge lacks counts against coverage, against a rare known word (1)."""
    shortlist: int = 40
    """How many entries, best by word coverage, get the finer phrase comparison."""
    max_candidates: int = 400
    """How many entries holding the question's rarer words are scored at most."""


@dataclass(frozen=True)
class _Scored:
    index: int
    score: float
    coverage: float
    model: float = 0.0


class Engine:
    """Answers questions from one knowledge base. Build it once; ``ask`` is safe to call from any thread."""

    def __init__(self, knowledge: Knowledge, thresholds: Thresholds | None = None):
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self.index = Index.build(knowledge)
        self._sections = {s.id: s for s in knowledge.sections}
        self._by_id = {p.id: i for i, p in enumerate(self.index.passages)}
        self._completions = {lang: self._questions_by_key(lang) for lang in ("fr", "en")}
        self._subject = self._subject_words()
        self._topics = {lang: tuple(dict.fromkeys(s.topic_in(lang) for s in knowledge.sections))[:MAX_TOPICS]
                        for lang in ("fr", "en")}

    # -- public interface -------------------------------------------------------------------------

    def ask(self, question: str, focus: Sequence[str] = ()) -> Answer:
        """Answer ``question``, whatever the string: never raises, and the reply stays bounded.

        ``focus`` names passages near the previous answer of a conversation: they, their section and their
        list score a little more, so that a short follow-up ("and the budget?") is read against them."""
        raw = question[: 4 * MAX_QUESTION_CHARS] if isinstance(question, str) else ""
        question = truncate(clean(raw))
        lang = self._language(question)
        kind = smalltalk_kind(question)
        if kind:
            return self._smalltalk(question, lang, kind)
        answer = self._ask_clause(question, question, lang, focus)
        clauses = [c for c in _CLAUSE_END.split(question) if self.index.terms(c)]
        if answer.outcome is Outcome.ANSWER or len(clauses) < 2:
            return answer
        if answer.out_of_scope:
            return answer
        answered = [a for c in clauses
                    if (a := self._ask_clause(c, question, lang, focus)).matched and a.score >= self.thresholds.sure]
        return max(answered, key=lambda a: a.score) if answered else answer

    def _ask_clause(self, text: str, question: str, lang: str, focus: Sequence[str]) -> Answer:
        """Answer one question, or one sentence of a message that asks several things at once."""
        tokens = without_greeting(all_words(strip_tags(text)))
        words = self.index.terms(" ".join(tokens))
        if not words:
            return self._smalltalk(question, lang, "help")
        subject = role_subject(text)
        if subject is not None and not self._about_the_subject(subject):
            return self._decline(question, lang, 0.0, [])
        ranked = self._score(words, tokens, self._confident_language(question), self._near(focus))
        return self._decide(question, lang, " ".join(w for w in words if not w.startswith("=")), ranked)

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

    def _subject_words(self) -> frozenset[str]:
        """The documents' subject: the words (and synonym groups) that nearly every passage holds."""
        if len(self.index.passages) < 4:
            return frozenset()
        cut = self.thresholds.subject_share * len(self.index.passages)
        keys = [f"={n}" for n in range(len(self.index.synonyms.groups))]
        passages = len(self.index.passages)
        return frozenset(w for w in (*self.index.vocabulary, *keys)
                         if sum(i < passages for i in self.index.lookup(w).passages()) >= cut)

    def _about_the_subject(self, subject: str) -> bool:
        """True when ``subject`` (the X of "what does X do") names the documents' subject, or when the
        documents have no clear subject to compare with."""
        if not self._subject:
            return True
        terms = self.index.terms(subject)
        terms = [w for w in terms if w not in JOB_WORDS] or terms  # "directeur" beside another word says little
        matches = [self.index.lookup(w) for w in terms]
        return not terms or any(m.word in self._subject or self._subject.intersection(m.spellings)
                                or m.fields & self._subject for m in matches)

    def _near(self, focus: Sequence[str]) -> set[int]:
        """The entries a follow-up is read against: the focus passages, their sections and their lists."""
        if not focus:
            return set()
        sections = {p.section_id for i in focus if (p := self.knowledge.passage(i)) is not None}
        return {i for i, p in enumerate(self.index.passages) if p.section_id in sections}

    def _score(self, words: list[str], tokens: list[str], lang: str | None, near: set[int]) -> list[_Scored]:
        t = self.thresholds
        matches = [self.index.lookup(w, lang) for w in dict.fromkeys(words)]
        unknown = t.unknown_word_weight
        total = sum(m.weight * (1.0 if m.known else unknown) for m in matches) or 1.0
        spelled = {m.word: m.spelled for m in matches if m.spelled}
        query = self.index.phrases.vector([spelled.get(w, w) for w in tokens])
        nearest = self.index.phrases.nearest(query)
        candidates = self._candidates(matches) | {e for e, _ in sorted(nearest.items(), key=lambda kv: -kv[1])[:5]}
        if not candidates:
            return []
        coverage = dict.fromkeys(candidates, 0.0)
        for m in matches:
            for i, strength in m.strengths(candidates).items():
                coverage[i] += m.weight * strength / total
        shortlist = sorted(coverage, key=coverage.__getitem__, reverse=True)[: t.shortlist]
        centroid = self.index.phrases.centroid(query, shortlist)
        rescuable = len(tokens) > len(words)  # function words give the question a form ("what does … do")
        generic = self._only_generic(matches, rescuable)
        # an out-of-scope topic must share the question's words, not only its form
        shortlist = [i for i in shortlist if not (self.index.is_topic(i) and coverage[i] < t.suggest_coverage)]
        models = {i: (nearest.get(i, 0.0) + centroid[i]) / 2 for i in shortlist}
        ordered = sorted(models.values(), reverse=True) or [0.0]
        model_lead = ordered[0] - ordered[1] if len(ordered) > 1 else ordered[0]
        key = " ".join(w for w in words if not w.startswith("="))
        scored = []
        for i in shortlist:
            model = models[i]
            phrase = self._phrase(key, i) / 100 if self.index.questions[i] else 0.0
            if self.index.questions[i]:
                score = t.coverage_weight * coverage[i] + t.phrase_weight * phrase
            else:  # no alternate questions yet (a freshly imported document): its own words decide, in full
                coverage[i] = min(1.0, coverage[i] / FIELD_WEIGHTS["text"])
                score = (t.coverage_weight + t.phrase_weight) * coverage[i]
            score = 100 * (score + t.model_weight * model) + (t.focus_bonus if i in near else 0.0)
            unclear = model < t.model_answer or model < ordered[0] or model_lead < t.model_margin
            if generic and (unclear or not rescuable) and (phrase < 0.9 or len(key.split()) < 2):
                # a question whose form matches nothing the maintainers wrote ("what time is it?" beside "over
                # time") is declined; a bare word ("budget") may still be offered as a suggestion
                weak = rescuable and model < t.model_answer / 2
                score = min(score, (t.suggest if weak else t.answer) - 1)
            scored.append(_Scored(i, score, coverage[i], model))
        return sorted(scored, key=lambda s: s.score, reverse=True)

    def _only_generic(self, matches: list[WordMatch], phrased: bool) -> bool:
        """True when no known word of the question is specific: each is held by most passages (the documents'
        subject), or the question holds a single known word found only in passage text, not in any question,
        keyword or heading (unless, ``phrased`` as a question, it is found in a passage that has no alternate
        questions yet). Such words cannot carry an answer alone."""
        known = [m for m in matches if m.known]
        passages = len(self.index.passages)
        specific = [m for m in known if passages < 4 or m.frequency < self.thresholds.generic_share * passages]
        if not specific:
            return True
        if len(specific) == 1 and len(matches) == 1:
            holders = specific[0].passages()
            if phrased and any(not self.index.questions[i] for i in holders):
                return False  # a passage with no alternate questions yet is known by its text alone
            strongest = max((s for postings, _ in specific[0].postings for s in postings.values()), default=0.0)
            return strongest < FIELD_WEIGHTS["keywords"]
        return False

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

    def _candidate(self, s: _Scored) -> Candidate:
        if self.index.is_topic(s.index):
            topic = self.index.topics[s.index - len(self.index.passages)]
            return Candidate(f"out_of_scope:{topic.id}", topic.topic_in("en"), round(s.score, 1))
        passage = self.index.passages[s.index]
        return Candidate(passage.id, self._heading(passage), round(s.score, 1))

    def _decide(self, question: str, lang: str, query: str, ranked: list[_Scored]) -> Answer:
        t = self.thresholds
        candidates = [self._candidate(s) for s in ranked[:5]]
        if not ranked:
            return self._decline(question, lang, 0.0, candidates)
        best = ranked[0]
        if self.index.is_topic(best.index):
            if best.score >= t.answer:
                topic = self.index.topics[best.index - len(self.index.passages)]
                return self._decline(question, lang, best.score, candidates, topic)
            return self._decline(question, lang, best.score, candidates)
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        clear = best.score >= t.sure or best.score - runner_up >= t.margin
        if best.score >= t.answer and best.coverage >= t.coverage and clear:
            return self._answer(question, lang, self.index.passages[best.index], best.score, candidates)
        if best.score >= t.suggest and best.coverage >= t.suggest_coverage:
            close = [s for s in ranked[:3] if s.score >= t.suggest and best.score - s.score < 15
                     and not self.index.is_topic(s.index)]
            return self._suggest(question, lang, query, best.score, close, candidates)
        return self._decline(question, lang, best.score, candidates)

    # -- replies ----------------------------------------------------------------------------------

    def _heading(self, passage: Passage) -> str:
        return self._sections[passage.section_id].heading

    def _question_of(self, passage: Passage, lang: str, near: str = "") -> str:
        questions = passage.questions_in(lang)
        if not questions:  # no alternate question yet: the passage's opening words say what it answers
            return shorten(passage.text_in(lang), 80)
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
                      text=suggestion_text(lang, [s.question for s in suggestions]), lang=lang, score=min(score, 100.0),
                      suggestions=suggestions, topics=self.topics(lang), candidates=tuple(candidates))

    def _decline(self, question: str, lang: str, score: float, candidates: list[Candidate],
                 topic: OutOfScope | None = None) -> Answer:
        """"Not covered", with what the knowledge does cover; precise when the question is on a topic the
        knowledge names as out of scope ("the documents do not cover salaries")."""
        topics = self.topics(lang)
        first = message(lang, "out_of_scope", topic=topic.topic_in(lang)) if topic else message(lang, "decline")
        return Answer(question=question, outcome=Outcome.DECLINE, text=f"{first} {topics_line(lang, topics)}",
                      lang=lang, score=min(score, 100.0), topics=topics, candidates=tuple(candidates),
                      out_of_scope=topic.id if topic else None)

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

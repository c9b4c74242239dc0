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
from dataclasses import replace

from bot.core.answer import Answer, Candidate, Outcome, Suggestion
from bot.core.completion import Completions
from bot.core.index import Index
from bot.core.knowledge import Knowledge, OutOfScope, Passage
from bot.core.matcher import Matcher, Scored
from bot.core.matching import close_words, phrase_similarity
from bot.core.question_form import QuestionForm
from bot.core.replies import list_text, message, standalone, topics_line
from bot.core.smalltalk import smalltalk_kind, without_greeting
from bot.core.text import (
    MAX_QUESTION_CHARS,
    clean,
    content_words,
    detect_language,
    fold,
    shorten,
    stems,
    strip_tags,
    truncate,
)
from bot.core.text import words as all_words
from bot.core.thresholds import Thresholds

_CLAUSE_END = re.compile(r"(?<=[?!.;])\s+")
"""Where a message that asks several things splits ("What is a CTO? Why does a startup need one?")."""
MAX_DOCUMENTS = 24
"""A question is scored in at most this many documents: those sharing the most of its words."""
RARE_WORD_DOCUMENTS = 20
"""A word held by at most one document in this many (at least one), and what one of them is about (held by
``TOPICAL_SHARE`` of its passages), names that subject: a question holding it is not answered with confidence
from another document, unless it also names what that one is about ("compost" beside a CTO article)."""
TOPICAL_SHARE = 0.3
MAX_TOPICS = 12
"""Replies list at most this many topics, so that they stay short however big the knowledge grows."""
SIBLINGS_MARGIN = 15.0
"""Two items of one list this close, in a question that joins two things ("X and Y"), are asked together."""
_JOINED = re.compile(r"\b(?:and|et|or|ou|as well as|ainsi que)\b|,")


class Engine:
    """Answers questions from one knowledge base. Build it once; ``ask`` is safe to call from any thread."""

    def __init__(self, knowledge: Knowledge, thresholds: Thresholds | None = None):
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self.matchers: Sequence[Matcher]  # a cached engine reads each document's matcher on first use
        self.matchers = [Matcher(document, self.thresholds) for document in knowledge.documents()] or [
            Matcher(knowledge, self.thresholds)]
        self._question_keys = {q: k for m in self.matchers for q, k in m.index.question_keys.items()}
        self._vocabulary: dict[str, list[str]] = {}
        self._holders: dict[str, list[int]] = {}
        self._topical: dict[str, list[int]] = {}
        if len(self.matchers) > 1:  # which documents hold each stem, to score a question only where it can match
            for word in sorted({w for m in self.matchers for w in m.index.vocabulary}):
                self._vocabulary.setdefault(word[0], []).append(word)
            for d, matcher in enumerate(self.matchers):
                forms = {f for side in matcher.index.postings.values() for f in side}
                forms |= {f for group in matcher.index.synonyms.groups for member in group
                          for w in content_words(member) for f in stems(w)}
                for form in forms:
                    self._holders.setdefault(form, []).append(d)
                least = max(2.0, TOPICAL_SHARE * len(matcher.index.passages))
                topical = {form for form, held in matcher.index.frequency.items() if held >= least}
                for form in topical | matcher.subject_forms():  # the stems of what each document is about
                    self._topical.setdefault(form, []).append(d)
        self._french = frozenset().union(*(m.index.french_words for m in self.matchers))
        self._english = frozenset().union(*(m.index.english_words for m in self.matchers))
        self._sections = {s.id: s for s in knowledge.sections}
        self._completions = {lang: self._questions_by_key(lang) for lang in ("fr", "en")}
        self._completers: dict[str, Completions] = {}
        self._topics = {lang: tuple(dict.fromkeys(s.topic_in(lang) for s in knowledge.sections))[:MAX_TOPICS]
                        for lang in ("fr", "en")}

    # -- public interface -------------------------------------------------------------------------

    def ask(self, question: str, focus: Sequence[str] = (), lang: str | None = None) -> Answer:
        """Answer ``question``, whatever the string: never raises, and the reply stays bounded.

        ``focus`` names passages near the previous answer of a conversation: they, their section and their
        list score a little more, so that a short follow-up ("and the budget?") is read against them. ``lang``
        ("fr", "en") sets the reply's language instead of the question's ("in English please")."""
        raw = question[: 4 * MAX_QUESTION_CHARS] if isinstance(question, str) else ""
        question = truncate(clean(raw))
        lang = lang if lang in ("fr", "en") else self._language(question)
        kind = smalltalk_kind(question)
        if kind:
            return self._smalltalk(question, lang, kind)
        answer = self._ask_clause(question, question, lang, focus)
        if answer.outcome is Outcome.ANSWER or answer.out_of_scope:
            return answer
        clauses = [c for c in _CLAUSE_END.split(question) if content_words(c)]
        if len(clauses) < 2:
            return answer
        answered = [a for c in clauses
                    if (a := self._ask_clause(c, question, lang, focus)).matched and a.score >= self.thresholds.sure]
        return max(answered, key=lambda a: a.score) if answered else answer

    def _ask_clause(self, text: str, question: str, lang: str, focus: Sequence[str]) -> Answer:
        """Answer one question, or one sentence of a message that asks several things at once."""
        tokens = without_greeting(all_words(strip_tags(text)))
        meaningful = content_words(" ".join(tokens))
        if not meaningful:
            return self._smalltalk(question, lang, "help")
        form = QuestionForm.of(text)
        confident = self._confident_language(question)
        sections = {p.section_id for i in focus if (p := self.knowledge.passage(i)) is not None}
        ranked: list[Scored] = []
        readings: dict[str, None] = {}
        for matcher, words, lacking in self._documents_for(tokens):  # each reads the words with its own synonyms
            if form.role is not None and not matcher.about_the_subject(form.role):
                continue  # "What does a CFO do?" asked of documents about the CTO
            scored = matcher.score(words, tokens, confident, matcher.near(sections), form.elsewhere(matcher, words))
            if lacking or form.doubtful(matcher):
                scored = self._at_most_suggested(scored)
            ranked += scored
            readings.update(dict.fromkeys(_readings(matcher.index, words)))
        ranked.sort(key=lambda s: s.score, reverse=True)
        answer = self._decide(question, lang, " ".join(meaningful), ranked)
        return replace(answer, readings=tuple(readings))

    def _at_most_suggested(self, scored: list[Scored]) -> list[Scored]:
        """``scored`` with what each passage scores above the suggestion line counted half, and never an answer
        (an out-of-scope topic still declines precisely)."""
        line, cap = self.thresholds.suggest, self.thresholds.answer - 1
        return [s if s.topic is not None else
                replace(s, score=min(s.score, cap, line + max(s.score - line, 0) / 2), capped=True) for s in scored]

    def _documents_for(self, tokens: list[str]) -> list[tuple[Matcher, list[str], bool]]:
        """The documents worth scoring a question in, each with the question's words as it reads them and
        whether it lacks a word that only a few other documents hold: with several documents, those that share
        the most of the question's words (counting, for a word none holds, a close spelling of it: one typo
        search over every document's words, not one per document)."""
        text = " ".join(tokens)
        if len(self.matchers) == 1:
            return [(self.matchers[0], self.matchers[0].index.terms(text), False)]
        shared: dict[int, int] = {}  # document → how many of the question's words it holds
        few = max(1, len(self.matchers) // RARE_WORD_DOCUMENTS)
        rare: list[set[int]] = []  # the holders of each word that few documents hold, and one is about
        about: set[int] = set()  # the documents one of the question's words is about
        for word in set(content_words(text)):
            found = {d for form in stems(word) for d in self._holders.get(form, ())}
            topical = {d for form in stems(word) for d in self._topical.get(form, ())}
            about |= topical
            if found and len(found) <= few and topical:
                rare.append(found)
            if not found:  # perhaps a typo: the documents holding a close spelling
                found = {d for close, _ in close_words(word, self._vocabulary.get(word[0], []))
                         for form in stems(close) for d in self._holders.get(form, ())}
            for d in found:
                shared[d] = shared.get(d, 0) + 1
        most = max(shared.values(), default=0)
        best = sorted((d for d, n in shared.items() if n >= most - 1), key=lambda d: -shared[d])
        return [(self.matchers[d], self.matchers[d].index.terms(text),
                 d not in about and any(d not in held for held in rare)) for d in sorted(best[:MAX_DOCUMENTS])]

    def answer_passage(self, passage_id: str, lang: str = "fr", question: str = "") -> Answer:
        """Answer with a known passage, as when someone picks a suggestion; decline an unknown id."""
        lang = lang if lang in ("fr", "en") else "fr"
        passage = self.knowledge.passage(passage_id)
        if passage is None:
            return self._decline(question, lang, 0.0, [])
        return self._answer(question or self._question_of(passage, lang), lang, passage, 100.0, [])

    def decline(self, question: str, lang: str = "fr") -> Answer:
        """"Not covered", with the topics covered: for a follow-up that leads nowhere ("why?" where the documents
        give no reason)."""
        return self._decline(question, lang if lang in ("fr", "en") else "fr", 0.0, [])

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
            firsts = [Suggestion(self._question_of(p, lang), p.id, self._heading(p)) for p in self.knowledge.passages]
            return firsts[:limit]
        seen: set[str] = set()
        found: list[Suggestion] = []
        for key in self._completer(lang).rank(text, limit * 2):
            if choices[key] not in seen:
                seen.add(choices[key])
                found.append(Suggestion(choices[key], owners[key].id, self._heading(owners[key])))
        return found[:limit]

    def _completer(self, lang: str) -> Completions:
        """``complete``'s questions in ``lang``, prepared for ranking on first use, then kept with this engine."""
        if lang not in self._completers:
            self._completers[lang] = Completions(list(self._completions[lang][0].values()))
        return self._completers[lang]

    def _questions_by_key(self, lang: str) -> tuple[dict[int, str], list[Passage]]:
        """Every alternate question in ``lang`` by number, and the passage each belongs to (for ``complete``)."""
        pairs = [(q, p) for p in self.knowledge.passages for q in p.questions_in(lang)]
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
        french = sum(w in self._french for w in words)
        english = sum(w in self._english for w in words)
        return "en" if english > french else "fr"

    def _candidate(self, s: Scored) -> Candidate:
        if s.topic is not None:
            return Candidate(f"out_of_scope:{s.topic.id}", s.topic.topic_in("en"), round(min(s.score, 100.0), 1))
        assert s.passage is not None
        return Candidate(s.passage.id, self._heading(s.passage), round(min(s.score, 100.0), 1))

    def _decide(self, question: str, lang: str, query: str, ranked: list[Scored]) -> Answer:
        t = self.thresholds
        candidates = [self._candidate(s) for s in ranked[:5]]
        if not ranked:
            return self._decline(question, lang, 0.0, candidates)
        best = ranked[0]
        if best.topic is not None:
            topic = best.topic if best.score >= t.answer else None
            return self._decline(question, lang, best.score, candidates, topic)
        assert best.passage is not None
        passage = best.passage
        runner_up = ranked[1] if len(ranked) > 1 else None
        ahead = runner_up is None or best.score - runner_up.score >= t.margin
        # sure enough to answer beside a close passage, never beside a close topic the documents do not cover
        clear = ahead or (best.score >= t.sure and runner_up is not None and runner_up.topic is None)
        if not clear and runner_up is not None and runner_up.passage is not None:
            whole = self._whole_list_of(passage, runner_up.passage)
            if whole is not None:  # a list's lead-in and one of its items are close: the whole list holds both
                passage, clear = whole, best.score - (ranked[2].score if len(ranked) > 2 else 0) >= t.margin
            elif runner_up.passage.section_id == passage.section_id:  # close passages of one section: it is clear
                clear = best.score - (ranked[2].score if len(ranked) > 2 else 0) >= t.margin
        siblings = (runner_up is not None and runner_up.passage is not None and bool(passage.lead_in)
                    and runner_up.passage.lead_in == passage.lead_in and best.score - runner_up.score < SIBLINGS_MARGIN)
        if siblings and _JOINED.search(fold(question)) and (whole_list := self.knowledge.passage(passage.lead_in)):
            passage = whole_list  # "études et expérience": two items of one list asked together, the whole list answers
        # the question's words, or its whole phrasing, must be the passage's: a question full of words the documents
        # lack ("the primary responsibilities of a modern CTO") is known by its form
        support = max(best.coverage, best.model) if best.coverage >= t.least_coverage else best.coverage
        rival = next((s for s in ranked[1:] if s.passage is None or s.passage.section_id != passage.section_id), None)
        lead = best.score - rival.score if rival is not None else best.score  # how far ahead of another section
        # a middling score answers when nothing comes near it, for a passage the maintainers wrote questions for
        # (one known by its text alone leads easily in a small document); a high one when it is clear of the next
        asked = bool(passage.questions_fr or passage.questions_en)
        confident = (best.score >= (t.answer if asked else t.unasked_answer) and clear
                     or asked and not best.capped and best.score >= t.lone_answer and lead >= t.lone_margin)
        if confident and support >= t.coverage:
            return self._answer(question, lang, passage, best.score, candidates)
        if best.score >= t.suggest and support >= t.suggest_coverage:
            close = [s for s in ranked[:3] if s.score >= t.suggest and best.score - s.score < 15
                     and s.passage is not None]
            return self._suggest(question, lang, query, best.score, close, candidates)
        return self._decline(question, lang, best.score, candidates)

    def _whole_list_of(self, a: Passage, b: Passage) -> Passage | None:
        """The lead-in when one of ``a`` and ``b`` introduces a list that holds the other, else None."""
        if b.id in a.items or a.lead_in == b.id:
            return a if b.id in a.items else b
        return None

    # -- replies ----------------------------------------------------------------------------------

    def _heading(self, passage: Passage) -> str:
        return self._sections[passage.section_id].heading

    def _question_of(self, passage: Passage, lang: str, near: str = "") -> str:
        questions = passage.questions_in(lang)
        if not questions:  # no alternate question yet: the passage's opening words say what it answers
            return shorten(passage.text_in(lang), 80)
        if not near:
            return questions[0]
        return max(questions, key=lambda q: phrase_similarity(near, [self._question_keys[q]]))

    def _answer(self, question: str, lang: str, passage: Passage, score: float,
                candidates: list[Candidate]) -> Answer:
        """The passage in ``lang``; a list's lead-in comes with every item; a passage with no text in ``lang`` is
        given in its original language, with one line that says so."""
        items = self.knowledge.items_of(passage) or self.knowledge.introduced_by(passage)
        text, source = passage.text_in(lang), passage.text
        if items:
            text = list_text(text, [item.text_in(lang) for item in items])
            source = "\n".join([passage.text, *(item.text for item in items)])
        elif passage.lead_in:  # one item of a list, on its own
            text = standalone(text)
        if not all(p.has_text_in(lang) for p in (passage, *items)):
            text = f"{message(lang, 'original_language')}\n{text}"
        return Answer(question=question, outcome=Outcome.ANSWER, text=text, lang=lang,
                      score=min(score, 100.0), section=self._heading(passage), passage_id=passage.id,
                      source=source, items=tuple(item.text_in(lang) for item in items),
                      candidates=tuple(candidates))

    def _suggest(self, question: str, lang: str, query: str, score: float, close: list[Scored],
                 candidates: list[Candidate]) -> Answer:
        suggestions = tuple(
            Suggestion(self._question_of(p, lang, query), p.id, self._heading(p))
            for p in (s.passage for s in close if s.passage is not None)
        )
        return Answer(question=question, outcome=Outcome.SUGGEST,
                      text=message(lang, "suggest"), lang=lang, score=min(score, 100.0),
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
            if self.knowledge.passages:
                text += " " + message(lang, "example", example=self._question_of(self.knowledge.passages[0], lang))
        return Answer(question=question, outcome=Outcome.SMALLTALK, text=text, lang=lang, score=100.0,
                      topics=topics)


def _readings(index: Index, words: list[str]) -> list[str]:
    """How each word was read, for ``--debug``: "budjet → budget", "qualites ≈ compétences, skills"."""
    found = []
    for word in words:
        if word.startswith("="):
            found.append(f"« {' / '.join(index.synonyms.group(word))} » (synonym phrase)")
            continue
        match = index.lookup(word)
        if match.spellings and match.spelled != word:
            found.append(f"{word} → {match.spelled}")
        found += [f"{word} ≈ {', '.join(index.synonyms.group(key))}" for key in sorted(match.fields)]
    return found

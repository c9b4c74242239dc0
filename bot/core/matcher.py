"""Scoring within one document: each document has its own index and statistics, so that adding a document
on another subject changes nothing in how the others are matched."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.index import FIELD_WEIGHTS, Index, WordMatch
from bot.core.knowledge import Knowledge, OutOfScope, Passage
from bot.core.matching import phrase_similarity, similarity
from bot.core.specifics import asks_choice, asks_quantity, states_choice, states_quantity
from bot.core.subject import (
    JOB_WORDS,
    OTHER_JOB_WORDS,
    PERSONAL_WORDS,
    asks_how_to,
    asks_who,
    names_a_job,
    role_reference,
)
from bot.core.text import STOP_WORDS, content_words, fold, stems
from bot.core.thresholds import Thresholds

EVALUATIVE = frozenset("""important importante importants importantes essential essentiel essentielle essentiels
    essentielles crucial cruciale cruciaux necessary necessaire necessaires useful utile utiles vital""".split())
"""Words that ask whether something matters: beside a topic of the documents, the topic decides ("Is
leadership important for a CTO?"); alone with their subject, or asking why, they keep their weight ("Why is a CTO
important for start-ups?")."""
SHORT_QUESTION = 8
"""At most this many words, a question whose one meaningful word only a passage's text holds may be answered."""


@dataclass(frozen=True)
class Scored:
    """An entry of a document that may answer: a passage, or an out-of-scope topic."""

    score: float
    coverage: float
    model: float
    passage: Passage | None = None
    topic: OutOfScope | None = None
    capped: bool = False
    """True when the question's words were too generic for this entry to answer it, whatever its lead."""


class Matcher:
    """Scores questions against one document's passages and out-of-scope topics."""

    def __init__(self, knowledge: Knowledge, thresholds: Thresholds):
        self.t = thresholds
        self.index = Index.build(knowledge)
        self._subject = self._subject_words()
        self._about_a_job = self._subject_is_a_job()
        self._subject_name = self._main_subject_word() if self._about_a_job else ""

    def _scored(self, i: int, score: float, coverage: float, model: float, capped: bool) -> Scored:
        if self.index.is_topic(i):
            return Scored(score, coverage, model, topic=self.index.topics[i - len(self.index.passages)],
                          capped=capped)
        return Scored(score, coverage, model, passage=self.index.passages[i], capped=capped)

    def _subject_words(self) -> frozenset[str]:
        """The documents' subject: the words (and synonym groups) that nearly every passage holds."""
        if len(self.index.passages) < 4:
            return frozenset()
        cut = self.t.subject_share * len(self.index.passages)
        keys = [f"={n}" for n in range(len(self.index.synonyms.groups))]
        passages = len(self.index.passages)
        frequency = self.index.frequency  # no more passages hold a word than its forms' frequencies add up to
        bound = {w: sum(frequency.get(f, 0) for f in ({w} if w.startswith("=") else
                                                       {*stems(w), *self.index.synonyms.keys_of(w)}))
                 for w in (*self.index.vocabulary, *keys)}
        return frozenset(w for w, most in bound.items()
                         if most >= cut and sum(i < passages for i in self.index.lookup(w).passages()) >= cut)

    def about_the_subject(self, subject: str) -> bool:
        """True when ``subject`` (the X of "what does X do") names the documents' subject, or, for documents with
        no clear subject (a how-to, a guide), when they name each job X names as written: "What does a manager
        do?" is not asked of a page that only says "Managing light"."""
        if not self._subject:
            return all(self._mentions(noun) for noun in subject.split() if noun in JOB_WORDS | OTHER_JOB_WORDS)
        if self._subject_name and role_reference(subject.split()):
            return True  # "ce poste": the documents' own
        if any(similarity(subject, fold(member)) >= 85 for member in self._subject_members()):
            return True  # "directeur technik"
        terms = self.index.terms(subject)
        terms = [w for w in terms if w not in JOB_WORDS] or terms  # "directeur" beside another word says little
        matches = [self.index.lookup(w) for w in terms]
        return not terms or any(m.word in self._subject or self._subject.intersection(m.spellings)
                                or m.fields & self._subject for m in matches)

    def _subject_members(self) -> list[str]:
        """The members of the synonym groups among the documents' subject words ("directeur technique", "CTO")."""
        return [member for k in self._subject if k.startswith("=") for member in self.index.synonyms.group(k)]

    def subject_forms(self) -> frozenset[str]:
        """The stems of the documents' subject words, their synonym groups' members included."""
        words = {w for member in self._subject_members() for w in content_words(member)}
        words |= {w for w in self._subject if not w.startswith("=")}
        return frozenset(f for w in words for f in stems(w))

    def _subject_is_a_job(self) -> bool:
        """True when these documents are about a job ("CTO", « directeur technique »), so that "my budget" is
        the asker's, not the job's; in a how-to ("water my plants") it is the documents' subject."""
        members = {w for member in self._subject_members() for w in fold(member).split()}
        return not JOB_WORDS.isdisjoint(self._subject | members)

    def _mentions(self, noun: str) -> bool:
        """True when the documents hold ``noun`` as written, or its plural or singular."""
        words = self.index.vocabulary
        forms = (noun, f"{noun}s", noun[:-1] if noun.endswith("s") else noun)
        return any((k := bisect_left(words, form)) < len(words) and words[k] == form for form in forms)

    def _main_subject_word(self) -> str:
        """The subject word (or synonym group key) most passages hold: what "this role" stands for."""
        return max(sorted(self._subject), key=lambda w: (w.startswith("="), len(self.index.lookup(w).passages())),
                   default="")

    def _names_subject(self, matches: list[WordMatch], beyond_job_nouns: bool = False) -> bool:
        """True when a word names the documents' subject; with ``beyond_job_nouns``, a job noun alone does not
        ("directeur" of « directeur technique », beside « Directeur de la transformation »)."""
        if beyond_job_nouns:  # a misspelt subject word counts ("directeur technik")
            return any(m.fields & self._subject or m.word not in JOB_WORDS and (
                m.word in self._subject or self._subject.intersection(m.spellings)) for m in matches)
        return any(m.word in self._subject or m.fields & self._subject for m in matches)

    def names_subject(self, words: list[str]) -> bool:
        """True when one of ``words`` (a question's, as this document reads them) names the documents' subject."""
        return self._names_subject([self.index.lookup(w) for w in words])

    def about_another_job(self, words: list[str]) -> bool:
        """True when the question names a job these documents never mention (a nurse, a pilot) and not their
        own subject: whatever else it shares with them ("skills", "career"), it asks about that job."""
        if not self._subject:
            return False
        matches = [self.index.lookup(w) for w in words]
        if self._names_subject(matches):
            return False
        return any(m.word in OTHER_JOB_WORDS and not self.index.holds(m.word) for m in matches)

    def near(self, sections: set[str]) -> set[int]:
        """The entries a follow-up is read against: the passages of the previous answer's sections."""
        return {i for i, p in enumerate(self.index.passages) if p.section_id in sections} if sections else set()

    def score(self, words: list[str], tokens: list[str], lang: str | None, near: set[int],
              topics_only: bool = False) -> list[Scored]:
        """This document's entries that may answer, best first (``topics_only``: only its out-of-scope topics)."""
        t = self.t
        if self._subject_name and (span := role_reference(tokens)):  # "that role": the documents' own job
            tokens = [*tokens[:span[0]], self._subject_name, *tokens[span[1]:]]
            words = [*words, self._subject_name]
        matches = [self.index.lookup(w, lang) for w in dict.fromkeys(words)]
        if "why" not in tokens and "pourquoi" not in tokens and any(m.word in EVALUATIVE for m in matches):
            # "Is leadership important?" asks about leadership; "why is it important" asks why it matters
            topical = [m for m in matches if m.word not in EVALUATIVE and m.known and not self._names_subject([m])]
            matches = [m for m in matches if m.word not in EVALUATIVE] if topical else matches
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
        rescuable = any(w in STOP_WORDS for w in tokens)  # function words give it a form ("what does … do")
        generic = self._only_generic(matches, rescuable, len(tokens))
        # without the documents' subject, "your budget", "ma carrière", how to do something, or a word they lack
        # ("What budget for a wedding?") unless it asks who (their subject): the asker's own affair; "the CFO
        # and the CIO": another job's. At most a suggestion
        text = " ".join(tokens)
        own_affair = (not PERSONAL_WORDS.isdisjoint(tokens) or asks_how_to(text)
                      or not asks_who(tokens) and any(not m.known for m in matches))
        personal = self._about_a_job and (  # a follow-up ("and how do I become one?") is about the last answer's
            own_affair and not (near or self._names_subject(matches))
            or names_a_job(tokens) and not self._names_subject(matches, beyond_job_nouns=True))
        # "combien coûte…", "le meilleur MBA": only a passage stating a figure, or comparing, answers
        quantity, choice = asks_quantity(text), asks_choice(text)
        # an out-of-scope topic must share the question's words, not only its form
        shortlist = [i for i in shortlist if not (self.index.is_topic(i) and coverage[i] < t.suggest_coverage)
                     and (self.index.is_topic(i) or not topics_only)]
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
                score += t.model_weight * model
            else:  # no alternate questions yet (a freshly imported document): its own words decide, in full
                coverage[i] = min(1.0, coverage[i] / FIELD_WEIGHTS["text"])
                score = t.text_weight * coverage[i] + t.model_weight * model
            score = 100 * score + (t.focus_bonus if i in near else 0.0)
            unclear = model < t.model_answer or model < ordered[0] or model_lead < t.model_margin
            capped = (generic and (unclear or not rescuable) and (phrase < 0.9 or len(key.split()) < 2) or personal
                      or quantity and not self._says(i, states_quantity) or choice and not self._says(i, states_choice))
            if capped:
                # a question whose form matches nothing the maintainers wrote ("what time is it?" beside "over
                # time") is declined; a bare word ("budget") may still be offered as a suggestion
                weak = rescuable and model < t.model_answer / 2
                score = min(score, (t.suggest if weak else t.answer) - 1)
            scored.append(self._scored(i, score, coverage[i], model, capped))
        return sorted(scored, key=lambda s: s.score, reverse=True)

    def _says(self, i: int, states: Callable[[str], bool]) -> bool:
        """True when entry ``i`` is a passage whose text ``states`` what the question asks for (a figure, a
        comparison), in either language, or an out-of-scope topic (which declines precisely: "how much does a
        CTO earn?")."""
        if self.index.is_topic(i):
            return True
        passage = self.index.passages[i]
        return states(passage.text) or bool(passage.translation) and states(passage.translation)

    def _only_generic(self, matches: list[WordMatch], phrased: bool, length: int = 0) -> bool:
        """True when no known word of the question is specific: each is held by most passages (the documents'
        subject), or the question holds a single known word found only in passage text, not in any question,
        keyword or heading (unless, ``phrased`` as a question, it is found in a passage that has no alternate
        questions yet). Such words cannot carry an answer alone."""
        known = [m for m in matches if m.known]
        passages = len(self.index.passages)
        cut = self.t.generic_share * passages  # counted in passages: an out-of-scope topic makes no word generic
        specific = [m for m in known if passages < 4 or m.frequency < cut or
                    sum(i < passages for i in m.passages()) < cut]
        if not specific:
            return True
        if len(specific) == 1 and len(matches) == 1:
            if not phrased:  # a bare word answers only when the maintainers made it a keyword ("budget")
                found = {f for close in specific[0].spellings or (specific[0].word,) for f in stems(close)}
                return not (found & self.index.keyword_forms or specific[0].fields)
            holders = specific[0].passages()
            if phrased and length <= SHORT_QUESTION and any(not self.index.questions[i] for i in holders):
                return False  # a passage with no alternate questions yet is known by its text alone ("How to repot?"),
                # not in a long question of one word ("What do I want to be when I grow up?")
            strongest = max((s for postings, _ in specific[0].postings for s in postings.values()), default=0.0)
            return strongest < FIELD_WEIGHTS["keywords"]
        return False

    def _candidates(self, matches: list[WordMatch]) -> set[int]:
        """Passages worth scoring, at most ``max_candidates``: those holding the question's rarest word, then
        the next rarest while the set stays small. When even the rarest word is everywhere, passages holding
        several of the words are kept, so that common words cannot make the work grow with the knowledge."""
        limit = self.t.max_candidates
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


"""Proposed alternate questions, from what users did: the review queue that ``cto-bot learn`` empties.

Two sources, as in QnA Maker's active learning:

- **picks**: a user chose one of the "did you mean" suggestions (an ``Interaction`` with outcome ``pick``:
  their question, the chosen passage);
- **unanswered questions** (declined or only suggested), grouped when near-duplicates, whose closest passage
  is clear: the engine scores it at least at the suggestion threshold and ``CLEAR_LEAD`` points ahead of
  the next one.

A question a maintainer rejected (``cto-bot learn --reject``, stored as an ``Interaction`` with outcome
``rejected``), or one that its passage already answers, is not proposed.
"""

from __future__ import annotations

import shlex
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.core.engine import Engine
from bot.core.text import content_words, fold
from bot.service.store import Interaction, Store
from bot.tools.report import group_questions

PICK, REJECTED = "pick", "rejected"
LEARNING_OUTCOMES = (PICK, REJECTED)
"""Records that are not questions asked: a pick follows a question already recorded as ``suggest``."""
UNANSWERED = ("decline", "suggest")
CLEAR_LEAD = 10.0
"""How many points the closest passage must lead the next one for an unanswered question to be proposed."""


@dataclass
class Proposal:
    """A question to add to a passage's alternate questions."""

    number: int
    passage_id: str
    question: str
    lang: str
    picked: int
    """How many times users asked it and then picked this passage among the suggestions."""
    unanswered: int
    """How many times it (or a near-duplicate) was declined or only suggested."""
    wordings: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        return f"cto-bot learn {shlex.quote(self.passage_id)} {shlex.quote(self.question)} --lang {self.lang}"


def key(question: str) -> str:
    """What two wordings of a question share when they are the same question: their meaningful words."""
    return " ".join(sorted(content_words(question))) or fold(question)


def rejection(question: str, passage_id: str | None = None, lang: str = "") -> Interaction:
    """The record that keeps ``question`` out of the proposals (kept like the other records, as long as
    ``CTO_BOT_RETENTION_DAYS``)."""
    return Interaction(id=uuid.uuid4().hex, question=question[:500], outcome=REJECTED, score=0.0,
                       passage_id=passage_id, lang=lang or "fr", platform="cli", channel_kind="command")


def rejections_in(store: Store) -> list[Interaction]:
    """Every rejection still stored, whenever it was made."""
    return [i for i in store.interactions_since(datetime(1970, 1, 1, tzinfo=UTC)) if i.outcome == REJECTED]


def build_proposals(engine: Engine, interactions: list[Interaction],
                    rejections: list[Interaction] | None = None) -> list[Proposal]:
    """Proposals per passage, most asked first, numbered from 1 (for ``cto-bot learn --accept N``). A proposal
    accepted or rejected keeps its number, hidden, so that the numbers of a report stay valid while a
    maintainer works through it."""
    rejected = {key(i.question) for i in [*interactions, *(rejections or [])] if i.outcome == REJECTED}
    langs: dict[str, Counter[str]] = defaultdict(Counter)
    asked: list[tuple[str, str, str]] = []  # (question, passage id, kind)
    for item in interactions:
        langs[item.question][item.lang] += 1
        if item.outcome == PICK and item.passage_id and engine.knowledge.passage(item.passage_id):
            asked.append((item.question, item.passage_id, PICK))
    unanswered = [i.question for i in interactions if i.outcome in UNANSWERED]
    for members in group_questions(unanswered):
        passage_id = _clear_passage(engine, Counter(members).most_common(1)[0][0])
        if passage_id:
            asked += [(q, passage_id, "unanswered") for q in members]

    by_passage: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for question, passage_id, kind in asked:
        by_passage[passage_id].append((question, kind))
    proposals: list[tuple[Proposal, bool]] = []  # (proposal, whether it is settled: rejected or answered)
    for passage_id, entries in by_passage.items():
        kinds: dict[str, Counter[str]] = defaultdict(Counter)
        for question, kind in entries:
            kinds[question][kind] += 1
        for members in group_questions([q for q, _ in entries]):
            question = Counter(members).most_common(1)[0][0]
            distinct = sorted(set(members))
            settled = any(key(q) in rejected for q in distinct) or _already_answered(engine, passage_id, question)
            proposals.append((Proposal(
                number=0, passage_id=passage_id, question=question,
                lang=(langs[question].most_common(1) or [("fr", 0)])[0][0],
                picked=sum(kinds[q][PICK] for q in distinct), unanswered=sum(kinds[q]["unanswered"] for q in distinct),
                wordings=distinct), settled))
    proposals.sort(key=lambda p: (-(p[0].picked + p[0].unanswered), -p[0].picked, p[0].passage_id, p[0].question))
    for number, (proposal, _) in enumerate(proposals, start=1):
        proposal.number = number  # settled ones keep their number, so that the others' do not move
    return [proposal for proposal, settled in proposals if not settled]


def _clear_passage(engine: Engine, question: str) -> str | None:
    """The passage clearly closest to ``question``, or None when none is (or the topic is out of scope)."""
    answer = engine.ask(question)
    if answer.out_of_scope or not answer.candidates:
        return None
    top = answer.candidates[0]
    runner_up = answer.candidates[1].score if len(answer.candidates) > 1 else 0.0
    if top.score < engine.thresholds.suggest or top.score - runner_up < CLEAR_LEAD:
        return None
    return top.passage_id


def _already_answered(engine: Engine, passage_id: str, question: str) -> bool:
    passage = engine.knowledge.passage(passage_id)
    if passage is not None and any(fold(q) == fold(question) for q in (*passage.questions_fr,
                                                                         *passage.questions_en)):
        return True
    return engine.ask(question).passage_id == passage_id


def render_lines(proposals: list[Proposal]) -> list[str]:
    """The proposals as table lines, for ``cto-bot report``."""
    lines = ["Proposed alternate questions (accept: cto-bot learn --accept N; reject: cto-bot learn --reject N):"]
    if not proposals:
        lines.append("  none")
    for p in proposals:
        counts = ", ".join(part for part in (f"picked {p.picked}x" if p.picked else "",
                                             f"unanswered {p.unanswered}x" if p.unanswered else "") if part)
        lines.append(f"  [{p.number}] {p.passage_id} <- {p.question!r} ({p.lang}; {counts})")
        others = [w for w in p.wordings if w != p.question]
        if others:
            lines.append(f"        also: {'; '.join(others)[:200]}")
    return lines


def csv_rows(proposals: list[Proposal]) -> list[list[object]]:
    """The proposals as ``cto-bot report --format csv`` rows (kind, count, question, passage, ...)."""
    return [["proposal", p.picked + p.unanswered, p.question, p.passage_id, "", "", "", p.command]
            for p in proposals]

"""``cto-bot report``: what users asked that the bot could not answer, and what it answered badly.

Unanswered questions (declined or only suggested) are grouped when they are near-duplicates, most
frequent first, each with the passage the engine finds closest and a suggested action.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.engine import Engine
from bot.core.matching import first_similar
from bot.core.text import content_words
from bot.service.store import Interaction, Vote

if TYPE_CHECKING:
    from bot.tools.proposals import Proposal

SAME_QUESTION = 80.0
"""The least rapidfuzz ``token_sort_ratio`` between two questions' meaningful words to group them."""


def parse_since(value: str) -> timedelta:
    """A period such as ``7d``, ``12h``, ``30m`` or ``2w``.

    >>> parse_since("7d")
    datetime.timedelta(days=7)
    """
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", value or "")
    if not match:
        raise ValueError(f"--since {value!r}: use a number and a unit, e.g. 7d, 12h, 30m or 2w")
    amount, unit = int(match.group(1)), match.group(2)
    return {"m": timedelta(minutes=amount), "h": timedelta(hours=amount),
            "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]


@dataclass
class Group:
    """Near-duplicate unanswered questions."""

    question: str
    """The most frequent wording."""
    count: int
    outcomes: dict[str, int]
    wordings: list[str]
    closest_passage: str | None
    closest_score: float
    action: str


@dataclass
class DislikedAnswer:
    passage_id: str
    section: str
    down: int
    up: int


@dataclass
class Report:
    since: str
    questions: int
    answered: int
    unanswered: list[Group] = field(default_factory=list)
    disliked: list[DislikedAnswer] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    """Alternate questions to add (``bot.tools.proposals``)."""


def group_questions(questions: list[str]) -> list[list[str]]:
    """Questions grouped by near-duplicate meaningful words, biggest group first.

    Greedy, most frequent first: a question joins the first group whose first wording is similar enough
    (``token_sort_ratio`` of their meaningful words at least ``SAME_QUESTION``), else starts a group. Each
    distinct set of words is compared once, against all groups in one rapidfuzz call.
    """
    groups: list[list[str]] = []
    representatives: list[str] = []
    """Each group's first meaningful words, sorted: ``fuzz.ratio`` on them is ``token_sort_ratio``."""
    group_of_key: dict[str, int] = {}
    group_of_question: dict[str, int] = {}
    counts = Counter(questions)
    for question in sorted(questions, key=counts.__getitem__, reverse=True):
        index = group_of_question.get(question)
        if index is None:
            key = " ".join(sorted(content_words(question)))
            index = group_of_key.get(key)
            if index is None:
                index = first_similar(key, representatives, SAME_QUESTION)
                if index is None:
                    index = len(groups)
                    groups.append([])
                    representatives.append(key)
                group_of_key[key] = index
            group_of_question[question] = index
        groups[index].append(question)
    return sorted(groups, key=len, reverse=True)


def build_report(engine: Engine, interactions: list[Interaction], votes: list[Vote], since: str,
                 rejections: list[Interaction] | None = None) -> Report:
    from bot.tools.proposals import LEARNING_OUTCOMES, build_proposals

    proposals = build_proposals(engine, interactions, rejections)
    interactions = [i for i in interactions if i.outcome not in LEARNING_OUTCOMES]
    unanswered = [i for i in interactions if i.outcome in ("decline", "suggest")]
    report = Report(since=since, questions=len(interactions),
                    answered=sum(i.outcome == "answer" for i in interactions), proposals=proposals)
    outcome_of: dict[str, Counter[str]] = defaultdict(Counter)
    for item in unanswered:
        outcome_of[item.question][item.outcome] += 1
    for members in group_questions([i.question for i in unanswered]):
        question = Counter(members).most_common(1)[0][0]
        answer = engine.ask(question)
        top = answer.candidates[0] if answer.candidates and not answer.out_of_scope else None
        passage = top.passage_id if top else None
        covered = top is not None and top.score >= engine.thresholds.suggest
        action = (f"add {question!r} as an alternate question of passage {passage!r}" if covered
                  else f"declined as out of scope ({answer.out_of_scope}): add a passage if it should be covered"
                  if answer.out_of_scope else "not covered by the knowledge: add a passage, or leave it declined")
        outcomes: Counter[str] = Counter()
        for wording in set(members):
            outcomes.update(outcome_of[wording])
        report.unanswered.append(Group(question=question, count=len(members), outcomes=dict(outcomes),
                                       wordings=sorted(set(members)), closest_passage=passage,
                                       closest_score=round(top.score, 1) if top else 0.0, action=action))
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for vote in votes:
        tally[vote.passage_id][0 if vote.value < 0 else 1] += 1
    sections = {p.id: engine.knowledge.section_of(p).heading for p in engine.knowledge.passages}
    report.disliked = sorted(
        (DislikedAnswer(pid, sections.get(pid, "?"), down, up) for pid, (down, up) in tally.items() if down),
        key=lambda d: (-d.down, d.up, d.passage_id))
    return report


def render_table(report: Report) -> str:
    lines = [f"Since {report.since}: {report.questions} questions, {report.answered} answered, "
             f"{sum(g.count for g in report.unanswered)} unanswered.", ""]
    lines.append("Unanswered questions (declined or only suggested), most frequent first:")
    if not report.unanswered:
        lines.append("  none")
    for g in report.unanswered:
        lines.append(f"  {g.count:4}x  {g.question}")
        if len(g.wordings) > 1:
            lines.append(f"         also: {'; '.join(w for w in g.wordings if w != g.question)[:200]}")
        lines.append(f"         closest: {g.closest_passage or '-'} (score {g.closest_score:.0f}) -> {g.action}")
    from bot.tools.proposals import render_lines

    lines += ["", *render_lines(report.proposals)]
    lines += ["", "Answers with the most 👎:"]
    if not report.disliked:
        lines.append("  none")
    lines += [f"  {d.down:4} 👎 {d.up:4} 👍  {d.passage_id}  ({d.section})" for d in report.disliked]
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    return json.dumps(asdict(report), ensure_ascii=False, indent=2) + "\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection")."""


def neutralise(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with ``'`` so that it shows as text.

    >>> neutralise("=1+1"), neutralise("salaire cto"), neutralise(3)
    ("'=1+1", 'salaire cto', 3)
    """
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "count", "question_or_passage", "closest_passage", "score", "down", "up", "action"])
    rows: list[list[object]] = [
        ["unanswered", g.count, g.question, g.closest_passage or "", g.closest_score, "", "", g.action]
        for g in report.unanswered]
    rows += [["disliked", d.down + d.up, d.passage_id, "", "", d.down, d.up, ""] for d in report.disliked]
    from bot.tools.proposals import csv_rows

    rows += csv_rows(report.proposals)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue()


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv}


def since_moment(now: datetime, period: str) -> datetime:
    return now - parse_since(period)

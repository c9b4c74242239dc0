"""Run a question set against the engine: accuracy per category, failures, latency.

A question file has the format of ``../shared/eval/dev-questions.yaml``: ``sections`` maps keys to headings,
and each case has ``q``, ``expect`` (a key, a list of keys, or ``none`` where the bot must not answer),
optional ``must`` (words the answering passage's text must contain), optional ``all`` (the question asks for
a whole list: the answer must carry every item) and ``cat`` (a category).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.answer import Answer
from bot.core.engine import Engine
from bot.core.knowledge import Knowledge
from bot.core.text import fold
from bot.errors import KnowledgeError


def default_questions_path() -> Path:
    """The project's own question set, shipped with the package."""
    return Path(__file__).resolve().parents[1] / "questions.yaml"


def real_questions_path() -> Path:
    """The questions people wrote on public pages, labelled: the held-out check of the engine."""
    return Path(__file__).resolve().parents[1] / "real-questions.yaml"


def load_cases(path: Path) -> tuple[dict[str, str], list[dict]]:
    """The sections mapping and the cases of a question file."""
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        return dict(spec["sections"]), list(spec["cases"])
    except (yaml.YAMLError, UnicodeDecodeError, KeyError, TypeError) as error:
        raise KnowledgeError([f"{path}:1: not a question file ({error}); it needs 'sections' and 'cases'"]) from error


def judge(case: dict, answer: Answer, sections: dict[str, str]) -> str | None:
    """None when ``answer`` is right for ``case``, else a short reason (the rules of ``score.py``)."""
    expect = case["expect"]
    keys = expect if isinstance(expect, list) else [expect]
    wanted = {fold(sections[k]) for k in keys if k != "none"}
    if not answer.matched:
        if "none" in keys:
            return None
        return f"{answer.outcome.value} (score {answer.score:.0f}) on an answerable question"
    if not wanted:
        return f"should not answer, answered {answer.passage_id} (score {answer.score:.0f})"
    if fold(answer.section or "") not in wanted:
        return f"wrong section {answer.section!r} ({answer.passage_id}, score {answer.score:.0f})"
    missing = [w for w in case.get("must", []) if fold(w) not in fold(answer.source or "")]
    return f"passage {answer.passage_id} lacks {missing}" if missing else None


def whole_list_missing(case: dict, answer: Answer, knowledge: Knowledge) -> str | None:
    """For a case marked ``all``: why the answer is not the whole list (an item alone, or a lead-in without its
    items), else None. A passage that is no list holds its whole answer itself."""
    passage = knowledge.passage(answer.passage_id or "")
    if not case.get("all") or passage is None:
        return None
    if passage.lead_in or (passage.items and len(answer.items) < len(passage.items)):
        return f"asks for a whole list, answered {answer.passage_id} without every item"
    return None


@dataclass
class EvalResult:
    by_category: dict[str, list[int]] = field(default_factory=dict)
    """Category → [right, total]."""
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        total = sum(t for _, t in self.by_category.values())
        return sum(r for r, _ in self.by_category.values()) / total if total else 0.0


def evaluate(engine: Engine, sections: dict[str, str], cases: list[dict]) -> EvalResult:
    """Ask every case and judge the answers, timing the engine alone."""
    result = EvalResult()
    for case in cases:
        started = time.perf_counter()
        answer = engine.ask(str(case["q"]))
        result.latencies_ms.append(1000 * (time.perf_counter() - started))
        reason = judge(case, answer, sections) or whole_list_missing(case, answer, engine.knowledge)
        tally = result.by_category.setdefault(str(case.get("cat", "all")), [0, 0])
        tally[0] += reason is None
        tally[1] += 1
        if reason:
            result.failures.append((str(case.get("cat", "all")), str(case["q"]), reason))
    return result


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0..100) of ``values``, 0 when there are none."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[min(max(int(p) - 1, 0), 98)]


def report(result: EvalResult, show_all_failures: bool = True) -> str:
    lines = [f"{cat:14} {r:3}/{t:<3} {r / t:6.1%}" for cat, (r, t) in sorted(result.by_category.items())]
    total = sum(t for _, t in result.by_category.values())
    right = sum(r for r, _ in result.by_category.values())
    if show_all_failures:
        lines += [f"  FAIL [{cat}] {q!r}: {reason}" for cat, q, reason in result.failures]
    lines.append(f"accuracy {result.accuracy:.1%} ({right}/{total}); engine latency per question: "
                 f"p50 {percentile(result.latencies_ms, 50):.3f} ms, p99 {percentile(result.latencies_ms, 99):.3f} ms")
    return "\n".join(lines) + "\n"


def parse_floor(value: str) -> float:
    """``--min-accuracy`` as a fraction: ``0.8`` stays 0.8, a percentage such as ``80`` becomes 0.8.

    >>> parse_floor("0.95"), parse_floor("95"), parse_floor("100")
    (0.95, 0.95, 1.0)
    """
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0 <= number <= 100:  # also refuses nan
        raise ValueError(f"{value!r} is not an accuracy: give a fraction from 0 to 1 (0.8) or a percentage "
                         "from 1 to 100 (80)")
    return number if number <= 1 else number / 100


def below_floor(accuracy: float, floor: float) -> str | None:
    """Why ``accuracy`` fails the ``floor`` (both fractions), or None when it meets it."""
    if accuracy >= floor:
        return None
    return f"FAILED: accuracy {accuracy:.1%} is below the minimum {floor:.1%} (--min-accuracy)"

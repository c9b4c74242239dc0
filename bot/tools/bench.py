"""``cto-bot bench``: the engine's latency on the shipped and on synthetic knowledge, and the cost of one
``cto-bot ask`` process. Figures are printed, never asserted: tests check behaviour, this measures speed."""

from __future__ import annotations

import itertools
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

from bot.core.engine import Engine
from bot.core.knowledge import Knowledge, Passage, Section
from bot.tools.evaluate import default_questions_path, load_cases, percentile

_SYLLABLES = "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no " \
             "pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi vo za ze zi zo tra pre cli gro".split()


def synthetic_knowledge(passages: int, seed: int = 7) -> Knowledge:
    """Knowledge of ``passages`` passages made of pseudo-words, with a Zipf-like word distribution."""
    rng = random.Random(seed)
    vocabulary = sorted({"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(passages * 4)})
    cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))

    def sentence(n: int) -> str:
        return " ".join(rng.choices(vocabulary, cum_weights=cum_weights, k=n))

    sections = []
    for s in range(max(passages // 10, 1)):
        items = tuple(
            Passage(id=f"p{s}-{k}", text=sentence(40), translation=sentence(40),
                    questions_fr=tuple(sentence(6) + " ?" for _ in range(4)),
                    questions_en=tuple(sentence(6) + "?" for _ in range(4)),
                    keywords=tuple(sentence(2) for _ in range(3)), section_id=f"s{s}")
            for k in range(10)
        )
        sections.append(Section(id=f"s{s}", heading=sentence(4), passages=items))
    return Knowledge(sections=tuple(sections))


def _typo(rng: random.Random, text: str) -> str:
    chars = list(text)
    if len(chars) > 4:
        i = rng.randrange(1, len(chars) - 1)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def latency(engine: Engine, questions: list[str], repeat: int) -> tuple[float, float]:
    """p50 and p99 in milliseconds of ``engine.ask`` over ``questions``, asked ``repeat`` times."""
    timings = []
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter()
            engine.ask(question)
            timings.append(1000 * (time.perf_counter() - started))
    return percentile(timings, 50), percentile(timings, 99)


def synthetic_questions(knowledge: Knowledge, count: int = 300, seed: int = 11) -> list[str]:
    """Alternate questions, some misspelt, some unknown: a mix like real traffic."""
    rng = random.Random(seed)
    passages = knowledge.passages
    questions = []
    for n in range(count):
        passage = rng.choice(passages)
        question = rng.choice(passage.questions_fr + passage.questions_en)
        questions.append(_typo(rng, question) if n % 3 == 1 else question if n % 3 == 0 else
                         f"{rng.choice(passage.keywords)} quoi {n}")
    return questions


def process_cost(runs: int = 5) -> tuple[float, float]:
    """Median wall time (ms) and peak memory (MB) of one ``cto-bot ask`` process."""
    command = shutil.which("cto-bot")
    argv = [command] if command else [sys.executable, "-m", "bot"]
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*argv, "ask", "Quel est le rôle du CTO ?"], check=True, capture_output=True)
        walls.append(1000 * (time.perf_counter() - started))
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return statistics.median(walls), peak_kb / 1024


def run_benchmarks(engine: Engine, out: TextIO, *, sizes: list[int], repeat: int = 3,
                   questions_path: Path | None = None) -> None:
    """Print every figure, one line each."""
    wall, peak = process_cost()
    out.write(f"one `cto-bot ask` process: {wall:.0f} ms wall (median of 5), peak memory {peak:.1f} MB "
              "(targets <= 300 ms, <= 60 MB)\n")
    _, cases = load_cases(questions_path or default_questions_path())
    questions = [str(c["q"]) for c in cases]
    p50, p99 = latency(engine, questions, repeat)
    out.write(f"shipped knowledge ({len(engine.knowledge.passages)} passages, {len(questions)} questions): "
              f"p50 {p50:.3f} ms, p99 {p99:.3f} ms per question (target p99 <= 1 ms)\n")
    for size in sizes:
        knowledge = synthetic_knowledge(size)
        started = time.perf_counter()
        synthetic = Engine(knowledge)
        built = time.perf_counter() - started
        p50, p99 = latency(synthetic, synthetic_questions(knowledge), repeat)
        out.write(f"synthetic knowledge ({size} passages, index built in {built:.2f} s): "
                  f"p50 {p50:.3f} ms, p99 {p99:.3f} ms per question (target p99 <= 10 ms at 10,000)\n")
        out.flush()

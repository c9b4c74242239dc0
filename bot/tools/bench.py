"""``cto-bot bench``: what the engine costs on the shipped knowledge, on synthetic knowledge of several sizes
and on any folder of knowledge (``--real DIR``): cold build, cache load, answer latency (also while a reload
runs), autocomplete, and one ``cto-bot ask`` process with a warm cache. Figures are printed, never asserted:
tests check behaviour, this measures speed. Progress goes to stderr on a terminal."""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.core.engine import Engine
from bot.core.knowledge import Knowledge
from bot.infra.cache import EngineBuilder, EngineCache, fresh_engine, knowledge_key, read_engine
from bot.infra.files import YamlFiles
from bot.infra.loader import knowledge_files
from bot.service.reload import LiveEngine
from bot.tools.evaluate import default_questions_path, load_cases, percentile

DEFAULT_SIZES = (500, 2000)
"""Synthetic sizes of a default run, which stays under 30 s; bigger ones through ``--sizes``."""
_SYLLABLES = "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no " \
             "pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi vo za ze zi zo tra pre cli gro".split()
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
ASK_RUNS = 3


def synthetic_document(passages: int, seed: int = 7) -> dict[str, Any]:
    """A knowledge file's content: ``passages`` passages of pseudo-words with a Zipf-like word distribution."""
    rng = random.Random(seed)
    vocabulary = sorted({"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(passages * 4)})
    cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))

    def sentence(n: int) -> str:
        return " ".join(rng.choices(vocabulary, cum_weights=cum_weights, k=n))

    sections = []
    for s in range((passages + 9) // 10):
        items = [{"id": f"p{s}-{k}", "text": sentence(40), "translation": sentence(40),
                  "questions": {"fr": [sentence(6) + " ?" for _ in range(4)],
                                "en": [sentence(6) + "?" for _ in range(4)]},
                  "keywords": [sentence(2) for _ in range(3)]}
                 for k in range(min(10, passages - 10 * s))]
        sections.append({"id": f"s{s}", "heading": sentence(4), "passages": items})
    return {"sections": sections}


def write_yaml(document: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.dump(document, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _typo(rng: random.Random, text: str) -> str:
    chars = list(text)
    if len(chars) > 4:
        i = rng.randrange(1, len(chars) - 1)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def synthetic_questions(knowledge: Knowledge, count: int = 300, seed: int = 11) -> list[str]:
    """Alternate questions (or a passage's first words), some misspelt, some about keywords: like real traffic."""
    rng = random.Random(seed)
    passages = knowledge.passages
    questions = []
    for n in range(count):
        passage = rng.choice(passages)
        asked = passage.questions_fr + passage.questions_en or (" ".join(passage.text.split()[:8]),)
        question = rng.choice(asked)
        topic = rng.choice(passage.keywords) if passage.keywords else question.split()[0]
        questions.append(_typo(rng, question) if n % 3 == 1 else question if n % 3 == 0 else f"{topic} quoi {n}")
    return questions


def timings(call: Callable[[str], object], inputs: list[str], repeat: int = 1) -> list[float]:
    """Milliseconds of ``call`` on each of ``inputs``, ``repeat`` times over."""
    spent = []
    for _ in range(repeat):
        for text in inputs:
            started = time.perf_counter()
            call(text)
            spent.append(1000 * (time.perf_counter() - started))
    return spent


def latency(engine: Engine, questions: list[str], repeat: int) -> tuple[float, float]:
    """p50 and p99 in milliseconds of ``engine.ask`` over ``questions``, asked ``repeat`` times."""
    spent = timings(engine.ask, questions, repeat)
    return percentile(spent, 50), percentile(spent, 99)


def keystrokes(knowledge: Knowledge, count: int = 5) -> list[str]:
    """What autocomplete sees while ``count`` questions are typed: each prefix of three letters or more."""
    questions = [q for p in knowledge.passages[:: max(len(knowledge.passages) // count, 1)]
                 for q in (p.questions_fr or p.questions_en)[:1]][:count]
    return [q[:n] for q in questions for n in range(3, len(q) + 1, 2)]


def during_reload(live: LiveEngine, questions: list[str]) -> list[float]:
    """Milliseconds of each answer asked, one after the other, while ``live`` reloads in the background."""
    spent: list[float] = []
    thread = live.reload_in_background()
    for question in itertools.cycle(questions):
        if not thread.is_alive():
            break
        started = time.perf_counter()
        live.current.ask(question)
        spent.append(1000 * (time.perf_counter() - started))
    thread.join()
    return spent


_LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(os.waitstatus_to_exitcode(status), 1000 * (time.perf_counter() - started), usage.ru_maxrss)
"""
"""Runs a command and prints its exit status, wall time (ms) and peak memory (KB). A child forked from the
bench itself would count the bench's memory in its peak (Linux keeps it across exec); one forked from this
small launcher does not."""


def ask_process(paths: list[Path], data_dir: Path, question: str) -> tuple[float, float]:
    """Wall time (ms) and peak memory (MB) of one ``cto-bot ask`` process with the cache in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTO_BOT_")}
    env["CTO_BOT_DATA_DIR"] = str(data_dir)
    argv = [sys.executable, "-m", "bot", "ask", "--knowledge", os.pathsep.join(map(str, paths)), question]
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], capture_output=True, text=True, env=env,
                          check=False)
    status, wall, peak_kb = done.stdout.split() if done.stdout.count(" ") == 2 else ("1", "0", "0")
    if status != "0":
        raise RuntimeError(f"`cto-bot ask` failed: {done.stderr.strip()}")
    return float(wall), float(peak_kb) / 1024


@dataclass
class Figures:
    """What one knowledge costs."""

    label: str
    passages: int
    cold_build: float
    cold_build_cpu: float
    documents: int
    cache_load: float
    cache_load_all: float
    p50: float
    p99: float
    reload_thread: tuple[float, float]
    reload_child: tuple[float, float]
    complete_p50: float
    ask_wall: float
    ask_memory: float

    def lines(self) -> list[str]:
        return [
            f"{self.label} ({self.passages} passages):",
            f"  cold build (YAML + index) {self.cold_build:.2f} s, {self.cold_build_cpu:.2f} s of CPU "
            f"(target <= 1.5 s at 10,000); cache load {self.cache_load:.3f} s, "
            f"{self.cache_load_all:.3f} s with all {self.documents} document(s) (a process reads only those its "
            "questions need)",
            f"  answer p50 {self.p50:.3f} ms, p99 {self.p99:.3f} ms (target p99 <= 10 ms at 10,000)",
            f"  answer during a reload: built in a child process p99 {self.reload_child[0]:.2f} ms "
            f"(max {self.reload_child[1]:.0f} ms); built in a thread p99 {self.reload_thread[0]:.2f} ms "
            f"(max {self.reload_thread[1]:.0f} ms) (target p99 <= 10 ms)",
            f"  autocomplete p50 {self.complete_p50:.2f} ms per keystroke",
            f"  one `cto-bot ask` with a warm cache: {self.ask_wall:.0f} ms wall (median of {ASK_RUNS}), "
            f"peak memory {self.ask_memory:.1f} MB (targets at 10,000: <= 400 ms, <= 60 MB; at 50,000: <= 1.5 s)",
        ]


class Progress:
    """One line per step on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream if stream is not None and stream.isatty() else None
        self.started = time.perf_counter()

    def __call__(self, step: str) -> None:
        if self.stream:
            self.stream.write(f"[bench {time.perf_counter() - self.started:5.1f} s] {step}\n")
            self.stream.flush()


def measure(label: str, paths: list[Path], scratch: Path, repeat: int, progress: Progress) -> Figures:
    """Every figure for the knowledge at ``paths``, with the cache and reload files in ``scratch``."""
    extra = scratch / "reload-extra.yaml"
    reloads = itertools.count()

    def edit() -> None:  # a small extra file, changed before each reload, so that each reload builds anew
        n = next(reloads)
        write_yaml({"sections": [{"id": f"bench-reload-{n}", "heading": f"Reload {n}", "passages": [
            {"id": f"bench-reload-{n}-p", "text": f"Passage written for reload number {n}."}]}]}, extra)

    edit()
    paths = [*paths, extra]
    progress(f"{label}: cold build")
    started, cpu = time.perf_counter(), time.process_time()
    engine = fresh_engine(paths)
    cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
    cache = EngineCache(scratch / "data" / "cache")
    key = knowledge_key(knowledge_files(paths))
    saved = cache.save(key, engine)
    if saved is None:
        raise RuntimeError(f"the bench cannot write its cache in {cache.directory}")
    started = time.perf_counter()
    loaded_engine = read_engine(saved)
    loaded = time.perf_counter() - started
    list(loaded_engine.matchers)  # every document, as a process whose questions need them all
    loaded_all = time.perf_counter() - started
    del loaded_engine
    progress(f"{label}: answers")
    questions = synthetic_questions(engine.knowledge)
    p50, p99 = latency(engine, questions, repeat)
    complete_p50 = percentile(timings(engine.complete, keystrokes(engine.knowledge)), 50)
    progress(f"{label}: `cto-bot ask` with a warm cache")
    asks = sorted(ask_process(paths, scratch / "data", questions[0]) for _ in range(ASK_RUNS))
    reload_figures = []
    for isolate in (False, True):
        progress(f"{label}: answers during a reload built in a {'child process' if isolate else 'thread'}")
        live = LiveEngine(YamlFiles(paths), check_every=float("inf"), build=EngineBuilder(cache, isolate=isolate))
        for question in questions:  # a server that has been answering: the documents it needs are read
            live.current.ask(question)
        edit()
        spent = during_reload(live, questions)
        reload_figures.append((percentile(spent, 99), max(spent, default=0.0)))
    return Figures(label, len(engine.knowledge.passages) - 1, cold, cold_cpu, len(engine.matchers), loaded,
                   loaded_all, p50, p99, reload_figures[0],
                   reload_figures[1], complete_p50, asks[len(asks) // 2][0], max(m for _, m in asks))


def run_benchmarks(engine: Engine, out: TextIO, *, sizes: Sequence[int] | None = None, repeat: int = 3,
                   real: Sequence[Path] = (), questions_path: Path | None = None,
                   progress: TextIO | None = None) -> None:
    """Print every figure: the shipped knowledge, each synthetic size (``DEFAULT_SIZES`` when None), each
    ``real`` folder."""
    step = Progress(progress)
    if hasattr(os, "getloadavg"):
        out.write(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (figures scale with it)\n")
    _, cases = load_cases(questions_path or default_questions_path())
    questions = [str(c["q"]) for c in cases]
    step("shipped knowledge")
    p50, p99 = latency(engine, questions, repeat)
    out.write(f"shipped knowledge ({len(engine.knowledge.passages)} passages, {len(questions)} questions): "
              f"p50 {p50:.3f} ms, p99 {p99:.3f} ms per question (target p99 <= 1 ms)\n")
    out.flush()
    with tempfile.TemporaryDirectory(prefix="cto-bot-bench-") as folder:
        scratch = Path(folder)
        shipped = [Path(source) for source in engine.knowledge.sources]
        if shipped:
            step("one `cto-bot ask` on the shipped knowledge")
            cold = ask_process(shipped, scratch / "shipped", questions[0])
            warm = sorted(ask_process(shipped, scratch / "shipped", questions[0]) for _ in range(ASK_RUNS))
            out.write(f"one `cto-bot ask` on it: {cold[0]:.0f} ms wall, {cold[1]:.1f} MB building the cache; "
                      f"{warm[len(warm) // 2][0]:.0f} ms, {max(m for _, m in warm):.1f} MB with it "
                      "(targets <= 300 ms, <= 60 MB)\n")
            out.flush()
        jobs: list[tuple[str, list[Path]]] = [(f"real knowledge {d}", [Path(d)]) for d in real]
        for size in DEFAULT_SIZES if sizes is None else sizes:
            step(f"synthetic knowledge of {size} passages: writing it")
            folder_of_size = scratch / f"synthetic-{size}"
            folder_of_size.mkdir()
            jobs.append(("synthetic knowledge", [write_yaml(synthetic_document(size), folder_of_size / "kb.yaml")]))
        for n, (label, paths) in enumerate(jobs):
            own = scratch / f"run-{n}"
            own.mkdir()
            for line in measure(label, paths, own, repeat, step).lines():
                out.write(line + "\n")
            out.flush()

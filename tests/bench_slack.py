"""Benchmark the Slack HTTP mode end to end: the real ``cto-bot slack --http`` (gunicorn) against a local fake Slack.

Run ``python tests/bench_slack.py`` (``--help`` for the options). It prints:

- signed ``app_mention`` events sent at N concurrent connections: how many were acknowledged (HTTP 200), the
  acknowledgement latency (p50, p99, max), the answers the fake Slack received, and duplicates;
- the worker's memory (RSS) after 1,000 and after 10,000 events (``--quick``: 2,000), and after 20,000;
- the seconds to exit after SIGTERM with 100 idle connections open;
- with ``--diagnose DIR``, at each memory mark, each worker's pymalloc arenas, glibc's bytes in use and free,
  and RSS after ``malloc_trim``, then which objects grew between the first and the last mark
  (``tests/slack/memdiag``); with ``--tracemalloc`` too, its Python heap and the source lines that grew most.

Targets (issue 10): 500/500 acknowledged, p99 <= 500 ms, 500 answers, 0 duplicates, exit within 10 s, memory
after 10,000 events within 20% of memory after 1,000. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "slack"))

from slack_fake import FakeSlack, SlackUser, event_callback, mention  # noqa: E402
from slack_server import ServedBot  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = ["Que fait un CTO ?", "what does a CTO do?", "Quelles études pour devenir CTO ?",
             "Combien gagne un CTO ?", "Quelle différence entre CTO et DSI ?", "how to become a CTO",
             "Quelle est la recette de la pizza ?", "Le CTO doit-il coder ?", "merci", "CTO ou VP engineering ?"]
_question = itertools.cycle(QUESTIONS)
_ids = itertools.count(1)


def send(user: SlackUser) -> tuple[int, float, str]:
    """One signed mention on a new connection: (HTTP status, seconds to the acknowledgement, the event's ts)."""
    number = next(_ids)
    event = mention(next(_question), user=f"U{number:08d}")  # as many people: a per-user cooldown applies
    body = json.dumps(event_callback(event, f"EvBENCH{number:08d}"))
    start = time.perf_counter()
    try:
        status = user.post(body, "application/json").status
    except OSError:
        status = 0
    return status, time.perf_counter() - start, event["ts"]


def burst(user: SlackUser, count: int, concurrency: int) -> list[tuple[int, float, str]]:
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda _: send(user), range(count)))


def procfile_env(procfile: Path = REPO / "Procfile") -> dict[str, str]:
    """The variables the Procfile's ``web`` line sets before its command (``NAME=value cto-bot ...``): the bench
    measures the web process as the platforms run it."""
    for line in procfile.read_text().splitlines():
        if line.startswith("web:"):
            return dict(word.split("=", 1) for word in itertools.takewhile(lambda w: "=" in w, line[4:].split()))
    return {}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def workers(master: int) -> dict[int, float]:
    """The master's worker processes and their resident memory in MB (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master):
            found[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    return found


def worker_rss_mb(master: int) -> float:
    """The resident memory of the master's worker processes, in MB."""
    return sum(workers(master).values())


class Diagnosis:
    """``--diagnose DIR``: reports from inside the workers (``tests/slack/memdiag``), and what grew between two."""

    def __init__(self, folder: Path, *, trace: bool):
        self.folder = folder
        self.trace = trace
        self.folder.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        path = os.pathsep.join(filter(None, [str(Path(__file__).parent / "slack" / "memdiag"),
                                             os.environ.get("PYTHONPATH", "")]))
        return {"PYTHONPATH": path, "CTO_BOT_BENCH_MEMDIAG": str(self.folder),
                "CTO_BOT_BENCH_TRACEMALLOC": "1" if self.trace else "0"}

    def report(self, master: int, mark: int) -> None:
        """Ask every worker for its report at ``mark`` events, wait for them, print them."""
        requests = {pid: self.folder / f"request-{pid}-{mark:06d}" for pid in workers(master)}
        for request in requests.values():
            request.touch()
        deadline = time.monotonic() + 120
        while any(r.exists() for r in requests.values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in requests:
            report = json.loads((self.folder / f"report-{pid}-{mark:06d}.json").read_text())
            arenas = report["pymalloc"]
            heap = (f"Python heap {report['traced_mb']:.1f} MB" if "traced_mb" in report else
                    f"pymalloc {arenas.get('arenas', 0)} arenas of 1 MB: {arenas.get('allocated', 0) / 2**20:.1f} MB "
                    f"in blocks used, {arenas.get('available', 0) / 2**20:.1f} MB free")
            malloc = report.get("malloc") or {}
            glibc = (f"; glibc malloc {malloc['in_use'] / 2**20:.1f} MB in use (outside pymalloc), "
                     f"{malloc['free'] / 2**20:.1f} MB free" if malloc else "")
            print(f"  worker {pid}: RSS {report['rss_mb']:.1f} MB, {report.get('rss_after_trim_mb', 0):.1f} MB "
                  f"after malloc_trim; {heap}{glibc}")

    def compare(self, pids: Iterable[int], first: int, last: int) -> None:
        """Print what grew most in each worker's Python heap from ``first`` to ``last`` events."""
        import tracemalloc

        ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "*/memdiag/*")]
        for pid in pids:
            print(f"\n  worker {pid}, what grew from {first:,} to {last:,} events:")
            if self.trace:
                before, after = (tracemalloc.Snapshot.load(str(self.folder / f"snapshot-{pid}-{m:06d}"))
                                 .filter_traces(ignore) for m in (first, last))
                for stat in after.compare_to(before, "lineno")[:8]:
                    print(f"    {stat}")
            objects = [json.loads((self.folder / f"report-{pid}-{m:06d}.json").read_text())["objects"]
                       for m in (first, last)]
            counts = [dict(o) for o in objects]
            grown = sorted(((counts[1].get(k, 0) - counts[0].get(k, 0), k) for k in counts[1]), reverse=True)[:5]
            print("    live objects grown: " + ", ".join(f"{k} {n:+,}" for n, k in grown if n))


def answered(fake: FakeSlack, count: int, timeout: float) -> int:
    """Wait until the fake has ``count`` posts (or ``timeout``); how many it has."""
    deadline = time.monotonic() + timeout
    with fake._changed:
        fake._changed.wait_for(lambda: len(fake.posts()) >= count or time.monotonic() > deadline, timeout)
    return len(fake.posts())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500, help="events in the latency run (default 500)")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--idle", type=int, default=100, help="idle connections open at SIGTERM (default 100)")
    parser.add_argument("--memory", type=int, nargs=2, default=[1000, 10000], metavar=("FIRST", "LAST"),
                        help="events after which memory is measured (default 1000 10000)")
    parser.add_argument("--then", type=int, default=20000, metavar="N",
                        help="also measure memory after N events, to see it level off (default 20000; 0: no)")
    parser.add_argument("--quick", action="store_true", help="measure memory after 1,000 and 2,000 events only")
    parser.add_argument("--no-record", action="store_true", help="run the server with CTO_BOT_RECORD=0")
    parser.add_argument("--workers", default="", help="WEB_CONCURRENCY for the server (default: its own)")
    parser.add_argument("--threads", default="", help="CTO_BOT_WEB_THREADS for the server (default: its own)")
    parser.add_argument("--diagnose", metavar="DIR", type=Path,
                        help="at each memory mark, print each worker's pymalloc arenas, glibc's bytes in use and "
                             "free, and RSS after malloc_trim, then which objects grew from the first mark to the "
                             "last; reports go in DIR")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="with --diagnose: trace the Python heap and print the lines whose allocations grew "
                             "most (slower, and tracing takes memory: the latency and memory targets do not apply)")
    args = parser.parse_args()
    first, last = (1000, 2000) if args.quick else args.memory
    then = 0 if args.quick or args.then <= last else args.then
    missed: list[str] = []

    def check(ok: bool, target: str) -> str:
        if not ok:
            missed.append(target)
        return "ok" if ok else f"MISSED ({target})"

    data = tempfile.mkdtemp(prefix="cto-bot-bench-")
    env = procfile_env() | {"CTO_BOT_DATA_DIR": data, "CTO_BOT_RECORD": "0" if args.no_record else "1"}
    env |= {"WEB_CONCURRENCY": args.workers} if args.workers else {}
    env |= {"CTO_BOT_WEB_THREADS": args.threads} if args.threads else {}
    if args.tracemalloc and not args.diagnose:
        parser.error("--tracemalloc needs --diagnose DIR")
    diagnosis = Diagnosis(args.diagnose, trace=args.tracemalloc) if args.diagnose else None
    env |= diagnosis.env() if diagnosis else {}
    fake = FakeSlack().start()
    bot = ServedBot(fake, env=env, knowledge=REPO / "knowledge")
    try:
        bot.start()
        master = bot.process.pid
        print(f"cto-bot slack --http on port {bot.port}, pid {master}, knowledge {REPO / 'knowledge'}, "
              f"{os.cpu_count()} CPU(s); " + (bot.wait_for_line(_SERVING_LINE).group(0))
              + "".join(f"; {name}={value} (Procfile)" for name, value in procfile_env().items()))

        results = burst(bot.user, args.events, args.concurrency)
        acked = [r for r in results if r[0] == 200]
        latencies = [r[1] * 1000 for r in acked]
        posts = answered(fake, args.events, timeout=60)
        threads = Counter(p.get("thread_ts") for p in fake.posts())
        ours = {r[2] for r in results}
        duplicates = sum(n - 1 for ts, n in threads.items() if ts in ours and n > 1)
        answered_ours = sum(1 for ts in ours if threads.get(ts))
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        print(f"\n{args.events} signed app_mention events at {args.concurrency} concurrent connections:")
        print(f"  acknowledged      {len(acked)}/{args.events}  "
              f"{check(len(acked) == args.events, f'{args.events}/{args.events} acknowledged')}")
        print(f"  ack latency       p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms, "
              f"mean {statistics.fmean(latencies):.1f} ms  "
              + ("(traced: no target)" if args.tracemalloc else check(p99 <= 500, 'p99 <= 500 ms')))
        print(f"  answers posted    {answered_ours}/{args.events} events answered, {posts} posts  "
              f"{check(answered_ours == args.events, f'{args.events} answers')}")
        print(f"  duplicates        {duplicates}  {check(duplicates == 0, '0 duplicates')}")

        sent = args.events
        rss: dict[int, float] = {}
        for mark in [m for m in (first, last, then) if m]:
            started, before = time.perf_counter(), sent
            if mark > sent:
                burst(bot.user, mark - sent, args.concurrency)
                sent = mark
            answered(fake, sent, timeout=120)
            rss[mark] = worker_rss_mb(master)
            print(f"\nmemory after {mark:,} events: {rss[mark]:.1f} MB (worker RSS; {mark - before:,} more events "
                  f"sent and answered in {time.perf_counter() - started:.1f} s)")
            if diagnosis:
                diagnosis.report(master, mark)
        growth = rss[last] / rss[first] - 1
        print(f"  growth from {first:,} to {last:,} events: {growth:+.1%}  "
              + ("(traced: no target)" if args.tracemalloc else check(growth <= 0.20, 'memory within 20%')))
        if then:
            print(f"  growth from {last:,} to {then:,} events: {rss[then] / rss[last] - 1:+.1%} (the per-conversation "
                  "state is bounded: 2,000 contexts, 5,000 people in the cooldown, 10,000 event ids at most)")
        if diagnosis:
            diagnosis.compare(workers(master), first, then or last)

        idle = [socket.create_connection(("127.0.0.1", bot.port)) for _ in range(args.idle)]
        started = time.perf_counter()
        status = bot.terminate(timeout=60)
        seconds = time.perf_counter() - started
        for connection in idle:
            connection.close()
        print(f"\nSIGTERM with {args.idle} idle connections open: exited {status} in {seconds:.2f} s  "
              f"{check(status == 0 and seconds <= 10, 'exit 0 within 10 s')}")
        if "Traceback" in bot.log:
            missed.append("no traceback")
            print("  the server printed a traceback:\n" + bot.log)
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
        fake.stop()
    print("\nall targets met" if not missed else f"\ntargets missed: {', '.join(missed)}")
    return 1 if missed else 0


_SERVING_LINE = __import__("re").compile(r"\d+ worker\(s\) of \d+ thread\(s\)")

if __name__ == "__main__":
    sys.exit(main())

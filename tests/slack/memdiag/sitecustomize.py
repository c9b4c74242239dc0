"""Memory diagnostics inside the Slack web worker, for ``tests/bench_slack.py --diagnose DIR`` only.

The bench puts this folder on the server's ``PYTHONPATH`` and sets ``CTO_BOT_BENCH_MEMDIAG=DIR``; nothing else
loads it. In each process forked from the one that started (gunicorn's workers), a thread answers a request
file ``DIR/request-TAG`` with ``DIR/report-TAG.json``: the process's RSS, pymalloc's arenas, glibc's bytes in
use and free (``mallinfo2``: what Python and C libraries got from ``malloc``, pymalloc's arenas aside), the
RSS after ``malloc_trim``, the live objects by type. With ``CTO_BOT_BENCH_TRACEMALLOC=1`` it also traces the
Python heap (pymalloc's own figures are then unavailable) and dumps a snapshot ``DIR/snapshot-TAG`` that the
bench compares between two marks.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import gc
import json
import os
import re
import sys
import threading
import time
import tracemalloc
from pathlib import Path

FOLDER = os.environ.get("CTO_BOT_BENCH_MEMDIAG", "")
_STARTED = os.getpid()


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def _pymalloc() -> dict[str, int]:
    """pymalloc's arenas and blocks in use (``sys._debugmallocstats`` writes them to the C stderr)."""
    read, write = os.pipe()
    saved = os.dup(2)
    try:
        os.dup2(write, 2)
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    number = {name: re.search(rf"{pattern}\s*=\s*([\d,]+)", text) for name, pattern in
              {"arenas": r"# arenas allocated current", "allocated": r"# bytes in allocated blocks",
               "available": r"# bytes in available blocks"}.items()}
    return {name: int(found.group(1).replace(",", "")) for name, found in number.items() if found}


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _malloc() -> dict[str, int]:
    """glibc's own figures over all its arenas: bytes handed out and in use, bytes held free (``mallinfo2``)."""
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return {"in_use": info.uordblks + info.hblkhd, "free": info.fordblks}


def _report(tag: str) -> None:
    gc.collect()
    folder = Path(FOLDER)
    report: dict[str, object] = {"rss_mb": _rss_mb(), "pymalloc": _pymalloc(), "malloc": _malloc()}
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        report["rss_after_trim_mb"] = _rss_mb()
    report["objects"] = collections.Counter(type(o).__name__ for o in gc.get_objects()).most_common(300)
    if tracemalloc.is_tracing():
        report["traced_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.take_snapshot().dump(str(folder / f"snapshot-{tag}"))
    (folder / f"report-{tag}.json").write_text(json.dumps(report))


def _serve() -> None:
    folder = Path(FOLDER)
    while True:
        time.sleep(0.2)
        for request in sorted(folder.glob(f"request-{os.getpid()}-*")):
            _report(request.name.removeprefix("request-"))
            request.unlink()


def _in_worker() -> None:
    if os.environ.get("CTO_BOT_BENCH_TRACEMALLOC") == "1":
        tracemalloc.start(8)
    threading.Thread(target=_serve, name="memdiag", daemon=True).start()


if FOLDER and os.getpid() == _STARTED:
    os.register_at_fork(after_in_child=_in_worker)

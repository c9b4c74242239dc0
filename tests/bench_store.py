"""Print the store's throughput: rows per second through the background recorder into SQLite (and PostgreSQL
when CTO_BOT_TEST_DATABASE_URL is set). Not a test: ``python tests/bench_store.py [RECORDS]``."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime

from bot.infra.sqlstore import SqlStore
from bot.service.store import BackgroundRecorder, Interaction


def rows_per_second(url: str, records: int) -> str:
    store = SqlStore(url)
    store.purge()
    recorder = BackgroundRecorder(store)
    items = [Interaction(id=uuid.uuid4().hex, question=f"question {i}", outcome="decline", score=1.0,
                         passage_id=None, lang="fr", platform="repl", channel_kind="terminal") for i in range(records)]
    start = time.perf_counter()
    for item in items:
        recorder.record(item)
    recorder.flush(600)
    took = time.perf_counter() - start
    rows = len(store.interactions_since(datetime(2000, 1, 1, tzinfo=UTC)))
    store.purge()
    name = store.sql.dialect.name
    return f"{name:10} {rows:>7,} of {records:,} records in {took:5.2f} s: {rows / took:>9,.0f} rows/s"


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as folder:
        print(rows_per_second(f"sqlite:///{folder}/bench.sqlite3", records))
    if os.environ.get("CTO_BOT_TEST_DATABASE_URL"):
        print(rows_per_second(os.environ["CTO_BOT_TEST_DATABASE_URL"], records))


if __name__ == "__main__":
    main()

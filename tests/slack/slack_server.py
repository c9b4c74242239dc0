"""The real ``cto-bot slack --http`` process (gunicorn) on 127.0.0.1, its Web API pointed at a fake Slack."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from slack_fake import WAIT, FakeSlack, SlackUser
from slack_harness import KNOWLEDGE, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]
SERVING = re.compile(r"Serving Slack on http://[^:]+:(\d+)")


class ServedBot:
    """``cto-bot slack --http --port 0`` in a child process; ``user`` talks to it, ``log`` is what it printed."""

    def __init__(self, fake: FakeSlack, *, env: dict[str, str] | None = None, knowledge: Path = KNOWLEDGE,
                 wait: float = WAIT):
        self.fake = fake
        self.wait = wait
        """Seconds to wait, at most, for the server to start and to stop."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WEB_CONCURRENCY"))}
        environ |= {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.api_url, "CTO_BOT_RECORD": "0", **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "slack", "--http", "--port", "0", "--knowledge", str(knowledge)],
            cwd=ROOT, env=environ, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = 0
        self.user: SlackUser

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def log(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def wait_for_line(self, pattern: re.Pattern[str], timeout: float = WAIT) -> re.Match[str]:
        """The first line printed that matches ``pattern``; fail if the process exits or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((m for m in map(pattern.search, self.lines) if m), None)
                if found:
                    return found
                remaining = deadline - time.monotonic()
                assert remaining > 0 and self._reader.is_alive(), f"no line matching {pattern.pattern}:\n{self.log}"
                self._changed.wait(remaining)

    def start(self) -> ServedBot:
        self.port = int(self.wait_for_line(SERVING, self.wait).group(1))
        self.user = SlackUser(self.port, SIGNING_SECRET, self.fake)
        health = self.user.request("GET", "/healthz", timeout=self.wait)  # a worker has built its engine
        assert health.status == 200, self.log
        return self

    def terminate(self, timeout: float | None = None) -> int:
        """SIGTERM, then wait for the exit (``timeout``, else ``wait`` seconds); return the exit status."""
        timeout = self.wait if timeout is None else timeout
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout)
        self._reader.join(timeout)
        return status

    def __enter__(self) -> ServedBot:
        try:
            return self.start()
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            self.terminate()
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

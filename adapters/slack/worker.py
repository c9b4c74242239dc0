"""gunicorn's ``gthread`` worker, made safe against idle connections.

The stock worker hands each new connection to a thread, which waits up to 5 s for the first bytes: 100
connections that send nothing (a scanner, a half-open socket, a client that opens spare connections) hold
every thread for many seconds and Slack's deliveries queue behind them until they time out (measured: one
signed event not answered within 10 s with 100 idle connections open, 8 threads). Here a new connection waits
for its first bytes in the worker's poller, as a kept-alive one does, and gets a thread only once it has sent
something; one that sends nothing is closed after the keep-alive timeout, or at once when the worker stops
(it has no request in flight), so that idle connections never delay a graceful stop.

It relies on the worker's poller and its list of pending connections (gunicorn 27); the tests and
``tests/bench_slack.py`` exercise both.
"""

from __future__ import annotations

import errno
import selectors
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker


class IdleSafeThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn has no type hints
    """A ``gthread`` worker whose threads serve only connections that have sent a request."""

    def accept(self, listener: Any) -> None:
        """Accept a connection and wait for its first bytes in the poller, without taking a thread."""
        try:
            sock, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, sock, address, listener.getsockname())  # non-blocking until it is served
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))

    def murder_pending(self) -> None:
        """Close connections that sent nothing in time; when stopping, all of them (nothing is in flight)."""
        if not self.alive:
            for conn in self.pending_conns:
                conn.timeout = 0.0
        super().murder_pending()

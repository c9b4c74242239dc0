"""A WSGI guard in front of Bolt: a request reaches Bolt only with a bounded body, signed by Slack, and parsable.

Bolt parses the body before it checks the signature, so a forged or broken request could make it fail with a
traceback (malformed JSON, invalid UTF-8, a non-numeric timestamp) or make the server read a huge body. The
guard checks the cheap things first, in this order, and answers without reaching Bolt:

- ``Content-Length`` missing (411), not a number or negative (400), over ``max_body`` (413, body unread);
- ``X-Slack-Request-Timestamp`` not a number, or more than five minutes away (401);
- ``X-Slack-Signature`` not the HMAC-SHA256 of the raw body with the signing secret (401);
- a signed body that is not UTF-8, or not a JSON object or form that Bolt can read (400).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.request import BoltRequest

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

MAX_BODY = 1024 * 1024
"""The largest request body accepted, in bytes; Slack's payloads are a few kilobytes."""
MAX_SKEW = 5 * 60
"""How far a request's timestamp may be from now, in seconds, as Slack recommends (replay protection)."""
SHAPES: dict[str, type] = {"event": dict, "view": dict, "container": dict, "message": dict, "actions": list}
"""Top-level fields of that type in every payload Slack sends, which Bolt's middleware reads as such."""
READ_TIMEOUT = 10.0
"""Seconds a client may pause while sending its body before the request is dropped (408)."""


class Rejected(Exception):
    """A request the guard answers itself; ``status`` is the HTTP status line."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SignedRequestsOnly:
    """WSGI middleware: POSTs to ``path`` go on to ``app`` only when Slack signed them; the rest passes through."""

    def __init__(self, app: WsgiApp, *, signing_secret: str, path: str, max_body: int = MAX_BODY,
                 read_timeout: float = READ_TIMEOUT, clock: Callable[[], float] = time.time):
        if not signing_secret:
            raise ValueError("a signing secret is required to check Slack's signatures")
        self.app = app
        self.secret = signing_secret.encode()
        self.path = path
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.clock = clock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != self.path:
            return self.app(environ, start_response)
        try:
            body = self.checked_body(environ)
        except Rejected as rejection:
            log.warning("Refused a request to %s: %s (%s)", self.path, rejection.reason, rejection.status)
            start_response(rejection.status, [("Content-Type", "text/plain; charset=utf-8")])
            return [rejection.reason.encode() + b"\n"]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    def checked_body(self, environ: dict[str, Any]) -> bytes:
        """The request's body, read only once its length and timestamp are acceptable and then verified."""
        length = self._content_length(environ.get("CONTENT_LENGTH"))
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        if not (timestamp.isascii() and timestamp.isdigit()):
            raise Rejected("401 Unauthorized", "X-Slack-Request-Timestamp is missing or not a number")
        if abs(self.clock() - int(timestamp)) > MAX_SKEW:
            raise Rejected("401 Unauthorized", "X-Slack-Request-Timestamp is more than 5 minutes away")
        body = self._read(environ, length)
        expected = "v0=" + hmac.new(self.secret, b"v0:" + timestamp.encode() + b":" + body,
                                    hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, environ.get("HTTP_X_SLACK_SIGNATURE", "")):
            raise Rejected("401 Unauthorized", "X-Slack-Signature does not match the body")
        self._parsable(body, environ.get("CONTENT_TYPE", ""))
        return body

    def _content_length(self, raw: str | None) -> int:
        if raw is None or raw == "":
            raise Rejected("411 Length Required", "Content-Length is required")
        if not (raw.isascii() and raw.isdigit()):
            raise Rejected("400 Bad Request", "Content-Length is not a number of bytes")
        length = int(raw)
        if length > self.max_body:
            raise Rejected("413 Content Too Large", f"the body is over {self.max_body} bytes")
        return length

    def _read(self, environ: dict[str, Any], length: int) -> bytes:
        """Read exactly ``length`` bytes, giving up on a client that pauses longer than ``read_timeout``."""
        sock = environ.get("gunicorn.socket")
        previous = sock.gettimeout() if isinstance(sock, socket.socket) else None
        if isinstance(sock, socket.socket):
            sock.settimeout(self.read_timeout)
        try:
            body = environ["wsgi.input"].read(length) if length else b""
        except TimeoutError:
            raise Rejected("408 Request Timeout", "the body came too slowly") from None
        finally:
            if isinstance(sock, socket.socket):
                sock.settimeout(previous)
        if len(body) != length:
            raise Rejected("400 Bad Request", "the body is shorter than its Content-Length")
        return body

    @staticmethod
    def _parsable(body: bytes, content_type: str) -> None:
        """Bolt must be able to read the body as it will: a JSON object or a form, whose context it can build.

        Slack signs only well-formed payloads, so this matters only for a request signed by someone else who
        holds the secret; but Bolt's parsing fails on a wrong type with an exception (a 500 and a traceback)."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected("400 Bad Request", "the body is not UTF-8") from None
        try:
            parsed = BoltRequest(body=text, headers={"content-type": content_type}).body
        except ValueError:
            raise Rejected("400 Bad Request", "the body is not valid JSON") from None
        except Exception:  # Bolt reading an object of the wrong shape: AttributeError, KeyError, TypeError...
            raise Rejected("400 Bad Request", "the body is not a payload Slack sends") from None
        if not isinstance(parsed, dict):
            raise Rejected("400 Bad Request", "the body is not a JSON object or a form")
        for name, kind in SHAPES.items():
            if name in parsed and not isinstance(parsed[name], kind):
                raise Rejected("400 Bad Request", f"the payload's {name!r} is not a {kind.__name__}")

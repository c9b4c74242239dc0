"""Slack's text markup, both ways: questions out of Slack markup, and text made safe to send back.

Slack marks mentions and links with angle brackets (``<@U123>``, ``<!channel>``, ``<https://x|label>``)
and escapes only ``&``, ``<`` and ``>`` in what people type. Anything we send is escaped the same way,
so no text from a user or from the knowledge can become a live mention.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<([^<>]*)>")


def escape(text: str) -> str:
    """Escape text for Slack so that it is shown as typed and never pings anyone.

    >>> escape("<!channel> R&D <@U1>")
    '&lt;!channel&gt; R&amp;D &lt;@U1&gt;'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>``.

    >>> unescape("R&amp;D &lt;3 &amp;lt;")
    'R&D <3 &lt;'
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(text: str) -> str:
    """The plain question in a Slack message: mentions of people dropped, links and channels as text.

    >>> plain_text("<@U123> what does a CTO do with <https://x.io|R&amp;D>? &lt;3 <!here>")
    'what does a CTO do with R&D? <3'
    """
    return " ".join(unescape(_TOKEN.sub(_token_text, text)).split())


def _token_text(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):
        return ""
    if target.startswith("!"):
        return label
    if target.startswith("#"):
        return f"#{label}" if label else ""
    return label or target


def chunks(text: str, limit: int) -> list[str]:
    """Split escaped text into pieces of at most ``limit`` characters, between lines or words if possible.

    An escape such as ``&amp;`` is never cut in two.

    >>> chunks("one two three", 8)
    ['one two', 'three']
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    """Where to cut ``text`` so that the first piece has at most ``limit`` characters."""
    window = text[: limit + 1]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        if at > limit // 2:
            return at
    cut = limit
    amp = text.rfind("&", max(0, cut - 4), cut)
    if amp != -1 and text.find(";", amp, amp + 5) >= cut:
        cut = amp
    return max(cut, 1)


def truncate(text: str, limit: int) -> str:
    """Escaped ``text`` cut to at most ``limit`` characters, with an ellipsis when cut.

    >>> truncate("a &amp; b", 5)
    'a…'
    """
    if len(text) <= limit:
        return text
    return chunks(text, limit - 1)[0] + "…"

"""The engine as the adapters use it: live knowledge, every outcome recorded, votes on answers.

Adapters call ``ask``, ``answer_passage`` and ``vote`` with where the question came from; the engine stays
pure, and recording goes through the ``Recorder`` protocol, which never stops an answer.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace

from bot.core.answer import Answer, Outcome, Suggestion
from bot.core.engine import Engine
from bot.service.context import ContextStore
from bot.service.privacy import hash_user
from bot.service.reload import LiveEngine
from bot.service.store import Interaction, Recorder, Vote

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions through the current engine and records what happened."""

    def __init__(self, engine: Engine | LiveEngine, *, recorder: Recorder | None = None, salt: bytes = b"",
                 contexts: ContextStore | None = None):
        self._source = engine
        self.recorder = recorder
        self.salt = salt
        self.contexts = contexts
        """Where conversations keep their context when several processes share them; None: in memory."""

    @property
    def engine(self) -> Engine:
        """The engine in service now (picking up edited knowledge files when live)."""
        if isinstance(self._source, LiveEngine):
            self._source.maybe_reload()
            return self._source.current
        return self._source

    def ask(self, question: str, *, focus: Sequence[str] = (), lang: str | None = None, platform: str = "unknown",
            channel_kind: str = "unknown") -> Answer:
        """Answer ``question`` and record the outcome; the answer carries the ``answer_id`` votes refer to.

        ``focus`` names passages the conversation is about (the last answer's): they are favoured when the
        engine supports it, so that a short follow-up is matched against them. ``lang`` sets the reply's
        language (a question asked again "in English"), when the engine supports it."""
        engine = self.engine
        options: dict[str, object] = {}
        if focus and accepts(engine, "focus"):
            options["focus"] = tuple(focus)
        if lang and accepts(engine, "lang"):
            options["lang"] = lang
        return self._recorded(engine.ask(question, **options), platform, channel_kind)  # type: ignore[arg-type]

    def answer_passage(self, passage_id: str, lang: str = "fr", question: str = "", *,
                       platform: str = "unknown", channel_kind: str = "unknown") -> Answer:
        """Answer with a passage someone picked among suggestions, recorded like a question."""
        return self._recorded(self.engine.answer_passage(passage_id, lang, question), platform, channel_kind)

    def decline(self, question: str, lang: str = "fr", *, platform: str = "unknown",
                channel_kind: str = "unknown") -> Answer:
        """Say the documents do not cover ``question``, recorded like an answer."""
        return self._recorded(self.engine.decline(question, lang), platform, channel_kind)

    def pick(self, passage_id: str, lang: str = "fr", question: str = "", *, platform: str = "unknown",
             channel_kind: str = "unknown") -> Answer:
        """Answer with the suggestion someone picked, recorded as a ``pick`` of that passage for ``question``
        (the person's own question): what review proposals are built from."""
        answer = self.engine.answer_passage(passage_id, lang, question)
        return self._recorded(answer, platform, channel_kind, outcome="pick" if answer.matched else None)

    def help(self, lang: str = "fr") -> Answer:
        return self.engine.help(lang)

    def topics(self, lang: str = "fr") -> tuple[str, ...]:
        return self.engine.topics(lang)

    def complete(self, text: str, limit: int = 25) -> list[Suggestion]:
        return self.engine.complete(text, limit)

    def vote(self, answer_id: str, passage_id: str, *, user_id: str, value: int, platform: str) -> None:
        """Record a 👍 (``value`` > 0) or 👎 (< 0) from ``user_id`` on an answer; a new vote replaces the old."""
        self._record(Vote(answer_id=answer_id[:64], passage_id=passage_id[:200],
                          user_hash=hash_user(self.salt, platform, user_id),
                          value=1 if value > 0 else -1, platform=platform))

    def close(self) -> None:
        """Write what is still queued for the store (call it when the bot stops)."""
        close = getattr(self.recorder, "close", None) or getattr(self.recorder, "flush", None)
        if close is not None:
            close()

    def _recorded(self, answer: Answer, platform: str, channel_kind: str, outcome: str | None = None) -> Answer:
        if self.recorder is None:
            return answer  # no answer_id: nothing to vote on, so adapters show no feedback buttons
        answer_id = uuid.uuid4().hex
        closest = answer.passage_id or (answer.candidates[0].passage_id if answer.candidates else None)
        if answer.outcome is not Outcome.SMALLTALK or answer.question:
            self._record(Interaction(id=answer_id, question=answer.question, outcome=outcome or answer.outcome.value,
                                     score=round(answer.score, 1), passage_id=closest, lang=answer.lang,
                                     platform=platform, channel_kind=channel_kind))
        return replace(answer, answer_id=answer_id)

    def _record(self, item: Interaction | Vote) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.record(item)
        except Exception:
            log.exception("could not record a %s; answering anyway", type(item).__name__)


def accepts(engine: object, option: str) -> bool:
    """Whether ``engine.ask`` takes ``option`` (``focus``, ``lang``: engines before them did not)."""
    try:
        return option in inspect.signature(engine.ask).parameters  # type: ignore[attr-defined]
    except (TypeError, ValueError, AttributeError):
        return False

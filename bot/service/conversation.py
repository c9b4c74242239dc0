"""The conversation: the chat policy every platform shares, written once.

Slack, Discord and the REPL turn their events into calls on a ``Conversation`` (``ask``, ``command``,
``pick``, ``follow``, ``vote``) with a ``Where``, and render the neutral ``Reply`` it returns. The
conversation decides everything else: help, the cooldown, the apology when something fails, the language of
notices, what is recorded, and what a follow-up ("et le budget ?", "tell me more", "in English please",
"why?") means after the previous answer in the same place, from the same person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from bot.core.answer import Answer, Outcome, Suggestion
from bot.core.engine import Engine
from bot.core.text import detect_language
from bot.service.assistant import accepts
from bot.service.context import Context, Memory, Where
from bot.service.cooldown import Cooldown, Verdict
from bot.service.followups import (
    FollowUp,
    Prompt,
    focus_of,
    follow_up_of,
    item_of,
    more_after,
    prompts_for,
    why_of,
)

__all__ = ["Conversation", "Notice", "Prompt", "Reply", "Where", "notice_text"]

log = logging.getLogger(__name__)

HELP_WORDS = {"help": "en", "aide": "fr", "?": ""}
"""Commands that ask for help rather than ask a question, and the language to answer in ("" for the
person's own, French when unknown). An empty command is help too."""

FOCUS_MARGIN = 10.0
"""How far (0..100) a passage of the last answer's section may trail the best candidate and still be what a
short follow-up means."""

NOTICES = {
    "fr": {
        "apology": "Désolé, je n'ai pas pu répondre à cause d'une erreur de mon côté. Réessayez dans un instant.",
        "cooldown": "Doucement : je réponds à {rate:.0f} questions par personne toutes les {per:.0f} secondes. "
                    "Réessayez dans {retry:.0f} s.",
    },
    "en": {
        "apology": "Sorry, I could not answer because of an error on my side. Please try again in a moment.",
        "cooldown": "Easy there: I answer {rate:.0f} questions per person every {per:.0f} seconds. "
                    "Try again in {retry:.0f} s.",
    },
}


class Assistant(Protocol):
    """What the conversation needs from the assistant (``bot.service.assistant.Assistant``)."""

    @property
    def engine(self) -> Engine: ...

    def ask(self, question: str, *, focus: Sequence[str] = (), lang: str | None = None, platform: str,
            channel_kind: str) -> Answer: ...

    def answer_passage(self, passage_id: str, lang: str = "fr", question: str = "", *, platform: str,
                       channel_kind: str) -> Answer: ...

    def decline(self, question: str, lang: str = "fr", *, platform: str, channel_kind: str) -> Answer: ...

    def pick(self, passage_id: str, lang: str = "fr", question: str = "", *, platform: str,
             channel_kind: str) -> Answer: ...

    def help(self, lang: str = "fr") -> Answer: ...

    def topics(self, lang: str = "fr") -> tuple[str, ...]: ...

    def complete(self, text: str, limit: int = 25) -> list[Suggestion]: ...

    def vote(self, answer_id: str, passage_id: str, *, user_id: str, value: int, platform: str) -> None: ...


@dataclass(frozen=True)
class Notice:
    """A short message about the bot itself rather than an answer: ``apology`` or ``cooldown``."""

    kind: str
    lang: str
    values: dict[str, float] = field(default_factory=dict)


def notice_text(notice: Notice) -> str:
    """The notice's sentence in its language (French when the language is unknown)."""
    return NOTICES.get(notice.lang, NOTICES["fr"])[notice.kind].format(**notice.values)


@dataclass(frozen=True)
class Reply:
    """What to say, platform-neutral: an answer with its next steps, or a notice, or nothing (``quiet``).

    Each part is rendered once: ``answer.text`` (and ``answer.items``), ``suggestions`` ("did you mean"),
    ``prompts`` (next steps), ``feedback`` (what 👍 / 👎 vote on).
    """

    answer: Answer | None = None
    prompts: tuple[Prompt, ...] = ()
    notice: Notice | None = None
    quiet: bool = False
    """Over the cooldown and already told: a platform that may stay silent says nothing."""

    @property
    def suggestions(self) -> tuple[Suggestion, ...]:
        return self.answer.suggestions if self.answer else ()

    @property
    def feedback(self) -> tuple[str, str] | None:
        """(answer id, passage id) when the reply can be voted on: a recorded answer."""
        a = self.answer
        return (a.answer_id, a.passage_id) if a and a.matched and a.answer_id and a.passage_id else None


class Conversation:
    """The chat policy over one assistant. ``cooldown`` (None: no limit) and ``memory`` (the contexts of
    follow-ups: by default in the assistant's shared ``contexts`` store when it has one, else in memory) are
    injected; one instance serves one platform."""

    def __init__(self, assistant: Assistant, *, cooldown: Cooldown | None = None, memory: Memory | None = None):
        self.assistant = assistant
        self.cooldown = cooldown
        self.memory = memory or Memory(getattr(assistant, "contexts", None))

    # -- what the platforms call ------------------------------------------------------------------

    def ask(self, question: str, where: Where, *, logger: logging.Logger = log) -> Reply:
        """Answer a message: a follow-up of the last answer here, or a question of its own."""
        lang = where_lang(where, question)
        return self._guarded(lambda: self._ask(question, where), where, lang, logger)

    def command(self, text: str, where: Where, *, logger: logging.Logger = log) -> Reply:
        """Answer a command (``/cto``): empty or a help word lists the topics, else it is a question."""
        key = text.strip().lower()
        if key and key not in HELP_WORDS:
            return self.ask(text, where, logger=logger)
        lang = HELP_WORDS.get(key) or where_lang(where, "")
        return self._guarded(lambda: Reply(self.assistant.help(lang)), where, lang, logger)

    def pick(self, passage_id: str, lang: str, where: Where, *, question: str = "",
             logger: logging.Logger = log) -> Reply:
        """Answer the "did you mean" suggestion someone picked; recorded as a pick for their question (given,
        else the one this conversation remembers)."""
        def answer() -> Reply:
            offers = [self.memory.recall(where), self.memory.recall(replace(where, user=""))]
            asked = question or next((c.question for c in offers if c and passage_id in c.offered), "")
            found = self.assistant.pick(passage_id, lang, asked, platform=where.platform,
                                        channel_kind=where.channel_kind)
            return self._answered(found, where, asked or found.question, turns=0)

        return self._guarded(answer, where, lang, logger)

    def follow(self, passage_id: str, lang: str, where: Where, *, logger: logging.Logger = log) -> Reply:
        """Answer a next step someone picked under an answer."""
        def answer() -> Reply:
            context = self.memory.recall(where)
            found = self.assistant.answer_passage(passage_id, lang, platform=where.platform,
                                                  channel_kind=where.channel_kind)
            return self._answered(found, where, context.question if context else found.question,
                                  turns=context.turns + 1 if context else 0)

        return self._guarded(answer, where, lang, logger)

    def vote(self, answer_id: str, passage_id: str, *, user_id: str, value: int, platform: str) -> None:
        self.assistant.vote(answer_id, passage_id, user_id=user_id, value=value, platform=platform)

    def help(self, lang: str = "fr") -> Answer:
        return self.assistant.help(lang)

    def topics(self, lang: str = "fr") -> tuple[str, ...]:
        return self.assistant.topics(lang)

    def complete(self, text: str, limit: int = 25) -> list[Suggestion]:
        return self.assistant.complete(text, limit)

    # -- policy -----------------------------------------------------------------------------------

    def _guarded(self, compute: Callable[[], Reply], where: Where, lang: str, logger: logging.Logger) -> Reply:
        """Apply the cooldown, then compute the reply; an apology in ``lang`` if it fails."""
        if self.cooldown is not None:
            decision = self.cooldown.check((where.platform, where.workspace, where.user))
            if decision.verdict is not Verdict.ANSWER:
                values = {"rate": float(self.cooldown.rate), "per": self.cooldown.per,
                          "retry": max(1.0, decision.retry_after)}
                return Reply(notice=Notice("cooldown", lang, values), quiet=decision.verdict is Verdict.QUIET)
        try:
            return compute()
        except Exception:
            logger.exception("could not answer; replying with an apology")
            return Reply(notice=Notice("apology", lang))

    def _ask(self, question: str, where: Where) -> Reply:
        context = self.memory.recall(where)
        follow = follow_up_of(question) if context is not None else None
        if follow is not None and not (context and context.passage_id) and follow.kind != "language":
            follow = None  # after a decline or a suggestion, only "in English please" still refers to it
        if context is not None and follow is not None:
            answer = self._follow_up(follow, question, context, where)
            if answer is not None:
                return self._answered(answer, where, context.question, turns=context.turns + 1)
        answer = self.assistant.ask(question, platform=where.platform, channel_kind=where.channel_kind)
        if answer.outcome is Outcome.SMALLTALK and context is not None:
            return Reply(answer)  # "merci", "bonjour": the conversation goes on where it was
        return self._answered(answer, where, answer.question, turns=0)

    def _follow_up(self, follow: FollowUp, question: str, context: Context, where: Where) -> Answer | None:
        """The answer to a follow-up of ``context``'s answer, or None when it leads nowhere."""
        knowledge = self.assistant.engine.knowledge
        passage_id = context.passage_id or ""
        platform, kind = where.platform, where.channel_kind
        if follow.kind == "language":
            if not passage_id:  # the decline or the suggestions again, in that language
                return self.assistant.ask(context.question, lang=follow.lang, platform=platform, channel_kind=kind)
            return self.assistant.answer_passage(passage_id, follow.lang, context.question, platform=platform,
                                                 channel_kind=kind)
        if follow.kind in ("more", "why", "refers", "item"):  # "and how do I get them?": what follows, like "more"
            target = (why_of(knowledge, passage_id) if follow.kind == "why" else
                      item_of(knowledge, passage_id, follow.index) if follow.kind == "item" else
                      more_after(knowledge, passage_id))
            lang = detect_language(question, default=context.lang)
            if target is None:  # nothing more, no reason given, no such item: say so rather than start afresh
                return self.assistant.decline(question, lang, platform=platform, channel_kind=kind)
            return self.assistant.answer_passage(target, lang, question, platform=platform, channel_kind=kind)
        focus = focus_of(knowledge, passage_id)
        engine = self.assistant.engine
        draft = engine.ask(question, focus=focus) if accepts(engine, "focus") else engine.ask(question)  # type: ignore[call-arg]
        preferred = in_focus(draft, focus, engine.thresholds.suggest)
        if preferred is None or preferred == draft.passage_id:
            return self.assistant.ask(question, focus=focus, platform=platform, channel_kind=kind)
        return self.assistant.answer_passage(preferred, draft.lang, question, platform=platform, channel_kind=kind)

    def _answered(self, answer: Answer, where: Where, question: str, *, turns: int) -> Reply:
        """Remember ``answer`` as this conversation's context, and offer its next steps."""
        matched = answer.passage_id if answer.matched else None
        offered = tuple(s.passage_id for s in answer.suggestions)
        self.memory.remember(where, Context(matched, answer.lang, question, offered, turns))
        if offered:  # anyone here may click a suggestion: the pick is recorded against this question
            self.memory.remember(replace(where, user=""), Context(None, answer.lang, question, offered))
        if matched is None:
            return Reply(answer)
        return Reply(answer, prompts_for(self.assistant.engine.knowledge, matched, answer.lang))


def in_focus(answer: Answer, focus: Sequence[str], least: float) -> str | None:
    """The passage a short follow-up means: the engine's best candidate within ``focus`` (the last answer's
    section), when it scores at least ``least`` and within ``FOCUS_MARGIN`` of the best candidate overall."""
    if answer.outcome not in (Outcome.ANSWER, Outcome.SUGGEST) or not answer.candidates:
        return None
    best = answer.candidates[0].score
    close = [c for c in answer.candidates if c.passage_id in focus and c.score >= least
             and best - c.score <= FOCUS_MARGIN]
    return close[0].passage_id if close else None


def where_lang(where: Where, text: str) -> str:
    """The language to speak to someone in: the one their platform tells, else their message's."""
    return where.lang or detect_language(text)

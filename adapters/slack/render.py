"""Render the engine's neutral answers as Slack messages: Block Kit blocks and a plain ``text`` fallback.

Every text that comes from a user or from the knowledge goes through ``mrkdwn.escape``.
``answer_blocks`` is the one place that lays out an answer, 👍 / 👎 buttons included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from adapters.slack.mrkdwn import chunks, escape, truncate
from bot.core.answer import Answer, Outcome
from bot.service.conversation import Reply, notice_text
from bot.service.followups import Prompt

Block = dict[str, Any]

SECTION_LIMIT = 3000
"""Slack's limit on a section block's text."""
BUTTON_LIMIT = 75
"""Slack's limit on a button's label."""
FALLBACK_LIMIT = 3000
"""How much of the reply goes into the notification text (Slack allows more; nobody reads it)."""
MAX_SECTIONS = 40
"""A message holds at most 50 blocks; the answer's sections stop well before."""
EMPTY = "…"
"""Shown for an empty text: Slack refuses empty texts."""
VALUE_LIMIT = 2000
"""Slack's limit on a button's ``value``."""
SUGGESTION_ACTION = "suggestion"
"""Prefix of the suggestion buttons' ``action_id`` (``suggestion-0``, ``suggestion-1``...)."""
FOLLOWUP_ACTION = "followup"
"""Prefix of the next-step buttons' ``action_id`` (``followup-0``...); their value is a ``SuggestionChoice``."""
FEEDBACK_ACTION = "feedback"
"""Prefix of the feedback buttons' ``action_id``: ``feedback-up`` (👍) and ``feedback-down`` (👎)."""
VOTES = {f"{FEEDBACK_ACTION}-up": 1, f"{FEEDBACK_ACTION}-down": -1}
"""The vote each feedback button's ``action_id`` stands for."""

LABELS = {
    "fr": {"source": "Source", "confidence": "confiance", "you": "Vous", "percent": " %",
           "helpful": "Cette réponse m’a aidé", "unhelpful": "Cette réponse ne m’a pas aidé",
           "thanks": "Merci pour votre retour {emoji} ! Cliquez sur l’autre bouton pour changer d’avis."},
    "en": {"source": "Source", "confidence": "confidence", "you": "You", "percent": "%",
           "helpful": "This answer helped", "unhelpful": "This answer did not help",
           "thanks": "Thanks for your feedback {emoji}! Click the other button to change your vote."},
}
EMOJIS = {1: "👍", -1: "👎"}
APOLOGY = ("Désolé, une erreur de mon côté m’a empêché de répondre ; réessayez dans un instant. "
           "(Sorry, something went wrong on my side; please try again shortly.)")


@dataclass(frozen=True)
class Message:
    """What to send to Slack: ``text`` for notifications, ``blocks`` for display."""

    text: str
    blocks: list[Block]

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``chat.postMessage``, ``say`` or ``respond``."""
        return {"text": self.text, "blocks": self.blocks}


@dataclass(frozen=True)
class SuggestionChoice:
    """What a suggestion (or next-step) button carries: the passage to answer with, in the asker's language."""

    passage_id: str
    lang: str

    def encode(self) -> str:
        return json.dumps({"passage": self.passage_id, "lang": self.lang}, separators=(",", ":"))

    @classmethod
    def decode(cls, value: str) -> SuggestionChoice:
        """The choice in a button's ``value``; raises ValueError when it is not one of ours."""
        try:
            data = json.loads(value)
            return cls(passage_id=str(data["passage"]), lang=str(data["lang"]))
        except (TypeError, KeyError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a suggestion button value: {value!r}") from error


@dataclass(frozen=True)
class FeedbackChoice:
    """What a 👍 / 👎 button carries: the answer voted on, its passage, and the language to thank in."""

    answer_id: str
    passage_id: str
    lang: str

    def encode(self) -> str:
        """A compact JSON value, well within Slack's 2,000 characters (ids are capped as the store caps them)."""
        return json.dumps({"answer": self.answer_id[:64], "passage": self.passage_id[:200], "lang": self.lang},
                          separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, value: str) -> FeedbackChoice:
        """The choice in a button's ``value``; raises ValueError when it is not one of ours."""
        try:
            data = json.loads(value)
            return cls(answer_id=str(data["answer"]), passage_id=str(data["passage"]), lang=str(data["lang"]))
        except (TypeError, KeyError, json.JSONDecodeError) as error:
            raise ValueError(f"not a feedback button value: {value!r}") from error


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["fr"])


def reply_message(reply: Reply, *, echo_question: bool = False) -> Message:
    """The Slack message for the conversation's ``reply``: an answer with its next steps, or a notice."""
    if reply.notice is not None:
        return apology() if reply.notice.kind == "apology" else notice(notice_text(reply.notice))
    if reply.answer is None:
        return apology()
    return answer_message(reply.answer, echo_question=echo_question, prompts=reply.prompts)


def answer_message(answer: Answer, *, echo_question: bool = False, prompts: tuple[Prompt, ...] = ()) -> Message:
    """The Slack message for ``answer``; ``echo_question`` quotes the question first (for /cto)."""
    blocks = answer_blocks(answer, prompts)
    if echo_question and answer.question:
        you = labels(answer.lang)["you"]
        quote = truncate(escape(answer.question), SECTION_LIMIT - len(you) - 10)
        blocks.insert(0, context_block(f"*{you} :* {quote}" if answer.lang == "fr" else f"*{you}:* {quote}"))
    return Message(text=truncate(escape(answer.text.strip()), FALLBACK_LIMIT) or EMPTY, blocks=blocks)


def answer_blocks(answer: Answer, prompts: tuple[Prompt, ...] = ()) -> list[Block]:
    """The blocks for ``answer``: its text, then where it comes from and 👍 / 👎, then "did you mean"
    buttons, then its next steps.

    Only a recorded answer (one with an ``answer_id``) gets 👍 / 👎: a vote needs an answer to refer to.
    """
    blocks = text_blocks(answer.text)
    if answer.outcome is Outcome.ANSWER:
        blocks.append(context_block(source_line(answer)))
        if answer.answer_id:
            blocks.append(feedback_buttons(answer))
    if answer.suggestions:
        blocks.append(suggestion_buttons(answer))
    if prompts:
        blocks.append(followup_buttons(prompts))
    return blocks


def text_blocks(text: str) -> list[Block]:
    """Section blocks holding ``text``, escaped, each within Slack's 3,000 characters."""
    pieces = chunks(escape(text), SECTION_LIMIT) or [EMPTY]
    if len(pieces) > MAX_SECTIONS:
        pieces = pieces[: MAX_SECTIONS - 1] + [truncate(pieces[MAX_SECTIONS - 1], SECTION_LIMIT - 1) + "…"]
    return [{"type": "section", "text": _mrkdwn(piece)} for piece in pieces]


def context_block(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(truncate(mrkdwn, SECTION_LIMIT))]}


def _mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object; ``verbatim`` stops Slack from turning bare names or ``@here`` into links."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def source_line(answer: Answer) -> str:
    """``Source : <section> · confiance 87 %``, in the answer's language."""
    words = labels(answer.lang)
    colon = " :" if answer.lang == "fr" else ":"
    section = escape(answer.section or "")
    return (f"{words['source']}{colon} _{section}_ · {words['confidence']}{colon} "
            f"{round(answer.score)}{words['percent']}")


def suggestion_buttons(answer: Answer) -> Block:
    """An actions block with one button per suggestion; a click answers with that passage."""
    return _buttons("suggestions", SUGGESTION_ACTION,
                    [(s.question, SuggestionChoice(s.passage_id, answer.lang)) for s in answer.suggestions])


def followup_buttons(prompts: tuple[Prompt, ...]) -> Block:
    """An actions block with one button per next step; a click answers with that passage."""
    return _buttons("followups", FOLLOWUP_ACTION, [(p.label, SuggestionChoice(p.passage_id, p.lang)) for p in prompts])


def _buttons(block_id: str, action: str, choices: list[tuple[str, SuggestionChoice]]) -> Block:
    """An actions block of at most five buttons, each a label and the passage a click answers with."""
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            {
                "type": "button",
                "action_id": f"{action}-{i}",
                "text": {"type": "plain_text", "text": _label(label), "emoji": False},
                "value": choice.encode(),
            }
            for i, (label, choice) in enumerate(choices[:5])
        ],
    }


def feedback_buttons(answer: Answer) -> Block:
    """An actions block with 👍 and 👎; a click records a vote on this answer."""
    value = FeedbackChoice(answer.answer_id or "", answer.passage_id or "", answer.lang).encode()
    words = labels(answer.lang)
    return {
        "type": "actions",
        "block_id": FEEDBACK_ACTION,
        "elements": [
            {
                "type": "button",
                "action_id": action_id,
                "text": {"type": "plain_text", "text": EMOJIS[vote], "emoji": True},
                "accessibility_label": words["helpful" if vote > 0 else "unhelpful"],
                "value": value,
            }
            for action_id, vote in VOTES.items()
        ],
    }


def thanks(lang: str, vote: int) -> Message:
    """The note only the voter sees once their vote is recorded."""
    text = labels(lang)["thanks"].format(emoji=EMOJIS[1 if vote > 0 else -1])
    return Message(text=text, blocks=[context_block(text)])


def _label(question: str) -> str:
    return truncate(escape(" ".join(question.split()) or "?"), BUTTON_LIMIT)


def notice(text: str) -> Message:
    """A short note about the bot itself (the cooldown), shown to the person only."""
    return Message(text=text, blocks=[context_block(escape(text))])


def apology() -> Message:
    """The short reply, in both languages, when answering failed."""
    return Message(text=APOLOGY, blocks=text_blocks(APOLOGY))

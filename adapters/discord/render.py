"""Turn the engine's neutral Answer into a Discord reply: an embed, and buttons in a view.

Nothing here calls the engine or the network. Buttons are dynamic items: their ``custom_id`` carries
everything needed to act on a click, so they keep working after a restart. There are three kinds: "did you
mean" suggestions (``PassageButton``), next steps under an answer (``NextButton``) and 👍 / 👎 votes on an
answer (``VoteButton``). To add a kind, write a DynamicItem, have ``buttons`` add it, and list it in
``DYNAMIC_ITEMS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from bot.core.answer import Answer, Outcome
from bot.service.conversation import NOTICES
from bot.service.conversation import Reply as Said
from bot.service.followups import Prompt

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
CHOICE_LIMIT = 25
CHOICE_NAME_LIMIT = 100

NO_MENTIONS = discord.AllowedMentions.none()
"""Every message is sent with this: nothing in a question or in the knowledge ever notifies anyone."""

COLOURS = {
    Outcome.ANSWER: discord.Colour.green(),
    Outcome.SUGGEST: discord.Colour.gold(),
    Outcome.DECLINE: discord.Colour.light_grey(),
    Outcome.SMALLTALK: discord.Colour.blurple(),
}

WORDS = {
    "fr": {
        "source": "Source",
        "confidence": "confiance",
        "original": "Texte original",
        **NOTICES["fr"],
        "thanks_up": "Merci pour votre retour 👍 ! Cliquez sur 👎 si vous changez d'avis.",
        "thanks_down": "Merci pour votre retour 👎 ! Cliquez sur 👍 si vous changez d'avis.",
    },
    "en": {
        "source": "Source",
        "confidence": "confidence",
        "original": "Original text",
        **NOTICES["en"],
        "thanks_up": "Thanks for your feedback 👍! Click 👎 if you change your mind.",
        "thanks_down": "Thanks for your feedback 👎! Click 👍 if you change your mind.",
    },
}


@dataclass(frozen=True)
class Reply:
    """What to send: keyword arguments for ``Messageable.send``, ``Message.reply`` and ``send_message``."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    ephemeral: bool = False

    def kwargs(self, *, interaction: bool = False) -> dict[str, Any]:
        """The arguments, leaving out what is not set (``send_message`` rejects ``view=None``)."""
        sent: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if self.content is not None:
            sent["content"] = self.content
        if self.embed is not None:
            sent["embed"] = self.embed
        if self.view is not None:
            sent["view"] = self.view
        if interaction and self.ephemeral:
            sent["ephemeral"] = True
        return sent


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut.

    >>> clip("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["fr"])


def render_reply(said: Said) -> Reply:
    """The Discord reply for what the conversation said: an answer with its next steps, or a notice."""
    if said.notice is not None:
        return notice(said.notice.kind, said.notice.lang, **said.notice.values)
    if said.answer is None:
        return notice("apology", "fr")
    return render(said.answer, said.prompts)


def render(answer: Answer, prompts: tuple[Prompt, ...] = ()) -> Reply:
    """An embed for ``answer`` (section as title, the answer, source and confidence as footer), buttons."""
    embed = discord.Embed(description=clip(discord.utils.escape_markdown(answer.text), DESCRIPTION_LIMIT),
                          colour=COLOURS[answer.outcome])
    label = words(answer.lang)
    if answer.outcome is Outcome.ANSWER:
        if answer.section:
            embed.title = clip(answer.section, TITLE_LIMIT)
        if answer.source and answer.source != answer.text:
            embed.add_field(name=label["original"],
                            value=clip(discord.utils.escape_markdown(answer.source), FIELD_VALUE_LIMIT))
        footer = f"{label['source']} : {answer.passage_id} · {label['confidence']} {answer.score:.0f} %"
        embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    return Reply(embed=embed, view=view_of(buttons(answer, prompts)))


def notice(kind: str, lang: str, **values: float) -> Reply:
    """A short private message of ``kind`` ("apology", "cooldown", "thanks_up", "thanks_down") in ``lang``."""
    return Reply(content=clip(words(lang)[kind].format(**values), CONTENT_LIMIT), ephemeral=True)


def buttons(answer: Answer, prompts: tuple[Prompt, ...] = ()) -> list[discord.ui.Item[Any]]:
    """The buttons under ``answer``: one per "did you mean" suggestion, one per next step; 👍 / 👎 under a
    recorded answer (one with an ``answer_id``), on a row of their own."""
    found: list[discord.ui.Item[Any]] = []
    for suggestion in answer.suggestions[:5]:
        if PassageButton.fits(suggestion.passage_id, answer.lang):
            found.append(PassageButton(suggestion.passage_id, answer.lang, suggestion.question))
    for prompt in prompts[: 5 - len(found)]:
        if NextButton.fits(prompt.passage_id, prompt.lang):
            found.append(NextButton(prompt.passage_id, prompt.lang, prompt.label))
    if answer.matched and answer.answer_id and answer.passage_id:
        if VoteButton.fits(answer.answer_id, answer.passage_id):
            row = 1 if found else None
            found += [VoteButton(direction, answer.answer_id, answer.passage_id, row=row) for direction in VOTES]
    return found


def view_of(items: list[discord.ui.Item[Any]]) -> discord.ui.View | None:
    """A view holding ``items``, or None. No timeout: dynamic items are not kept in memory after sending."""
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


class SuggestionHandler(Protocol):
    """The client, as far as a suggestion button needs it."""

    async def answer_suggestion(self, interaction: discord.Interaction[Any], passage_id: str,
                                lang: str) -> None: ...


class _PassageChoice:
    """What a button that answers with a passage needs, whatever its kind: its id and language in the
    ``custom_id`` (so that a click works even after a restart), and a label within Discord's limit."""

    PREFIX = ""
    STYLE = discord.ButtonStyle.secondary
    __discord_ui_compiled_template__: re.Pattern[str]

    def __init__(self, passage_id: str, lang: str, label: str = "…"):
        super().__init__(discord.ui.Button(label=clip(label, LABEL_LIMIT) or "…",  # type: ignore[call-arg]  # the DynamicItem it is mixed into
                                           style=self.STYLE, custom_id=self.custom_id_for(passage_id, lang)))
        self.passage_id = passage_id
        self.lang = lang

    @classmethod
    def custom_id_for(cls, passage_id: str, lang: str) -> str:
        return f"{cls.PREFIX}:{passage_id}:{lang}"

    @classmethod
    def fits(cls, passage_id: str, lang: str) -> bool:
        """Whether a button for ``passage_id`` can exist: an id without ':' and a short enough custom_id."""
        custom_id = cls.custom_id_for(passage_id, lang)
        pattern = cls.__discord_ui_compiled_template__
        return len(custom_id) <= CUSTOM_ID_LIMIT and pattern.fullmatch(custom_id) is not None

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Any:
        return cls(match["passage_id"], match["lang"], getattr(item, "label", None) or "…")


class PassageButton(_PassageChoice, discord.ui.DynamicItem[discord.ui.Button[Any]],
                    template=r"cto:passage:(?P<passage_id>[^:]+):(?P<lang>[a-z]{2})"):
    """A "did you mean" button; a click answers with its passage, even after a restart."""

    PREFIX = "cto:passage"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: SuggestionHandler = interaction.client
        await handler.answer_suggestion(interaction, self.passage_id, self.lang)


class NextHandler(Protocol):
    """The client, as far as a next-step button needs it."""

    async def answer_next(self, interaction: discord.Interaction[Any], passage_id: str, lang: str) -> None: ...


class NextButton(_PassageChoice, discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=r"cto:next:(?P<passage_id>[^:]+):(?P<lang>[a-z]{2})"):
    """A next step under an answer ("the whole list", an item, a neighbouring section); a click answers with
    its passage, even after a restart.

    >>> NextButton.custom_id_for("missions-budget", "en")
    'cto:next:missions-budget:en'
    """

    PREFIX = "cto:next"
    STYLE = discord.ButtonStyle.primary

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: NextHandler = interaction.client
        await handler.answer_next(interaction, self.passage_id, self.lang)


VOTES = {"up": 1, "down": -1}
"""A vote button's direction in its ``custom_id``, and the vote it records."""
VOTE_EMOJI = {"up": "👍", "down": "👎"}


class VoteHandler(Protocol):
    """The client, as far as a vote button needs it."""

    async def record_vote(self, interaction: discord.Interaction[Any], answer_id: str, passage_id: str,
                          value: int) -> None: ...


VOTE_TEMPLATE = r"cto:vote:(?P<direction>up|down):(?P<answer_id>[0-9A-Za-z_-]{1,64}):(?P<passage_id>[^:]+)"


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_TEMPLATE):
    """👍 or 👎 under an answer; a click records a vote on it, even after a restart.

    >>> VoteButton.custom_id_for("down", "0123abcd", "salary-range")
    'cto:vote:down:0123abcd:salary-range'
    """

    def __init__(self, direction: str, answer_id: str, passage_id: str, *, row: int | None = None):
        super().__init__(discord.ui.Button(emoji=VOTE_EMOJI[direction], style=discord.ButtonStyle.secondary,
                                           custom_id=self.custom_id_for(direction, answer_id, passage_id)),
                         row=row)
        self.direction = direction
        self.answer_id = answer_id
        self.passage_id = passage_id

    @staticmethod
    def custom_id_for(direction: str, answer_id: str, passage_id: str) -> str:
        return f"cto:vote:{direction}:{answer_id}:{passage_id}"

    @classmethod
    def fits(cls, answer_id: str, passage_id: str) -> bool:
        """Whether vote buttons can carry these ids: no ':' in them, and a ``custom_id`` of 100 characters at
        most (a 32-character answer id leaves 53 for the passage id). Ids are never cut: a vote must name
        the passage it is about."""
        pattern = cls.__discord_ui_compiled_template__
        return all(len(custom_id) <= CUSTOM_ID_LIMIT and pattern.fullmatch(custom_id) is not None
                   for custom_id in (cls.custom_id_for(d, answer_id, passage_id) for d in VOTES))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> VoteButton:
        return cls(match["direction"], match["answer_id"], match["passage_id"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: VoteHandler = interaction.client
        await handler.record_vote(interaction, self.answer_id, self.passage_id, VOTES[self.direction])


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PassageButton, NextButton, VoteButton)
"""Every kind of button the bot sends; the client registers them at start-up so old messages keep working."""

"""The Slack app: mentions, direct messages, ``/cto`` and suggestion clicks become questions for the assistant,
and 👍 / 👎 clicks become votes on its answers.

``build_app`` wires the listeners onto a Bolt ``App``; the same app serves Socket Mode and HTTP.
Every listener acknowledges first, then answers, and answers with an apology if answering fails.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.mrkdwn import plain_text
from adapters.slack.redelivery import SeenIds, retry_number
from adapters.slack.render import (
    FEEDBACK_ACTION,
    SUGGESTION_ACTION,
    VOTES,
    FeedbackChoice,
    Message,
    SuggestionChoice,
    answer_message,
    apology,
    thanks,
)
from bot.core.answer import Answer

COMMAND = "/cto"
HELP_WORDS = {"": "fr", "help": "en", "aide": "fr", "?": "fr"}
"""``/cto`` texts that ask for the list of topics, and the language to list them in."""
PLATFORM = "slack"

log = logging.getLogger(__name__)


class Assistant(Protocol):
    """What the Slack adapter needs from the assistant (``bot.service.assistant.Assistant``)."""

    def ask(self, question: str, *, platform: str, channel_kind: str) -> Answer: ...

    def answer_passage(self, passage_id: str, lang: str = "fr", question: str = "", *, platform: str,
                       channel_kind: str) -> Answer: ...

    def help(self, lang: str = "fr") -> Answer: ...

    def vote(self, answer_id: str, passage_id: str, *, user_id: str, value: int, platform: str) -> None: ...


def build_app(assistant: Assistant, *, token: str | None = None, signing_secret: str = "",
              client: WebClient | None = None, process_before_response: bool = False,
              logger: logging.Logger | None = None) -> App:
    """A Bolt app that answers with ``assistant``; calls ``auth.test`` once to learn who it is.

    Pass ``client`` to talk to another Web API (a fake one in tests); else ``token`` is required.
    ``signing_secret`` is needed over HTTP only. ``process_before_response`` makes an HTTP response
    wait for the listener (deterministic tests); keep it False in production so Slack gets its ack at once.
    """
    web_api: dict[str, Any] = {"client": client} if client else {"token": token}
    app = App(**web_api, signing_secret=signing_secret, process_before_response=process_before_response,
              logger=logger)
    app.use(skip_redeliveries(SeenIds()))
    Listeners(assistant).register(app)
    return app


def skip_redeliveries(seen: SeenIds) -> Callable[..., BoltResponse | None]:
    """A Bolt middleware that acknowledges a redelivered event without handling it again."""

    def middleware(req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = req.body.get("event_id")
        retry = retry_number(req.headers)
        if retry >= 1 or (isinstance(event_id, str) and not seen.first_time(event_id)):
            log.info("Skipping a redelivery (event_id %s, retry %d)", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()

    return middleware


def is_question_in_dm(event: dict[str, Any]) -> bool:
    """True for a person's new message in a direct message: not a bot's, not an edit or a deletion."""
    return (event.get("channel_type") == "im" and "subtype" not in event and not event.get("bot_id")
            and bool(event.get("user")))


@dataclass(frozen=True)
class Click:
    """Where a button was clicked, and by whom."""

    user_id: str
    channel: str | None
    """None when the button was in a message only the clicker sees (a ``/cto`` reply): answer through
    the ``response_url``."""
    thread_ts: str | None

    @classmethod
    def of(cls, body: dict[str, Any]) -> Click:
        container = body.get("container", {})
        message = body.get("message")
        user_id = str(body.get("user", {}).get("id", ""))
        if container.get("is_ephemeral") or message is None:
            return cls(user_id, None, None)
        channel = container.get("channel_id") or body["channel"]["id"]
        return cls(user_id, channel, message.get("thread_ts") or container.get("thread_ts"))

    @property
    def channel_kind(self) -> str:
        """``command`` for a ``/cto`` reply, ``dm`` in a direct message, else ``thread`` (where the bot
        answers in channels)."""
        if self.channel is None:
            return "command"
        return "dm" if self.channel.startswith("D") else "thread"


class Listeners:
    """The app's listeners, over one assistant.

    ``channel_kind`` says where the answer appears: ``thread`` (mentions: the bot replies in a thread),
    ``dm``, or ``command`` (``/cto``, seen by the asker only); never a channel's name or id.
    """

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    def register(self, app: App) -> None:
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command(COMMAND)(self.on_command)
        app.action(re.compile(rf"^{SUGGESTION_ACTION}-\d+$"))(self.on_suggestion)
        app.action(re.compile(rf"^{FEEDBACK_ACTION}-(up|down)$"))(self.on_feedback)

    def on_mention(self, event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """Answer a mention in the thread of the message that mentions the bot."""
        question = plain_text(event.get("text", ""))
        thread_ts = event.get("thread_ts") or event["ts"]
        reply(lambda: self.assistant.ask(question, platform=PLATFORM, channel_kind="thread"), logger=logger,
              post=lambda m: client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts,
                                                     unfurl_links=False, **m.as_kwargs()))

    def on_message(self, event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """Answer a person's direct message in the DM (in its thread, if it is in one)."""
        if not is_question_in_dm(event):
            return
        question = plain_text(event.get("text", ""))
        reply(lambda: self.assistant.ask(question, platform=PLATFORM, channel_kind="dm"), logger=logger,
              post=lambda m: client.chat_postMessage(channel=event["channel"], unfurl_links=False,
                                                     thread_ts=event.get("thread_ts"), **m.as_kwargs()))

    def on_command(self, ack: Callable[..., None], command: dict[str, Any], respond: Callable[..., Any],
                   logger: logging.Logger) -> None:
        """Answer ``/cto QUESTION`` to the asker only; ``/cto`` alone or ``/cto help`` lists the topics."""
        ack()
        question = plain_text(command.get("text", ""))
        help_lang = HELP_WORDS.get(question.lower())

        def answer() -> Answer:
            if help_lang:
                return self.assistant.help(help_lang)
            return self.assistant.ask(question, platform=PLATFORM, channel_kind="command")

        reply(answer, logger=logger, echo_question=True,
              post=lambda m: respond(response_type="ephemeral", **m.as_kwargs()))

    def on_suggestion(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                      client: WebClient, respond: Callable[..., Any], logger: logging.Logger) -> None:
        """Answer the suggestion someone clicked, where the button was."""
        ack()
        click = Click.of(body)

        def answer() -> Answer:
            choice = SuggestionChoice.decode(action.get("value", ""))
            return self.assistant.answer_passage(choice.passage_id, choice.lang, platform=PLATFORM,
                                                 channel_kind=click.channel_kind)

        reply(answer, logger=logger, post=lambda m: self._post(click, m, client, respond, public=True))

    def on_feedback(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                    client: WebClient, respond: Callable[..., Any], logger: logging.Logger) -> None:
        """Record a 👍 or 👎 on an answer, and thank the voter where only they see it.

        A later click by the same person replaces their vote (the store keeps one per person and answer).
        """
        ack()
        click = Click.of(body)
        try:
            choice = FeedbackChoice.decode(action.get("value", ""))
            vote = VOTES[action["action_id"]]
            self.assistant.vote(choice.answer_id, choice.passage_id, user_id=click.user_id, value=vote,
                                platform=PLATFORM)
            message = thanks(choice.lang, vote)
        except Exception:
            logger.exception("Could not record a vote; telling the voter")
            message = apology()
        try:
            self._post(click, message, client, respond, public=False)
        except SlackApiError:
            logger.warning("Slack refused the reply to a vote click", exc_info=True)

    @staticmethod
    def _post(click: Click, message: Message, client: WebClient, respond: Callable[..., Any], *,
              public: bool) -> None:
        """Send ``message`` next to the clicked button: in its thread, to everyone or (not ``public``) to the
        clicker only; a ``/cto`` reply's buttons get their reply through the ``response_url``, to the clicker."""
        if click.channel is None:
            respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())
        elif public:
            client.chat_postMessage(channel=click.channel, thread_ts=click.thread_ts, unfurl_links=False,
                                    **message.as_kwargs())
        else:
            client.chat_postEphemeral(channel=click.channel, user=click.user_id, thread_ts=click.thread_ts,
                                      **message.as_kwargs())


def reply(answer: Callable[[], Answer], *, post: Callable[[Message], Any], logger: logging.Logger,
          echo_question: bool = False) -> None:
    """Post the rendered answer; if answering or posting fails, log the traceback and post an apology."""
    try:
        message = answer_message(answer(), echo_question=echo_question)
    except Exception:
        logger.exception("Could not answer; replying with an apology")
        message = apology()
    try:
        post(message)
    except SlackApiError:
        if message == apology():
            raise
        logger.exception("Slack refused the answer; replying with an apology")
        post(apology())

"""The Slack app: mentions, direct messages, ``/cto`` and suggestion clicks become questions for the engine.

``build_app`` wires the listeners onto a Bolt ``App``; the same app serves Socket Mode and HTTP.
Every listener acknowledges first, then answers, and answers with an apology if answering fails.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.mrkdwn import plain_text
from adapters.slack.redelivery import SeenIds, retry_number
from adapters.slack.render import SUGGESTION_ACTION, Message, SuggestionChoice, answer_message, apology
from bot.answer import Answer

COMMAND = "/cto"
HELP_WORDS = {"": "fr", "help": "en", "aide": "fr", "?": "fr"}
"""``/cto`` texts that ask for the list of topics, and the language to list them in."""

log = logging.getLogger(__name__)


class Engine(Protocol):
    """What the Slack adapter needs from the engine."""

    def ask(self, question: str) -> Answer: ...

    def answer_passage(self, passage_id: str, lang: str = "fr") -> Answer: ...

    def help(self, lang: str = "fr") -> Answer: ...


def build_app(engine: Engine, *, token: str | None = None, signing_secret: str = "",
              client: WebClient | None = None, process_before_response: bool = False,
              logger: logging.Logger | None = None) -> App:
    """A Bolt app that answers with ``engine``; calls ``auth.test`` once to learn who it is.

    Pass ``client`` to talk to another Web API (a fake one in tests); else ``token`` is required.
    ``signing_secret`` is needed over HTTP only. ``process_before_response`` makes an HTTP response
    wait for the listener (deterministic tests); keep it False in production so Slack gets its ack at once.
    """
    web_api: dict[str, Any] = {"client": client} if client else {"token": token}
    app = App(**web_api, signing_secret=signing_secret, process_before_response=process_before_response,
              logger=logger)
    app.use(skip_redeliveries(SeenIds()))
    Listeners(engine).register(app)
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


class Listeners:
    """The app's listeners, over one engine."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def register(self, app: App) -> None:
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command(COMMAND)(self.on_command)
        app.action(re.compile(rf"^{SUGGESTION_ACTION}-\d+$"))(self.on_suggestion)

    def on_mention(self, event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """Answer a mention in the thread of the message that mentions the bot."""
        question = plain_text(event.get("text", ""))
        thread_ts = event.get("thread_ts") or event["ts"]
        reply(lambda: self.engine.ask(question), logger=logger,
              post=lambda m: client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts,
                                                     unfurl_links=False, **m.as_kwargs()))

    def on_message(self, event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """Answer a person's direct message in the DM (in its thread, if it is in one)."""
        if not is_question_in_dm(event):
            return
        question = plain_text(event.get("text", ""))
        reply(lambda: self.engine.ask(question), logger=logger,
              post=lambda m: client.chat_postMessage(channel=event["channel"], unfurl_links=False,
                                                     thread_ts=event.get("thread_ts"), **m.as_kwargs()))

    def on_command(self, ack: Callable[..., None], command: dict[str, Any], respond: Callable[..., Any],
                   logger: logging.Logger) -> None:
        """Answer ``/cto QUESTION`` to the asker only; ``/cto`` alone or ``/cto help`` lists the topics."""
        ack()
        question = plain_text(command.get("text", ""))
        help_lang = HELP_WORDS.get(question.lower())

        def answer() -> Answer:
            return self.engine.help(help_lang) if help_lang else self.engine.ask(question)

        reply(answer, logger=logger, echo_question=True,
              post=lambda m: respond(response_type="ephemeral", **m.as_kwargs()))

    def on_suggestion(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                      client: WebClient, respond: Callable[..., Any], logger: logging.Logger) -> None:
        """Answer the suggestion someone clicked, where the button was."""
        ack()

        def answer() -> Answer:
            choice = SuggestionChoice.decode(action.get("value", ""))
            return self.engine.answer_passage(choice.passage_id, choice.lang)

        container = body.get("container", {})
        message = body.get("message")
        if container.get("is_ephemeral") or message is None:
            reply(answer, logger=logger,
                  post=lambda m: respond(response_type="ephemeral", replace_original=False, **m.as_kwargs()))
            return
        channel = container.get("channel_id") or body["channel"]["id"]
        thread_ts = message.get("thread_ts") or container.get("thread_ts")
        reply(answer, logger=logger,
              post=lambda m: client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False,
                                                     **m.as_kwargs()))


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

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
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.mrkdwn import plain_text
from adapters.slack.redelivery import SeenIds, retry_number
from adapters.slack.render import (
    FEEDBACK_ACTION,
    FOLLOWUP_ACTION,
    SUGGESTION_ACTION,
    VOTES,
    FeedbackChoice,
    Message,
    SuggestionChoice,
    apology,
    reply_message,
    thanks,
)
from bot.service.conversation import Assistant, Conversation, Reply, Where
from bot.service.cooldown import default_cooldown

COMMAND = "/cto"
PLATFORM = "slack"

log = logging.getLogger(__name__)


def build_app(assistant: Assistant | Conversation, *, token: str | None = None, signing_secret: str = "",
              client: WebClient | None = None, process_before_response: bool = False,
              logger: logging.Logger | None = None, seen: SeenIds | None = None) -> App:
    """A Bolt app that answers with ``assistant`` (wrapped in a ``Conversation`` with the default cooldown
    unless it is one); calls ``auth.test`` once to learn who it is.

    Pass ``client`` to talk to another Web API (a fake one in tests); else ``token`` is required.
    ``signing_secret`` is needed over HTTP only. ``process_before_response`` makes an HTTP response
    wait for the listener (deterministic tests); keep it False in production so Slack gets its ack at once.
    ``seen`` remembers the event ids handled (shared between processes when built with a store).
    """
    web_api: dict[str, Any] = {"client": client} if client else {"token": token}
    app = App(**web_api, signing_secret=signing_secret, process_before_response=process_before_response,
              logger=logger)
    app.use(skip_redeliveries(seen or SeenIds()))
    conversation = assistant if isinstance(assistant, Conversation) else Conversation(
        assistant, cooldown=default_cooldown(PLATFORM))
    Listeners(conversation).register(app)
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
    place: str = ""
    """The channel the button is in, even for a ``/cto`` reply: it keys the clicker's conversation."""

    @classmethod
    def of(cls, body: dict[str, Any]) -> Click:
        container = body.get("container", {})
        message = body.get("message")
        user_id = str(body.get("user", {}).get("id", ""))
        place = str(container.get("channel_id") or body.get("channel", {}).get("id") or "")
        if container.get("is_ephemeral") or message is None:
            return cls(user_id, None, None, place)
        channel = container.get("channel_id") or body["channel"]["id"]
        return cls(user_id, channel, message.get("thread_ts") or container.get("thread_ts"), place)

    @property
    def channel_kind(self) -> str:
        """``command`` for a ``/cto`` reply, ``dm`` in a direct message, else ``thread`` (where the bot
        answers in channels)."""
        if self.channel is None:
            return "command"
        return "dm" if self.channel.startswith("D") else "thread"

    def where(self, team_id: str) -> Where:
        """The conversation the click belongs to: the clicker's, in the button's channel and thread."""
        return Where(PLATFORM, self.channel_kind, team_id, self.place, self.thread_ts or "", self.user_id)


class Listeners:
    """The app's listeners: each turns a Slack event into a call on the conversation and posts its reply.

    ``channel_kind`` says where the answer appears: ``thread`` (mentions: the bot replies in a thread),
    ``dm``, or ``command`` (``/cto``, seen by the asker only); never a channel's name or id. A conversation's
    context is keyed by team, channel, thread and user.
    """

    def __init__(self, conversation: Conversation):
        self.conversation = conversation

    def register(self, app: App) -> None:
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command(COMMAND)(self.on_command)
        app.action(re.compile(rf"^{SUGGESTION_ACTION}-\d+$"))(self.on_suggestion)
        app.action(re.compile(rf"^{FOLLOWUP_ACTION}-\d+$"))(self.on_followup)
        app.action(re.compile(rf"^{FEEDBACK_ACTION}-(up|down)$"))(self.on_feedback)

    def on_mention(self, event: dict[str, Any], client: WebClient, context: BoltContext,
                   logger: logging.Logger) -> None:
        """Answer a mention in the thread of the message that mentions the bot."""
        question = plain_text(event.get("text", ""))
        thread_ts = event.get("thread_ts") or event["ts"]
        where = Where(PLATFORM, "thread", context.team_id or "", event["channel"], thread_ts,
                      str(event.get("user", "")))
        send(lambda: self.conversation.ask(question, where, logger=logger), logger=logger,
             post=lambda m: client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts,
                                                    unfurl_links=False, **m.as_kwargs()),
             notify=lambda m: client.chat_postEphemeral(channel=event["channel"], user=where.user,
                                                        thread_ts=thread_ts, **m.as_kwargs()))

    def on_message(self, event: dict[str, Any], client: WebClient, context: BoltContext,
                   logger: logging.Logger) -> None:
        """Answer a person's direct message in the DM (in its thread, if it is in one)."""
        if not is_question_in_dm(event):
            return
        question = plain_text(event.get("text", ""))
        where = Where(PLATFORM, "dm", context.team_id or "", event["channel"], event.get("thread_ts") or "",
                      str(event.get("user", "")))
        send(lambda: self.conversation.ask(question, where, logger=logger), logger=logger,
             post=lambda m: client.chat_postMessage(channel=event["channel"], unfurl_links=False,
                                                    thread_ts=event.get("thread_ts"), **m.as_kwargs()))

    def on_command(self, ack: Callable[..., None], command: dict[str, Any], respond: Callable[..., Any],
                   context: BoltContext, logger: logging.Logger) -> None:
        """Answer ``/cto QUESTION`` to the asker only; ``/cto`` alone or ``/cto help`` lists the topics."""
        ack()
        question = plain_text(command.get("text", ""))
        where = Where(PLATFORM, "command", context.team_id or "", str(command.get("channel_id", "")), "",
                      str(command.get("user_id", "")))
        send(lambda: self.conversation.command(question, where, logger=logger), logger=logger,
             echo_question=True, speak_when_quiet=True,
             post=lambda m: respond(response_type="ephemeral", **m.as_kwargs()))

    def on_suggestion(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                      client: WebClient, respond: Callable[..., Any], context: BoltContext,
                      logger: logging.Logger) -> None:
        """Answer the suggestion someone clicked, where the button was; recorded as their pick."""
        self._on_choice(self.conversation.pick, ack, body, action, client, respond, context, logger)

    def on_followup(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                    client: WebClient, respond: Callable[..., Any], context: BoltContext,
                    logger: logging.Logger) -> None:
        """Answer the next step someone clicked under an answer, where the button was."""
        self._on_choice(self.conversation.follow, ack, body, action, client, respond, context, logger)

    def _on_choice(self, choose: Callable[..., Reply], ack: Callable[..., None], body: dict[str, Any],
                   action: dict[str, Any], client: WebClient, respond: Callable[..., Any], context: BoltContext,
                   logger: logging.Logger) -> None:
        ack()
        click = Click.of(body)
        where = click.where(context.team_id or "")

        def answer() -> Reply:
            choice = SuggestionChoice.decode(action.get("value", ""))
            return choose(choice.passage_id, choice.lang, where, logger=logger)

        send(answer, logger=logger, speak_when_quiet=True,
             post=lambda m: self._post(click, m, client, respond, public=True),
             notify=lambda m: self._post(click, m, client, respond, public=False))

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
            self.conversation.vote(choice.answer_id, choice.passage_id, user_id=click.user_id, value=vote,
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


def send(reply: Callable[[], Reply], *, post: Callable[[Message], Any], logger: logging.Logger,
         notify: Callable[[Message], Any] | None = None, echo_question: bool = False,
         speak_when_quiet: bool = False) -> None:
    """Post the conversation's rendered reply (a notice through ``notify``, when given, so that only the
    person sees it); if rendering or posting fails, log the traceback and post an apology."""
    try:
        found = reply()
        if found.quiet and not speak_when_quiet:
            return
        message = reply_message(found, echo_question=echo_question)
        deliver = notify if found.notice is not None and notify is not None else post
    except Exception:
        logger.exception("Could not answer; replying with an apology")
        message, deliver = apology(), post
    try:
        deliver(message)
    except SlackApiError:
        if message == apology():
            raise
        logger.exception("Slack refused the answer; replying with an apology")
        post(apology())

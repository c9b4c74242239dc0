"""The real discord.py client, over the real assistant and engine, against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import discord
from fake_discord import CHANNEL_ID, DM_CHANNEL_ID, OTHER_BOT, OTHER_HUMAN, FakeDiscord, connected

from adapters.discord.client import CtoClient
from adapters.discord.cooldown import Cooldown
from adapters.discord.render import PassageButton, render
from bot.bootstrap import build_assistant
from bot.core.answer import Answer
from bot.core.engine import Engine
from bot.service.assistant import Assistant
from bot.service.store import MemoryStore

NO_MENTIONS = {"parse": []}


def rendered(answer: Answer) -> dict:
    """The embed the adapter should send for ``answer``, as JSON."""
    embed = render(answer).embed
    assert embed is not None
    return embed.to_dict()  # type: ignore[return-value]


async def test_replies_to_a_mention_with_the_right_passage(bot: CtoClient, fake: FakeDiscord, engine: Engine):
    asked = await fake.send_message("Combien gagne un CTO ?")
    reply = await fake.reply_to(asked)
    assert reply.target == str(CHANNEL_ID)
    assert reply.embed["title"] == "Le salaire du CTO"
    assert "salary-range" in reply.embed["footer"]["text"]
    assert reply.embed["description"].startswith("Un CTO gagne en France")
    assert reply.embed == rendered(engine.ask("Combien gagne un CTO ?"))


async def test_answers_in_the_language_of_the_question_with_the_original_alongside(bot: CtoClient,
                                                                                 fake: FakeDiscord):
    reply = await fake.reply_to(await fake.send_message("How much does a CTO earn?"))
    assert reply.embed["description"].startswith("In France a CTO earns")
    assert reply.embed["fields"][0]["value"].startswith("Un CTO gagne")


async def test_ignores_a_message_that_does_not_mention_the_bot(bot: CtoClient, fake: FakeDiscord):
    ignored = await fake.send_message("Combien gagne un CTO ?", mention_bot=False)
    barrier = await fake.send_message("Que fait un CTO ?")
    await fake.reply_to(barrier)
    assert [s.replies_to for s in fake.sent] == [barrier]
    assert ignored != barrier


async def test_ignores_bots(bot: CtoClient, fake: FakeDiscord):
    await fake.send_message("Combien gagne un CTO ?", author=OTHER_BOT)
    await fake.send_message("Combien gagne un CTO ?", author={**OTHER_BOT, "id": str(bot.user.id)})  # itself
    barrier = await fake.send_message("Que fait un CTO ?")
    await fake.reply_to(barrier)
    assert [s.replies_to for s in fake.sent] == [barrier]


async def test_answers_every_direct_message(bot: CtoClient, fake: FakeDiscord):
    reply = await fake.reply_to(await fake.send_message("Comment devenir CTO ?", dm=True))
    assert reply.target == str(DM_CHANNEL_ID)
    assert reply.embed["title"] == "Devenir CTO"


async def test_never_pings_anyone_mentioned_in_a_question(bot: CtoClient, fake: FakeDiscord):
    reply = await fake.reply_to(await fake.send_message("@everyone @here <@&42> combien gagne un CTO ?"))
    assert reply.body["allowed_mentions"] == NO_MENTIONS
    assert reply.embed["title"] == "Le salaire du CTO"  # the mentions are not part of the question


async def test_syncs_the_cto_command_with_autocomplete_at_start_up(bot: CtoClient, fake: FakeDiscord):
    [command] = fake.commands
    assert command["name"] == "cto"
    [option] = command["options"]
    assert option["name"] == "question" and option["autocomplete"] is True and not option.get("required")


async def test_asks_for_no_privileged_intent(bot: CtoClient, fake: FakeDiscord):
    intents = discord.Intents._from_value(fake.identifies[0]["intents"])
    assert intents.guild_messages and intents.dm_messages and intents.guilds
    assert not (intents.message_content or intents.members or intents.presences)


async def test_answers_the_cto_command_through_the_interaction_callback(bot: CtoClient, fake: FakeDiscord,
                                                                       engine: Engine):
    response = await fake.response_to(await fake.slash("Que fait un CTO ?"))
    assert response.body["type"] == 4
    assert response.embed == rendered(engine.ask("Que fait un CTO ?"))
    assert response.message["allowed_mentions"] == NO_MENTIONS


async def test_lists_the_topics_for_the_cto_command_without_a_question(bot: CtoClient, fake: FakeDiscord,
                                                                      engine: Engine):
    response = await fake.response_to(await fake.slash(locale="en-US"))
    assert response.embed == rendered(engine.help("en"))
    assert "the CTO's salary" in response.embed["description"]


async def test_autocompletes_questions_the_bot_can_answer(bot: CtoClient, fake: FakeDiscord):
    response = await fake.response_to(await fake.autocomplete("comb gagne"))
    assert response.body["type"] == 8
    choices = response.body["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert choices[0] == {"name": "Combien gagne un CTO ?", "value": "Combien gagne un CTO ?"}


async def test_autocompletes_a_default_list_before_anything_is_typed(bot: CtoClient, fake: FakeDiscord):
    response = await fake.response_to(await fake.autocomplete(""))
    assert len(response.body["data"]["choices"]) == 4  # one per passage of the test knowledge


async def test_autocompletes_nothing_rather_than_failing(assistant: Assistant):
    class Broken(FailsOnce):
        def complete(self, text: str, limit: int = 25) -> list:
            raise RuntimeError("the engine broke")

    assert await CtoClient(Broken(assistant)).complete("salaire") == []


async def test_offers_suggestion_buttons_that_answer_when_clicked(bot: CtoClient, fake: FakeDiscord,
                                                                 engine: Engine):
    reply = await fake.reply_to(await fake.send_message("technologie"))
    expected = engine.ask("technologie")
    assert reply.custom_ids == [f"cto:passage:{s.passage_id}:fr" for s in expected.suggestions]
    assert len(reply.custom_ids) >= 2
    response = await fake.response_to(await fake.click(reply.custom_ids[1]))
    assert response.embed == rendered(engine.answer_passage(expected.suggestions[1].passage_id, "fr"))


async def test_a_suggestion_button_still_answers_after_a_restart(bot: CtoClient, fake: FakeDiscord):
    # This client never sent the button: the custom_id alone is enough.
    response = await fake.response_to(await fake.click(PassageButton.custom_id_for("role-budget", "en")))
    assert response.embed["title"] == "Le rôle du CTO"
    assert response.embed["description"].startswith("The CTO manages the technology budget")


async def test_answers_the_cooldown_politely_then_keeps_quiet(fake: FakeDiscord, assistant: Assistant):
    now = [0.0]
    cooldown = Cooldown(rate=2, per=30, clock=lambda: now[0])
    client = CtoClient(assistant, cooldown=cooldown, guild_ready_timeout=0.05)
    async with connected(client):
        for _ in range(2):
            reply = await fake.reply_to(await fake.send_message("Combien gagne un CTO ?"))
            assert reply.embed["title"] == "Le salaire du CTO"
        notice = await fake.reply_to(await fake.send_message("Combien gagne un CTO ?"))
        assert notice.body["content"].startswith("Doucement : je réponds à 2 questions par personne")
        assert notice.body["allowed_mentions"] == NO_MENTIONS
        quiet = await fake.send_message("Combien gagne un CTO ?")
        barrier = await fake.send_message("Combien gagne un CTO ?", author=OTHER_HUMAN)  # someone else
        await fake.reply_to(barrier)
        assert quiet not in [s.replies_to for s in fake.sent]
        now[0] = 30.0
        reply = await fake.reply_to(await fake.send_message("Combien gagne un CTO ?"))
        assert reply.embed["title"] == "Le salaire du CTO"


class FailsOnce:
    """The real assistant, except that the first ``ask`` raises."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.failed = False

    def __getattr__(self, name: str):
        return getattr(self.assistant, name)

    def ask(self, question: str, **where: str) -> Answer:
        if not self.failed:
            self.failed = True
            raise RuntimeError("the engine broke")
        return self.assistant.ask(question, **where)


async def test_apologises_privately_for_a_failing_cto_command(fake: FakeDiscord, assistant: Assistant):
    async with connected(CtoClient(FailsOnce(assistant), guild_ready_timeout=0.05)):
        apology = await fake.response_to(await fake.slash("Combien gagne un CTO ?", locale="en-GB"))
        assert apology.message["content"].startswith("Sorry, I could not answer")
        assert apology.message["flags"] & 64  # ephemeral: only the user sees it
        response = await fake.response_to(await fake.slash("Combien gagne un CTO ?"))
        assert response.embed["title"] == "Le salaire du CTO"


async def test_answers_the_cooldown_of_a_cto_command_privately(fake: FakeDiscord, assistant: Assistant):
    cooldown = Cooldown(rate=1, per=30, clock=lambda: 0.0)
    async with connected(CtoClient(assistant, cooldown=cooldown, guild_ready_timeout=0.05)):
        await fake.response_to(await fake.slash("Combien gagne un CTO ?"))
        for _ in range(2):  # an interaction must always be answered: privately, so it floods nothing
            notice = await fake.response_to(await fake.slash("Combien gagne un CTO ?"))
            assert notice.message["content"].startswith("Doucement") and notice.message["flags"] & 64


async def test_resumes_after_a_gateway_reconnect_and_keeps_answering(bot: CtoClient, fake: FakeDiscord):
    await fake.reconnect()
    await fake.wait_resumed()
    assert fake.resumes[0]["session_id"] == "fake-session" and len(fake.identifies) == 1
    reply = await fake.reply_to(await fake.send_message("Comment devenir CTO ?"))
    assert reply.embed["title"] == "Devenir CTO"


async def test_answers_from_the_installed_knowledge_as_the_cli_builds_the_assistant(fake: FakeDiscord):
    store = MemoryStore()
    assistant = build_assistant(store=store)  # live knowledge, recording on a background thread
    question = assistant.complete("", 1)[0].question
    async with connected(CtoClient(assistant, guild_ready_timeout=0.05)):
        reply = await fake.reply_to(await fake.send_message(question))
    assert reply.embed == rendered(assistant.engine.ask(question))
    assert assistant.recorder is not None and assistant.recorder.flush()  # type: ignore[attr-defined]
    [interaction] = store.interactions
    assert (interaction.question, interaction.platform, interaction.outcome) == (question, "discord", "answer")

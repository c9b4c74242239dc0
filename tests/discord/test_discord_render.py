"""Rendering the engine's answers as Discord embeds and buttons, within Discord's limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.render import NO_MENTIONS, PassageButton, VoteButton, notice, render
from bot.core.answer import Answer, Outcome, Suggestion
from bot.core.engine import Engine


def answer(**fields) -> Answer:
    defaults = {"question": "q", "outcome": Outcome.ANSWER, "text": "t", "lang": "fr", "score": 80.0,
                "section": "S", "passage_id": "p", "source": "t"}
    return Answer(**{**defaults, **fields})


def test_renders_an_answer_with_its_section_as_title_and_source_and_confidence_in_the_footer(engine: Engine):
    reply = render(engine.ask("Combien gagne un CTO ?"))
    assert reply.embed is not None and reply.view is None
    assert reply.embed.title == "Le salaire du CTO"
    assert reply.embed.footer.text == "Source : salary-range · confiance 100 %"
    assert not reply.embed.fields  # the answer is the original text: nothing to add


def test_shows_the_original_text_under_a_translated_answer(engine: Engine):
    reply = render(engine.ask("How much does a CTO earn?"))
    assert reply.embed is not None
    assert reply.embed.footer.text == "Source : salary-range · confidence 100 %"
    assert reply.embed.fields[0].value.startswith("Un CTO gagne en France")


def test_renders_suggestions_as_buttons_whose_custom_ids_name_the_passage(engine: Engine):
    suggested = engine.ask("technologie")
    assert suggested.outcome is Outcome.SUGGEST
    reply = render(suggested)
    assert reply.view is not None and reply.view.timeout is None
    assert [item.custom_id for item in reply.view.children] == [
        f"cto:passage:{s.passage_id}:fr" for s in suggested.suggestions]
    assert [item.item.label for item in reply.view.children] == [s.question for s in suggested.suggestions]


def test_escapes_markdown_so_the_knowledge_shows_verbatim():
    reply = render(answer(text="*bold* _it_ `code`"))
    assert reply.embed is not None and reply.embed.description == r"\*bold\* \_it\_ \`code\`"


def test_sends_everything_with_mentions_disabled():
    assert render(answer()).kwargs()["allowed_mentions"] is NO_MENTIONS
    assert notice("apology", "en").kwargs(interaction=True)["allowed_mentions"] is NO_MENTIONS
    assert NO_MENTIONS.to_dict() == {"parse": []}


def test_leaves_out_a_button_whose_passage_id_cannot_fit_a_custom_id():
    suggestions = (Suggestion("ok", "fine", "S"), Suggestion("long", "x" * 100, "S"),
                   Suggestion("colon", "a:b", "S"))
    reply = render(answer(outcome=Outcome.SUGGEST, suggestions=suggestions))
    assert reply.view is not None
    assert [item.custom_id for item in reply.view.children] == ["cto:passage:fine:fr"]


def test_words_notices_in_the_users_language():
    assert notice("cooldown", "en", rate=5, per=30, retry=12).content == (
        "Easy there: I answer 5 questions per person every 30 seconds. Try again in 12 s.")
    assert notice("apology", "fr").content.startswith("Désolé")
    assert notice("apology", "de").content.startswith("Désolé")  # unknown languages get French
    assert notice("apology", "en").ephemeral


def test_a_button_template_reads_back_the_passage_and_language():
    custom_id = PassageButton.custom_id_for("role-x", "en")
    match = PassageButton.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None and match["passage_id"] == "role-x" and match["lang"] == "en"


ANSWER_ID = "0123456789abcdef0123456789abcdef"


def test_puts_thumbs_up_and_down_under_a_recorded_answer():
    reply = render(answer(answer_id=ANSWER_ID, passage_id="salary-range"))
    assert reply.view is not None and reply.view.timeout is None
    assert [item.custom_id for item in reply.view.children] == [
        f"cto:vote:up:{ANSWER_ID}:salary-range", f"cto:vote:down:{ANSWER_ID}:salary-range"]
    assert [str(item.item.emoji) for item in reply.view.children] == ["👍", "👎"]


def test_offers_no_vote_on_what_was_not_recorded_or_is_not_an_answer():
    assert render(answer()).view is None  # no answer_id: nothing a vote could refer to
    assert render(answer(outcome=Outcome.DECLINE, answer_id=ANSWER_ID)).view is None
    suggested = render(answer(outcome=Outcome.SUGGEST, answer_id=ANSWER_ID, suggestions=(Suggestion("q", "p", "S"),)))
    assert suggested.view is not None
    assert [item.custom_id for item in suggested.view.children] == ["cto:passage:p:fr"]


def test_puts_the_votes_on_a_row_of_their_own_below_suggestions():
    suggestions = tuple(Suggestion(f"q{i}", f"p{i}", "S") for i in range(2))
    reply = render(answer(answer_id=ANSWER_ID, suggestions=suggestions))
    assert reply.view is not None
    rows = [[c["custom_id"].split(":")[1] for c in row["components"]] for row in reply.view.to_components()]
    assert rows == [["passage", "passage"], ["vote", "vote"]]


def test_leaves_out_the_votes_rather_than_cut_an_id_that_cannot_fit():
    longest = "p" * (100 - len(f"cto:vote:down:{ANSWER_ID}:"))
    assert render(answer(answer_id=ANSWER_ID, passage_id=longest)).view is not None
    assert render(answer(answer_id=ANSWER_ID, passage_id=longest + "p")).view is None
    assert render(answer(answer_id=ANSWER_ID, passage_id="a:b")).view is None
    assert render(answer(answer_id="not hex!", passage_id="p")).view is None


def test_a_vote_template_reads_back_the_direction_answer_and_passage():
    custom_id = VoteButton.custom_id_for("down", ANSWER_ID, "role-x")
    match = VoteButton.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None and (match["direction"], match["answer_id"], match["passage_id"]) == (
        "down", ANSWER_ID, "role-x")
    assert PassageButton.__discord_ui_compiled_template__.fullmatch(custom_id) is None


def test_thanks_voters_privately_in_their_language():
    assert notice("thanks_up", "fr").content == "Merci pour votre retour 👍 ! Cliquez sur 👎 si vous changez d'avis."
    assert notice("thanks_down", "en").content.startswith("Thanks for your feedback 👎")
    assert notice("thanks_up", "en").ephemeral


texts = st.text(max_size=10_000)
ids = st.text(alphabet="0123456789abcdef", min_size=1, max_size=64)


@given(text=texts, section=texts, source=texts, outcome=st.sampled_from(Outcome), score=st.floats(0, 100),
       suggestions=st.lists(st.builds(Suggestion, texts, st.text(max_size=120), texts), max_size=30),
       answer_id=st.none() | ids, passage_id=st.text(max_size=120))
def test_stays_within_discords_limits_whatever_the_answer(text, section, source, outcome, score, suggestions,
                                                          answer_id, passage_id):
    reply = render(answer(text=text, section=section, source=source, outcome=outcome, score=score,
                          suggestions=tuple(suggestions), answer_id=answer_id, passage_id=passage_id))
    assert reply.embed is not None
    assert len(reply.embed) <= 6000
    assert len(reply.embed.description or "") <= 4096 and len(reply.embed.title or "") <= 256
    assert all(len(f.value or "") <= 1024 for f in reply.embed.fields)
    items = reply.view.children if reply.view else []
    assert len(items) <= 7  # five suggestions, then 👍 and 👎
    assert all(len(i.item.label or "") <= 80 and len(i.custom_id) <= 100 for i in items)
    if reply.view:
        reply.view.to_components()  # discord.py accepts it

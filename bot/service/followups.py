"""Follow-ups: what a short message means after an answer, and which next steps an answer offers.

A follow-up is recognised by its form only, never by what the knowledge holds: a handful of French and
English phrases ("tell me more", "pourquoi ?", "in English please") and short questions that start with a
connective or carry no subject of their own ("et le budget ?", "and the security part?").

>>> follow_up_of("Plus de détails, s'il vous plaît").kind
'more'
>>> follow_up_of("in English please").lang
'en'
>>> follow_up_of("et le budget ?").kind
'focus'
>>> follow_up_of("et le deuxième ?").index, follow_up_of("tell me more about the last one").index
(2, -1)
>>> follow_up_of("Comment devenir CTO quand on vient du marketing ?") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.knowledge import Knowledge, Passage, Section
from bot.core.smalltalk import smalltalk_kind
from bot.core.text import content_words, words

POLITE = frozenset("please pls plz thanks thank you merci s il vous te plait stp svp now maintenant again encore "
                   "ok okay alors donc then so".split())
"""Words that soften a follow-up without changing what it asks."""
MORE = frozenset({
    "more", "tell me more", "more details", "more detail", "more about it", "more about that", "go on",
    "continue", "what else", "and then", "anything else", "details", "elaborate", "the rest",
    "plus", "plus de details", "plus de detail", "dis m en plus", "dites m en plus", "dis moi en plus",
    "dites moi en plus", "en savoir plus", "la suite", "et ensuite", "et apres", "quoi d autre", "developpe",
    "developpez", "detaille", "detaillez", "suite", "encore plus",
})
WHY = frozenset({"why", "why is that", "why so", "how come", "why that", "pourquoi", "pourquoi ca",
                 "pourquoi cela", "pourquoi donc", "c est pourquoi", "et pourquoi", "and why"})
LANGUAGE_WORDS = {"english": "en", "anglais": "en", "french": "fr", "francais": "fr"}
LANGUAGE_FILLER = frozenset("in en and et say it that this same answer the la le reponse meme chose can could you "
                            "tu vous peux pouvez pourrais pourriez dire dis redis repete repeat translate "
                            "traduire traduis traduisez into in to vers version reponds repondez repondre answer "
                            "reply respond write ecris ecrivez ecrire parle parlez parler speak please".split())
CONNECTIVES = (("what", "about"), ("how", "about"), ("and",), ("et",), ("quid",), ("also",), ("aussi",),
               ("what", "of"), ("et", "pour"), ("et", "concernant"), ("et", "cote"))
PRONOUNS = frozenset("it them they that this these those ca cela ceci celui celle ceux celles les lui leur leurs y "
                     "en le la".split())
"""Words that point back: a message of them and function words only ("and how do I get them?") asks about
the last answer's subject."""
ORDINALS = {
    **dict.fromkeys(("first", "1st", "premier", "premiere", "1er", "1ere"), 1),
    **dict.fromkeys(("second", "2nd", "deuxieme", "seconde", "2e", "2eme"), 2),
    **dict.fromkeys(("third", "3rd", "troisieme", "3e", "3eme"), 3),
    **dict.fromkeys(("fourth", "4th", "quatrieme", "4e", "4eme"), 4),
    **dict.fromkeys(("fifth", "5th", "cinquieme", "5e", "5eme"), 5),
    **dict.fromkeys(("last", "dernier", "derniere"), -1),
}
"""Words that pick one item of the last answer's list ("et le deuxième ?", "the last one"); -1 is the last."""
ITEM_WORDS = frozenset("one item point element bullet step etape partie part option more details detail plus "
                       "savoir dis dites tell about sur".split())
"""Words that may stand beside an ordinal in such a follow-up without making it a question of its own."""
MAX_FOCUS_WORDS = 3
"""A follow-up that starts with a connective carries at most this many meaningful words; more is a question
of its own."""
MAX_BARE_WORDS = 2
"""A message of at most this many meaningful words, without a connective, is read against the last answer."""
MAX_PROMPTS = 5


@dataclass(frozen=True)
class FollowUp:
    """What a follow-up asks: ``more``, ``why``, ``language`` (``lang`` to switch to), ``focus``, ``item`` (one
    item of the last list: "et le deuxième ?"), or ``refers`` (it only points back to the last answer: "and how
    do I get them?"; read as "more")."""

    kind: str
    lang: str = ""
    index: int = 0
    """For ``item``: which item of the last list, from 1 (-1: the last)."""


def follow_up_of(message: str) -> FollowUp | None:
    """The follow-up ``message`` is, by its form; None for a question of its own."""
    folded = [w for w in words(message) if w not in POLITE]
    phrase = " ".join(folded)
    if not folded:
        return None
    if phrase in MORE:
        return FollowUp("more")
    if phrase in WHY:
        return FollowUp("why")
    langs = {LANGUAGE_WORDS[w] for w in folded if w in LANGUAGE_WORDS}
    if len(langs) == 1 and all(w in LANGUAGE_WORDS or w in LANGUAGE_FILLER for w in folded):
        return FollowUp("language", langs.pop())
    meaningful = [w for w in content_words(message) if w not in POLITE]
    ordinals = {ORDINALS[w] for w in folded if w in ORDINALS}
    if len(ordinals) == 1 and all(w in ORDINALS or w in ITEM_WORDS for w in meaningful):
        return FollowUp("item", index=ordinals.pop())
    if (not meaningful and len(folded) > 1 and not PRONOUNS.isdisjoint(folded) and message.rstrip().endswith("?")
            and smalltalk_kind(message) is None):
        return FollowUp("refers")
    starts = any(tuple(folded[: len(c)]) == c for c in CONNECTIVES)
    if meaningful and (len(meaningful) <= MAX_BARE_WORDS or (starts and len(meaningful) <= MAX_FOCUS_WORDS)):
        return FollowUp("focus")
    return None


@dataclass(frozen=True)
class Prompt:
    """A next step offered under an answer: a label, and the passage that answers it."""

    label: str
    passage_id: str
    lang: str


WHOLE_LIST = {"fr": "Toute la liste", "en": "The whole list"}


def label_of(knowledge: Knowledge, passage: Passage, lang: str) -> str:
    """How to offer ``passage``: its first alternate question, else its section's title."""
    questions = passage.questions_in(lang)
    return questions[0] if questions else knowledge.section_of(passage).title_in(lang)


def prompts_for(knowledge: Knowledge, passage_id: str, lang: str) -> tuple[Prompt, ...]:
    """The natural next steps after answering with ``passage_id``: a list's lead-in offers its items, an item
    offers the whole list, any other passage offers the neighbouring sections."""
    passage = knowledge.passage(passage_id)
    if passage is None:
        return ()
    if passage.items:
        items = knowledge.items_of(passage)
        return tuple(Prompt(label_of(knowledge, p, lang), p.id, lang) for p in items[:MAX_PROMPTS])
    if passage.lead_in:
        return (Prompt(WHOLE_LIST.get(lang, WHOLE_LIST["fr"]), passage.lead_in, lang),)
    return tuple(Prompt(s.title_in(lang), s.passages[0].id, lang) for s in neighbouring_sections(knowledge, passage)
                 if s.passages)


def neighbouring_sections(knowledge: Knowledge, passage: Passage) -> tuple[Section, ...]:
    """The sections just before and after ``passage``'s own, in document order."""
    sections = knowledge.sections
    i = next((n for n, s in enumerate(sections) if s.id == passage.section_id), None)
    if i is None:
        return ()
    return tuple(sections[j] for j in (i - 1, i + 1) if 0 <= j < len(sections))


def more_after(knowledge: Knowledge, passage_id: str) -> str | None:
    """What "tell me more" leads to: an item's whole list; else the next passage of the section (after the
    list a lead-in already showed); else the next section's first passage."""
    passage = knowledge.passage(passage_id)
    if passage is None:
        return None
    if passage.lead_in:
        return passage.lead_in
    section = knowledge.section_of(passage)
    shown = {passage.id, *passage.items}
    ids = [p.id for p in section.passages]
    after = [p for p in section.passages[ids.index(passage.id) + 1:] if p.id not in shown and not p.lead_in]
    if after:
        return after[0].id
    following = [s for s in neighbouring_sections(knowledge, passage) if s.id != section.id]
    later = [s for s in following if knowledge.sections.index(s) > knowledge.sections.index(section)]
    return later[0].passages[0].id if later and later[0].passages else None


def why_of(knowledge: Knowledge, passage_id: str) -> str | None:
    """What "why?" leads to: the passage that sets the context of ``passage_id`` in its section (the section's
    opening passage, else the list it belongs to)."""
    passage = knowledge.passage(passage_id)
    if passage is None:
        return None
    section = knowledge.section_of(passage)
    first = section.passages[0] if section.passages else None
    if first is not None and first.id != passage.id and first.id != passage.lead_in:
        return first.id
    return passage.lead_in or None


def focus_of(knowledge: Knowledge, passage_id: str) -> tuple[str, ...]:
    """The passages a short follow-up is matched against: the last answer's section (its list included)."""
    passage = knowledge.passage(passage_id)
    if passage is None:
        return ()
    return (passage.id, *(p.id for p in knowledge.section_of(passage).passages if p.id != passage.id))


def item_of(knowledge: Knowledge, passage_id: str, index: int) -> str | None:
    """The ``index``-th item (from 1; -1 for the last) of the list ``passage_id`` introduces or belongs to."""
    passage = knowledge.passage(passage_id)
    lead = passage if passage is None or passage.items else knowledge.passage(passage.lead_in or "")
    items = knowledge.items_of(lead) if lead is not None else ()
    if index == -1 and items:
        return items[-1].id
    return items[index - 1].id if 0 < index <= len(items) else None

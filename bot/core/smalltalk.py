"""Recognise greetings, thanks, goodbyes and calls for help, so that they are not matched against the knowledge.

>>> smalltalk_kind("Bonjour !")
'greeting'
>>> smalltalk_kind("merci beaucoup")
'thanks'
>>> smalltalk_kind("bonjour, comment devenir CTO ?") is None
True
"""

from __future__ import annotations

from bot.core.text import STOP_WORDS, words

KINDS = {
    "greeting": "bonjour salut coucou hello hi hey hiya yo bonsoir hola greetings morning evening afternoon "
                "good bon",
    "thanks": "merci thanks thank thx ty cheers super parfait great cool top genial nickel ok okay",
    "bye": "bye goodbye revoir ciao tchao later ++ adieu",
    "help": "help aide aidez aider sos menu commands commandes start demarrer topics sujets",
}
FILLER = frozenset("beaucoup lot much so very vous you toi bot ctobot cto-bot there all everyone le la les a "
                   "mon ami friend again encore bien tres see soon plus tard bonne journee day".split())
_KIND_OF = {word: kind for kind, vocabulary in KINDS.items() for word in vocabulary.split()}
GREETING_WORDS = frozenset(KINDS["greeting"].split()) | frozenset(KINDS["thanks"].split()[:5])
"""Words that only greet or thank: dropped from the start of a question that also asks something."""


def without_greeting(tokens: list[str]) -> list[str]:
    """Folded words without the greeting or thanks they start with ("bonjour, comment …"); a "good" later in
    the question ("what makes a good CTO") is kept.

    >>> without_greeting(["good", "morning", "what", "makes", "a", "good", "cto"])
    ['what', 'makes', 'a', 'good', 'cto']
    """
    start = 0
    while start < len(tokens) and (tokens[start] in GREETING_WORDS or tokens[start] in FILLER):
        start += 1
    return tokens[start:]


def smalltalk_kind(question: str) -> str | None:
    """``greeting``, ``thanks``, ``bye`` or ``help`` when the question is only that, else None."""
    found = [w for w in words(question) if w not in STOP_WORDS and w not in FILLER]
    kinds = [_KIND_OF.get(w) for w in found]
    if not kinds or None in kinds:
        return None
    for kind in ("help", "thanks", "bye", "greeting"):
        if kind in kinds:
            return kind
    return None

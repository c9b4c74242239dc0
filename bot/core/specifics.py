"""Questions that ask for something only some passages state.

A question asking for a quantity ("how much does it cost?", « combien de jours ? », "how often?") is answered
only by a passage that states one: a number, or a word of frequency or duration. A passage about bike brakes with
no figure in it does not say what new brake pads cost. Likewise a question asking which is best or better
(« le meilleur MBA », "is it better to…") is answered only by a passage that compares or recommends.

>>> asks_quantity("combien coute un bac potager en bois"), asks_quantity("Comment devenir CTO ?")
(True, False)
>>> states_quantity("Comptez 50 à 80 € la révision."), states_quantity("Le CTO gère le budget technologique.")
(True, False)
>>> asks_choice("Quel est le meilleur MBA pour devenir CTO ?"), asks_choice("How do I sleep better?")
(True, False)
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.text import fold

_ASKS = re.compile(r"\bhow (?:much|many|long|often)\b|\bcombien\b|\b(?:prix|price|prices|cost|costs|coute|coutent"
                   r"|tarif|tarifs)\b")
_STATES = re.compile(
    r"\d|[€$£%]|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|hundred"
    r"|thousand|dozen|half|quarter|once|twice|deux|trois|quatre|cinq|sept|huit|neuf|dix|onze|douze|quinze|vingt"
    r"|trente|cent|cents|mille|douzaine|moitie|quart|every|each|daily|weekly|monthly|yearly|annually|chaque"
    r"|quotidien|quotidienne|hebdomadaire|mensuel|mensuelle|annuel|annuelle|minutes?|hours?|days?|weeks?|months?"
    r"|years?|heures?|jours?|semaines?|mois|ans|annees?|gratuit|gratuite|free)\b")


@lru_cache(maxsize=256)
def asks_quantity(question: str) -> bool:
    """True when ``question`` asks how much, how many, how long, how often, or a price."""
    return bool(_ASKS.search(fold(question)))


@lru_cache(maxsize=8192)
def states_quantity(text: str) -> bool:
    """True when ``text`` states a quantity: a figure, a number word, or a word of frequency or duration."""
    return bool(_STATES.search(fold(text)))


_ASKS_CHOICE = re.compile(
    r"\b(?:the|le|la|les) (?:best|meilleure?s?)\b|\bbest \w+(?: \w+)? (?:for|to|pour)\b|^best\b|\bwhich\b.*\bbest\b"
    r"|\b(?:better|mieux|pire|worse) (?:than|que|qu)\b|\bis it (?:better|best)\b|\bc'est mieux\b"
    r"|\best[ -]ce mieux\b|\b(?:better|mieux) (?:to|de)\b")
_STATES_CHOICE = re.compile(
    r"\b(?:best|better|meilleure?s?|mieux|recommand\w*|conseill\w*|prefer\w*|prefer|ideal\w*|plutot|rather|instead"
    r"|pire|worse|avoid\w*|evite\w*)\b")


@lru_cache(maxsize=256)
def asks_choice(question: str) -> bool:
    """True when ``question`` asks which is best or better ("Quel est le meilleur MBA ?", "is it better to…")."""
    return bool(_ASKS_CHOICE.search(fold(question)))


@lru_cache(maxsize=8192)
def states_choice(text: str) -> bool:
    """True when ``text`` compares or recommends: "best", « mieux », "avoid", « privilégiez »…"""
    return bool(_STATES_CHOICE.search(fold(text)))

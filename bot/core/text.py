"""Text normalisation shared by the importer, the index and the engine.

>>> fold("  L\u2019ÉQUIPE\u00a0Technique ")
"l'equipe technique"
>>> content_words("Quelles sont les compétences d'un CTO ?")
['competences', 'cto']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

MAX_QUESTION_CHARS = 500
"""Questions are cut to this length before matching, so that time stays bounded."""

APOSTROPHES = "\u2019\u2018\u02bc\u00b4\u0060\u2032"
SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003"
_SPACE_TABLE = str.maketrans({c: " " for c in SPACES})
_APOSTROPHE_TABLE = str.maketrans({c: "'" for c in APOSTROPHES})
_WORD = re.compile(r"[a-z0-9]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
"""Soft hyphens, zero-width and direction marks: removed, so that "C\u200bTO" is "CTO"."""

# Words that carry no topic: articles, pronouns, auxiliaries and their forms, adverbs of degree and time, and
# the verbs people use to ask about anything ("do", "faire", "look after"). Folded (no accents).
FRENCH_STOP_WORDS = frozenset(
    """
    a au aux avec ce ces cet cette c ca d de des du dans elle elles en et est es etre eux il ils je j la le les
    leur leurs l lui ma mais me mes moi mon m n ne ni nos notre nous on ou par pas pour qu que quel quelle
    quelles quels qui quoi sa se ses son sur s t ta te tes toi ton tu un une vos votre vous y sont suis sommes
    etes ont ai as avons avez avoir eu eue aura auront aurait auraient avait avaient
    fait faire fais font faisons faites ferai fera feront ferait
    faut falloir fallait faudra faudrait doit doivent devoir dois devrait devraient devrai devra
    peut peuvent pouvoir puis peux pouvons pourrai pourra pourrais pourrait pourraient pourront pu
    veut vouloir veux voudrais voudrait va vais vas vont aller allez irai ira
    comment pourquoi quand combien ici voici voila tout tous toute toutes tres plus moins bien aussi alors
    donc car si oui non ete etais etait etaient sera seront serai serait seraient soit soient
    dont lequel laquelle lesquels lesquelles chez vers sous sans avant ya-t-il t-il t-elle est-ce
    ceci cela celui celle ceux celles meme memes quelqu quelque quelques chaque certains certaines
    jour jours fois exactement vraiment vrai vraie general generalement souvent toujours jamais encore deja
    peu beaucoup trop assez ainsi puisque lorsque comme quoi quiconque chose choses genre sorte facon
    dit dire dis disent sais savoir sait connait exemple parle parler explique expliquer expliquez
    reellement precisement concretement toutefois cependant pourtant neanmoins cense censee censes
    principal principale principaux principales majeur majeure majeurs majeures possible possibles possibilite
    possibilites
    donne donnes donnez donner liste listes lister listez complete complet completes entiere entier enumere
    enumerez enumerer montre montrez montrer
    """.split()
)
ENGLISH_STOP_WORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from into onto about as is are was were be been being
    am do does did doing done have has had having can could should would will shall may might must need
    needs i me my myself we our ours you your yours he him his she her hers it its they them their theirs
    this that these those there here what which who whom whose when where why how not no nor yes so than
    then too very just also any some all each both few such more most other others own same only again
    further once up down out over under after before above below through during until while between
    get gets got getting make makes made making take takes took handle handles handled handling look looks
    looking one ones someone something anything thing things way ways tell know kind sort like lot lots much
    many really usually typically generally actually exactly basically well s t ll ve re d m
    day days someday one's whats who's it's there's what's let lets please want wants wanted go goes going
    gonna wanna i'm im explain describe mean means say said
    hell heck precisely concretely truly however though although anyway supposed ever wonder wondered wondering
    give gives giving show shows list lists listing full complete entire whole enumerate
    main primary possible possibility possibilities come comes coming came
    wat wot wht hw u ur r plz pls pk pq koi ke kel kelle cmt stp svp
    """.split()
)
STOP_WORDS = FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS


_FRENCH_MARKERS = frozenset(
    """
    le la les un une des du de est sont quel quelle quelles quels qui que quoi comment pourquoi combien
    pour avec dans sur il elle ils faut peut doit d l qu c j y au aux et ou son sa ses leur mon ma
    ce cette ces entre apres devenir etre avoir faire fait bonjour salut merci
    """.split()
)
_ENGLISH_MARKERS = frozenset(
    """
    the a an is are what which who how why when where does do can should would will of to for with in on
    and or my your their his her it this that become make makes thanks thank hello hi hey please job
    """.split()
)

_STEMMERS = {
    "fr": snowballstemmer.stemmer("french"),
    "en": snowballstemmer.stemmer("english"),
}


def strip_tags(text: str) -> str:
    """``text`` without HTML or XML tags (their content stays).

    >>> strip_tags("<b>budget</b> du <i>CTO</i>")
    'budget du CTO'
    """
    return _TAG.sub(" ", text).replace("  ", " ").strip()


def clean_spaces(text: str) -> str:
    """Drop control and invisible characters, turn odd spaces into plain ones, collapse runs of whitespace.

    >>> clean_spaces("C\\u200bTO\\u00a0 budg\\u00adet\\x07")
    'CTO budget'
    """
    return " ".join(_CONTROL.sub(" ", _INVISIBLE.sub("", text)).translate(_SPACE_TABLE).split())


_INCLUSIVE = re.compile(r"(?<=\w)[·⋅]\w{1,5}(?:[·⋅]\w{1,2})?")
"""French inclusive endings (« un·e », « directeur·trice·s »): the word reads as its first form."""


def clean(text: str) -> str:
    """``clean_spaces``, every apostrophe look-alike made a plain ``'``, inclusive endings dropped.

    >>> clean("Qu’est-ce qu’un·e CTO ?")
    "Qu'est-ce qu'un CTO ?"
    """
    text = clean_spaces(text).translate(_APOSTROPHE_TABLE)
    return _INCLUSIVE.sub("", text) if "·" in text or "⋅" in text else text


def fold(text: str) -> str:
    """Lowercase, strip accents, unify apostrophes and spaces: the form every comparison uses."""
    if text.isascii():  # nothing to decompose: the same result, without two Unicode normalisations
        return clean(text).lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", clean(text)).casefold())
    return clean(_COMBINING.sub("", decomposed))


def words(text: str) -> list[str]:
    """The folded alphanumeric words of ``text``."""
    return _WORD.findall(fold(text))


def folded_words(folded: str) -> list[str]:
    """The alphanumeric words of an already folded text (``words`` without folding it again)."""
    return _WORD.findall(folded)


@lru_cache(maxsize=65536)
def stems(word: str, lang: str = "any") -> frozenset[str]:
    """A folded word and its Snowball stem in ``lang`` (``fr``, ``en``), or both stems for ``any``.

    Two words match when their stem sets meet. Stemming each language's text with its own stemmer keeps an
    English "data" apart from a French "date".

    >>> sorted(stems("competences"))
    ['compet', 'competences', 'competent']
    >>> sorted(stems("competences", "fr"))
    ['competences', 'competent']
    """
    stemmers = _STEMMERS.values() if lang not in _STEMMERS else [_STEMMERS[lang]]
    forms = {word, *(stemmer.stemWord(word) for stemmer in stemmers)}
    if 3 < len(word) < 6 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])  # Snowball leaves short plurals alone ("ctos", "rois"): its R1 region is empty.
    return frozenset(forms)


def content_words(text: str) -> list[str]:
    """The folded words of ``text`` that carry meaning, in order: stop words and numbers removed."""
    return [w for w in words(text) if w not in STOP_WORDS and not w.isdigit()]


def detect_language(text: str, default: str = "fr") -> str:
    """``"fr"`` or ``"en"``, from function words and accents; ``default`` when nothing tells."""
    folded = words(text)
    french = sum(w in _FRENCH_MARKERS for w in folded)
    english = sum(w in _ENGLISH_MARKERS for w in folded)
    if any(c in "éèêàùçôîâûëï" for c in text.lower()):
        french += 1
    if french == english:
        return default
    return "fr" if french > english else "en"


def truncate(text: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, on a word boundary when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def shorten(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters on a word boundary, with "…" when cut.

    >>> shorten("Repot in spring, when roots come out of the drainage hole", 30)
    'Repot in spring, when roots…'
    """
    if len(text) <= limit:
        return text
    return truncate(text, limit - 1).rstrip(" ,;:") + "…"

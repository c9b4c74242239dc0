"""Questions about someone else: "What does a CFO do?" asked of documents about the CTO.

A question of a role's form ("what does X do", "que fait un X", "the missions of X", "what does X stand for",
"what is a X" when X names a job) asks about X itself. When X holds none of the documents' subject words (those
most passages share, and those of the bot's ``about``), the documents do not answer it, however many of their
passages mention X in passing ("the CTO works with the CFO").

The other readings here say whose affair a question is when its form tells: another job's (``job_subject``,
``names_a_job``), the reader's own past (``addressed_to_someone``), the asker's own how-to (``asks_how_to``), or
the documents' own job pointed at without its name ("this role": ``role_reference``).

>>> role_subject("What does a Chief Operating Officer actually do?")
'chief operating officer'
>>> role_subject("Quelles sont les missions du directeur cybersécurité ?")
'directeur cybersecurite'
>>> role_subject("Qu'est-ce qu'un consultant ?"), role_subject("Qu'est-ce que la formation continue ?")
('consultant', None)
>>> role_subject("Le diplôme d'ingénieur, qu'est-ce que c'est ?")
"diplome d'ingenieur"
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.text import fold

_ARTICLE = r"(?:(?:a|an|the|un|une|le|la|les|l'|d'un|d'une|du|des|de la|de l'|de)\s*)?"
_ROLE_FORMS = [re.compile(p) for p in (
    r"\bwhat (?:does|do|did) " + _ARTICLE + r"(?P<x>[\w' -]+?) (?:\w+ly )?do\b",
    r"\bque (?:fait|font) (?:\w+ment )?" + _ARTICLE + r"(?P<x>[\w' -]+)",
    r"\b(?:role|roles|job|jobs|missions?|responsibilit(?:y|ies)|duties|responsabilites|taches|travail|fonction)"
    r" (?:of|du|de la|de l'|d'un|d'une|des|de) " + _ARTICLE + r"(?P<x>[\w' -]+)",
    r"\bwhat (?:does|do) (?P<x>[\w' -]+?) stand for\b",
    r"\b(?:are|is|of) (?:an? |the )?(?P<x>[\w -]+?)'s (?:main |key )?(?:roles?|responsibilities|duties|missions|job)\b",
    r"\bwhat(?:'s| is) (?:an? |the )?(?P<x>[\w' -]+?) (?:all |really )?about\b",
    r"\bwhat makes (?:an? |the )?(?:good|great|successful|effective|excellent) (?P<x>[\w' -]+)",
    r"\bwhat makes (?:an? |the )?(?P<x>(?!(?:an?|the)\b)[\w' -]+?) (?:good|great|successful|effective|excellent"
    r"|different|special|stand out)\b",
    r"\bqu'est[ -]ce qui fait (?:un |une |le |la |l')?(?:bon |bonne |grand |grande |excellent |excellente )?"
    r"(?P<x>[\w' -]+)",
)]
_WHO_FORM = re.compile(r"^who(?: is|'s) (?:an? |the )(?P<x>[\w' -]+?) ?\??$")
""""Who is the IT manager?": a question about that job when X ends with a job's noun (English puts it last)."""
_DEFINITION_FORMS = [re.compile(p) for p in (
    r"\bwhat(?: is|'s) (?:a|an) (?P<x>[\w' -]+)",
    r"\bqu'est[ -]ce (?:que|qu') ?(?:un|une) (?P<x>[\w' -]+)",
    r"\bc'est quoi (?:un|une) (?P<x>[\w' -]+)",
    r"\b(?:un|une) (?P<x>[\w' -]+?),? (?:au fait |en fait )?c'est quoi\b",
    r"^(?:le|la|les|l'|un|une) ?(?P<x>[\w' -]+?),? qu'est[ -]ce que c'est\b",
)]
JOB_WORDS = frozenset(
    """
    directeur directrice director officer chief manager chef head responsable lead consultant ingenieur engineer
    developpeur developer analyst analyste architecte architect administrateur administrator president ceo cfo
    cio coo cmo ciso cdo cpo rssi dsi daf drh vp founder fondateur associe partner comptable accountant
    scientist designer
    """.split()
)
"""Nouns that name a job: a "what is a …" question about one of them asks about that job."""

OTHER_JOB_WORDS = frozenset(
    """
    professeur professeurs professeure institutrice enseignant enseignante lecturer lecturers
    nurse nurses infirmier infirmiere infirmiers doctor doctors medecin medecins docteur lawyer lawyers avocat
    avocats pilot pilots pilote pilotes teacher teachers instituteur enseignants baker boulanger boulangers
    cuisinier cook cooks plumber plombier electrician electricien farmer agriculteur journalist
    journaliste pharmacist pharmacien dentist dentiste architecte police policier policeman firefighter
    pompier soldier soldat nanny secretary secretaire receptionist receptionniste cashier caissier salesman
    vendeur recruiter recruteur recruteurs marketer marketeur accountant comptables
    notaire notary judge juge actor acteur actrice musician musicien artist artiste writer ecrivain
    photographer photographe mechanic mecanicien chauffeur waiter serveur hairdresser coiffeur
    psychologist psychologue therapist veterinarian veterinaire scientist scientists chercheur researcher
    biologist biologiste chemist chimiste physicist physicien economist economiste banker banquier trader
    broker courtier steward hotesse athlete footballer footballeur
    student students etudiant etudiants intern stagiaire salarie salariee employee employees
    """.split()
)
"""Job nouns in general: a question about one of them that the documents never mention, and that does not
name the documents' subject, asks about that other job ("What skills does a nurse need?")."""
PERSONAL_WORDS = frozenset("my your our mon ma mes ton ta tes votre vos notre nos".split())
"""Possessives of the first and second person: "how do you decide on your budget?" asks about the asker's own
budget (or the reader's), not the documents' subject, unless it names that subject too."""
_TAIL = re.compile(r"\b(?:in|dans|au sein|within|at|for|pour|exactly|exactement|actually|vraiment|really)\b.*$")


_CONCEPT_FORMS = [re.compile(p) for p in (
    r"^(?:so |and |et |alors )?(?:what|what's|whats) (?:is|are) (?:an? |the )?(?P<x>[\w' -]+?) ?\??$",
    r"^(?:define|definition of|definition de|definis|definissez) (?:an? |the |la |le |les |l'|un |une )?"
    r"(?P<x>[\w' -]+?) ?\??$",
    r"^(?:et )?qu'est[ -]ce (?:que|qu') ?(?:la |le |les |l'|un |une )?(?P<x>[\w' -]+?) ?\??$",
    r"^(?:et )?c'est quoi (?:la |le |les |l'|un |une )?(?P<x>[\w' -]+?) ?\??$",
)]


_JOB_FORMS = [re.compile(p) for p in (
    r"\bskills? (?:does|do|should|must|would|will) (?:an? |the )?(?P<x>[\w' -]+?) (?:need|have|require)",
    r"\b(?:competences|qualites|aptitudes|qualities|skills|abilities) (?:pour|to|for|d'un|d'une|du|of an?|of the)"
    r" (?:etre |be |become |devenir )?(?:an? |the |un |une |le |la |l')?(?P<x>[\w' -]+)",
    r"\b(?:become|becoming|devenir) (?:an? |the |un |une |le |la |l')?(?P<x>[\w' -]+)",
    r"\b(?:to be|pour etre|d'etre) (?:an? |the |un |une )?(?:good |great |bon |bonne )?(?P<x>[\w' -]+)",
    r"\bcareer (?:paths?|progression|options|prospects) (?:of|for) (?:an? |the )?(?P<x>[\w' -]+)",
    r"\b(?:evolutions?|perspectives?|debouches) (?:de carriere )?(?:pour|d'un|d'une|du|des) (?:un |une |les? |la )?"
    r"(?P<x>[\w' -]+)",
)]


@lru_cache(maxsize=256)
def _normal(question: str) -> str:
    """``question`` folded, hyphens as spaces, one space between words: what every form below reads (each
    question is read by several of them, and by each document)."""
    return " ".join(fold(question).replace("-", " ").split())


def job_subject(question: str) -> str | None:
    """The folded X of a question about a job's path or skills ("How do I become a data engineer?",
    « Quelles compétences pour être DSI ? »), when X names a job; else None.

    >>> job_subject("What skills does a product manager need?"), job_subject("Comment devenir développeur web ?")
    ('product manager', 'developpeur web')
    >>> job_subject("What skills do I need to be a good chef?")
    'chef'
    >>> job_subject("How do I become a better person?") is None
    True
    """
    text = _normal(question)
    for form in _JOB_FORMS:
        found = form.search(text)
        if found and (JOB_WORDS | OTHER_JOB_WORDS) & set(re.findall(r"[a-z0-9]+", found.group("x"))):
            return _tidy(found.group("x"))
    return None


_REQUEST = (r"(?!\s+(?:please\s+)?"
            r"(?:tell|explain|say|give|describe|list|help|show|share|clarify|define|summari[sz]e|let))")
_TO_SOMEONE = re.compile(
    r"\b(?:did|would|have|had|were|will|could) you\b" + _REQUEST + r"|\b(?:do|did) you (?:want|wish|like|regret|fear)\b"
    r"|\b(?:voulez|feriez|aimeriez|regrettez|pensez) vous\b|\b(?:veux|ferais|aimerais|regrettes) tu\b"
    r"|\b(?:was|were|did) your\b|\b(?:se sont|s'est) passes? (?:vos|votre|tes|ton|ta)\b")  # "how was your first year"


def addressed_to_someone(question: str) -> bool:
    """True when the question asks its reader about their own past, wishes or choices ("How did you become a
    CTO?", "Why do you want to…", « Que feriez-vous… ? »), not about the documents; a polite request ("Could you
    explain…?") is not one.

    >>> addressed_to_someone("Why do you want to become a CTO?"), addressed_to_someone("How do you become a CTO?")
    (True, False)
    >>> addressed_to_someone("Could you explain what a CTO does?")
    False
    >>> addressed_to_someone("Comment se sont passés vos débuts ?"), addressed_to_someone("How was your first year?")
    (True, True)
    """
    return bool(_TO_SOMEONE.search(_normal(question)))


def concept_of(question: str) -> str | None:
    """The folded X of a bare definition question ("What is innovation?", « Qu'est-ce que la veille ? »), or
    None: such a question asks what X means, which a passage that only mentions X does not say.

    >>> concept_of("What is innovation?"), concept_of("Qu'est-ce que la formation continue ?")
    ('innovation', 'formation continue')
    >>> concept_of("What is the role of a CTO?"), concept_of("How do I become a CTO?")
    ('role of a cto', None)
    """
    text = _normal(question)
    for form in _CONCEPT_FORMS:
        if found := form.search(text):
            return " ".join(found.group("x").split()) or None  # whole: "skills for a CTO" names the subject
    return None


def role_subject(question: str) -> str | None:
    """The folded X of a question of a role's form, or None when the question has no such form."""
    text = " ".join(re.sub(r"\([^()]*\)", " ", fold(question).replace("-", " ")).split())  # "officer (cfo) about"
    for form in _ROLE_FORMS:
        if found := form.search(text):
            return _tidy(found.group("x"))
    if (found := _WHO_FORM.search(text)) and found.group("x").split()[-1] in JOB_WORDS:
        return _tidy(found.group("x"))
    for form in _DEFINITION_FORMS:
        if (found := form.search(text)) and JOB_WORDS & set(re.findall(r"[a-z0-9]+", found.group("x"))):
            return _tidy(found.group("x"))
    return None


def _tidy(subject: str) -> str:
    return " ".join(_TAIL.sub("", subject).split())


_HOW_TO = re.compile(
    r"\bhow (?:to|do i|do we|can i|can we|should i|should we)\b|\bwhy (?:should|would|do|must) (?:i|we|one)\b"
    r"|\bcomment (?:je|j'|on|faire|bien|\w+(?:er|ir|re))\b|\bpourquoi (?:faire|\w+er)\b")


def asks_who(tokens: list[str]) -> bool:
    """True when folded ``tokens`` open with "who" or « qui »: in documents about a job, the answer is that job
    (so such a question is neither a how-to nor about the other jobs it names)."""
    return tokens[:1] in (["who"], ["qui"], ["whose"])


def asks_how_to(question: str) -> bool:
    """True when the question asks how, or why, to do something ("Comment gérer les dépenses imprévues ?",
    "Why should I make a budget?") and does not point at a role ("this role", « ce métier »): without the
    documents' subject, in documents about a job, that is the asker's own affair.

    >>> asks_how_to("Pourquoi faire un budget ?"), asks_how_to("Pourquoi les entreprises ont besoin de ce métier ?")
    (True, False)
    """
    text = _normal(question)
    if asks_who(text.split()):  # "Qui décide comment dépenser le budget ?"
        return False
    return bool(_HOW_TO.search(text)) and role_reference(re.findall(r"[\w']+", text)) is None


_OTHER_SENSES = frozenset("pilot pilots pilote pilotes serveur cook cooks judge juge avocat avocats".split())
TITLE_WORDS = OTHER_JOB_WORDS - _OTHER_SENSES | frozenset(
    """
    ceo cfo cio coo cmo ciso cdo cpo cro rssi dsi daf drh pdg vp directeur directrice director officer chief president
    presidente developer developpeur developpeuse engineer ingenieur manager analyst analyste architect
    architecte designer consultant
    """.split()
)
"""Words that name a job or an executive, unlike "responsable" or "lead", which also say who is in charge, or
« pilote » and « serveur », which also say who steers a strategy and what runs the software."""


def names_a_job(tokens: list[str]) -> bool:
    """True when folded ``tokens`` name a job or an executive ("the CFO and CIO", « les développeurs »).

    >>> names_a_job(["why", "should", "cios", "learn"]), names_a_job(["who", "is", "responsible", "for", "it"])
    (True, False)
    """
    if asks_who(tokens):  # "Who do the developers report to?": here, the CTO
        return False
    return any(t in TITLE_WORDS or len(t) > 3 and t.endswith("s") and t[:-1] in TITLE_WORDS for t in tokens)


_DEMONSTRATIVES = frozenset("this that such ce cet cette".split())
ROLE_NOUNS = frozenset("role roles job position post title poste metier fonction titre".split())


def role_reference(tokens: list[str]) -> tuple[int, int] | None:
    """Where folded ``tokens`` point at a role without naming it ("that role", "such a coveted position",
    « ce poste »): in documents about a job, that job.

    >>> role_reference("how do you earn such a coveted position".split()), role_reference(["what", "role"])
    ((4, 8), None)
    """
    for i, token in enumerate(tokens):
        if token in _DEMONSTRATIVES:
            for j in range(i + 1, min(i + 4, len(tokens))):
                if tokens[j] in ROLE_NOUNS:
                    return i, j + 1
    return None

"""The bot's own sentences, in French and English. Adapters render them; the engine fills them in.

What the bot answers about (``{about}``) comes from the knowledge's ``bot`` block, not from here.
"""

from __future__ import annotations

from collections.abc import Sequence

MESSAGES = {
    "fr": {
        "greeting": "Bonjour ! Je réponds aux questions sur {about}.",
        "thanks": "Avec plaisir ! N’hésitez pas si vous avez d’autres questions sur {about}.",
        "bye": "Au revoir, et bonne continuation !",
        "help": "Posez-moi une question sur {about}, en français ou en anglais.",
        "topics": "Je peux vous parler de : {topics}.",
        "suggest": "Je ne suis pas sûr d’avoir compris. Vouliez-vous dire :",
        "decline": "Je n’ai pas la réponse : mes documents ne traitent pas de cette question.",
        "out_of_scope": "Je n’ai pas la réponse : mes documents ne traitent pas de {topic}.",
        "example": "Par exemple : « {example} »",
        "original_language": "(Ce passage n’existe qu’en anglais.)",
        "default_about": "mes documents",
    },
    "en": {
        "greeting": "Hello! I answer questions about {about}.",
        "thanks": "You're welcome! Ask me anything else about {about}.",
        "bye": "Goodbye, and good luck!",
        "help": "Ask me a question about {about}, in English or in French.",
        "topics": "I can tell you about: {topics}.",
        "suggest": "I'm not sure I understood. Did you mean:",
        "decline": "I don't know: my documents do not cover that question.",
        "out_of_scope": "I don't know: my documents do not cover {topic}.",
        "example": "For example: “{example}”",
        "original_language": "(This passage only exists in French.)",
        "default_about": "my documents",
    },
}


def message(lang: str, key: str, **values: str) -> str:
    """The sentence ``key`` in ``lang`` (French when the language is unknown)."""
    return MESSAGES.get(lang, MESSAGES["fr"])[key].format(**values)


def topics_line(lang: str, topics: Sequence[str]) -> str:
    return message(lang, "topics", topics=", ".join(topics))


def list_text(lead_in: str, items: Sequence[str]) -> str:
    """A lead-in and its items as plain text, one "• item" per line.

    >>> print(list_text("Les missions :", ["les équipes ;", "le budget."]))
    Les missions :
    • les équipes ;
    • le budget.
    """
    return "\n".join([lead_in, *(f"• {item}" for item in items)])


def standalone(item: str) -> str:
    """A list item read on its own: it ends as a sentence, not with the ";" or "," that led to the next item.

    >>> standalone("sécurité informatique : il protège l’entreprise ;"), standalone("le budget.")
    ('Sécurité informatique : il protège l’entreprise.', 'Le budget.')
    """
    text = item.rstrip()
    if text.endswith((";", ",")):
        text = text[:-1].rstrip() + "."
    return text[:1].upper() + text[1:]

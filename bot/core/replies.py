"""The bot's own sentences, in French and English. Adapters render them; the engine fills them in."""

from __future__ import annotations

from collections.abc import Sequence

MESSAGES = {
    "fr": {
        "greeting": "Bonjour ! Je réponds aux questions sur le métier de CTO (directeur technique).",
        "thanks": "Avec plaisir ! N’hésitez pas si vous avez d’autres questions sur le métier de CTO.",
        "bye": "Au revoir, et bonne continuation !",
        "help": "Posez-moi une question sur le métier de CTO, en français ou en anglais.",
        "topics": "Je peux vous parler de : {topics}.",
        "suggest": "Je ne suis pas sûr d’avoir compris. Vouliez-vous dire :",
        "decline": "Je n’ai pas la réponse : mon document sur le métier de CTO ne traite pas de cette question.",
        "example": "Par exemple : « {example} »",
    },
    "en": {
        "greeting": "Hello! I answer questions about the CTO (Chief Technology Officer) career.",
        "thanks": "You're welcome! Ask me anything else about the CTO career.",
        "bye": "Goodbye, and good luck!",
        "help": "Ask me a question about the CTO career, in English or in French.",
        "topics": "I can tell you about: {topics}.",
        "suggest": "I'm not sure I understood. Did you mean:",
        "decline": "I don't know: my document about the CTO career does not cover that question.",
        "example": "For example: “{example}”",
    },
}


def message(lang: str, key: str, **values: str) -> str:
    """The sentence ``key`` in ``lang`` (French when the language is unknown)."""
    return MESSAGES.get(lang, MESSAGES["fr"])[key].format(**values)


def topics_line(lang: str, topics: Sequence[str]) -> str:
    return message(lang, "topics", topics=", ".join(topics))


def suggestion_text(lang: str, questions: Sequence[str]) -> str:
    return "\n".join([message(lang, "suggest"), *(f"- {q}" for q in questions)])

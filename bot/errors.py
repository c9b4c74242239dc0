"""The errors cto-bot raises on purpose. Each message says what went wrong and what to do."""

from __future__ import annotations


class CtoBotError(Exception):
    """Base class of every error cto-bot raises on purpose."""


class KnowledgeError(CtoBotError):
    """The knowledge files cannot be used; ``problems`` lists each ``file:line: what is wrong``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ConfigurationError(CtoBotError):
    """A setting is missing or wrong, e.g. a token that is not set."""


class MissingSettingError(ConfigurationError):
    """An environment variable the command needs is not set."""

    def __init__(self, variable: str, purpose: str):
        self.variable = variable
        super().__init__(f"{variable} is not set: export {variable}=... ({purpose}); see the README.")

"""The cooldown is a service policy now (``bot.service.cooldown``); kept here for existing imports."""

from bot.service.cooldown import Cooldown, Decision, Verdict

__all__ = ["Cooldown", "Decision", "Verdict"]

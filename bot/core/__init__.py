"""The pure answer engine: text, index, matching, the knowledge model and the answer value.

Imports nothing of the project but ``bot.errors``: no I/O, no environment, no platform."""

"""The Discord adapter: mentions, DMs and ``/cto`` in, embeds and buttons out (see docs/discord.md)."""

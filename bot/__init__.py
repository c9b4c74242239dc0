"""cto-bot: answers questions about the CTO career. The engine is pure; adapters carry it to platforms."""

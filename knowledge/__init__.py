"""The knowledge the bot answers from: one YAML file per document, merged. See ``bot/loader.py`` for the format."""

"""The one place that builds an engine from settings; every entry point and test goes through it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.engine import Engine
from bot.loader import knowledge_paths, load_knowledge


def build_engine(knowledge: str | Path | list[str | Path] | None = None,
                 environ: Mapping[str, str] | None = None) -> Engine:
    """An engine over the knowledge at ``knowledge``, else ``CTO_BOT_KNOWLEDGE``, else the installed folder.

    Raises KnowledgeError (with ``file:line`` problems) when the knowledge is broken.
    """
    if isinstance(knowledge, list):
        paths = [Path(p) for p in knowledge]
    else:
        paths = knowledge_paths(str(knowledge) if knowledge else None, os.environ if environ is None else environ)
    return Engine(load_knowledge(paths))

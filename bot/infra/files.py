"""The knowledge YAML files as a knowledge source for the live reload: what to load, and when it changed."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

from bot.core.knowledge import Knowledge
from bot.errors import KnowledgeError
from bot.infra.loader import knowledge_files, load_knowledge


class YamlFiles:
    """Knowledge from YAML files or folders; its stamp is each file's name, modification time and size."""

    def __init__(self, paths: list[Path]):
        self.paths = [Path(p) for p in paths]

    def load(self) -> Knowledge:
        return load_knowledge(self.paths)

    def stamp(self) -> Hashable:
        try:
            files = knowledge_files(self.paths)
        except KnowledgeError:
            return ()
        stamps = []
        for f in files:
            try:
                stat = f.stat()
                stamps.append((str(f), stat.st_mtime_ns, stat.st_size))
            except OSError:
                continue
        return tuple(stamps)

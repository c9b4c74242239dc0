"""Edit knowledge files in place: a round-trip YAML that keeps comments and order, and whole-file writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ruamel.yaml import YAML


def round_trip() -> YAML:
    """ruamel.yaml set up like the files ``cto-bot import`` writes: comments, order and quotes kept."""
    yaml = YAML()
    yaml.width = 110
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.preserve_quotes = True
    return yaml


def temporary_beside(path: Path, text: str) -> Path:
    """Write ``text`` to a new file in ``path``'s folder, named so that no knowledge loader reads it."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    return Path(name)


def replace_file(temporary: Path, path: Path) -> None:
    """Put ``temporary`` in ``path``'s place in one step, keeping ``path``'s permissions: a reader (the bots'
    live reload) sees the old file or the new one, never half of it."""
    try:
        os.chmod(temporary, path.stat().st_mode & 0o777)
    except OSError:
        pass
    os.replace(temporary, path)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    temporary = temporary_beside(path, text)
    try:
        replace_file(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)

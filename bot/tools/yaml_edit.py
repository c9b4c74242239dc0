"""Edit knowledge files in place: a round-trip YAML that keeps comments and order (and, through
``keep_wrapping``, how the unchanged long texts were wrapped), and whole-file writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from ruamel.yaml import YAML

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def _scalars(text: str) -> list[yaml.ScalarNode]:
    found: list[yaml.ScalarNode] = []
    stack = [yaml.compose(text, Loader=_LOADER)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            found.append(node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
    return found


def keep_wrapping(original: str, edited: str) -> str:
    """``edited`` (written back by ruamel.yaml, which re-wraps every long text) with each text that was in
    ``original`` at the same column written exactly as it was there, so that a diff shows only what changed.
    The new lines lose their trailing spaces (ruamel.yaml leaves one where it wraps). ``edited`` itself when
    the result would not load as the same data."""
    try:
        written: dict[tuple[str, int], str] = {}
        for node in _scalars(original):
            if node.start_mark.line != node.end_mark.line:
                written.setdefault((node.value, node.start_mark.column),
                                   original[node.start_mark.index:node.end_mark.index])
        pieces, last = [], 0
        for node in sorted(_scalars(edited), key=lambda n: n.start_mark.index):
            span = written.get((node.value, node.start_mark.column))
            if span is not None and node.start_mark.index >= last:
                pieces += [edited[last:node.start_mark.index], span]
                last = node.end_mark.index
        result = "".join(pieces) + edited[last:]
        data = yaml.load(edited, Loader=_LOADER)
        if yaml.load(result, Loader=_LOADER) != data:
            return edited
        old_lines = set(original.splitlines())
        trimmed = "".join(line.rstrip() + "\n" if line.rstrip("\n") not in old_lines else line
                          for line in result.splitlines(keepends=True))
        return trimmed if yaml.load(trimmed, Loader=_LOADER) == data else result
    except yaml.YAMLError:
        return edited

"""Read a knowledge YAML file into nodes safely: every failure is a ``file:line: what is wrong`` problem.

Knowledge is edited by hand and reloaded by running bots, so nothing in a file may crash a process or exhaust
it: undecodable bytes, control characters and every YAML error become KnowledgeError, and anchors and
aliases (``&name`` / ``*name``, whose nesting can expand a small file into billions of nodes) are refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.errors import KnowledgeError

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (about ten times faster), else the pure-Python one."""

MAX_PROBLEMS = 50
"""How many problems a KnowledgeError lists before "… and N more"."""

_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What YAML refuses in a stream (its "printable" set, YAML 1.1 §5.1)."""
_MAYBE_ANCHOR = re.compile(r"(?:^[ \t]*(?:[-?][ \t]+)*|[\[{,][ \t]*|:[ \t]+)(?:![^\s\[\]{},]*[ \t]+)?"
                           r"[&*][^\s\[\]{},]", re.MULTILINE)
"""Where an anchor (``&name``) or an alias (``*name``) may start: where a node starts (a line's start, after "- ",
"? " or "key: ", or after a flow collection's "[", "{" or ","), a tag perhaps before it. Markdown's "**bold**"
inside a text is none of these, so most imported files need no second parse."""


def compose_file(file: Path) -> yaml.Node | None:
    """The YAML node tree of ``file`` (None when it holds no document); raise KnowledgeError naming the line."""
    text = read_text(file)
    problems = control_characters(file, text)
    if problems:
        raise KnowledgeError(capped(problems))
    if _MAYBE_ANCHOR.search(text):  # "R&D" or "a * b" in a text cannot be one: no second parse for them
        _refuse_anchors_and_aliases(file, text)
    try:
        return yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        raise KnowledgeError([f"{file}:{_line_of(error, text)}: YAML syntax error: {_problem(error)}; "
                              "fix the indentation or quoting there"]) from None
    except RecursionError:
        raise KnowledgeError([f"{file}:1: the YAML is nested too deeply; a knowledge file needs only "
                              "sections, passages and lists of texts"]) from None


def read_text(file: Path) -> str:
    """The file's text, which must be UTF-8; raise KnowledgeError naming the line and byte otherwise."""
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise KnowledgeError([f"{file}:1: cannot read the file: {error.strerror or error}"]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise KnowledgeError([f"{file}:{line}: not UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start} "
                              "cannot be decoded; save the file as UTF-8"]) from None


def control_characters(file: Path, text: str) -> list[str]:
    """One problem per line that holds a character YAML refuses (NUL, other control characters…)."""
    problems = []
    line, counted_to, reported = 1, 0, 0
    for match in _NOT_PRINTABLE.finditer(text):
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        if line == reported:
            continue
        reported = line
        column = match.start() - text.rfind("\n", 0, match.start())
        problems.append(f"{file}:{line}: control character U+{ord(match.group()):04X} at column {column} is not "
                        "allowed in YAML; remove it")
    return problems


def _refuse_anchors_and_aliases(file: Path, text: str) -> None:
    problems = []
    try:
        for event in yaml.parse(text, Loader=YAML_LOADER):
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
                line = event.start_mark.line + 1 if event.start_mark else 1
                problems.append(f"{file}:{line}: YAML anchor or alias {sign}{anchor} is not allowed in "
                                "knowledge; write the text out in full")
                if len(problems) > MAX_PROBLEMS:
                    break
    except yaml.YAMLError:
        pass  # compose reports it with its line
    if problems:
        raise KnowledgeError(capped(problems))


def _line_of(error: yaml.YAMLError, text: str) -> int:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        return mark.line + 1 if mark else 1
    position = getattr(error, "position", None)  # a ReaderError: an offset into the text
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem:
        return error.problem
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def capped(problems: list[str], limit: int = MAX_PROBLEMS) -> list[str]:
    """The first ``limit`` problems, then one line saying how many more there are.

    >>> capped(["a", "b", "c"], limit=2)
    ['a', 'b', '… and 1 more problem(s); fix these first']
    """
    if len(problems) <= limit:
        return problems
    return [*problems[:limit], f"… and {len(problems) - limit} more problem(s); fix these first"]

"""Add one alternate question to a passage of a knowledge file by inserting text, so that every other byte
of the file (comments, order, line breaks inside long texts) stays as it was.

A round-trip library keeps comments but re-wraps every long text it writes back (ruamel.yaml changed 162
lines of the shipped article's file to add one question); an insertion at the right place changes one
line. The result is checked: it must load as the old data with the question added, else ``None`` is
returned and the caller falls back to a ruamel.yaml round trip.
"""

from __future__ import annotations

import copy

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _field(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def _end(node: yaml.Node) -> int:
    """Where a node's text ends (a block collection ends with its last value, not at the next key)."""
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end(node.value[-1])
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _end(node.value[-1][1])
    return node.end_mark.index


def _end_of_line(text: str, index: int) -> int:
    """The index of the line break ending the line that holds ``index`` (after any trailing comment)."""
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline


def _block_item(question: str) -> str:
    return yaml.safe_dump([question], allow_unicode=True, default_flow_style=False, width=1_000_000).rstrip("\n")


def _flow_item(question: str) -> str:
    return yaml.safe_dump([question], allow_unicode=True, default_flow_style=True, width=1_000_000).strip()[1:-1]


def find_passage(root: yaml.Node, passage_id: str) -> yaml.MappingNode | None:
    """The mapping node of the passage with ``passage_id`` in a composed knowledge file."""
    sections = _field(root, "sections") if isinstance(root, yaml.MappingNode) else None
    if not isinstance(sections, yaml.SequenceNode):
        return None
    for section in sections.value:
        passages = _field(section, "passages") if isinstance(section, yaml.MappingNode) else None
        for passage in passages.value if isinstance(passages, yaml.SequenceNode) else []:
            pid = _field(passage, "id") if isinstance(passage, yaml.MappingNode) else None
            if isinstance(pid, yaml.ScalarNode) and pid.value == passage_id:
                return passage
    return None


def _insertion(text: str, passage: yaml.MappingNode, lang: str, question: str) -> tuple[int, int, str] | None:
    """(start, end, replacement) that adds ``question``, or None for a layout this does not handle."""
    questions = _field(passage, "questions")
    if questions is None:
        indent = " " * passage.value[0][0].start_mark.column
        at = _end_of_line(text, _end(passage))
        item = _block_item(question)
        return at, at, f"\n{indent}questions:\n{indent}  {lang}:\n{indent}  {item}"
    if not isinstance(questions, yaml.MappingNode) or questions.flow_style or not questions.value:
        return None
    listed = _field(questions, lang)
    if listed is None:
        indent = " " * questions.value[0][0].start_mark.column
        at = _end_of_line(text, _end(questions))
        return at, at, f"\n{indent}{lang}:\n{indent}{_block_item(question)}"
    if not isinstance(listed, yaml.SequenceNode):
        return None
    if listed.flow_style and not listed.value:  # `en: []` becomes a block list, like the filled-in ones
        key = next(k for k, v in questions.value if v is listed)
        indent = " " * key.start_mark.column
        return key.end_mark.index, listed.end_mark.index, f":\n{indent}{_block_item(question)}"
    if listed.flow_style:
        close = text.rfind("]", listed.start_mark.index, listed.end_mark.index)
        if close < 0:
            return None
        separator = ", " if listed.value else ""
        return close, close, separator + _flow_item(question)
    first = listed.value[0]
    line_start = text.rfind("\n", 0, first.start_mark.index) + 1
    prefix = text[line_start:first.start_mark.index]
    if prefix.strip() != "-":
        return None
    at = _end_of_line(text, _end(listed))
    return at, at, "\n" + prefix[: prefix.index("-")] + _block_item(question)


def _expected(data: dict, passage_id: str, lang: str, question: str) -> dict:
    expected = copy.deepcopy(data)
    for section in expected["sections"]:
        for passage in section["passages"]:
            if passage.get("id") == passage_id:
                questions = passage.setdefault("questions", {})
                questions[lang] = [*(questions.get(lang) or []), question]
    return expected


def add_question(text: str, passage_id: str, lang: str, question: str) -> str | None:
    """``text`` (a knowledge file) with ``question`` added to the passage's ``questions.<lang>``, every other
    byte unchanged; None when the file's layout there is not one this can edit safely."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None
    passage = find_passage(root, passage_id) if root is not None else None
    if passage is None or not passage.value:
        return None
    change = _insertion(text, passage, lang, question)
    if change is None:
        return None
    start, end, replacement = change
    edited = text[:start] + replacement + text[end:]
    try:
        if yaml.load(edited, Loader=_LOADER) != _expected(data, passage_id, lang, question):
            return None
    except yaml.YAMLError:
        return None
    return edited

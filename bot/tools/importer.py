"""Turn a document (plain text, Markdown or HTML) into a knowledge YAML skeleton that answers as it is.

Headings become sections; paragraphs, list items and code blocks become passages. A list stays attached to
the paragraph that introduces it: that lead-in passage carries ``items:`` (its items' ids), so that a
question about the whole list is answered with all of it. Text is kept verbatim except for whitespace:
non-breaking and odd spaces become plain spaces, runs of spaces collapse, bullet markers and blank lines
(even those holding only a non-breaking space) go. Apostrophes are kept as written: matching folds them,
and answers quote the document exactly. The file's ``lang`` is detected from the text unless given.

The format is chosen from the file name (``.md``/``.markdown``, ``.html``/``.htm``, else plain text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.knowledge import LANGS, other_language
from bot.core.text import STOP_WORDS, clean_spaces, detect_language, fold
from bot.errors import ConfigurationError

_BULLET = re.compile(r"^\s*(?:[•◦▪‣·●○■□\-*+–—]|\d+[.)])\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(.*?)\s*#*\s*$")
_SENTENCE_END = (".", ":", ";", ",", "!", "…")
MAX_HEADING_CHARS = 120
FORMATS = ("text", "markdown", "html")
_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


@dataclass
class _Section:
    heading: str
    blocks: list[str] = field(default_factory=list)
    """The passages' texts, in document order."""
    lists: dict[int, list[int]] = field(default_factory=dict)
    """For each lead-in (index in ``blocks``), the indexes of its list's items."""


class DocumentBuilder:
    """Collects a document's sections as a parser walks it; each format's parser feeds one."""

    def __init__(self) -> None:
        self._sections: list[_Section] = []
        self._lead_in: int | None = None
        """The index of the last block when it is a paragraph that a list may follow, else None."""
        self._open_list: int | None = None
        """The lead-in of the list the last blocks belong to: a list right after it ("- a", then "* b") goes on."""

    def _current(self) -> _Section:
        if not self._sections:
            self._sections.append(_Section(""))
        return self._sections[-1]

    def heading(self, text: str) -> None:
        text = clean_spaces(text)
        if text:
            self._sections.append(_Section(text))
            self._lead_in = self._open_list = None

    def paragraph(self, text: str) -> None:
        text = clean_spaces(text)
        if text:
            section = self._current()
            section.blocks.append(text)
            self._lead_in = len(section.blocks) - 1
            self._open_list = None

    def code(self, text: str) -> None:
        """A code block: kept line by line (only trailing spaces and blank edges go)."""
        text = "\n".join(line.rstrip() for line in text.replace("\u00a0", " ").splitlines()).strip("\n")
        if text.strip():
            self._current().blocks.append(text)
            self._lead_in = self._open_list = None

    def items(self, texts: list[str], *, lead_in_ends_with_colon: bool = False) -> None:
        """A list: its items become passages, attached to the paragraph just before it, if any."""
        texts = [t for t in (clean_spaces(t) for t in texts) if t]
        if not texts:
            return
        section = self._current()
        lead_in = self._lead_in
        if lead_in is not None and lead_in_ends_with_colon and not section.blocks[lead_in].endswith(":"):
            lead_in = None
        first = len(section.blocks)
        section.blocks.extend(texts)
        if lead_in is not None:
            section.lists[lead_in] = list(range(first, len(section.blocks)))
            self._open_list = lead_in
        elif self._open_list is not None:  # the same list, another bullet sign
            section.lists[self._open_list] += range(first, len(section.blocks))
        self._lead_in = None

    def sections(self) -> list[_Section]:
        return [s for s in self._sections if s.blocks]


def slug(text: str, limit: int = 4) -> str:
    """A short id made of the first meaningful words of ``text``.

    >>> slug("Les compétences pour être un CTO performant")
    'competences-cto-performant'
    """
    words = [w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in STOP_WORDS]
    return "-".join(words[:limit]) or "section"


# -- plain text -----------------------------------------------------------------------------------------


def _is_heading(block: list[str], markdown: bool) -> bool:
    if len(block) != 1 or _BULLET.match(block[0]):
        return False
    line = block[0]
    return not markdown and len(line) <= MAX_HEADING_CHARS and not line.endswith(_SENTENCE_END)


def _opens_with_heading(block: list[str], markdown: bool) -> bool:
    """True when a block's first line is a heading written right above its text: short, without final
    punctuation, and followed by a line that starts a sentence or a list ("Les étapes" / "Voici les étapes :")."""
    if markdown or len(block) < 2 or not _is_heading(block[:1], markdown):
        return False
    following = clean_spaces(block[1])
    return len(block[0].split()) <= 8 and bool(following) and (following[0].isupper() or bool(_BULLET.match(block[1])))


def split_document(raw: str) -> list[_Section]:
    """Sections of a plain-text document, each with its heading and its passages' texts, in order.

    Blocks are separated by blank lines; a short line without final punctuation alone in its block is a
    heading (so is the first block). A paragraph ending with ':' followed by bullet lines is their lead-in.
    ``# headings`` are read too, for text that is almost Markdown.
    """
    markdown = any(_MD_HEADING.match(line) for line in raw.splitlines())
    doc = DocumentBuilder()
    block: list[str] = []
    bullets: list[str] = []
    first = True

    def end_list() -> None:
        doc.items(bullets, lead_in_ends_with_colon=True)
        bullets.clear()

    def flush() -> None:
        nonlocal first
        if not block:
            return
        heading = _MD_HEADING.match(block[0]) if markdown and len(block) == 1 else None
        if not heading and not first and _opens_with_heading(block, markdown):
            end_list()
            doc.heading(block.pop(0))
        if heading or (first and not markdown) or _is_heading(block, markdown):
            end_list()
            doc.heading(heading.group(1) if heading else block[0])
        else:
            for text, is_bullet in _passages(block):
                if is_bullet:
                    bullets.append(text)
                else:
                    end_list()
                    doc.paragraph(text)
        first = False
        block.clear()

    for line in raw.splitlines():
        text = clean_spaces(line)
        if not text:
            flush()
        elif markdown and _MD_HEADING.match(line):
            flush()
            block.append(line)
            flush()
        else:
            block.append(line)
    flush()
    end_list()
    return doc.sections()


def _passages(lines: list[str]) -> list[tuple[str, bool]]:
    """Paragraphs and bullets of one block, each with whether it is a bullet: a bullet starts a passage,
    other lines continue the current one."""
    passages: list[tuple[list[str], bool]] = []
    starts_new = True
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet:
            passages.append(([line[bullet.end():]], True))
        elif starts_new or not passages:
            passages.append(([line], False))
        else:
            passages[-1][0].append(line)
        starts_new = False
    return [(text, is_bullet) for lines_, is_bullet in passages if (text := clean_spaces(" ".join(lines_)))]


# -- every format -------------------------------------------------------------------------------------


def format_of(path: str | Path, requested: str | None = None) -> str:
    """``requested`` when given, else the format its extension names (plain text by default)."""
    return requested or _EXTENSIONS.get(Path(path).suffix.lower(), "text")


def parse(raw: str, fmt: str = "text") -> list[_Section]:
    """The sections of a document in format ``fmt`` (``text``, ``markdown`` or ``html``)."""
    if fmt == "markdown":
        from bot.tools.import_markdown import parse_markdown

        return parse_markdown(raw)
    if fmt == "html":
        from bot.tools.import_html import parse_html

        return parse_html(raw)
    return split_document(raw)


def read_source(path: str | Path) -> str:
    """The document's text; a file that is not UTF-8 is a usage error naming it, and where."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigurationError(f"{path}: not UTF-8: byte 0x{data[error.start]:02x} at offset {error.start} "
                                 f"(line {line}) cannot be decoded; convert it first, e.g. "
                                 f"`iconv -f latin1 -t utf-8 {path} > converted{Path(path).suffix}`") from None


def skeleton(raw: str, *, prefix: str = "", fmt: str = "text", lang: str | None = None) -> dict:
    """The knowledge mapping of a document: ``lang``, then sections and passages, with empty fields to fill
    in (the heading and text in the other language, alternate questions, keywords)."""
    sections = parse(raw, fmt)
    if lang is None:
        lang = detect_language(" ".join(b for s in sections for b in (s.heading, *s.blocks)))
    if lang not in LANGS:
        raise ConfigurationError(f"--lang {lang!r}: use one of {', '.join(LANGS)}")
    used: set[str] = set()

    def unique(candidate: str) -> str:
        name, n = candidate, 2
        while name in used:
            name, n = f"{candidate}-{n}", n + 1
        used.add(name)
        return name

    out = []
    for section in sections:
        section_id = unique(prefix + slug(section.heading or "introduction"))
        ids = [unique(f"{section_id}-{n}") for n in range(1, len(section.blocks) + 1)]
        passages = []
        for n, text in enumerate(section.blocks):
            passage: dict = {"id": ids[n]}
            if n in section.lists:
                passage["items"] = FlowList(ids[i] for i in section.lists[n])
            passage.update({"text": text, "translation": "", "questions": {"fr": [], "en": []}, "keywords": []})
            passages.append(passage)
        out.append({
            "id": section_id,
            "heading": section.heading or "Introduction",
            f"heading_{other_language(lang)}": "",
            "topic": {"fr": "", "en": ""},
            "passages": passages,
        })
    return {"lang": lang, "sections": out}


class FlowList(list):
    """A list written on one line: ``items: [a-2, a-3]``."""


class _Dumper(yaml.SafeDumper):
    """Block style, with code and other several-line texts as literal blocks (``|``)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not any(line != line.rstrip() for line in value.splitlines()) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(FlowList, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", value, flow_style=True))


def to_yaml(data: dict) -> str:
    """Knowledge as YAML that people can read and edit."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110,
                     default_flow_style=False)

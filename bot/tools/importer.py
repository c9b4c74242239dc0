"""Turn a plain-text or Markdown document into a knowledge YAML skeleton to enrich by hand.

Headings become sections, paragraphs and bullets become passages. Text is kept verbatim except for
whitespace: non-breaking and odd spaces become plain spaces, runs of spaces collapse, bullet markers
and blank lines (even those holding only a non-breaking space) go. Apostrophes are kept as written:
matching folds them, and answers quote the document exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from bot.core.text import STOP_WORDS, clean_spaces, fold

_BULLET = re.compile(r"^\s*(?:[•◦▪‣·●○■□\-*+–—]|\d+[.)])\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(.*?)\s*#*\s*$")
_SENTENCE_END = (".", ":", ";", ",", "!", "…")
MAX_HEADING_CHARS = 120


@dataclass
class _Section:
    heading: str
    blocks: list[str] = field(default_factory=list)


def slug(text: str, limit: int = 4) -> str:
    """A short id made of the first meaningful words of ``text``.

    >>> slug("Les compétences pour être un CTO performant")
    'competences-cto-performant'
    """
    words = [w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in STOP_WORDS]
    return "-".join(words[:limit]) or "section"


def _is_heading(block: list[str], markdown: bool) -> bool:
    if len(block) != 1 or _BULLET.match(block[0]):
        return False
    line = block[0]
    return not markdown and len(line) <= MAX_HEADING_CHARS and not line.endswith(_SENTENCE_END)


def split_document(raw: str) -> list[_Section]:
    """Sections of a document, each with its heading and its passages' texts, in order."""
    markdown = any(_MD_HEADING.match(line) for line in raw.splitlines())
    sections: list[_Section] = []
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        heading = _MD_HEADING.match(block[0]) if markdown and len(block) == 1 else None
        if heading or (not sections and not markdown) or _is_heading(block, markdown):
            sections.append(_Section(clean_spaces(heading.group(1) if heading else block[0])))
        else:
            if not sections:
                sections.append(_Section(""))
            sections[-1].blocks.extend(_passages(block))
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
    return [s for s in sections if s.blocks]


def _passages(lines: list[str]) -> list[str]:
    """Paragraphs and bullets of one block: a bullet starts a passage, other lines continue the current one."""
    passages: list[list[str]] = []
    starts_new = True
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet:
            passages.append([line[bullet.end():]])
        elif starts_new or not passages:
            passages.append([line])
        else:
            passages[-1].append(line)
        starts_new = False
    return [clean_spaces(" ".join(p)) for p in passages if clean_spaces(" ".join(p))]


def skeleton(raw: str, *, prefix: str = "") -> dict:
    """The knowledge mapping of a document: sections and passages with empty fields to fill in."""
    used: set[str] = set()

    def unique(candidate: str) -> str:
        name, n = candidate, 2
        while name in used:
            name, n = f"{candidate}-{n}", n + 1
        used.add(name)
        return name

    sections = []
    for section in split_document(raw):
        section_id = unique(prefix + slug(section.heading or "introduction"))
        sections.append({
            "id": section_id,
            "heading": section.heading or "Introduction",
            "heading_en": "",
            "topic": {"fr": "", "en": ""},
            "passages": [
                {
                    "id": unique(f"{section_id}-{n}"),
                    "text": text,
                    "translation": "",
                    "questions": {"fr": [], "en": []},
                    "keywords": [],
                }
                for n, text in enumerate(section.blocks, start=1)
            ],
        })
    return {"sections": sections}


def to_yaml(data: dict) -> str:
    """Knowledge as YAML that people can read and edit."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)

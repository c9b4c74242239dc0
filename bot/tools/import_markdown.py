"""Read a Markdown document with markdown-it-py (CommonMark, plus tables): headings, paragraphs, lists with
their lead-in, code blocks, quotes and table rows. Inline markup goes, its text stays."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.core.text import strip_tags
from bot.tools.importer import DocumentBuilder, _Section

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def inline_text(token: Token) -> str:
    """The plain text of an inline token: emphasis, links and code marks dropped, images by their alt text."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
        elif child.type == "html_inline":
            parts.append(" ")
    return "".join(parts)


def parse_markdown(raw: str) -> list[_Section]:
    """The sections of a Markdown document (a YAML front matter block is skipped)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(_FRONT_MATTER.sub("", raw, count=1))
    doc = DocumentBuilder()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            doc.heading(inline_text(tokens[i + 1]))
            i += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            end = _closing(tokens, i)
            doc.items(_list_items(tokens[i + 1:end]))
            i = end + 1
        elif token.type == "paragraph_open":
            doc.paragraph(inline_text(tokens[i + 1]))
            i += 3
        elif token.type in ("fence", "code_block"):
            doc.code(token.content)
            i += 1
        elif token.type == "table_open":  # its rows, as the items of the paragraph that introduces it
            end = _closing(tokens, i)
            rows = [j for j in range(i, end) if tokens[j].type == "tr_open"]
            doc.items([" | ".join(inline_text(t) for t in tokens[j:_closing(tokens, j)] if t.type == "inline")
                       for j in rows], lead_in_ends_with_colon=True)
            i = end + 1
        elif token.type == "html_block":
            doc.paragraph(strip_tags(token.content))
            i += 1
        else:  # the open and close tokens of quotes and tables, rules: their content is read on its own
            i += 1
    return doc.sections()


def _closing(tokens: list[Token], start: int) -> int:
    """The index of the token closing the one at ``start``."""
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _list_items(tokens: list[Token]) -> list[str]:
    """Each top-level item's text; a nested list's items are joined into their parent item."""
    items: list[str] = []
    depth = 0
    for token in tokens:
        if token.type == "list_item_open":
            depth += 1
            if depth == 1:
                items.append("")
        elif token.type == "list_item_close":
            depth -= 1
        elif items and token.type == "inline":
            joint = "; " if depth > 1 else " "
            items[-1] = f"{items[-1]}{joint}{inline_text(token)}" if items[-1] else inline_text(token)
        elif items and token.type in ("fence", "code_block"):
            items[-1] = f"{items[-1]} {token.content}"
    return items

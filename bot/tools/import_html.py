"""Read an HTML document (e.g. a saved web page) with the standard library's ``html.parser``.

Only the page's content is kept: navigation, header, footer, asides, forms, scripts, styles and hidden
elements go, and when the page has a ``<main>`` (else a single ``<article>``) nothing outside it is read.
``h1``–``h6`` start sections; paragraphs, list items, table rows and ``pre`` blocks become passages; a list
right after a paragraph is that paragraph's list.
"""

from __future__ import annotations

from html.parser import HTMLParser

from bot.tools.importer import DocumentBuilder, _Section

DROPPED = frozenset("""
    head nav header footer aside script style noscript form template svg math button select textarea iframe
    object embed canvas dialog menu
""".split())
DROPPED_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "dialog"})
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LISTS = frozenset({"ul", "ol"})
BLOCKS = frozenset("""
    p div section article main body blockquote figure figcaption address dl dt dd table thead tbody tfoot
    caption hr details summary center
""".split())


class _Tags(HTMLParser):
    """The tag names a page uses, and how often."""

    def __init__(self) -> None:
        super().__init__()
        self.count: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count[tag] = self.count.get(tag, 0) + 1


class _Content(HTMLParser):
    """Feeds a DocumentBuilder with the content of a page."""

    def __init__(self, scope: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = DocumentBuilder()
        self.scope = scope
        self.in_scope = 0 if scope else 1
        self.skip_tag: str | None = None
        self.skip_depth = 0
        self.buffer: list[str] = []
        self.mode = "paragraph"
        """What ``buffer`` holds: ``paragraph``, ``heading``, ``pre`` or ``row``."""
        self.list_depth = 0
        self.items: list[str] = []
        self.title: list[str] = []
        self.in_title = False

    # -- what gets read --------------------------------------------------------------------------------

    def _hidden(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        values = dict(attrs)
        if tag == "header" and self.scope:  # an article's own header holds its title
            return False
        return (tag in DROPPED or "hidden" in values or values.get("aria-hidden") == "true"
                or (values.get("role") or "") in DROPPED_ROLES)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if self.skip_tag is not None:
            self.skip_depth += tag == self.skip_tag
            return
        if tag == self.scope:
            self.in_scope += 1
        if not self.in_scope:
            return
        if self._hidden(tag, attrs) and tag not in VOID:
            self.skip_tag, self.skip_depth = tag, 1
            return
        self._open(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_tag is None and self.in_scope and not self._hidden(tag, attrs):
            self._open(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if not self.skip_depth:
                    self.skip_tag = None
            return
        if not self.in_scope:
            return
        self._close(tag)
        if tag == self.scope:
            self.in_scope -= 1

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.skip_tag is None and self.in_scope:
            self.buffer.append(data)

    # -- what it becomes ---------------------------------------------------------------------------------

    def _open(self, tag: str) -> None:
        if tag == "br":
            self.buffer.append("\n" if self.mode == "pre" else " ")
        elif self.list_depth:
            self._open_in_list(tag)
        elif tag in HEADINGS or tag == "pre" or tag == "tr":
            self._flush()
            self.mode = {"pre": "pre", "tr": "row"}.get(tag, "heading")
        elif tag in ("td", "th") and self.mode == "row":
            if "".join(self.buffer).strip():
                self.buffer.append(" | ")
        elif tag in LISTS:
            self._flush()
            self.list_depth, self.items = 1, []
        elif tag in BLOCKS or tag == "li":
            self._flush()

    def _open_in_list(self, tag: str) -> None:
        if tag in LISTS:
            self.list_depth += 1
        elif tag == "li" and self.list_depth == 1:
            self._end_item()
        elif tag == "li":
            self.buffer.append("; ")
        elif tag in BLOCKS or tag in HEADINGS:
            self.buffer.append(" ")

    def _close(self, tag: str) -> None:
        if self.list_depth:
            if tag in LISTS:
                self.list_depth -= 1
                if not self.list_depth:
                    self._end_item()
                    self.doc.items(self.items)
                    self.items = []
            elif tag == "li" and self.list_depth == 1:
                self._end_item()
        elif tag in HEADINGS or tag in ("pre", "tr") or tag in BLOCKS or tag == "li":
            self._flush()

    def _end_item(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        if text.strip():
            self.items.append(text)

    def _flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        mode, self.mode = self.mode, "paragraph"
        if mode == "heading":
            self.doc.heading(text)
        elif mode == "pre":
            self.doc.code(text)
        else:
            self.doc.paragraph(text)

    def close(self) -> None:
        super().close()
        if self.list_depth:
            self._end_item()
            self.doc.items(self.items)
        self._flush()


def parse_html(raw: str) -> list[_Section]:
    """The sections of an HTML page; text before the first heading goes under the page's title."""
    tags = _Tags()
    tags.feed(raw)
    tags.close()
    scope = "main" if tags.count.get("main") else "article" if tags.count.get("article") == 1 else None
    parser = _Content(scope)
    parser.feed(raw)
    parser.close()
    sections = parser.doc.sections()
    title = " ".join("".join(parser.title).split())
    if sections and not sections[0].heading and title:
        sections[0].heading = title
    return sections

"""``cto-bot import SOURCE --update FILE``: re-read a document into its knowledge file without losing work.

A passage whose text did not change keeps everything a maintainer filled in (translation, questions,
keywords, its id). A passage whose text changed is found by close text, else by id: it keeps its fields,
takes the new text, and gets a ``# REVIEW: text changed on import`` comment, to check its translation and
questions. Sections keep their id, ``heading_en``/``heading_fr`` and topic. The file's comments and order
are kept (ruamel.yaml round trip), and so is the wrapping of texts that did not change.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.core.text import clean_spaces, fold
from bot.errors import ConfigurationError
from bot.tools.yaml_edit import keep_wrapping, round_trip, write_atomically

REVIEW = "REVIEW: text changed on import; check its translation, questions and keywords, then delete this line"
SIMILAR_TEXT = 75.0
"""The least rapidfuzz ratio between an old and a new text for the new one to be an edit of the old."""


@dataclass
class Changes:
    """What a re-import did, by passage id."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    kept: int = 0

    def summary(self) -> str:
        lines = [f"kept {self.kept} passage(s) unchanged, with their hand-filled fields"]
        for label, ids in (("added", self.added), ("changed (marked REVIEW)", self.changed),
                           ("removed", self.removed)):
            lines.append(f"{label}: {len(ids)}" + (f": {', '.join(ids)}" if ids else ""))
        return "\n".join(lines) + "\n"


def _same(text: str) -> str:
    return clean_spaces(text)


def update(existing: str, imported: dict, *, where: str = "the file") -> tuple[str, Changes]:
    """``existing`` (a knowledge file's YAML) brought up to date with ``imported`` (a ``skeleton``)."""
    yaml = round_trip()
    doc = yaml.load(existing)
    if not isinstance(doc, CommentedMap) or not isinstance(doc.get("sections"), list):
        raise ConfigurationError(f"{where}: not a knowledge file with 'sections'; import into a new file with -o")
    old_sections = [s for s in doc["sections"] if isinstance(s, CommentedMap)]
    old = [(s, p) for s in old_sections for p in (s.get("passages") or []) if isinstance(p, CommentedMap)]
    new = [(si, pi, p) for si, s in enumerate(imported["sections"]) for pi, p in enumerate(s["passages"])]
    match, changed = _match_passages(old, new)

    changes = Changes()
    added: list[tuple[int, int]] = []
    final_id: dict[str, str] = {}
    used = {str(p.get("id")) for _, p in old}  # a removed passage's id is not given to another
    nodes: dict[tuple[int, int], CommentedMap] = {}
    for si, pi, passage in new:
        k = match.get((si, pi))
        if k is None:
            node = CommentedMap(passage)
            node.pop("items", None)
            added.append((si, pi))
        else:
            node = old[k][1]
            if (si, pi) in changed:
                node["text"] = passage["text"]
                changes.changed.append(str(node["id"]))
            else:
                changes.kept += 1
        final_id[passage["id"]] = str(node["id"])
        nodes[si, pi] = node
    matched_old = set(match.values())
    changes.removed = [str(p.get("id")) for k, (_, p) in enumerate(old) if k not in matched_old]

    comments = {id(seq[k]): entry for s in old_sections if isinstance(seq := s.get("passages"), CommentedSeq)
                for k, entry in seq.ca.items.items() if isinstance(k, int) and k < len(seq)}
    claimed: set[int] = set()
    sections = CommentedSeq()
    for si, section in enumerate(imported["sections"]):
        passages = [nodes[si, pi] for pi in range(len(section["passages"]))]
        owner = _old_section(section, passages, old_sections, old, claimed)
        if owner is None:
            node = _new_section(section, {str(s.get("id")) for s in old_sections})
        else:
            node = old_sections[owner]
            if _same(str(node.get("heading", ""))) != section["heading"]:
                node["heading"] = section["heading"]
        for pi, item in enumerate(passages):
            if (si, pi) in added:
                item["id"] = _unique(f"{node['id']}-{pi + 1}", used)
                final_id[section["passages"][pi]["id"]] = item["id"]
                changes.added.append(item["id"])
        seq = CommentedSeq(passages)
        for pi, item in enumerate(passages):
            if id(item) in comments:  # the comment lines above a passage (e.g. a REVIEW not yet done)
                seq.ca.items[pi] = comments[id(item)]
        for pi, (passage, item) in enumerate(zip(section["passages"], passages, strict=True)):
            _set_items(item, [final_id[i] for i in passage.get("items", [])])
            if str(item["id"]) in changes.changed:
                seq.yaml_set_comment_before_after_key(pi, before=REVIEW, indent=_column(item) - 2)
        node["passages"] = seq
        sections.append(node)
    doc["sections"] = sections
    out = io.StringIO()
    yaml.dump(doc, out)
    return keep_wrapping(existing, _no_repeated_review(out.getvalue())), changes


def update_file(path: Path, imported: dict) -> Changes:
    """Bring the knowledge file at ``path`` up to date with ``imported``, in one atomic write."""
    text, changes = update(path.read_text(encoding="utf-8"), imported, where=str(path))
    write_atomically(path, text)
    return changes


def _match_passages(old: list[tuple[CommentedMap, CommentedMap]], new: list[tuple[int, int, dict]]
                    ) -> tuple[dict[tuple[int, int], int], set[tuple[int, int]]]:
    """Which old passage each new one continues (same text, else close text, else same id), and which of
    those pairs changed text."""
    match: dict[tuple[int, int], int] = {}
    free = set(range(len(old)))
    by_text: dict[str, list[int]] = {}
    for k, (_, p) in enumerate(old):
        by_text.setdefault(_same(str(p.get("text", ""))), []).append(k)
    for si, pi, passage in new:
        for k in by_text.get(_same(passage["text"]), []):
            if k in free:
                match[si, pi] = k
                free.discard(k)
                break
    changed: set[tuple[int, int]] = set()
    for si, pi, passage in new:
        if (si, pi) in match or not free:
            continue
        text = fold(passage["text"])
        best = max(free, key=lambda k: fuzz.ratio(text, fold(str(old[k][1].get("text", "")))))
        if fuzz.ratio(text, fold(str(old[best][1].get("text", "")))) >= SIMILAR_TEXT:
            match[si, pi] = best
            free.discard(best)
            changed.add((si, pi))
    ids = {str(old[k][1].get("id")): k for k in free}
    for si, pi, passage in new:
        same_id = ids.get(passage["id"])
        if (si, pi) not in match and same_id is not None and same_id in free:
            match[si, pi] = same_id
            free.discard(same_id)
            changed.add((si, pi))
    return match, changed


def _old_section(section: dict, passages: list[CommentedMap], old_sections: list[CommentedMap],
                 old: list[tuple[CommentedMap, CommentedMap]], claimed: set[int]) -> int | None:
    """The old section a new one continues: same heading, else same id, else the one its passages came from."""
    def claim(k: int | None) -> int | None:
        if k is not None:
            claimed.add(k)
        return k

    free = [k for k in range(len(old_sections)) if k not in claimed]
    for k in free:
        if _same(str(old_sections[k].get("heading", ""))) == section["heading"]:
            return claim(k)
    for k in free:
        if str(old_sections[k].get("id")) == section["id"]:
            return claim(k)
    owners = [next(k for k, s in enumerate(old_sections) if s is owner) for owner, p in old
              if any(p is q for q in passages)]
    owners = [k for k in owners if k in free]
    return claim(max(set(owners), key=owners.count)) if owners else None


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}-{n}", n + 1
    used.add(candidate)
    return candidate


def _new_section(section: dict, used: set[str]) -> CommentedMap:
    name, n = section["id"], 2
    while name in used:
        name, n = f"{section['id']}-{n}", n + 1
    node = CommentedMap((k, v) for k, v in section.items() if k != "passages")
    node["id"] = name
    return node


def _set_items(node: CommentedMap, items: list[str]) -> None:
    """Give a lead-in its list's ids (right after its id), or take ``items`` away from a passage that no
    longer introduces a list."""
    if not items:
        node.pop("items", None)
        return
    if [str(i) for i in node.get("items") or []] == items:
        return
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    if "items" in node:
        node["items"] = seq
    else:
        node.insert(1, "items", seq)


def _column(node: CommentedMap) -> int:
    """The column of a passage's keys (its ``- `` is two to the left)."""
    try:
        return max(int(node.lc.col), 2)
    except (AttributeError, TypeError):
        return 4


def _no_repeated_review(text: str) -> str:
    """One REVIEW line per passage, however many times the file is re-imported."""
    return re.sub(r"(^[ \t]*# REVIEW: [^\n]*\n)(?:[ \t]*# REVIEW: [^\n]*\n)+", r"\1", text, flags=re.MULTILINE)

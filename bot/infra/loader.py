"""Load and validate knowledge YAML files, reporting each problem as ``file:line: what is wrong``.

The format (one file per document; every file in a folder is merged)::

    sections:
    - id: role                       # unique across all files
      heading: Le rôle du CTO        # verbatim from the document
      heading_en: The role of the CTO
      topic: {fr: le rôle du CTO, en: the CTO's role}
      passages:
      - id: role-overview            # unique across all files, stable: answers and votes refer to it
        text: Le métier de CTO ...   # verbatim from the document
        translation: The CTO job ... # English
        questions:                   # alternate questions people ask
          fr: [Que fait un CTO ?]
          en: [What does a CTO do?]
        keywords: [directeur technique, CTO role]
        items: [missions-teams, missions-security]   # a list's lead-in: the ids of its items, in order

Beside ``sections``, a file may hold ``lang`` (``fr`` or ``en``: the language of its texts; default ``fr``),
``synonyms`` (groups of words that mean the same here), ``out_of_scope`` (topics people ask about that the
documents do not cover) and ``bot`` (the bot's name and what it answers about). The README documents them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import yaml

from bot.core.knowledge import LANGS, Identity, Knowledge, OutOfScope, Passage, Section
from bot.errors import KnowledgeError
from bot.infra.yaml_safety import capped, compose_file

FILE_KEYS = {"sections", "document", "source", "lang", "bot", "synonyms", "out_of_scope"}
SECTION_KEYS = {"id", "heading", "heading_en", "heading_fr", "topic", "passages"}
PASSAGE_KEYS = {"id", "text", "translation", "questions", "keywords", "items"}
TOPIC_KEYS = {"id", "topic", "questions", "keywords"}
BOT_KEYS = {"name", "about", "greeting"}


def knowledge_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files under ``paths`` (files, or folders read non-recursively), in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise KnowledgeError([f"{path}: no such file or folder; point --knowledge or CTO_BOT_KNOWLEDGE at "
                                  "a YAML file or a folder of them"])
    if not found:
        raise KnowledgeError([f"{', '.join(map(str, paths))}: no .yaml knowledge files found"])
    return found


def load_knowledge(paths: Iterable[Path | str]) -> Knowledge:
    """Load, validate and merge every knowledge file under ``paths``; raise KnowledgeError listing all problems."""
    files = knowledge_files([Path(p) for p in paths])
    problems: list[str] = []
    readers = [_FileReader(file, problems) for file in files]
    sections = [s for reader in readers for s in reader.read()]
    defined = [d for reader in readers for d in reader.defined]
    _check_unique_ids(defined, problems)
    _check_id_lengths(defined, problems)
    sections = _link_lists(sections, [link for reader in readers for link in reader.lists], problems)
    identities = [reader.identity for reader in readers if reader.identity is not None]
    if problems:
        raise KnowledgeError(capped(problems))
    return Knowledge(sections=tuple(sections), sources=tuple(str(f) for f in files),
                     synonyms=tuple(g for reader in readers for g in reader.synonyms),
                     synonyms_of=tuple((str(reader.file) if reader.has_sections else "", g)
                                       for reader in readers for g in reader.synonyms),
                     out_of_scope=tuple(t for reader in readers for t in reader.out_of_scope),
                     identity=identities[0] if identities else Identity())


def _link_lists(sections: list[Section], lists: list[tuple[str, tuple[str, ...], str]],
                problems: list[str]) -> list[Section]:
    """Check each lead-in's ``items`` (passages of its own section, in no other list) and mark each item with
    its lead-in. ``lists`` holds (lead-in id, item ids, file:line)."""
    section_of = {p.id: s.id for s in sections for p in s.passages}
    lead_in_of: dict[str, str] = {}
    for lead_in, items, where in lists:
        for item in items:
            if item not in section_of:
                problems.append(f"{where}: passage {lead_in!r} lists item {item!r}, which is no passage id")
            elif item == lead_in:
                problems.append(f"{where}: passage {lead_in!r} lists itself as an item")
            elif section_of[item] != section_of.get(lead_in):
                problems.append(f"{where}: item {item!r} of {lead_in!r} belongs to another section; a list's "
                                "items follow their lead-in in the same section")
            elif item in lead_in_of:
                problems.append(f"{where}: item {item!r} is already in the list of {lead_in_of[item]!r}")
            else:
                lead_in_of[item] = lead_in
    return [replace(s, passages=tuple(replace(p, lead_in=lead_in_of[p.id]) if p.id in lead_in_of else p
                                      for p in s.passages)) for s in sections]


def _check_unique_ids(defined: list[tuple[str, str, str]], problems: list[str]) -> None:
    """``defined`` holds (kind, id, file:line) for every section and passage, in file order."""
    seen: dict[tuple[str, str], str] = {}
    for kind, item_id, where in defined:
        if not item_id:
            continue
        if (kind, item_id) in seen:
            problems.append(f"{where}: duplicate {kind} id {item_id!r}, first defined at "
                            f"{seen[kind, item_id]}; give it another id")
        else:
            seen[kind, item_id] = where


MAX_ID_LENGTH = 200
"""Section and passage ids are stored with recorded questions and votes, in columns of this size."""


def _check_id_lengths(defined: list[tuple[str, str, str]], problems: list[str]) -> None:
    """An id longer than the store's columns could not be recorded (PostgreSQL refuses it)."""
    for kind, item_id, where in defined:
        if len(item_id) > MAX_ID_LENGTH:
            problems.append(f"{where}: {kind} id {item_id[:40]!r}... is {len(item_id)} characters long; "
                            f"shorten it to at most {MAX_ID_LENGTH}")


class _FileReader:
    """Walks one file's YAML nodes, so that every problem can name its line."""

    def __init__(self, file: Path, problems: list[str]):
        self.file = file
        self.problems = problems
        self.defined: list[tuple[str, str, str]] = []
        self.lists: list[tuple[str, tuple[str, ...], str]] = []
        self.synonyms: list[tuple[str, ...]] = []
        self.out_of_scope: list[OutOfScope] = []
        self.identity: Identity | None = None
        self.lang = "fr"
        self.has_sections = False

    def where(self, node: yaml.Node) -> str:
        return f"{self.file}:{node.start_mark.line + 1}"

    def fail(self, node: yaml.Node, message: str) -> None:
        self.problems.append(f"{self.where(node)}: {message}")

    def read(self) -> list[Section]:
        """The file's sections; its synonyms, out-of-scope topics and identity are kept on the reader."""
        try:
            root = compose_file(self.file)
        except KnowledgeError as error:
            self.problems.extend(error.problems)
            return []
        if root is None:
            self.problems.append(f"{self.file}:1: the file is empty; it needs a 'sections' list")
            return []
        if not isinstance(root, yaml.MappingNode):
            self.fail(root, "the file must be a mapping with a 'sections' list")
            return []
        fields = self.mapping(root, FILE_KEYS, "the file")
        if "lang" in fields:
            lang = self.string(fields, "lang", root, "the file")
            if lang in LANGS:
                self.lang = lang
            elif lang:
                self.fail(fields["lang"], f"'lang' must be one of {', '.join(LANGS)}, not {lang!r}")
        if "synonyms" in fields:
            self.synonyms = self.synonym_groups(fields["synonyms"])
        if "out_of_scope" in fields:
            self.out_of_scope = self.topics(fields["out_of_scope"])
        if "bot" in fields:
            self.identity = self.bot(fields["bot"])
        if "sections" not in fields:
            if not ({"synonyms", "out_of_scope", "bot"} & fields.keys()):
                self.fail(root, "missing 'sections': the file needs a list of sections (or synonyms, "
                                "out_of_scope or bot)")
            return []
        node = fields["sections"]
        self.has_sections = True
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.fail(node, "'sections' must be a non-empty list of sections")
            return []
        return [s for item in node.value if (s := self.section(item)) is not None]

    def mapping(self, node: yaml.MappingNode, allowed: set[str], what: str) -> dict[str, yaml.Node]:
        fields: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                self.fail(key_node, f"unknown field {key!r} in {what}; expected one of {', '.join(sorted(allowed))}")
            elif key in fields:
                self.fail(key_node, f"field {key!r} appears twice in {what}")
            else:
                fields[key] = value_node
        return fields

    def string(self, fields: dict[str, yaml.Node], key: str, owner: yaml.Node, what: str,
               required: bool = True) -> str:
        node = fields.get(key)
        if node is None:
            if required:
                self.fail(owner, f"{what} has no {key!r}")
            return ""
        if not required and node.tag == "tag:yaml.org,2002:null":
            return ""
        is_text = isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"
        if not is_text or (required and not node.value.strip()):
            self.fail(node, f"{what}: {key!r} must be a non-empty text")
            return ""
        return str(node.value).strip()

    def strings(self, node: yaml.Node | None, what: str) -> tuple[str, ...]:
        if node is None or node.tag == "tag:yaml.org,2002:null":
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list of texts")
            return ()
        out = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:str" and item.value.strip():
                out.append(str(item.value))
            else:
                self.fail(item, f"{what}: each entry must be a non-empty text")
        return tuple(out)

    def section(self, node: yaml.Node) -> Section | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, "each section must be a mapping with 'id', 'heading' and 'passages'")
            return None
        fields = self.mapping(node, SECTION_KEYS, "a section")
        section_id = self.string(fields, "id", node, "a section")
        what = f"section {section_id!r}" if section_id else "a section"
        heading = self.string(fields, "heading", node, what)
        topic = self.by_language(fields["topic"], f"{what}: 'topic'") if "topic" in fields else {}
        topic_fr, topic_en = topic.get("fr", ""), topic.get("en", "")
        passages_node = fields.get("passages")
        passages: list[Passage] = []
        if passages_node is None:
            self.fail(node, f"{what} has no 'passages'")
        elif not isinstance(passages_node, yaml.SequenceNode) or not passages_node.value:
            self.fail(passages_node, f"{what}: 'passages' must be a non-empty list")
        else:
            passages = [p for item in passages_node.value if (p := self.passage(item, section_id)) is not None]
        section = Section(id=section_id, heading=heading,
                          heading_en=self.string(fields, "heading_en", node, what, required=False),
                          heading_fr=self.string(fields, "heading_fr", node, what, required=False),
                          topic_fr=topic_fr, topic_en=topic_en, passages=tuple(passages), lang=self.lang,
                          document=str(self.file))
        self.defined.append(("section", section_id, self.where(node)))
        return section

    def passage(self, node: yaml.Node, section_id: str) -> Passage | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, "each passage must be a mapping with 'id' and 'text'")
            return None
        fields = self.mapping(node, PASSAGE_KEYS, "a passage")
        passage_id = self.string(fields, "id", node, "a passage")
        what = f"passage {passage_id!r}" if passage_id else "a passage"
        questions = self.questions(fields.get("questions"), what)
        items = self.strings(fields.get("items"), f"{what} items")
        if items:
            self.lists.append((passage_id, items, self.where(fields["items"])))
        passage = Passage(
            id=passage_id,
            text=self.string(fields, "text", node, what),
            translation=self.string(fields, "translation", node, what, required=False),
            questions_fr=questions["fr"],
            questions_en=questions["en"],
            keywords=self.strings(fields.get("keywords"), f"{what} keywords"),
            section_id=section_id,
            lang=self.lang,
            items=items,
        )
        self.defined.append(("passage", passage_id, self.where(node)))
        return passage

    def questions(self, node: yaml.Node | None, what: str) -> dict[str, tuple[str, ...]]:
        if node is None:
            return {lang: () for lang in LANGS}
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what}: 'questions' must be a mapping like {{fr: [...], en: [...]}}")
            return {lang: () for lang in LANGS}
        by_lang = self.mapping(node, set(LANGS), f"{what} questions")
        return {lang: self.strings(by_lang.get(lang), f"{what} questions.{lang}") for lang in LANGS}

    def by_language(self, node: yaml.Node, what: str) -> dict[str, str]:
        """A ``{fr: ..., en: ...}`` mapping of texts (either may be missing)."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping like {{fr: ..., en: ...}}")
            return {}
        names = self.mapping(node, set(LANGS), what)
        return {lang: self.string(names, lang, node, what, required=False) for lang in LANGS}

    def synonym_groups(self, node: yaml.Node) -> list[tuple[str, ...]]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, "'synonyms' must be a list of groups, each a list of words that mean the same")
            return []
        groups = []
        for item in node.value:
            group = self.strings(item, "a synonym group")
            if item.tag != "tag:yaml.org,2002:null" and isinstance(item, yaml.SequenceNode) and len(group) < 2:
                self.fail(item, "a synonym group needs at least two words or phrases")
            elif len(group) >= 2:
                groups.append(group)
        return groups

    def topics(self, node: yaml.Node) -> list[OutOfScope]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, "'out_of_scope' must be a list of topics, each with 'id', 'topic' and 'questions'")
            return []
        found = []
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                self.fail(item, "each out-of-scope topic must be a mapping with 'id', 'topic' and 'questions'")
                continue
            fields = self.mapping(item, TOPIC_KEYS, "an out-of-scope topic")
            topic_id = self.string(fields, "id", item, "an out-of-scope topic")
            what = f"out-of-scope topic {topic_id!r}" if topic_id else "an out-of-scope topic"
            names = self.by_language(fields["topic"], f"{what} 'topic'") if "topic" in fields else {}
            if not any(names.values()):
                self.fail(item, f"{what} needs a 'topic' like {{fr: les salaires, en: salaries}}")
            questions = self.questions(fields.get("questions"), what)
            keywords = self.strings(fields.get("keywords"), f"{what} keywords")
            if not (questions["fr"] or questions["en"] or keywords):
                self.fail(item, f"{what} needs 'questions' (or 'keywords') that people ask about it")
            self.defined.append(("out-of-scope topic", topic_id, self.where(item)))
            found.append(OutOfScope(id=topic_id, topic_fr=names.get("fr", ""), topic_en=names.get("en", ""),
                                    questions_fr=questions["fr"], questions_en=questions["en"], keywords=keywords,
                                    document=str(self.file)))
        return found

    def bot(self, node: yaml.Node) -> Identity | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, "'bot' must be a mapping with 'name', 'about' and optionally 'greeting'")
            return None
        fields = self.mapping(node, BOT_KEYS, "'bot'")
        about = self.by_language(fields["about"], "bot 'about'") if "about" in fields else {}
        greeting = self.by_language(fields["greeting"], "bot 'greeting'") if "greeting" in fields else {}
        if not any(about.values()):
            self.fail(node, "'bot' needs 'about', what the bot answers about: {fr: le métier de CTO, en: ...}")
        return Identity(name=self.string(fields, "name", node, "'bot'", required=False),
                        about_fr=about.get("fr", ""), about_en=about.get("en", ""),
                        greeting_fr=greeting.get("fr", ""), greeting_en=greeting.get("en", ""))


def default_knowledge_path() -> Path:
    """The knowledge folder installed with the package."""
    import knowledge

    return Path(knowledge.__file__).resolve().parent


def knowledge_paths(option: str | None, environ: Mapping[str, str]) -> list[Path]:
    """Where to load knowledge from: ``--knowledge``, else ``CTO_BOT_KNOWLEDGE`` (os.pathsep-separated), else
    the installed folder."""
    value = option or environ.get("CTO_BOT_KNOWLEDGE", "")
    if value:
        return [Path(p).expanduser() for p in value.split(os.pathsep) if p]
    return [default_knowledge_path()]

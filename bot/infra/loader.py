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
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from bot.core.knowledge import Knowledge, Passage, Section
from bot.errors import KnowledgeError

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (about ten times faster), else the pure-Python one."""
SECTION_KEYS = {"id", "heading", "heading_en", "topic", "passages"}
PASSAGE_KEYS = {"id", "text", "translation", "questions", "keywords"}
LANGS = ("fr", "en")


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
    sections: list[Section] = []
    defined: list[tuple[str, str, str]] = []
    for file in files:
        reader = _FileReader(file, problems)
        sections.extend(reader.sections())
        defined.extend(reader.defined)
    _check_unique_ids(defined, problems)
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(sections=tuple(sections), sources=tuple(str(f) for f in files))


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


class _FileReader:
    """Walks one file's YAML nodes, so that every problem can name its line."""

    def __init__(self, file: Path, problems: list[str]):
        self.file = file
        self.problems = problems
        self.defined: list[tuple[str, str, str]] = []

    def where(self, node: yaml.Node) -> str:
        return f"{self.file}:{node.start_mark.line + 1}"

    def fail(self, node: yaml.Node, message: str) -> None:
        self.problems.append(f"{self.where(node)}: {message}")

    def sections(self) -> list[Section]:
        try:
            root = yaml.compose(self.file.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            self.problems.append(f"{self.file}:{line}: YAML syntax error: {error.problem or error}; "
                                 "fix the indentation or quoting there")
            return []
        except (OSError, UnicodeDecodeError) as error:
            self.problems.append(f"{self.file}:1: cannot read the file: {error}")
            return []
        if root is None:
            self.problems.append(f"{self.file}:1: the file is empty; it needs a 'sections' list")
            return []
        if not isinstance(root, yaml.MappingNode):
            self.fail(root, "the file must be a mapping with a 'sections' list")
            return []
        fields = self.mapping(root, {"sections", "document", "source", "lang"}, "the file")
        if "sections" not in fields:
            self.fail(root, "missing 'sections': the file needs a list of sections")
            return []
        node = fields["sections"]
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
        topic_fr = topic_en = ""
        if "topic" in fields:
            topic = fields["topic"]
            if isinstance(topic, yaml.MappingNode):
                names = self.mapping(topic, set(LANGS), f"{what} topic")
                topic_fr = self.string(names, "fr", topic, f"{what} topic", required=False)
                topic_en = self.string(names, "en", topic, f"{what} topic", required=False)
            else:
                self.fail(topic, f"{what}: 'topic' must be a mapping like {{fr: ..., en: ...}}")
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
                          topic_fr=topic_fr, topic_en=topic_en, passages=tuple(passages))
        self.defined.append(("section", section_id, self.where(node)))
        return section

    def passage(self, node: yaml.Node, section_id: str) -> Passage | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, "each passage must be a mapping with 'id' and 'text'")
            return None
        fields = self.mapping(node, PASSAGE_KEYS, "a passage")
        passage_id = self.string(fields, "id", node, "a passage")
        what = f"passage {passage_id!r}" if passage_id else "a passage"
        questions: dict[str, tuple[str, ...]] = {lang: () for lang in LANGS}
        if "questions" in fields:
            q = fields["questions"]
            if isinstance(q, yaml.MappingNode):
                by_lang = self.mapping(q, set(LANGS), f"{what} questions")
                questions = {lang: self.strings(by_lang.get(lang), f"{what} questions.{lang}") for lang in LANGS}
            else:
                self.fail(q, f"{what}: 'questions' must be a mapping like {{fr: [...], en: [...]}}")
        passage = Passage(
            id=passage_id,
            text=self.string(fields, "text", node, what),
            translation=self.string(fields, "translation", node, what, required=False),
            questions_fr=questions["fr"],
            questions_en=questions["en"],
            keywords=self.strings(fields.get("keywords"), f"{what} keywords"),
            section_id=section_id,
        )
        self.defined.append(("passage", passage_id, self.where(node)))
        return passage


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

"""Loading, validating, merging and importing knowledge; errors name the file and the line."""

from __future__ import annotations

import pytest
import yaml

from bot.errors import KnowledgeError
from bot.infra.loader import knowledge_paths, load_knowledge
from bot.tools.check import overlaps
from bot.tools.importer import skeleton, split_document
from tests.conftest import REPO, SEED, TINY_KNOWLEDGE

SEED_HEADINGS = [
    "Le CTO : le rôle clé de la technologie dans une entreprise",
    "Le rôle du CTO",
    "Les missions du CTO",
    "Les compétences pour être un CTO performant",
    "Comment devenir CTO ?",
    "La relation entre le CTO et d’autres postes de direction",
    "Les évolutions de carrières pour le CTO",
]


def problems_of(path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge([path])
    return caught.value.problems


def test_the_shipped_knowledge_loads_with_every_seed_heading_verbatim():
    knowledge = load_knowledge(knowledge_paths(None, {}))
    assert [s.heading for s in knowledge.sections] == SEED_HEADINGS
    assert len(knowledge.passages) >= 13
    assert all(p.translation and p.questions_fr and p.questions_en for p in knowledge.passages)


def test_a_yaml_syntax_error_names_the_file_and_the_line(write_knowledge):
    path = write_knowledge("sections:\n- id: a\n  heading: A\n  passages: [\n    - id: x\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:")
    assert "YAML syntax error" in problem


def test_a_missing_field_names_the_file_the_line_and_the_field(write_knowledge):
    path = write_knowledge("""\
        sections:
        - id: budget
          heading: Le budget
          passages:
          - id: budget-1
            translation: no text here
        """)
    assert problems_of(path) == [f"{path}:5: passage 'budget-1' has no 'text'"]


def test_a_wrong_type_and_an_unknown_field_are_reported_on_their_lines(write_knowledge):
    path = write_knowledge("""\
        sections:
        - id: budget
          heading: Le budget
          passages:
          - id: budget-1
            text: Le budget.
            keywords: budget
            keyword: [typo]
        """)
    problems = problems_of(path)
    assert f"{path}:7: passage 'budget-1' keywords must be a list of texts" in problems
    assert any(p.startswith(f"{path}:8: unknown field 'keyword'") for p in problems)


def test_duplicate_ids_across_files_point_at_both_places(write_knowledge):
    first = write_knowledge(TINY_KNOWLEDGE, "a.yaml")
    write_knowledge(TINY_KNOWLEDGE.replace("id: coffee\n", "id: coffee2\n").replace("id: tea\n", "id: tea2\n"),
                    "b.yaml")
    problems = problems_of(first.parent)
    assert any("duplicate passage id 'coffee-brewing'" in p and f"{first}:" in p and "b.yaml:" in p
               for p in problems)


def test_several_files_in_a_folder_are_merged(write_knowledge):
    write_knowledge(TINY_KNOWLEDGE, "a.yaml")
    path = write_knowledge("""\
        sections:
        - id: chocolate
          heading: Le chocolat
          passages:
          - id: chocolate-1
            text: Le chocolat vient du cacao.
        """, "b.yaml")
    knowledge = load_knowledge([path.parent])
    assert [s.id for s in knowledge.sections] == ["coffee", "tea", "chocolate"]


def test_the_knowledge_location_comes_from_the_option_then_the_environment(tmp_path):
    assert knowledge_paths(str(tmp_path), {"CTO_BOT_KNOWLEDGE": "/elsewhere"}) == [tmp_path]
    assert knowledge_paths(None, {"CTO_BOT_KNOWLEDGE": str(tmp_path)}) == [tmp_path]
    assert knowledge_paths(None, {})[0].joinpath("cto-career.yaml").is_file()


def test_a_missing_knowledge_path_says_what_to_do(tmp_path):
    problems = problems_of(tmp_path / "nowhere")
    assert "CTO_BOT_KNOWLEDGE" in problems[0]


def test_the_importer_cleans_the_raw_seed_into_seven_sections():
    sections = split_document(SEED.read_text(encoding="utf-8"))
    assert [s.heading for s in sections] == SEED_HEADINGS
    passages = [text for s in sections for text in s.blocks]
    assert len(passages) == 13
    assert all("\u00a0" not in p and not p.startswith(("•", " ")) and p == p.strip() for p in passages)
    assert any("l’entreprise" in p for p in passages), "apostrophes are kept as written"
    assert sections[2].blocks[1].startswith("gestion des équipes techniques")


def test_the_shipped_knowledge_holds_exactly_what_the_importer_makes_of_the_seed():
    imported = skeleton(SEED.read_text(encoding="utf-8"))
    shipped = yaml.safe_load((REPO / "knowledge" / "cto-career.yaml").read_text(encoding="utf-8"))
    assert [[p["text"] for p in s["passages"]] for s in imported["sections"]] == \
        [[p["text"] for p in s["passages"]] for s in shipped["sections"]]


def test_the_importer_reads_markdown_headings_and_bullets(write_knowledge):
    markdown = "# Guide\n\nIntro paragraph\nstill intro.\n\n## Steps\n\n- first step\n- second step\n\n1. numbered\n"
    data = skeleton(markdown)
    assert [s["heading"] for s in data["sections"]] == ["Guide", "Steps"]
    assert [p["text"] for p in data["sections"][0]["passages"]] == ["Intro paragraph still intro."]
    assert [p["text"] for p in data["sections"][1]["passages"]] == ["first step", "second step", "numbered"]


def test_an_imported_skeleton_loads_as_knowledge(write_knowledge):
    from bot.tools.importer import to_yaml

    path = write_knowledge(to_yaml(skeleton(SEED.read_text(encoding="utf-8"))))
    knowledge = load_knowledge([path])
    assert len(knowledge.passages) == 13


def test_check_warns_when_an_alternate_question_belongs_to_another_passage(write_knowledge):
    overlapping = TINY_KNOWLEDGE.replace('en: ["Where does coffee come from?"]',
                                         'en: ["Where does coffee come from?", "How long should green tea steep?"]')
    knowledge = load_knowledge([write_knowledge(overlapping)])
    warnings = overlaps(knowledge)
    assert len(warnings) == 1
    assert "coffee-origin" in warnings[0] and "tea-steeping" in warnings[0]


def test_every_alternate_question_of_the_shipped_knowledge_is_answered_by_its_own_passage():
    # a rule that caps a whole kind of question ("how many…", "who… the developers") must not silence what the
    # maintainers wrote, nor may they write a question the article does not answer (it gives no number of years)
    assert overlaps(load_knowledge([REPO / "knowledge"])) == []

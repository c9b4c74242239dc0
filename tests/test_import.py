"""``cto-bot import``: Markdown, HTML and plain-text documents in French and English become knowledge that
loads, passes ``check`` and answers with no hand edit; re-imports never lose hand-filled work."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.bootstrap import build_engine
from bot.infra.loader import load_knowledge
from bot.tools.importer import skeleton, to_yaml

FIXTURES = Path(__file__).parent / "fixtures"

DOCUMENTS = {
    "houseplants.en.md": "en",
    "compost.fr.md": "fr",
    "pain.fr.html": "fr",
    "puncture.en.html": "en",
}


def imported(cli, tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / (Path(name).stem + ".yaml")
    run = cli("import", str(FIXTURES / name), "-o", str(out), "--prefix", Path(name).stem.split(".")[0] + "-",
              *extra)
    assert run.status == 0, run.err
    return out


def texts(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [p["text"] for s in data["sections"] for p in s["passages"]]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_an_imported_document_declares_its_language_and_passes_check_strict(cli, tmp_path, name):
    out = imported(cli, tmp_path, name)
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["lang"] == DOCUMENTS[name]
    run = cli("check", "--strict", "--knowledge", str(out))
    assert run.status == 0, run.out
    assert "0 warning(s)" in run.out
    assert "hint:" in run.out and "no alternate questions yet" in run.out


def test_lang_on_the_command_line_overrides_the_detected_language(cli, tmp_path):
    out = imported(cli, tmp_path, "compost.fr.md", "--lang", "en")
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["lang"] == "en"


def test_markdown_headings_become_sections_and_lists_stay_with_their_lead_in():
    data = skeleton((FIXTURES / "houseplants.en.md").read_text(encoding="utf-8"), fmt="markdown")
    assert [s["heading"] for s in data["sections"]] == ["Houseplant care", "Watering", "Light", "Repotting",
                                                       "Fertiliser"]
    watering = data["sections"][1]["passages"]
    lead_in = next(p for p in watering if p["text"] == "The signs of overwatering are:")
    assert [next(p["text"] for p in watering if p["id"] == i) for i in lead_in["items"]] == [
        "yellow lower leaves that fall at the slightest touch", "soft, brown and smelly roots",
        "a white mould on the surface of the soil"]
    light = data["sections"][2]["passages"]
    assert light[0]["items"] == [p["id"] for p in light[1:4]], "a numbered list has its lead-in too"
    assert "dose = 5 ml of fertiliser per litre of water" in [p["text"] for p in data["sections"][4]["passages"]]
    assert not any("author" in p["text"] for s in data["sections"] for p in s["passages"]), "front matter skipped"


def test_a_markdown_list_with_no_lead_in_keeps_its_items_as_plain_passages():
    data = skeleton("# Tips\n\n- water less\n- more light\n\n## Next\n\nText.\n", fmt="markdown")
    assert [p["text"] for p in data["sections"][0]["passages"]] == ["water less", "more light"]
    assert not any("items" in p for s in data["sections"] for p in s["passages"])


def test_markdown_inline_marks_go_and_their_text_stays():
    data = skeleton("# T\n\nUse **rain** water, see [the guide](http://x) and `pH 6`.\n", fmt="markdown")
    assert data["sections"][0]["passages"][0]["text"] == "Use rain water, see the guide and pH 6."


def test_html_keeps_the_page_content_and_drops_navigation_scripts_styles_and_forms():
    data = skeleton((FIXTURES / "pain.fr.html").read_text(encoding="utf-8"), fmt="html")
    everything = [s["heading"] for s in data["sections"]] + [p["text"] for s in data["sections"]
                                                             for p in s["passages"]]
    for junk in ("Recettes", "cookies", "dataLayer", "font-family", "Tous droits", "e-mail", "JavaScript",
                 "brioche"):
        assert not any(junk in text for text in everything), junk
    assert [s["heading"] for s in data["sections"]] == ["Faire son pain maison", "Les ingrédients",
                                                       "Le pétrissage", "La pousse", "La cuisson"]
    ingredients = data["sections"][1]["passages"]
    assert ingredients[0]["text"] == "Pour un pain de campagne d’environ un kilo, il faut :"
    assert ingredients[0]["items"] == [p["id"] for p in ingredients[1:]]
    assert ingredients[2]["text"] == "350 g d’eau tiède ;"
    assert "\u00a0" not in " ".join(everything), "non-breaking spaces are cleaned"


def test_html_without_main_reads_the_body_but_not_its_nav_aside_or_footer():
    data = skeleton((FIXTURES / "puncture.en.html").read_text(encoding="utf-8"), fmt="html")
    everything = " ".join(p["text"] for s in data["sections"] for p in s["passages"])
    assert "Guides" not in everything and "brakes" not in everything and "Copyright" not in everything
    assert "Road | 80-100 PSI" in everything, "table rows are passages"
    patching = data["sections"][2]["passages"]
    assert patching[0]["text"] == "To patch the tube:" and len(patching[0]["items"]) == 3


def test_a_markdown_list_that_changes_bullet_sign_or_is_a_table_stays_with_its_lead_in():
    raw = ("# Kit\n\nBring these:\n\n- a pump\n* a lock\n+ a light\n\n"
           "The sizes are:\n\n| size | rider |\n|---|---|\n| M | 1.70 m |\n")
    passages = skeleton(raw, fmt="markdown")["sections"][0]["passages"]
    texts = {p["id"]: p["text"] for p in passages}
    assert [texts[i] for i in passages[0]["items"]] == ["a pump", "a lock", "a light"]
    table = next(p for p in passages if p["text"] == "The sizes are:")
    assert [texts[i] for i in table["items"]] == ["size | rider", "M | 1.70 m"]


def test_a_plain_text_heading_written_right_above_its_text_starts_a_section():
    raw = "Le guide\n\nLes étapes\nVoici les étapes :\n– gonfler ;\n– graisser.\n\nConseils\nRoulez doucement.\n"
    sections = skeleton(raw, fmt="text")["sections"]
    assert [s["heading"] for s in sections] == ["Les étapes", "Conseils"]
    steps = sections[0]["passages"]
    assert steps[0]["text"] == "Voici les étapes :" and len(steps[0]["items"]) == 2


def test_plain_text_lead_ins_ending_with_a_colon_carry_their_bullets():
    raw = "Guide\n\nThe steps are:\n\n• first\n• second\n\nA closing paragraph.\n\n- loose bullet\n"
    passages = skeleton(raw, fmt="text")["sections"][0]["passages"]
    assert [p["text"] for p in passages] == ["The steps are:", "first", "second", "A closing paragraph.",
                                             "loose bullet"]
    assert passages[0]["items"] == [passages[1]["id"], passages[2]["id"]]
    assert [p for p in passages if "items" in p] == [passages[0]]


def test_the_seed_article_imports_with_its_two_lists(tmp_path):
    from tests.conftest import SEED

    data = skeleton(SEED.read_text(encoding="utf-8"))
    lead_ins = [p for s in data["sections"] for p in s["passages"] if "items" in p]
    assert [len(p["items"]) for p in lead_ins] == [3, 3]
    path = tmp_path / "seed.yaml"
    path.write_text(to_yaml(data), encoding="utf-8")
    knowledge = load_knowledge([path])
    assert knowledge.passage(lead_ins[0]["items"][0]).lead_in == lead_ins[0]["id"]


def test_ids_are_unique_with_the_prefix(tmp_path):
    data = skeleton("# Same\n\nA.\n\n# Same\n\nB.\n", fmt="markdown", prefix="doc-")
    ids = [s["id"] for s in data["sections"]] + [p["id"] for s in data["sections"] for p in s["passages"]]
    assert len(ids) == len(set(ids)) and all(i.startswith("doc-") for i in ids)


def test_the_format_comes_from_the_extension_or_the_option(cli, tmp_path):
    source = tmp_path / "page.txt"
    source.write_text("<h1>Title</h1><p>One paragraph.</p>", encoding="utf-8")
    as_html = cli("import", str(source), "--format", "html")
    assert yaml.safe_load(as_html.out)["sections"][0]["heading"] == "Title"


def test_a_source_that_is_not_utf8_exits_2_naming_the_file(cli, tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes("Le rôle du CTO\n\nIl dirige l'équipe.\n".encode("latin-1"))
    run = cli("import", str(source))
    assert run.status == 2
    assert str(source) in run.err and "UTF-8" in run.err and "Traceback" not in run.err


def test_import_refuses_to_overwrite_an_existing_file_without_force(cli, tmp_path):
    out = imported(cli, tmp_path, "houseplants.en.md")
    out.write_text(out.read_text(encoding="utf-8") + "# hand work\n", encoding="utf-8")
    run = cli("import", str(FIXTURES / "houseplants.en.md"), "-o", str(out))
    assert run.status == 2
    assert "already exists" in run.err and "--update" in run.err and "--force" in run.err
    assert out.read_text(encoding="utf-8").endswith("# hand work\n")
    assert cli("import", str(FIXTURES / "houseplants.en.md"), "-o", str(out), "--force").status == 0
    assert "# hand work" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "question", "expected_text"), [
    ("houseplants.en.md", "How often should I feed my plants with fertiliser?", "Feed every two weeks"),
    ("houseplants.en.md", "When should I repot a plant?", "Repot in spring"),
    ("compost.fr.md", "Quand le compost est-il mûr ?", "Le compost est mûr"),
    ("compost.fr.md", "Faut-il mettre de la viande dans le compost ?", "La viande, le poisson"),
    ("pain.fr.html", "À quelle température préchauffer le four pour le pain ?", "Préchauffez le four"),
    ("pain.fr.html", "Combien de temps laisser lever la pâte ?", "Laissez lever la pâte"),
    ("puncture.en.html", "How do I find the hole in the inner tube?", "Take the wheel out"),
    ("puncture.en.html", "What pressure should I inflate the tyre to?", "Refit the tube"),
])
def test_an_imported_document_answers_questions_in_its_words_with_no_hand_edit(cli, tmp_path, name, question,
                                                                                expected_text):
    engine = build_engine([imported(cli, tmp_path, name)])
    answer = engine.ask(question)
    assert answer.matched, (question, answer.outcome, answer.score, answer.candidates[:3])
    assert answer.source is not None and answer.source.startswith(expected_text)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_sentence_of_the_document_pasted_back_is_answered_from_its_passage(cli, tmp_path, name):
    path = imported(cli, tmp_path, name)
    engine = build_engine([path])
    knowledge = load_knowledge([path])
    failures = []
    for passage in knowledge.passages:
        sentence = passage.text.split(". ")[0]
        if len(sentence.split()) < 6 or "\n" in sentence:
            continue
        answer = engine.ask(sentence)
        if answer.passage_id != passage.id and passage.lead_in != answer.passage_id:
            failures.append((sentence, answer.outcome.value, answer.passage_id))
    assert not failures


def test_a_question_about_a_whole_imported_list_is_answered_with_the_lead_in_and_every_item(cli, tmp_path):
    engine = build_engine([imported(cli, tmp_path, "houseplants.en.md")])
    answer = engine.ask("What are the signs of overwatering?")
    assert answer.matched and answer.source is not None
    assert answer.source.splitlines() == ["The signs of overwatering are:",
                                          "yellow lower leaves that fall at the slightest touch",
                                          "soft, brown and smelly roots", "a white mould on the surface of the soil"]

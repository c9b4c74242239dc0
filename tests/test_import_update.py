"""``cto-bot import SOURCE --update FILE``: the document is read again, and nothing filled in by hand is lost."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from bot.infra.loader import load_knowledge

SOURCE = """\
# Houseplant care

Most houseplants die from too much water, not from too little.

## Watering

Water when the top two centimetres of the soil are dry.

The signs of overwatering are:

- yellow leaves
- soft roots

## Light

Ferns grow best in the shade.

Cacti want full sun.
"""


def fill_in_by_hand(path: Path) -> None:
    """What a maintainer adds after an import: comments, a translation, questions, keywords, a heading."""
    text = path.read_text(encoding="utf-8")
    text = "# Houseplants: completed by hand, keep these comments\n" + text
    text = text.replace("  heading: Watering\n  heading_fr: ''\n",
                        "  heading: Watering\n  heading_fr: L'arrosage   # checked by Ana\n")
    text = text.replace(
        "    text: Water when the top two centimetres of the soil are dry.\n    translation: ''\n"
        "    questions:\n      fr: []\n      en: []\n    keywords: []\n",
        "    text: Water when the top two centimetres of the soil are dry.\n"
        "    translation: Arrosez quand les deux premiers centimètres de terre sont secs.\n"
        "    questions:\n      fr: [\"Quand arroser ?\"]\n      en:\n      - When should I water?  # the most asked\n"
        "    keywords: [arrosage]\n")
    text = text.replace(
        "    text: Ferns grow best in the shade.\n    translation: ''\n",
        "    text: Ferns grow best in the shade.\n    translation: Les fougères aiment l'ombre.\n")
    path.write_text(text, encoding="utf-8")


def passages(path: Path) -> dict[str, dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {p["id"]: p for s in data["sections"] for p in s["passages"]}


def test_update_keeps_hand_filled_fields_marks_changed_passages_and_reports_changes(cli, tmp_path):
    source, out = tmp_path / "plants.md", tmp_path / "plants.yaml"
    source.write_text(SOURCE, encoding="utf-8")
    assert cli("import", str(source), "-o", str(out), "--prefix", "plants-").status == 0
    fill_in_by_hand(out)
    before = passages(out)
    source.write_text(SOURCE.replace("Ferns grow best in the shade.", "Ferns grow best in deep shade.")
                      .replace("- soft roots\n", "- soft roots\n- a smell of rot\n")
                      .replace("Cacti want full sun.\n", ""), encoding="utf-8")

    run = cli("import", str(source), "--update", str(out))

    assert run.status == 0, run.err
    after = passages(out)
    text = out.read_text(encoding="utf-8")
    watering = after["plants-watering-1"]
    assert watering["translation"] == before["plants-watering-1"]["translation"]
    assert watering["questions"] == {"fr": ["Quand arroser ?"], "en": ["When should I water?"]}
    assert watering["keywords"] == ["arrosage"]
    for comment in ("# Houseplants: completed by hand, keep these comments", "# checked by Ana", "# the most asked"):
        assert comment in text
    ferns = after["plants-light-1"]
    assert ferns["text"] == "Ferns grow best in deep shade."
    assert ferns["translation"] == "Les fougères aiment l'ombre.", "a changed passage keeps its fields, to review"
    assert text.count("# REVIEW: text changed on import") == 1
    assert text.index("# REVIEW") < text.index("id: plants-light-1") < text.index("deep shade")
    assert "plants-light-2" not in after
    added = [i for i in after if i not in before]
    assert len(added) == 1 and after[added[0]]["text"] == "a smell of rot"
    assert after["plants-watering-2"]["items"] == ["plants-watering-3", "plants-watering-4", added[0]]
    assert f"added: 1: {added[0]}" in run.out
    assert "changed (marked REVIEW): 1: plants-light-1" in run.out
    assert "removed: 1: plants-light-2" in run.out
    assert load_knowledge([out]).passage(added[0]).lead_in == "plants-watering-2"
    assert cli("check", "--strict", "--knowledge", str(out)).status == 0


def test_updating_again_from_the_same_source_changes_nothing(cli, tmp_path):
    source, out = tmp_path / "plants.md", tmp_path / "plants.yaml"
    source.write_text(SOURCE, encoding="utf-8")
    cli("import", str(source), "-o", str(out))
    fill_in_by_hand(out)
    source.write_text(SOURCE.replace("Cacti want full sun.", "Cacti want full sun all day."), encoding="utf-8")
    cli("import", str(source), "--update", str(out))
    once = out.read_text(encoding="utf-8")
    run = cli("import", str(source), "--update", str(out))
    assert out.read_text(encoding="utf-8") == once
    assert "added: 0" in run.out and "changed (marked REVIEW): 0" in run.out and "removed: 0" in run.out


def test_a_passage_moved_to_another_section_keeps_its_fields(cli, tmp_path):
    source, out = tmp_path / "plants.md", tmp_path / "plants.yaml"
    source.write_text(SOURCE, encoding="utf-8")
    cli("import", str(source), "-o", str(out), "--prefix", "plants-")
    fill_in_by_hand(out)
    moved = SOURCE.replace("Water when the top two centimetres of the soil are dry.\n\n", "")
    source.write_text(moved + "\nWater when the top two centimetres of the soil are dry.\n", encoding="utf-8")
    run = cli("import", str(source), "--update", str(out))
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    light = next(s for s in data["sections"] if s["heading"] == "Light")
    assert light["passages"][-1]["id"] == "plants-watering-1"
    assert light["passages"][-1]["keywords"] == ["arrosage"]
    assert "removed: 0" in run.out


def test_update_with_an_output_file_is_a_usage_error(cli, tmp_path):
    source, out = tmp_path / "plants.md", tmp_path / "plants.yaml"
    source.write_text(SOURCE, encoding="utf-8")
    cli("import", str(source), "-o", str(out))
    run = cli("import", str(source), "--update", str(out), "-o", str(tmp_path / "other.yaml"))
    assert run.status == 2 and "--update" in run.err


def test_updating_the_shipped_article_with_one_edited_paragraph_changes_only_that_paragraph(cli, tmp_path):
    from tests.conftest import REPO, SEED

    shipped = (REPO / "knowledge" / "cto-career.yaml").read_text(encoding="utf-8")
    knowledge, source = tmp_path / "cto-career.yaml", tmp_path / "seed.txt"
    knowledge.write_text(shipped, encoding="utf-8")
    source.write_text(SEED.read_text(encoding="utf-8").replace("en étroite collaboration",
                                                               "en très étroite collaboration"), encoding="utf-8")

    run = cli("import", str(source), "--update", str(knowledge))

    assert "changed (marked REVIEW): 1: relations-executives" in run.out
    diff = [line for line in difflib.unified_diff(shipped.splitlines(), knowledge.read_text(encoding="utf-8")
                                                  .splitlines(), lineterm="", n=0) if line[:1] in "+-"][2:]
    removed = [line for line in diff if line.startswith("-")]
    added = [line for line in diff if line.startswith("+")]
    assert removed[0].startswith("-    text: Le CTO travaille en étroite collaboration")
    assert added[0].startswith("+  # REVIEW: text changed on import")
    assert added[1].startswith("+    text: Le CTO travaille en très étroite collaboration")
    assert all(line.startswith(("+    text:", "+      ", "+  # REVIEW")) for line in added)
    assert all(line.startswith(("-    text:", "-      ")) for line in removed)
    assert not any(line != line.rstrip() for line in added), "no trailing spaces"

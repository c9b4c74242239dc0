"""Ids that the store could not keep are refused when the knowledge is checked, with their line."""

from __future__ import annotations

from tests.conftest import TINY_KNOWLEDGE


def test_check_refuses_a_passage_id_longer_than_the_store_keeps_and_names_its_line(cli, write_knowledge):
    long_id = "tea-" + "x" * 197
    path = write_knowledge(TINY_KNOWLEDGE.replace("- id: tea-steeping", f"- id: {long_id}"))
    run = cli("check", "--knowledge", str(path))
    line = TINY_KNOWLEDGE.splitlines().index("  - id: tea-steeping") + 1
    assert run.status == 1
    assert f"{path}:{line}: passage id 'tea-xxx" in run.out and "201 characters long" in run.out


def test_check_refuses_a_section_id_longer_than_the_store_keeps(cli, write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE.replace("- id: tea\n", f"- id: {'t' * 250}\n"))
    run = cli("check", "--knowledge", str(path))
    assert run.status == 1 and "section id 'ttt" in run.out and "at most 200" in run.out


def test_an_id_of_200_characters_is_fine(cli, write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE.replace("- id: tea-steeping", f"- id: {'p' * 200}"))
    assert cli("check", "--knowledge", str(path)).status == 0


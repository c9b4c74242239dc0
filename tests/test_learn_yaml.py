"""``cto-bot learn`` edits any layout of a knowledge file, changing only what it adds."""

from __future__ import annotations

import difflib

import pytest
import yaml

from bot.tools.learn import learn

HEAD = "# kept\nlang: en\nsections:\n- id: s\n  heading: S\n  passages:\n"
LAYOUTS = {
    "no questions yet": "  - id: p\n    text: Ferns like shade.   # verbatim\n  - id: q\n    text: Cacti like sun.\n",
    "a block list with a comment": "  - id: p\n    text: Ferns like shade.\n    questions:\n      en:\n"
                                   "      - Where do ferns grow?  # asked most\n    keywords: [fern]\n"
                                   "  - id: q\n    text: Cacti like sun.\n",
    "a flow list": "  - id: p\n    text: Ferns like shade.\n    questions:\n      fr: ['Où poussent les fougères ?']\n"
                   "      en: ['Where do ferns grow?']\n  - id: q\n    text: Cacti like sun.\n",
    "only the other language": "  - id: p\n    text: Ferns like shade.\n    questions:\n"
                               "      fr: ['Où poussent les fougères ?']\n  - id: q\n    text: Cacti like sun.\n",
    "a flow mapping": "  - id: p\n    text: Ferns like shade.\n    questions: {en: ['Where do ferns grow?']}\n"
                      "  - id: q\n    text: Cacti like sun.\n",
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_learn_adds_the_question_whatever_the_layout_and_keeps_the_rest(tmp_path, layout):
    path = tmp_path / "kb.yaml"
    path.write_text(HEAD + LAYOUTS[layout], encoding="utf-8")
    before = yaml.safe_load(path.read_text(encoding="utf-8"))

    learned = learn([path], "p", "Can ferns live in a dark room: yes or no?", "en")

    assert learned.written and learned.path == path
    text = path.read_text(encoding="utf-8")
    after = yaml.safe_load(text)
    passage = before["sections"][0]["passages"][0]
    passage.setdefault("questions", {}).setdefault("en", []).append("Can ferns live in a dark room: yes or no?")
    assert after == before
    removed = [line for line in difflib.ndiff(LAYOUTS[layout].splitlines(), text.splitlines()) if line[:2] == "- "]
    assert len(removed) <= 1, removed
    assert text.startswith("# kept\n")
    for comment in ("# verbatim", "# asked most"):
        assert comment in text or comment not in LAYOUTS[layout]

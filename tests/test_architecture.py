"""The dependency direction of the layers, as the import-linter contracts in pyproject.toml state it."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_imports_follow_the_layer_contracts():
    beside = Path(sys.executable).with_name("lint-imports")  # this environment's, not another one on PATH
    lint_imports = str(beside) if beside.exists() else shutil.which("lint-imports") or "lint-imports"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

"""The salt that pseudonymises user ids: one per data folder, even when many processes start at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.errors import ConfigurationError
from bot.service.privacy import load_salt
from tests.conftest import REPO

PROCESSES = 16
ROUNDS = 4

READ_SALT_AFTER_GO = (
    "import os, sys, time; from pathlib import Path; from bot.service.privacy import load_salt\n"
    "if sys.argv[2] == 'slow-disk':  # a file is created, then the disk stalls before anything is written\n"
    "    real_open = os.open\n"
    "    def slow_open(*args, **kwargs):\n"
    "        fd = real_open(*args, **kwargs)\n"
    "        time.sleep(0.05)\n"
    "        return fd\n"
    "    os.open = slow_open\n"
    "sys.stdin.read()\n"  # wait until every process is started, then all race for the salt at once
    "print(load_salt(None, Path(sys.argv[1])).decode())"
)


def test_processes_started_together_all_get_the_same_non_empty_salt(tmp_path):
    for round_number in range(ROUNDS):
        disk = "slow-disk" if round_number % 2 else "disk"
        salt_file = tmp_path / f"round-{round_number}" / "salt"
        processes = [subprocess.Popen([sys.executable, "-c", READ_SALT_AFTER_GO, str(salt_file), disk], cwd=REPO,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(PROCESSES)]
        for process in processes:  # the starting gun: every process is waiting on its stdin
            process.stdin.close()  # type: ignore[union-attr]
        results = [(process.wait(30), process.stdout.read().strip(), process.stderr.read())  # type: ignore[union-attr]
                   for process in processes]
        assert [err for status, _, err in results if status != 0] == []
        salts = {salt for _, salt, _ in results}
        assert len(salts) == 1 and len(salts.pop()) == 64
        assert salt_file.read_text() and salt_file.stat().st_mode & 0o077 == 0
        assert sorted(p.name for p in salt_file.parent.iterdir()) == ["salt"], "no temporary file is left"


def test_an_empty_salt_file_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "salt").write_bytes(b"")
    with pytest.raises(ConfigurationError, match="is empty"):
        load_salt(None, tmp_path / "salt")


def test_a_salt_set_in_the_environment_wins_over_the_file(tmp_path):
    assert load_salt("s3cret", tmp_path / "salt") == b"s3cret"
    assert not (tmp_path / "salt").exists()

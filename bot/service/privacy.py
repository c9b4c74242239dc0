"""User ids are never stored: only a salted hash, enough to count one vote per user and answer."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def load_salt(value: str | None, salt_file: Path) -> bytes:
    """The salt from ``CTO_BOT_SALT`` when set, else from ``salt_file``, created on first use (mode 600)."""
    if value:
        return value.encode()
    try:
        return salt_file.read_bytes().strip()
    except FileNotFoundError:
        salt_file.parent.mkdir(parents=True, exist_ok=True)
        salt = secrets.token_hex(32).encode()
        fd = os.open(salt_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(salt)
        return salt


def hash_user(salt: bytes, platform: str, user_id: str) -> str:
    """A stable pseudonym for a platform user; without the salt it cannot be traced back.

    >>> len(hash_user(b"salt", "slack", "U123"))
    32
    """
    return hmac.new(salt, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

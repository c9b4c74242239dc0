"""User ids are never stored: only a salted hash, enough to count one vote per user and answer."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from bot.errors import ConfigurationError


def load_salt(value: str | None, salt_file: Path) -> bytes:
    """The salt from ``CTO_BOT_SALT`` when set, else from ``salt_file``, created on first use (mode 600).

    Processes starting together agree on one salt: each writes a complete candidate to a temporary file
    and links it into place; the first link wins and everyone reads back the winner.
    """
    if value:
        return value.encode()
    try:
        salt = salt_file.read_bytes().strip()
    except FileNotFoundError:
        salt = _create_salt(salt_file)
    if not salt:
        raise ConfigurationError(f"the salt file {salt_file} is empty: delete it to generate a new one (votes "
                                 "recorded so far will no longer match their users), or set CTO_BOT_SALT")
    return salt


def _create_salt(salt_file: Path) -> bytes:
    """Put a new salt in ``salt_file`` unless another process just did; return the salt that is there."""
    salt_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, candidate = tempfile.mkstemp(dir=salt_file.parent, prefix=".salt-")  # mode 600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_hex(32).encode())
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(candidate, salt_file)  # atomic, and fails if a salt is already there
        except FileExistsError:
            pass  # another process won: use its salt
    finally:
        os.unlink(candidate)
    return salt_file.read_bytes().strip()


def hash_user(salt: bytes, platform: str, user_id: str) -> str:
    """A stable pseudonym for a platform user; without the salt it cannot be traced back.

    >>> len(hash_user(b"salt", "slack", "U123"))
    32
    """
    return hmac.new(salt, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

"""Password hashing with argon2id (RFC 9106 parameters of argon2-cffi's defaults)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id PHC string (salted; parameters embedded)."""
    return _HASHER.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of no one's password, made with the current parameters (once per process)."""
    return _HASHER.hash("no user has this password")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-time check of ``password`` against a stored argon2 hash. Without a hash (an
    unknown user name) the password is checked against a dummy hash and refused, so that
    the answer takes as long as for a known user and does not tell the two apart."""
    try:
        if password_hash is None:
            _HASHER.verify(_dummy_hash(), password)
            return False
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False

"""Operators' passwords: argon2id through argon2-cffi's `PasswordHasher`, never stored or logged.

Hashing takes ~0.1 s on purpose (it is what makes a stolen database slow to attack): the demo's
shared password is hashed once per process (`demo_password_hash`).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: the demo's operators all sign in with it (the demo's sign-in says so)
DEMO_PASSWORD = "demo"  # noqa: S105 - the sample shop's published password

#: argon2id with the library's current parameters (RFC 9106's low-memory choice)
DEFAULT_HASHER = PasswordHasher()


def hash_password(password: str, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    """The encoded argon2id hash of `password` (salt and parameters included)."""
    return hasher.hash(password)


def verify_password(stored: str | None, password: str,
                    hasher: PasswordHasher = DEFAULT_HASHER) -> bool:
    """Whether `password` matches the stored hash (False for no hash or a damaged one)."""
    if not stored:
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, hasher: PasswordHasher = DEFAULT_HASHER) -> bool:
    """Whether the hash was made with other parameters than `hasher`'s (rehash on sign-in)."""
    try:
        return hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def demo_password_hash() -> str:
    """The hash of `DEMO_PASSWORD`, made once per process and shared by the demo's accounts."""
    return hash_password(DEMO_PASSWORD)

"""Password hashing with argon2id (OWASP: m=19 MiB, t=2, p=1 at least; we use more memory).

Hashes are PHC strings, so raising the parameters later rehashes each user at next sign-in.
"""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from veru_desk.domain.errors import PermissionDenied, ValidationError

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)


class SignInError(PermissionDenied):
    """Wrong name or password, a disabled account, or a locked one (the message says which
    only where that tells an attacker nothing new)."""


_HASHER = PasswordHasher(time_cost=2, memory_cost=47_104, parallelism=1)


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            {field: f"Use at least {MIN_PASSWORD_LENGTH} characters (a short phrase works well)."}
        )


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)

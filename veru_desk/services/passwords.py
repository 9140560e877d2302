"""Password hashing with argon2id (OWASP: m=19 MiB, t=2, p=1 at least; we use more memory).

Hashes are PHC strings, so raising the parameters later rehashes each user at next sign-in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gzip
import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.resources import resource_path

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)


class SignInError(PermissionDenied):
    """Wrong name or password, a disabled account, or a locked one (the message says which
    only where that tells an attacker nothing new)."""


_HASHER = PasswordHasher(time_cost=2, memory_cost=47_104, parallelism=1)


def check_password_rules(
    password: str, field: str = "password", context: Iterable[str] = ()
) -> None:
    """Refuses a password an attacker would try first (NIST SP 800-63B §5.1.1.2): too short,
    one character or a short run repeated, a keyboard or alphabet sequence, one of the 20,000
    most common passwords (with or without digits and symbols added), or the account's own
    name or the app's name with little else. ``context`` names the account (username, display
    name) where the caller knows it."""
    problem = password_problem(password, context)
    if problem is not None:
        raise ValidationError({field: problem})


_ADVICE = "Choose a phrase of your own, e.g. three or four unrelated words."
_APP_WORDS = ("verudesk", "veru desk", "veru-desk", "veru")
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz" * 2,
    "01234567890123456789012345678901234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop[]asdfghjkl;'#zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
)
_TRAILING_DECORATION = re.compile(r"[\d\W_]+$")
_LEADING_DECORATION = re.compile(r"^[\d\W_]+")


def password_problem(password: str, context: Iterable[str] = ()) -> str | None:
    """Why ``password`` is refused, in words for the person choosing it, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (a short phrase works well)."
    lowered = password.casefold()
    squashed = "".join(lowered.split())
    if not squashed:
        return f"A password of spaces only is easy to guess. {_ADVICE}"
    if _is_repetition(lowered) or _is_repetition(squashed):
        return f"One character or a short run repeated is easy to guess. {_ADVICE}"
    if _is_sequence(squashed):
        return f"A run of keyboard or alphabet keys is easy to guess. {_ADVICE}"
    if _is_common(lowered) or _is_common(squashed):
        return f"This is one of the most common passwords, which attackers try first. {_ADVICE}"
    words = [word.casefold() for word in (*context, *_APP_WORDS) if len(word.strip()) >= 3]
    remainder = lowered
    for word in sorted(words, key=len, reverse=True):
        remainder = remainder.replace(word, "").replace("".join(word.split()), "")
    if remainder != lowered:
        rest = _TRAILING_DECORATION.sub("", _LEADING_DECORATION.sub("", remainder)).strip()
        if len(rest) < 6 or _is_common(rest):
            return f"Your name or the app's name with little else is easy to guess. {_ADVICE}"
    return None


def _is_repetition(text: str) -> bool:
    """A unit of up to four characters repeated: "aaaaaaaaaaaa", "abcabcabcabc", "1212..."."""
    for size in range(1, 5):
        unit = text[:size]
        if len(text) >= 2 * size and (unit * (len(text) // size + 1)).startswith(text):
            return True
    return False


def _is_sequence(text: str) -> bool:
    return any(text in run or text in run[::-1] for run in _SEQUENCES)


def _is_common(text: str) -> bool:
    """On the list as it is, repeated ("passwordpassword"), or with digits or symbols around
    it ("Liverpool2026!", "!!password1234")."""
    common = _common_passwords()
    base = _TRAILING_DECORATION.sub("", _LEADING_DECORATION.sub("", text))
    for candidate in {text, base}:
        if len(candidate) < 4:
            continue
        if candidate in common:
            return True
        for size in range(4, len(candidate) // 2 + 1):
            unit = candidate[:size]
            repeated = unit * (len(candidate) // size) == candidate
            if repeated and unit in common:
                return True
    return False


@functools.cache
def _common_passwords() -> frozenset[str]:
    # UTF-8 said, not left to the PC: Windows would read the list in its code page.
    listed = resource_path("passwords", "common-passwords.txt.gz")
    with gzip.open(listed, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


# Verified against when there is no account (or no password) to check, so that an unknown
# username takes as long to refuse as a wrong password: the time taken must not tell anyone
# which usernames exist. Made with ``_HASHER``'s parameters; if those change, so does this
# (``_no_account_hash``), at the cost of one hash the first time.
_NO_ACCOUNT_HASH = (
    "$argon2id$v=19$m=47104,t=2,p=1$NYeZAYK9g1DWKlrSXoJOGg$rVIn+DjGmI50idAuE5HDk3L0ktIqJh3KjF07zXuMSSw"
)


@functools.cache
def _no_account_hash() -> str:
    if _HASHER.check_needs_rehash(_NO_ACCOUNT_HASH):
        return _HASHER.hash("no account: a hash nobody can sign in with")
    return _NO_ACCOUNT_HASH


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash (no account, no password set) it is still
    checked, against a hash nobody can match, so that it takes just as long."""
    if not stored_hash:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _HASHER.verify(_no_account_hash(), password)
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)

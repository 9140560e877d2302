"""The key file beside an encrypted database: the random database key, wrapped once per user.

Each slot holds the 256-bit SQLCipher key encrypted with AES-256-GCM under a key derived
from that user's password with argon2id, so any user opens the database with their own
password, a password change rewraps only their slot, and the recovery key (shown once to
the administrator) is one more slot. The slot name is authenticated with the ciphertext, so
slots cannot be swapped between users. Nothing in the file is secret without a password.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw

from veru_desk.db.driver import key_file_path as key_file_path  # its home is the driver
from veru_desk.domain.errors import StorageError, ValidationError

FORMAT = 1
KEY_BYTES = 32
RECOVERY_SLOT = "recovery"
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


@dataclass(frozen=True)
class KdfParameters:
    """argon2id as RFC 9106 recommends where memory is limited (t=3, m=64 MiB, p=4).

    The four lanes are computed on separate threads: the person signing in waits less (on two
    cores, about 125 ms against 155 ms with one lane) while an attacker's work, memory times
    passes, is the same. Slots made with other parameters are rewrapped with these at their
    user's next sign-in (``vault.refresh_key_slot``).
    """

    time_cost: int = 3
    memory_kib: int = 65_536
    parallelism: int = 4


class WrongSecret(ValidationError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_recovery_key() -> str:
    """40 characters in groups of five: about 200 bits, easy to type from a printout."""
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(40))
    return "-".join(raw[i : i + 5] for i in range(0, 40, 5))


def normalise_recovery_key(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 5] for i in range(0, len(cleaned), 5))


def _derive(secret: str, salt: bytes, params: KdfParameters) -> bytes:
    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


class KeyFile:
    def __init__(self, path: Path, slots: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self._slots = slots

    @classmethod
    def create(cls, path: Path) -> KeyFile:
        if path.exists():
            raise StorageError(f"A key file already exists at {path}; it was not replaced.")
        return cls(path, {})

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        if not path.is_file():
            raise StorageError(
                f"The key file {path.name} is missing from {path.parent}. The database is "
                "encrypted and cannot be opened without it: copy the key file of its newest "
                f"backup (in the backup folder, named like the backup with .keys) to {path.name}, "
                "or ask the administrator."
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"unknown format {data.get('format')}")
            return cls(path, dict(data["slots"]))
        except (ValueError, KeyError, TypeError) as error:
            raise StorageError(f"The key file {path.name} is damaged ({error}).") from error

    @property
    def slot_names(self) -> list[str]:
        return sorted(self._slots)

    def has_slot(self, name: str) -> bool:
        return name in self._slots

    def add_slot(
        self, name: str, secret: str, database_key: bytes, params: KdfParameters | None = None
    ) -> None:
        """Wraps the database key for ``name`` (replacing an existing slot of that name)."""
        params = params or KdfParameters()
        salt = os.urandom(16)
        nonce = os.urandom(12)
        wrapping = _derive(secret, salt, params)
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        wrapped = AESGCM(wrapping).encrypt(nonce, database_key, name.encode("utf-8"))
        self._slots[name] = {
            "kdf": "argon2id",
            "t": params.time_cost,
            "m": params.memory_kib,
            "p": params.parallelism,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),
        }

    def same_recovery_slot(self, other: KeyFile) -> bool:
        """Whether two key files wrap the same database key: the recovery slot is made once,
        with the database, and never rewrapped, so a copy (a backup's key file) carries it
        byte for byte and another database's cannot."""
        mine, theirs = self._slots.get(RECOVERY_SLOT), other._slots.get(RECOVERY_SLOT)
        if mine is None or theirs is None:
            return False
        return all(mine.get(part) == theirs.get(part) for part in ("salt", "nonce", "wrapped"))

    def is_current(self, name: str) -> bool:
        """Whether the slot was wrapped with today's parameters (``KdfParameters()``)."""
        slot = self._slots.get(name)
        if slot is None:
            return True
        params = KdfParameters(int(slot["t"]), int(slot["m"]), int(slot["p"]))
        return params == KdfParameters()

    def remove_slot(self, name: str) -> None:
        self._slots.pop(name, None)

    def unwrap(self, name: str, secret: str, field: str = "password") -> bytes:
        slot = self._slots.get(name)
        if slot is None:
            raise WrongSecret(
                field, "This user has no key to the encrypted database. Ask the administrator."
            )
        params = KdfParameters(int(slot["t"]), int(slot["m"]), int(slot["p"]))
        wrapping = _derive(secret, _unb64(slot["salt"]), params)
        # Imported after the derivation: at start-up it loads while argon2 is busy (and
        # releases the GIL), not before it.
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(wrapping).decrypt(
                _unb64(slot["nonce"]), _unb64(slot["wrapped"]), name.encode("utf-8")
            )
        except InvalidTag:
            what = field.replace("_", " ")
            raise WrongSecret(field, f"The {what} is not right.") from None

    def locked_until(self, name: str) -> dt.datetime | None:
        value = self._slots.get(name, {}).get("locked_until")
        return dt.datetime.fromisoformat(value) if value else None

    def record_failure(
        self, name: str, limit: int, lockout: dt.timedelta, now: dt.datetime
    ) -> None:
        """Counts a wrong password against a slot; the ``limit``-th in a row locks it."""
        slot = self._slots[name]
        slot["failed"] = int(slot.get("failed", 0)) + 1
        if slot["failed"] >= limit:
            slot["failed"] = 0
            slot["locked_until"] = (now + lockout).isoformat()

    def clear_failures(self, name: str) -> bool:
        slot = self._slots.get(name)
        if not slot or not (slot.get("failed") or slot.get("locked_until")):
            return False
        slot.pop("failed", None)
        slot.pop("locked_until", None)
        return True

    def save(self) -> None:
        """Written to a temporary file, flushed to the disk, then renamed over the old one: a
        crash or power cut leaves the old key file or the new one, never half of one (and
        without the flush a rename can reach the disk before the data it names)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One temporary name per process: two sign-ins saving at once must not share one.
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.partial")
        data = json.dumps(
            {"format": FORMAT, "cipher": "AES-256-GCM", "slots": self._slots}, indent=1
        ).encode("utf-8")
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)
        if os.name == "posix":
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)


def user_slot(username: str) -> str:
    return f"user:{username.strip().lower()}"

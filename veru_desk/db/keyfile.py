"""The key file beside an encrypted database: the random database key, sealed once per user.

Each slot is a user's (or the recovery key's) own X25519 key pair. The private half is
encrypted with AES-256-GCM under a key derived from that user's password with argon2id; the
database key is sealed to the public half (an ephemeral X25519 exchange, HKDF-SHA256, then
AES-256-GCM). So any user opens the database with their own password, a password change
rewraps only their slot, and an administrator who changes the database key (after disabling
an account) can seal the new key for every remaining user and the recovery key without
knowing their passwords, while the disabled account's slot is simply gone.

Slot names are stored keyed (HMAC-SHA256 with a random key kept in the file), so the file
does not list who has an account; the slot's identity is authenticated with its ciphertexts,
so slots cannot be swapped between users. Nothing in the file is secret without a password.

Changing the key is crash-safe across the two files: the new key is first sealed for every
remaining slot beside the old one (``begin_rotation``, saved and synced), then the database
is rekeyed in one transaction, then the old key is retired (``finish_rotation``). An opener
tries the current key, then the pending one, and finishes a change a kill interrupted
(``db.key_rotation``). Key files of format 1 (the database key wrapped straight under each
password, names in clear) are read and upgraded: names are keyed at the first save, and each
slot gets its key pair at its user's next sign-in (until then a key change cannot include it).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw

from veru_desk.db.driver import key_file_path as key_file_path  # its home is the driver
from veru_desk.db.libcrypto import (
    InvalidTag,
    aes_gcm_decrypt,
    aes_gcm_encrypt,
    hkdf_sha256,
    x25519_new_private,
    x25519_public,
    x25519_shared,
)
from veru_desk.db.private_files import make_private, make_private_folder, open_private
from veru_desk.db.replace import FileHeld, replace_file
from veru_desk.domain.errors import StorageError, ValidationError

FORMAT = 2
LEGACY_FORMAT = 1
KEY_BYTES = 32
RECOVERY_SLOT = "recovery"
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_PRIVATE_AAD = b"veru-desk slot private key:"
_SEAL_INFO = b"veru-desk sealed database key:"

# What a key file may ask of argon2: wide enough for any parameters VERU Desk has made or
# will make, narrow enough that an edited file cannot make a sign-in allocate terabytes,
# spin for hours, or crash the hashing library.
MIN_TIME_COST, MAX_TIME_COST = 1, 16
MIN_MEMORY_KIB, MAX_MEMORY_KIB = 8 * 1024, 1024 * 1024
MIN_PARALLELISM, MAX_PARALLELISM = 1, 16


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


class KeyChangeUnfinished(StorageError):
    """The key file holds a pending database key: only the full sign-in, which can finish the
    change, should open the database now."""


@dataclass(frozen=True)
class SlotKeys:
    """What a password opens: the database key, and during a key change the pending one."""

    current: bytes
    pending: bytes | None


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
    return base64.b64decode(text.encode("ascii"), validate=True)


def _params_of(slot: dict[str, Any]) -> KdfParameters:
    return KdfParameters(int(slot["t"]), int(slot["m"]), int(slot["p"]))


def _bounds_problem(params: KdfParameters) -> str | None:
    if not MIN_TIME_COST <= params.time_cost <= MAX_TIME_COST:
        return f"{params.time_cost} passes (VERU Desk uses {MIN_TIME_COST} to {MAX_TIME_COST})"
    if not MIN_PARALLELISM <= params.parallelism <= MAX_PARALLELISM:
        return (
            f"{params.parallelism} lanes (VERU Desk uses {MIN_PARALLELISM} to {MAX_PARALLELISM})"
        )
    if not max(MIN_MEMORY_KIB, 8 * params.parallelism) <= params.memory_kib <= MAX_MEMORY_KIB:
        return (
            f"{params.memory_kib:,} KiB of memory (VERU Desk uses {MIN_MEMORY_KIB // 1024} MiB "
            f"to {MAX_MEMORY_KIB // (1024 * 1024)} GiB)"
        )
    return None


def _seal_key(ephemeral_public: bytes, recipient_public: bytes, shared: bytes) -> bytes:
    info = _SEAL_INFO + ephemeral_public + recipient_public
    return hkdf_sha256(shared, KEY_BYTES, info)


def _seal(recipient_public: bytes, data: bytes, aad: bytes) -> dict[str, str]:
    """``data`` readable only with the recipient's private key (a sealed box: a fresh
    ephemeral key pair per seal, so the sender needs nothing secret of the recipient's)."""
    ephemeral = x25519_new_private()
    shared = x25519_shared(ephemeral, recipient_public)
    ephemeral_public = x25519_public(ephemeral)
    nonce = os.urandom(12)
    box = aes_gcm_encrypt(_seal_key(ephemeral_public, recipient_public, shared), nonce, data, aad)
    return {"eph": _b64(ephemeral_public), "nonce": _b64(nonce), "box": _b64(box)}


def _open_sealed(private: bytes, sealed: dict[str, str], aad: bytes) -> bytes:
    ephemeral_public = _unb64(sealed["eph"])
    shared = x25519_shared(private, ephemeral_public)
    key = _seal_key(ephemeral_public, x25519_public(private), shared)
    return aes_gcm_decrypt(key, _unb64(sealed["nonce"]), _unb64(sealed["box"]), aad)


class KeyFile:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._data = data
        self._slots: dict[str, dict[str, Any]] = data["slots"]
        self._name_key = _unb64(data["name_key"])

    @classmethod
    def create(cls, path: Path) -> KeyFile:
        if path.exists():
            raise StorageError(f"A key file already exists at {path}; it was not replaced.")
        return cls(
            path,
            {
                "name_key": _b64(secrets.token_bytes(KEY_BYTES)),
                "database_id": secrets.token_hex(16),
                "key_id": secrets.token_hex(16),
                "slots": {},
            },
        )

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
            if data.get("format") == LEGACY_FORMAT:
                data = _from_format_1(data)
            elif data.get("format") != FORMAT:
                raise ValueError(f"unknown format {data.get('format')}")
            for slot in data["slots"].values():
                problem = _bounds_problem(_params_of(slot))
                if problem is not None:
                    raise StorageError(
                        f"The key file {path.name} asks the password check for {problem}: it "
                        "has been edited or damaged, and was not used. Put back the key file "
                        "saved with the newest backup, or ask the administrator."
                    )
            keys = cls(path, data)
            if len(keys._name_key) != KEY_BYTES:
                raise ValueError("its name key has the wrong length")
            return keys
        except StorageError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise StorageError(f"The key file {path.name} is damaged ({error}).") from error

    # -- slots, found by keyed name ------------------------------------------------------

    def _id(self, name: str) -> str:
        return hmac.new(self._name_key, name.encode("utf-8"), hashlib.sha256).hexdigest()

    @property
    def slot_count(self) -> int:
        return len(self._slots)

    def has_slot(self, name: str) -> bool:
        return self._id(name) in self._slots

    @property
    def key_id(self) -> str:
        """Names the database key (not secret): a backup's key file with the same id was
        taken with today's key; another id, with a key since changed."""
        return str(self._data["key_id"])

    @property
    def database_id(self) -> str:
        return str(self._data["database_id"])

    def same_database(self, other: KeyFile) -> bool:
        """Whether two key files belong to one database (a backup's key file and the live
        one), across key changes: the id is made once, with the database."""
        return self.database_id == other.database_id

    def add_slot(
        self, name: str, secret: str, database_key: bytes, params: KdfParameters | None = None,
        *, pending_key: bytes | None = None,
    ) -> None:
        """Gives ``name`` a new key pair, its private half wrapped under ``secret``, and seals
        the database key to it (replacing an existing slot of that name). During a key change
        the pending key is sealed too, so the new slot opens the database either side of it."""
        if self.pending_id is not None and pending_key is None:
            raise StorageError(
                "The database key is being changed: sign in again to finish the change first."
            )
        params = params or KdfParameters()
        slot_id = self._id(name)
        private = x25519_new_private()
        public = x25519_public(private)
        salt, nonce = os.urandom(16), os.urandom(12)
        wrapping = _derive(secret, salt, params)
        wrapped = aes_gcm_encrypt(wrapping, nonce, private, _PRIVATE_AAD + slot_id.encode())
        slot: dict[str, Any] = {
            "kdf": "argon2id",
            "t": params.time_cost,
            "m": params.memory_kib,
            "p": params.parallelism,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "private": _b64(wrapped),
            "public": _b64(public),
            "sealed": _seal(public, database_key, self._seal_aad(slot_id, self.key_id)),
        }
        if pending_key is not None and self.pending_id is not None:  # checked above
            slot["pending"] = _seal(public, pending_key, self._seal_aad(slot_id, self.pending_id))
        self._slots[slot_id] = slot

    @staticmethod
    def _seal_aad(slot_id: str, key_id: str) -> bytes:
        return f"{slot_id}:{key_id}".encode("ascii")

    def is_current(self, name: str) -> bool:
        """Whether the slot has its key pair and today's parameters (``KdfParameters()``);
        a missing slot counts as current (there is nothing to rewrap)."""
        slot = self._slots.get(self._id(name))
        if slot is None:
            return True
        return "public" in slot and _params_of(slot) == KdfParameters()

    def is_upgraded(self, name: str) -> bool:
        """Whether a key change can include the slot (it has a public key to seal to)."""
        slot = self._slots.get(self._id(name))
        return slot is not None and "public" in slot

    def slots_without_key_pair(self, names: list[str]) -> list[str]:
        """Of ``names``, those whose slot a key change could not include (format 1)."""
        return [n for n in names if self.has_slot(n) and not self.is_upgraded(n)]

    def remove_slot(self, name: str) -> bool:
        return self._slots.pop(self._id(name), None) is not None

    def open_slot(self, name: str, secret: str, field: str = "password") -> SlotKeys:
        slot_id = self._id(name)
        slot = self._slots.get(slot_id)
        if slot is None:
            # The same derivation a real slot costs, so an unknown username is refused no
            # faster than a wrong password: the time taken must not say who has an account.
            _derive(secret, bytes(16), KdfParameters())
            raise WrongSecret(
                field, "This user has no key to the encrypted database. Ask the administrator."
            )
        wrapping = _derive(secret, _unb64(slot["salt"]), _params_of(slot))
        try:
            if "public" not in slot:  # format 1: the database key under the password
                key = aes_gcm_decrypt(
                    wrapping, _unb64(slot["nonce"]), _unb64(slot["wrapped"]), name.encode("utf-8")
                )
                return SlotKeys(key, None)
            private = aes_gcm_decrypt(
                wrapping,
                _unb64(slot["nonce"]),
                _unb64(slot["private"]),
                _PRIVATE_AAD + slot_id.encode(),
            )
        except InvalidTag:
            what = field.replace("_", " ")
            raise WrongSecret(field, f"The {what} is not right.") from None
        try:
            current = _open_sealed(private, slot["sealed"], self._seal_aad(slot_id, self.key_id))
            pending = None
            if self.pending_id is not None and "pending" in slot:
                pending = _open_sealed(
                    private, slot["pending"], self._seal_aad(slot_id, self.pending_id)
                )
        except (InvalidTag, KeyError, ValueError) as error:
            raise StorageError(
                f"The key file {self.path.name} is damaged (a sealed key does not open)."
            ) from error
        return SlotKeys(current, pending)

    def spend_derivation(self, name: str, secret: str) -> None:
        """The derivation ``open_slot`` would cost, with nothing opened: for a refusal that
        needs no password (a locked slot), so it takes as long as a wrong password and the
        time taken does not tell anyone that the account is locked."""
        slot = self._slots.get(self._id(name))
        if slot is None:
            _derive(secret, bytes(16), KdfParameters())
        else:
            _derive(secret, _unb64(slot["salt"]), _params_of(slot))

    def unwrap(self, name: str, secret: str, field: str = "password") -> bytes:
        """The database key; while a key change is unfinished this refuses, because the key
        that opens the database is not known until the database is tried (``open_slot``)."""
        keys = self.open_slot(name, secret, field)
        if keys.pending is not None:
            raise KeyChangeUnfinished(
                "The database key is being changed; the full sign-in finishes the change."
            )
        return keys.current

    # -- a change of database key ------------------------------------------------------

    @property
    def pending_id(self) -> str | None:
        value = self._data.get("pending_key_id")
        return str(value) if value else None

    @property
    def rotation_owed(self) -> bool:
        """An account was disabled but the key could not yet be changed (a remaining slot
        still had no key pair): the Administration page says so until it is done."""
        return bool(self._data.get("rotation_owed"))

    def owe_rotation(self) -> None:
        self._data["rotation_owed"] = True

    def rotation_blockers(self) -> int:
        """How many user slots a key change cannot include yet (format 1, no key pair)."""
        recovery = self._id(RECOVERY_SLOT)
        return sum(1 for i in self.legacy_slot_ids() if i != recovery)

    def keep_only(self, names: list[str]) -> int:
        """Removes every slot but those of ``names`` (the active users and the recovery key):
        a slot left by an account disabled before slots were removed goes too. Returns how
        many were removed."""
        wanted = {self._id(name) for name in names}
        extra = [slot_id for slot_id in self._slots if slot_id not in wanted]
        for slot_id in extra:
            del self._slots[slot_id]
        return len(extra)

    def legacy_slot_ids(self) -> list[str]:
        return [i for i, slot in self._slots.items() if "public" not in slot]

    @property
    def has_recovery(self) -> bool:
        return self.has_slot(RECOVERY_SLOT)

    def begin_rotation(self, new_key: bytes) -> None:
        """Seals ``new_key`` beside the current key for every slot that has a key pair; the
        caller saves (and so syncs) this before the database is rekeyed. A slot of format 1
        cannot be included: the caller has made sure only the recovery slot can be one, and
        it is dropped (the administrator is asked to make a new recovery key)."""
        blockers = self.rotation_blockers()
        if blockers:
            raise StorageError(
                f"{blockers} key slots have no key pair yet: their users must sign in once."
            )
        if self.pending_id is None:
            self._data["pending_key_id"] = secrets.token_hex(16)
        assert self.pending_id is not None
        for slot_id in self.legacy_slot_ids():
            del self._slots[slot_id]
        for slot_id, slot in self._slots.items():
            public = _unb64(slot["public"])
            slot["pending"] = _seal(public, new_key, self._seal_aad(slot_id, self.pending_id))

    def finish_rotation(self, old_key: bytes, new_key: bytes) -> None:
        """After the database was rekeyed: the pending key becomes the key, and the old one is
        kept, encrypted under the new, so backups taken with it can be re-encrypted."""
        new_id = self.pending_id
        if new_id is None:
            return
        retired = self.retired_keys(old_key)
        retired[self.key_id] = old_key
        self._data["retired"] = [
            _retire(key_id, key, new_key) for key_id, key in sorted(retired.items())
        ]
        for slot in self._slots.values():
            slot["sealed"] = slot.pop("pending")
        self._data["key_id"] = new_id
        self._data.pop("pending_key_id", None)
        self._data.pop("rotation_owed", None)

    def retired_keys(self, database_key: bytes) -> dict[str, bytes]:
        """Earlier database keys by id (readable with today's key), for old backups."""
        found = {}
        for entry in self._data.get("retired", []):
            try:
                found[entry["key_id"]] = aes_gcm_decrypt(
                    database_key,
                    _unb64(entry["nonce"]),
                    _unb64(entry["box"]),
                    entry["key_id"].encode(),
                )
            except (InvalidTag, KeyError, ValueError):
                continue
        return found

    def forget_retired_keys(self) -> None:
        self._data.pop("retired", None)

    def copy_for_backup(self, path: Path) -> KeyFile:
        """This key file under another name (a backup's), without sign-in counters."""
        data = json.loads(json.dumps(self._data))
        data.pop("retired", None)  # a backup needs only the key it is under
        for slot in data["slots"].values():
            slot.pop("failed", None)
            slot.pop("locked_until", None)
        return KeyFile(path, data)

    # -- failed sign-ins ---------------------------------------------------------------

    def locked_until(self, name: str) -> dt.datetime | None:
        value = self._slots.get(self._id(name), {}).get("locked_until")
        return dt.datetime.fromisoformat(value) if value else None

    def record_failure(
        self, name: str, limit: int, lockout: dt.timedelta, now: dt.datetime
    ) -> None:
        """Counts a wrong password against a slot; the ``limit``-th in a row locks it."""
        slot = self._slots[self._id(name)]
        slot["failed"] = int(slot.get("failed", 0)) + 1
        if slot["failed"] >= limit:
            slot["failed"] = 0
            slot["locked_until"] = (now + lockout).isoformat()

    def clear_failures(self, name: str) -> bool:
        slot = self._slots.get(self._id(name))
        if not slot or not (slot.get("failed") or slot.get("locked_until")):
            return False
        slot.pop("failed", None)
        slot.pop("locked_until", None)
        return True

    # -- the audit trail's records kept outside the database (part 2 of issue 16) -------

    def audit_record(self, part: str) -> Any:
        """What the audit trail keeps here, outside the database it could be cut from:
        ``head`` (``db.audit_chain``) and ``failures`` (``db.sign_in_queue``); None if unset."""
        return self._data.get("audit", {}).get(part)

    def set_audit_record(self, part: str, value: Any) -> None:
        """Sets one of the audit trail's records; saved with the file (``save``)."""
        self._data.setdefault("audit", {})[part] = value

    def keyed_name(self, name: str) -> str:
        """A slot name as this file stores it (keyed), so a queued failure names no one."""
        return self._id(name)

    def save(self) -> None:
        """Written to a temporary file, flushed to the disk, then renamed over the old one: a
        crash or power cut leaves the old key file or the new one, never half of one (and
        without the flush a rename can reach the disk before the data it names). The file
        is its owner's only (``db.private_files``)."""
        make_private_folder(self.path.parent)
        # One temporary name per process: two sign-ins saving at once must not share one.
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.partial")
        data = json.dumps(
            {
                "format": FORMAT,
                "cipher": "X25519 + HKDF-SHA256 + AES-256-GCM; argon2id",
                **self._data,
            },
            indent=1,
        ).encode("utf-8")
        with os.fdopen(open_private(partial), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            replace_file(partial, self.path)  # patiently: a scanner may hold the old one
        except FileHeld:
            partial.unlink(missing_ok=True)
            raise
        make_private(self.path)
        if os.name == "posix":
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)


def _retire(key_id: str, key: bytes, under: bytes) -> dict[str, str]:
    nonce = os.urandom(12)
    box = aes_gcm_encrypt(under, nonce, key, key_id.encode())
    return {"key_id": key_id, "nonce": _b64(nonce), "box": _b64(box)}


def _from_format_1(data: dict[str, Any]) -> dict[str, Any]:
    """A key file of format 1 read as format 2: names keyed, slots kept as they are (each
    gets its key pair at its user's next sign-in). Its ids are derived from the recovery slot,
    made once with the database, so a backup's old key file and the live one, upgraded
    separately, still agree that they belong together and share a key."""
    name_key = secrets.token_bytes(KEY_BYTES)
    slots = {}
    for name, slot in dict(data["slots"]).items():
        slot_id = hmac.new(name_key, str(name).encode("utf-8"), hashlib.sha256).hexdigest()
        slots[slot_id] = dict(slot)
    recovery = data["slots"].get(RECOVERY_SLOT, {})
    origin = "".join(str(recovery.get(part, "")) for part in ("salt", "nonce", "wrapped"))
    database_id = hashlib.sha256(origin.encode("ascii")).hexdigest()[:32]
    return {
        "name_key": _b64(name_key),
        "database_id": database_id,
        "key_id": f"v1-{database_id}",
        "slots": slots,
    }


def user_slot(username: str) -> str:
    return f"user:{username.strip().lower()}"

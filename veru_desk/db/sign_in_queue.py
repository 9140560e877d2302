"""Failed sign-ins on an encrypted file, queued in the key file until the database can take them.

A wrong password never unwraps the database key, so the attempt cannot be written into the
audit trail when it happens. It is queued in the key file instead and written into the trail
at the next successful open. Nothing on the PC is secret before a password is typed, so no
scheme can stop someone who edits the key file from adding entries; what matters is that the
attempts really made cannot be altered or silently dropped afterwards. A forward-secure MAC
chain (Bellare and Yee; Schneier and Kelsey's secure logs) gives that:

- At each successful open the app draws a random key ``K0``, keeps it inside the encrypted
  database (``audit_chain_head.failure_queue``) and starts the key file's queue with ``K0``.
- A failure appends ``{n, at, slot, what}`` with ``mac = HMAC-SHA256(K_n, entry)`` and then
  replaces ``K_n`` in the key file by ``K_n+1 = SHA-256(K_n)``: the key that signed it is gone.
- The next open recomputes the keys from ``K0`` (read from the database), checks every MAC,
  and checks that the key left in the file is ``K0`` moved on once per entry.

So an entry changed or removed afterwards fails its MAC, the newest entries cut off leave a
key that no longer matches the count, and a queue made up from nothing or from another file
does not start from this database's ``K0``. What it cannot catch: new entries appended by
someone who reads the current key (only ever more failures in the trail), and the whole key
file put back from a copy taken since the last open (that needs a trusted counter). The
attempting user is named by their keyed slot id, never in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

# How many earlier queues the database remembers, so a queue another process started a
# moment before this one (or a key file whose rewrite a crash lost) still verifies.
_REMEMBERED = 4


@dataclass(frozen=True)
class Failure:
    at: dt.datetime  # UTC
    slot: str | None  # the keyed slot id, None for a username with no slot
    what: str
    verified: bool | None  # None: queued before this database issued a signing key


@dataclass
class Reading:
    failures: list[Failure] = field(default_factory=list)
    problem: str | None = None
    state: dict[str, Any] = field(default_factory=dict)  # for the database
    fresh: dict[str, Any] = field(default_factory=dict)  # for the key file


def _epoch(key: bytes) -> str:
    return hashlib.sha256(b"veru-sign-in-queue\n" + key).hexdigest()[:32]


def _mac(key: bytes, entry: dict[str, Any]) -> str:
    body = {k: entry[k] for k in ("n", "at", "slot", "what")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def _next(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()


def new_queue(key: bytes) -> dict[str, Any]:
    """The key file's part for a queue that starts with ``key`` (kept in the database)."""
    return {"epoch": _epoch(key), "key": key.hex(), "entries": []}


def queue_failure(queue: dict[str, Any] | None, slot: str | None, what: str, at: dt.datetime) -> (
    dict[str, Any]
):
    """The queue with one more failure, signed and its key moved on. A key file that never
    had a queue (made before this release) gets unsigned entries, read as such."""
    queue = dict(queue or {"epoch": None, "key": None, "entries": []})
    entries = list(queue.get("entries") or [])
    entry: dict[str, Any] = {
        "n": len(entries),
        "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "slot": slot,
        "what": what,
    }
    if queue.get("key"):
        key = bytes.fromhex(queue["key"])
        entry["mac"] = _mac(key, entry)
        queue["key"] = _next(key).hex()
    entries.append(entry)
    queue["entries"] = entries
    return queue


def read(queue: dict[str, Any] | None, state: dict[str, Any] | None) -> Reading:
    """The failures in ``queue`` not yet in the trail, checked against the database's
    ``state``; and the new state and key-file queue for a fresh ``K0``."""
    state = state or {}
    epochs: dict[str, dict[str, Any]] = dict(state.get("epochs") or {})
    reading = Reading()
    entries = list((queue or {}).get("entries") or [])
    epoch = (queue or {}).get("epoch")
    known = epochs.get(epoch) if epoch else None
    if queue is None and epochs:
        reading.problem = (
            "The key file's record of failed sign-ins is missing: it was removed or the key "
            "file replaced, so failed sign-ins since the last sign-in may be lost"
        )
    elif known is None and (epoch or entries):
        unverified = "; its entries are recorded but cannot be trusted" if entries else ""
        reading.problem = (
            None
            if not epochs and epoch is None
            else "The key file's record of failed sign-ins was not started by this database "
            f"(it was replaced or made up){unverified}"
        )
        verified = None if not epochs and epoch is None else False
        reading.failures = [_failure(e, verified=verified) for e in entries]
    elif known is not None:
        key = bytes.fromhex(known["key"])
        skip = int(known.get("taken", 0))
        for index, entry in enumerate(entries):
            good = entry.get("n") == index and hmac.compare_digest(
                str(entry.get("mac", "")), _mac(key, entry)
            )
            if not good:
                reading.problem = (
                    f"Entry {index + 1} of the key file's record of failed sign-ins was changed "
                    "or an entry before it removed"
                )
                reading.failures += [_failure(e, verified=False) for e in entries[index:]]
                break
            if index >= skip:
                reading.failures.append(_failure(entry, verified=True))
            key = _next(key)
        else:
            if queue is not None and queue.get("key") != key.hex():
                reading.problem = (
                    "The newest entries of the key file's record of failed sign-ins were "
                    "removed (its key does not match the entries left)"
                )
        known["taken"] = len(entries)
    fresh_key = secrets.token_bytes(32)
    epochs[_epoch(fresh_key)] = {"key": fresh_key.hex(), "taken": 0}
    reading.state = {"epochs": dict(list(epochs.items())[-_REMEMBERED:])}
    reading.fresh = new_queue(fresh_key)
    return reading


def _failure(entry: dict[str, Any], *, verified: bool | None) -> Failure:
    try:
        at = dt.datetime.fromisoformat(str(entry.get("at"))).replace(tzinfo=None)
    except ValueError:
        at = dt.datetime(1970, 1, 1)
    slot = entry.get("slot")
    return Failure(at, str(slot) if slot else None, str(entry.get("what", "?"))[:200], verified)

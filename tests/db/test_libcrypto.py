"""The key file's ciphers on the process's own OpenSSL (``db.libcrypto``), held to the
standards' test vectors, to the ``cryptography`` package the releases before used (a test
dependency now), and to key files those releases wrote (``tests/fixtures/keys-format-2*``)."""

from __future__ import annotations

import base64
import ctypes
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from veru_desk.db import libcrypto
from veru_desk.db.keyfile import RECOVERY_SLOT, KeyFile, WrongSecret, user_slot
from veru_desk.db.libcrypto import (
    InvalidTag,
    aes_gcm_decrypt,
    aes_gcm_encrypt,
    hkdf_sha256,
    x25519_public,
    x25519_shared,
)
from veru_desk.domain.errors import StorageError

FIXTURES = Path(__file__).parent.parent / "fixtures"
keys = st.binary(min_size=32, max_size=32)
nonces = st.binary(min_size=8, max_size=128)


def _error_queue_empty() -> bool:
    peek = libcrypto._library().ERR_peek_error
    peek.restype, peek.argtypes = ctypes.c_ulong, []
    return bool(peek() == 0)


# -- the standards' own vectors ----------------------------------------------------------


def test_x25519_matches_rfc_7748() -> None:
    """RFC 7748, section 6.1: Alice's and Bob's key pairs and their shared secret."""
    alice = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    bob = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    alice_public = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    bob_public = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
    assert x25519_public(alice).hex() == alice_public
    assert x25519_public(bob).hex() == bob_public
    assert x25519_shared(alice, bytes.fromhex(bob_public)).hex() == shared
    assert x25519_shared(bob, bytes.fromhex(alice_public)).hex() == shared


def test_hkdf_sha256_matches_rfc_5869() -> None:
    """RFC 5869, appendix A: test cases 1 (salt and info) and 3 (neither)."""
    ikm = bytes([0x0B] * 22)
    assert hkdf_sha256(ikm, 42, bytes(range(0xF0, 0xFA)), bytes(range(13))).hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )
    assert hkdf_sha256(ikm, 42, b"").hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


@pytest.mark.parametrize(
    ("key", "nonce", "data", "aad", "box"),
    [
        # The GCM specification's test cases 13, 14 and 16 (AES-256).
        ("00" * 32, "00" * 12, "", "", "530f8afbc74536b9a963b4f1c4cb738b"),
        (
            "00" * 32,
            "00" * 12,
            "00" * 16,
            "",
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919",
        ),
        (
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            "cafebabefacedbaddecaf888",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
            "76fc6ece0f4e1768cddf8853bb2d551b",
        ),
    ],
)
def test_aes_256_gcm_matches_the_gcm_specification(
    key: str, nonce: str, data: str, aad: str, box: str
) -> None:
    k, n, d, a = (bytes.fromhex(x) for x in (key, nonce, data, aad))
    assert aes_gcm_encrypt(k, n, d, a).hex() == box
    assert aes_gcm_decrypt(k, n, bytes.fromhex(box), a) == d


# -- the same answers as the cryptography package -----------------------------------------


@settings(max_examples=150, deadline=None)
@given(key=keys, nonce=nonces, data=st.binary(max_size=300), aad=st.binary(max_size=100))
def test_aes_gcm_boxes_are_cryptographys_both_ways(
    key: bytes, nonce: bytes, data: bytes, aad: bytes
) -> None:
    theirs = AESGCM(key).encrypt(nonce, data, aad)
    assert aes_gcm_encrypt(key, nonce, data, aad) == theirs
    assert aes_gcm_decrypt(key, nonce, theirs, aad) == data
    assert _error_queue_empty()


@settings(max_examples=100, deadline=None)
@given(
    key=keys,
    nonce=nonces,
    data=st.binary(max_size=100),
    aad=st.binary(max_size=40),
    flip=st.integers(min_value=0),
    where=st.sampled_from(["box", "aad", "nonce", "key"]),
)
def test_any_changed_bit_is_refused_as_an_invalid_tag_and_leaves_openssl_clean(
    key: bytes, nonce: bytes, data: bytes, aad: bytes, flip: int, where: str
) -> None:
    box = aes_gcm_encrypt(key, nonce, data, aad)
    parts = {"box": box, "aad": aad, "nonce": nonce, "key": key}
    if not parts[where]:
        parts[where] = b"\x00"  # an added byte of associated data changes it too
    else:
        changed = bytearray(parts[where])
        bit = flip % (len(changed) * 8)
        changed[bit // 8] ^= 1 << (bit % 8)
        parts[where] = bytes(changed)
    with pytest.raises(InvalidTag):
        aes_gcm_decrypt(parts["key"], parts["nonce"], parts["box"], parts["aad"])
    assert _error_queue_empty()


@settings(max_examples=100, deadline=None)
@given(own=keys, other=keys)
def test_x25519_keys_and_secrets_are_cryptographys(own: bytes, other: bytes) -> None:
    theirs = X25519PrivateKey.from_private_bytes(own)
    other_public = x25519_public(other)
    assert x25519_public(own) == theirs.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    expected = theirs.exchange(X25519PublicKey.from_public_bytes(other_public))
    assert x25519_shared(own, other_public) == expected


@settings(max_examples=50, deadline=None)
@given(secret=st.binary(min_size=1, max_size=64), info=st.binary(max_size=80))
def test_hkdf_is_cryptographys(secret: bytes, info: bytes) -> None:
    expected = HKDF(SHA256(), 32, salt=None, info=info).derive(secret)
    assert hkdf_sha256(secret, 32, info) == expected


# -- what is refused, and how -------------------------------------------------------------


def test_a_low_order_public_key_gives_no_secret_and_leaves_openssl_clean() -> None:
    """A peer key of small order makes the secret all zeros: refused, as cryptography did."""
    for low_order in (bytes(32), bytes([1]) + bytes(31)):
        with pytest.raises(ValueError):
            x25519_shared(os.urandom(32), low_order)
        assert _error_queue_empty()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: aes_gcm_encrypt(bytes(16), bytes(12), b"", b""), "32 bytes, not 16"),
        (lambda: aes_gcm_encrypt(bytes(32), bytes(7), b"", b""), "8 to 128 bytes, not 7"),
        (lambda: aes_gcm_decrypt(bytes(32), bytes(129), bytes(16), b""), "not 129"),
        (lambda: x25519_public(bytes(31)), "32 bytes, not 31"),
        (lambda: x25519_shared(bytes(32), bytes(33)), "32 bytes, not 33"),
    ],
)
def test_wrong_lengths_are_refused_before_openssl_sees_them(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_a_box_shorter_than_its_tag_is_an_invalid_tag() -> None:
    with pytest.raises(InvalidTag):
        aes_gcm_decrypt(bytes(32), bytes(12), bytes(15), b"")


# -- key files the cryptography-based releases wrote --------------------------------------


def test_key_files_written_by_earlier_releases_open_with_every_password(tmp_path: Path) -> None:
    """Made by e1a65f6 (cryptography 46): two users and the recovery key, after one key
    change (a retired key), and a copy interrupted in a second change (a pending key)."""
    expected = json.loads((FIXTURES / "keys-format-2.json").read_text(encoding="utf-8"))
    b64 = base64.b64decode
    for name, want in (
        ("keys-format-2.keys", expected["keys-format-2.keys"]),
        ("keys-format-2-pending.keys", expected["keys-format-2-pending.keys"]),
    ):
        shutil.copy(FIXTURES / name, tmp_path / name)
        key_file = KeyFile.load(tmp_path / name)
        secrets = [(user_slot(u), p) for u, p in expected["users"].items()]
        for slot, secret in [*secrets, (RECOVERY_SLOT, expected["recovery"])]:
            opened = key_file.open_slot(slot, secret)
            assert opened.current == b64(want["current"]), (name, slot)
            assert opened.pending == (b64(want["pending"]) if "pending" in want else None)
        with pytest.raises(WrongSecret):
            key_file.open_slot(secrets[0][0], "Wiosna-2026 zielona!")
    retired = KeyFile.load(tmp_path / "keys-format-2.keys").retired_keys(
        b64(expected["keys-format-2.keys"]["current"])
    )
    assert list(retired.values()) == [b64(expected["keys-format-2.keys"]["retired"])]


def test_a_key_file_written_now_opens_with_cryptography(tmp_path: Path) -> None:
    """The other way round: a slot this code writes is the format the releases before read
    (the private key under AES-GCM, the database key sealed with X25519 and HKDF)."""
    from argon2.low_level import Type, hash_secret_raw

    from veru_desk.db.keyfile import KdfParameters

    database_key = os.urandom(32)
    key_file = KeyFile.create(tmp_path / "now.keys")
    key_file.add_slot(
        user_slot("oluwaseun"),
        "Ọmọ ọba 2026 àṣẹ",
        database_key,
        KdfParameters(time_cost=1, memory_kib=8192, parallelism=1),
    )
    key_file.save()
    data = json.loads((tmp_path / "now.keys").read_text(encoding="utf-8"))
    ((slot_id, slot),) = data["slots"].items()
    wrapping = hash_secret_raw(
        "Ọmọ ọba 2026 àṣẹ".encode(),
        base64.b64decode(slot["salt"]),
        time_cost=1,
        memory_cost=8192,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    private = AESGCM(wrapping).decrypt(
        base64.b64decode(slot["nonce"]),
        base64.b64decode(slot["private"]),
        b"veru-desk slot private key:" + slot_id.encode(),
    )
    sealed = slot["sealed"]
    ephemeral = base64.b64decode(sealed["eph"])
    shared = X25519PrivateKey.from_private_bytes(private).exchange(
        X25519PublicKey.from_public_bytes(ephemeral)
    )
    info = b"veru-desk sealed database key:" + ephemeral + base64.b64decode(slot["public"])
    seal_key = HKDF(SHA256(), 32, salt=None, info=info).derive(shared)
    opened = AESGCM(seal_key).decrypt(
        base64.b64decode(sealed["nonce"]),
        base64.b64decode(sealed["box"]),
        f"{slot_id}:{data['key_id']}".encode(),
    )
    assert opened == database_key


def test_signing_in_to_an_encrypted_database_never_loads_cryptography(tmp_path: Path) -> None:
    """The package's own OpenSSL is what this module spares the app (12 MiB of memory, 12 MB
    of the bundle): a fresh process creates an encrypted database and signs in."""
    probe = f"""
import sys
from veru_desk.config import resolve_database
from veru_desk.services.vault import create_database, open_for_user
location = resolve_database({str(tmp_path / "enc.db")!r})
password = "Wiosna-2026 zielona"
create_database(location, "amara", "Amara Okafor", password, encrypted=True).db.dispose()
db, actor = open_for_user(location, "amara", password)
assert actor.username == "amara"
db.dispose()
print(sorted(m for m in sys.modules if m.split(".")[0] == "cryptography"))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "VERU_DESK_BACKUP_DIR": str(tmp_path / "backups")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_without_any_libcrypto_the_person_is_told_it_is_the_installation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A StorageError with its cause and its remedy, not an unexpected-error dialog."""
    monkeypatch.setattr(libcrypto, "_candidates", lambda: iter(["/nowhere/libcrypto.so.3"]))
    libcrypto._library.cache_clear()
    try:
        with pytest.raises(StorageError, match=r"libcrypto.*not found.*Reinstall VERU Desk"):
            aes_gcm_encrypt(bytes(32), bytes(12), b"key", b"")
    finally:
        monkeypatch.undo()
        libcrypto._library.cache_clear()
    assert aes_gcm_encrypt(bytes(32), bytes(12), b"", b"").hex() == (
        "530f8afbc74536b9a963b4f1c4cb738b"
    )

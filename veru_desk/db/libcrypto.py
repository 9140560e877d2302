"""The key file's ciphers from the OpenSSL the process already holds: AES-256-GCM, X25519 and
HKDF-SHA256, through ctypes.

Python's own ``hashlib`` (and libpq, for a shared office) load OpenSSL's libcrypto anyway, and
it has every primitive the key file needs. The ``cryptography`` package carried a second,
statically linked OpenSSL of its own: 12 MB of the installed bundle and 12.6 MiB of the
running app's memory for three primitives. So the functions here call the same EVP interface
``cryptography`` calls, on the libcrypto that ``_hashlib`` loaded (found by its file, so it is
that very copy), with each call's result checked and OpenSSL's error queue left empty for the
next user of the library (Python's TLS and hashes, libpq).

``tests/db/test_libcrypto.py`` holds these to the RFCs' and NIST's test vectors and to
``cryptography`` (a test dependency) on random inputs, and ``tests/fixtures/keys-format-2*``
are key files the ``cryptography``-based releases wrote.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import hmac
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from veru_desk.domain.errors import StorageError

KEY_BYTES = 32
TAG_BYTES = 16
MIN_NONCE_BYTES, MAX_NONCE_BYTES = 8, 128  # what cryptography's AESGCM accepted
_NID_X25519 = 1034  # EVP_PKEY_X25519
_EVP_CTRL_GCM_SET_IVLEN = 0x9
_EVP_CTRL_GCM_GET_TAG = 0x10
_EVP_CTRL_GCM_SET_TAG = 0x11
_GCM_STEPS = ("Init_ex", "Update", "Final_ex")
_OPENSSL_1_1_1 = 0x1010100F  # raw X25519 keys (EVP_PKEY_new_raw_*) arrived in 1.1.1

_P = ctypes.c_void_p
_BUF = ctypes.c_char_p
_INT = ctypes.c_int
_SIZE = ctypes.c_size_t
# Every function used, with its C signature: ctypes would otherwise pass and return pointers
# as 32-bit ints.
_SIGNATURES: dict[str, tuple[type | None, list[type]]] = {
    "OpenSSL_version_num": (ctypes.c_ulong, []),
    "ERR_clear_error": (None, []),
    "EVP_aes_256_gcm": (_P, []),
    "EVP_CIPHER_CTX_new": (_P, []),
    "EVP_CIPHER_CTX_free": (None, [_P]),
    "EVP_CIPHER_CTX_ctrl": (_INT, [_P, _INT, _INT, _P]),
    "EVP_EncryptInit_ex": (_INT, [_P, _P, _P, _BUF, _BUF]),
    "EVP_EncryptUpdate": (_INT, [_P, _P, ctypes.POINTER(_INT), _BUF, _INT]),
    "EVP_EncryptFinal_ex": (_INT, [_P, _P, ctypes.POINTER(_INT)]),
    "EVP_DecryptInit_ex": (_INT, [_P, _P, _P, _BUF, _BUF]),
    "EVP_DecryptUpdate": (_INT, [_P, _P, ctypes.POINTER(_INT), _BUF, _INT]),
    "EVP_DecryptFinal_ex": (_INT, [_P, _P, ctypes.POINTER(_INT)]),
    "EVP_PKEY_new_raw_private_key": (_P, [_INT, _P, _BUF, _SIZE]),
    "EVP_PKEY_new_raw_public_key": (_P, [_INT, _P, _BUF, _SIZE]),
    "EVP_PKEY_get_raw_public_key": (_INT, [_P, _P, ctypes.POINTER(_SIZE)]),
    "EVP_PKEY_free": (None, [_P]),
    "EVP_PKEY_CTX_new": (_P, [_P, _P]),
    "EVP_PKEY_CTX_free": (None, [_P]),
    "EVP_PKEY_derive_init": (_INT, [_P]),
    "EVP_PKEY_derive_set_peer": (_INT, [_P, _P]),
    "EVP_PKEY_derive": (_INT, [_P, _P, ctypes.POINTER(_SIZE)]),
}


class InvalidTag(Exception):
    """The box does not open with this key, nonce and associated data: a wrong key (a wrong
    password's), or a box or its context that was changed."""


class OpenSslMissing(StorageError):
    """No usable libcrypto (1.1.1 or newer) in or beside this Python: an installation
    problem, said as one (a StorageError reaches the person as its message, not as "something
    unexpected")."""


def _loaded_libcrypto_files() -> Iterator[str]:
    """The libcrypto files this process has mapped, on Linux (where ``_hashlib`` loaded one)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            lines = maps.read().splitlines()
    except OSError:
        return
    seen = set()
    for line in lines:
        parts = line.split(maxsplit=5)
        path = parts[5].strip() if len(parts) == 6 else ""
        name = os.path.basename(path)
        if name.startswith("libcrypto") and ".so" in name and path not in seen:
            seen.add(path)
            yield path


def _candidates() -> Iterator[str]:
    with contextlib.suppress(ImportError):
        import _hashlib  # noqa: F401  (loads the libcrypto Python itself uses)
    if sys.platform.startswith("linux"):
        yield from _loaded_libcrypto_files()
    # By name: a library already loaded under that name is the one returned (Windows checks
    # its loaded modules first, and glibc matches sonames it has loaded).
    if sys.platform == "win32":
        yield from (
            "libcrypto-3.dll",
            "libcrypto-3-x64.dll",
            "libcrypto-1_1.dll",
            "libcrypto-1_1-x64.dll",
        )
    elif sys.platform == "darwin":
        yield from ("libcrypto.3.dylib", "libcrypto.dylib")
    else:
        yield from ("libcrypto.so.3", "libcrypto.so.1.1")
    # A Python that builds OpenSSL into _hashlib (some standalone builds) has no shared copy;
    # psycopg's wheel, a dependency, always carries one.
    yield from _psycopg_copies()


def _psycopg_copies() -> Iterator[str]:
    import importlib.util

    try:
        spec = importlib.util.find_spec("psycopg_binary")
    except (ImportError, ValueError):
        return
    if spec is None or spec.origin is None:
        return
    folder = Path(spec.origin).parent.parent / "psycopg_binary.libs"
    if folder.is_dir():
        yield from sorted(str(p) for p in folder.glob("libcrypto*"))


@functools.cache
def _library() -> ctypes.CDLL:
    tried = []
    for candidate in _candidates():
        try:
            library = ctypes.CDLL(candidate)
            for name, (restype, argtypes) in _SIGNATURES.items():
                function = getattr(library, name)
                function.restype = restype
                function.argtypes = argtypes
        except (OSError, AttributeError) as error:
            tried.append(f"{candidate}: {error}")
            continue
        if library.OpenSSL_version_num() < _OPENSSL_1_1_1:
            tried.append(f"{candidate}: OpenSSL older than 1.1.1")
            continue
        return library
    raise OpenSslMissing(
        "OpenSSL's libcrypto (1.1.1 or newer), which encrypts the key file, was not found "
        "(tried: " + "; ".join(tried or ["nothing found"]) + "). Reinstall VERU Desk."
    )


def _check(ok: int | None, what: str) -> None:
    if not ok or (isinstance(ok, int) and ok <= 0):
        _library().ERR_clear_error()
        raise ValueError(f"OpenSSL could not {what}")


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"an AES-256-GCM key has {KEY_BYTES} bytes, not {len(key)}")


def _check_nonce(nonce: bytes) -> None:
    if not MIN_NONCE_BYTES <= len(nonce) <= MAX_NONCE_BYTES:
        raise ValueError(
            f"a nonce has {MIN_NONCE_BYTES} to {MAX_NONCE_BYTES} bytes, not {len(nonce)}"
        )


def aes_gcm_encrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    """``data`` encrypted under ``key``, followed by the 16-byte tag over it and ``aad``
    (the layout of ``cryptography``'s ``AESGCM.encrypt``)."""
    return _gcm("Encrypt", key, nonce, data, aad, tag=None)


def aes_gcm_decrypt(key: bytes, nonce: bytes, box: bytes, aad: bytes) -> bytes:
    """The data ``aes_gcm_encrypt`` sealed in ``box``; InvalidTag if anything differs."""
    if len(box) < TAG_BYTES:
        _check_key(key)
        _check_nonce(nonce)
        raise InvalidTag()
    size = len(box) - TAG_BYTES
    return _gcm("Decrypt", key, nonce, box[:size], aad, tag=box[size:])


def _gcm(
    direction: str, key: bytes, nonce: bytes, data: bytes, aad: bytes, tag: bytes | None
) -> bytes:
    """One AES-256-GCM pass (``direction`` "Encrypt" or "Decrypt", as EVP names them): the
    ciphertext with its tag appended, or the plaintext once ``tag`` is verified."""
    _check_key(key)
    _check_nonce(nonce)
    lib = _library()
    init, update, final = (getattr(lib, f"EVP_{direction}{step}") for step in _GCM_STEPS)
    ctx = lib.EVP_CIPHER_CTX_new()
    _check(ctx, "make a cipher context")
    try:
        out = ctypes.create_string_buffer(len(data) + TAG_BYTES)
        written, extra = _INT(0), _INT(0)
        _check(init(ctx, lib.EVP_aes_256_gcm(), None, None, None), "start AES-GCM")
        _check(lib.EVP_CIPHER_CTX_ctrl(ctx, _EVP_CTRL_GCM_SET_IVLEN, len(nonce), None), "nonce")
        _check(init(ctx, None, None, key, nonce), "set the key")
        if aad:
            _check(update(ctx, None, ctypes.byref(extra), aad, len(aad)), "read the aad")
        if data:
            _check(update(ctx, out, ctypes.byref(written), data, len(data)), "run AES-GCM")
        if tag is not None:
            expected = ctypes.create_string_buffer(tag, TAG_BYTES)
            _check(lib.EVP_CIPHER_CTX_ctrl(ctx, _EVP_CTRL_GCM_SET_TAG, TAG_BYTES, expected), "tag")
        if final(ctx, ctypes.addressof(out) + written.value, ctypes.byref(extra)) <= 0:
            lib.ERR_clear_error()
            if tag is not None:
                raise InvalidTag()
            raise ValueError("OpenSSL could not finish AES-GCM")
        if written.value + extra.value != len(data):
            raise ValueError("OpenSSL wrote an unexpected length of AES-GCM output")
        if tag is not None:
            return out.raw[: len(data)]
        at = ctypes.addressof(out) + len(data)
        _check(lib.EVP_CIPHER_CTX_ctrl(ctx, _EVP_CTRL_GCM_GET_TAG, TAG_BYTES, at), "make the tag")
        return out.raw
    finally:
        lib.EVP_CIPHER_CTX_free(ctx)


def _check_x25519(raw: bytes, what: str) -> None:
    if len(raw) != KEY_BYTES:
        raise ValueError(f"an X25519 {what} key has {KEY_BYTES} bytes, not {len(raw)}")


def x25519_new_private() -> bytes:
    """32 random bytes: any is a private key (RFC 7748 clamps it when it is used)."""
    return os.urandom(KEY_BYTES)


def _pkey(raw: bytes, private: bool) -> int:
    lib = _library()
    make = lib.EVP_PKEY_new_raw_private_key if private else lib.EVP_PKEY_new_raw_public_key
    pkey = make(_NID_X25519, None, raw, len(raw))
    _check(pkey, "read an X25519 key")
    return int(pkey)


def x25519_public(private: bytes) -> bytes:
    """The public key of an X25519 private key (both raw, 32 bytes)."""
    _check_x25519(private, "private")
    lib = _library()
    pkey = _pkey(private, True)
    try:
        out = ctypes.create_string_buffer(KEY_BYTES)
        length = _SIZE(KEY_BYTES)
        _check(lib.EVP_PKEY_get_raw_public_key(pkey, out, ctypes.byref(length)), "public key")
        if length.value != KEY_BYTES:
            raise ValueError("OpenSSL gave an X25519 public key of the wrong length")
        return out.raw
    finally:
        lib.EVP_PKEY_free(pkey)


def x25519_shared(private: bytes, peer_public: bytes) -> bytes:
    """The X25519 shared secret; ValueError for a peer key that gives none (a low-order
    point, whose secret would be all zeros), as ``cryptography`` refused it."""
    _check_x25519(private, "private")
    _check_x25519(peer_public, "public")
    lib = _library()
    own = _pkey(private, True)
    try:
        peer = _pkey(peer_public, False)
        try:
            ctx = lib.EVP_PKEY_CTX_new(own, None)
            _check(ctx, "make a key exchange")
            try:
                _check(lib.EVP_PKEY_derive_init(ctx), "start the key exchange")
                _check(lib.EVP_PKEY_derive_set_peer(ctx, peer), "use the other public key")
                out = ctypes.create_string_buffer(KEY_BYTES)
                length = _SIZE(KEY_BYTES)
                _check(lib.EVP_PKEY_derive(ctx, out, ctypes.byref(length)), "exchange keys")
                if length.value != KEY_BYTES or out.raw == bytes(KEY_BYTES):
                    raise ValueError("the X25519 exchange gave no shared secret")
                return out.raw
            finally:
                lib.EVP_PKEY_CTX_free(ctx)
        finally:
            lib.EVP_PKEY_free(peer)
    finally:
        lib.EVP_PKEY_free(own)


def hkdf_sha256(secret: bytes, length: int, info: bytes, salt: bytes | None = None) -> bytes:
    """RFC 5869 with SHA-256 (no salt: a block of zeros, as the RFC says)."""
    if not 0 < length <= 255 * 32:
        raise ValueError("HKDF-SHA256 gives 1 to 8,160 bytes")
    prk = hmac.digest(salt or bytes(32), secret, hashlib.sha256)
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.digest(prk, block + info + bytes([counter]), hashlib.sha256)
        out += block
        counter += 1
    return out[:length]

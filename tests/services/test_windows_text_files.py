"""Text the app reads from its own files on a Windows PC, where Python's default text encoding
is the code page (cp1252 in a British office), not UTF-8: simulated by giving the reader that
default. A file we ship in UTF-8 must be read as UTF-8 wherever it runs."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import pytest

from veru_desk.services import passwords


@pytest.fixture
def windows_default_encoding(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``gzip.open(..., "rt")`` with no encoding reads as Windows would: in cp1252."""
    real = gzip.open

    def as_on_windows(filename: Any, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        if "t" in mode and kwargs.get("encoding") is None and len(args) < 2:
            kwargs["encoding"] = "cp1252"
        return real(filename, mode, *args, **kwargs)

    monkeypatch.setattr(gzip, "open", as_on_windows)
    passwords._common_passwords.cache_clear()
    yield
    passwords._common_passwords.cache_clear()


@pytest.mark.usefixtures("windows_default_encoding")
def test_the_common_password_list_is_read_as_utf8_on_a_cp1252_pc() -> None:
    """Choosing a password on Windows read the list in cp1252, which has no character for one
    byte of "я" (0x8F): every password change and new account stopped with an error. And a
    Cyrillic password on the list must be recognised there as here."""
    problem = passwords.password_problem("любовь2026!!!!")
    assert problem is not None and "most common passwords" in problem
    assert passwords.password_problem("Siobhán walks the Ó Briain greyhounds") is None

"""Passwords an attacker tries first are refused when they are chosen (NIST SP 800-63B), with a
reason the person can act on; a phrase of their own goes through."""

from __future__ import annotations

import pytest

from veru_desk.domain.enums import Role
from veru_desk.domain.errors import ValidationError
from veru_desk.services.passwords import check_password_rules, password_problem
from veru_desk.services.users import validate_new_user


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaaaaaa", "repeated"),
        (" " * 12, "spaces only"),
        ("abcabcabcabc", "repeated"),
        ("123456789012", "keyboard or alphabet"),
        ("qwertyuiopas", "keyboard or alphabet"),
        ("ZYXWVUTSRQPO", "keyboard or alphabet"),
        ("password1234", "most common"),
        ("Liverpool2026!", "most common"),
        ("passwordpassword", "most common"),
        ("iloveyou12345", "most common"),
        ("VeruDesk2026!", "app's name"),
    ],
)
def test_guessable_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    problem = password_problem(password)
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    "password",
    ["Ngozi walks the canal at dawn", "Łódź tramlines 1984 teal", "żółw pije herbatę rano"],
)
def test_a_phrase_of_ones_own_is_accepted(password: str) -> None:
    assert password_problem(password) is None
    check_password_rules(password)


def test_the_accounts_own_name_with_little_else_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_new_user("dwojcik", "Dariusz Wójcik", {Role.CASEWORKER}, "Dariusz.Wójcik!1")
    assert "name" in refused.value.fields["password"]
    validate_new_user("dwojcik", "Dariusz Wójcik", {Role.CASEWORKER}, "Dariusz rows at dawn 7")


def test_the_message_names_the_field_it_is_about() -> None:
    with pytest.raises(ValidationError) as refused:
        check_password_rules("password1234", "new_password")
    assert set(refused.value.fields) == {"new_password"}

"""Driving modal dialogs and pop-up menus in tests as a person would, without blocking.

``exec()`` on a dialog or menu would wait for a human; the drivers replace it with the next
scripted step (type into the fields, click Save; pick 'Attended'), then return what the real
``exec`` would have returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from veru_desk.domain.enums import (
    AgencyType,
    ConsentStatus,
    Priority,
    ReferralReason,
    ReferralStatus,
)
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.ui.dialogs.mentoring_session import SessionMenu

DialogStep = Callable[[Any], None]


class DialogDriver:
    """Scripted answers to the dialogs the code under test opens, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.steps: list[DialogStep] = []
        self.opened: list[QDialog] = []
        self.messages: list[str] = []
        driver = self

        def scripted_exec(dialog: QDialog) -> int:
            driver.opened.append(dialog)
            if isinstance(dialog, QMessageBox):
                driver.messages.append(dialog.text())
            if not driver.steps:
                if isinstance(dialog, QMessageBox):
                    return 0
                raise AssertionError(f"No step scripted for the dialog {dialog.windowTitle()!r}")
            dialog.show()  # as exec() would: what the step checks is what a person sees
            driver.steps.pop(0)(dialog)
            if dialog.isVisible():  # the step left it open (a refused save): the person gives up
                dialog.reject()
            return dialog.result()

        monkeypatch.setattr(QDialog, "exec", scripted_exec)

    def then(self, step: DialogStep) -> DialogDriver:
        self.steps.append(step)
        return self


class MenuDriver:
    """Picks a pop-up menu's item by its text, as the second of 'two clicks'."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.choices: list[str] = []
        self.shown: list[list[str]] = []
        driver = self

        def scripted_open(menu: SessionMenu, _position: object) -> None:
            actions = [a for a in menu.actions() if not a.isSeparator()]
            driver.shown.append([a.text() for a in actions])
            if not driver.choices:
                return
            wanted = driver.choices.pop(0)
            for action in actions:
                if action.text() == wanted:
                    assert action.isEnabled(), f"{wanted!r} is greyed out"
                    action.trigger()
                    return
            raise AssertionError(f"No menu item {wanted!r} in {driver.shown[-1]}")

        monkeypatch.setattr(SessionMenu, "open_at", scripted_open)

    def choose(self, text: str) -> MenuDriver:
        self.choices.append(text)
        return self


def open_case_for(manager: Services, worker_id: int, **person: object) -> int:
    """Scenario 1's outcome: a referral accepted and allocated; returns the person's id."""
    today = dt.date.today()
    details: dict[str, object] = {
        "first_name": "Łukasz",
        "last_name": "Wiśniewski",
        "preferred_name": "Łuki",
        "date_of_birth": today.replace(year=today.year - 14) - dt.timedelta(days=40),
        "postcode": "LU1 5AB",
    }
    if "first_name" in person:
        details["preferred_name"] = None  # Łuki is Łukasz's name only
    details.update(person)
    intake = manager.referrals.create(
        ReferralDetails(
            received_on=today - dt.timedelta(days=60),
            referring_agency="Bedfordshire Police",
            referring_agency_type=AgencyType.POLICE,
            reasons=frozenset({ReferralReason.KNIFE_CARRYING, ReferralReason.GANG_ASSOCIATION}),
            referrer_name="PC Joanna Kowalska",
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(**details),  # type: ignore[arg-type]
    )
    manager.referrals.decide(
        intake.referral_id, ReferralStatus.ACCEPTED, "Meets criteria", priority=Priority.HIGH
    )
    manager.referrals.allocate(intake.referral_id, worker_id)
    return intake.person_id


def type_into(qtbot: Any, widget: Any, text: str) -> None:
    """Types as a person would; QTest only synthesises ASCII keys, so accented text (Łukasz)
    is inserted at the cursor the way an input method delivers it."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
    elif hasattr(widget, "insertPlainText"):
        widget.insertPlainText(text)
    else:
        widget.insert(text)


def shown(qtbot: Any, widget: Any) -> Any:
    """Registers a widget for clean-up and shows it (error lines only count when visible)."""
    qtbot.addWidget(widget)
    widget.show()
    return widget

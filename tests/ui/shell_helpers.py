"""Helpers for the shell and list-screen tests: a stand-in case workspace, a window built for
an actor, and referrals for the diverse names the scenarios use."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.dates import today
from veru_desk.app import build_main_window
from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import IntakeResult, ReferralDetails
from veru_desk.ui.shell.main_window import MainWindow

TEST_PASSWORD_UI = "a long enough passphrase"


class FakeWorkspace(QWidget):
    """Stands in for ui.case_workspace.CaseWorkspace with the same public surface."""

    closed = Signal()
    open_case = Signal(int)
    built: list[int] = []  # noqa: RUF012  (shared on purpose: counts builds across windows)

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        view = services.people.open_case(person_id)
        self.person_id = person_id
        self.unsaved = False
        self._title = f"{view.case_ref} · {view.details.first_name} {view.details.last_name}"
        FakeWorkspace.built.append(person_id)
        QVBoxLayout(self).addWidget(QLabel(self._title))

    @property
    def title(self) -> str:
        return self._title

    def refresh(self) -> None:
        return None

    def has_unsaved_changes(self) -> bool:
        return self.unsaved


def make_window(qtbot: QtBot, services: Services, settings: QSettings) -> MainWindow:
    window = build_main_window(services, settings=settings, database_label="test.db")
    qtbot.addWidget(window)
    window.show()
    return window


def referral(**overrides: object) -> ReferralDetails:
    values: dict[str, object] = {
        "received_on": today() - dt.timedelta(days=3),
        "referring_agency": "Bedfordshire Police",
        "referring_agency_type": AgencyType.POLICE,
        "reasons": frozenset({ReferralReason.KNIFE_CARRYING}),
        "consent_young_person": ConsentStatus.GIVEN,
        "consent_parent": ConsentStatus.GIVEN,
    }
    values.update(overrides)
    return ReferralDetails(**values)  # type: ignore[arg-type]


def born_years_ago(years: int, extra_days: int = 40) -> dt.date:
    return today().replace(year=today().year - years) - dt.timedelta(days=extra_days)


def person(first: str, last: str, years: int = 14, **overrides: object) -> PersonDetails:
    values: dict[str, object] = {
        "first_name": first,
        "last_name": last,
        "date_of_birth": born_years_ago(years),
    }
    values.update(overrides)
    return PersonDetails(**values)  # type: ignore[arg-type]


def refer(services: Services, first: str, last: str, years: int = 14, **kw: object) -> IntakeResult:
    return services.referrals.create(referral(**kw), person=person(first, last, years))

"""The sharing step a multi-agency export asks for, and the caseworker's analysis dialog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from veru_desk.db.engine import Database
from veru_desk.db.models import Referral
from veru_desk.domain.enums import ConsentStatus
from veru_desk.domain.sharing import LawfulBasis, ShareSection
from veru_desk.services import Services
from veru_desk.services.case_analysis import AnalysisInput
from veru_desk.ui.case.overview import OverviewTab
from veru_desk.ui.dialogs.case_analysis import CaseAnalysisDialog
from veru_desk.ui.dialogs.export_summary import ExportSummaryDialog
from veru_desk.ui.dialogs.sharing_step import NEW_DECISION, SharingStep, split_agencies

MEETING_ON = dt.date.today() + dt.timedelta(days=7)


def refuse_consent(db: Database, person_id: int) -> None:
    with db.write() as session:
        referral = session.scalars(
            select(Referral).where(Referral.young_person_id == person_id)
        ).one()
        referral.consent_parent = ConsentStatus.REFUSED


def test_everything_special_category_starts_withheld_and_consent_is_shown(
    qtbot: QtBot, db: Database, team: object, lukasz_case: int
) -> None:
    step = SharingStep(Services(db, team.dariusz), lukasz_case)  # type: ignore[attr-defined]
    qtbot.addWidget(step)
    assert step.consent_label.text() == "Young person: given; parent/carer: given."
    assert not any(box.isChecked() for box in step.sections.values())
    assert step.chosen_basis() is LawfulBasis.CONSENT
    step.consent_given_by.setText("Łukasz and his mother, 01/12/2026")
    step.agencies.setText("Bedfordshire Police; Challney High School")
    step.sections[ShareSection.OFFENDING].setChecked(True)
    draft = step.draft("Luton MACE panel", MEETING_ON)
    assert draft.agencies == ("Bedfordshire Police", "Challney High School")
    assert draft.shared == {ShareSection.OFFENDING}
    assert draft.consent_given_by == "Łukasz and his mother, 01/12/2026"


def test_refused_consent_asks_for_an_exemption_and_a_manager_approves_in_the_step(
    qtbot: QtBot, db: Database, team: object, lukasz_case: int
) -> None:
    refuse_consent(db, lukasz_case)
    dariusz = Services(db, team.dariusz)  # type: ignore[attr-defined]
    step = SharingStep(dariusz, lukasz_case)
    qtbot.addWidget(step)
    assert step.chosen_basis() is LawfulBasis.CHILDREN_ACT_1989
    assert "a manager must approve" in step.approval_note.text()
    step.reason.setPlainText("Exploitation by an older group: police need to plan disruption")
    step.agencies.setText("Bedfordshire Police")
    view = dariusz.sharing.record(lukasz_case, step.draft("Luton MACE panel", MEETING_ON))
    assert not view.ready

    manager = SharingStep(Services(db, team.manager), lukasz_case)  # type: ignore[attr-defined]
    qtbot.addWidget(manager)
    assert manager.use.count() == 2 and manager.use.itemText(0) == NEW_DECISION
    manager.use.setCurrentIndex(1)
    assert manager.approve_button.isVisibleTo(manager)
    manager.approve()
    assert manager.chosen() is not None and manager.chosen().ready  # type: ignore[union-attr]
    assert "(ready)" in manager.use.itemText(1)
    assert dariusz.sharing.get(view.id).approved_by == "Priya Raghunathan"


def test_agencies_split_on_lines_and_semicolons() -> None:
    assert split_agencies("Bedfordshire Police;\nLuton YJS ; ") == (
        "Bedfordshire Police",
        "Luton YJS",
    )


def test_the_analysis_dialog_saves_through_the_service(
    qtbot: QtBot, db: Database, team: object, lukasz_case: int
) -> None:
    services = Services(db, team.dariusz)  # type: ignore[attr-defined]
    dialog = CaseAnalysisDialog(services, lukasz_case, services.analysis.get(lukasz_case))
    qtbot.addWidget(dialog)
    dialog.fields["worries"].setPlainText("Seen at Bury Park late at night with older boys")
    dialog.fields["young_person_view"].setPlainText("Łukasz wants to go back to football")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    saved = services.analysis.get(lukasz_case)
    assert saved.values.worries == "Seen at Bury Park late at night with older boys"
    assert saved.values.young_person_view == "Łukasz wants to go back to football"
    assert saved.version == 1


def test_a_caseworkers_export_against_refused_consent_waits_for_a_manager(
    qtbot: QtBot,
    db: Database,
    team: object,
    lukasz_case: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    refuse_consent(db, lukasz_case)
    dariusz = Services(db, team.dariusz)  # type: ignore[attr-defined]
    dialog = ExportSummaryDialog(dariusz, lukasz_case)
    qtbot.addWidget(dialog)
    target = tmp_path / "panel.pdf"
    dialog.output.setText(str(target))
    dialog.meeting.setText("Luton MACE panel")
    dialog.meeting_date.set_date(MEETING_ON)
    dialog.sharing.reason.setPlainText(
        "Exploitation by an older group: police must plan disruption"
    )
    dialog.sharing.agencies.setText("Bedfordshire Police")
    dialog.show()
    dialog.save()
    assert dialog.waiting.isVisible()
    assert "a manager must approve it" in dialog.waiting.text()
    assert not target.exists() and opened == []
    assert dariusz.exports.for_person(lukasz_case) == []
    [waiting] = dariusz.sharing.pending(lukasz_case)
    assert not waiting.ready

    # The manager approves in the step; the caseworker then exports under that decision.
    Services(db, team.manager).sharing.approve(waiting.id)  # type: ignore[attr-defined]
    again = ExportSummaryDialog(dariusz, lukasz_case)
    qtbot.addWidget(again)
    again.output.setText(str(target))
    again.meeting.setText("Luton MACE panel")
    again.meeting_date.set_date(MEETING_ON)
    again.sharing.use.setCurrentIndex(1)
    with qtbot.waitSignal(again.accepted, timeout=10_000):
        again.save()
    assert target.is_file()
    [export] = dariusz.exports.for_person(lukasz_case)
    assert dariusz.sharing.for_export(export.id) is not None


def test_the_overview_shows_the_analysis_and_a_manager_signs_it_off(
    qtbot: QtBot, db: Database, team: object, lukasz_case: int
) -> None:
    manager = Services(db, team.manager)  # type: ignore[attr-defined]
    Services(db, team.dariusz).analysis.save(  # type: ignore[attr-defined]
        lukasz_case, AnalysisInput(recommendation="Continue for twelve weeks"), 0
    )
    tab = OverviewTab(manager, lukasz_case)
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    qtbot.waitUntil(lambda: tab.analysis is not None)
    assert "Recommendation to the panel: Continue for twelve weeks" in tab.analysis_label.text()
    assert "not signed off" in tab.analysis_status.text()
    assert tab.sign_off_button.isVisible() and tab.sign_off_button.isEnabled()
    tab.sign_off_analysis()
    qtbot.waitUntil(lambda: manager.analysis.get(lukasz_case).signed_off_by is not None)
    tab.refresh()
    qtbot.waitUntil(lambda: "signed off by Priya Raghunathan" in tab.analysis_status.text())

"""Scenario 1, Monday triage: the manager decides, allocates and signposts from the queue."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from shell_helpers import refer, referral
from ui_drivers import shown

from veru_desk.domain.enums import ClosureReason, ReferralStatus
from veru_desk.services import Services
from veru_desk.ui import triage_page
from veru_desk.ui.triage_page import TriagePage


@pytest.fixture
def page(qtbot: QtBot, as_manager: Services) -> TriagePage:
    return shown(qtbot, TriagePage(as_manager))


def test_the_form_shows_the_earlier_referral_closed_as_moved_away(
    qtbot: QtBot, as_manager: Services, team: object
) -> None:
    earlier = refer(as_manager, "Łukasz", "Wiśniewski", years=14)
    as_manager.referrals.decide(earlier.referral_id, ReferralStatus.ACCEPTED, "Meets criteria")
    as_manager.referrals.allocate(earlier.referral_id, team.aisha.user_id)  # type: ignore[attr-defined]
    as_manager.referrals.close(earlier.referral_id, ClosureReason.MOVED_AWAY, "Family moved.")
    as_manager.referrals.create(referral(), person_id=earlier.person_id)

    page = shown(qtbot, TriagePage(as_manager))
    page.refresh()
    assert page.model.rowCount() == 1
    assert page.current is not None and page.current.person_id == earlier.person_id
    assert "Referred once before" in page.history_label.text()
    assert "“moved away”" in page.history_label.text()
    assert not page.age_warning.isVisible()


def test_accepting_and_allocating_shows_caseloads_and_reaches_the_database(
    page: TriagePage, as_manager: Services, team: object
) -> None:
    dariusz = team.dariusz.user_id  # type: ignore[attr-defined]
    knife = refer(as_manager, "Łukasz", "Wiśniewski", years=14)
    page.refresh()
    assert "Dariusz Wójcik (0 open cases)" in page.worker_choices()
    assert not page.worker.isEnabled()
    page.decision_radios[ReferralStatus.ACCEPTED].setChecked(True)
    assert page.worker.isEnabled()
    page.priority.setCurrentIndex(page.priority.findData("high"))
    page.reason.setText("Knife found near Wardown Park; meets criteria.")
    page.choose_worker(dariusz)
    page.record_decision()

    [view] = as_manager.referrals.for_person(knife.person_id)
    assert view.status is ReferralStatus.ALLOCATED
    assert view.worker == "Dariusz Wójcik"
    assert view.decision_reason == "Knife found near Wardown Park; meets criteria."
    assert view.priority.value == "high"
    assert page.model.rowCount() == 0
    assert "The queue is empty" in page.queue_label.text()


def test_a_26_year_old_shows_the_age_warning_and_is_signposted_with_a_reason(
    page: TriagePage, as_manager: Services
) -> None:
    older = refer(as_manager, "Ayşe", "Yılmaz", years=26, referring_agency="Denbigh High School")
    page.refresh()
    assert page.age_warning.isVisible()
    assert "outside the unit's age range" in page.age_warning.text()
    page.decision_radios[ReferralStatus.SIGNPOSTED].setChecked(True)
    page.reason.setText("Signposted to the adult community safety team.")
    page.record_decision()
    [view] = as_manager.referrals.for_person(older.person_id)
    assert view.status is ReferralStatus.SIGNPOSTED


def test_declining_without_a_reason_says_so_beside_the_reason(
    page: TriagePage, as_manager: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(triage_page, "show_error", lambda *_a: pytest.fail("dialog shown"))
    intake = refer(as_manager, "Ştefan", "Popescu", years=15)
    page.refresh()
    page.decision_radios[ReferralStatus.DECLINED].setChecked(True)
    page.record_decision()
    assert page.errors.message("reason") == "Give a reason for this decision."
    assert page.chosen_decision() is ReferralStatus.DECLINED
    assert as_manager.referrals.get(intake.referral_id).status is ReferralStatus.RECEIVED


def test_an_accepted_referral_left_unallocated_waits_in_the_queue_for_a_caseworker(
    page: TriagePage, as_manager: Services, team: object
) -> None:
    intake = refer(as_manager, "Siobhán", "Nic Giolla Phádraig", years=13)
    as_manager.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Meets criteria")
    page.refresh()
    assert page.model.rowCount() == 1
    assert page.decide_button.text() == "Allocate"
    page.choose_worker(team.ciaran.user_id)  # type: ignore[attr-defined]
    page.record_decision()
    assert as_manager.referrals.get(intake.referral_id).worker == "Ciarán Ó Briain"


def test_a_caseworker_sees_no_queue_but_can_start_a_referral(
    qtbot: QtBot, as_dariusz: Services
) -> None:
    page = shown(qtbot, TriagePage(as_dariusz))
    page.refresh()
    with qtbot.waitSignal(page.new_referral_requested):
        page.new_button.click()

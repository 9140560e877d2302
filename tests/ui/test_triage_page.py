"""Scenario 1, Monday triage: the manager decides, allocates and signposts from the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot
from shell_helpers import refer, referral
from ui_drivers import shown

from tests.dates import today
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import ClosureReason, Priority, ReferralStatus
from veru_desk.services import Services
from veru_desk.ui.pages import triage as triage_page
from veru_desk.ui.pages.triage import TriagePage


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
    assert page.confirmation.isVisible()
    assert page.confirmation.text() == (
        f"Accepted and allocated to Dariusz Wójcik: Łukasz Wiśniewski ({view.case_ref})."
    )
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
    assert page.signpost.isVisible()
    assert not page.worker.isEnabled()
    page.reason.setText("Aged 26: outside the unit's age range.")
    page.record_decision()
    assert page.errors.message("signposted_to").startswith("Name the service")
    assert as_manager.referrals.for_person(older.person_id)[0].status is ReferralStatus.RECEIVED

    page.signpost.setText("Luton Adult Community Safety Team")
    assert page.errors.message("signposted_to") == ""  # typing clears it
    page.record_decision()
    [view] = as_manager.referrals.for_person(older.person_id)
    assert view.status is ReferralStatus.SIGNPOSTED
    assert view.decision_reason == (
        "Signposted to Luton Adult Community Safety Team: Aged 26: outside the unit's age range."
    )
    assert page.confirmation.isVisible()
    assert page.confirmation.text() == (
        f"Signposted to Luton Adult Community Safety Team: Ayşe Yılmaz ({view.case_ref})."
    )
    [signposted] = [
        e
        for e in as_manager.chronology.for_person(older.person_id)
        if e.title.startswith("Signposted")
    ]
    assert "Luton Adult Community Safety Team" in signposted.title


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


def _allocated_to_dariusz_and_re_referred(as_manager: Services, team: object) -> tuple[int, int]:
    """Łukasz's case, allocated to Dariusz, re-referred by his school. Returns the person id
    and the further referral's id."""
    first = refer(as_manager, "Łukasz", "Wiśniewski", years=14)
    as_manager.referrals.decide(first.referral_id, ReferralStatus.ACCEPTED, "Knife found")
    as_manager.referrals.allocate(first.referral_id, team.dariusz.user_id)  # type: ignore[attr-defined]
    again = as_manager.referrals.create(
        referral(
            received_on=today() - dt.timedelta(days=1), referring_agency="Challney High School"
        ),
        person_id=first.person_id,
    )
    return first.person_id, again.referral_id


def test_a_re_referral_of_an_open_case_is_marked_and_noting_it_keeps_the_case(
    page: TriagePage, as_manager: Services, team: object
) -> None:
    person_id, further_id = _allocated_to_dariusz_and_re_referred(as_manager, team)
    page.refresh()
    assert page.model.rowCount() == 1
    assert page.current is not None and page.current.id == further_id
    heading = page.queue_label.text()
    assert heading.startswith("1 awaiting a decision (1 re-referral of an open case)")
    index = page.model.index(0, len(triage_page.QUEUE_COLUMNS) - 1)
    assert page.model.data(index) == "Re-referral of an open case"
    assert page.open_case_label.isVisible()
    since = format_uk_date(today())
    assert f"allocated to Dariusz Wójcik since {since}" in page.open_case_label.text()
    assert page.decision_radios[ReferralStatus.ACCEPTED].text() == "Add to the open case (noted)"
    assert page.worker_choices()[0] == "Keep with Dariusz Wójcik"

    page.decision_radios[ReferralStatus.ACCEPTED].setChecked(True)
    page.reason.setText("Exclusion noted for the plan review")
    page.record_decision()

    person = as_manager.people.get(person_id)
    assert person.status is ReferralStatus.ALLOCATED
    assert person.worker == "Dariusz Wójcik"
    assert as_manager.referrals.get(further_id).status is ReferralStatus.ACCEPTED
    episode = as_manager.referrals.get(person.current_referral_id)  # type: ignore[arg-type]
    assert episode.priority is Priority.MEDIUM
    assert page.model.rowCount() == 0


def test_the_manager_may_raise_priority_and_re_allocate_from_a_re_referral(
    page: TriagePage, as_manager: Services, team: object
) -> None:
    person_id, further_id = _allocated_to_dariusz_and_re_referred(as_manager, team)
    page.refresh()
    assert page.worker.isEnabled()
    page.decision_radios[ReferralStatus.ACCEPTED].setChecked(True)
    page.priority.setCurrentIndex(page.priority.findData(Priority.URGENT.value))
    page.choose_worker(team.aisha.user_id)  # type: ignore[attr-defined]
    page.record_decision()

    person = as_manager.people.get(person_id)
    assert (person.status, person.worker) == (ReferralStatus.ALLOCATED, "Aisha Mohamed")
    episode = as_manager.referrals.get(person.current_referral_id)  # type: ignore[arg-type]
    assert episode.priority is Priority.URGENT
    assert as_manager.referrals.get(further_id).status is ReferralStatus.ACCEPTED


def test_the_decision_error_clears_once_a_decision_is_chosen_and_allocation_follows_it(
    page: TriagePage, as_manager: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(triage_page, "show_error", lambda *_a: pytest.fail("dialog shown"))
    refer(as_manager, "Aoife", "Ní Bhriain", years=15)
    page.refresh()
    page.record_decision()
    assert page.errors.message("decision") == "Choose accept, decline or signpost."
    page.decision_radios[ReferralStatus.DECLINED].setChecked(True)
    assert page.errors.message("decision") == ""
    assert not page.worker.isEnabled()
    assert not page.worker_label.isEnabled()  # type: ignore[union-attr]
    assert not page.signpost.isVisible()
    page.decision_radios[ReferralStatus.SIGNPOSTED].setChecked(True)
    assert not page.worker.isEnabled() and page.signpost.isVisible()
    page.decision_radios[ReferralStatus.ACCEPTED].setChecked(True)
    assert page.worker.isEnabled() and not page.signpost.isVisible()


def test_the_confirmation_stays_until_the_next_action(
    page: TriagePage, as_manager: Services
) -> None:
    first = refer(as_manager, "Oluwaseun", "Adeyemi", years=16)
    refer(as_manager, "Zoë", "Çelik", years=15)
    page.refresh()
    page.select_referral(first.referral_id)
    page.decision_radios[ReferralStatus.DECLINED].setChecked(True)
    page.reason.setText("Already supported by the Youth Offending Service.")
    page.record_decision()
    assert as_manager.referrals.get(first.referral_id).status is ReferralStatus.DECLINED
    assert page.confirmation.text().startswith("Declined: Oluwaseun Adeyemi (")
    assert page.model.rowCount() == 1  # the next referral is shown...
    assert page.current is not None and page.current.person_name == "Zoë Çelik"
    assert page.confirmation.isVisible()  # ...and the line still says what was done
    page.start_screening()
    assert not page.confirmation.isVisible()


def test_an_urgent_referral_comes_first_and_the_subtitle_says_the_order(
    page: TriagePage, as_manager: Services
) -> None:
    refer(as_manager, "Łukasz", "Wiśniewski", years=14)
    urgent = refer(
        as_manager,
        "Zoë",
        "Çelik",
        years=15,
        received_on=today(),
        priority=Priority.URGENT,
    )
    page.refresh()
    assert page.model.rowCount() == 2
    assert page.model.rows()[0].id == urgent.referral_id
    assert page.model.index(0, 4).data() == "Urgent"
    assert "urgent first, then oldest first" in page.queue_label.text()
    assert page.table.accessibleName()
    for widget in (page.reason, page.signpost, page.priority, page.worker):
        assert widget.accessibleName()

"""An urgent referral comes first in the triage queue and on the manager's dashboard."""

from __future__ import annotations

import datetime as dt

from tests.dates import today
from tests.services.test_referrals import knife_referral, lukasz
from veru_desk.domain.enums import Priority
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails


def test_a_new_urgent_referral_is_first_in_the_queue_and_on_the_dashboard(
    as_dariusz: Services, as_manager: Services
) -> None:
    old = as_dariusz.referrals.create(
        knife_referral(received_on=today() - dt.timedelta(days=6)), person=lukasz()
    )
    zoe = PersonDetails(
        first_name="Zoë",
        last_name="Çelik",
        date_of_birth=lukasz().date_of_birth,
    )
    urgent = as_dariusz.referrals.create(
        knife_referral(received_on=today(), priority=Priority.URGENT), person=zoe
    )
    queue = as_manager.referrals.triage_queue()
    assert [v.id for v in queue] == [urgent.referral_id, old.referral_id]
    board = as_manager.dashboard.load()
    assert [i.referral_id for i in board.new_referrals] == [urgent.referral_id, old.referral_id]

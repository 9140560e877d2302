"""The triage queue's order and the words a signposting is recorded in."""

from __future__ import annotations

import datetime as dt

from veru_desk.domain.enums import Priority
from veru_desk.domain.workflow import (
    signpost_problems,
    signpost_reason,
    signposted_to,
    triage_order,
)


def test_urgent_referrals_come_first_then_the_oldest() -> None:
    monday, friday = dt.date(2026, 11, 30), dt.date(2026, 12, 4)
    queue = [
        ("old high", triage_order(Priority.HIGH, monday, 1)),
        ("new urgent", triage_order(Priority.URGENT, friday, 3)),
        ("new low", triage_order(Priority.LOW, friday, 2)),
        ("old urgent", triage_order(Priority.URGENT, monday, 4)),
    ]
    assert [name for name, key in sorted(queue, key=lambda q: q[1])] == [
        "old urgent",
        "new urgent",
        "old high",
        "new low",
    ]


def test_signposting_names_the_service_and_keeps_the_reason() -> None:
    assert signpost_problems("  ") == {
        "signposted_to": "Name the service they are signposted to, e.g. Early Help."
    }
    assert signpost_problems("Early Help") == {}
    reason = signpost_reason(" Early  Help ", "Family agreed; needs are below threshold.")
    assert reason == "Signposted to Early Help: Family agreed; needs are below threshold."
    assert signposted_to(reason) == "Early Help"
    assert signpost_reason("CAMHS", "Signposted to CAMHS for assessment") == (
        "Signposted to CAMHS for assessment"
    )
    assert signposted_to("Better met by Early Help; family agreed.") is None

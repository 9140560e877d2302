"""Starting and reading the save-loop child process (see ``save_loop_child.py``)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from dateutil.relativedelta import relativedelta

from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason, ReferralStatus
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails

CHILD = Path(__file__).with_name("save_loop_child.py")


def start_child(*args: object) -> subprocess.Popen[str]:
    """Starts a child and returns once it has opened the database and is waiting to go."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if line != "ready\n":
        child.kill()
        raise AssertionError(f"child did not start: {line!r} {child.communicate()[1]}")
    return child


def go(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.write("go\n")
    child.stdin.flush()


def finished_lines(output: str) -> list[str]:
    """Whole lines only: a line cut short by a kill was never reported."""
    return [line for line in output.split("\n")[:-1] if line]


def allocated_case(manager: Services, worker_id: int, first_name: str, last_name: str) -> int:
    """A case accepted and allocated to ``worker_id``, so the worker's child may write to it."""
    today = dt.date.today()
    intake = manager.referrals.create(
        ReferralDetails(
            received_on=today - dt.timedelta(days=7),
            referring_agency="Bedfordshire Police",
            referring_agency_type=AgencyType.POLICE,
            reasons=frozenset({ReferralReason.KNIFE_CARRYING}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(
            first_name=first_name,
            last_name=last_name,
            date_of_birth=today - relativedelta(years=15, days=20),
        ),
    )
    manager.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Knife found")
    manager.referrals.allocate(intake.referral_id, worker_id)
    return intake.person_id

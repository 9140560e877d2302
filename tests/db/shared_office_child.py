"""One PC of a shared office, for ``test_shared_office.py``: a VERU Desk process that takes
referrals in and records sessions through the real services, printing each committed write
on its own line, flushed at once.

    shared_office_child.py URL USERNAME CASE_ID N

N times: a referral for a new young person (from a partner none of the PCs has recorded
before, so the agency is created under contention too), then a session on CASE_ID booked and
marked attended. It prints ``ready``, waits for a line on standard input (the parent's
starting gun, so all the PCs start at the same moment), and ends with ``done``.
"""

from __future__ import annotations

import datetime as dt
import sys

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import User
from veru_desk.domain.enums import AgencyType, Attendance, ConsentStatus, ReferralReason
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.users import actor_for

NAMES = (
    ("Łukasz", "Wiśniewski"),
    ("Zoë", "Ó Súilleabháin"),
    ("Ştefan", "Popescu"),
    ("Nguyễn Văn", "An"),
    ("Abdirahman", "Warsame"),
    ("Siobhán", "Nic Giolla Phádraig"),
    ("Ayşe", "Yılmaz"),
)


def main(argv: list[str]) -> int:
    url, username, case_id, count = argv[0], argv[1], int(argv[2]), int(argv[3])
    db = Database.open(resolve_database(url))
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        services = Services(db, actor_for(user))
    today = dt.date.today()
    start = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(days=3)
    print("ready", flush=True)
    sys.stdin.readline()
    for done in range(count):
        first, last = NAMES[done % len(NAMES)]
        intake = services.referrals.create(
            ReferralDetails(
                received_on=today - dt.timedelta(days=1),
                referring_agency="Luton Sixth Form College",
                referring_agency_type=AgencyType.SCHOOL,
                reasons=frozenset({ReferralReason.EXCLUSION_ABSENCE}),
                consent_young_person=ConsentStatus.GIVEN,
                consent_parent=ConsentStatus.GIVEN,
            ),
            person=PersonDetails(
                first_name=first,
                last_name=f"{last} {username} {done}",
                date_of_birth=today - relativedelta(years=15, days=done),
            ),
        )
        print(f"referral:{intake.referral_id}:{intake.person_id}:{intake.case_ref}", flush=True)
        session_id = services.sessions.book(
            case_id,
            SessionInput(
                planned_start=start + dt.timedelta(minutes=done),
                notes=f"Session {done} booked by {username}",
            ),
        )
        services.sessions.record_attendance(session_id, Attendance.ATTENDED)
        print(f"session:{session_id}", flush=True)
    print("done", flush=True)
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Realistic synthetic cases for demonstrations, training and load tests.

Nothing here is about a real person: names are drawn from pools by heritage (so the caseload
looks like Luton and Bedfordshire's, accents and all), NHS numbers come from the NHS test range
(999...), phone numbers from Ofcom's range reserved for drama (07700 900xxx), and agencies and
schools are invented.

The same seed always gives the same people, referrals and sessions; only the calendar moves,
because every date is placed relative to an anchor day (today unless one is given), so a demo
always shows open cases, reviews due this week and sessions booked for next week.

It must make 100,000 people with about 2,000,000 sessions in well under two minutes, so rows
are generated as plain tuples and written with the driver's ``executemany`` on the session's
connection, a batch of people per transaction, with ids handed out here rather than read back.
The case summary columns (``current_status`` ...) are computed while generating, exactly as
``case_state.refresh`` would compute them; a test holds the two together.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from sqlalchemy import Index, func, select
from sqlalchemy.orm import Session

from veru_desk.db.engine import Database
from veru_desk.db.models import Agency, Base, User, UserRole, YoungPerson
from veru_desk.db.sequences import reserve_case_numbers
from veru_desk.domain.case_reference import MAX_NUMBER, format_case_reference
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    AuditAction,
    ClosureReason,
    ConsentStatus,
    ContactRelationship,
    EducationStatus,
    Ethnicity,
    Gender,
    GoalDomain,
    GoalStatus,
    OutcomePoint,
    Priority,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    Role,
    SessionType,
    SharingBasis,
)
from veru_desk.domain.errors import ConflictError, ValidationError
from veru_desk.domain.names import name_tokens
from veru_desk.domain.nhs import nhs_check_digit
from veru_desk.domain.reviews import next_plan_review, next_review_date
from veru_desk.domain.workflow import is_disengaged
from veru_desk.services import audit
from veru_desk.services.access import require_role
from veru_desk.services.actor import SYSTEM, Actor
from veru_desk.services.case_state import RECENT_ATTENDANCE_WINDOW
from veru_desk.services.people import sort_name_of
from veru_desk.services.users import add_user

if TYPE_CHECKING:
    from veru_desk.config import DatabaseLocation
    from veru_desk.services.vault import NewDatabase

DEMO_PASSWORD = "demo-password-1"

# (username, display name, roles): the unit in SCENARIOS.md.
DEMO_TEAM: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("admin", "Sam Okonkwo", frozenset({Role.ADMIN})),
    ("priya", "Priya Raghunathan", frozenset({Role.MANAGER})),
    ("dariusz", "Dariusz Wójcik", frozenset({Role.CASEWORKER})),
    ("aisha", "Aisha Mohamed", frozenset({Role.CASEWORKER})),
    ("ciaran", "Ciarán Ó Briain", frozenset({Role.CASEWORKER})),
    ("grace", "Grace Adeyemi", frozenset({Role.CASEWORKER})),
    ("tomasz", "Tomasz Nowak", frozenset({Role.CASEWORKER})),
)

PEOPLE_PER_BATCH = 2_000
YEARS_OF_HISTORY = 3
MAX_PEOPLE = 1_000_000


@dataclass(frozen=True)
class DemoSummary:
    people: int
    referrals: int
    sessions: int
    assessments: int
    plans: int
    outcomes: int
    notes: int
    anchor: dt.date
    seed: int


# --- the pools ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Heritage:
    weight: float
    ethnicities: tuple[tuple[Ethnicity, float], ...]
    boys: tuple[str, ...]
    girls: tuple[str, ...]
    surnames: tuple[str, ...]
    polish_surnames: bool = False  # -ski / -cki become -ska / -cka for girls


def _w(*pairs: tuple[Ethnicity, float]) -> tuple[tuple[Ethnicity, float], ...]:
    return pairs


_E = Ethnicity
HERITAGES: tuple[_Heritage, ...] = (
    _Heritage(
        27,
        _w((_E.WHITE_BRITISH, 0.97), (_E.NOT_STATED, 0.03)),
        ("Jack", "Harry", "Oliver", "Charlie", "Alfie", "George", "Thomas", "Callum", "Kai",
         "Liam", "Ryan", "Tyler", "Connor", "Jordan", "Reece", "Kieran", "Lewis", "Mason"),
        ("Olivia", "Amelia", "Isla", "Ellie", "Chloe", "Jessica", "Lily", "Megan", "Holly",
         "Sophie", "Courtney", "Jade", "Zoë", "Leah"),
        ("Taylor", "Brown", "Wilson", "Johnson", "Walker", "Wright", "Robinson", "Thompson",
         "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Jackson", "Turner",
         "Hill", "Cooper", "Ward", "Morris", "King", "Baker", "Harrison", "Campbell-Brown"),
    ),
    _Heritage(
        15,
        _w((_E.ASIAN_PAKISTANI, 0.97), (_E.NOT_STATED, 0.03)),
        ("Muhammad", "Ibrahim", "Hamza", "Zain", "Bilal", "Usman", "Ayaan", "Haris", "Rayyan",
         "Imran", "Adnan", "Faisal", "Yaseen", "Danyal"),
        ("Aisha", "Maryam", "Zara", "Hafsa", "Inaya", "Amina", "Mahnoor", "Sana", "Iqra"),
        ("Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Malik", "Raja", "Butt", "Akhtar",
         "Mahmood", "Shah", "Rashid", "Bashir"),
    ),
    _Heritage(
        6,
        _w((_E.ASIAN_BANGLADESHI, 1.0),),
        ("Abdul", "Rahim", "Sabbir", "Tanvir", "Shahid", "Mizanur", "Rayhan", "Arif"),
        ("Nusrat", "Fatema", "Sumaiya", "Tahmina", "Jannat", "Rumana"),
        ("Miah", "Begum", "Uddin", "Rahman", "Islam", "Hoque", "Chowdhury", "Ahmed"),
    ),
    _Heritage(
        4,
        _w((_E.ASIAN_INDIAN, 1.0),),
        ("Arjun", "Rohan", "Harpreet", "Gurpreet", "Dev", "Vikram", "Karan", "Jaspreet"),
        ("Priya", "Simran", "Anjali", "Navdeep", "Kiran", "Harleen"),
        ("Patel", "Singh", "Kaur", "Sharma", "Gill", "Sandhu", "Mistry", "Desai"),
    ),
    _Heritage(
        7,
        _w((_E.WHITE_OTHER, 1.0),),
        ("Jakub", "Kacper", "Szymon", "Łukasz", "Mateusz", "Wojciech", "Bartosz", "Michał",
         "Dawid", "Oskar"),
        ("Zuzanna", "Julia", "Małgorzata", "Agnieszka", "Wiktoria", "Natalia", "Zofia"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
         "Szymański", "Dąbrowski", "Kaczmarek", "Mazur", "Krawczyk"),
        polish_surnames=True,
    ),
    _Heritage(
        6,
        _w((_E.WHITE_OTHER, 1.0),),
        ("Andrei", "Ştefan", "Alexandru", "Mihai", "Ionuţ", "Florin", "Gabriel", "Cosmin"),
        ("Ioana", "Elena", "Andreea", "Bianca", "Ana-Maria", "Denisa"),
        ("Popescu", "Ionescu", "Dumitru", "Stan", "Munteanu", "Constantin", "Ţurcanu",
         "Rădulescu", "Moldovan"),
    ),
    _Heritage(
        2,
        _w((_E.WHITE_ROMA, 1.0),),
        ("Dezider", "Marian", "Ladislav", "Robert", "Denis", "Patrik"),
        ("Monika", "Renata", "Daniela", "Sabina"),
        ("Lakatos", "Horváth", "Balog", "Kaleja", "Oláh", "Ferenc", "Dužda"),
    ),
    _Heritage(
        3,
        _w((_E.WHITE_IRISH, 1.0),),
        ("Ciarán", "Seán", "Oisín", "Pádraig", "Darragh", "Cillian", "Eoin", "Tadhg"),
        ("Siobhán", "Aoife", "Niamh", "Róisín", "Saoirse", "Caoimhe", "Orla"),
        ("Ó Briain", "O'Neill", "Murphy", "Ó Súilleabháin", "Byrne", "Mac Cárthaigh", "Doyle",
         "Ó Ceallaigh", "Quinn", "O'Connor"),
    ),
    _Heritage(
        1.5,
        _w((_E.WHITE_GYPSY_TRAVELLER, 1.0),),
        ("Patrick", "Michael", "Martin", "Jimmy", "Francie"),
        ("Bridget", "Mary", "Kathleen", "Margaret"),
        ("McDonagh", "Ward", "Joyce", "Maughan", "Connors"),
    ),
    _Heritage(
        6,
        _w((_E.BLACK_AFRICAN, 0.97), (_E.NOT_STATED, 0.03)),
        ("Abdirahman", "Abdullahi", "Mohamed", "Mustafe", "Liban", "Hassan", "Yusuf",
         "Abdiaziz", "Khalid"),
        ("Hodan", "Ayaan", "Ifrah", "Sagal", "Nimco", "Hibo", "Farhiya"),
        ("Warsame", "Farah", "Mohamed", "Abdi", "Hassan", "Jama", "Osman", "Egal", "Nur"),
    ),
    _Heritage(
        5,
        _w((_E.BLACK_AFRICAN, 1.0),),
        ("Chukwuemeka", "Oluwaseun", "Tobi", "Kwame", "Kofi", "Emeka", "Daniel", "Samuel",
         "David", "Ayodele"),
        ("Adaeze", "Chiamaka", "Abena", "Efua", "Temitope", "Blessing", "Esther"),
        ("Adeyemi", "Okonkwo", "Mensah", "Owusu", "Boateng", "Adebayo", "Okafor", "Asante",
         "Oyelaran"),
    ),
    _Heritage(
        6,
        _w((_E.BLACK_CARIBBEAN, 0.9), (_E.BLACK_OTHER, 0.1)),
        ("Tyrese", "Jermaine", "Marcus", "Kyle", "Andre", "Dwayne", "Malachi", "Jayden",
         "Kemar", "Rashad"),
        ("Shanice", "Tianna", "Keisha", "Aaliyah", "Jada", "Shontelle"),
        ("Campbell", "Williams", "Brown", "Thomas", "Grant", "Francis", "Reid", "Henry",
         "Bailey", "McKenzie"),
    ),
    _Heritage(
        6,
        _w(
            (_E.MIXED_WHITE_BLACK_CARIBBEAN, 0.6),
            (_E.MIXED_WHITE_BLACK_AFRICAN, 0.15),
            (_E.MIXED_WHITE_ASIAN, 0.15),
            (_E.MIXED_OTHER, 0.1),
        ),
        ("Tyler", "Kai", "Jayden", "Reuben", "Marley", "Elijah", "Zayn", "Micah"),
        ("Maya", "Kiara", "Amara", "Leah", "Aaliyah", "Skye"),
        ("Campbell", "Taylor", "Williams", "Reid", "Clarke", "Thompson", "Francis", "Edwards"),
    ),
    _Heritage(
        2,
        _w((_E.OTHER, 0.8), (_E.WHITE_OTHER, 0.2)),
        ("Rebin", "Karwan", "Dilshad", "Aram", "Hawre", "Shvan"),
        ("Shilan", "Rezan", "Dilan", "Hana"),
        ("Ahmed", "Karim", "Rashid", "Aziz", "Mahmoud", "Hama", "Qadir"),
    ),
    _Heritage(
        2,
        _w((_E.WHITE_OTHER, 1.0),),
        ("João", "Tiago", "Rodrigo", "Diogo", "Gonçalo", "Rúben"),
        ("Beatriz", "Inês", "Mariana", "Leonor", "Matilde"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Gonçalves", "Rodrigues", "Conceição"),
    ),
    _Heritage(
        1.5,
        _w((_E.WHITE_OTHER, 0.5), (_E.OTHER, 0.5)),
        ("Emre", "Mehmet", "Burak", "Yusuf", "Efe"),
        ("Ayşe", "Elif", "Zeynep", "Büşra"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk"),
    ),
    _Heritage(
        1,
        _w((_E.ARAB, 1.0),),
        ("Omar", "Khaled", "Youssef", "Ahmad", "Tariq"),
        ("Layla", "Noor", "Yasmin", "Rania"),
        ("Al-Sayed", "Haddad", "Nasser", "Abboud", "Al-Amin"),
    ),
    _Heritage(
        1,
        _w((_E.ASIAN_CHINESE, 0.4), (_E.ASIAN_OTHER, 0.6)),
        ("Văn An", "Minh", "Wei", "Jun", "Quang", "Hao"),
        ("Thị Lan", "Mei", "Xin", "Linh", "Ngọc"),
        ("Nguyễn", "Trần", "Lê", "Chen", "Wang", "Li", "Phạm"),
    ),
)  # fmt: skip

# Postcode districts with the town they belong to and how many referrals come from each:
# Luton (LU1-LU4), Dunstable and Houghton Regis (LU5, LU6), Leighton Buzzard (LU7), Bedford and
# around (MK40-MK45), and Central Bedfordshire's towns (SG5-SG19).
DISTRICTS: tuple[tuple[str, str, float], ...] = (
    ("LU1", "Luton", 16), ("LU2", "Luton", 13), ("LU3", "Luton", 11), ("LU4", "Luton", 14),
    ("LU5", "Houghton Regis", 6), ("LU6", "Dunstable", 5), ("LU7", "Leighton Buzzard", 3),
    ("MK40", "Bedford", 7), ("MK41", "Bedford", 5), ("MK42", "Bedford", 5),
    ("MK43", "Kempston", 2), ("MK44", "Bedford", 1), ("MK45", "Flitwick", 2),
    ("SG5", "Hitchin", 1), ("SG15", "Arlesey", 1), ("SG16", "Henlow", 0.5),
    ("SG17", "Shefford", 1), ("SG18", "Biggleswade", 2), ("SG19", "Sandy", 1),
)  # fmt: skip

STREETS: tuple[str, ...] = (
    "Dunstable Road", "Leagrave High Street", "Biscot Road", "Marsh Road", "Hitchin Road",
    "Park Street", "Wardown Crescent", "Stopsley Way", "Hockwell Ring", "Runley Road",
    "Tomlinson Avenue", "Bromham Road", "Ford End Road", "Queens Park Avenue", "Midland Road",
    "Houghton Road", "Tithe Farm Road", "High Street North", "Bury Road", "Church Street",
    "Hartington Road", "Saxon Close", "Farley Hill", "Birdsfoot Lane", "Whipperley Way",
)  # fmt: skip

# Royal Mail never uses these letters in the last two characters of a postcode.
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

AGENCIES: tuple[tuple[str, AgencyType, float], ...] = (
    ("Bedfordshire Police", AgencyType.POLICE, 24),
    ("Bedfordshire Police Op Boson", AgencyType.POLICE, 6),
    ("Wardown Park Academy", AgencyType.SCHOOL, 6),
    ("Stopsley Community College", AgencyType.SCHOOL, 5),
    ("Marsh Farm Pupil Referral Unit", AgencyType.SCHOOL, 4),
    ("Bedford Riverside Academy", AgencyType.SCHOOL, 4),
    ("Luton Youth Justice Service", AgencyType.YOUTH_JUSTICE, 8),
    ("Bedford Borough Youth Justice Service", AgencyType.YOUTH_JUSTICE, 4),
    ("Luton Children's Social Care", AgencyType.SOCIAL_CARE, 8),
    ("Central Bedfordshire Children's Services", AgencyType.SOCIAL_CARE, 4),
    ("Luton and Dunstable Hospital A&E navigators", AgencyType.HEALTH, 7),
    ("Bedford Hospital A&E navigators", AgencyType.HEALTH, 3),
    ("Luton Early Help Hub", AgencyType.EARLY_HELP, 6),
    ("Hockwell Ring Youth Project", AgencyType.VOLUNTARY, 4),
    ("Bury Park Community Trust", AgencyType.VOLUNTARY, 3),
)

_R = ReferralReason
# What each kind of partner refers for, and how often.
REASONS_BY_AGENCY: dict[AgencyType, tuple[tuple[ReferralReason, float], ...]] = {
    AgencyType.POLICE: (
        (_R.KNIFE_CARRYING, 30), (_R.GANG_ASSOCIATION, 25), (_R.COUNTY_LINES, 15),
        (_R.CRIMINAL_EXPLOITATION, 15), (_R.PERPETRATOR_OF_VIOLENCE, 12),
        (_R.MISSING_EPISODES, 8), (_R.ANTI_SOCIAL_BEHAVIOUR, 8), (_R.SUBSTANCE_MISUSE, 5),
    ),
    AgencyType.SCHOOL: (
        (_R.EXCLUSION_ABSENCE, 35), (_R.GANG_ASSOCIATION, 12), (_R.ONLINE_CONFLICT, 14),
        (_R.KNIFE_CARRYING, 8), (_R.MENTAL_HEALTH, 10), (_R.FAMILY_INVOLVEMENT, 8),
        (_R.ANTI_SOCIAL_BEHAVIOUR, 8),
    ),
    AgencyType.YOUTH_JUSTICE: (
        (_R.PERPETRATOR_OF_VIOLENCE, 25), (_R.KNIFE_CARRYING, 22), (_R.GANG_ASSOCIATION, 20),
        (_R.COUNTY_LINES, 12), (_R.SUBSTANCE_MISUSE, 10), (_R.CRIMINAL_EXPLOITATION, 10),
    ),
    AgencyType.SOCIAL_CARE: (
        (_R.CRIMINAL_EXPLOITATION, 25), (_R.SEXUAL_EXPLOITATION, 12), (_R.MISSING_EPISODES, 20),
        (_R.DOMESTIC_ABUSE, 15), (_R.FAMILY_INVOLVEMENT, 12), (_R.COUNTY_LINES, 10),
    ),
    AgencyType.HEALTH: (
        (_R.VICTIM_OF_VIOLENCE, 55), (_R.KNIFE_CARRYING, 10), (_R.MENTAL_HEALTH, 15),
        (_R.SUBSTANCE_MISUSE, 12),
    ),
    AgencyType.EARLY_HELP: (
        (_R.FAMILY_INVOLVEMENT, 20), (_R.EXCLUSION_ABSENCE, 20), (_R.DOMESTIC_ABUSE, 15),
        (_R.ANTI_SOCIAL_BEHAVIOUR, 15), (_R.MENTAL_HEALTH, 12), (_R.ONLINE_CONFLICT, 10),
    ),
    AgencyType.VOLUNTARY: (
        (_R.GANG_ASSOCIATION, 20), (_R.ANTI_SOCIAL_BEHAVIOUR, 20), (_R.VICTIM_OF_VIOLENCE, 15),
        (_R.ONLINE_CONFLICT, 15), (_R.SUBSTANCE_MISUSE, 10),
    ),
}  # fmt: skip

NARRATIVES: dict[ReferralReason, str] = {
    _R.KNIFE_CARRYING: "Stopped and searched near {place}; a kitchen knife was found in his bag.",
    _R.GANG_ASSOCIATION: "Seen regularly with older young people linked to a local group.",
    _R.CRIMINAL_EXPLOITATION: "Found with large amounts of cash and a second phone.",
    _R.COUNTY_LINES: "Found in Milton Keynes after being reported missing; believed to be run.",
    _R.SEXUAL_EXPLOITATION: "Concerns about an older adult picking her up from school.",
    _R.MISSING_EPISODES: "Three missing episodes in the last month, returned late at night.",
    _R.EXCLUSION_ABSENCE: "Permanently excluded after a fight; attendance was already under 60%.",
    _R.VICTIM_OF_VIOLENCE: "Attended A&E with a stab wound to the leg after a fight at {place}.",
    _R.PERPETRATOR_OF_VIOLENCE: "Arrested after an assault outside a chicken shop near {place}.",
    _R.SUBSTANCE_MISUSE: "Regular cannabis use; owes money to an older dealer.",
    _R.DOMESTIC_ABUSE: "Police called to the home twice this year; young person intervened.",
    _R.MENTAL_HEALTH: "Low mood and poor sleep; on the CAMHS waiting list.",
    _R.ONLINE_CONFLICT: "Drill videos and threats exchanged online with a rival group.",
    _R.FAMILY_INVOLVEMENT: "Older brother recently convicted; family under pressure locally.",
    _R.ANTI_SOCIAL_BEHAVIOUR: "Repeated reports of anti-social behaviour around {place}.",
}
PLACES = (
    "Wardown Park", "the Mall", "Bury Park", "Marsh Farm", "Lewsey Farm", "Dunstable Downs",
    "Bedford bus station", "Luton Airport Parkway", "High Town", "Farley Hill",
)  # fmt: skip

REFERRERS = (
    "PC Joanna Kowalska", "DC Marcus Bennett", "Sgt Farah Qureshi", "Mrs Helen Atkins",
    "Mr Tunde Bakare", "Siobhán Nic Giolla Phádraig", "Ştefan Popescu", "Dr Nadia Rahman",
    "Hannah Lloyd", "Kwabena Asante", "Lucy Ó Dálaigh", "Imran Qadir",
)  # fmt: skip

GOALS: dict[GoalDomain, tuple[str, ...]] = {
    GoalDomain.EET: (
        "Back into full-time education", "Attend college interview and enrol",
        "Complete CSCS card and find an apprenticeship", "Improve school attendance to 90%",
    ),
    GoalDomain.SAFETY: (
        "A safety plan for the walk to school", "Stop carrying a weapon",
        "Know who to call when pressured to run drugs", "Agree safe routes at night",
    ),
    GoalDomain.FAMILY: (
        "Rebuild relationship with mum", "Family meeting with the school each half-term",
    ),
    GoalDomain.HEALTH: (
        "Reduce cannabis use", "Sleep routine and CAMHS appointment kept",
        "Talk to someone about the assault",
    ),
    GoalDomain.OFFENDING: (
        "No new arrests for three months", "Complete referral order without breach",
    ),
    GoalDomain.POSITIVE_ACTIVITIES: (
        "Weekly football with a mentor", "Join the boxing club", "Youth club on Fridays",
        "Music studio sessions",
    ),
}  # fmt: skip
ACTIONS = (
    ("Book meeting with head of year", "Caseworker"),
    ("Call mum to agree the plan", "Caseworker"),
    ("Send consent form to GP", "Caseworker"),
    ("Arrange taster session", "Hockwell Ring Youth Project"),
    ("Share safety plan with school", "School"),
    ("Attend review at the YJS office", "Youth justice officer"),
    ("Apply for bus pass", "Young person"),
)
SESSION_NOTES = (
    "Talked about school and the weekend; engaged well.",
    "Went through the safety plan; agreed safe routes home.",
    "Football at the leisure centre; good energy, some frustration about school.",
    "Discussed pressure from older peers; knows who to call.",
    "Worked on his CV; wants to try an electrician course.",
    "Quiet at first, opened up about an incident last week.",
    "Met at school with the head of year; attendance improving.",
    "Boxing session; calmer afterwards and talked about home.",
    "Phone check-in; says things are settled at home.",
    "Music studio; wrote lyrics about losing a friend.",
)
TOPICS = (
    "education", "safety", "family", "peers", "emotional wellbeing", "substance use",
    "employment", "online safety", "positive activities",
)  # fmt: skip
LOCATIONS = (
    "VERU office, Luton", "Young person's home", "Wardown Park Academy", "Lewsey Sports Park",
    "Hockwell Ring Youth Project", "McDonald's, the Mall", "Bedford library", "Phone",
)  # fmt: skip
NOTE_SUBJECTS = (
    ("Call with mum", "Mum says he has been coming home late; agreed to share any concerns."),
    ("Strategy meeting", "Attended the strategy meeting; police intelligence shared verbally."),
    ("School update", "Head of year reports two fixed-term exclusions this half-term."),
    ("Missing episode", "Reported missing overnight; found safe in Bedford the next morning."),
    ("Supervision", "Discussed risk and next steps with the manager."),
)
CONTACT_FIRST = (
    "Farhana", "Joanne", "Agnieszka", "Precious", "Mohamed", "Claire", "Elena", "Donna",
    "Tariq", "Bernadette",
)  # fmt: skip
RISK_FACTORS = (
    "Gang association; missing episodes",
    "Carrying a knife; older peers",
    "Exclusion from school; cannabis use",
    "Victim of a serious assault; revenge threats",
    "County lines involvement; debt",
    "Online conflict with a rival group",
)
PROTECTIVE_FACTORS = (
    "Engaged older sister; football",
    "Supportive grandmother",
    "Likes music and boxing",
    "Good relationship with a teacher",
    "Wants an apprenticeship",
)
CLOSURE_REASONS = (
    (ClosureReason.GOALS_ACHIEVED, 45), (ClosureReason.DISENGAGED, 15),
    (ClosureReason.MOVED_AWAY, 10), (ClosureReason.TRANSFERRED, 8),
    (ClosureReason.ESCALATED, 7), (ClosureReason.CUSTODY, 3), (ClosureReason.AGED_OUT, 4),
    (ClosureReason.OTHER, 8),
)  # fmt: skip
CLOSURE_SUMMARIES = {
    ClosureReason.GOALS_ACHIEVED: "Goals met: back in education and no new offences.",
    ClosureReason.DISENGAGED: "Stopped attending despite home visits; family informed.",
    ClosureReason.MOVED_AWAY: "Family moved out of the area; new area's VRU informed.",
    ClosureReason.TRANSFERRED: "Transferred to the youth justice service's own programme.",
    ClosureReason.ESCALATED: "Escalated to children's social care under a child protection plan.",
    ClosureReason.CUSTODY: "Remanded in custody; youth justice worker now leads.",
    ClosureReason.AGED_OUT: "Turned 26; signposted to adult services.",
    ClosureReason.OTHER: "Closed after a multi-agency review.",
}
AGES = (
    (10, 1), (11, 2), (12, 4), (13, 9), (14, 14), (15, 16), (16, 16), (17, 13), (18, 7),
    (19, 5), (20, 4), (21, 3), (22, 2), (23, 1.5), (24, 1),
)  # fmt: skip


# --- table writing -------------------------------------------------------------------------


def _columns(table: str, names: Sequence[str], tracked: bool = True) -> tuple[str, ...]:
    """The columns a raw insert fills, checked against the model: a NOT NULL column that the
    generator forgot (after a schema change) fails here with its name, not in the database."""
    columns = tuple(names) + (
        ("created_at", "created_by_id", "updated_at", "updated_by_id", "version") if tracked else ()
    )
    model = Base.metadata.tables[table]
    missing = [
        c.name
        for c in model.columns
        if not c.nullable and c.server_default is None and c.name not in columns
    ]
    unknown = [name for name in columns if name not in model.columns]
    if missing or unknown:
        raise RuntimeError(f"demo data for {table}: missing {missing}, unknown {unknown}")
    return columns


_COLUMNS: dict[str, tuple[str, ...]] = {}


def _table_columns() -> dict[str, tuple[str, ...]]:
    if not _COLUMNS:
        _COLUMNS.update(
            young_person=_columns(
                "young_person",
                (
                    "id", "case_ref", "first_name", "last_name", "preferred_name", "sort_name",
                    "date_of_birth", "gender", "ethnicity", "address", "postcode", "phone",
                    "nhs_number", "education_setting", "education_status", "looked_after",
                    "child_protection_plan", "child_in_need", "send", "known_to_youth_justice",
                    "current_status", "current_worker_id", "current_risk_level",
                    "next_review_on", "last_contact_on", "disengaged",
                ),
            ),
            name_token=_columns("name_token", ("token", "young_person_id"), tracked=False),
            contact=_columns(
                "contact",
                (
                    "id", "young_person_id", "name", "relationship_to_person", "phone",
                    "parental_responsibility",
                ),
            ),
            referral=_columns(
                "referral",
                (
                    "id", "young_person_id", "received_on", "referring_agency_id",
                    "referrer_name", "narrative", "consent_young_person", "consent_parent",
                    "sharing_basis", "priority", "status", "decision_reason", "decided_on",
                    "decided_by_id", "allocated_worker_id", "allocated_on", "first_contact_on",
                    "closed_on", "closure_reason", "outcome_summary", "source",
                ),
            ),
            referral_reason=_columns("referral_reason", ("referral_id", "reason"), tracked=False),
            referral_transition=_columns(
                "referral_transition",
                (
                    "id", "referral_id", "from_status", "to_status", "on_date", "at",
                    "by_user_id", "reason", "worker_id",
                ),
                tracked=False,
            ),
            risk_assessment=_columns(
                "risk_assessment",
                (
                    "id", "young_person_id", "referral_id", "assessed_on", "level",
                    "risk_factors", "protective_factors", "assessor_id", "next_review_on",
                ),
            ),
            intervention_plan=_columns(
                "intervention_plan",
                (
                    "id", "young_person_id", "referral_id", "plan_version", "started_on",
                    "review_on", "summary", "is_current",
                ),
            ),
            plan_goal=_columns(
                "plan_goal",
                ("id", "plan_id", "position", "domain", "description", "target_on", "status"),
            ),
            plan_action=_columns(
                "plan_action", ("id", "goal_id", "description", "owner", "due_on", "done_on")
            ),
            mentoring_session=_columns(
                "mentoring_session",
                (
                    "id", "young_person_id", "referral_id", "planned_start", "duration_minutes",
                    "mentor_id", "session_type", "location", "attendance", "notes", "topics",
                    "confidential",
                ),
            ),
            outcome=_columns(
                "outcome",
                (
                    "id", "young_person_id", "referral_id", "recorded_on", "point",
                    "risk_level", "education_status", "arrests", "charges", "wellbeing",
                    "goals_achieved",
                ),
            ),
            case_note=_columns(
                "case_note",
                (
                    "id", "young_person_id", "referral_id", "occurred_at", "author_id",
                    "subject", "body", "confidential",
                ),
            ),
        )  # fmt: skip
    return _COLUMNS


_ID_TABLES = (
    "young_person", "contact", "referral", "referral_transition", "risk_assessment",
    "intervention_plan", "plan_goal", "plan_action", "mentoring_session", "outcome", "case_note",
)  # fmt: skip


class _Values:
    """Turns dates into what the driver stores: SQLAlchemy's text forms on SQLite (so rows
    written here sort and compare exactly like rows written through the ORM), objects elsewhere.
    """

    def __init__(self, dialect_name: str) -> None:
        self.sqlite = dialect_name == "sqlite"
        self._days: dict[dt.date, str] = {}  # a few thousand distinct days, millions of uses

    def day(self, value: dt.date | None) -> Any:
        if value is None or not self.sqlite:
            return value
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = value.isoformat()
        return text

    def at(self, value: dt.date, clock: str) -> Any:
        """``value`` at ``clock`` (``"16:30"``), the cheap way: the hot path of sessions."""
        if not self.sqlite:
            return dt.datetime.combine(value, dt.time.fromisoformat(clock))
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = value.isoformat()
        return f"{text} {clock}:00.000000"

    def moment(self, value: dt.datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        text = value.isoformat(" ")
        return text if value.microsecond else text + ".000000"


# --- the generator -------------------------------------------------------------------------


@dataclass
class _Team:
    manager_id: int
    worker_ids: list[int]
    agency_ids: list[int]


class _Batch:
    """The rows for one batch of people, as tuples in each table's column order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _table_columns()}
        self.current_referral: list[tuple[int, int]] = []
        self.years: list[int] = []  # the year each person's record was made, for case refs


class _Generator:
    def __init__(self, seed: int, anchor: dt.date, team: _Team, values: _Values) -> None:
        self.rng = random.Random(seed)
        self.anchor = anchor
        self.team = team
        self.v = values
        self.heritage_weights = list(accumulate(h.weight for h in HERITAGES))
        self.district_weights = list(accumulate(w for _d, _t, w in DISTRICTS))
        self.agency_weights = list(accumulate(w for _n, _t, w in AGENCIES))
        self.age_values = [a for a, _w in AGES]
        self.age_weights = list(accumulate(w for _a, w in AGES))
        self.nhs_counter = self.rng.randrange(10**6)
        self.counts: Counter[str] = Counter()

    # each person: one call, all their rows --------------------------------------------------

    def person(self, batch: _Batch, ids: _Ids, plan: _PersonPlan) -> None:
        """All of one young person's rows; the case reference is filled in when written."""
        rng = self.rng
        v = self.v
        pid = ids.next("young_person")
        heritage = plan.heritage
        first, last, gender = plan.first_name, plan.last_name, plan.gender
        summary = _Summary()
        created = dt.datetime.combine(plan.episodes[0].received_on, dt.time(9, 30))
        manager = self.team.manager_id

        for episode in plan.episodes:
            self._episode(batch, ids, pid, plan, episode, summary)

        district, town, _w = plan.district
        postcode = (
            f"{district} {rng.randint(1, 9)}"
            f"{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
        )
        address = f"{rng.randint(1, 180)} {rng.choice(STREETS)}, {town}"
        phone = f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.8 else None
        nhs = self._nhs_number() if rng.random() < 0.6 else None
        dob = plan.date_of_birth
        age = _age(dob, plan.episodes[-1].received_on)
        education = _education(rng, age, plan.episodes[-1].reasons)
        preferred = first.split()[0] if " " in first and rng.random() < 0.5 else None
        if first == "Muhammad" and rng.random() < 0.3:
            preferred = "Mo"
        stamp = v.moment(created)
        batch.rows["young_person"].append(
            (
                pid, None, first, last, preferred, sort_name_of(last, first), v.day(dob),
                gender.value, plan.ethnicity.value, address, postcode, phone, nhs,
                _school(rng, age) if education is not EducationStatus.NEET else None,
                education.value, rng.random() < 0.06,
                rng.random() < 0.08, rng.random() < 0.15, rng.random() < 0.12,
                rng.random() < 0.25,
                summary.status.value if summary.status else None,
                summary.worker_id,
                summary.risk.value if summary.risk else None,
                v.day(summary.next_review_on),
                v.day(summary.last_contact_on),
                summary.disengaged,
                stamp, manager, stamp, manager, 1,
            )
        )  # fmt: skip
        batch.current_referral.append((summary.referral_id, pid))
        batch.years.append(plan.episodes[0].received_on.year)
        batch.rows["name_token"].extend(
            (token[:100], pid) for token in sorted(name_tokens(first, last, preferred))
        )
        parent_first = rng.choice(CONTACT_FIRST)
        relationship = rng.choice(
            (ContactRelationship.MOTHER, ContactRelationship.MOTHER, ContactRelationship.FATHER,
             ContactRelationship.CARER, ContactRelationship.GRANDPARENT)
        )  # fmt: skip
        batch.rows["contact"].append(
            (
                ids.next("contact"), pid, f"{parent_first} {_family_name(last, heritage)}",
                relationship.value, f"07700 900{rng.randrange(1000):03d}", True,
                stamp, manager, stamp, manager, 1,
            )
        )  # fmt: skip
        self.counts["people"] += 1

    def _nhs_number(self) -> str:
        """Numbers from the NHS test range (999...), unique within a run, valid check digit."""
        while True:
            self.nhs_counter = (self.nhs_counter + 7919) % 10**6
            first_nine = f"999{self.nhs_counter:06d}"
            check = nhs_check_digit(first_nine)
            if check is not None:
                return f"{first_nine}{check}"

    def _episode(
        self,
        batch: _Batch,
        ids: _Ids,
        pid: int,
        plan: _PersonPlan,
        episode: _Episode,
        summary: _Summary,
    ) -> None:
        rng = self.rng
        v = self.v
        rid = ids.next("referral")
        manager = self.team.manager_id
        agency_index = episode.agency_index
        agency_name = AGENCIES[agency_index][0]
        received = episode.received_on
        worker = episode.worker_id
        status = episode.status
        trans = batch.rows["referral_transition"]

        def transition(
            old: ReferralStatus | None,
            new: ReferralStatus,
            on: dt.date,
            by: int,
            reason: str | None,
            worker_id: int | None = None,
        ) -> None:
            at = v.moment(dt.datetime.combine(on, dt.time(10, 0)))
            trans.append(
                (
                    ids.next("referral_transition"), rid, old.value if old else None, new.value,
                    v.day(on), at, by, reason, worker_id,
                )
            )  # fmt: skip

        transition(None, ReferralStatus.RECEIVED, received, manager, f"Referred by {agency_name}")
        decided_on = decision_reason = None
        if episode.screened:
            transition(
                ReferralStatus.RECEIVED,
                ReferralStatus.SCREENING,
                episode.screened,
                manager,
                None,
            )
        previous = ReferralStatus.SCREENING if episode.screened else ReferralStatus.RECEIVED
        if episode.decided_on is not None:
            decided_on = episode.decided_on
            decision = episode.decision
            decision_reason = {
                ReferralStatus.ACCEPTED: "Meets criteria; risk of serious violence.",
                ReferralStatus.DECLINED: "Below threshold; no violence or exploitation concerns.",
                ReferralStatus.SIGNPOSTED: "Better met by Early Help; family agreed.",
            }[decision]
            transition(previous, decision, decided_on, manager, decision_reason)
        if episode.allocated_on is not None:
            transition(
                ReferralStatus.ACCEPTED,
                ReferralStatus.ALLOCATED,
                episode.allocated_on,
                manager,
                None,
                worker,
            )
        if episode.first_contact_on is not None:
            transition(
                ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE, episode.first_contact_on, worker,
                "First session attended",
            )  # fmt: skip
        if episode.closed_on is not None:
            assert episode.closure_reason is not None
            transition(
                ReferralStatus.ACTIVE, ReferralStatus.CLOSED, episode.closed_on, worker,
                episode.closure_reason.label,
            )  # fmt: skip

        under_16 = _age(plan.date_of_birth, received) < 16
        consent_parent = (
            (ConsentStatus.GIVEN if rng.random() < 0.85 else ConsentStatus.NOT_ASKED)
            if under_16
            else ConsentStatus.NOT_REQUIRED
        )
        narrative = " ".join(
            NARRATIVES[r].format(place=rng.choice(PLACES)) for r in sorted(episode.reasons)[:2]
        )
        stamp = v.moment(dt.datetime.combine(received, dt.time(9, 30)))
        changed = v.moment(
            dt.datetime.combine(episode.closed_on or episode.last_change, dt.time(17, 0))
        )
        batch.rows["referral"].append(
            (
                rid, pid, v.day(received), self.team.agency_ids[agency_index],
                rng.choice(REFERRERS), narrative,
                (ConsentStatus.GIVEN if rng.random() < 0.88 else ConsentStatus.NOT_ASKED).value,
                consent_parent.value,
                (SharingBasis.CONSENT if rng.random() < 0.7 else SharingBasis.SAFEGUARDING).value,
                episode.priority.value, status.value, decision_reason, v.day(decided_on),
                manager if decided_on else None, worker, v.day(episode.allocated_on),
                v.day(episode.first_contact_on), v.day(episode.closed_on),
                episode.closure_reason.value if episode.closure_reason else None,
                CLOSURE_SUMMARIES[episode.closure_reason] if episode.closure_reason else None,
                "manual", stamp, manager, changed, worker or manager, 1,
            )
        )  # fmt: skip
        batch.rows["referral_reason"].extend((rid, r.value) for r in sorted(episode.reasons))
        self.counts["referrals"] += 1

        summary.referral_id = rid
        summary.status = status
        summary.worker_id = worker
        if episode.first_contact_on is not None:
            assert worker is not None
            self._casework(batch, ids, pid, rid, plan, episode, summary)
        is_open = status.is_open_case
        summary.next_review_on = summary.latest_review if is_open else None
        recent = summary.attendance[-RECENT_ATTENDANCE_WINDOW:][::-1]
        summary.disengaged = is_open and is_disengaged(recent)

    def _casework(
        self,
        batch: _Batch,
        ids: _Ids,
        pid: int,
        rid: int,
        plan: _PersonPlan,
        episode: _Episode,
        summary: _Summary,
    ) -> None:
        """Assessments, a plan, sessions, outcomes and notes for an episode with contact."""
        rng = self.rng
        v = self.v
        worker = episode.worker_id
        assert worker is not None and episode.first_contact_on is not None
        start = episode.first_contact_on
        end = episode.closed_on or self.anchor
        closing = episode.closed_on is not None

        def tracked(when: dt.date) -> tuple[Any, ...]:
            stamp = v.at(when, "17:30")
            return (stamp, worker, stamp, worker, 1)

        # risk: assessed at first contact, then whenever the review falls due
        level = {
            Priority.URGENT: RiskLevel.VERY_HIGH,
            Priority.HIGH: RiskLevel.HIGH,
            Priority.MEDIUM: RiskLevel.MEDIUM,
            Priority.LOW: RiskLevel.MEDIUM,
        }[episode.priority]
        levels: list[tuple[dt.date, RiskLevel]] = []
        assessed = start
        stop_early = not closing and rng.random() < 0.08  # some reviews are overdue
        while assessed <= end:
            review = next_review_date(assessed, level)
            # Reassessed every two to three months (sooner only when the level says so and
            # the worker keeps up); an open case's last review falls due after today unless
            # this is one of the cases left overdue on purpose.
            following = max(review, assessed + dt.timedelta(days=rng.randint(56, 90)))
            if not closing and not stop_early and following > end and review < end:
                following = review + dt.timedelta(days=rng.randint(0, 3))
            batch.rows["risk_assessment"].append(
                (
                    ids.next("risk_assessment"), pid, rid, v.day(assessed), level.value,
                    rng.choice(RISK_FACTORS), rng.choice(PROTECTIVE_FACTORS), worker,
                    v.day(review), *tracked(assessed),
                )
            )  # fmt: skip
            self.counts["assessments"] += 1
            levels.append((assessed, level))
            summary.risk = level
            summary.latest_review = review
            if stop_early and len(levels) >= 2:
                break
            assessed = following
            roll = rng.random()
            if roll < 0.4 and level is not RiskLevel.LOW:
                level = list(RiskLevel)[level.rank - 1]
            elif roll > 0.92 and level is not RiskLevel.VERY_HIGH:
                level = list(RiskLevel)[level.rank + 1]

        # the plan: two to four goals with an action or two each
        plan_start = min(start + dt.timedelta(days=rng.randint(0, 10)), end)
        plan_id = ids.next("intervention_plan")
        plans = batch.rows["intervention_plan"]
        for index in range(len(plans) - 1, -1, -1):  # a new episode's plan replaces the last
            if plans[index][1] != pid:
                break
            plans[index] = (*plans[index][:7], False, *plans[index][8:])
        batch.rows["intervention_plan"].append(
            (
                plan_id, pid, rid, episode.plan_version, v.day(plan_start),
                v.day(next_plan_review(plan_start)),
                "Plan agreed with the young person and their family.", True,
                *tracked(plan_start),
            )
        )  # fmt: skip
        self.counts["plans"] += 1
        domains = rng.sample(list(GOALS), rng.randint(2, 4))
        achieved = 0
        for position, domain in enumerate(domains):
            goal_id = ids.next("plan_goal")
            if closing:
                status = (
                    GoalStatus.ACHIEVED
                    if episode.closure_reason is ClosureReason.GOALS_ACHIEVED or rng.random() < 0.3
                    else rng.choice((GoalStatus.PARTLY_ACHIEVED, GoalStatus.NOT_ACHIEVED))
                )
            else:
                status = rng.choice((GoalStatus.IN_PROGRESS, GoalStatus.IN_PROGRESS,
                                     GoalStatus.NOT_STARTED, GoalStatus.ACHIEVED))  # fmt: skip
            achieved += status is GoalStatus.ACHIEVED
            target = plan_start + dt.timedelta(weeks=rng.choice((8, 12, 16, 24)))
            batch.rows["plan_goal"].append(
                (
                    goal_id, plan_id, position, domain.value, rng.choice(GOALS[domain]),
                    v.day(target), status.value, *tracked(plan_start),
                )
            )  # fmt: skip
            for _ in range(rng.randint(1, 2)):
                description, owner = rng.choice(ACTIONS)
                due = plan_start + dt.timedelta(days=rng.randint(7, 60))
                done = due - dt.timedelta(days=rng.randint(0, 5)) if due < end else None
                if done is not None and rng.random() < 0.15:
                    done = None  # an overdue action
                batch.rows["plan_action"].append(
                    (
                        ids.next("plan_action"), goal_id, description, owner, v.day(due),
                        v.day(done), *tracked(plan_start),
                    )
                )  # fmt: skip

        # sessions: about weekly from first contact to closure (or today), a few booked ahead
        sessions = batch.rows["mentoring_session"]
        span = max((end - start).days, 1)
        count = max(1, min(int(span / 7 * rng.uniform(0.8, 1.0)) + 1, episode.session_cap))
        step = span / count
        disengaging = (
            episode.closure_reason is ClosureReason.DISENGAGED
            if closing
            else rng.random() < 0.07 and count >= 4
        )
        hour = rng.choice((15, 16, 16, 17, 18))
        location = rng.choice(LOCATIONS)
        attendance_log = summary.attendance
        last_attended: dt.date | None = None
        # The hot loop (two million rows at full size): plain strings and random() indexing,
        # no enum lookups, rng.choice calls or datetime objects per row.
        random_ = rng.random
        at = v.at
        timedelta = dt.timedelta
        clocks = (f"{hour:02d}:00", f"{hour:02d}:00", f"{hour:02d}:30")
        session_id = ids["mentoring_session"]
        for index in range(count):
            day = start + timedelta(days=int(index * step))
            if index == 0:
                attendance = _ATTENDED
            elif disengaging and index >= count - 3:
                attendance = _DNA
            else:
                roll = random_()
                attendance = (
                    _ATTENDED if roll < 0.78
                    else _DNA if roll < 0.89
                    else _CANCELLED_BY_YP if roll < 0.94
                    else _CANCELLED_BY_SERVICE
                )  # fmt: skip
            attended = attendance is _ATTENDED
            if attended:
                last_attended = day
            attendance_log.append(_ATTENDANCE[attendance])
            stamp = at(day, clocks[int(random_() * 3)])
            session_id += 1
            sessions.append(
                (
                    session_id, pid, rid, stamp, _DURATIONS[int(random_() * 4)], worker,
                    _HOME_VISIT if index == 0 else _SESSION_TYPES[int(random_() * 9)],
                    location, attendance,
                    SESSION_NOTES[int(random_() * len(SESSION_NOTES))] if attended else None,
                    TOPICS[int(random_() * len(TOPICS))] if attended else None,
                    False, stamp, worker, stamp, worker, 1,
                )
            )  # fmt: skip
        ids["mentoring_session"] = session_id
        if not closing:
            booked = day + dt.timedelta(days=7)  # the young person's usual weekday
            while booked <= self.anchor:
                booked += dt.timedelta(days=7)
            for extra in range(rng.randint(1, 2)):
                day = booked + dt.timedelta(days=7 * extra)
                sessions.append(
                    (
                        ids.next("mentoring_session"), pid, rid,
                        v.at(day, f"{hour:02d}:00"), 60, worker,
                        SessionType.ONE_TO_ONE.value, location, Attendance.PLANNED.value,
                        None, None, False, *tracked(self.anchor),
                    )
                )  # fmt: skip
                count += 1
        self.counts["sessions"] += count
        if last_attended is not None:
            summary.last_contact_on = last_attended

        # outcomes at the start, every twelve weeks, and at closure
        wellbeing = rng.randint(2, 6)
        arrests = rng.choice((0, 0, 1, 1, 2, 3))
        education = _education(rng, _age(plan.date_of_birth, start), episode.reasons)
        points = [(start, OutcomePoint.START)]
        review = start + dt.timedelta(weeks=12)
        while review < end:
            points.append((review, OutcomePoint.REVIEW))
            review += dt.timedelta(weeks=12)
        if closing:
            points.append((end, OutcomePoint.CLOSURE))
        for when, point in points:
            level_then = next((lv for d, lv in reversed(levels) if d <= when), levels[0][1])
            batch.rows["outcome"].append(
                (
                    ids.next("outcome"), pid, rid, v.day(when), point.value, level_then.value,
                    education.value, arrests, min(arrests, rng.randint(0, 1)), wellbeing,
                    achieved if point is OutcomePoint.CLOSURE else None, *tracked(when),
                )
            )  # fmt: skip
            self.counts["outcomes"] += 1
            wellbeing = min(10, wellbeing + rng.choice((0, 1, 1, 2)))
            arrests = max(0, arrests - rng.choice((0, 1, 1)))
            if education in (EducationStatus.EXCLUDED, EducationStatus.NEET) and rng.random() < 0.4:
                education = (
                    EducationStatus.IN_EDUCATION
                    if _age(plan.date_of_birth, when) < 16
                    else EducationStatus.EET
                )

        for _ in range(rng.randint(1, 3)):
            subject, body = rng.choice(NOTE_SUBJECTS)
            when = start + dt.timedelta(days=rng.randint(0, span))
            batch.rows["case_note"].append(
                (
                    ids.next("case_note"), pid, rid,
                    v.moment(dt.datetime.combine(when, dt.time(rng.randint(9, 17), 0))),
                    worker, subject, body, False, *tracked(when),
                )
            )  # fmt: skip
            self.counts["notes"] += 1


_SESSION_TYPES = tuple(
    t.value
    for t in (
        SessionType.ONE_TO_ONE, SessionType.ONE_TO_ONE, SessionType.ONE_TO_ONE,
        SessionType.GROUP, SessionType.DIVERSIONARY, SessionType.FAMILY,
        SessionType.SCHOOL_VISIT, SessionType.HOME_VISIT, SessionType.PHONE_ONLINE,
    )
)  # fmt: skip
_HOME_VISIT = SessionType.HOME_VISIT.value
_DURATIONS = (45, 60, 60, 90)
_ATTENDED = Attendance.ATTENDED.value
_DNA = Attendance.DID_NOT_ATTEND.value
_CANCELLED_BY_YP = Attendance.CANCELLED_BY_YOUNG_PERSON.value
_CANCELLED_BY_SERVICE = Attendance.CANCELLED_BY_SERVICE.value
_ATTENDANCE = {a.value: a for a in Attendance}


@dataclass
class _Summary:
    """The case summary columns, as ``case_state.refresh`` would compute them."""

    referral_id: int | None = None
    status: ReferralStatus | None = None
    worker_id: int | None = None
    risk: RiskLevel | None = None
    latest_review: dt.date | None = None
    next_review_on: dt.date | None = None
    last_contact_on: dt.date | None = None
    disengaged: bool = False

    def __post_init__(self) -> None:
        self.attendance: list[Attendance] = []  # oldest first, non-planned only


@dataclass
class _Episode:
    received_on: dt.date
    agency_index: int
    reasons: frozenset[ReferralReason]
    priority: Priority
    status: ReferralStatus
    screened: dt.date | None = None
    decision: ReferralStatus = ReferralStatus.ACCEPTED
    decided_on: dt.date | None = None
    allocated_on: dt.date | None = None
    worker_id: int | None = None
    first_contact_on: dt.date | None = None
    closed_on: dt.date | None = None
    closure_reason: ClosureReason | None = None
    plan_version: int = 1
    session_cap: int = 60

    @property
    def last_change(self) -> dt.date:
        return self.first_contact_on or self.allocated_on or self.decided_on or self.received_on


@dataclass
class _PersonPlan:
    heritage: _Heritage
    ethnicity: Ethnicity
    gender: Gender
    first_name: str
    last_name: str
    date_of_birth: dt.date
    district: tuple[str, str, float]
    episodes: list[_Episode]


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _education(rng: random.Random, age: int, reasons: frozenset[ReferralReason]) -> EducationStatus:
    if ReferralReason.EXCLUSION_ABSENCE in reasons:
        return EducationStatus.EXCLUDED
    if age < 16:
        return EducationStatus.IN_EDUCATION if rng.random() < 0.85 else EducationStatus.EXCLUDED
    return rng.choice(
        (EducationStatus.IN_EDUCATION, EducationStatus.EET, EducationStatus.NEET,
         EducationStatus.NEET)
    )  # fmt: skip


def _school(rng: random.Random, age: int) -> str | None:
    if age < 16:
        return rng.choice(
            ("Wardown Park Academy", "Stopsley Community College", "Lewsey Farm High School",
             "Marsh Farm Pupil Referral Unit", "Bedford Riverside Academy",
             "Dunstable Priory School")
        )  # fmt: skip
    if age < 19:
        return rng.choice(("Luton Sixth Form College", "Barnfield College", "Bedford College"))
    return None


def _family_name(last: str, heritage: _Heritage) -> str:
    if heritage.polish_surnames and last.endswith(("ska", "cka", "dzka")):
        return last[:-1] + "i"
    return last


def _feminine(surname: str) -> str:
    for masculine, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname


class _Ids(Counter[str]):
    """Next id per table, handed out here from each table's highest id when generation began
    (every batch checks nobody else has added rows since)."""

    def next(self, table: str) -> int:
        self[table] += 1
        return self[table]


def _plan_person(gen: _Generator) -> _PersonPlan:
    """Who the young person is and what happened to each referral, before any row is made."""
    rng = gen.rng
    heritage = rng.choices(HERITAGES, cum_weights=gen.heritage_weights)[0]
    ethnicities, weights = zip(*heritage.ethnicities, strict=True)
    ethnicity = rng.choices(ethnicities, weights)[0]
    roll = rng.random()
    gender = (
        Gender.MALE if roll < 0.76
        else Gender.FEMALE if roll < 0.975
        else Gender.NON_BINARY if roll < 0.99
        else Gender.NOT_KNOWN
    )  # fmt: skip
    girl = gender is Gender.FEMALE or (gender is not Gender.MALE and rng.random() < 0.5)
    first = rng.choice(heritage.girls if girl else heritage.boys)
    last = rng.choice(heritage.surnames)
    if girl and heritage.polish_surnames:
        last = _feminine(last)
    district = rng.choices(DISTRICTS, cum_weights=gen.district_weights)[0]

    anchor = gen.anchor
    history = YEARS_OF_HISTORY * 365
    two_episodes = rng.random() < 0.10
    if two_episodes:
        received = anchor - dt.timedelta(days=rng.randint(420, history))
    else:
        received = anchor - dt.timedelta(days=rng.randint(1, history))
    age = rng.choices(gen.age_values, cum_weights=gen.age_weights)[0]
    dob = received - dt.timedelta(days=age * 365 + age // 4 + rng.randint(0, 364))
    episodes = [_plan_episode(gen, received, last_episode=not two_episodes, age=age)]
    if two_episodes:
        previous = episodes[0]
        after = (previous.closed_on or previous.received_on) + dt.timedelta(
            days=rng.randint(60, 300)
        )
        after = min(after, anchor - dt.timedelta(days=1))
        episode = _plan_episode(gen, after, last_episode=True, age=_age(dob, after))
        episode.plan_version = 2
        episodes.append(episode)
    return _PersonPlan(heritage, ethnicity, gender, first, last, dob, district, episodes)


def _plan_episode(gen: _Generator, received: dt.date, *, last_episode: bool, age: int) -> _Episode:
    rng = gen.rng
    anchor = gen.anchor
    agency_index = rng.choices(range(len(AGENCIES)), cum_weights=gen.agency_weights)[0]
    agency_type = AGENCIES[agency_index][1]
    pool = REASONS_BY_AGENCY[agency_type]
    reasons = frozenset(
        rng.choices([r for r, _w in pool], [w for _r, w in pool], k=rng.choice((1, 1, 2, 2, 3)))
    )
    priority = rng.choices(
        (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.URGENT), (10, 45, 35, 10)
    )[0]
    age_days = (anchor - received).days
    episode = _Episode(received, agency_index, reasons, priority, ReferralStatus.RECEIVED)
    episode.session_cap = rng.choice((16, 20, 24, 30, 36, 48))

    # triage: the last fortnight's referrals are still in the queue
    if last_episode and age_days <= 12 and rng.random() < 0.75:
        if rng.random() < 0.4:
            episode.screened = received + dt.timedelta(days=min(age_days, 1))
            episode.status = ReferralStatus.SCREENING
        return episode
    if rng.random() < 0.35:
        episode.screened = received + dt.timedelta(days=rng.randint(0, 2))
    decision_day = received + dt.timedelta(days=rng.randint(2, 10))
    decision_day = min(decision_day, anchor)
    roll = rng.random()
    too_old = age > 25
    if last_episode and (roll < 0.06 or too_old):
        episode.decision = episode.status = ReferralStatus.DECLINED
    elif last_episode and roll < 0.14:
        episode.decision = episode.status = ReferralStatus.SIGNPOSTED
    else:
        episode.decision = episode.status = ReferralStatus.ACCEPTED
    if episode.screened and episode.screened > decision_day:
        episode.screened = decision_day
    episode.decided_on = decision_day
    if episode.status is not ReferralStatus.ACCEPTED:
        return episode
    allocated = min(decision_day + dt.timedelta(days=rng.randint(0, 5)), anchor)
    if allocated == anchor and last_episode and rng.random() < 0.5:
        return episode  # accepted today, not yet allocated
    episode.allocated_on = allocated
    episode.worker_id = rng.choice(gen.team.worker_ids)
    episode.status = ReferralStatus.ALLOCATED
    first_contact = allocated + dt.timedelta(days=rng.randint(2, 14))
    if first_contact >= anchor:
        return episode  # allocated, no contact yet
    episode.first_contact_on = first_contact
    episode.status = ReferralStatus.ACTIVE
    closing = first_contact + dt.timedelta(days=rng.randint(90, 330))
    if not last_episode or closing < anchor:
        if not last_episode:
            closing = min(closing, anchor - dt.timedelta(days=120))
            closing = max(closing, first_contact + dt.timedelta(days=30))
        episode.closed_on = closing
        reasons_, weights = zip(*CLOSURE_REASONS, strict=True)
        episode.closure_reason = rng.choices(reasons_, weights)[0]
        if not last_episode and episode.closure_reason is ClosureReason.AGED_OUT:
            episode.closure_reason = ClosureReason.MOVED_AWAY
        episode.status = ReferralStatus.CLOSED
    return episode


# --- writing --------------------------------------------------------------------------------


def _insert(session: Session, table: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = _table_columns()[table]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(marker for _ in columns)})"
    )
    connection.exec_driver_sql(sql, rows)


def _load_team(session: Session) -> _Team:
    def ids_with(role: Role) -> list[int]:
        return list(
            session.scalars(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == role, User.active.is_(True))
                .order_by(User.id)
            )
        )

    workers = ids_with(Role.CASEWORKER)
    managers = ids_with(Role.MANAGER)
    if not workers or not managers:
        raise ValidationError(
            {
                "users": "Demo data needs at least one active manager and one active "
                "caseworker to decide and allocate referrals: add them first."
            }
        )
    agency_ids = []
    for name, agency_type, _w in AGENCIES:
        found = session.scalar(select(Agency.id).where(Agency.name == name))
        if found is None:
            agency = Agency(name=name, agency_type=agency_type)
            session.add(agency)
            session.flush()
            found = agency.id
        agency_ids.append(found)
    return _Team(managers[0], workers, agency_ids)


def generate_demo_data(
    db: Database,
    people: int,
    seed: int,
    progress: Callable[[int, int], bool | None] | None = None,
    *,
    actor: Actor = SYSTEM,
    anchor: dt.date | None = None,
    defer_indexes: bool = False,
) -> DemoSummary:
    """Adds ``people`` synthetic young people with their whole case histories.

    ``defer_indexes`` drops the busiest secondary indexes for the load and rebuilds them after
    it: only for a database being built aside (``build_demo_database``), where a kill before
    the rebuild leaves nothing behind. On a database in place a kill would leave them dropped.

    Runs as ``SYSTEM`` on a new database (the command line creates the demo team first), or as
    a signed-in administrator or manager on an existing one. ``progress(done, total)`` is
    called after each batch; returning False stops after that batch (what is written stays:
    each batch is whole and consistent).

    Raises:
        ValidationError: a silly number of people, or no manager and caseworker to work cases.
        PermissionDenied: the actor is neither an administrator nor a manager.
    """
    require_role(actor, Role.ADMIN, Role.MANAGER, doing="generate demo data")
    if not 1 <= people <= MAX_PEOPLE:
        raise ValidationError({"people": f"Choose between 1 and {MAX_PEOPLE:,} people."})
    anchor = anchor or dt.date.today()
    with db.write() as session:
        team = _load_team(session)
        ids = _Ids(_highest_ids(session))
    gen = _Generator(seed, anchor, team, _Values(db.engine.dialect.name))
    deferred = _deferred_indexes(db) if defer_indexes else []
    # No fsync per commit only where a power cut costs nothing: on a database being built aside.
    tune = defer_indexes
    if tune:
        _tune_for_bulk(db, on=True)
    try:
        # Two cores: this thread makes the next batch's rows while the writer thread stores
        # the last one (SQLite does its B-tree work with the GIL released).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-writer") as writer:
            pending: Future[None] | None = None
            done = 0
            while done < people:
                size = min(PEOPLE_PER_BATCH, people - done)
                expected = dict(ids)
                batch = _Batch()
                for _ in range(size):
                    gen.person(batch, ids, _plan_person(gen))
                if pending is not None:
                    pending.result()
                pending = writer.submit(_write_batch, db, batch, expected)
                done += size
                if progress is not None and progress(done, people) is False:
                    break
            if pending is not None:
                pending.result()
    finally:
        if tune:
            _tune_for_bulk(db, on=False)
        _rebuild(db, deferred)
    with db.write() as session:
        _advance_sequences(session)
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="demo_data",
            summary=f"Demo data generated: {gen.counts['people']} young people, "
            f"{gen.counts['referrals']} referrals, {gen.counts['sessions']} sessions "
            f"(seed {seed}, dates relative to {anchor.isoformat()})",
        )
    return DemoSummary(
        people=gen.counts["people"],
        referrals=gen.counts["referrals"],
        sessions=gen.counts["sessions"],
        assessments=gen.counts["assessments"],
        plans=gen.counts["plans"],
        outcomes=gen.counts["outcomes"],
        notes=gen.counts["notes"],
        anchor=anchor,
        seed=seed,
    )


# Tables whose secondary indexes take random inserts (by date, by mentor): at 100,000 people
# they outgrow any page cache, so on a database with no cases yet they are dropped for the
# load and rebuilt afterwards in one sort each, which is several times faster.
_DEFERRED_INDEX_TABLES = ("mentoring_session", "outcome", "case_note", "risk_assessment")


def _deferred_indexes(db: Database) -> list[Index]:
    with db.write() as session:
        if session.scalar(select(func.count()).select_from(YoungPerson)):
            return []  # a database in use keeps its indexes: others are reading it
        indexes = [
            index
            for table in _DEFERRED_INDEX_TABLES
            for index in sorted(Base.metadata.tables[table].indexes, key=lambda i: str(i.name))
        ]
        for index in indexes:
            index.drop(session.connection(), checkfirst=True)
    return indexes


def _rebuild(db: Database, indexes: list[Index]) -> None:
    if not indexes:
        return
    with db.write() as session:
        for index in indexes:
            index.create(session.connection(), checkfirst=True)


def _highest_ids(session: Session) -> dict[str, int]:
    return {
        table: session.scalar(select(func.max(Base.metadata.tables[table].c.id))) or 0
        for table in _ID_TABLES
    }


def _write_batch(db: Database, batch: _Batch, expected: dict[str, int]) -> None:
    """One transaction per batch. The ids were handed out in advance, so the batch is
    refused if anyone else added rows meanwhile rather than clashing with them."""
    with db.write() as session:
        if _highest_ids(session) != expected:
            raise ConflictError(
                "Someone else saved records while demo data was being generated: run "
                "demo-data when nobody else is using the database."
            )
        refs = iter(_case_references(session, batch.years))
        batch.rows["young_person"] = [
            (row[0], next(refs), *row[2:]) for row in batch.rows["young_person"]
        ]
        for table in _table_columns():
            _insert(session, table, batch.rows[table])
        connection = session.connection()
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"UPDATE young_person SET current_referral_id = {marker} WHERE id = {marker}",
            batch.current_referral,
        )


def _case_references(session: Session, record_years: list[int]) -> list[str]:
    """Case references by the year each record was made, reserved in one step per year."""
    years = Counter(record_years)
    next_number: dict[int, int] = {}
    for year, count in sorted(years.items()):
        first = reserve_case_numbers(session, year, count)
        if first + count - 1 > MAX_NUMBER:
            raise ValidationError(
                {"people": f"{year} would need more than {MAX_NUMBER:,} case references."}
            )
        next_number[year] = first
    refs = []
    for year in record_years:
        refs.append(format_case_reference(year, next_number[year]))
        next_number[year] += 1
    return refs


# SQLite's page cache while generating: the session indexes of 100,000 people outgrow the
# default 32 MB, and every index page evicted is written twice (WAL, then checkpoint).
_BULK_CACHE_KIB = 400_000
_NORMAL_CACHE_KIB = 32_000


def _tune_for_bulk(db: Database, *, on: bool) -> None:
    """Settings for one big write on SQLite: a bigger page cache, and no fsync per commit
    (a demo database lost to a power cut is simply generated again). Applied to the pooled
    connection between transactions, because SQLite refuses to change them inside one."""
    if not db.is_sqlite:
        return
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        kib = _BULK_CACHE_KIB if on else _NORMAL_CACHE_KIB
        cursor.execute(f"PRAGMA cache_size = -{kib}")
        cursor.execute(f"PRAGMA synchronous = {'OFF' if on else 'NORMAL'}")
        # A rollback journal writes new pages once; WAL writes them twice (log, checkpoint).
        cursor.execute(f"PRAGMA journal_mode = {'DELETE' if on else 'WAL'}")
        cursor.close()
    finally:
        raw.close()


def _advance_sequences(session: Session) -> None:
    """PostgreSQL hands out ids from sequences the explicit ids above did not move on."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in _ID_TABLES:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


def demo_team_users() -> list[tuple[str, str, frozenset[Role], str]]:
    """The demo team as ``vault.create_database`` takes extra users (all but the admin)."""
    return [(u, n, r, DEMO_PASSWORD) for u, n, r in DEMO_TEAM if u != "admin"]


def create_demo_database(location: DatabaseLocation, *, encrypted: bool = True) -> NewDatabase:
    """A new database holding just the demo team (generate the cases next, as SYSTEM)."""
    from veru_desk.services.vault import create_database

    admin_username, admin_name, _roles = DEMO_TEAM[0]
    return create_database(
        location,
        admin_username,
        admin_name,
        DEMO_PASSWORD,
        encrypted=encrypted,
        extra_users=demo_team_users(),
    )


class Stopped(Exception):
    """The person stopped a new demo database being built: nothing was kept."""


def build_demo_database(
    location: DatabaseLocation,
    people: int,
    seed: int,
    progress: Callable[[int, int], bool | None] | None = None,
    *,
    encrypted: bool = True,
    anchor: dt.date | None = None,
) -> tuple[NewDatabase, DemoSummary]:
    """A new database with the demo team and ``people`` young people, built aside and moved
    into place only when finished (``services.new_database``): a kill or a Stop leaves no
    database at ``location``, so the next start is a first start again.

    Raises:
        Stopped: ``progress`` returned False; nothing was kept.
    """
    from veru_desk.services.new_database import build_complete

    summary: list[DemoSummary] = []

    def build(staged: DatabaseLocation) -> NewDatabase:
        stopped = False

        def watch(done: int, total: int) -> bool:
            nonlocal stopped
            if progress is not None and progress(done, total) is False:
                stopped = True
            return not stopped

        created = create_demo_database(staged, encrypted=encrypted)
        try:
            summary.append(
                generate_demo_data(
                    created.db, people, seed, watch, anchor=anchor, defer_indexes=True
                )
            )
        except BaseException:
            created.db.dispose()
            raise
        if stopped:
            created.db.dispose()
            raise Stopped
        return created

    created = build_complete(location, build)
    return created, summary[0]


def add_demo_team(db: Database) -> None:
    """The demo team on a database that has no users yet (a plain file or a server).

    Refused once any user exists: a published password must never be added to a database
    that real people already use.
    """
    with db.write() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise ValidationError(
                {"users": "This database already has users: sign in as a manager instead."}
            )
        for username, name, roles in DEMO_TEAM:
            user = add_user(session, username, name, roles, DEMO_PASSWORD)
            audit.record(
                session,
                SYSTEM,
                AuditAction.CREATE,
                entity=user,
                summary=f"Demo user {user.username} added",
            )

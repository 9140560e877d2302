"""The demo's word lists: names by heritage, places, agencies, and what caseworkers write.

Also the demo team and its published password, here because this module loads no SQLAlchemy:
the sign-in dialog, the benchmark and the tests can name them without loading the database.
Nothing here is about a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

from veru_desk.domain.enums import (
    AgencyType,
    ClosureReason,
    Ethnicity,
    GoalDomain,
    GoalStatus,
    ReferralReason,
    Role,
    SessionType,
)

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


@dataclass(frozen=True)
class Heritage:
    weight: float
    ethnicities: tuple[tuple[Ethnicity, float], ...]
    boys: tuple[str, ...]
    girls: tuple[str, ...]
    surnames: tuple[str, ...]
    polish_surnames: bool = False  # -ski / -cki become -ska / -cka for girls


def _w(*pairs: tuple[Ethnicity, float]) -> tuple[tuple[Ethnicity, float], ...]:
    return pairs


_E = Ethnicity
HERITAGES: tuple[Heritage, ...] = (
    Heritage(
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
    Heritage(
        15,
        _w((_E.ASIAN_PAKISTANI, 0.97), (_E.NOT_STATED, 0.03)),
        ("Muhammad", "Ibrahim", "Hamza", "Zain", "Bilal", "Usman", "Ayaan", "Haris", "Rayyan",
         "Imran", "Adnan", "Faisal", "Yaseen", "Danyal"),
        ("Aisha", "Maryam", "Zara", "Hafsa", "Inaya", "Amina", "Mahnoor", "Sana", "Iqra"),
        ("Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Malik", "Raja", "Butt", "Akhtar",
         "Mahmood", "Shah", "Rashid", "Bashir"),
    ),
    Heritage(
        6,
        _w((_E.ASIAN_BANGLADESHI, 1.0),),
        ("Abdul", "Rahim", "Sabbir", "Tanvir", "Shahid", "Mizanur", "Rayhan", "Arif"),
        ("Nusrat", "Fatema", "Sumaiya", "Tahmina", "Jannat", "Rumana"),
        ("Miah", "Begum", "Uddin", "Rahman", "Islam", "Hoque", "Chowdhury", "Ahmed"),
    ),
    Heritage(
        4,
        _w((_E.ASIAN_INDIAN, 1.0),),
        ("Arjun", "Rohan", "Harpreet", "Gurpreet", "Dev", "Vikram", "Karan", "Jaspreet"),
        ("Priya", "Simran", "Anjali", "Navdeep", "Kiran", "Harleen"),
        ("Patel", "Singh", "Kaur", "Sharma", "Gill", "Sandhu", "Mistry", "Desai"),
    ),
    Heritage(
        7,
        _w((_E.WHITE_OTHER, 1.0),),
        ("Jakub", "Kacper", "Szymon", "Łukasz", "Mateusz", "Wojciech", "Bartosz", "Michał",
         "Dawid", "Oskar"),
        ("Zuzanna", "Julia", "Małgorzata", "Agnieszka", "Wiktoria", "Natalia", "Zofia"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
         "Szymański", "Dąbrowski", "Kaczmarek", "Mazur", "Krawczyk"),
        polish_surnames=True,
    ),
    Heritage(
        6,
        _w((_E.WHITE_OTHER, 1.0),),
        ("Andrei", "Ştefan", "Alexandru", "Mihai", "Ionuţ", "Florin", "Gabriel", "Cosmin"),
        ("Ioana", "Elena", "Andreea", "Bianca", "Ana-Maria", "Denisa"),
        ("Popescu", "Ionescu", "Dumitru", "Stan", "Munteanu", "Constantin", "Ţurcanu",
         "Rădulescu", "Moldovan"),
    ),
    Heritage(
        2,
        _w((_E.WHITE_ROMA, 1.0),),
        ("Dezider", "Marian", "Ladislav", "Robert", "Denis", "Patrik"),
        ("Monika", "Renata", "Daniela", "Sabina"),
        ("Lakatos", "Horváth", "Balog", "Kaleja", "Oláh", "Ferenc", "Dužda"),
    ),
    Heritage(
        3,
        _w((_E.WHITE_IRISH, 1.0),),
        ("Ciarán", "Seán", "Oisín", "Pádraig", "Darragh", "Cillian", "Eoin", "Tadhg"),
        ("Siobhán", "Aoife", "Niamh", "Róisín", "Saoirse", "Caoimhe", "Orla"),
        ("Ó Briain", "O'Neill", "Murphy", "Ó Súilleabháin", "Byrne", "Mac Cárthaigh", "Doyle",
         "Ó Ceallaigh", "Quinn", "O'Connor"),
    ),
    Heritage(
        1.5,
        _w((_E.WHITE_GYPSY_TRAVELLER, 1.0),),
        ("Patrick", "Michael", "Martin", "Jimmy", "Francie"),
        ("Bridget", "Mary", "Kathleen", "Margaret"),
        ("McDonagh", "Ward", "Joyce", "Maughan", "Connors"),
    ),
    Heritage(
        6,
        _w((_E.BLACK_AFRICAN, 0.97), (_E.NOT_STATED, 0.03)),
        ("Abdirahman", "Abdullahi", "Mohamed", "Mustafe", "Liban", "Hassan", "Yusuf",
         "Abdiaziz", "Khalid"),
        ("Hodan", "Ayaan", "Ifrah", "Sagal", "Nimco", "Hibo", "Farhiya"),
        ("Warsame", "Farah", "Mohamed", "Abdi", "Hassan", "Jama", "Osman", "Egal", "Nur"),
    ),
    Heritage(
        5,
        _w((_E.BLACK_AFRICAN, 1.0),),
        ("Chukwuemeka", "Oluwaseun", "Tobi", "Kwame", "Kofi", "Emeka", "Daniel", "Samuel",
         "David", "Ayodele"),
        ("Adaeze", "Chiamaka", "Abena", "Efua", "Temitope", "Blessing", "Esther"),
        ("Adeyemi", "Okonkwo", "Mensah", "Owusu", "Boateng", "Adebayo", "Okafor", "Asante",
         "Oyelaran"),
    ),
    Heritage(
        6,
        _w((_E.BLACK_CARIBBEAN, 0.9), (_E.BLACK_OTHER, 0.1)),
        ("Tyrese", "Jermaine", "Marcus", "Kyle", "Andre", "Dwayne", "Malachi", "Jayden",
         "Kemar", "Rashad"),
        ("Shanice", "Tianna", "Keisha", "Aaliyah", "Jada", "Shontelle"),
        ("Campbell", "Williams", "Brown", "Thomas", "Grant", "Francis", "Reid", "Henry",
         "Bailey", "McKenzie"),
    ),
    Heritage(
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
    Heritage(
        2,
        _w((_E.OTHER, 0.8), (_E.WHITE_OTHER, 0.2)),
        ("Rebin", "Karwan", "Dilshad", "Aram", "Hawre", "Shvan"),
        ("Shilan", "Rezan", "Dilan", "Hana"),
        ("Ahmed", "Karim", "Rashid", "Aziz", "Mahmoud", "Hama", "Qadir"),
    ),
    Heritage(
        2,
        _w((_E.WHITE_OTHER, 1.0),),
        ("João", "Tiago", "Rodrigo", "Diogo", "Gonçalo", "Rúben"),
        ("Beatriz", "Inês", "Mariana", "Leonor", "Matilde"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Gonçalves", "Rodrigues", "Conceição"),
    ),
    Heritage(
        1.5,
        _w((_E.WHITE_OTHER, 0.5), (_E.OTHER, 0.5)),
        ("Emre", "Mehmet", "Burak", "Yusuf", "Efe"),
        ("Ayşe", "Elif", "Zeynep", "Büşra"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk"),
    ),
    Heritage(
        1,
        _w((_E.ARAB, 1.0),),
        ("Omar", "Khaled", "Youssef", "Ahmad", "Tariq"),
        ("Layla", "Noor", "Yasmin", "Rania"),
        ("Al-Sayed", "Haddad", "Nasser", "Abboud", "Al-Amin"),
    ),
    Heritage(
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
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

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
    _R.KNIFE_CARRYING: "Stopped and searched near {place}; a kitchen knife was found in their bag.",
    _R.GANG_ASSOCIATION: "Seen regularly with older young people linked to a local group.",
    _R.CRIMINAL_EXPLOITATION: "Found with large amounts of cash and a second phone.",
    _R.COUNTY_LINES: "Found in Milton Keynes after being reported missing; believed to be run.",
    _R.SEXUAL_EXPLOITATION: "Concerns about an older adult picking them up from school.",
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
# What the plan's Progress column says of a goal, by its status.
GOAL_PROGRESS: dict[GoalStatus, tuple[str, ...]] = {
    GoalStatus.NOT_STARTED: (),
    GoalStatus.IN_PROGRESS: (
        "Started: first steps agreed at the last session.",
        "Going well; worked on at most sessions since the plan began.",
        "Slow: needs the school's help to move on.",
        "Some setbacks after the summer; back on track this month.",
    ),
    GoalStatus.ACHIEVED: (
        "Achieved: confirmed with the young person at the review.",
        "Achieved, and the family noticed the difference.",
    ),
    GoalStatus.PARTLY_ACHIEVED: (
        "Partly: real progress, not finished before the case closed.",
        "Partly achieved; the school will carry it on.",
    ),
    GoalStatus.NOT_ACHIEVED: (
        "Not achieved before the case closed.",
        "Not achieved: the young person stopped engaging.",
    ),
    GoalStatus.WITHDRAWN: ("Withdrawn at the review: no longer relevant.",),
}
# Each goal's actions come from its own domain, so a plan never lists the same action twice.
ACTIONS: dict[GoalDomain, tuple[tuple[str, str], ...]] = {
    GoalDomain.EET: (
        ("Book meeting with head of year", "Caseworker"),
        ("Visit the college open day together", "Caseworker"),
        ("Apply for bus pass", "Young person"),
        ("Agree a reduced timetable for the first month", "School"),
    ),
    GoalDomain.SAFETY: (
        ("Share safety plan with school", "School"),
        ("Walk the safe route home together", "Caseworker"),
        ("Save the out-of-hours numbers in their phone", "Young person"),
    ),
    GoalDomain.FAMILY: (
        ("Call mum to agree the plan", "Caseworker"),
        ("Arrange a family meeting at home", "Caseworker"),
        ("Refer the family to Early Help", "Caseworker"),
    ),
    GoalDomain.HEALTH: (
        ("Send consent form to GP", "Caseworker"),
        ("Book first appointment with the drug and alcohol service", "Caseworker"),
        ("Chase the CAMHS referral", "Caseworker"),
    ),
    GoalDomain.OFFENDING: (
        ("Attend review at the YJS office", "Youth justice officer"),
        ("Go through the referral order contract together", "Youth justice officer"),
        ("Write a letter of apology for the victim", "Young person"),
    ),
    GoalDomain.POSITIVE_ACTIVITIES: (
        ("Arrange taster session", "Hockwell Ring Youth Project"),
        ("Buy boxing club membership from the activity fund", "Caseworker"),
        ("Introduce them to the music studio staff", "Caseworker"),
    ),
}  # fmt: skip
# What a worker writes after an attended session, by where it happened: no "met at school" on
# a home visit, no "phone check-in" at the youth project. Written of the young person as
# "they", as the unit writes whatever the gender.
_FACE_TO_FACE_NOTES = (
    "Talked about school and the weekend; engaged well.",
    "Went through the safety plan; agreed safe routes home.",
    "Football at the leisure centre; good energy, some frustration about school.",
    "Discussed pressure from older peers; knows who to call.",
    "Worked on a CV together; wants to try an electrician course.",
    "Quiet at first, opened up about an incident last week.",
    "Boxing session; calmer afterwards and talked about home.",
    "Music studio; wrote lyrics about losing a friend.",
)
SESSION_NOTES: dict[SessionType, tuple[str, ...]] = {
    SessionType.ONE_TO_ONE: _FACE_TO_FACE_NOTES,
    SessionType.GROUP: (
        "Group session on knife crime myths; listened and asked good questions.",
        "Cooking group; worked well with the others, left early to collect a sibling.",
        "Group session on online safety; shared how threats start on social media.",
    ),
    SessionType.DIVERSIONARY: (
        "Football at the leisure centre; good energy, some frustration about school.",
        "Boxing session; calmer afterwards and talked about home.",
        "Climbing wall trip; nervous at first, finished the route.",
    ),
    SessionType.FAMILY: (
        "Family session with mum: agreed house rules and a time to be home.",
        "Met with the family; older brother's situation is weighing on everyone.",
        "Family session; mum worried about new friends, agreed to share concerns.",
    ),
    SessionType.SCHOOL_VISIT: (
        "Met at school with the head of year; attendance improving.",
        "Joined the review at school; a reduced timetable agreed for a month.",
        "Saw them at lunchtime with the pastoral lead; behaviour points down.",
    ),
    SessionType.HOME_VISIT: (
        "Home visit; talked about school and the weekend, mum joined at the end.",
        "Home visit; went through the safety plan and who to call.",
        "Home visit; quiet at first, then talked about an incident last week.",
    ),
    SessionType.PHONE_ONLINE: (
        "Phone check-in; says things are settled at home.",
        "Short call; busy with college, agreed to meet next week.",
        "Call to check they got home safely after the weekend's incident.",
    ),
}
TOPICS = (
    "education", "safety", "family", "peers", "emotional wellbeing", "substance use",
    "employment", "online safety", "positive activities",
)  # fmt: skip
# Usual meeting places (home visits, phone calls and school visits are placed by their type).
LOCATIONS = (
    "VERU office, Luton", "Lewsey Sports Park", "Hockwell Ring Youth Project",
    "McDonald's, the Mall", "Bedford library", "Marsh Farm youth centre",
)  # fmt: skip
NOTE_SUBJECTS = (
    ("Call with mum", "Mum says they have been coming home late; agreed to share any concerns."),
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

"""The unit's vocabularies. Stored by value (short, stable codes); shown by ``label``.

Labels are the words caseworkers use; codes never change once released because the database
and partner spreadsheets hold them.
"""

from __future__ import annotations

from enum import StrEnum, nonmember
from typing import Self

_LABEL_OF: dict[tuple[type, str], str] = {}


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a human label in British English."""

    @property
    def label(self) -> str:
        # Kept once worked out: a caseload page asks for two labels on each of its 200 rows,
        # and the look-up through the class took 7 us each time.
        key = (type(self), str.__str__(self))
        try:
            return _LABEL_OF[key]
        except KeyError:
            labels: dict[str, str] = getattr(type(self), "_LABELS", {})
            text = labels.get(self.value, self.value.replace("_", " ").capitalize())
            _LABEL_OF[key] = text
            return text

    @classmethod
    def from_text(cls, text: str) -> Self:
        """Accepts a code or a label, case- and punctuation-insensitively (imports, CLI)."""
        wanted = squash(text)
        for member in cls:
            if wanted in (squash(member.value), squash(member.label)):
                return member
        raise ValueError(text)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


def squash(text: str) -> str:
    """Typed words as they are compared: case, spaces and punctuation make no difference."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class Role(LabelledEnum):
    CASEWORKER = "caseworker"
    MANAGER = "manager"
    ADMIN = "admin"

    _LABELS = nonmember({"admin": "Administrator"})


class AgencyType(LabelledEnum):
    POLICE = "police"
    SCHOOL = "school"
    SOCIAL_CARE = "social_care"
    YOUTH_JUSTICE = "youth_justice"
    HEALTH = "health"
    EARLY_HELP = "early_help"
    VOLUNTARY = "voluntary"
    OTHER = "other"

    _LABELS = nonmember(
        {
            "school": "School or college",
            "social_care": "Children's social care",
            "youth_justice": "Youth justice service",
            "health": "Health (incl. hospital / A&E navigators)",
            "voluntary": "Voluntary sector",
        }
    )


class Gender(LabelledEnum):
    MALE = "male"
    FEMALE = "female"
    NON_BINARY = "non_binary"
    OTHER = "other"
    NOT_KNOWN = "not_known"

    _LABELS = nonmember({"non_binary": "Non-binary", "other": "Other / self-described"})


class Ethnicity(LabelledEnum):
    """ONS 2021 census ethnic groups (England and Wales), 19 categories plus not stated."""

    ASIAN_BANGLADESHI = "asian_bangladeshi"
    ASIAN_CHINESE = "asian_chinese"
    ASIAN_INDIAN = "asian_indian"
    ASIAN_PAKISTANI = "asian_pakistani"
    ASIAN_OTHER = "asian_other"
    BLACK_AFRICAN = "black_african"
    BLACK_CARIBBEAN = "black_caribbean"
    BLACK_OTHER = "black_other"
    MIXED_WHITE_ASIAN = "mixed_white_asian"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean"
    MIXED_OTHER = "mixed_other"
    WHITE_BRITISH = "white_british"
    WHITE_IRISH = "white_irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller"
    WHITE_ROMA = "white_roma"
    WHITE_OTHER = "white_other"
    ARAB = "arab"
    OTHER = "other"
    NOT_STATED = "not_stated"

    _LABELS = nonmember(
        {
            "asian_bangladeshi": "Asian: Bangladeshi",
            "asian_chinese": "Asian: Chinese",
            "asian_indian": "Asian: Indian",
            "asian_pakistani": "Asian: Pakistani",
            "asian_other": "Asian: any other Asian background",
            "black_african": "Black: African",
            "black_caribbean": "Black: Caribbean",
            "black_other": "Black: any other Black background",
            "mixed_white_asian": "Mixed: White and Asian",
            "mixed_white_black_african": "Mixed: White and Black African",
            "mixed_white_black_caribbean": "Mixed: White and Black Caribbean",
            "mixed_other": "Mixed: any other mixed background",
            "white_british": "White: English, Welsh, Scottish, Northern Irish or British",
            "white_irish": "White: Irish",
            "white_gypsy_traveller": "White: Gypsy or Irish Traveller",
            "white_roma": "White: Roma",
            "white_other": "White: any other White background",
            "arab": "Other: Arab",
            "other": "Other: any other ethnic group",
            "not_stated": "Not stated",
        }
    )

    @property
    def group(self) -> str:
        """The five-group ONS summary used in reports (Asian, Black, Mixed, White, Other)."""
        head = self.label.split(":")[0]
        return "Not stated" if self is Ethnicity.NOT_STATED else head


class EducationStatus(LabelledEnum):
    IN_EDUCATION = "in_education"
    EET = "eet"
    NEET = "neet"
    EXCLUDED = "excluded"
    NOT_KNOWN = "not_known"

    _LABELS = nonmember(
        {
            "in_education": "In full-time education",
            "eet": "In employment or training (EET)",
            "neet": "Not in education, employment or training (NEET)",
            "excluded": "Excluded / persistent absence",
        }
    )


class SafeguardingFlag(LabelledEnum):
    LOOKED_AFTER = "looked_after"
    CHILD_PROTECTION = "child_protection"
    CHILD_IN_NEED = "child_in_need"
    SEND = "send"
    YOUTH_JUSTICE = "youth_justice"

    _LABELS = nonmember(
        {
            "looked_after": "Looked-after child",
            "child_protection": "Child protection plan",
            "child_in_need": "Child in need",
            "send": "SEND",
            "youth_justice": "Known to youth justice",
        }
    )


class ContactRelationship(LabelledEnum):
    MOTHER = "mother"
    FATHER = "father"
    CARER = "carer"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    SOCIAL_WORKER = "social_worker"
    TEACHER = "teacher"
    YOT_OFFICER = "yot_officer"
    OTHER = "other"

    _LABELS = nonmember(
        {
            "carer": "Parent / carer",
            "yot_officer": "Youth justice officer",
        }
    )


class ReferralReason(LabelledEnum):
    KNIFE_CARRYING = "knife_carrying"
    GANG_ASSOCIATION = "gang_association"
    CRIMINAL_EXPLOITATION = "criminal_exploitation"
    COUNTY_LINES = "county_lines"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    MISSING_EPISODES = "missing_episodes"
    EXCLUSION_ABSENCE = "exclusion_absence"
    VICTIM_OF_VIOLENCE = "victim_of_violence"
    PERPETRATOR_OF_VIOLENCE = "perpetrator_of_violence"
    SUBSTANCE_MISUSE = "substance_misuse"
    DOMESTIC_ABUSE = "domestic_abuse"
    MENTAL_HEALTH = "mental_health"
    ONLINE_CONFLICT = "online_conflict"
    FAMILY_INVOLVEMENT = "family_involvement"
    ANTI_SOCIAL_BEHAVIOUR = "anti_social_behaviour"

    _LABELS = nonmember(
        {
            "knife_carrying": "Knife / weapon carrying",
            "criminal_exploitation": "Child criminal exploitation",
            "sexual_exploitation": "Child sexual exploitation",
            "exclusion_absence": "Exclusion or persistent absence",
            "domestic_abuse": "Domestic abuse at home",
            "family_involvement": "Sibling / family involvement",
            "anti_social_behaviour": "Anti-social behaviour",
        }
    )


class ReferralStatus(LabelledEnum):
    RECEIVED = "received"
    SCREENING = "screening"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SIGNPOSTED = "signposted"
    ALLOCATED = "allocated"
    ACTIVE = "active"
    CLOSED = "closed"

    @property
    def is_open_case(self) -> bool:
        return self in (ReferralStatus.ACCEPTED, ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE)

    @property
    def awaiting_triage(self) -> bool:
        return self in (ReferralStatus.RECEIVED, ReferralStatus.SCREENING)


class Priority(LabelledEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class ConsentStatus(LabelledEnum):
    GIVEN = "given"
    REFUSED = "refused"
    NOT_ASKED = "not_asked"
    NOT_REQUIRED = "not_required"

    _LABELS = nonmember({"not_required": "Not required (16 or over)"})


class SharingBasis(LabelledEnum):
    """UK GDPR / DPA 2018 basis recorded for sharing information about the young person."""

    CONSENT = "consent"
    PUBLIC_TASK = "public_task"
    VITAL_INTERESTS = "vital_interests"
    LEGAL_OBLIGATION = "legal_obligation"
    SAFEGUARDING = "safeguarding"

    _LABELS = nonmember(
        {
            "public_task": "Public task (Art. 6(1)(e))",
            "vital_interests": "Vital interests (Art. 6(1)(d))",
            "legal_obligation": "Legal obligation (Art. 6(1)(c))",
            "safeguarding": "Safeguarding of children (DPA 2018 Sch. 1 para 18)",
        }
    )


class ClosureReason(LabelledEnum):
    GOALS_ACHIEVED = "goals_achieved"
    DISENGAGED = "disengaged"
    MOVED_AWAY = "moved_away"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    CUSTODY = "custody"
    AGED_OUT = "aged_out"
    OTHER = "other"

    _LABELS = nonmember(
        {
            "transferred": "Transferred to another service",
            "escalated": "Escalated to statutory service",
            "custody": "Entered custody",
            "aged_out": "Reached upper age limit",
        }
    )


class RiskLevel(LabelledEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


class GoalDomain(LabelledEnum):
    EET = "eet"
    SAFETY = "safety"
    FAMILY = "family"
    HEALTH = "health"
    OFFENDING = "offending"
    POSITIVE_ACTIVITIES = "positive_activities"

    _LABELS = nonmember(
        {
            "eet": "Education, training and employment",
            "family": "Family and relationships",
            "health": "Health and wellbeing",
            "offending": "Offending and anti-social behaviour",
        }
    )


class GoalStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"
    WITHDRAWN = "withdrawn"


class SessionType(LabelledEnum):
    ONE_TO_ONE = "one_to_one"
    GROUP = "group"
    DIVERSIONARY = "diversionary"
    FAMILY = "family"
    SCHOOL_VISIT = "school_visit"
    HOME_VISIT = "home_visit"
    PHONE_ONLINE = "phone_online"

    _LABELS = nonmember(
        {
            "one_to_one": "One-to-one",
            "diversionary": "Diversionary activity",
            "phone_online": "Phone / online",
        }
    )


class Attendance(LabelledEnum):
    PLANNED = "planned"
    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"
    CANCELLED_BY_YOUNG_PERSON = "cancelled_by_young_person"
    CANCELLED_BY_SERVICE = "cancelled_by_service"

    _LABELS = nonmember({"did_not_attend": "Did not attend"})

    @property
    def counts_as_offered(self) -> bool:
        """Offered sessions are those the young person could have come to."""
        return self in (
            Attendance.ATTENDED,
            Attendance.DID_NOT_ATTEND,
            Attendance.CANCELLED_BY_YOUNG_PERSON,
        )

    @property
    def counts_as_missed(self) -> bool:
        return self in (Attendance.DID_NOT_ATTEND, Attendance.CANCELLED_BY_YOUNG_PERSON)


class OutcomePoint(LabelledEnum):
    START = "start"
    REVIEW = "review"
    CLOSURE = "closure"


class ChronologyKind(LabelledEnum):
    NOTE = "note"
    REFERRAL = "referral"
    DECISION = "decision"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    SESSION = "session"
    OUTCOME = "outcome"
    CLOSURE = "closure"
    EXPORT = "export"
    FLAG = "flag"
    PANEL = "panel"
    INCIDENT = "incident"  # an incident the young person was involved in (services.incidents)
    DOCUMENT = "document"  # a file attached to the case (a signed consent form, a letter)
    TASK = "task"  # a task on the case done by a worker of the unit (services.tasks)

    _LABELS = nonmember({"flag": "Safeguarding flag", "panel": "Panel meeting"})


class AuditAction(LabelledEnum):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    PRINT = "print"
    LOGIN = "login"
    FAILED_LOGIN = "failed_login"
    LOGOUT = "logout"
    DENIED = "denied"
    ANONYMISE = "anonymise"
    ERASE = "erase"
    BACKUP = "backup"
    RESTORE = "restore"
    IMPORT = "import"
    #: a search, duplicate check or import preview that found someone else's case: only
    #: "on record, allocated to ..." was shown, and this says who asked
    LOOKUP = "lookup"

    _LABELS = nonmember({"lookup": "Look-up of another's case"})

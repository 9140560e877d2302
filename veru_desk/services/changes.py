"""What a write changed, told to whoever shows it (after Anki's ``OpChanges``).

A screen must not depend on the code that saved remembering to tell it: each service write
records the kinds of record its transaction touched (``Service._write`` does it from the
rows flushed, so a write cannot forget), and after the commit the change set is published
here. The UI turns it into one Qt signal; each screen asks ``changes.touches(Kind.X, id)``.

No Qt and no SQLAlchemy here: the window imports this before the database is opened.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


class Kind(enum.Enum):
    """The kinds of record a screen can show, so the kinds a change set can name."""

    PERSON = "person"  # the young person's details, names, contacts
    REFERRAL = "referral"  # a referral, its reasons and triage
    CASE = "case"  # the case's state: allocated, active, closed, re-opened
    PLAN = "plan"  # intervention plans, goals, actions
    SESSION = "session"  # mentoring sessions and series
    NOTE = "note"  # case notes (the chronology)
    RISK = "risk"  # risk assessments
    OUTCOME = "outcome"  # outcome records and measures
    AGENCY = "agency"  # the partner agencies
    USER = "user"  # accounts and roles
    SETTINGS = "settings"  # organisation settings
    EXPORT = "export"  # a document made from a case (summary, subject access), its sharing
    ANALYSIS = "analysis"  # the caseworker's analysis of a case and its sign-off
    FLAG = "flag"  # safeguarding flags with their dates
    NETWORK = "network"  # links to young people, persons of concern and places
    INCIDENT = "incident"  # incidents and the people involved
    MERGE = "merge"  # duplicate records merged (or a merge undone): the data-quality screen
    PANEL = "panel"  # multi-agency panel meetings, the cases they discussed and their actions
    GROUP = "group"  # group sessions and recurring groups (their registers are sessions)
    ATTACHMENT = "attachment"  # files kept on a case (consent forms, letters)
    TASK = "task"  # tasks for the unit's workers (on a case or not)
    DATABASE = "database"  # the whole database replaced (a restore): everything is new


#: Person id meaning "not about one case, or about every case".
ANY_PERSON: None = None


@dataclass(frozen=True)
class Changes:
    """The kinds of record one transaction changed, and for which young people.

    A kind recorded without a person (a bulk change, a user, a restore) touches every
    person; ``Kind.DATABASE`` touches every kind.
    """

    touched: frozenset[tuple[Kind, int | None]] = frozenset()

    @classmethod
    def of(cls, kind: Kind, person_id: int | None = None) -> Changes:
        return cls(frozenset({(kind, person_id)}))

    @property
    def kinds(self) -> frozenset[Kind]:
        return frozenset(kind for kind, _person in self.touched)

    def people(self, kind: Kind) -> frozenset[int | None]:
        return frozenset(person for each, person in self.touched if each is kind)

    def touches(self, kinds: Kind | Iterable[Kind], person_id: int | None = None) -> bool:
        """Whether a screen showing ``kinds`` (for ``person_id``, or for anyone when None)
        has to be read again."""
        wanted = {kinds} if isinstance(kinds, Kind) else set(kinds)
        for kind, person in self.touched:
            if kind is Kind.DATABASE:
                return True
            if kind in wanted and (person is None or person_id is None or person == person_id):
                return True
        return False

    def __bool__(self) -> bool:
        return bool(self.touched)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.touched | other.touched)


@dataclass
class ChangeRecorder:
    """Collects one transaction's changes as it runs; frozen into ``Changes`` at commit."""

    _touched: set[tuple[Kind, int | None]] = field(default_factory=set)

    def record(self, kind: Kind, person_id: int | None = None) -> None:
        self._touched.add((kind, person_id))

    def changes(self) -> Changes:
        return Changes(frozenset(self._touched))


Subscriber = Callable[[Changes], None]

_subscribers: list[Subscriber] = []
_lock = threading.Lock()


def subscribe(subscriber: Subscriber) -> Callable[[], None]:
    """Calls ``subscriber`` with every committed change set (in the writing thread); returns
    the function that stops it."""
    with _lock:
        _subscribers.append(subscriber)

    def unsubscribe() -> None:
        with _lock:
            if subscriber in _subscribers:
                _subscribers.remove(subscriber)

    return unsubscribe


def publish(changes: Changes) -> None:
    """Tells every subscriber; the write is committed already, so a subscriber's failure is
    logged and never turned into the write's failure."""
    if not changes:
        return
    with _lock:
        subscribers = list(_subscribers)
    for subscriber in subscribers:
        try:
            subscriber(changes)
        except Exception:
            kinds = sorted(kind.value for kind in changes.kinds)
            log.exception("A change subscriber failed on %s", kinds)

"""Likely duplicates: two records that may be one young person, and why.

Intake's duplicate check (``services.people.find_duplicates``) catches exact matches. What
slips past it is the ordinary mess of referrals from five agencies: a typo ("Chiamaka" and
"Chiamka"), the day and month of a birthday swapped by someone used to American dates, a
nickname or another transliteration of the same name ("Zoey" for "Zoë", "Muhammad" for
"Mohammed"), or a preferred name given as the first name ("Seun" for "Oluwaseun"). Each of
those splits one child's history across two records, which is a safeguarding risk.

A pair is offered only when the dates of birth agree (the same, swapped, or one typed digit
apart) or the NHS numbers do, *and* both the first names and the surnames are alike: twins
share a surname and a date of birth and are not one person; two boys called Mohammed Ahmed
born on different days are two boys.

Finding pairs never compares everyone with everyone (100,000 people would be 5 billion
pairs): each record is put in a few small blocks (its date of birth, or its day and month
swapped, with a letter of a name; or its surname's sound with its first name) and only
records sharing a block are compared.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from veru_desk.domain.names import fold

#: Names that are the same name: nicknames, short forms and transliterations (folded).
#: Each group is one name; a name may be in several groups (Alex is Alexander and Alexandra).
NAME_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "mohammed muhammad mohammad mohamed muhammed mohamad mohammod mohamud mahomed mo",
        "zoe zoey zoie zoee",
        "aleksander alexander aleksandr alexandr oleksandr alex olek sasha",
        "alexandra aleksandra alex sasha",
        "oluwaseun seun",
        "oluwatobi tobi",
        "oluwadamilare dami",
        "temitope tope temi",
        "babatunde tunde",
        "olumide mide",
        "chiamaka amaka",
        "chukwuemeka emeka",
        "jo joanne joanna joann johanna",
        "william will bill billy liam",
        "robert rob robbie bob bobby",
        "thomas tom tommy tomasz",
        "james jim jimmy jamie",
        "michael mike mikey michal",
        "daniel dan danny",
        "joseph joe joey jozef jozsef yusuf yousef youssef yosef",
        "jonathan jon jonny johnny",
        "christopher chris kris krzysztof",
        "nicholas nick nicky mikolaj",
        "matthew matt mateusz",
        "samuel sam sammy",
        "benjamin ben benny",
        "anthony tony antoni",
        "edward ed eddie ted",
        "richard rich rick ricky",
        "elizabeth liz lizzie beth betty eliza",
        "katherine catherine kathryn kate katie cath kat",
        "rebecca becky becca",
        "jessica jess jessie",
        "abigail abi abby",
        "victoria vicky tori",
        "charlotte charlie lottie",
        "jennifer jen jenny",
        "margaret maggie meg",
        "patrick paddy pat padraig",
        "kieran ciaran",
        "sean shaun shawn",
        "siobhan shivaun",
        "niamh neve neave",
        "stephen steven steve stefan",
        "jakub jacob jake kuba",
        "lukasz luke lucas lukas",
        "wojciech wojtek",
        "piotr peter pete",
        "pawel paul",
        "ahmed ahmad ahmet",
        "hussein husain hussain hossein",
        "mustafa mustapha moustafa",
        "omar umar",
        "ibrahim ebrahim",
        "fatima fatimah fatma",
        "aisha ayesha aysha aishah",
        "khadija khadijah",
        "dmitri dmitry dimitri",
        "sergei sergey",
        "yuri yury iurii",
    )
)

_GROUPS_OF: dict[str, tuple[int, ...]] = {}
for _index, _group in enumerate(NAME_GROUPS):
    for _name in _group:
        _GROUPS_OF[_name] = (*_GROUPS_OF.get(_name, ()), _index)

# Surname particles written joined, hyphenated, spaced or left out: Al-Sayed, El Sayed, Alsayed.
_PARTICLE = re.compile(r"^(al|el|ul|ad|as|ash|ar)(?=[a-z]{3})")
_NOT_LETTER = re.compile(r"[^a-z0-9\u00c0-\uffff]")

#: A pair scoring below this is not offered.
THRESHOLD = 60


@dataclass(frozen=True)
class PersonKey:
    """What the matcher reads of one record (the names exactly as typed)."""

    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    preferred_name: str | None = None
    nhs_number: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class Likeness:
    """Two records that may be one young person: ``first`` has the lower id. ``score`` is
    0 to 100; ``reasons`` say why, in the words a manager reads on the screen."""

    first: int
    second: int
    score: int
    reasons: tuple[str, ...]

    @property
    def because(self) -> str:
        """``same date of birth; first names Zoë / Zoey are the same name``."""
        return "; ".join(self.reasons)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance (a swap of two neighbouring letters counts once),
    stopping at ``limit`` + 1: callers only ask whether two names are a typo apart."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _typo_limit(text: str) -> int:
    """How many typed letters may differ for two names to be "spelt alike": none in a very
    short name (Jo and Al are different people), one in a short one, two in a long one."""
    if len(text) <= 3:
        return 0
    return 1 if len(text) <= 7 else 2


@lru_cache(maxsize=1 << 18)
def _compact(name: str) -> str:
    """A folded name without spaces, hyphens or a leading particle: ``al-sayed`` -> ``sayed``."""
    joined = _NOT_LETTER.sub("", fold(name))
    return _PARTICLE.sub("", joined)


@lru_cache(maxsize=1 << 18)
def _words(name: str | None) -> tuple[str, ...]:
    """A name's folded words (folding is the slow part of comparing: each name once)."""
    return tuple(w for w in _NOT_LETTER.sub(" ", fold(name or "")).split() if w)


def same_name(a: str, b: str) -> bool:
    """Whether two folded words are known to be the same name (a nickname, a short form or
    another transliteration)."""
    return a == b or bool(set(_GROUPS_OF.get(a, ())) & set(_GROUPS_OF.get(b, ())))


_CANONICAL: dict[str, str] = {
    name: min(NAME_GROUPS[groups[0]]) for name, groups in _GROUPS_OF.items()
}


def _canonical(word: str) -> str:
    """One spelling for every name of a group, for blocking (its first group's first member
    in sorted order): Muhammad, Mohamed and Mo all block as one."""
    return _CANONICAL.get(word, word)


@lru_cache(maxsize=1 << 18)
def sound_key(name: str) -> str:
    """A rough sound of a surname for blocking: its first letter and its consonants, doubles
    collapsed (``Okonkwo`` and ``Okonkow`` -> ``oknk``)."""
    compact = _compact(name)
    if not compact:
        return ""
    rest = re.sub(r"[aeiouyhw]", "", compact[1:])
    rest = re.sub(r"(.)\1+", r"\1", rest)
    return compact[0] + rest


def swapped(day: dt.date) -> dt.date | None:
    """The date with its day and month swapped (03/04 for 04/03), when that is a date and
    another one."""
    if day.day == day.month or day.day > 12:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def _one_digit_apart(a: dt.date, b: dt.date) -> bool:
    """Dates whose ``ddmmyyyy`` differ in one typed digit or one swap of neighbours, within
    one of the day, the month or the year (the other two as they were)."""
    if a.day != b.day:
        if a.month != b.month or a.year != b.year:
            return False
        x, y = f"{a.day:02d}", f"{b.day:02d}"
    elif a.month != b.month:
        if a.year != b.year:
            return False
        x, y = f"{a.month:02d}", f"{b.month:02d}"
    else:
        x, y = f"{a.year:04d}", f"{b.year:04d}"
    differ = [i for i in range(len(x)) if x[i] != y[i]]
    if len(differ) == 1:
        return True
    i = differ[0]
    return len(differ) == 2 and differ[1] == i + 1 and x[i] == y[i + 1] and x[i + 1] == y[i]


def _first_names_alike(a: PersonKey, b: PersonKey) -> tuple[int, str] | None:
    """How alike two records' given names are (first and preferred), and why."""
    fa, fb = (_words(a.first_name) or ("",))[0], (_words(b.first_name) or ("",))[0]
    if not fa or not fb:
        return None
    if _compact(a.first_name) == _compact(b.first_name):
        return 30, "same first name"
    if same_name(fa, fb):
        return 25, f"first names {a.first_name} / {b.first_name} are the same name"
    for x, y in ((a, b), (b, a)):
        preferred = _words(x.preferred_name)[:1]
        if preferred and same_name(preferred[0], fb if y is b else fa):
            return 25, f"{y.first_name} is {x.first_name}'s preferred name"
    limit = _typo_limit(min(fa, fb, key=len))
    if limit and edit_distance(fa, fb, limit) <= limit:
        return 15, f"first names {a.first_name} / {b.first_name} are spelt alike"
    return None


def _surnames_alike(a: PersonKey, b: PersonKey) -> tuple[int, str] | None:
    ca, cb = _compact(a.last_name), _compact(b.last_name)
    if not ca or not cb:
        return None
    if _words(a.last_name) == _words(b.last_name):
        return 30, "same surname"
    if ca == cb:
        return 25, f"surnames {a.last_name} / {b.last_name} are written differently"
    limit = _typo_limit(min(ca, cb, key=len))
    if limit and edit_distance(ca, cb, limit) <= limit:
        return 15, f"surnames {a.last_name} / {b.last_name} are spelt alike"
    return None


def _names_swapped(a: PersonKey, b: PersonKey) -> bool:
    """First name and surname the other way round (Nguyễn Hoa / Hoa Nguyễn)."""
    return (
        _compact(a.first_name) == _compact(b.last_name)
        and _compact(a.last_name) == _compact(b.first_name)
        and _compact(a.first_name) != _compact(a.last_name)
    )


def _same_sound(a: PersonKey, b: PersonKey) -> bool:
    """A mistyped date of birth is believable only when the names agree: the same first name
    (or a form of it) and a surname that sounds the same."""
    first_a, first_b = _words(a.first_name)[:1], _words(b.first_name)[:1]
    return (
        bool(first_a and first_b)
        and _canonical(first_a[0]) == _canonical(first_b[0])
        and sound_key(a.last_name) == sound_key(b.last_name)
    )


def compare(a: PersonKey, b: PersonKey, threshold: int = THRESHOLD) -> Likeness | None:
    """How likely two records are one young person; None when they are not a likely pair."""
    if a.id == b.id:
        return None
    if b.id < a.id:
        a, b = b, a
    reasons: list[str] = []
    score = 0
    same_nhs = bool(a.nhs_number and a.nhs_number == b.nhs_number)
    if a.nhs_number and b.nhs_number and not same_nhs:
        return None  # two valid NHS numbers that differ: two people
    if same_nhs:
        score += 60
        reasons.append("same NHS number")
    if a.date_of_birth == b.date_of_birth:
        score += 40
        reasons.append("same date of birth")
    elif swapped(a.date_of_birth) == b.date_of_birth:
        score += 30
        reasons.append("dates of birth with the day and month swapped")
    elif _one_digit_apart(a.date_of_birth, b.date_of_birth) and _same_sound(a, b):
        score += 20
        reasons.append("dates of birth one typed digit apart")
    elif not same_nhs:
        return None
    if _names_swapped(a, b):
        score += 50
        reasons.append("first name and surname the other way round")
    else:
        first = _first_names_alike(a, b)
        last = _surnames_alike(a, b)
        if (first is None or last is None) and not same_nhs:
            return None
        for part in (first, last):
            if part is not None:
                score += part[0]
                reasons.append(part[1])
    if a.postcode and a.postcode == b.postcode:
        score += 5
        reasons.append("same postcode")
    score = min(score, 100)
    if score < threshold:
        return None
    return Likeness(a.id, b.id, score, tuple(reasons))


def _blocks(person: PersonKey) -> set[tuple[object, ...]]:
    """The blocks a record is compared within (see the module's docstring)."""
    first_words = _words(person.first_name)
    preferred_words = _words(person.preferred_name) if person.preferred_name else ()
    # A name's own initial and its group's: Chiamka (a typo) and Amaka (Chiamaka's short
    # form) both meet Chiamaka.
    first = set()
    for word in (*first_words[:1], *preferred_words[:1]):
        first.add(word[:1])
        first.add(_canonical(word)[:1])
    last = _compact(person.last_name)[:1]
    born = person.date_of_birth
    day = born.toordinal()
    flipped = swapped(born)
    days = (day,) if flipped is None else (day, flipped.toordinal())
    keys: set[tuple[object, ...]] = set()
    for letter in first:
        # In either order: names the other way round (Nguyễn Hoa / Hoa Nguyễn) still meet.
        pair = (letter, last) if letter <= last else (last, letter)
        for when in days:
            keys.add(("born", when, *pair))
    if first_words:
        # A date of birth one digit out keeps two of its day, month and year: one of these
        # three meets, with the names' sound (a common name is thousands of people).
        sound = (sound_key(person.last_name), _canonical(first_words[0]))
        keys.add(("dm", *sound, born.day, born.month))
        keys.add(("my", *sound, born.month, born.year))
        keys.add(("dy", *sound, born.day, born.year))
    if person.nhs_number:
        keys.add(("nhs", person.nhs_number))
    return keys


def likely_duplicates(people: Iterable[PersonKey], threshold: int = THRESHOLD) -> list[Likeness]:
    """Every likely pair among ``people``, most likely first (then by the lower id)."""
    # Hundreds of thousands of small blocks are made and none freed until the end: the
    # cyclic garbage collector would walk them all again and again (most of the time at
    # 100,000 people), and none of them can be in a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        first_in: dict[tuple[object, ...], PersonKey] = {}
        shared: dict[tuple[object, ...], list[PersonKey]] = {}
        for person in people:
            for key in _blocks(person):
                earlier = first_in.setdefault(key, person)
                if earlier is not person:
                    members = shared.get(key)
                    if members is None:
                        shared[key] = [earlier, person]
                    else:
                        members.append(person)
        seen: set[tuple[int, int]] = set()
        found: list[Likeness] = []
        for members in shared.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                    if pair in seen:
                        continue
                    seen.add(pair)
                    likeness = compare(a, b, threshold)
                    if likeness is not None:
                        found.append(likeness)
    finally:
        if collecting:
            gc.enable()
    found.sort(key=lambda like: (-like.score, like.first, like.second))
    return found

"""Three-way merge of one record edited by two people at once.

When a save is refused because a colleague saved the same record first, three versions of
each field are known: the *base* (what the form was loaded from), *theirs* (what is saved
now) and *mine* (what the form holds). A field only one side changed has an obvious answer,
so it is taken without asking; a field both changed differently is a clash, and only the
person can say which words win. Nothing here guesses: an unresolved clash refuses to produce
a merged record, so no one's saved words are dropped without an explicit choice.

Plain Python on purpose (no Qt, no SQL): the forms, the services' tests and anything else that
meets a conflict use the same rules.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, TypeVar

D = TypeVar("D")
K = TypeVar("K", bound=Hashable)


class Side(enum.Enum):
    """Where a field's merged value comes from."""

    UNCHANGED = "unchanged"  # nobody changed it
    SAME = "same"  # both changed it to the same value
    MINE = "mine"  # only I changed it
    THEIRS = "theirs"  # only the colleague changed it
    CLASH = "clash"  # both changed it, differently: the person must choose


@dataclass(frozen=True)
class FieldMerge:
    """One field's three versions and where its merged value comes from."""

    key: Hashable
    base: Any
    theirs: Any
    mine: Any

    @property
    def side(self) -> Side:
        if self.mine == self.theirs:
            return Side.UNCHANGED if self.mine == self.base else Side.SAME
        if self.mine == self.base:
            return Side.THEIRS
        if self.theirs == self.base:
            return Side.MINE
        return Side.CLASH

    @property
    def clash(self) -> bool:
        return self.side is Side.CLASH

    @property
    def value(self) -> Any:
        """The merged value; a clash has none until the person chooses (see ``Merge.resolve``)."""
        if self.clash:
            raise UnresolvedClash([self.key])
        return self.mine if self.side is Side.MINE else self.theirs


class UnresolvedClash(ValueError):
    """A merged record was asked for while fields both people changed are still undecided."""

    def __init__(self, keys: list[Hashable]) -> None:
        super().__init__(
            "Both people changed " + ", ".join(str(key) for key in keys) + ": choose what to keep."
        )
        self.keys = keys


@dataclass(frozen=True)
class Merge:
    """The field-by-field merge of one record, in the order the fields were given."""

    fields: tuple[FieldMerge, ...]

    @property
    def clashes(self) -> list[FieldMerge]:
        return [field for field in self.fields if field.clash]

    def changed_by_them(self) -> list[FieldMerge]:
        return [f for f in self.fields if f.side in (Side.THEIRS, Side.SAME, Side.CLASH)]

    def changed_by_me(self) -> list[FieldMerge]:
        return [f for f in self.fields if f.side in (Side.MINE, Side.SAME, Side.CLASH)]

    def field(self, key: Hashable) -> FieldMerge:
        for found in self.fields:
            if found.key == key:
                return found
        raise KeyError(key)

    def resolve(self, choices: Mapping[Hashable, Any] | None = None) -> dict[Hashable, Any]:
        """The merged values. ``choices`` gives the person's value for each clash (their own,
        the colleague's, or words combined by hand); a clash without a choice refuses."""
        choices = choices or {}
        missing = [f.key for f in self.clashes if f.key not in choices]
        if missing:
            raise UnresolvedClash(missing)
        return {f.key: choices[f.key] if f.clash else f.value for f in self.fields}


def three_way(base: Mapping[K, Any], theirs: Mapping[K, Any], mine: Mapping[K, Any]) -> Merge:
    """Merges by field. A key missing from one version counts as None there, so a field only
    one side knows about is still shown, never dropped."""
    keys: list[K] = []
    for version in (mine, theirs, base):
        keys += [key for key in version if key not in keys]
    return Merge(
        tuple(FieldMerge(key, base.get(key), theirs.get(key), mine.get(key)) for key in keys)
    )


def three_way_records(base: D, theirs: D, mine: D) -> Merge:
    """``three_way`` over the fields of three instances of one dataclass (a service input)."""
    for record in (base, theirs, mine):
        if not is_dataclass(record) or isinstance(record, type):
            raise TypeError("three_way_records merges dataclass instances")
    names = [f.name for f in fields(mine)]  # type: ignore[arg-type]  # checked above: dataclasses
    return three_way(
        {name: getattr(base, name) for name in names},
        {name: getattr(theirs, name) for name in names},
        {name: getattr(mine, name) for name in names},
    )


def merged_record(merge: Merge, record: D, choices: Mapping[Hashable, Any] | None = None) -> D:
    """``record`` (any of the three) with every field set to its merged value."""
    return replace(record, **{str(k): v for k, v in merge.resolve(choices).items()})  # type: ignore[type-var]  # D: a dataclass instance

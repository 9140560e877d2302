"""Small-number suppression: counts of 1 to 4 are not published, nor anything that reveals them.

The rule, applied to a table of counts and the totals printed with it:

1. *Primary*: a count from 1 to 4 is shown as ``"<5"`` (0 is shown: it names no one).
2. *Secondary*: a table prints relations, "these parts add up to this total" (a column and its
   total row, a row and its total column, totals and the grand total). Where a relation shows
   every number but one, the hidden one is its total minus the rest; where the hidden numbers
   of a relation can only take one value given what is known of them (a ``"<5"`` is 1 to 4;
   a withheld number is 0 or 5 and over, since a 1 to 4 would have been ``"<5"``), it is
   revealed too. So more numbers are withheld (shown as ``"*"``) until neither can happen:
   within a relation, the smallest number shown above 0 is withheld first, then a 0, then the
   total; across relations, no hidden number may be fixed by the printed numbers together
   (checked exactly, by linear algebra over the fractions).
3. A rate (or any figure) computed from a hidden count is hidden too (``rate_hidden``).

Counts are given as a flat list of positions; a relation names the positions of its parts and
of its total. Pure Python, no Qt, no SQL: the services and the tests both call ``suppress``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

SMALL_LIMIT = 5  # counts from 1 to SMALL_LIMIT - 1 are not published
SMALL = "<5"
WITHHELD = "*"
NOTE = (
    "<5: a number from 1 to 4, not shown so no young person can be identified. "
    "*: withheld so that a number under 5 cannot be worked out from the totals; "
    "a rate or median resting on a hidden number is withheld too."
)


def is_small(value: int) -> bool:
    """A count that is published as ``"<5"``."""
    return 0 < value < SMALL_LIMIT


@dataclass(frozen=True)
class Relation:
    """The numbers at ``parts`` add up to the number at ``total`` (positions in one list)."""

    parts: tuple[int, ...]
    total: int

    @property
    def positions(self) -> tuple[int, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Suppression:
    """Which positions are hidden, and why: ``small`` (1 to 4) or ``withheld`` (secondary)."""

    small: frozenset[int]
    withheld: frozenset[int]

    @property
    def hidden(self) -> frozenset[int]:
        return self.small | self.withheld

    def shown(self, position: int, value: object) -> object:
        """The value as printed: the number, ``"<5"`` or ``"*"``."""
        if position in self.small:
            return SMALL
        if position in self.withheld:
            return WITHHELD
        return value


def suppress(
    values: Sequence[int], relations: Iterable[Relation] = (), withheld: Iterable[int] = ()
) -> Suppression:
    """Hides the small counts of ``values`` and enough others that none can be recomputed
    from what the relations print; ``withheld`` are positions hidden already (a total that
    another table had to withhold, say)."""
    relations = list(relations)
    for relation in relations:
        if sum(values[p] for p in relation.parts) != values[relation.total]:
            raise ValueError(f"The parts of {relation} do not add up to its total.")
    small = {p for p, v in enumerate(values) if is_small(v)}
    withheld = set(withheld) - small
    while True:
        choice = _next_choice(values, relations, small, small | withheld)
        if choice is None:
            break
        withheld.add(choice)
    return Suppression(frozenset(small), frozenset(withheld))


def rate_hidden(suppression: Suppression, *positions: int) -> bool:
    """Whether a figure computed from the numbers at ``positions`` must be hidden."""
    return any(p in suppression.hidden for p in positions)


def recoverable(
    values: Sequence[int], relations: Sequence[Relation], hidden: Iterable[int]
) -> set[int]:
    """Hidden positions whose value the printed numbers fix exactly (by linear algebra): the
    ones a reader could recompute from the totals. Empty after ``suppress``."""
    hidden = sorted(set(hidden))
    if not hidden:
        return set()
    column = {p: i for i, p in enumerate(hidden)}
    matrix: list[list[Fraction]] = []
    for relation in relations:
        row = [Fraction(0)] * len(hidden)
        touched = False
        for p in relation.parts:
            if p in column:
                row[column[p]] += 1
                touched = True
        if relation.total in column:
            row[column[relation.total]] -= 1
            touched = True
        if touched:
            matrix.append(row)
    basis = _row_reduce(matrix, len(hidden))
    # x_p is fixed exactly when the unit vector e_p lies in the row space.
    fixed = set()
    for p, i in column.items():
        unit = [Fraction(0)] * len(hidden)
        unit[i] = Fraction(1)
        if _in_row_space(basis, unit):
            fixed.add(p)
    return fixed


def pinned_in_relation(
    values: Sequence[int], relation: Relation, small: Iterable[int], hidden: Iterable[int]
) -> set[int]:
    """Hidden positions of one relation that can take only one value, knowing that a ``"<5"``
    is 1 to 4 and a withheld number is 0 or 5 and over (exact, by counting the sums)."""
    hidden = set(hidden)
    small = set(small)
    if relation.total in hidden:
        return set()  # an unknown total: any hidden part could be larger
    unknown = [p for p in relation.parts if p in hidden]
    if not unknown:
        return set()
    residue = values[relation.total] - sum(values[p] for p in relation.parts if p not in hidden)

    def domain(p: int) -> list[int]:
        if p in small:
            return list(range(1, SMALL_LIMIT))
        return [0, *range(SMALL_LIMIT, residue + 1)]

    pinned = set()
    for i, p in enumerate(unknown):
        reachable = _sums([q in small for q in unknown[:i] + unknown[i + 1 :]], residue)
        possible = [v for v in domain(p) if v <= residue and reachable >> (residue - v) & 1]
        if len(possible) <= 1:
            pinned.add(p)
    return pinned


def _sums(small_flags: Sequence[bool], limit: int) -> int:
    """The sums (up to ``limit``) that hidden numbers can make, as a bit set: a small one adds
    1 to 4, a withheld one 0 or 5 and over."""
    everything = (1 << (limit + 1)) - 1
    reachable = 1  # the empty sum, 0
    for is_small_one in small_flags:
        if is_small_one:
            grown = 0
            for v in range(1, SMALL_LIMIT):
                grown |= reachable << v
            reachable = grown & everything
        else:
            if not reachable:
                return 0
            lowest = (reachable & -reachable).bit_length() - 1
            start = lowest + SMALL_LIMIT
            above = everything & ~((1 << start) - 1) if start <= limit else 0
            reachable = reachable | above
    return reachable


def _next_choice(
    values: Sequence[int], relations: Sequence[Relation], small: set[int], hidden: set[int]
) -> int | None:
    """The next number to withhold, or None when nothing hidden can be worked out."""
    for relation in relations:
        count = sum(1 for p in relation.positions if p in hidden)
        if count == 1 or (count and pinned_in_relation(values, relation, small, hidden)):
            choice = _next_to_withhold(values, relation, hidden)
            if choice is not None:
                return choice
    fixed = recoverable(values, relations, hidden)
    if not fixed:
        return None
    # Several relations together give a number away: withhold the smallest candidate of
    # the relations that hold hidden numbers (a sub-total rather than the table's grand
    # total, say); the loop goes on until nothing hidden can be worked out.
    candidates = [
        choice
        for relation in relations
        if any(p in hidden for p in relation.positions)
        for choice in [_next_to_withhold(values, relation, hidden)]
        if choice is not None
    ]
    return min(candidates, key=lambda p: (values[p], p)) if candidates else None


def _next_to_withhold(values: Sequence[int], relation: Relation, hidden: set[int]) -> int | None:
    shown = [p for p in relation.parts if p not in hidden]
    positive = [p for p in shown if values[p] > 0]
    if positive:
        return min(positive, key=lambda p: (values[p], p))
    if shown:
        return shown[0]
    if relation.total not in hidden:
        return relation.total
    return None


def _row_reduce(rows: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """Reduced row echelon form (the non-zero rows)."""
    matrix = [list(r) for r in rows]
    pivot_row = 0
    for col in range(width):
        pivot = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [v / lead for v in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivot_row += 1
    return matrix[:pivot_row]


def _in_row_space(basis: list[list[Fraction]], vector: list[Fraction]) -> bool:
    rest = list(vector)
    for row in basis:
        lead = next(i for i, v in enumerate(row) if v != 0)
        if rest[lead] != 0:
            factor = rest[lead]
            rest = [a - factor * b for a, b in zip(rest, row, strict=True)]
    return all(v == 0 for v in rest)


def table_relations(
    n_rows: int, n_cols: int, *, column_totals: bool, row_totals: bool
) -> list[Relation]:
    """Relations of a grid laid out row by row (position ``r * n_cols + c``) whose last row
    holds the column totals (``column_totals``) and whose last column the row totals
    (``row_totals``); ``n_rows`` and ``n_cols`` count those margins too."""
    relations = []
    body_rows = n_rows - 1 if column_totals else n_rows
    body_cols = n_cols - 1 if row_totals else n_cols
    if column_totals:
        for c in range(n_cols):
            relations.append(
                Relation(tuple(r * n_cols + c for r in range(body_rows)), body_rows * n_cols + c)
            )
    if row_totals:
        for r in range(n_rows):
            relations.append(
                Relation(tuple(r * n_cols + c for c in range(body_cols)), r * n_cols + body_cols)
            )
    return relations

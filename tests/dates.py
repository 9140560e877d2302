"""Today's date for tests, asked at each use.

A date taken once when a test module is imported goes stale if the run crosses midnight: the
code under test then says the 26th while the test still expects the 25th. Asking at each use
keeps the two within the same few milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


def today() -> dt.date:
    return dt.date.today()


@dataclass(frozen=True)
class FromToday:
    """A date relative to today in a ``parametrize`` list, which is built at collection: it
    becomes a date only when the test runs (``resolved``)."""

    days: int = 0
    weeks: int = 0

    def date(self) -> dt.date:
        return today() + dt.timedelta(days=self.days, weeks=self.weeks)


def resolved(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each ``FromToday`` turned into its date, as of now."""
    return {k: v.date() if isinstance(v, FromToday) else v for k, v in values.items()}

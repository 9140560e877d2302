"""Timing and its summary: the median and the 95th percentile of several runs.

A benchmark that reports one run measures the noise of a shared machine; the median says
what a person usually waits, the 95th percentile what they wait on a bad keystroke.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.95 for p95): always a value that was seen.

    Nearest rank rather than interpolation, because with five runs an interpolated p95 is a
    time no one ever waited.
    """
    if not samples:
        raise ValueError("no samples to summarise")
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("no samples to summarise")
    ordered = sorted(samples)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def timed(work: Callable[[], object]) -> float:
    """Seconds ``work`` took on the wall clock (what the person waits, waits on disk included)."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


@dataclass(frozen=True)
class Budget:
    """What an operation must reach: a time for its p95 or median, and/or a ratio to its floor.

    ``on_p95`` says which statistic the seconds apply to: the search budget is on the 95th
    percentile (every keystroke must keep up), the others on the usual (median) run.
    """

    seconds: float | None = None
    ratio: float | None = None
    mib: float | None = None
    on_p95: bool = False

    @property
    def text(self) -> str:
        parts = []
        if self.seconds is not None:
            value = f"{self.seconds * 1000:g} ms" if self.seconds < 1 else f"{self.seconds:g} s"
            parts.append(f"p95 ≤ {value}" if self.on_p95 else f"≤ {value}")
        if self.ratio is not None:
            parts.append(f"ratio ≤ {self.ratio:g}")
        if self.mib is not None:
            parts.append(f"≤ {self.mib:g} MiB")
        return ", ".join(parts)


@dataclass
class Result:
    """One operation's figures, as the table and the JSON file show them."""

    name: str
    budget: Budget
    samples: list[float] = field(default_factory=list)
    floor_samples: list[float] = field(default_factory=list)
    peak_rss_mib: float | None = None
    detail: str = ""
    error: str | None = None

    @property
    def median_s(self) -> float | None:
        return median(self.samples) if self.samples else None

    @property
    def p95_s(self) -> float | None:
        return percentile(self.samples, 0.95) if self.samples else None

    @property
    def floor_s(self) -> float | None:
        return median(self.floor_samples) if self.floor_samples else None

    @property
    def ratio(self) -> float | None:
        """Our median over the floor's median: how much our code adds to the plainest way."""
        ours, floor = self.median_s, self.floor_s
        if ours is None or floor is None or floor <= 0:
            return None
        return ours / floor

    @property
    def within_budget(self) -> bool:
        if self.error is not None:
            return False
        budget = self.budget
        if budget.seconds is not None:
            value = self.p95_s if budget.on_p95 else self.median_s
            if value is None or value > budget.seconds:
                return False
        if budget.ratio is not None and (self.ratio is None or self.ratio > budget.ratio):
            return False
        return budget.mib is None or (
            self.peak_rss_mib is not None and self.peak_rss_mib <= budget.mib
        )

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "name": self.name,
            "median_s": _rounded(self.median_s),
            "p95_s": _rounded(self.p95_s),
            "floor_s": _rounded(self.floor_s),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "budget": self.budget.text,
            "within_budget": self.within_budget,
            "runs": len(self.samples),
        }
        if self.peak_rss_mib is not None:
            data["peak_rss_mib"] = round(self.peak_rss_mib, 1)
        if self.detail:
            data["detail"] = self.detail
        if self.error is not None:
            data["error"] = self.error
        return data


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)

"""Timing side by side: interleaved rounds, median ratios, one row per measure.

Machines are shared and noisy, so a measure is never an absolute time: each
round times the baseline and ours back to back (alternating which goes
first, so a slow spell hurts both), and the row reports the medians of the
two and the median of the per-round ratios.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["Row", "Goal", "judged", "interleaved", "timed", "ROW_KEYS"]

ROW_KEYS = ("measure", "baseline", "ours", "ratio", "goal", "met")


@dataclass(frozen=True)
class Goal:
    """What a row must reach.

    Attributes
    ----------
    text : str
        As the table prints it, e.g. ``"≥ 1.3×"`` or ``"≤ 50 ms"``.
    limit : float
        The threshold.
    at_least : bool
        True when the measured number must be ≥ ``limit``, False for ≤.
    on_ratio : bool
        True when the ratio is judged, False when the row's own value is.
    """

    text: str
    limit: float
    at_least: bool
    on_ratio: bool = True

    def met(self, ratio: float | None, ours: float | None) -> bool | None:
        value = ratio if self.on_ratio else ours
        if value is None:
            return None
        return value >= self.limit if self.at_least else value <= self.limit


@dataclass(frozen=True)
class Row:
    """One line of the table; ``None`` where a figure was not measured."""

    measure: str
    baseline: float | None
    ours: float | None
    ratio: float | None
    goal: str
    met: bool | None

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in ROW_KEYS}


def judged(measure: str, baseline: float | None, ours: float | None, ratio: float | None,
           goal: Goal) -> Row:
    """A row whose ``met`` is decided by ``goal``."""
    return Row(measure, baseline, ours, ratio, goal.text, goal.met(ratio, ours))


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of ``action`` takes (perf_counter)."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(baseline: Callable[[], float], ours: Callable[[], float], rounds: int,
                warmup: int = 1) -> tuple[float, float, float]:
    """Run the two sides in alternation; return (baseline, ours, ratio) medians.

    Parameters
    ----------
    baseline, ours : callable returning float
        One round of each side; each returns its figure for that round
        (seconds, or a rate: the ratio is ours / baseline either way).
    rounds : int
        Measured rounds, after ``warmup`` unmeasured ones.

    Returns
    -------
    (float, float, float)
        Median baseline figure, median ours figure, median of per-round
        ratios ours / baseline.
    """
    for _ in range(warmup):
        baseline()
        ours()
    base_figures, our_figures, ratios = [], [], []
    for index in range(rounds):
        if index % 2 == 0:
            b = baseline()
            o = ours()
        else:
            o = ours()
            b = baseline()
        base_figures.append(b)
        our_figures.append(o)
        ratios.append(o / b if b else float("inf"))
    return statistics.median(base_figures), statistics.median(our_figures), statistics.median(ratios)

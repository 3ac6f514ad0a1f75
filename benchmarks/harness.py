"""Timing side by side: interleaved rounds, median ratios, one row per measure.

Machines are shared and noisy, so a measure is never an absolute time (and
its time is the process's CPU time, ``cpu_seconds``): each
round times the baseline and ours back to back (alternating which goes
first, so a slow spell hurts both), and the row reports the medians of the
two and the median of the per-round ratios. Both sides get the same warm-up
and find the collector in the same state: a full collection before each
timed call, and during it the collector paused (or, for a measure of the
window as people use it, running on both sides).
"""
from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["Row", "Goal", "judged", "interleaved", "timed", "cpu_seconds", "ROW_KEYS"]

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


def cpu_seconds() -> float:
    """This process's CPU time so far (every thread), in seconds.

    The suite's clock: on a shared machine the wall clock also counts the
    time slices other processes take (two cores and a few test runs can
    double a round), CPU time only what this process spent. Latencies (the
    event loop's stalls, start-up) stay on the wall clock.
    """
    return time.process_time()


def timed(action: Callable[[], object]) -> float:
    """CPU seconds one call of ``action`` takes (``cpu_seconds``)."""
    start = cpu_seconds()
    action()
    return cpu_seconds() - start


def _settled(side: Callable[[], float], collector: bool) -> float:
    """One round of ``side`` after a full collection; the collector paused unless
    ``collector``, and afterwards as it was."""
    gc.collect()
    was_enabled = gc.isenabled()
    if not collector:
        gc.disable()
    try:
        return side()
    finally:
        if was_enabled:
            gc.enable()


def interleaved(baseline: Callable[[], float], ours: Callable[[], float], rounds: int,
                warmup: int = 1, collector: bool = False) -> tuple[float, float, float]:
    """Run the two sides in alternation; return (baseline, ours, ratio) medians.

    Parameters
    ----------
    baseline, ours : callable returning float
        One round of each side; each returns its figure for that round
        (seconds, or a rate: the ratio is ours / baseline either way).
    rounds : int
        Measured rounds, after ``warmup`` unmeasured ones of each side.
    collector : bool
        Leave Python's cyclic collector running during the timed calls (both
        sides); by default it is paused, so no collection of another side's
        leftovers lands in a round.

    Returns
    -------
    (float, float, float)
        Median baseline figure, median ours figure, median of per-round
        ratios ours / baseline.
    """
    for _ in range(warmup):
        _settled(baseline, collector)
        _settled(ours, collector)
    base_figures, our_figures, ratios = [], [], []
    for index in range(rounds):
        if index % 2 == 0:
            b = _settled(baseline, collector)
            o = _settled(ours, collector)
        else:
            o = _settled(ours, collector)
            b = _settled(baseline, collector)
        base_figures.append(b)
        our_figures.append(o)
        ratios.append(o / b if b else float("inf"))
    return statistics.median(base_figures), statistics.median(our_figures), statistics.median(ratios)

"""The runs a learner left behind, kept to compare with the run now.

``PastRuns`` (``controller.past_runs``) is the store: after Reset or new
settings (Apply) the controller hands it the run that ends — its settings,
a bounded copy of each of its curves by name (``{"loss": KeptCurve}``, and
for a classification ``"accuracy"`` and ``"test_accuracy"`` as ``KeptPoints``) and, for a lesson whose inputs are a plane,
its final decision boundary. Each run is labelled by what differed from the
run now (``engine.run_compare``), relabelled whenever the run now changes.
At most ``MAX_KEPT`` are kept, the oldest unpinned one dropped first; a
pinned run is kept beyond that. Opening a different lesson forgets them all.

The store reads no session: the controller gives it what it keeps.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from engine.run_compare import RunSettings, distinct_labels, run_label

if TYPE_CHECKING:
    from engine.boundary import BoundaryMap
    from engine.run_compare import KeptCurve, KeptPoints

__all__ = ["PastRun", "PastRuns", "MAX_KEPT", "THUMBNAIL_RESOLUTION"]

MAX_KEPT = 5                 # more faded curves than this are hard to tell apart
THUMBNAIL_RESOLUTION = 40    # grid points per side of a kept run's decision boundary


@dataclass
class PastRun:
    """One finished run.

    Attributes
    ----------
    number : int
        Which run of the lesson it was (1 for the first since the lesson opened).
    settings : RunSettings
    curves : dict of str to KeptCurve or KeptPoints
        Its curves by name, each a bounded copy: ``"loss"`` (every epoch's), and
        for a classification ``"accuracy"`` and, with held-out rows,
        ``"test_accuracy"`` (at the epochs the window judged).
    boundary : BoundaryMap or None
        Its final decision boundary on a ``THUMBNAIL_RESOLUTION`` grid (None
        when the lesson's inputs are not a plane).
    label : str
        What differed from the run now (``"lr 0.1 → 2"``), or ``"run N"``.
    pinned, hidden : bool
        Kept beyond ``MAX_KEPT``; not drawn.
    """

    number: int
    settings: RunSettings
    curves: dict[str, "KeptCurve | KeptPoints"]
    boundary: "BoundaryMap | None" = None
    label: str = ""
    pinned: bool = False
    hidden: bool = False


class PastRuns(QObject):
    """The kept runs of the lesson open, oldest first.

    Signals
    -------
    changed()
        A run was kept, pinned, hidden, cleared or relabelled.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.runs: list[PastRun] = []
        self.number = 1                      # the run now is the lesson's number-th
        self._now: RunSettings | None = None

    @property
    def shown(self) -> list[PastRun]:
        """The runs drawn (not hidden), oldest first."""
        return [run for run in self.runs if not run.hidden]

    def run(self, number: int) -> PastRun:
        """The kept run with ``number`` (KeyError when it is not kept)."""
        for run in self.runs:
            if run.number == number:
                return run
        raise KeyError(f"no run {number} is kept")

    # -- what the controller tells it -----------------------------------------------------
    def start(self, now: RunSettings) -> None:
        """The run now is trained with ``now``: every kept run is labelled against it."""
        self._now = now
        self._relabel()
        self.changed.emit()

    def keep(self, settings: RunSettings, curves: dict[str, "KeptCurve | KeptPoints"],
             boundary: "BoundaryMap | None" = None) -> PastRun:
        """Keep the run that ends; the next run gets the next number. Beyond
        ``MAX_KEPT``, the oldest unpinned run before it is dropped (none when
        every one is pinned: pinned runs are kept beyond five)."""
        kept = PastRun(self.number, settings, curves, boundary)
        self.runs.append(kept)
        self.number += 1
        while len(self.runs) > MAX_KEPT:
            # The run just kept stays: the learner is about to compare with it.
            unpinned = [run for run in self.runs[:-1] if not run.pinned]
            if not unpinned:
                break
            self.runs.remove(unpinned[0])
        self._relabel()
        self.changed.emit()
        return kept

    def forget(self) -> None:
        """A different lesson: nothing of the old one's runs is compared with it."""
        self.runs = []
        self.number = 1
        self._now = None
        self.changed.emit()

    # -- what the learner does --------------------------------------------------------------
    def pin(self, number: int, on: bool = True) -> None:
        """Keep run ``number`` beyond ``MAX_KEPT`` (or let it go again in its turn)."""
        self.run(number).pinned = bool(on)
        self.changed.emit()

    def hide(self, number: int, on: bool = True) -> None:
        """Leave run ``number`` off the plot (kept, and back with ``hide(…, False)``)."""
        self.run(number).hidden = bool(on)
        self.changed.emit()

    def clear(self, number: int | None = None) -> None:
        """Forget run ``number``, or every kept run (pinned too) when None."""
        self.runs = [] if number is None else [r for r in self.runs if r.number != number]
        self._relabel()
        self.changed.emit()

    def _relabel(self) -> None:
        if self._now is None:
            return
        labels = [run_label(run.settings, self._now, run.number) for run in self.runs]
        for run, label in zip(self.runs, distinct_labels(labels, [r.number for r in self.runs])):
            run.label = label

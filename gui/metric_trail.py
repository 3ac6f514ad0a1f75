"""The test loss and the accuracies at every epoch the window has shown.

The engine's history keeps the training loss of every epoch, measured as
training goes. The held-out rows' loss and the accuracies are not measured
by training: they cost a forward pass over all the rows, as much as an
epoch of the digits, so the window asks for them only at the epochs it
shows — every frame while Run trains, every step, jump and Reset — never
on the fast path. ``MetricTrail`` keeps what those frames were told
(``engine.metrics.Judge``), so the curves of the test loss and of the
accuracies have a point at each shown epoch.

Points are kept for at most ``MAX_POINTS`` epochs: past that every second
older point is dropped, so a frame costs the same however long Run goes.
When a run ends (Reset, Apply settings) its accuracies are kept to compare
with (``TeachingModel.kept_accuracies``, ``gui/past_runs.py``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the teaching model judges; the trail only keeps what it was told
    from engine.metrics import Evaluation

__all__ = ["MetricTrail", "MAX_POINTS"]

MAX_POINTS = 4000


class MetricTrail:
    """The held-out loss and accuracies at the epochs shown, in epoch order.

    Attributes
    ----------
    held_out : bool
        Whether the lesson holds rows out (a test loss and test accuracy exist).
    classification : bool
        Whether its targets are class labels (accuracies exist).
    epochs : ndarray of float, shape (n,)
        The epochs shown (0: the starting weights), increasing.
    test_loss, accuracy, test_accuracy : ndarray of float, shape (n,)
        J of the held-out rows and the fractions classified right at those
        epochs, as ``engine.metrics.evaluate`` gives them; NaN where they do
        not exist (no held-out rows, a regression) or are not numbers.
    """

    def __init__(self, held_out: bool = False, classification: bool = False):
        self.held_out, self.classification = held_out, classification
        self.clear()

    @property
    def wanted(self) -> bool:
        """Whether there is anything to show beside the training loss."""
        return self.held_out or self.classification

    def clear(self) -> None:
        """Forget every point (new lesson, Reset, an edit: the old epochs are gone)."""
        empty = np.empty(0)
        self.epochs = self.test_loss = self.accuracy = self.test_accuracy = empty

    def __len__(self) -> int:
        return int(self.epochs.size)

    def index_at(self, epoch: int) -> int:
        """The index of the last epoch judged at or before ``epoch`` (−1: none)."""
        return int(np.searchsorted(self.epochs, epoch, side="right")) - 1

    def record(self, epoch: int, evaluation: "Evaluation") -> None:
        """The weights at the end of ``epoch`` judged: replaces that epoch's point if any.

        New arrays every time, so what a view was handed never changes under it.
        """
        values = [np.nan if v is None else float(v)
                  for v in (evaluation.test_loss, evaluation.accuracy, evaluation.test_accuracy)]
        at = int(np.searchsorted(self.epochs, epoch))
        same = at < self.epochs.size and self.epochs[at] == epoch
        columns = [self.epochs, self.test_loss, self.accuracy, self.test_accuracy]
        columns = [np.concatenate([column[:at], [value], column[at + int(same):]])
                   for column, value in zip(columns, [float(epoch)] + values)]
        if columns[0].size > MAX_POINTS:
            # Every second point of the older half goes; the recent ones stay dense.
            half = columns[0].size // 2
            keep = np.concatenate([np.arange(0, half, 2), np.arange(half, columns[0].size)])
            columns = [column[keep] for column in columns]
        self.epochs, self.test_loss, self.accuracy, self.test_accuracy = columns

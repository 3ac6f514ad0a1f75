"""Compare runs: what differed between two runs of a lesson, and a kept copy of a
run's curve that answers "what was the loss at epoch e?".

After Reset or new settings, the window keeps the run before as a faded curve
labelled by what differed from the run now: ``lr 0.1 → 2``, ``batch 3 → 1``,
``seed 0 → 1``, several differences joined by commas, ``run 2`` when nothing
differs. ``RunSettings`` is what a label compares (everything that can change
the loss curve, and the run's length), ``differences`` says it in the
learner's words, and ``KeptCurve`` is a bounded copy of the plot's
``LossCurve`` outline (at most a few thousand points however long the run).
``KeptPoints`` keeps what was measured only at some epochs (the accuracies,
judged at the epochs the window showed) and answers with the last epoch
judged at or before the one asked.
"""
from __future__ import annotations


import numpy as np

from .history import LossCurve
from .lesson import Lesson
from .number_text import shown_briefly
from .value_type import value_type

__all__ = ["RunSettings", "KeptCurve", "KeptPoints", "settings_of", "differences", "run_label",
           "distinct_labels", "kept_curve", "kept_points", "SETTING_WORDS"]

# What each setting is called in a label, in the order labels name them: the
# settings a learner changes most (and that change the curve most) first.
SETTING_WORDS = {
    "learning_rate": "lr",
    "batch_size": "batch",
    "momentum": "momentum",
    "seed": "seed",
    "hidden": "hidden",
    "activations": "activation",
    "loss": "loss",
    "init": "init",
    "l2": "L2",
    "bias": "bias",
    "train_bias": "train bias",
    "epochs": "epochs",
    "tolerance": "tolerance",
}


@value_type
class RunSettings:
    """The settings of one run that a comparison names (DESIGN.md §4's keys).

    Attributes
    ----------
    learning_rate, momentum, l2 : float
    batch_size : int or None
        None for full batch.
    seed : int
    hidden : tuple of int
        The hidden layers' sizes n1 .. n_{L−1} (empty without a hidden layer).
    activations : tuple of str
        One name per layer 1..L.
    loss, init : str
    bias, train_bias : bool
    epochs : int
    tolerance : float or None
    """

    learning_rate: float
    batch_size: int | None
    momentum: float
    seed: int
    hidden: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    init: str
    l2: float
    bias: bool
    train_bias: bool
    epochs: int
    tolerance: float | None


def settings_of(lesson: Lesson) -> RunSettings:
    """The settings a run of ``lesson`` is trained with."""
    arch = lesson.architecture
    return RunSettings(
        learning_rate=float(lesson.learning_rate), batch_size=lesson.batch_size,
        momentum=float(lesson.momentum), seed=int(lesson.seed),
        hidden=tuple(int(n) for n in arch.layers[1:-1]), activations=tuple(arch.activations),
        loss=lesson.loss, init=lesson.init, l2=float(lesson.l2), bias=bool(arch.bias),
        train_bias=bool(arch.train_bias), epochs=int(lesson.epochs), tolerance=lesson.tolerance)


def _words(name: str, value) -> str:
    """One setting's value as a label writes it: numbers through ``number_text``."""
    if name == "batch_size":
        return "full" if value is None else str(int(value))
    if name == "tolerance" and value is None:
        return "none"
    if name in ("bias", "train_bias"):
        return "on" if value else "off"
    if name == "hidden":
        return ", ".join(str(n) for n in value) if value else "none"
    if name == "activations":
        return value[0] if len(set(value)) == 1 else ", ".join(value)
    if isinstance(value, float):
        return shown_briefly(value, 6)   # 0.1, 2, 0.0005: as the learner typed it
    return str(value)


def differences(old: RunSettings, new: RunSettings) -> list[str]:
    """What changed from run ``old`` to run ``new``, each as ``"lr 0.1 → 2"``, in
    ``SETTING_WORDS`` order; empty when nothing did."""
    changed = []
    for name in SETTING_WORDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            word = SETTING_WORDS[name]
            changed.append(f"{word} {_words(name, before)} → {_words(name, after)}")
    return changed


def run_label(old: RunSettings, new: RunSettings, number: int) -> str:
    """The label of a kept run (``old``, the learner's ``number``-th run of the lesson)
    beside the run now (``new``): its differences joined, or ``"run N"`` when none."""
    return ", ".join(differences(old, new)) or f"run {number}"


def distinct_labels(labels: list[str], numbers: list[int]) -> list[str]:
    """``labels`` with ``(run N)`` added to those that would read alike (two runs at
    the same learning rate beside a third), so a legend never names two curves the same."""
    return [f"{label} (run {number})" if labels.count(label) > 1 and label != f"run {number}"
            else label for label, number in zip(labels, numbers)]


@value_type
class KeptCurve:
    """A finished run's curve, as the plot drew it: bounded, however long the run.

    Attributes
    ----------
    x, y : ndarray, shape (k,)
        Copies of a ``LossCurve``'s outline: every epoch's value while the run
        was short (x = 1..n), else each bucket's lowest and highest value at the
        bucket's middle epoch.
    epochs : int
        The epochs the run had (n).
    """

    x: np.ndarray
    y: np.ndarray
    epochs: int

    @property
    def exact(self) -> bool:
        """Whether every epoch is kept (no bucket summarises several)."""
        return self.x.size == self.epochs

    def at(self, epoch: int) -> tuple[float, float] | None:
        """The value at ``epoch`` (1..n) as (lowest, highest): equal when every epoch
        is kept, else the range of the bucket whose middle is nearest; None past
        the run's end or before its start."""
        if not 1 <= epoch <= self.epochs or self.x.size == 0:
            return None
        if self.exact:
            value = float(self.y[epoch - 1])
            return value, value
        nearest = self.x[np.argmin(np.abs(self.x - epoch))]
        bucket = self.y[self.x == nearest]
        return float(np.fmin.reduce(bucket)), float(np.fmax.reduce(bucket))

    def span(self, log: bool = False) -> tuple[float, float] | None:
        """The lowest and highest finite value (positive only, for a log axis), or None."""
        with np.errstate(invalid="ignore"):
            keep = np.isfinite(self.y) & ((self.y > 0) if log else True)
        kept = self.y[keep]
        return (float(kept.min()), float(kept.max())) if kept.size else None


def kept_curve(curve: LossCurve) -> KeptCurve:
    """A copy of ``curve``'s outline (never its unbounded losses) to keep after the run."""
    x, y = np.array(curve.x, dtype=float), np.array(curve.y, dtype=float)
    x.flags.writeable = y.flags.writeable = False
    return KeptCurve(x, y, curve.size)



@value_type
class KeptPoints:
    """A finished run's values at the epochs they were measured (not every epoch).

    Attributes
    ----------
    x : ndarray of float, shape (k,)
        The epochs measured, increasing (0: the starting weights).
    y : ndarray of float, shape (k,)
        The value at each (NaN where it was not a number).
    """

    x: np.ndarray
    y: np.ndarray

    @property
    def epochs(self) -> int:
        """The last epoch measured (0 with none): where the run ended."""
        return int(self.x[-1]) if self.x.size else 0

    def at(self, epoch: int) -> tuple[int, float] | None:
        """(epoch measured, value) of the last epoch measured at or before ``epoch``;
        None before the first or past the last (the run had ended)."""
        if self.x.size == 0 or epoch > self.x[-1]:
            return None
        at = int(np.searchsorted(self.x, epoch, side="right")) - 1
        return None if at < 0 else (int(self.x[at]), float(self.y[at]))

    def span(self, log: bool = False) -> tuple[float, float] | None:
        """The lowest and highest finite value (positive only, for a log axis), or None."""
        with np.errstate(invalid="ignore"):
            keep = np.isfinite(self.y) & ((self.y > 0) if log else True)
        kept = self.y[keep]
        return (float(kept.min()), float(kept.max())) if kept.size else None


def kept_points(x, y) -> KeptPoints:
    """Read-only copies of the epochs ``x`` and values ``y`` (each shape (k,)) to keep."""
    x, y = np.array(x, dtype=float), np.array(y, dtype=float)
    x.flags.writeable = y.flags.writeable = False
    return KeptPoints(x, y)

"""Races: the same lesson trained several times, differing in one setting.

Seed 002 asks the learner to try a learning rate of 2, then 0.001, then 0.1
and watch the loss diverge, crawl and converge; seed 003 contrasts full-batch,
mini-batch and stochastic gradient descent. Both are one experiment: copies
of a lesson that differ only in ``learning_rate`` or ``batch_size``, each
trained separately from the lesson's own initial weights and seed, with the
loss of every epoch kept.

Each contender is an ordinary ``Session`` of the changed lesson moved on the
fast path (``Trainer.run_epochs``), so its curve is exactly what a separate
run of that lesson gives. ``Race.advance`` moves every unfinished contender
a few epochs at a time, so that a window can time-box the work.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from . import limits
from .errors import LessonError
from .history import instability
from .lesson import Lesson
from .number_text import shown_briefly
from .session import Session
from .training import Divergence

__all__ = ["Contender", "Race", "RACE_SETTINGS", "DEFAULT_RATES", "MAX_CONTENDERS",
           "learning_rate_race", "training_modes_race", "parse_rates", "default_mini_batch",
           "batch_label"]

RACE_SETTINGS = ("learning_rate", "batch_size")
DEFAULT_RATES = (2.0, 0.1, 0.001)     # seed 002: diverge (or overshoot), converge, crawl
MAX_CONTENDERS = 8                     # more curves than this cannot be told apart
MINI_BATCH = 32                        # the usual mini-batch size, when the data allow it


@dataclass
class Contender:
    """One lesson variant and how far it has trained.

    Attributes
    ----------
    label : str
        How the legend names it, e.g. ``"η = 0.1"`` or ``"mini-batch of 32"``.
    value : float or int or None
        The setting's value (None: full batch).
    session : Session
        The variant's session; only its state is moved (on the fast path).
    losses : ndarray, shape (epochs_done,)
        loss[e] of every epoch trained so far.
    diverged : Divergence or None
        Where the loss or a weight became inf or NaN; training stops there.
    """

    label: str
    value: float | int | None
    session: Session
    losses: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0))
    diverged: Divergence | None = None

    @property
    def epochs_done(self) -> int:
        return int(self.losses.size)

    @property
    def warning(self) -> str | None:
        """Why a finite run looks unstable (seed 002's rate of 2), or None."""
        return None if self.diverged is not None else instability(self.losses)

    def outcome(self) -> str:
        """One line for the legend and the status: how this contender is doing."""
        if self.diverged is not None:
            return f"{self.label}: {self.diverged.message()}"
        if self.losses.size == 0:
            return f"{self.label}: not started"
        text = (f"{self.label}: loss {shown_briefly(self.losses[-1], 4)} after "
                f"{self.losses.size} epochs")
        warning = self.warning
        return f"{text} — unstable: {warning}" if warning else text


class Race:
    """Several variants of one lesson trained side by side.

    Parameters
    ----------
    lesson : Lesson
        The lesson every contender copies; it is not changed.
    setting : {'learning_rate', 'batch_size'}
        The one setting that differs.
    values : sequence
        One value per contender (``batch_size``: None for full batch).
    epochs : int
        How many epochs each contender trains (fewer if it diverges).
    labels : sequence of str, optional
        Legend names; by default ``η = value`` or the batch description.

    Raises
    ------
    LessonError
        For an unknown setting, no values, too many, or an epoch count out of range.
    """

    def __init__(self, lesson: Lesson, setting: str, values, epochs: int, labels=None):
        if setting not in RACE_SETTINGS:
            raise LessonError(f"a race varies one of {', '.join(RACE_SETTINGS)}, not {setting!r}")
        values = list(values)
        if not values:
            raise LessonError("a race needs at least one value to compare")
        if len(values) > MAX_CONTENDERS:
            raise LessonError(f"at most {MAX_CONTENDERS} runs can be compared, not {len(values)}")
        if not 1 <= int(epochs) <= limits.MAX_EPOCHS:
            raise LessonError(f"epochs: {epochs} is out of range; expected 1 to {limits.MAX_EPOCHS}")
        if labels is None:
            m = len(lesson.X)
            labels = [f"η = {v:g}" if setting == "learning_rate" else batch_label(v, m)
                      for v in values]
        self.setting = setting
        self.epochs = int(epochs)
        self.contenders = [Contender(label, value, Session(_variant(lesson, setting, value)))
                           for label, value in zip(labels, values)]

    @property
    def finished(self) -> bool:
        return all(self._finished(c) for c in self.contenders)

    def _finished(self, contender: Contender) -> bool:
        return contender.diverged is not None or contender.epochs_done >= self.epochs

    @property
    def progress(self) -> float:
        """Share of the race's epochs done, 0..1 (a diverged run counts as done)."""
        done = sum(self.epochs if self._finished(c) else c.epochs_done for c in self.contenders)
        return done / (self.epochs * len(self.contenders))

    def advance(self, epochs: int) -> int:
        """Train every unfinished contender up to ``epochs`` more epochs.

        Returns the number of epochs trained in all (0 when the race is over).
        """
        trained = 0
        for contender in self.contenders:
            if self._finished(contender):
                continue
            count = min(int(epochs), self.epochs - contender.epochs_done)
            session = contender.session
            report = session.trainer.run_epochs(session.state, count)
            contender.losses = np.concatenate([contender.losses, report.losses])
            contender.diverged = report.diverged
            trained += len(report.losses)
        return trained


def _variant(lesson: Lesson, setting: str, value) -> Lesson:
    """The lesson with one setting changed, without a saved position."""
    changes = {setting: value, "session": None, "tolerance": None}
    return dataclasses.replace(lesson, **changes)


def learning_rate_race(lesson: Lesson, rates=DEFAULT_RATES, epochs: int | None = None) -> Race:
    """Seed 002's experiment: the lesson with each learning rate in ``rates``."""
    return Race(lesson, "learning_rate", [float(r) for r in rates],
                lesson.epochs if epochs is None else epochs)


def default_mini_batch(samples: int) -> int | None:
    """A mini-batch size between stochastic and full batch, or None when there is none."""
    size = min(MINI_BATCH, max(2, samples // 4))
    return size if 1 < size < samples else None


def batch_label(batch_size: int | None, samples: int) -> str:
    """``full batch (m = 3)``, ``mini-batch of 32`` or ``stochastic (batch of 1)``."""
    if batch_size is None or batch_size >= samples:
        return f"full batch (m = {samples})"
    if batch_size == 1:
        return "stochastic (batch of 1)"
    return f"mini-batch of {batch_size}"


def training_modes_race(lesson: Lesson, mini_batch: int | None = None,
                        epochs: int | None = None) -> Race:
    """Seed 003's comparison: full batch, a mini-batch and stochastic, same learning rate.

    Parameters
    ----------
    mini_batch : int, optional
        The mini-batch size; by default ``default_mini_batch``. A size that is
        must lie strictly between 1 and the number of samples; with two
        samples or fewer there is no mini-batch run (it would repeat another).

    Raises
    ------
    LessonError
        For a mini-batch size that is not between 1 and m (exclusive).
    """
    samples = len(lesson.X)
    if mini_batch is None:
        mini_batch = default_mini_batch(samples)
    elif not 1 < mini_batch < samples:
        raise LessonError(f"mini-batch size: {mini_batch} is out of range; with {samples} "
                          f"samples a mini-batch holds 2 to {samples - 1}")
    values: list[int | None] = [None]
    if mini_batch is not None:
        values.append(int(mini_batch))
    if samples > 1:
        values.append(1)
    return Race(lesson, "batch_size", values, lesson.epochs if epochs is None else epochs)


def parse_rates(text: str) -> list[float]:
    """Learning rates typed as ``2, 0.1, 0.001`` (commas or spaces).

    Raises
    ------
    LessonError
        Naming the item that is not a positive finite number, or when there
        are none or too many.
    """
    items = [item for item in text.replace(";", ",").replace(",", " ").split() if item]
    if not items:
        raise LessonError("learning rates: type at least one, e.g. 2, 0.1, 0.001")
    if len(items) > MAX_CONTENDERS:
        raise LessonError(f"learning rates: at most {MAX_CONTENDERS} can be compared, "
                          f"found {len(items)}")
    rates = []
    for position, item in enumerate(items, start=1):
        try:
            rate = float(item)
        except ValueError:
            raise LessonError(f"learning rates: item {position} ({item!r}) is not a number") from None
        if not math.isfinite(rate) or rate <= 0:
            raise LessonError(f"learning rates: item {position} ({item}) must be a positive, "
                              f"finite number")
        rates.append(rate)
    return rates

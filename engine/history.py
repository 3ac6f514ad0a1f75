"""What training has been through: loss per epoch and checkpoints.

Memory stays bounded however long a run is: a checkpoint (a copy of the
training state) is kept only every ``interval`` iterations, and when their
number passes the budget every other one is dropped and the interval
doubles. Any earlier iteration is reached by restoring the nearest
checkpoint and recomputing forward, which is exact because training is
deterministic.

Iterations are counted globally: iteration g is batch g mod B of epoch g // B
(B batches per epoch); checkpoint g is the state *before* iteration g.
"""
from __future__ import annotations

import bisect

import numpy as np

from .number_text import shown_briefly
from .training import Divergence, TrainingState, UNSTABLE_RISING_EPOCHS
from .value_type import value_type

__all__ = ["History", "LossCurve", "LossOutline", "CHECKPOINT_BUDGET_BYTES", "OUTLINE_BUCKETS",
           "instability", "unstable_symptom"]

CHECKPOINT_BUDGET_BYTES = 32 * 1024 * 1024
MAX_CHECKPOINTS = 4096
OUTLINE_BUCKETS = 2048  # a plot is a thousand or two pixels wide: 2048 to 4095 buckets


@value_type
class LossCurve:
    """The loss per epoch as a plot draws it, however long the history.

    Attributes
    ----------
    losses : ndarray, shape (n,)
        loss[e] of epochs 1..n; a read-only view (not copied: it is sent
        every frame while training runs).
    x, y : ndarray, shape (k,)
        The points to draw: every loss while n < 2·OUTLINE_BUCKETS, else
        the lowest and the highest loss of each bucket of epochs (so peaks
        stay visible), k < 4·OUTLINE_BUCKETS + 3 whatever n.
    """

    losses: np.ndarray
    x: np.ndarray
    y: np.ndarray

    @property
    def size(self) -> int:
        """Epochs known (n)."""
        return int(self.losses.size)


class LossOutline:
    """The lowest and highest loss of each bucket of epochs, kept up to date as
    losses arrive, so drawing a long history costs the same as a short one.

    Buckets hold ``bucket`` epochs each (a power of two); when there are
    2·OUTLINE_BUCKETS of them, neighbours are merged and ``bucket`` doubles.
    Keeping up costs only the new epochs' work (and, now and then, one merge
    of 2·OUTLINE_BUCKETS numbers). NaN is passed over (``fmin``/``fmax``); a
    bucket of NaN only is NaN.
    """

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        """Forget every bucket (the losses they summarised were rewritten)."""
        self.bucket = 1
        self.full = 0                      # complete buckets
        self._low = np.empty(2 * OUTLINE_BUCKETS)
        self._high = np.empty(2 * OUTLINE_BUCKETS)

    @property
    def covered(self) -> int:
        """Epochs summarised by the complete buckets."""
        return self.full * self.bucket

    def extend(self, losses: np.ndarray) -> None:
        """Take in the complete buckets of ``losses`` (shape (n,), every loss so
        far) that are not summarised yet."""
        while True:
            room = 2 * OUTLINE_BUCKETS - self.full
            end = min(losses.size // self.bucket, self.full + room)
            if end > self.full:
                block = losses[self.covered: end * self.bucket].reshape(-1, self.bucket)
                np.fmin.reduce(block, axis=1, out=self._low[self.full:end])
                np.fmax.reduce(block, axis=1, out=self._high[self.full:end])
                self.full = end
            if self.full < 2 * OUTLINE_BUCKETS:
                return
            half = OUTLINE_BUCKETS
            self._low[:half] = np.fmin(self._low[0::2], self._low[1::2])
            self._high[:half] = np.fmax(self._high[0::2], self._high[1::2])
            self.full, self.bucket = half, 2 * self.bucket

    def points(self, losses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) to draw for ``losses`` (shape (n,), what ``extend`` took in), each
        shape (k,): per bucket its lowest then its highest loss at the bucket's middle
        epoch, then the same for the epochs after the last complete bucket."""
        full, bucket = self.full, self.bucket
        if bucket == 1:
            return np.arange(1.0, losses.size + 1.0), np.array(losses, dtype=float)
        middles = np.arange(full) * bucket + (bucket + 1) / 2.0
        x, y = np.repeat(middles, 2), np.empty(2 * full)
        y[0::2], y[1::2] = self._low[:full], self._high[:full]
        rest = losses[self.covered:]
        if rest.size:
            middle = self.covered + (rest.size + 1) / 2.0
            x = np.append(x, [middle, middle])
            y = np.append(y, [np.fmin.reduce(rest), np.fmax.reduce(rest)])
        return x, y


class History:
    """Loss per completed epoch, checkpoints, and where training diverged.

    Parameters
    ----------
    origin : TrainingState
        The state training starts from (kept as the first checkpoint).
    batches_per_epoch : int
    interval : int
        Initial spacing of checkpoints, in epochs (a power of two).
    room : int
        Epochs whose losses fit before the store must grow (the run ahead's
        length). Growing copies every loss kept, in one piece of work that
        lengthens with the history (12 ms at a million epochs, in one tick of
        Run); with room made at the start, a run that stays within it never
        copies. The room costs address space only until losses fill it: its
        pages are touched as they are written.
    """

    def __init__(self, origin: TrainingState, batches_per_epoch: int, interval: int,
                 room: int = 0):
        self.batches_per_epoch = batches_per_epoch
        self.interval = interval
        self._losses = np.empty(max(1024, room))
        self._count = 0
        self._lent = 0  # losses[:_lent] are held by a snapshot: never written in place
        self._outline = LossOutline()
        self._keys: list[int] = []
        self._states: dict[int, TrainingState] = {}
        self.floor = 0
        self.divergence: Divergence | None = None
        self._max_checkpoints = max(16, min(MAX_CHECKPOINTS,
                                            CHECKPOINT_BUDGET_BYTES // max(1, origin.nbytes())))
        self.rebase(origin)

    # -- losses -------------------------------------------------------------
    @property
    def epochs(self) -> int:
        """The furthest epoch whose loss is known."""
        return self._count

    def losses(self, upto: int | None = None) -> np.ndarray:
        """loss[e] for the epochs 1..upto (all known when None), shape (upto,); a view."""
        return self._losses[: self._count if upto is None else min(upto, self._count)]

    def losses_snapshot(self, upto: int | None = None) -> np.ndarray:
        """``losses(upto)`` as a read-only view that never changes, whatever the
        history does next: a copy of a million epochs without the copying.

        Losses are only ever added past the end, except after a step back or an
        edit; a rewrite of losses a snapshot holds moves the store to a copy
        first (``record_losses``), so the recovery copy written on another
        thread while Run trains takes no time on the GUI thread.
        """
        view = self.losses(upto).view()
        view.flags.writeable = False
        self._lent = max(self._lent, view.size)
        return view

    def record_losses(self, first_epoch: int, losses: np.ndarray) -> None:
        """Store losses of epochs first_epoch+1 ... (0-based ``first_epoch`` completed before)."""
        end = first_epoch + len(losses)
        if end > self._losses.size or first_epoch < self._lent:
            # A run past the room made for it: twice the size, or room for as many
            # again as this call stores, so that growing stays rare. Or losses a
            # snapshot holds about to be rewritten: they stay, in the old store.
            size = self._losses.size if end <= self._losses.size else \
                max(2 * self._losses.size, end + len(losses))
            grown = np.empty(size)
            grown[: self._count] = self._losses[: self._count]
            self._losses = grown
            self._lent = 0
        if first_epoch < self._outline.covered:
            self._outline.clear()  # summarised losses are rewritten: summarise again
        self._losses[first_epoch:end] = losses
        self._count = max(self._count, end)

    def curve(self) -> LossCurve:
        """Every known loss (a read-only view) and the bounded outline a plot draws.

        Costs the epochs recorded since the last call, not the history's length.
        """
        losses = self.losses()
        if self._outline.covered > losses.size:
            self._outline.clear()  # the future was forgotten
        self._outline.extend(losses)
        view = losses.view()
        view.flags.writeable = False
        return LossCurve(view, *self._outline.points(losses))

    # -- checkpoints ----------------------------------------------------------
    def wants_checkpoint(self, epoch: int) -> bool:
        """Whether the state at the start of ``epoch`` should be kept."""
        return epoch % self.interval == 0 and epoch * self.batches_per_epoch not in self._states

    def add_checkpoint(self, state: TrainingState) -> None:
        """Keep a copy of ``state`` (which must be at an epoch boundary)."""
        key = state.epoch * self.batches_per_epoch + state.batch
        if key in self._states or key < self.floor:
            return
        bisect.insort(self._keys, key)
        self._states[key] = state.copy()
        if len(self._keys) > self._max_checkpoints:
            self._thin()

    def _thin(self) -> None:
        self.interval *= 2
        step = self.interval * self.batches_per_epoch
        keep = [k for k in self._keys if k == self.floor or k % step == 0]
        for key in set(self._keys) - set(keep):
            del self._states[key]
        self._keys = keep

    def nearest(self, iteration: int) -> TrainingState:
        """A copy of the latest checkpoint at or before ``iteration``."""
        if iteration < self.floor:
            raise ValueError(f"iteration {iteration} is before the earliest one kept ({self.floor})")
        index = bisect.bisect_right(self._keys, iteration) - 1
        return self._states[self._keys[index]].copy()

    def rebase(self, state: TrainingState) -> None:
        """Start a new timeline at ``state``: forget checkpoints, the future and
        everything before (after an edit the past cannot be replayed)."""
        key = state.epoch * self.batches_per_epoch + state.batch
        self._keys = [key]
        self._states = {key: state.copy()}
        self.floor = key
        self._count = min(self._count, state.epoch)
        if self.divergence is not None and self.divergence.epoch > state.epoch:
            self.divergence = None

    def truncate_future(self, epoch: int) -> None:
        """Forget losses after ``epoch`` (checkpoints stay: they remain true)."""
        self._count = min(self._count, epoch)

    def nbytes(self) -> int:
        """Memory held by losses and checkpoints (the outline's 64 kB aside)."""
        return self._losses.nbytes + sum(s.nbytes() for s in self._states.values())

    @property
    def checkpoint_count(self) -> int:
        return len(self._keys)


def instability(losses: np.ndarray) -> str | None:
    """Why a finite run looks unstable, or None.

    Unstable means the latest loss is above the first, or the loss has risen
    for ``UNSTABLE_RISING_EPOCHS`` epochs in a row (DESIGN.md section 2).

    Parameters
    ----------
    losses : ndarray, shape (epochs,)
    """
    symptom = unstable_symptom(losses)
    return None if symptom is None else f"{symptom} — the learning rate may be too high"


def unstable_symptom(losses: np.ndarray) -> str | None:
    """What ``instability`` sees, without its remedy (``engine.diagnosis`` names the cause).

    Parameters
    ----------
    losses : ndarray, shape (epochs,)
    """
    if losses.size < 2:
        return None
    if losses[-1] > losses[0]:
        return (f"the loss ({shown_briefly(losses[-1])}) is higher than at the start "
                f"({shown_briefly(losses[0])})")
    tail = losses[-(UNSTABLE_RISING_EPOCHS + 1):]
    if tail.size == UNSTABLE_RISING_EPOCHS + 1 and np.all(np.diff(tail) > 0):
        return f"the loss has risen for {UNSTABLE_RISING_EPOCHS} epochs in a row"
    return None


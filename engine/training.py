"""Training state, batching and the fast path that runs whole epochs.

``TrainingState`` is everything that changes while a network learns; a copy
of it is a checkpoint. ``Trainer`` owns the data set, the iteration kernel
and its buffers, and moves a state forward one iteration or many epochs.
Nothing is recorded here: the stepped path (``iteration.py``) calls
``Trainer.load_batch`` and the kernel itself and keeps copies of the arrays.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .kernel import Hyperparameters, IterationKernel, Workspace, augment
from .network import Architecture, Parameters
from .value_type import value_type

__all__ = ["TrainingState", "Trainer", "EpochReport", "Divergence", "UNSTABLE_RISING_EPOCHS"]

UNSTABLE_RISING_EPOCHS = 20  # DESIGN.md: "rising for 20 epochs in a row"


class TrainingState:
    """Everything that changes while training.

    Attributes
    ----------
    params : Parameters
        Current weights and biases.
    velocity : Parameters or None
        Momentum velocities (same layout as params), None without momentum.
    rng : numpy.random.Generator
        The lesson's generator, after the initial draws. A copy's generator is
        made from the original's state when it is first used (see ``copy``).
    epoch : int
        Epochs completed.
    batch : int
        Batches completed in the current epoch.
    order : ndarray of int, shape (m,), or None
        This epoch's sample order (mini-batches only), drawn at its first batch.
    loss_sum : float
        Σ batch_size·J over the current epoch's completed batches.
    """

    __slots__ = ("params", "velocity", "epoch", "batch", "order", "loss_sum", "_rng", "_kept_rng")

    def __init__(self, params: Parameters, velocity: Parameters | None,
                 rng: np.random.Generator | None, epoch: int = 0, batch: int = 0,
                 order: np.ndarray | None = None, loss_sum: float = 0.0, *,
                 kept_rng: tuple[type, dict] | None = None):
        # ``rng`` is None only in a copy, which gives ``kept_rng`` instead: the bit
        # generator's class and state, made into its own generator when first used.
        if (rng is None) == (kept_rng is None):
            raise ValueError("a training state takes a generator or a kept generator state")
        self.params = params
        self.velocity = velocity
        self.epoch = epoch
        self.batch = batch
        self.order = order
        self.loss_sum = loss_sum
        self._rng = rng
        self._kept_rng = kept_rng

    @property
    def rng(self) -> np.random.Generator:
        if self._rng is None:
            kind, state = self._kept_rng
            # Seeded with 0 only to skip drawing fresh entropy from the system;
            # the state is replaced at once.
            bits = kind(0)
            bits.state = state
            self._rng, self._kept_rng = np.random.Generator(bits), None
        return self._rng

    def copy(self) -> TrainingState:
        """An independent copy, for checkpoints and step back.

        The copy keeps the generator's state and makes its own generator from it
        when first used. Making a generator costs more than copying the weights
        of a small network, and most copies never draw: a full-batch epoch draws
        nothing, and a checkpoint is only trained from after a jump.
        """
        if self._rng is None:
            # A state dict is never changed in place (a generator reads it when made): shared.
            kept = self._kept_rng
        else:
            bits = self._rng.bit_generator
            kept = (type(bits), bits.state)
        return TrainingState(self.params.copy(),
                             None if self.velocity is None else self.velocity.copy(),
                             None, self.epoch, self.batch,
                             None if self.order is None else self.order.copy(), self.loss_sum,
                             kept_rng=kept)

    def nbytes(self) -> int:
        """Approximate memory held by a copy of this state."""
        total = self.params.flat.nbytes + 512  # the generator's state is a small dict
        if self.velocity is not None:
            total += self.velocity.flat.nbytes
        if self.order is not None:
            total += self.order.nbytes
        return total


@value_type
class Divergence:
    """Why and when training diverged.

    ``epoch`` counts from 1; ``what`` is ``"loss"`` or ``"weight"``;
    ``value`` is ``"inf"`` or ``"nan"``.
    """

    epoch: int
    what: str
    value: str

    def message(self) -> str:
        """The one line the command line prints (DESIGN.md section 5)."""
        return f"{self.symptom()} — lower the learning rate"

    def symptom(self) -> str:
        """``diverged at epoch 12: the loss is inf``: what happened, without a remedy."""
        subject = "the loss" if self.what == "loss" else "a weight"
        return f"diverged at epoch {self.epoch}: {subject} is {self.value}"


@dataclass
class EpochReport:
    """What a run of whole epochs produced.

    Attributes
    ----------
    losses : ndarray, shape (epochs_run,)
        loss[e] of each epoch run (before that epoch's update).
    diverged : Divergence or None
    reached_tolerance : bool
    """

    losses: np.ndarray
    diverged: Divergence | None = None
    reached_tolerance: bool = False


class Trainer:
    """Moves a TrainingState forward on one data set.

    Parameters
    ----------
    architecture : Architecture
    hyper : Hyperparameters
    X : ndarray, shape (m, n0)
    y : ndarray, shape (m, nL)
    batch_size : int or None
        None (or ≥ m) for full batch.
    """

    def __init__(self, architecture: Architecture, hyper: Hyperparameters,
                 X: np.ndarray, y: np.ndarray, batch_size: int | None = None):
        self.architecture = architecture
        self.hyper = hyper
        self.kernel = IterationKernel(architecture, hyper)
        self.set_data(X, y)
        m = X.shape[0]
        self.batch_size = m if batch_size is None or batch_size >= m else int(batch_size)
        self.batches_per_epoch = -(-m // self.batch_size)
        self._workspaces: dict[int, Workspace] = {}

    def set_data(self, X: np.ndarray, y: np.ndarray) -> None:
        """Replace the data set (same shapes), e.g. after a cell is edited."""
        self.X = np.ascontiguousarray(X, dtype=float)
        self.y = np.ascontiguousarray(y, dtype=float)
        self.X_augmented = augment(self.X, self.architecture.bias)
        self._workspaces = {}

    @property
    def samples(self) -> int:
        return self.X.shape[0]

    @property
    def full_batch(self) -> bool:
        return self.batch_size == self.samples

    def workspace(self, size: int) -> Workspace:
        """The buffers for a batch of ``size`` samples (made once, then reused)."""
        ws = self._workspaces.get(size)
        if ws is None:
            ws = Workspace(self.architecture, size)
            if size == self.samples and self.full_batch:
                ws.inputs[0] = self.X_augmented  # full batch: read X in place, never copy
            self._workspaces[size] = ws
        return ws

    def batch_rows(self, state: TrainingState) -> np.ndarray | None:
        """The sample indices of the state's next batch (None: all, in order).

        Draws the epoch's permutation from the state's generator at its first
        batch, as DESIGN.md fixes.
        """
        if self.full_batch:
            return None
        if state.batch == 0:
            state.order = state.rng.permutation(self.samples)
        start = state.batch * self.batch_size
        return state.order[start:start + self.batch_size]

    def load_batch(self, state: TrainingState) -> tuple[Workspace, np.ndarray, np.ndarray | None]:
        """Put the next batch into its workspace; return (workspace, y batch, rows)."""
        rows = self.batch_rows(state)
        if rows is None:
            return self.workspace(self.samples), self.y, None
        ws = self.workspace(rows.size)
        np.take(self.X_augmented, rows, axis=0, out=ws.inputs[0])
        return ws, self.y[rows], rows

    def finish_iteration(self, state: TrainingState, batch_samples: int,
                         batch_loss: float) -> float | None:
        """Count a finished iteration; return the epoch's loss if it completed one."""
        state.loss_sum += batch_samples * batch_loss
        state.batch += 1
        if state.batch < self.batches_per_epoch:
            return None
        epoch_loss = state.loss_sum / self.samples if not self.full_batch else batch_loss
        state.epoch += 1
        state.batch = 0
        state.order = None
        state.loss_sum = 0.0
        return epoch_loss

    def iteration(self, state: TrainingState) -> tuple[float, float | None]:
        """Run one iteration on the fast path; return (batch loss, epoch loss or None)."""
        ws, y, _ = self.load_batch(state)
        batch_loss = self.kernel.iterate(ws, state.params, state.velocity, y)
        return batch_loss, self.finish_iteration(state, ws.batch_size, batch_loss)

    def run_epochs(self, state: TrainingState, epochs: int,
                   tolerance: float | None = None) -> EpochReport:
        """Train ``epochs`` whole epochs from an epoch boundary, recording nothing.

        Stops early after the first epoch whose loss is below ``tolerance``,
        or when the loss or a weight becomes inf or NaN.

        Parameters
        ----------
        state : TrainingState
            Changed in place; must be at an epoch boundary (batch 0).
        epochs : int
        tolerance : float or None
        """
        if state.batch != 0:
            raise ValueError("run_epochs starts at an epoch boundary; finish the epoch first")
        losses = np.empty(epochs)
        with np.errstate(all="ignore"):  # a diverging run may overflow; it is detected below
            if self.full_batch:
                run, diverged, reached = self._full_batch_epochs(state, losses, tolerance)
            else:
                run, diverged, reached = self._mini_batch_epochs(state, losses, tolerance)
        return EpochReport(losses[:run], diverged, reached)

    def _full_batch_epochs(self, state: TrainingState, losses: np.ndarray,
                           tolerance: float | None) -> tuple[int, Divergence | None, bool]:
        """The fast path of ``run_epochs``: one iteration per epoch, all of X at once.

        Parameters
        ----------
        state : TrainingState
            Changed in place; its epoch advances by the epochs run.
        losses : ndarray, shape (epochs,)
            Filled with each epoch's loss, as far as the run goes.
        tolerance : float or None

        Returns
        -------
        (epochs run, Divergence or None, whether the tolerance was reached)
        """
        params = state.params.flat
        diverged, reached = None, False
        run = 0
        # Everything an epoch needs is bound here, once: the loop is
        # only the iteration's NumPy calls and the divergence check.
        bound = self.kernel.bind(self.workspace(self.samples), state.params)
        forward, loss_of, backward, update = (bound.forward, bound.loss, bound.backward,
                                              bound.update)
        y, velocity, dot, isfinite = self.y, state.velocity, np.dot, math.isfinite
        limit = -math.inf if tolerance is None else tolerance  # -inf: never reached
        for run in range(1, len(losses) + 1):
            forward()
            loss = loss_of(y)
            backward()
            update(velocity)
            losses[run - 1] = loss
            if not isfinite(loss) or not isfinite(dot(params, params)):
                diverged = self._divergence(state.epoch + run, loss, params)
                if diverged is not None:
                    break
            if loss < limit:
                reached = True
                break
        state.epoch += run
        return run, diverged, reached

    def _mini_batch_epochs(self, state: TrainingState, losses: np.ndarray,
                           tolerance: float | None) -> tuple[int, Divergence | None, bool]:
        """``run_epochs`` in mini-batches: iterations until each epoch completes.

        Parameters and returns as ``_full_batch_epochs``.
        """
        params = state.params.flat
        diverged, reached = None, False
        run = 0
        for run in range(1, len(losses) + 1):
            epoch_loss = None
            while epoch_loss is None:
                _, epoch_loss = self.iteration(state)
            losses[run - 1] = epoch_loss
            if (not math.isfinite(epoch_loss)
                    or not math.isfinite(float(np.dot(params, params)))):
                diverged = self._divergence(state.epoch, epoch_loss, params)
                if diverged is not None:
                    break
            if tolerance is not None and epoch_loss < tolerance:
                reached = True
                break
        return run, diverged, reached

    @staticmethod
    def _divergence(epoch: int, loss: float, params: np.ndarray) -> Divergence | None:
        if not math.isfinite(loss):
            return Divergence(epoch, "loss", "nan" if math.isnan(loss) else "inf")
        if np.isfinite(params).all():
            return None  # only the sum of squares overflowed: huge but finite weights
        return Divergence(epoch, "weight", "nan" if np.isnan(params).any() else "inf")

    def full_loss(self, params: Parameters) -> float:
        """J of the whole data set on ``params`` (L2 with m = all samples)."""
        ws = Workspace(self.architecture, self.samples)
        ws.inputs[0] = self.X_augmented
        with np.errstate(all="ignore"):
            self.kernel.forward(ws, params)
            return self.kernel.loss(ws, params, self.y)

    def predict(self, params: Parameters, X: np.ndarray) -> np.ndarray:
        """The network's output a{L} for inputs X (k, n0); shape (k, nL)."""
        ws = Workspace(self.architecture, X.shape[0])
        ws.inputs[0] = augment(np.asarray(X, dtype=float), self.architecture.bias)
        with np.errstate(all="ignore"):
            self.kernel.forward(ws, params)
        return ws.output.copy()

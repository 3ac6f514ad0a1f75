"""The stepped path: one iteration computed once, every matrix kept.

``record_iteration`` runs the same kernel as the fast path on a copy of the
training state and keeps a copy of each step's matrix, so the tables can
reveal them one at a time and stepping back is only a matter of showing
fewer. The state after the update (``end``) is what the session commits
when the last step is shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .catalogue import KINDS, shown_sign, step_value
from .kernel import Workspace
from .network import Architecture
from .steps import StepSpec, iteration_steps
from .training import Trainer, TrainingState

if TYPE_CHECKING:
    from .explain import CellExplanation

__all__ = ["IterationRecord", "record_iteration"]

# The steps the next iteration continues from (new weights, velocities): their values
# live in the training state, not in the iteration's buffers.
_STATE_KINDS = frozenset(kind.continues for kind in KINDS.values() if kind.continues)


@dataclass
class IterationRecord:
    """Every matrix of one iteration.

    Attributes
    ----------
    architecture : Architecture
    loss : str
    learning_rate, l2, momentum : float
    steps : list of StepSpec
        In the order they are revealed.
    values : dict of str to ndarray
        Inputs (``X``, ``y``, ``W{l}``, ``b{l}``, ``previous_velocity_*``) and
        every step's value, all 2-D (vectors as (1, n), the loss as (1, 1)),
        in gradient form.
    rows : ndarray of int, shape (mb,)
        Which samples of the data set the batch holds, in batch order.
    start, end : TrainingState
        The state before the iteration and after its update.
    batch_loss : float
        J of this batch (the ``loss`` step).
    epoch_loss : float or None
        loss[e] when this iteration completes epoch e, else None.
    """

    architecture: Architecture
    loss: str
    learning_rate: float
    l2: float
    momentum: float
    steps: list[StepSpec]
    values: dict[str, np.ndarray]
    rows: np.ndarray
    start: TrainingState
    end: TrainingState
    batch_loss: float
    epoch_loss: float | None

    @property
    def step_names(self) -> list[str]:
        return [spec.name for spec in self.steps]

    def spec(self, name: str) -> StepSpec | None:
        """The StepSpec of a step name, or None for an input."""
        for spec in self.steps:
            if spec.name == name:
                return spec
        return None

    def kind(self, name: str) -> str:
        """The kind of a matrix: a step kind, or ``"input"``."""
        spec = self.spec(name)
        return "input" if spec is None else spec.kind

    def shown(self, name: str, presentation: str = "gradient") -> np.ndarray:
        """The matrix as the given presentation shows it (error form negates
        the backward quantities); a read-only view or a new array."""
        value = self.values[name]
        if shown_sign(self.kind(name), presentation) < 0:
            return -value
        return value

    def explain(self, name: str, row: int, column: int, presentation: str = "gradient",
                decimals: int | None = None) -> CellExplanation:
        """Precedents and the written-out formula of one cell; see ``explain_cell``."""
        # Imported at the first cell asked about: the window shows before it.
        from .explain import explain_cell
        return explain_cell(self, name, row, column, presentation, decimals)


def _read_only(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` that cannot be written through."""
    view = array.view()
    view.flags.writeable = False
    return view


def record_iteration(trainer: Trainer, state: TrainingState) -> IterationRecord:
    """Compute the state's next iteration and keep every matrix.

    ``state`` itself is not changed.
    """
    arch, hyper, kernel = trainer.architecture, trainer.hyper, trainer.kernel
    start, work = state.copy(), state.copy()
    values: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        batch, y, rows = trainer.load_batch(work)
        # The iteration runs on buffers of its own, which the record keeps: its step
        # values are views of them, not copies of the trainer's buffers (which the next
        # iteration reuses). A batch of all the rows is the trainer's X and y, which an
        # edit replaces and never changes: read in place. A mini-batch is copied out of
        # the buffer the next batch fills.
        ws = Workspace(arch, batch.batch_size, batch.inputs[0])
        X = ws.inputs[0][:, : arch.layers[0]]
        values["X"] = _read_only(X) if rows is None else X.copy()
        values["y"] = _read_only(y) if rows is None else np.array(y, dtype=float)
        for l in range(1, arch.depth + 1):
            values[f"W{l}"] = work.params.weight(l).copy()
            if arch.bias:
                values[f"b{l}"] = work.params.bias(l)[None, :].copy()
            if work.velocity is not None:
                values[f"previous_velocity_W{l}"] = work.velocity.weight(l).copy()
                if arch.trains_bias:
                    values[f"previous_velocity_b{l}"] = work.velocity.bias(l)[None, :].copy()
        kernel.forward(ws, work.params)
        batch_loss = kernel.loss(ws, work.params, y)
        kernel.backward(ws, work.params)
        kernel.update(ws, work.params, work.velocity)
    epoch_loss = trainer.finish_iteration(work, ws.batch_size, batch_loss)

    steps = iteration_steps(arch, hyper.loss, hyper.momentum, ws.batch_size)
    for spec in steps:
        value = step_value(spec.kind, spec.layer, ws, work, batch_loss)
        # The new weights and velocities are the state's, which the session trains on
        # once it commits it: copied, as the inputs are.
        values[spec.name] = value.copy() if spec.kind in _STATE_KINDS else value
    all_rows = np.arange(trainer.samples) if rows is None else np.array(rows)
    return IterationRecord(arch, hyper.loss, hyper.learning_rate, hyper.l2, hyper.momentum,
                           steps, values, all_rows, start, work, batch_loss, epoch_loss)

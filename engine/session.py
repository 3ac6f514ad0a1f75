"""A training session: the state a learner steps through, runs and rewinds.

``Session`` is what the window's controller and the command line talk to.
It holds the committed training state, the iteration being shown (an
``IterationRecord``) and how many of its steps are revealed, and the
``History`` that makes any earlier point reachable.

Positions: iteration t (counted from 0 over the whole run) with k of its S
steps shown. While k < S the committed weights are those before iteration t;
at k = S they are after its update. Step from (t, S) shows (t+1, 1); Step
back from (t, 1) shows (t−1, S) — every step back is the exact inverse of a
step forward and restores every array bit for bit.

Finer still, Step cell shows the next matrix one cell at a time in reading
order (row by row): the position then also holds c, the cells shown of
matrix k + 1 (0 < c < its size; its last cell completes it, as Step does).
Step reveals the rest of a partly shown matrix; Step back and Step cell back
from one hide its last cell.
"""
from __future__ import annotations

import math

import numpy as np

from . import catalogue
from .errors import LessonError
from .formula import has_sum
from .history import History
from .iteration import IterationRecord, record_iteration
from .lesson import Lesson
from .network import Parameters, initial_parameters
from .steps import StepSpec, input_names, iteration_steps
from .training import Divergence, EpochReport, Trainer, TrainingState
from .value_type import value_type

__all__ = ["Session", "Position"]


@value_type
class Position:
    """Where the learner is.

    ``epoch`` is the 1-based epoch of the iteration shown; ``step`` the
    number of its steps revealed (0..steps); ``step_name`` the last one
    revealed (None before the first). While Step cell fills the next matrix,
    ``filling`` is its name and ``cells`` of its ``cells_of`` cells are shown
    (else None, 0 and 0).
    """

    epoch: int
    batch: int
    batches: int
    iteration: int
    step: int
    steps: int
    step_name: str | None
    cells: int = 0
    cells_of: int = 0
    filling: str | None = None

    def describe(self, learner_name: str | None = None,
                 filling_name: str | None = None) -> str:
        """``epoch 12 · step 7 of 19 · d_output`` (with the batch for mini-batches), and
        ``· cell 3 of 8 of d_hiddenlayer`` while a matrix is filled cell by cell."""
        parts = [f"epoch {self.epoch}"]
        if self.batches > 1:
            parts.append(f"batch {self.batch} of {self.batches}")
        parts.append(f"step {self.step} of {self.steps}")
        if self.step_name is not None:
            parts.append(learner_name or self.step_name)
        if self.filling is not None:
            parts.append(f"cell {self.cells} of {self.cells_of} of "
                         f"{filling_name or self.filling}")
        return " · ".join(parts)


def _checkpoint_interval(lesson: Lesson) -> int:
    """Epochs between checkpoints: about 2e8 multiply-adds of recomputation at most."""
    arch = lesson.architecture
    work = 6 * len(lesson.X) * max(1, arch.size)
    interval = 1
    while interval < 256 and interval * 2 * work <= 2e8:
        interval *= 2
    return interval


class Session:
    """One lesson being trained.

    Parameters
    ----------
    lesson : Lesson
    """

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.architecture = lesson.architecture
        self._steps_of: dict[tuple, list[StepSpec]] = {}  # see ``steps``
        self.trainer = Trainer(lesson.architecture, lesson.hyper, lesson.X, lesson.y,
                               lesson.batch_size)
        self.reset()
        if lesson.session is not None:
            self._restore(lesson.session)

    # -- construction --------------------------------------------------------
    def initial_state(self) -> TrainingState:
        """The state before any training: drawn from the seed, or the lesson's values."""
        lesson, arch = self.lesson, self.architecture
        rng = np.random.default_rng(lesson.seed)
        if lesson.weights is None or (arch.bias and lesson.biases is None):
            params = _initial_with_overrides(lesson, rng)
        else:
            params = Parameters(arch)
            for l in range(1, arch.depth + 1):
                params.weight(l)[...] = lesson.weights[l - 1]
                if arch.bias:
                    params.bias(l)[...] = lesson.biases[l - 1]
        velocity = Parameters(arch) if lesson.momentum else None
        return TrainingState(params, velocity, rng)

    def reset(self) -> None:
        """Back to the lesson's initial weights and seed; history forgotten."""
        self.state = self.initial_state()
        self.record = None
        self.cursor = 0
        self.history = History(self.state, self.trainer.batches_per_epoch,
                               _checkpoint_interval(self.lesson), room=self.lesson.epochs)
        self.reached_tolerance = False

    def _restore(self, saved) -> None:
        """Reopen a saved session exactly where it was (see ``session_file``)."""
        start = saved.state.copy()
        self.state = start
        # Room for the saved epochs and a run of the lesson's length after them.
        self.history = History(start, self.trainer.batches_per_epoch,
                               _checkpoint_interval(self.lesson),
                               room=len(saved.loss_history) + self.lesson.epochs)
        self.history.record_losses(0, saved.loss_history)
        if saved.step is None:
            return
        self.record = record_iteration(self.trainer, start)
        self.cursor = self.record.step_names.index(saved.step) + 1
        if self.cursor == len(self.record.steps):
            self._commit()

    # -- where we are ----------------------------------------------------------
    @property
    def record(self) -> IterationRecord | None:
        """The iteration shown, every matrix kept; None when none is shown.

        After ``run(..., record_last=False)`` the last epoch's iteration is
        recorded here, the first time it is asked for, from the state kept
        before it: the same kernel on the same buffers, so its end is the
        committed state bit for bit.
        """
        if self._unrecorded is not None:
            start, committed = self._unrecorded
            self._unrecorded = None
            if committed is self.state:  # nothing has moved since the run
                self._record = record_iteration(self.trainer, start)
        return self._record

    @record.setter
    def record(self, record: IterationRecord | None) -> None:
        self._record = record
        # (the state before an unrecorded last epoch, the state it led to)
        self._unrecorded: tuple[TrainingState, TrainingState] | None = None
        # Cells shown of the step after the cursor (Step cell); another iteration
        # shown starts with none.
        self._cells = 0

    @property
    def batches_per_epoch(self) -> int:
        return self.trainer.batches_per_epoch

    def _iteration_of(self, state: TrainingState) -> int:
        return state.epoch * self.batches_per_epoch + state.batch

    @property
    def iteration(self) -> int:
        """Index of the iteration shown (or about to start)."""
        if self.record is not None:
            return self._iteration_of(self.record.start)
        return self._iteration_of(self.state)

    @property
    def steps(self) -> list[StepSpec]:
        """The steps of the iteration shown (or the next one)."""
        if self.record is not None:
            return self.record.steps
        batch = self.trainer.batch_size
        if not self.trainer.full_batch:
            last = self.trainer.samples - (self.batches_per_epoch - 1) * batch
            batch = last if self.state.batch == self.batches_per_epoch - 1 else batch
        # Asked on every tick of Run (and every frame): building the list costs more
        # than the tick's bookkeeping otherwise, so each shape is built once.
        key = (self.architecture, self.lesson.loss, self.lesson.momentum, batch)
        steps = self._steps_of.get(key)
        if steps is None:
            steps = self._steps_of[key] = iteration_steps(*key)
        return list(steps)

    @property
    def position(self) -> Position:
        iteration = self.iteration
        steps = self.steps
        name = steps[self.cursor - 1].name if self.cursor else None
        b = self.batches_per_epoch
        filling, cells_of = None, 0
        if self._cells:
            filling = steps[self.cursor].name
            cells_of = steps[self.cursor].shape[0] * steps[self.cursor].shape[1]
        return Position(iteration // b + 1, iteration % b + 1, b, iteration, self.cursor,
                        len(steps), name, self._cells, cells_of, filling)

    @property
    def epochs_done(self) -> int:
        """Epochs whose update has been committed."""
        return self.state.epoch

    @property
    def at_start(self) -> bool:
        return self.cursor == 0 and self.iteration == 0 and not self._cells

    @property
    def diverged(self) -> Divergence | None:
        """Where training diverged, if the committed state is at or past it."""
        divergence = self.history.divergence
        if divergence is not None and self.state.epoch >= divergence.epoch:
            return divergence
        return None

    @property
    def loss_history(self) -> np.ndarray:
        """loss[e] for the committed epochs 1..epochs_done, shape (epochs_done,)."""
        return self.history.losses(self.state.epoch)

    @property
    def params(self) -> Parameters:
        """The committed weights and biases (do not modify: use set_value)."""
        return self.state.params

    def revealed(self, name: str) -> bool:
        """Whether matrix ``name`` is shown at the current position."""
        if self.record is None:
            return name in self._input_names()
        if name in self.record.values and self.record.spec(name) is None:
            return True
        names = self.record.step_names
        return name in names and names.index(name) < self.cursor

    def partial(self, presentation: str = "gradient") -> tuple[str, np.ndarray, int] | None:
        """The matrix Step cell is filling, or None when no matrix is partly shown.

        Returns its name, a copy of it as ``presentation`` shows it (2-D) with
        the cells not yet shown set to NaN, and how many cells are shown (the
        first ones in reading order).
        """
        if not self._cells:
            return None
        name = self.record.steps[self.cursor].name
        # a fresh row-major copy (the kernel's buffers may be column-major), so
        # its flat view runs in reading order
        shown = np.array(self.record.shown(name, presentation), dtype=float, order="C")
        shown.reshape(-1)[self._cells:] = np.nan
        return name, shown, self._cells

    def cell_shown(self, name: str, row: int, column: int) -> bool:
        """Whether cell (row, column) of matrix ``name`` is shown now (whole or partly)."""
        if self.revealed(name):
            return True
        if not self._cells or name != self.record.steps[self.cursor].name:
            return False
        columns = self.record.steps[self.cursor].shape[1]
        return 0 <= column < columns and 0 <= row * columns + column < self._cells

    def _input_names(self) -> list[str]:
        return input_names(self.architecture, self.lesson.momentum)

    def value(self, name: str, presentation: str = "gradient") -> np.ndarray | None:
        """The matrix ``name`` as shown now (2-D), or None if not yet computed."""
        if self.record is None:
            inputs = self._inputs_of(self.state)
            return inputs.get(name)
        if not self.revealed(name):
            return None
        return self.record.shown(name, presentation)

    def _inputs_of(self, state: TrainingState) -> dict[str, np.ndarray]:
        arch = self.architecture
        values = {}
        rows = self._next_rows(state)
        values["X"] = self.trainer.X if rows is None else self.trainer.X[rows]
        values["y"] = self.trainer.y if rows is None else self.trainer.y[rows]
        for l in range(1, arch.depth + 1):
            values[f"W{l}"] = state.params.weight(l)
            if arch.bias:
                values[f"b{l}"] = state.params.bias(l)[None, :]
            if state.velocity is not None:
                values[f"previous_velocity_W{l}"] = state.velocity.weight(l)
                if arch.trains_bias:
                    values[f"previous_velocity_b{l}"] = state.velocity.bias(l)[None, :]
        return values

    def _next_rows(self, state: TrainingState) -> np.ndarray | None:
        """Rows of the next batch without drawing from the state's generator."""
        if self.trainer.full_batch:
            return None
        probe = state.copy()
        return self.trainer.batch_rows(probe)

    def batch_rows(self) -> np.ndarray:
        """Which samples the shown iteration's batch holds, shape (mb,)."""
        if self.record is not None:
            return self.record.rows
        rows = self._next_rows(self.state)
        return np.arange(self.trainer.samples) if rows is None else rows

    def explain(self, name: str, row: int, column: int, presentation: str = "gradient",
                decimals: int | None = None):
        """Precedents and substituted formula of a shown cell (see ``explain_cell``)."""
        record = self.record if self.record is not None else self._peek_record()
        return record.explain(name, row, column, presentation, decimals)

    def is_sum(self, name: str, presentation: str = "gradient") -> bool:
        """Whether matrix ``name``'s cells are sums a learner can expand term by term."""
        for spec in self.steps:
            if spec.name == name:
                lesson = self.lesson
                return has_sum(catalogue.formula_tree(
                    spec.kind, spec.layer, self.architecture, lesson.loss, presentation,
                    bool(lesson.l2), bool(lesson.momentum)))
        return False  # an input

    def expand_sum(self, name: str, row: int, column: int, presentation: str = "gradient",
                   decimals: int | None = None):
        """A shown cell's running total term by term, or None when it is not a sum
        (see ``expand_cell_sum``)."""
        from .explain import expand_cell_sum  # on the first "Expand the sum"
        record = self.record if self.record is not None else self._peek_record()
        return expand_cell_sum(record, name, row, column, presentation, decimals)

    def _peek_record(self) -> IterationRecord:
        return record_iteration(self.trainer, self.state)

    def upcoming(self) -> tuple[StepSpec, IterationRecord]:
        """The step the next ``step()`` reveals and the iteration it belongs to, computed
        but not shown (exercise mode asks one of its cells first); nothing moves."""
        if self.record is None or self.cursor == len(self.record.steps):
            record = self._peek_record()
            return record.steps[0], record
        return self.record.steps[self.cursor], self.record

    # -- moving ---------------------------------------------------------------
    def step(self) -> StepSpec:
        """Reveal the next step (starting the next iteration after the last)."""
        if self.record is None or self.cursor == len(self.record.steps):
            self.record = record_iteration(self.trainer, self.state)
            self.cursor = 0
        self._cells = 0  # a partly shown matrix is revealed whole
        self.cursor += 1
        if self.cursor == len(self.record.steps):
            self._commit()
        return self.record.steps[self.cursor - 1]

    def step_cell(self) -> tuple[str, int, int]:
        """Show the next cell of the next matrix (reading order: row by row).

        The matrix's last cell completes it, exactly as ``step()`` would; a
        new iteration starts after the last step as ``step()`` starts it.
        Returns the address (name, row, column) of the cell now shown.
        """
        if self.record is None or self.cursor == len(self.record.steps):
            self.record = record_iteration(self.trainer, self.state)
            self.cursor = 0
        spec = self.record.steps[self.cursor]
        columns = spec.shape[1]
        index = self._cells
        if index + 1 == spec.shape[0] * columns:
            self.step()
        else:
            self._cells = index + 1
        return spec.name, index // columns, index % columns

    def step_cell_back(self) -> bool:
        """Hide the last cell shown (of a partly shown matrix, else of the last
        matrix revealed); False when already at the very start.

        The exact inverse of ``step_cell``: hiding the first cell of an
        iteration shows the iteration before it whole, as ``step_back`` does.
        """
        if self._cells > 1 or (self._cells == 1 and self.cursor > 0):
            self._cells -= 1
            return True
        if self._cells == 1:  # the first cell of the iteration: back to the one before
            self._cells = 0
            if self.iteration > self.history.floor:
                self._show_iteration(self.iteration - 1)
            return True
        if self.record is None or self.cursor == 0:
            if self.iteration <= self.history.floor:
                return False
            self._show_iteration(self.iteration - 1)
        if self.cursor == len(self.record.steps):
            self.state = self.record.start.copy()  # its update is no longer made
        self.cursor -= 1
        rows, columns = self.record.steps[self.cursor].shape
        self._cells = rows * columns - 1
        if not self._cells and self.cursor == 0 and self.iteration > self.history.floor:
            self._show_iteration(self.iteration - 1)  # a one-cell first matrix: as step_back
        return True

    def step_back(self) -> bool:
        """Hide the last revealed step; False when already at the very start."""
        if self._cells:  # a partly shown matrix: hide its last cell
            return self.step_cell_back()
        # After an edit the history starts at the edited iteration (its floor):
        # nothing before it can be replayed.
        if self.record is None or self.cursor == 0:
            if self.iteration <= self.history.floor:
                return False
            self._show_iteration(self.iteration - 1)
            return True
        if self.cursor == len(self.record.steps):
            self.state = self.record.start.copy()
        if self.cursor == 1 and self.iteration > self.history.floor:
            self._show_iteration(self.iteration - 1)
        else:
            self.cursor -= 1
        return True

    def step_epoch(self) -> EpochReport:
        """Reveal steps until an epoch is complete (Step one epoch).

        Mid-epoch this finishes the current epoch; at the end of an epoch it
        steps through the whole next one.
        """
        while True:
            self.step()
            if self.cursor == len(self.record.steps) and self.record.epoch_loss is not None:
                break
        return EpochReport(np.array([self.record.epoch_loss]), self.diverged,
                           self.reached_tolerance)

    def run(self, epochs: int, tolerance: float | None = None,
            record_last: bool = True) -> EpochReport:
        """Train up to ``epochs`` more epochs; the last one is shown step by step.

        The current iteration is finished first (as if stepped), then the
        current epoch, then whole epochs on the fast path. Stops early at the
        tolerance or on divergence. With ``record_last=False`` a full-batch
        last epoch runs on the fast path too and ``record`` records it only
        when first asked for (Run in the window asks once a frame, not every
        tick).
        """
        tolerance = self.lesson.tolerance if tolerance is None else tolerance
        losses: list[float] = []
        # Finish the iteration and the epoch in progress. (``_record``: an iteration
        # left unrecorded by the last run is complete, and stays unrecorded.)
        if self._record is not None and (0 < self.cursor or self._cells) \
                and self.cursor < len(self._record.steps):
            self.cursor = len(self.record.steps) - 1
            self.step()
            if self.record.epoch_loss is not None:
                losses.append(self.record.epoch_loss)
        while self.state.batch != 0 and not self._stopped():
            self._run_one_iteration_recorded()
            if self.record.epoch_loss is not None:
                losses.append(self.record.epoch_loss)
        remaining = epochs - len(losses)
        if remaining > 1 and not self._stopped():
            report = self._fast(remaining - 1, tolerance)
            losses.extend(report.losses.tolist())
            remaining -= len(report.losses)
            if report.diverged is not None or report.reached_tolerance:
                remaining = 0
        if remaining >= 1 and not self._stopped() and not record_last and self.trainer.full_batch:
            start = self.state.copy()
            report = self._fast(1, tolerance)
            losses.extend(report.losses.tolist())
            self.cursor = len(self.steps)  # every step of the iteration is shown
            self._unrecorded = (start, self.state)
        elif remaining >= 1 and not self._stopped():
            while True:
                self._run_one_iteration_recorded()
                if self.record.epoch_loss is not None:
                    losses.append(self.record.epoch_loss)
                    break
                if self._stopped():
                    break
        return EpochReport(np.array(losses, dtype=float), self.diverged, self.reached_tolerance)

    def _stopped(self) -> bool:
        return self.diverged is not None or self.reached_tolerance

    def _run_one_iteration_recorded(self) -> None:
        self.record = record_iteration(self.trainer, self.state)
        self.cursor = len(self.record.steps)
        self._commit()

    def _fast(self, epochs: int, tolerance: float | None) -> EpochReport:
        """Whole epochs on the fast path, checkpointing as History asks."""
        self.record, self.cursor = None, 0
        done = []
        diverged, reached = None, False
        while epochs > 0:
            interval = self.history.interval
            chunk = min(epochs, interval - self.state.epoch % interval)
            start = self.state.epoch
            report = self.trainer.run_epochs(self.state, chunk, tolerance)
            self.history.record_losses(start, report.losses)
            done.append(report.losses)
            epochs -= len(report.losses)
            if report.diverged is not None:
                diverged = report.diverged
                self.history.divergence = diverged
                break
            if self.history.wants_checkpoint(self.state.epoch):
                self.history.add_checkpoint(self.state)
            if report.reached_tolerance:
                reached = True
                self.reached_tolerance = True
                break
        losses = np.concatenate(done) if done else np.empty(0)
        return EpochReport(losses, diverged, reached)

    def _commit(self) -> None:
        """The last step of the shown iteration is revealed: its update takes effect."""
        record = self.record
        self.state = record.end.copy()
        if record.epoch_loss is None:
            return
        epoch = self.state.epoch
        self.history.record_losses(epoch - 1, np.array([record.epoch_loss]))
        if self.history.wants_checkpoint(epoch):
            self.history.add_checkpoint(self.state)
        loss = record.epoch_loss
        if not math.isfinite(loss):
            self.history.divergence = Divergence(epoch, "loss", "nan" if math.isnan(loss) else "inf")
        elif not np.isfinite(self.state.params.flat).all():
            params = self.state.params.flat
            self.history.divergence = Divergence(epoch, "weight",
                                                 "nan" if np.isnan(params).any() else "inf")
        tolerance = self.lesson.tolerance
        if tolerance is not None and loss < tolerance:
            self.reached_tolerance = True

    def _state_at(self, iteration: int) -> TrainingState:
        """The state before iteration ``iteration``, recomputed from a checkpoint."""
        state = self.history.nearest(iteration)
        with np.errstate(all="ignore"):
            while self._iteration_of(state) < iteration:
                self.trainer.iteration(state)
        return state

    def _show_iteration(self, iteration: int) -> None:
        """Show iteration ``iteration`` with all its steps (its update committed)."""
        start = self._state_at(iteration)
        self.record = record_iteration(self.trainer, start)
        self.cursor = len(self.record.steps)
        self.state = self.record.end.copy()

    def jump_to_epoch(self, epoch: int) -> None:
        """Show the end of epoch ``epoch`` (0: the very start), recomputed exactly.

        Any epoch from the earliest kept to the furthest reached can be shown.
        """
        furthest = max(self.history.epochs, self.state.epoch)
        floor_epoch = -(-self.history.floor // self.batches_per_epoch)
        if not floor_epoch <= epoch <= furthest:
            raise LessonError(f"epoch {epoch} is not available; choose {floor_epoch} to {furthest}")
        self.reached_tolerance = False
        if epoch == floor_epoch:
            self.state = self._state_at(self.history.floor)
            self.record, self.cursor = None, 0
            return
        self._show_iteration(epoch * self.batches_per_epoch - 1)

    # -- editing --------------------------------------------------------------
    def set_value(self, name: str, row: int, column: int, value: float) -> None:
        """Change one input cell (X, y, W{l} or b{l}) of the iteration shown.

        The iteration is recomputed from its inputs, like a spreadsheet, and
        keeps its position; earlier epochs can no longer be replayed (the
        history restarts here).

        Raises
        ------
        LessonError
            For a matrix that cannot be edited, a cell outside it, or a value
            that is not a finite number.
        """
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise LessonError(f"{name}[{row},{column}]: expected a finite number, got {value!r}")
        self.set_block(name, row, column, np.array([[float(value)]]))

    def set_block(self, name: str, row: int, column: int, block: np.ndarray) -> None:
        """Change a block of an input matrix at once: one edit, one recompute.

        ``block`` (shape (h, w), finite floats) replaces the cells
        [row:row+h, column:column+w] of matrix ``name`` as the iteration shown
        has it (for X and y: the rows of its batch). Like ``set_value``, the
        iteration is recomputed once and the history restarts here — a pasted
        block of 1797×64 numbers costs what one cell costs.

        Raises
        ------
        LessonError
            For a matrix that cannot be edited, a block that does not fit, or
            a value that is not a finite number (nothing is changed).
        """
        block = np.asarray(block, dtype=float)
        if block.ndim != 2 or block.size == 0:
            raise LessonError(f"{name}: expected a block of rows of numbers to set")
        if not np.isfinite(block).all():
            r, c = np.argwhere(~np.isfinite(block))[0]
            raise LessonError(f"{name}[{row + r},{column + c}]: expected a finite number, "
                              f"got {block[r, c]!r}")
        arch = self.architecture
        editable = {"X", "y"} | {f"W{l}" for l in range(1, arch.depth + 1)}
        if arch.bias:
            editable |= {f"b{l}" for l in range(1, arch.depth + 1)}
        if name not in editable:
            raise LessonError(f"{name} is computed by the iteration; only X, y, the weights "
                              f"and the biases can be edited")
        height, width = block.shape
        start = self.record.start if self.record is not None else self.state
        if name in ("X", "y"):
            rows = self.batch_rows()
            matrix = self.trainer.X if name == "X" else self.trainer.y
            if not (0 <= row and row + height <= len(rows)
                    and 0 <= column and column + width <= matrix.shape[1]):
                raise LessonError(_outside(name, (len(rows), matrix.shape[1]), row, column, block))
            X, y = self.trainer.X.copy(), self.trainer.y.copy()
            (X if name == "X" else y)[rows[row:row + height], column:column + width] = block
            self.trainer.set_data(X, y)
            self.lesson.X, self.lesson.y, self.lesson.data_spec = X, y, {}
            self.lesson.dataset = None          # the data is no longer what the file gave
        else:
            matrix = catalogue.identify(name, arch.depth)
            layer = matrix.layer
            target = (start.params.weight(layer) if matrix.kind == "W"
                      else start.params.bias(layer)[None, :])
            if not (0 <= row and row + height <= target.shape[0]
                    and 0 <= column and column + width <= target.shape[1]):
                raise LessonError(_outside(name, target.shape, row, column, block))
            target[row:row + height, column:column + width] = block
        self.history.rebase(start)
        self.reached_tolerance = False
        if self.record is None:
            self.state = start
            return
        cursor, cells = self.cursor, self._cells
        self.record = record_iteration(self.trainer, start)
        self.cursor, self._cells = cursor, cells
        self.state = self.record.end.copy() if cursor == len(self.record.steps) else start.copy()

    # -- saving ---------------------------------------------------------------
    def sound_state(self, state: TrainingState) -> TrainingState:
        """``state`` when all its numbers are finite, else the last sound epoch before it.

        A diverged run's weights are inf or NaN, which no lesson file can
        hold. What can be saved is the latest epoch end before ``state``
        (recomputed exactly from a checkpoint) whose weights, biases and
        velocities are all finite; the history's floor (where it starts
        after an edit) is tried last, and the lesson's initial state when
        even that is not finite.
        """
        if _finite(state):
            return state
        batches = self.batches_per_epoch
        last = state.epoch if state.batch else state.epoch - 1
        if self.history.divergence is not None:
            # The epoch whose update diverged started from the last sound weights.
            last = min(last, self.history.divergence.epoch - 1)
        floor_epoch = -(-self.history.floor // batches)
        for epoch in range(last, floor_epoch - 1, -1):
            candidate = self._state_at(epoch * batches)
            if _finite(candidate):
                return candidate
        candidate = self._state_at(self.history.floor)
        return candidate if _finite(candidate) else self.initial_state()


def _finite(state: TrainingState) -> bool:
    """Whether every weight, bias and velocity of ``state`` is a finite number."""
    return (bool(np.isfinite(state.params.flat).all())
            and (state.velocity is None or bool(np.isfinite(state.velocity.flat).all()))
            and math.isfinite(state.loss_sum))


def _outside(name: str, shape: tuple[int, int], row: int, column: int, block: np.ndarray) -> str:
    """Why a block does not fit: a single cell as before, else the block's size and room."""
    if block.shape == (1, 1):
        return f"{name} has shape {tuple(shape)}; there is no cell [{row},{column}]"
    return (f"{name} has shape {tuple(shape)}; a {block.shape[0]}×{block.shape[1]} block "
            f"does not fit from cell [{row},{column}]")


def _initial_with_overrides(lesson: Lesson, rng: np.random.Generator) -> Parameters:
    """Draw what the lesson does not give explicitly, in DESIGN.md's order."""
    arch = lesson.architecture
    if lesson.weights is None and lesson.biases is None:
        return initial_parameters(arch, lesson.init, rng)
    drawn = initial_parameters(arch, lesson.init, rng)
    for l in range(1, arch.depth + 1):
        if lesson.weights is not None:
            drawn.weight(l)[...] = lesson.weights[l - 1]
        if lesson.biases is not None and arch.bias:
            drawn.bias(l)[...] = lesson.biases[l - 1]
    return drawn

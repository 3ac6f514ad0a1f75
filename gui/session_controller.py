"""The one controller between the window and the engine.

``SessionController`` owns the engine ``Session``. Widgets never touch the
session: user actions arrive as method calls (``step``, ``run``,
``select``, ``set_value`` ...), the controller asks the engine, and every
widget repaints from what the controller's signals carry.

Running is a ``QTimer`` whose ticks each train a time-boxed batch of
epochs (about ``TICK_BUDGET_S``); the number of epochs per tick adapts to
the measured cost, so a tiny network and the 1797-sample digits both keep
the window responsive. Repaints are coalesced to at most ``FRAME_RATE``
per second, so the tables, the diagram and the plot cost the same whatever
the training speed; when one repaint is costly (many tables on a slow
machine) the frame rate drops, down to ``MIN_FRAME_RATE``, so that
training keeps about ``TRAINING_SHARE`` of the time.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from engine.boundary import (BoundaryMap, NotAPlane, PlaneData, decision_boundary, input_plane,
                             plane_data, plane_extent)
from engine.errors import LessonError
from engine.explain import CellExplanation
from engine.lesson import Lesson
from engine.session import Position, Session
from engine import catalogue
from engine.step_notes import render_note
from engine.steps import input_names

if TYPE_CHECKING:  # the other teaching views' engine modules load when a view first asks
    from engine.chain_rule import ChainRule
    from engine.code_lines import CodeLine
    from engine.gradient_check import GradientCheck
    from engine.landscape import DescentPath, Landscape, WeightAddress
    from engine.race import Race

__all__ = ["SessionController", "MatrixInfo", "Selection", "TICK_BUDGET_S", "FRAME_RATE"]

TICK_BUDGET_S = 0.010        # training per tick: two ticks and a repaint stay under 50 ms
FRAME_RATE = 30.0            # repaints per second while running, at most
MIN_FRAME_RATE = 3.0         # ... and at least, however costly a repaint is
TRAINING_SHARE = 0.90        # while running, the share of time training should get
MAX_EPOCHS_PER_TICK = 1 << 20


@dataclass(frozen=True)
class MatrixInfo:
    """What a table shows about one matrix, apart from its numbers.

    Attributes
    ----------
    name : str
        Engine name (``X``, ``W1``, ``z1``, ``delta2`` ...), the address used
        by ``Session.value`` and ``Session.explain``.
    phase : str
        ``"inputs"`` or one of engine.steps.PHASES.
    kind : str
        ``"input"`` or the StepSpec kind (``z``, ``a``, ``delta`` ...).
    layer : int
        Layer 1..L the matrix belongs to (0 for X and y).
    learner : str
        The walk-through's name (``hidden_layer_input``) or the step name.
    symbol : str
        The symbol as the presentation writes it (``d2`` in the error form).
    formula : str
        How the matrix is computed, in symbols.
    shape : (int, int)
        Its shape for the current batch.
    per_sample : bool
        Whether rows are samples of the batch (else rows are inputs/neurons).
    editable : bool
        Whether the learner may type into it (X, y, W, b).
    part : str or None
        What it belongs to in the diagram: ``neurons``, ``weights``, ``biases``,
        or None (X, y, loss).
    """

    name: str
    phase: str
    kind: str
    layer: int
    learner: str
    symbol: str
    formula: str
    shape: tuple[int, int]
    per_sample: bool
    editable: bool
    part: str | None = None


@dataclass(frozen=True)
class Selection:
    """The selected cell and what it was computed from.

    ``explanation`` is None when the cell is not revealed at the current
    position (nothing to explain yet).
    """

    name: str
    row: int
    column: int
    explanation: CellExplanation | None


class SessionController(QObject):
    """Owns a Session; turns user actions into engine calls and signals.

    Parameters
    ----------
    lesson : Lesson
        The lesson to open.
    parent : QObject, optional

    Signals
    -------
    lessonChanged(Lesson)
        A new lesson (or new settings): widgets rebuild their structure.
    matricesChanged(list)
        The list of MatrixInfo, in walk-through order (also after a
        presentation change, which renames and re-signs matrices).
    valuesChanged(dict)
        {name: 2-D ndarray copy, or None when not revealed}, plus the batch's
        sample indices under the key ``"__rows__"``.
    positionChanged(Position, str)
        Where the learner is, and its one-line description with learner names.
    selectionChanged(object)
        A Selection, or None when nothing is selected.
    historyChanged(ndarray, int)
        Loss of every known epoch (copy) and the epoch shown (0 at the start).
    runningChanged(bool)
    diverged(str)
        Divergence message ("" when the run is no longer diverged).
    warning(str)
        Instability warning ("" when the run looks fine).
    message(str)
        A neutral status line (e.g. "reached the tolerance").
    error(str)
        An action was refused; the text says why (LessonError's message).
    presentationChanged(str)
    decimalsChanged(int)
    edited()
        An input cell was changed (the undo stack listens).
    """

    lessonChanged = Signal(object)
    matricesChanged = Signal(list)
    valuesChanged = Signal(dict)
    positionChanged = Signal(object, str)
    selectionChanged = Signal(object)
    historyChanged = Signal(object, int)
    runningChanged = Signal(bool)
    diverged = Signal(str)
    warning = Signal(str)
    message = Signal(str)
    error = Signal(str)
    presentationChanged = Signal(str)
    decimalsChanged = Signal(int)
    edited = Signal()

    def __init__(self, lesson: Lesson, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._speed = 0.0            # epochs per second; 0 means as fast as possible
        self._epochs_per_tick = 1
        self._owed = 0.0             # fractional epochs owed at a set speed
        self._last_tick = 0.0
        self._last_frame = 0.0
        self._frame_interval = 1.0 / FRAME_RATE
        self._window_start = 0.0     # the current measuring window of the training share
        self._window_training = 0.0
        self._window_frames = 0
        self._frame_cost = 0.03      # smoothed seconds of repaint per frame (a first guess)
        self._dirty = False
        self._target = 0
        self._selection: tuple[str, int, int] | None = None
        self._decimals = 3
        self.session: Session
        self._presentation = lesson.presentation
        self._open(lesson)

    # -- read-only facts -----------------------------------------------------
    @property
    def lesson(self) -> Lesson:
        return self.session.lesson

    @property
    def presentation(self) -> str:
        return self._presentation

    @property
    def decimals(self) -> int:
        return self._decimals

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def selection(self) -> tuple[str, int, int] | None:
        return self._selection

    @property
    def has_progress(self) -> bool:
        """Whether anything would be lost by starting again."""
        return not self.session.at_start or self.session.history.epochs > 0

    def learner(self, name: str) -> str:
        return catalogue.learner_name(name, self.session.architecture.depth, self._presentation)

    def note_text(self, note: str) -> str:
        """A step note with its ``{name}`` placeholders as the cards now name them."""
        return render_note(note, self.learner)

    def matrices(self) -> list[MatrixInfo]:
        """Every matrix of the iteration, inputs first, then the steps in order.

        Names, symbols, signs and formulas all come from the step catalogue.
        """
        session, arch = self.session, self.session.architecture
        lesson, depth, presentation = session.lesson, arch.depth, self._presentation
        infos = []
        for name in self._input_names():
            matrix = catalogue.identify(name, depth)
            infos.append(MatrixInfo(
                name, "inputs", "input", matrix.layer, self.learner(name), name,
                matrix.info.meaning.format(l=matrix.layer),
                session.value(name, presentation).shape, matrix.info.per_sample,
                not matrix.kind.startswith("previous_velocity"), matrix.info.part))
        m, k = session.value("y").shape
        for spec in session.steps:
            formula = catalogue.step_formula(spec.name, arch, lesson.loss, presentation,
                                             bool(lesson.l2), bool(lesson.momentum), m, k)
            infos.append(MatrixInfo(
                spec.name, spec.phase, spec.kind, spec.layer, self.learner(spec.name),
                catalogue.symbol(spec.name, depth, presentation), formula,
                tuple(spec.shape), catalogue.KINDS[spec.kind].per_sample, False,
                catalogue.KINDS[spec.kind].part))
        return infos

    def _input_names(self) -> list[str]:
        return input_names(self.session.architecture, self.session.lesson.momentum)

    def value(self, name: str) -> np.ndarray | None:
        """A copy of matrix ``name`` as shown now, or None if not revealed."""
        value = self.session.value(name, self._presentation)
        return None if value is None else np.array(value, dtype=float)

    def explain(self, name: str, row: int, column: int,
                decimals: int | None = None) -> CellExplanation | None:
        """The cell's explanation, or None when it is not revealed or not there."""
        if self.session.value(name, self._presentation) is None:
            return None
        try:
            return self.session.explain(name, row, column, self._presentation,
                                        self._decimals if decimals is None else decimals)
        except (KeyError, IndexError):
            return None

    def describe_position(self, position: Position | None = None) -> str:
        position = position or self.session.position
        name = position.step_name
        return position.describe(self.learner(name) if name else None)

    # -- lessons ---------------------------------------------------------------
    def open_lesson(self, lesson: Lesson) -> None:
        """Start over on ``lesson`` (new settings are a new lesson)."""
        self.pause()
        self._presentation = lesson.presentation
        self._open(lesson)
        self.presentationChanged.emit(self._presentation)
        self.publish_all()

    def _open(self, lesson: Lesson) -> None:
        self.session = Session(lesson)
        self._selection = None
        self._target = lesson.epochs
        # Decided once per lesson: an edited X cell drops the lesson's data
        # spec, but its columns still mean what they meant when it opened.
        try:
            self._plane, self._plane_problem = input_plane(lesson), ""
        except NotAPlane as exc:
            self._plane, self._plane_problem = None, str(exc)
        self._descent: DescentPath | None = None  # made when the landscape is first asked for

    def publish_all(self) -> None:
        """Emit everything a freshly built window needs."""
        self.lessonChanged.emit(self.session.lesson)
        self.matricesChanged.emit(self.matrices())
        self._publish(history=True)

    # -- moving ----------------------------------------------------------------
    def step(self) -> None:
        self.pause()
        self.session.step()
        self._after_move()

    def step_back(self) -> None:
        self.pause()
        if not self.session.step_back():
            self.message.emit("already at the very start")
            return
        self._after_move()

    def step_epoch(self) -> None:
        self.pause()
        self.session.step_epoch()
        self._after_move()

    def reset(self) -> None:
        """Back to the lesson's initial weights and seed."""
        self.pause()
        self.session.reset()
        self._target = self.session.lesson.epochs
        self._after_move(structure=True)

    def jump_to_epoch(self, epoch: int) -> None:
        self.pause()
        try:
            self.session.jump_to_epoch(int(epoch))
        except LessonError as exc:
            self.error.emit(str(exc))
            return
        self._after_move()

    def _after_move(self, structure: bool = False) -> None:
        # A mini-batch's last batch may be smaller: shapes follow the iteration.
        if structure or self.session.batches_per_epoch > 1:
            self.matricesChanged.emit(self.matrices())
        self._publish(history=True)
        self._report_state()

    # -- running ---------------------------------------------------------------
    def set_speed(self, epochs_per_second: float) -> None:
        """Training speed; 0 (or less) means as fast as possible."""
        self._speed = max(0.0, float(epochs_per_second))
        self._owed = 0.0
        self._timer.setInterval(0 if self._speed == 0 or self._speed > 200 else 5)

    def run(self) -> None:
        """Train until the lesson's epoch count, the tolerance or divergence."""
        if self.running:
            return
        session = self.session
        if session.diverged is not None:
            self.diverged.emit(session.diverged.message())
            return
        if session.reached_tolerance:
            self.message.emit("the loss is already below the tolerance; Reset to train again")
            return
        if session.epochs_done >= self._target:
            self._target = session.epochs_done + session.lesson.epochs
        self._owed = 0.0
        self._last_tick = self._window_start = time.perf_counter()
        self._window_training, self._window_frames = 0.0, 0
        self._last_frame = 0.0
        self._timer.start()
        self.runningChanged.emit(True)

    def pause(self) -> None:
        if not self.running:
            return
        self._timer.stop()
        self.runningChanged.emit(False)
        self._publish(history=True)
        self._report_state()

    def toggle_run(self) -> None:
        self.pause() if self.running else self.run()

    def _tick(self) -> None:
        """Repaint if a frame is due, else train one time-boxed batch of epochs."""
        session = self.session
        now = time.perf_counter()
        if self._dirty and now - self._last_frame >= self._frame_interval:
            # A frame's tick trains nothing: publishing, then the repaint it causes
            # in the same pass of the event loop, already fill a slice of it, and
            # training on top would stall the loop (the heartbeat measure sees it).
            self._last_frame = now
            self._window_frames += 1
            self._publish(history=True)
            self._adapt_frame_rate(now)
            return
        if self._speed > 0:
            self._owed = min(self._owed + (now - self._last_tick) * self._speed,
                             self._speed * 0.25 + 1)
            epochs = int(self._owed)
            self._owed -= epochs
            epochs = min(epochs, self._epochs_per_tick)
        else:
            epochs = self._epochs_per_tick
        self._last_tick = now
        epochs = min(epochs, self._target - session.epochs_done)
        if epochs > 0:
            start = time.perf_counter()
            report = session.run(epochs)
            spent = time.perf_counter() - start
            self._window_training += spent
            done = max(1, len(report.losses))
            # Aim the next tick at the budget, growing at most 2x so one slow
            # epoch (a checkpoint, a cache miss) cannot make a tick long.
            ideal = TICK_BUDGET_S * done / max(spent, 1e-6)
            self._epochs_per_tick = int(min(MAX_EPOCHS_PER_TICK,
                                            max(1, min(ideal, 2 * self._epochs_per_tick))))
            self._dirty = True
        finished = (session.diverged is not None or session.reached_tolerance
                    or session.epochs_done >= self._target)
        if finished:
            self.pause()  # publishes the final frame
            return
        self._adapt_frame_rate(now)

    def _adapt_frame_rate(self, now: float) -> None:
        """Every half second, space frames so that training keeps its share of time.

        Whatever is not training (repaints, mostly) is charged to the frames
        drawn in the window; the next frames are spaced so that they cost at
        most 1 − TRAINING_SHARE of the time, between MIN_FRAME_RATE and FRAME_RATE.
        """
        elapsed = now - self._window_start
        if elapsed < 0.5 or self._window_frames == 0:
            return
        measured = max(0.0, elapsed - self._window_training) / self._window_frames
        # A frame is painted after it is published, sometimes in the next window:
        # smooth the estimate so one cheap-looking window cannot cause a burst.
        self._frame_cost = 0.7 * self._frame_cost + 0.3 * measured
        interval = self._frame_cost / (1.0 - TRAINING_SHARE)
        self._frame_interval = min(1.0 / MIN_FRAME_RATE, max(1.0 / FRAME_RATE, interval))
        self._window_start, self._window_training, self._window_frames = now, 0.0, 0

    def _report_state(self) -> None:
        session = self.session
        divergence = session.diverged
        self.diverged.emit("" if divergence is None else divergence.message())
        self.warning.emit(session.warning or "")
        if session.reached_tolerance:
            self.message.emit(f"the loss fell below the tolerance {session.lesson.tolerance:g} "
                              f"at epoch {session.epochs_done}")

    # -- what the widgets are sent -------------------------------------------
    def snapshot(self) -> dict:
        """{name: copy of the matrix or None} for every matrix, and the batch rows."""
        values = {info_name: self.value(info_name) for info_name in self._all_names()}
        values["__rows__"] = np.array(self.session.batch_rows())
        return values

    def _all_names(self) -> list[str]:
        return self._input_names() + [spec.name for spec in self.session.steps]

    def _publish(self, history: bool = False) -> None:
        self._dirty = False
        position = self.session.position
        self.valuesChanged.emit(self.snapshot())
        self.positionChanged.emit(position, self.describe_position(position))
        if history:
            losses = np.array(self.session.history.losses(), dtype=float)
            self.historyChanged.emit(losses, self.session.epochs_done)
        self._publish_selection()

    def _publish_selection(self) -> None:
        if self._selection is None:
            self.selectionChanged.emit(None)
            return
        name, row, column = self._selection
        self.selectionChanged.emit(Selection(name, row, column, self.explain(name, row, column)))

    # -- selection, presentation, decimals -----------------------------------
    def select(self, name: str, row: int, column: int) -> None:
        """Select a cell: it and its precedents light up everywhere."""
        if name not in self._all_names():
            self.error.emit(f"this iteration has no matrix called {name}")
            return
        self._selection = (name, int(row), int(column))
        self._publish_selection()

    def clear_selection(self) -> None:
        self._selection = None
        self._publish_selection()

    def set_presentation(self, presentation: str) -> None:
        """Gradient or error form: the same numbers, other signs and names."""
        if presentation == self._presentation:
            return
        self._presentation = presentation
        self.presentationChanged.emit(presentation)
        self.matricesChanged.emit(self.matrices())
        self._publish()

    def set_decimals(self, decimals: int) -> None:
        self._decimals = max(0, min(12, int(decimals)))
        self.decimalsChanged.emit(self._decimals)
        self._publish_selection()

    # -- editing ---------------------------------------------------------------
    def set_value(self, name: str, row: int, column: int, value) -> bool:
        """Change an input cell; False (and ``error``) when the engine refuses."""
        if self.running:
            self.error.emit("pause the run before editing")
            return False
        try:
            self.session.set_value(name, row, column, value)
        except LessonError as exc:
            self.error.emit(str(exc))
            return False
        self.edited.emit()
        self._publish(history=True)
        self._report_state()
        return True

    # -- teaching views: decision boundary and loss landscape -----------------------
    @property
    def plane_problem(self) -> str:
        """Why the lesson has no decision boundary ("" when its inputs are a plane)."""
        return self._plane_problem

    def plane_data(self) -> PlaneData | None:
        """The samples as points of the input plane, or None (see ``plane_problem``)."""
        return None if self._plane is None else plane_data(self.session.lesson)

    def decision_boundary(self, resolution: int) -> BoundaryMap | None:
        """Output and hidden activations over the plane, at the committed weights."""
        data = self.plane_data()
        if data is None:
            return None
        extent = plane_extent(np.vstack([data.train, data.test]))
        return decision_boundary(self.session.trainer.kernel, self.session.params, self._plane,
                                 extent, resolution, data.kind, self.session.lesson.y)

    def loss_landscape(self, addresses: list[WeightAddress], coarse: bool = False,
                       budget_s: float = 0.05) -> Landscape:
        """The loss against one or two weights and the descent path (replayed in budget_s)."""
        from engine.landscape import DescentPath, landscape
        if self._descent is None:
            self._descent = DescentPath()
        return landscape(self.session, self._descent, addresses, coarse, budget_s)

    # -- teaching views: races, gradient check, code panel ---------------------------
    def learning_rate_race(self, rates_text: str, epochs: int) -> Race:
        """The lesson trained separately with each typed learning rate (seed 002).

        Raises LessonError naming the bad item of ``rates_text``.
        """
        from engine.race import learning_rate_race, parse_rates
        return learning_rate_race(self.session.lesson, parse_rates(rates_text), epochs)

    def training_modes_race(self, mini_batch: int | None, epochs: int) -> Race:
        """Full batch, mini-batch and stochastic runs of the lesson (seed 003)."""
        from engine.race import training_modes_race
        return training_modes_race(self.session.lesson, mini_batch, epochs)

    def gradient_check(self, variant: str) -> GradientCheck:
        """Backprop (or seed 002's wrong formula) against central differences, at the
        committed weights; its numerical side is computed by ``advance``."""
        from engine.gradient_check import GradientCheck
        return GradientCheck(self.session.trainer, self.session.params, variant)

    def code_listing(self) -> tuple[list[str], list[CodeLine]]:
        """The iteration as NumPy in the learner's names: header lines, one line per step."""
        from engine.code_lines import code_lines, listing_header
        session, lesson = self.session, self.session.lesson
        arch = session.architecture
        lines = code_lines(session.steps, arch, lesson.loss, self._presentation,
                           bool(lesson.l2), bool(lesson.momentum))
        shapes = {name: session.value(name).shape for name in self._input_names()}
        header = listing_header(arch, self._presentation, lesson.learning_rate, lesson.l2,
                                lesson.momentum, shapes)
        return header, lines

    def chain_rule(self, name: str, row: int, column: int) -> ChainRule | None:
        """The chain-rule factors behind a revealed backward or update cell, else None."""
        from engine.chain_rule import chain_rule
        record = self.session.record
        if record is None or self.session.value(name, self._presentation) is None:
            return None
        try:
            return chain_rule(record, name, row, column, self._presentation)
        except (KeyError, IndexError):
            return None

"""The one controller between the window and the engine.

``SessionController`` owns the engine ``Session``. Widgets never touch the
session: user actions arrive as method calls (``step``, ``run``,
``select``, ``set_value`` ...), the controller asks the engine, and every
widget repaints from what the controller's signals carry.

Running is the controller's ``RunClock`` (``gui/run_clock.py``): time-boxed
batches of epochs on a timer, repaints coalesced to a measured frame rate.
The controller trains its session when the clock asks and publishes when
a frame is due.

Widgets that need more than the signals ask the controller's narrow
methods (``architecture``, ``position``, ``selection``, ``learner`` ...).
Two objects it owns answer from the same session, read through a callable:
``teaching`` (``gui/teaching_model.py``), handed to each teaching view, and
``files`` (``gui/session_files.py``) for Save, recovery and exports. It also
keeps ``past_runs`` (``gui/past_runs.py``): the runs Reset or new settings
ended, which the loss plot and the decision boundary compare with the run now.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.errors import LessonError
from engine.lesson import Lesson, check_lesson_text
from engine.run_compare import kept_curve, settings_of
from engine.session import Position, Session
from engine import catalogue
from engine.step_notes import render_note
from engine.steps import input_names
from engine.value_type import value_type

from .exercise_coach import ExerciseCoach
from .past_runs import THUMBNAIL_RESOLUTION, PastRuns
from .run_clock import FRAME_RATE, TICK_BUDGET_S, RunClock
from .session_files import SessionFiles
from .teaching_model import TeachingModel

if TYPE_CHECKING:
    from engine.exercise import Question
    from engine.explain import CellExplanation
    from engine.network import Architecture

# TICK_BUDGET_S and FRAME_RATE live in run_clock; named here for older imports.
__all__ = ["SessionController", "MatrixInfo", "Selection", "TICK_BUDGET_S", "FRAME_RATE"]


@value_type
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
    identity : engine.catalogue.MatrixId or None
        The matrix's kind and layer in the step catalogue (labels of rows and
        columns, and ``part``).
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
    identity: catalogue.MatrixId | None = None

    @property
    def part(self) -> str | None:
        """What it belongs to in the diagram: ``neurons``, ``weights``, ``biases``, or
        None (X, y, the loss), as the catalogue says."""
        return None if self.identity is None else self.identity.info.part


@value_type
class Selection:
    """The selected cell and what it was computed from.

    ``explanation`` is None when the cell is not revealed at the current
    position (nothing to explain yet), and while exercise mode asks it:
    ``asked`` is then the question, whose precedents light up but whose
    formula and answer stay hidden. ``right`` holds the cells the learner
    answered right in the step just revealed (exercise mode), shown green
    until the next move.
    """

    name: str
    row: int
    column: int
    explanation: CellExplanation | None
    asked: "Question | None" = None
    right: tuple[tuple[str, int, int], ...] = ()

    @property
    def precedents(self) -> list[tuple[str, int, int]]:
        """The cells the selected one is computed from (lit orange everywhere)."""
        if self.asked is not None:
            return self.asked.precedents
        return [] if self.explanation is None else self.explanation.precedents


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
        sample indices under the key ``"__rows__"`` and, while Step cell fills
        a matrix (which is None above), ``"__partial__"``: its name, a copy
        with the cells not yet shown as NaN, and how many are shown.
    positionChanged(Position, str)
        Where the learner is, and its one-line description with learner names.
    selectionChanged(object)
        A Selection, or None when nothing is selected.
    historyChanged(LossCurve, int)
        Loss of every known epoch (``.losses``, read-only; ``.size`` of them)
        with the bounded outline a plot draws (``.x``, ``.y``: the same cost
        every frame however long the history), and the epoch shown (0 at the
        start).
    metricsChanged(MetricTrail)
        The held-out loss and the accuracies at the epochs shown so far
        (``gui/metric_trail.py``), sent with each history: judged at every
        step and pause, and at the frames of a run that keep judging to
        ``teaching_model.JUDGING_SHARE`` of the time — never per epoch of the
        fast path.
    runningChanged(bool)
    diverged(str)
        Divergence message and its cause ("" when the run is no longer diverged).
    warning(str)
        Why a finite run is unstable or stalled, with the step to take ("" when
        the run looks fine); both from ``engine.diagnosis.trouble``.
    message(str)
        A neutral status line (e.g. "reached the tolerance").
    error(str)
        An action was refused; the text says why (LessonError's message).
    presentationChanged(str)
    decimalsChanged(int)
    edited()
        An input cell was changed (the undo stack listens).
    lessonTextChanged(Lesson)
        The lesson's title, notes or step notes were edited (the lesson
        editor); nothing else of the lesson changed.
    termLit(list)
        The cells of the term of an expanded sum being added, [(name, row,
        column), ...], lit more strongly than the other precedents ([]: none).
    """

    lessonChanged = Signal(object)
    matricesChanged = Signal(list)
    valuesChanged = Signal(dict)
    positionChanged = Signal(object, str)
    selectionChanged = Signal(object)
    historyChanged = Signal(object, int)
    metricsChanged = Signal(object)
    runningChanged = Signal(bool)
    diverged = Signal(str)
    warning = Signal(str)
    message = Signal(str)
    error = Signal(str)
    presentationChanged = Signal(str)
    decimalsChanged = Signal(int)
    edited = Signal()
    lessonTextChanged = Signal(object)
    termLit = Signal(list)

    def __init__(self, lesson: Lesson, parent: QObject | None = None):
        super().__init__(parent)
        self.clock = RunClock(self._train, self._run_finished, self)
        self.clock.frameDue.connect(lambda: self._publish(history=True))
        self.clock.runFinished.connect(self.pause)  # pausing publishes the final frame
        self._target = 0
        self._selection: tuple[str, int, int] | None = None
        self._decimals = 3
        self.session: Session
        self._presentation = lesson.presentation
        self.teaching = TeachingModel(lambda: self.session, lambda: self._presentation)
        self.files = SessionFiles(lambda: self.session, lambda: self._presentation,
                                  lambda: self.exercise.record)
        self.exercise = ExerciseCoach(lambda: self.session, lambda: self._presentation,
                                      lambda: self._decimals, lambda: self._selection, self)
        self.past_runs = PastRuns(self)
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
        return self.clock.running

    @property
    def speed(self) -> float:
        return self.clock.speed

    @property
    def architecture(self) -> Architecture:
        """The network's sizes, activations and bias flag (an immutable value)."""
        return self.session.architecture

    @property
    def position(self) -> Position:
        """Where the learner is: iteration, step shown, steps of the iteration."""
        return self.session.position

    @property
    def epochs_done(self) -> int:
        return self.session.epochs_done

    def losses(self) -> np.ndarray:
        """Loss of every known epoch (a copy)."""
        return np.array(self.session.history.losses(), dtype=float)

    @property
    def selection(self) -> tuple[str, int, int] | None:
        return self._selection

    @property
    def has_progress(self) -> bool:
        """Whether anything would be lost by starting again (training, text edited, or
        exercise scores, which a new lesson does not keep)."""
        return (not self.session.at_start or self.session.history.epochs > 0
                or self._text_edited or bool(self.exercise.record.scores))

    def identify(self, name: str) -> "catalogue.MatrixId | None":
        """Which matrix ``name`` is — kind, layer and the part of the network it
        belongs to (``.info.part``) — from the step catalogue; None if there is none."""
        return catalogue.identify(name, self.session.architecture.depth)

    def glossary(self) -> list[tuple[str, str, str, str, str]]:
        """Each quantity of this lesson's network with its names side by side
        (``engine.catalogue.glossary``), for Help ▸ Glossary."""
        return catalogue.glossary(self.session.architecture.depth)

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
                not matrix.kind.startswith("previous_velocity"), matrix))
        m, k = session.value("y").shape
        for spec in session.steps:
            formula = catalogue.step_formula(spec.name, arch, lesson.loss, presentation,
                                             bool(lesson.l2), bool(lesson.momentum), m, k)
            infos.append(MatrixInfo(
                spec.name, spec.phase, spec.kind, spec.layer, self.learner(spec.name),
                catalogue.symbol(spec.name, depth, presentation), formula,
                tuple(spec.shape), catalogue.KINDS[spec.kind].per_sample, False,
                catalogue.MatrixId(spec.kind, spec.layer)))
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
        if not self.session.cell_shown(name, row, column):
            return None
        try:
            return self.session.explain(name, row, column, self._presentation,
                                        self._decimals if decimals is None else decimals)
        except (KeyError, IndexError):
            return None

    def describe_position(self, position: Position | None = None) -> str:
        position = position or self.session.position
        name, filling = position.step_name, position.filling
        return position.describe(self.learner(name) if name else None,
                                 self.learner(filling) if filling else None)

    def is_sum(self, name: str) -> bool:
        """Whether the cells of matrix ``name`` are sums that can be expanded term by term."""
        return self.session.is_sum(name, self._presentation)

    def expand_sum(self, name: str, row: int, column: int):
        """A shown cell's running total term by term (``engine.formula.SumExpansion``,
        numbers at the tables' decimals), or None when it is not a sum or not shown."""
        if not self.session.cell_shown(name, row, column):
            return None
        try:
            return self.session.expand_sum(name, row, column, self._presentation,
                                           self._decimals)
        except (KeyError, IndexError):
            return None

    def light_term(self, cells: list[tuple[str, int, int]]) -> None:
        """Light the cells of the term of an expanded sum being added ([] for none)."""
        self.termLit.emit(list(cells))

    # -- lessons ---------------------------------------------------------------
    def open_lesson(self, lesson: Lesson, keep_runs: bool = False) -> None:
        """Start over on ``lesson`` (new settings are a new lesson).

        ``keep_runs``: ``lesson`` is the one open with other settings (Apply), so
        the run that ends is kept to compare with; otherwise it is a different
        lesson, and every kept run is forgotten.
        """
        self.pause()
        if keep_runs:
            self._keep_run()
        else:
            self.past_runs.forget()
        self._presentation = lesson.presentation
        self._open(lesson)
        self.presentationChanged.emit(self._presentation)
        self.publish_all()
        # The old lesson's divergence or warning must not stay on screen (a lesson
        # restored with its session reports its own).
        self._report_state()

    def _open(self, lesson: Lesson) -> None:
        self.session = Session(lesson)
        # A lesson saved with progress reopens with the cell that was selected.
        self._selection = None if lesson.session is None else lesson.session.selection
        self._text_edited = False
        self._target = lesson.epochs
        self.teaching.open_lesson(lesson)
        self.exercise.open_lesson()
        if lesson.session is not None and lesson.session.exercise is not None:
            self.exercise.restore(lesson.session.exercise)  # saved with progress, or recovered
        self.past_runs.start(settings_of(lesson))

    def _keep_run(self) -> None:
        """Hand the run that ends (if it trained an epoch) to ``past_runs``: its
        settings, its loss curve's bounded outline, its accuracy curves (a
        classification) and, on a plane, its final decision boundary."""
        session = self.session
        if session.history.epochs == 0:
            return
        boundary = (self.teaching.decision_boundary(THUMBNAIL_RESOLUTION)
                    if self.teaching.plane is not None else None)
        curves = {"loss": kept_curve(session.history.curve()),
                  **self.teaching.kept_accuracies()}
        self.past_runs.keep(settings_of(session.lesson), curves, boundary)

    def set_lesson_text(self, title: str, notes: str, step_notes: dict[str, str]) -> str | None:
        """Edit the lesson's title, notes and step notes (the lesson editor).

        Checked as a lesson file's are (``engine.lesson.check_lesson_text``);
        the edit counts as progress (``has_progress``) and goes into what is
        saved. Returns the problem in a line, or None when the text was taken.
        """
        lesson = self.session.lesson
        try:
            step_notes = check_lesson_text(lesson, title, notes, step_notes)
        except LessonError as exc:
            return str(exc)
        if (title, notes, step_notes) != (lesson.title, lesson.notes, lesson.step_notes):
            lesson.title, lesson.notes, lesson.step_notes = title, notes, step_notes
            self._text_edited = True
            self.lessonTextChanged.emit(lesson)
        return None

    def publish_all(self) -> None:
        """Emit everything a freshly built window needs."""
        self.lessonChanged.emit(self.session.lesson)
        self.matricesChanged.emit(self.matrices())
        self._publish(history=True)

    # -- moving ----------------------------------------------------------------
    def step(self) -> None:
        """Reveal the next matrix; in exercise mode first ask one of its cells (a Step
        while a cell is asked reveals it unscored, as Escape does)."""
        self.pause()
        if self.exercise.active and not self.session.position.cells:
            self._exercise_went(self.exercise.skip() if self.exercise.asking
                                else self.exercise.ask_next())
            return
        # (a matrix Step cell began is shown whole, not asked: some of it is seen)
        self.session.step()
        self._after_move()

    def answer_exercise(self, text: str) -> None:
        """The learner's answer for the asked cell (exercise mode)."""
        self._exercise_went(self.exercise.answer(text))

    def skip_exercise(self) -> None:
        """Reveal the asked matrix without scoring it (Escape)."""
        self._exercise_went(self.exercise.skip())

    def next_exercise_cell(self) -> bool:
        """Ask the step's next asked cell, leaving this one for later (Tab); False when
        the step asks no other."""
        address = self.exercise.next_cell()
        self._exercise_went(address)
        return address is not None

    def _exercise_went(self, result) -> None:
        """Show the next asked cell (an address), or reveal the step (True)."""
        if isinstance(result, tuple):
            self._selection = result
            self._publish_selection()
        elif result is True:
            self.session.step()
            self.exercise.revealed()
            self._after_move()
            position = self.session.position
            self.message.emit(self.exercise.iteration_summary() if position.step == position.steps
                              else self.exercise.last_verdict)

    def step_cell(self) -> None:
        """Show the next cell of the next matrix (reading order) and select it: it
        lights yellow, its precedents orange, and the formula panel explains it."""
        self.pause()
        if self.exercise.active:
            self.message.emit("Step cell shows the answers: leave exercise mode "
                              "(Ctrl+Shift+E) to fill a matrix cell by cell")
            return
        self._selection = self.session.step_cell()
        self._after_move()

    def step_cell_back(self) -> None:
        """Hide the last cell shown; the cell shown before it is selected."""
        self.pause()
        if self.exercise.asking:
            self.exercise.cancel()
            self._publish_selection()
            return
        if not self.session.step_cell_back():
            self.message.emit("already at the very start")
            return
        self._select_last_shown()
        self._after_move()

    def _select_last_shown(self) -> None:
        """Select the last cell Step cell showed: of the matrix being filled, else the
        last cell of the last matrix revealed (nothing before the first)."""
        position = self.session.position
        name = position.filling or position.step_name
        if name is None:
            self._selection = None
            return
        shape = next(spec.shape for spec in self.session.steps if spec.name == name)
        last = (position.cells if position.filling else shape[0] * shape[1]) - 1
        self._selection = (name, last // shape[1], last % shape[1])

    def step_back(self) -> None:
        self.pause()
        if self.session.position.cells:  # a partly shown matrix: back one cell
            self.step_cell_back()
            return
        if self.exercise.asking:  # back from a question: the cell is simply not asked
            self.exercise.cancel()
            self._publish_selection()
            return
        self.exercise.cancel()  # the green of a right answer goes with the step it revealed
        if not self.session.step_back():
            self.message.emit("already at the very start")
            return
        self._after_move()

    def step_epoch(self) -> None:
        self.pause()
        self.exercise.cancel()
        self.session.step_epoch()
        self._after_move()

    def reset(self) -> None:
        """Back to the lesson's initial weights and seed; the run so far is kept to
        compare with."""
        self.pause()
        self.exercise.cancel()
        self._keep_run()
        self.session.reset()
        self.teaching.forget_metrics()
        self._target = self.session.lesson.epochs
        self._after_move(structure=True)

    def jump_to_epoch(self, epoch: int) -> None:
        self.pause()
        self.exercise.cancel()
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
        self.clock.set_speed(epochs_per_second)

    def run(self) -> None:
        """Train until the lesson's epoch count, the tolerance or divergence."""
        if self.running:
            return
        self.exercise.cancel()
        session = self.session
        if session.diverged is not None:
            from engine.diagnosis import trouble  # not needed before the window is painted
            self.diverged.emit(trouble(session, self.learner).divergence)
            return
        if session.reached_tolerance:
            self.message.emit("the loss is already below the tolerance; Reset to train again")
            return
        if session.epochs_done >= self._target:
            self._target = session.epochs_done + session.lesson.epochs
        self.clock.start()
        self.runningChanged.emit(True)

    def pause(self) -> None:
        if not self.running:
            return
        self.clock.stop()
        self.runningChanged.emit(False)
        self._publish(history=True)
        self._report_state()

    def toggle_run(self) -> None:
        self.pause() if self.running else self.run()

    def _train(self, epochs: int) -> int:
        """The clock's training: at most ``epochs``, never past the run's target.

        Returns the number of epochs trained: 0 when none were left, else at
        least 1 (an epoch cut short by divergence still took its time).
        """
        epochs = min(epochs, self._target - self.session.epochs_done)
        if epochs <= 0:
            return 0
        # The last epoch's matrices are recorded only if a frame shows them.
        report = self.session.run(epochs, record_last=False)
        return max(1, len(report.losses))

    def _run_finished(self) -> bool:
        """Whether Run should stop: divergence, the tolerance, or the target epoch."""
        session = self.session
        return (session.diverged is not None or session.reached_tolerance
                or session.epochs_done >= self._target)

    def _report_state(self) -> None:
        session = self.session
        from engine.diagnosis import trouble  # not needed before the window is painted
        told = trouble(session, self.learner)  # what went wrong and why, in the cards' names
        self.diverged.emit(told.divergence)
        self.warning.emit(told.warning)
        if session.reached_tolerance:
            self.message.emit(f"the loss fell below the tolerance {session.lesson.tolerance:g} "
                              f"at epoch {session.epochs_done}")

    # -- what the widgets are sent -------------------------------------------
    def snapshot(self) -> dict:
        """{name: copy of the matrix or None} for every matrix, and the batch rows."""
        values = {info_name: self.value(info_name) for info_name in self._all_names()}
        values["__rows__"] = np.array(self.session.batch_rows())
        partial = self.session.partial(self._presentation)
        if partial is not None:
            values["__partial__"] = partial
        return values

    def _all_names(self) -> list[str]:
        return self._input_names() + [spec.name for spec in self.session.steps]

    def _publish(self, history: bool = False) -> None:
        self.clock.published()
        position = self.session.position
        self.valuesChanged.emit(self.snapshot())
        self.positionChanged.emit(position, self.describe_position(position))
        if history:
            self.historyChanged.emit(self.session.history.curve(), self.session.epochs_done)
            self.metricsChanged.emit(self.teaching.record_metrics(self.running))
        self._publish_selection()

    def _publish_selection(self) -> None:
        if self._selection is None:
            self.selectionChanged.emit(None)
            return
        name, row, column = self._selection
        attempt = self.exercise.attempt
        if attempt is not None and attempt.asked.address == self._selection:
            self.selectionChanged.emit(Selection(name, row, column, None, attempt.asked))
            return
        self.selectionChanged.emit(Selection(name, row, column, self.explain(name, row, column),
                                             right=tuple(self.exercise.right_cells)))

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
        self.exercise.reword()
        self.presentationChanged.emit(presentation)
        self.matricesChanged.emit(self.matrices())
        self._publish()

    def set_decimals(self, decimals: int) -> None:
        self._decimals = max(0, min(12, int(decimals)))
        self.exercise.reword()
        self.decimalsChanged.emit(self._decimals)
        self._publish_selection()

    # -- editing ---------------------------------------------------------------
    def set_value(self, name: str, row: int, column: int, value) -> bool:
        """Change an input cell; False (and ``error``) when the engine refuses."""
        if self.running:
            self.error.emit("pause the run before editing")
            return False
        self.exercise.cancel()  # the asked cell's numbers change with the edit
        try:
            self.session.set_value(name, row, column, value)
        except LessonError as exc:
            self.error.emit(str(exc))
            return False
        self.teaching.forget_metrics()  # the epochs judged before belong to other numbers
        self.edited.emit()
        self._publish(history=True)
        self._report_state()
        return True

    def set_block(self, name: str, row: int, column: int, block: np.ndarray) -> bool:
        """Change a block of input cells as one edit: one recompute, one repaint."""
        if self.running:
            self.error.emit("pause the run before editing")
            return False
        self.exercise.cancel()
        try:
            self.session.set_block(name, row, column, block)
        except LessonError as exc:
            self.error.emit(str(exc))
            return False
        self.teaching.forget_metrics()  # the epochs judged before belong to other numbers
        self.edited.emit()
        self._publish(history=True)
        self._report_state()
        return True

"""Exercise mode in the window: ask a cell before its matrix is revealed, then check it.

``ExerciseCoach`` is made and owned by the controller (``controller.exercise``).
While it is on, the controller's Step first asks it: the coach picks the
cell of the next matrix to ask (the lesson's choice, else the cell the
learner selected in that matrix, else its first cell), and the controller
shows it as an asked selection — yellow and empty in a table that is not yet
revealed, its precedents orange with their numbers, no formula. The learner
types; ``answer`` checks it with ``engine.exercise`` (right to the shown
precision, how far otherwise, then the hints in order); once every asked cell
of the step is finished the controller reveals the matrix. Escape (``skip``)
reveals without scoring, unless the lesson says the learner must be right.
When the lesson asks several cells of a step, Tab (``next_cell``) leaves the
one asked for later and asks the next. The cells answered right stay green
(``right_cells``) until the next move. Scores are kept per iteration across
Reset, ended by a new lesson, and given back by a lesson saved with them
(``restore``: ``session.exercise`` of a saved or recovered session).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from engine.exercise import Attempt, ExerciseRecord, Question, question

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from engine.session import Session

__all__ = ["ExerciseCoach", "Asked"]


class Asked:
    """The cell being asked now, as the views are told.

    Attributes
    ----------
    question : engine.exercise.Question
    hints : list of str
        The hints earned so far, in order.
    verdict : str
        What the last answer earned ("" before the first).
    must_be_right : bool
    """

    def __init__(self, attempt: Attempt, verdict: str = ""):
        self.question: Question = attempt.asked
        self.hints = attempt.hints()
        self.verdict = verdict
        self.must_be_right = attempt.must_be_right


class ExerciseCoach(QObject):
    """What exercise mode asks and how the learner did.

    Parameters
    ----------
    session_of : callable () -> Session
        The session shown now (asked each time, never kept).
    presentation_of, decimals_of : callables
        The presentation and decimals the tables show now (an answer is
        judged to the precision shown).
    selected_of : callable () -> (str, int, int) or None
        The learner's selected cell.

    Signals
    -------
    activeChanged(bool)
    askedChanged(object)
        An ``Asked`` for the cell now asked, or None when none is.
    scoreChanged(str)
        The score of the iteration shown, for the status bar ("" when off).
    problem(str)
        A typed answer that is not a number, or a skip the lesson forbids.
    """

    activeChanged = Signal(bool)
    askedChanged = Signal(object)
    scoreChanged = Signal(str)
    problem = Signal(str)

    def __init__(self, session_of: Callable[[], "Session"], presentation_of: Callable[[], str],
                 decimals_of: Callable[[], int],
                 selected_of: Callable[[], "tuple[str, int, int] | None"],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._session_of, self._presentation_of = session_of, presentation_of
        self._decimals_of, self._selected_of = decimals_of, selected_of
        self.active = False
        self.record = ExerciseRecord()
        self.attempt: Attempt | None = None
        # The step's other cells still to ask: a cell not asked yet, or the attempt
        # of one the learner left with Tab (its wrong answers and hints kept).
        self._queue: list[tuple[int, int] | Attempt] = []
        self._outcomes: list[str] = []            # of the step's cells finished so far
        self._right: list[tuple[str, int, int]] = []  # of those, the ones answered right
        # The cells answered right in the step just revealed: green until the next move.
        self.right_cells: list[tuple[str, int, int]] = []
        self.last_verdict = ""                    # what the last answer earned

    # -- on and off --------------------------------------------------------------------
    def set_active(self, active: bool) -> None:
        if active == self.active:
            return
        self.active = active
        self.cancel()
        self.activeChanged.emit(active)
        self._report_score()

    def open_lesson(self) -> None:
        """A new lesson: a fresh record (Reset keeps it; a lesson is another class)."""
        self.cancel()
        self.record = ExerciseRecord()
        self._report_score()

    def restore(self, record: ExerciseRecord) -> None:
        """Take back the scores a lesson was saved with, and carry on in exercise mode
        (the learner saved, or the window crashed, in the middle of it)."""
        self.record = record
        if self.active:
            self._report_score()
        else:
            self.set_active(True)

    def cancel(self) -> None:
        """Drop the cell asked, unscored, and the green of the last right answers
        (stepping back, running, resetting)."""
        self.right_cells = []
        if self.attempt is not None:
            self.attempt, self._queue, self._outcomes, self._right = None, [], [], []
            self.askedChanged.emit(None)

    @property
    def asking(self) -> bool:
        return self.attempt is not None

    @property
    def more_asked(self) -> bool:
        """Whether the step asks other cells besides the one asked now (Tab goes to them)."""
        return self.attempt is not None and bool(self._queue)

    # -- asking ------------------------------------------------------------------------
    def ask_next(self) -> tuple[str, int, int] | None:
        """Ask the first cell of the step Step would reveal; its address, for the
        controller to show (None when off)."""
        if not self.active:
            return None
        session = self._session_of()
        spec, _record = session.upcoming()
        plan = session.lesson.exercise
        listed = plan.cells.get(spec.name)
        selected = self._selected_of()
        if listed:
            cells = plan.cells_for(spec.name, spec.shape)
        elif selected is not None and selected[0] == spec.name \
                and selected[1] < spec.shape[0] and selected[2] < spec.shape[1]:
            cells = [(selected[1], selected[2])]
        else:
            cells = [(0, 0)]
        self._queue, self._outcomes, self._right = list(cells[1:]), [], []
        self.right_cells = []
        return self._ask(spec.name, *cells[0])

    def _ask(self, name: str, row: int, column: int) -> tuple[str, int, int]:
        plan = self._session_of().lesson.exercise
        self.attempt = Attempt(self._question(name, row, column), plan.tries, plan.must_be_right)
        self.askedChanged.emit(Asked(self.attempt))
        return name, row, column

    def _question(self, name: str, row: int, column: int) -> Question:
        """The cell of the step Step would reveal, as the tables show it now."""
        _spec, record = self._session_of().upcoming()
        return question(record.explain(name, row, column, self._presentation_of(),
                                       self._decimals_of()))

    def reword(self) -> None:
        """The presentation or the decimals changed: the asked cells are named, signed
        and judged as the tables show them now; wrong answers and hints so far are kept."""
        if self.attempt is None:
            return
        for attempt in [self.attempt, *(a for a in self._queue if isinstance(a, Attempt))]:
            attempt.asked = self._question(*attempt.asked.address)
        self.askedChanged.emit(Asked(self.attempt))

    def answer(self, text: str) -> tuple[str, int, int] | bool:
        """Check a typed answer. Returns the next cell to show when the step asks
        another, True when the step's cells are all finished (the controller then
        reveals the matrix), False while the cell is still asked."""
        attempt = self.attempt
        if attempt is None:
            return False
        try:
            verdict = attempt.answer(text)
        except ValueError as exc:
            self.problem.emit(str(exc))
            return False
        self.last_verdict = verdict.message
        self.askedChanged.emit(Asked(attempt, verdict.message))
        if not attempt.finished:
            return False
        if verdict.right:
            self._right.append(attempt.asked.address)
        return self._finish_cell()

    def next_cell(self) -> tuple[str, int, int] | None:
        """Leave the cell asked for later and ask the step's next one (Tab); its
        address, or None when the step asks no other."""
        if not self.more_asked:
            return None
        self._queue.append(self.attempt)
        return self._take_next()

    def skip(self) -> tuple[str, int, int] | bool:
        """Reveal without scoring (Escape); False when the lesson forbids it."""
        attempt = self.attempt
        if attempt is None:
            return False
        if not attempt.skip():
            self.problem.emit("this lesson asks you to type the right value to go on")
            return False
        self.last_verdict = f"{attempt.asked.cell} = {attempt.asked.answer} (not scored)"
        return self._finish_cell()

    def _finish_cell(self) -> tuple[str, int, int] | bool:
        self._outcomes.append(self.attempt.outcome)
        return self._take_next() if self._queue else True

    def _take_next(self) -> tuple[str, int, int]:
        """Ask the first cell of the queue: a new one, or one left with Tab as it was."""
        waiting = self._queue.pop(0)
        if isinstance(waiting, Attempt):
            self.attempt = waiting
            self.askedChanged.emit(Asked(waiting))
            return waiting.asked.address
        return self._ask(self.attempt.asked.address[0], *waiting)

    def revealed(self) -> None:
        """The controller revealed the asked step: count its cells in the iteration shown."""
        iteration = self._session_of().position.iteration + 1
        for outcome in self._outcomes:
            self.record.count(iteration, outcome)
        self.right_cells = self._right
        self.attempt, self._queue, self._outcomes, self._right = None, [], [], []
        self.askedChanged.emit(None)
        self._report_score()

    def iteration_summary(self) -> str:
        """``Iteration 2: 14 of 17 right first try, ...`` for the iteration shown."""
        iteration = self._session_of().position.iteration + 1
        return f"Iteration {iteration}: {self.record.score(iteration).text()}"

    def score_text(self) -> str:
        """``Exercise, iteration 2: 3 of 5 right first try, ...`` ("" when off)."""
        if not self.active:
            return ""
        iteration = self._session_of().position.iteration + 1
        return f"Exercise, iteration {iteration}: " + self.record.score(iteration).text()

    def _report_score(self) -> None:
        self.scoreChanged.emit(self.score_text())

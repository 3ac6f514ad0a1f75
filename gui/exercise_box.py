"""Where the learner types the asked cell's value (exercise mode), above the formula.

It shows while a cell is asked: what to compute, a field for the answer
(Enter checks it, Escape reveals the matrix unscored, Tab goes to the step's
next asked cell when the lesson asks several, else on to the buttons as
usual), what the last answer
earned — right, or how far and which way — and the hints earned so far, in
order. It only lays out what the controller's ``ExerciseCoach`` says and
hands the typed text back to the controller.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QScrollArea, QVBoxLayout)

from .parts import problem_label

__all__ = ["ExerciseBox", "RIGHT_GREEN"]

RIGHT_GREEN = "#1E7B34"  # dark enough for text on the panel's light background (AA)


class AnswerField(QLineEdit):
    """A line edit where Escape asks to reveal instead of being ignored, and Tab asks
    for the next asked cell of the step (``next_cell`` returns False when there is
    none: Tab then moves the focus on, as everywhere else)."""

    def __init__(self, skip, next_cell, parent=None):
        super().__init__(parent)
        self._skip = skip
        self._next_cell = next_cell

    def event(self, event) -> bool:
        # Tab never reaches keyPressEvent: QWidget.event turns it into a focus move first.
        if (event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                and self._next_cell()):
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self._skip()
            return
        super().keyPressEvent(event)


class ExerciseBox(QFrame):
    """The asked cell, the answer field, the verdict and the hints.

    Parameters
    ----------
    controller : SessionController
        Its ``exercise`` coach says what is asked; its ``answer_exercise`` and
        ``skip_exercise`` take the learner's answer or Escape.
    """

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("exerciseBox")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.prompt = QLabel("")
        self.prompt.setObjectName("exercisePrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.RichText)
        self.field = AnswerField(controller.skip_exercise, controller.next_exercise_cell)
        self.field.setObjectName("exerciseAnswer")
        self.field.setPlaceholderText("your value, e.g. 0.25")
        self.check = QPushButton("Check")
        self.reveal = QPushButton("Reveal")
        self.reveal.setToolTip("Show the matrix without scoring this cell (Escape)")
        self.verdict = QLabel("")
        self.verdict.setObjectName("exerciseVerdict")
        self.verdict.setWordWrap(True)
        self.problem = problem_label("exerciseProblem")
        self.problem.hide()
        self.hints = QLabel("")
        self.hints.setObjectName("exerciseHints")
        self.hints.setWordWrap(True)
        self.hints.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self.check)
        row.addWidget(self.reveal)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        for part in (self.prompt, row, self.verdict, self.problem, self.hints):
            layout.addLayout(part) if isinstance(part, QHBoxLayout) else layout.addWidget(part)
        self.field.returnPressed.connect(self._answer)
        self.check.clicked.connect(self._answer)
        self.reveal.clicked.connect(controller.skip_exercise)
        controller.exercise.askedChanged.connect(self.show_asked)
        controller.exercise.problem.connect(self._show_problem)
        self.hide()

    def _answer(self) -> None:
        self._show_problem("")
        self.controller.answer_exercise(self.field.text())

    def _show_problem(self, text: str) -> None:
        """The red line, taking no room when empty (the dock is short)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def show_asked(self, asked) -> None:
        """Show what is asked now (an ``Asked``), or hide when nothing is."""
        if asked is None:
            if self.isAncestorOf(QApplication.focusWidget()):
                # Else hiding passes the focus on to the next widget (a dock's check box),
                # which would take the Space meant for Step.
                QApplication.focusWidget().clearFocus()
            self.hide()
            self.field.clear()
            return
        question = asked.question
        new_cell = self.prompt.property("cell") != question.cell
        self.prompt.setProperty("cell", question.cell)
        self.prompt.setText(f"<b>Your turn:</b> compute <b>{escape(question.cell)}</b> from the "
                            "orange cells, type it and press Enter"
                            + ("" if asked.must_be_right else " (Escape reveals it)") + "."
                            + (" Tab: the step's next asked cell."
                               if self.controller.exercise.more_asked else ""))
        right = asked.verdict.startswith("Right")
        colour = RIGHT_GREEN if right else "#000000"
        self.verdict.setStyleSheet(f"QLabel#exerciseVerdict {{ color: {colour}; "
                                   "font-weight: bold; }")
        self.verdict.setText(asked.verdict)
        self.hints.setText("\n".join(asked.hints))
        if new_cell:
            self.field.clear()
            self._show_problem("")
        else:
            self.field.selectAll()
        self.show()
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)
        # Once the new texts are laid out (the scroll area resizes its page by events).
        QTimer.singleShot(0, self, self._keep_in_view)

    def _keep_in_view(self) -> None:
        """Scroll the panel holding the box (a short dock, on a small screen) so that the
        field shows, and under it the verdict and the newest hint once there are some."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is None or area.widget() is None:
            return
        area.ensureWidgetVisible(self.prompt if not self.verdict.text() else self.field, 0, 4)
        if self.hints.text():
            area.ensureWidgetVisible(self.hints, 0, 4)

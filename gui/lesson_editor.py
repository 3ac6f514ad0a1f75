"""Writing the lesson's words in the window: its title, notes and step notes.

``LessonEditor`` is the Lesson editor dock (View ▸ Lesson editor): the
title, the notes shown under the formula, and the note of the step shown
now — step to another matrix and the field holds that step's note. Every
change goes to ``SessionController.set_lesson_text``, which checks it as a
lesson file's text is checked on load (a ``{name}`` must name a step or an
input of the network) and, once it is sound, changes what the window shows
and what Save writes; a problem is written in the red line under the field
and the lesson keeps its last sound text.

``StartingPointDialog`` asks, before Save as a new starting point, for the
new lesson's title and whether to keep notes that were written for the old
starting weights (left out unless kept: "w = 0.8 → 0.59" no longer holds).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from engine import limits
from engine.errors import LessonError
from engine.lesson import Lesson, check_lesson_text

from .parts import problem_label, view_column

__all__ = ["LessonEditor", "StartingPointDialog"]

NOTES_LINES = 6       # the notes field's height in lines of text, before it scrolls
STEP_NOTE_LINES = 5   # the step note field's


def _text_field(lines: int, tip: str) -> QPlainTextEdit:
    field = QPlainTextEdit()
    field.setToolTip(tip)
    field.setMinimumHeight(field.fontMetrics().lineSpacing() * lines + 12)
    return field


class LessonEditor(QWidget):
    """The lesson's title, notes and the shown step's note, edited in place.

    Parameters
    ----------
    controller : SessionController
        Whose lesson is edited: read from ``controller.lesson``, changed
        through ``controller.set_lesson_text``; its signals say when the
        lesson, the step shown or the presentation change.
    parent : QWidget, optional

    Attributes
    ----------
    title_edit : QLineEdit
    notes_edit : QPlainTextEdit
    step_heading : QLabel
        Which step the note below belongs to, in the presentation's names.
    step_note_edit : QPlainTextEdit
        The note of the step shown (disabled before the first step).
    problem : QLabel
        Why the text typed is not taken ("" when it is).
    """

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self._controller = controller
        self._step: str | None = None
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(limits.MAX_TITLE_CHARS)
        self.title_edit.setToolTip("The lesson's title: the window's title, and the name the "
                                   "file is saved under")
        self.notes_edit = _text_field(NOTES_LINES, "What the class should look at: shown under "
                                                   "the formula at every step")
        self.step_heading = QLabel("")
        self.step_heading.setWordWrap(True)
        self.step_note_edit = _text_field(STEP_NOTE_LINES, "Shown under the formula when this "
                                                           "step is reached")
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.problem = problem_label("lessonEditorProblem")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = view_column(self, [QLabel("<b>Title</b>"), self.title_edit,
                                    QLabel("<b>Notes</b> (under the formula at every step)"),
                                    self.notes_edit, self.step_heading, self.step_note_edit,
                                    self.hint, self.problem], self.notes_edit)
        column.setStretchFactor(self.step_note_edit, 1)  # the two texts share the height
        self.title_edit.textEdited.connect(self._edited)
        self.notes_edit.textChanged.connect(self._edited)
        self.step_note_edit.textChanged.connect(self._edited)
        controller.lessonChanged.connect(self._show_lesson)
        controller.lessonTextChanged.connect(self._show_lesson)
        controller.positionChanged.connect(lambda position, _text: self._show_step(
            position.step_name))
        controller.presentationChanged.connect(lambda _p: self._show_step(self._step, True))
        self._show_lesson(controller.lesson)
        self._show_step(controller.position.step_name, True)

    # -- the lesson → the fields -------------------------------------------------------------
    def _show_lesson(self, lesson: Lesson) -> None:
        """Fill the fields from ``lesson``, leaving alone a field that already says it
        (the edit that changed the lesson came from there: its cursor stays)."""
        self._set_text(self.title_edit, lesson.title)
        self._set_text(self.notes_edit, lesson.notes)
        self._set_text(self.step_note_edit, lesson.step_notes.get(self._step or "", ""))
        self.problem.setText("")

    def _show_step(self, step: str | None, renamed: bool = False) -> None:
        """Attach the step note field to ``step`` (None: no step shown yet)."""
        if step == self._step and not renamed:
            return
        self._step = step
        self.step_note_edit.setEnabled(step is not None)
        self.problem.setText("")  # a note that was not taken belonged to the step before
        if step is None:
            self.step_heading.setText("<b>Step note</b>: press Step, then write here what "
                                      "the class should notice at that step")
            self.hint.setText("")
        else:
            learner = self._controller.learner(step)
            self.step_heading.setText(f"<b>Note for the step {learner}</b>"
                                      + ("" if learner == step else f" ({step})"))
            self.hint.setText(f"Name a matrix by its name in braces, as {{{step}}}: the note "
                              f"then calls it as its card does here ({learner}).")
        self._set_text(self.step_note_edit,
                       self._controller.lesson.step_notes.get(step or "", ""))

    @staticmethod
    def _set_text(field, text: str) -> None:
        current = field.text() if isinstance(field, QLineEdit) else field.toPlainText()
        if current != text:
            field.blockSignals(True)
            if isinstance(field, QLineEdit):
                field.setText(text)
                field.setCursorPosition(0)  # a long title shows its beginning
            else:
                field.setPlainText(text)
            field.blockSignals(False)

    # -- the fields → the lesson -------------------------------------------------------------
    def _edited(self) -> None:
        step_notes = dict(self._controller.lesson.step_notes)
        note = self.step_note_edit.toPlainText()
        if self._step is not None:
            if note:
                step_notes[self._step] = note
            else:
                step_notes.pop(self._step, None)
        problem = self._controller.set_lesson_text(self.title_edit.text(),
                                                   self.notes_edit.toPlainText(), step_notes)
        self.problem.setText("" if problem is None else
                             f"{problem} — not taken until it is fixed")


class StartingPointDialog(QDialog):
    """Save as a new starting point: the new lesson's title, and which notes to keep.

    Parameters
    ----------
    lesson : Lesson
        The lesson open now (its title, notes and step notes).
    epochs : int
        Epochs trained so far: the proposed title says so.
    parent : QWidget, optional

    Attributes
    ----------
    title_edit : QLineEdit
    keep_notes, keep_step_notes : QCheckBox
        Unchecked: the notes described the old starting point.
    message : QLabel
        Why the title cannot be used ("" when it can); the dialog stays open.
    title, notes, step_notes
        What the saved lesson gets, once OK has checked them.
    """

    def __init__(self, lesson: Lesson, epochs: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Save as a new starting point")
        self.setObjectName("startingPointDialog")
        self._lesson = lesson
        self.title, self.notes, self.step_notes = lesson.title, "", {}
        self.title_edit = QLineEdit(_proposed_title(lesson.title, epochs))
        self.title_edit.setMaxLength(limits.MAX_TITLE_CHARS)
        about = QLabel(f"The weights after {epochs} epochs become the starting weights of a "
                       "new lesson; its loss history starts again (Save with progress keeps "
                       "where the training is instead). The notes were written for the old "
                       "starting weights and may no longer hold, so they are left out unless "
                       "kept:")
        about.setWordWrap(True)
        self.keep_notes = QCheckBox("Keep the lesson's notes")
        self.keep_notes.setEnabled(bool(lesson.notes))
        self.keep_notes.setToolTip(lesson.notes[:400])
        count = len(lesson.step_notes)
        self.keep_step_notes = QCheckBox(f"Keep the {count} step note{'s' * (count != 1)}")
        self.keep_step_notes.setEnabled(bool(count))
        self.message = problem_label("startingPointProblem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Choose where to save…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (QLabel("<b>Title of the new lesson</b>"), self.title_edit, about,
                       self.keep_notes, self.keep_step_notes, self.message, buttons):
            layout.addWidget(widget)
        self.resize(max(self.sizeHint().width(), 560), self.sizeHint().height())

    def accept(self) -> None:
        notes = self._lesson.notes if self.keep_notes.isChecked() else ""
        step_notes = dict(self._lesson.step_notes) if self.keep_step_notes.isChecked() else {}
        title = self.title_edit.text()
        try:
            self.step_notes = check_lesson_text(self._lesson, title, notes, step_notes)
        except LessonError as exc:
            self.message.setText(str(exc))
            return
        self.title, self.notes = title, notes
        super().accept()


def _proposed_title(title: str, epochs: int) -> str:
    """``"XOR, after 484 epochs"``, the old title shortened to fit the limit if need be."""
    suffix = f", after {epochs} epoch{'s' * (epochs != 1)}"
    return title[: limits.MAX_TITLE_CHARS - len(suffix)].rstrip() + suffix

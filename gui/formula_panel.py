"""What the current step computes, and where the selected number comes from.

Four blocks, top to bottom: the step just taken (its learner name and its
formula in symbols), the selected cell (its formula in symbols, then with
the numbers substituted, and the result — right under the step, so that it
stays in view in a short dock), the teacher's note for the step, and the
lesson's notes. Everything is text the engine wrote; this panel
only lays it out. A screen reader reads each block as plain text (its
accessible name), and the panel's accessible description is the step's and
the selected cell's formulas together. A note's ``{name}`` placeholders are rendered by the
function it is given (the controller's), each time the step or the
matrices change — a presentation change renames the matrices, so the note
follows it.
"""
from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from .parts import WrappedLabel
from .session_controller import MatrixInfo, Selection

__all__ = ["FormulaPanel"]


def _label(object_name: str) -> WrappedLabel:
    label = WrappedLabel()
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return label


def _say(label: QLabel, html: str) -> None:
    """Show ``html`` in ``label``; its accessible name is the same text, plain."""
    label.setText(html)
    label.setAccessibleName(QTextDocumentFragment.fromHtml(html).toPlainText())


class FormulaPanel(QScrollArea):
    """The step's formula and note, and the selected cell's substituted formula.

    Parameters
    ----------
    render_note : callable
        A step note as written -> the text to show, its placeholders named
        as the cards of the current presentation name them
        (``SessionController.note_text``).
    parent : QWidget, optional
    """

    def __init__(self, render_note: Callable[[str], str], parent=None):
        super().__init__(parent)
        self._render_note = render_note
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(10)
        self.step_label = _label("stepFormula")
        self.note_label = _label("stepNote")
        self.cell_label = _label("cellFormula")
        self.notes_label = _label("lessonNotes")
        for widget in (self.step_label, self.cell_label, self.note_label, self.notes_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._layout = layout
        self.setWidget(body)
        self.setAccessibleName("Formula")
        self._infos: dict[str, MatrixInfo] = {}
        self._step_notes: dict[str, str] = {}
        self._step: str | None = None
        self._selection: Selection | None = None
        self._show_step()
        self._show_cell()

    def set_exercise_box(self, box: QWidget) -> None:
        """Put exercise mode's answer box (``gui.exercise_box``) first, above the step's
        formula (which the asked matrix's card shows too), so a short dock shows it."""
        self._layout.insertWidget(0, box)

    def set_sum_box(self, box: QWidget) -> None:
        """Put "Expand the sum" (``gui.sum_expander``) right under the selected cell's formula."""
        self._layout.insertWidget(self._layout.indexOf(self.cell_label) + 1, box)

    def set_lesson(self, notes: str, step_notes: dict[str, str]) -> None:
        self._step_notes = dict(step_notes)
        _say(self.notes_label, f"<b>About this lesson</b><br>{escape(notes)}" if notes else "")
        self._show_step()

    def set_matrices(self, infos: list[MatrixInfo]) -> None:
        self._infos = {info.name: info for info in infos}
        self._show_step()
        self._show_cell()

    def set_step(self, step_name: str | None) -> None:
        if step_name != self._step:
            self._step = step_name
            self._show_step()

    def set_selection(self, selection: Selection | None) -> None:
        before = self._selection
        self._selection = selection
        self._show_cell()
        if selection is not None and (before is None or (before.name, before.row, before.column)
                                      != (selection.name, selection.row, selection.column)):
            # A cell just chosen is what the learner asked about: in a short dock (a
            # 1280x720 screen) the step's formula above would push it out of sight.
            # Once laid out; a frame of Run re-sending the same cell moves nothing.
            QTimer.singleShot(0, self, self._bring_cell_into_view)

    def _bring_cell_into_view(self) -> None:
        """Scroll so the selected cell's formula shows: whole if it fits, else from its top."""
        self.widget().layout().activate()
        label, bar = self.cell_label, self.verticalScrollBar()
        top = label.y() - self._layout.spacing()
        bottom = label.y() + label.height()
        view = self.viewport().height()
        if top < bar.value() or bottom > bar.value() + view:
            bar.setValue(top if bottom - top > view else bottom - view)

    @property
    def cell_text(self) -> str:
        """The selected cell's substituted formula as plain text ("" when none)."""
        selection = self._selection
        if selection is None or selection.explanation is None:
            return ""
        return selection.explanation.text

    def _show_step(self) -> None:
        self._write_step()
        self._speak()

    def _show_cell(self) -> None:
        self._write_cell()
        self._speak()

    def _speak(self) -> None:
        """The panel's accessible description: the step's and the cell's formulas."""
        self.setAccessibleDescription("\n".join(
            text for text in (self.step_label.accessibleName(),
                              self.cell_label.accessibleName()) if text))

    def _write_step(self) -> None:
        info = self._infos.get(self._step or "")
        if info is None:
            _say(self.step_label, "<b>Ready.</b> Press <b>Step</b> (Space or →) to compute "
                                  "the first matrix of the iteration.")
            _say(self.note_label, "")
            return
        symbol = "" if info.symbol == info.learner else f" ({escape(info.symbol)})"
        _say(self.step_label,
             f"<b>Step: {escape(info.learner)}</b>{symbol}<br>"
             f"<span style='font-size:115%'>{escape(info.formula)}</span>")
        note = self._render_note(self._step_notes.get(info.name, ""))
        _say(self.note_label, f"<i>{escape(note)}</i>" if note else "")

    def _write_cell(self) -> None:
        selection = self._selection
        if selection is None:
            _say(self.cell_label, "Click any cell (or neuron, or edge) to see how its number "
                                  "was computed.")
            return
        info = self._infos.get(selection.name)
        title = escape(info.learner if info else selection.name)
        where = f"{title} [{selection.row}, {selection.column}]"
        if info is not None and info.symbol != info.learner:
            where += f" ({escape(info.symbol)})"  # the symbol the formula below names it by
        if selection.asked is not None:
            _say(self.cell_label, f"<b>Asked: {where}</b><br>computed from the orange cells; "
                                  "its formula and value show once you have answered")
            return
        explanation = selection.explanation
        if explanation is None:
            _say(self.cell_label, f"<b>Selected: {where}</b><br>not computed yet at this step")
            return
        partial = "" if explanation.complete else "<br>(a long sum, shortened with …)"
        change = ("" if explanation.change is None else
                  f"<br>{escape(explanation.change)}: the update is smaller than the "
                  f"{explanation.decimals} decimals shown")
        _say(self.cell_label,
             f"<b>Selected: {where}</b><br>{escape(explanation.symbolic)}<br>"
             f"<span style='font-size:115%'>{escape(explanation.text)}</span>{partial}{change}")

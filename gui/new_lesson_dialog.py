"""What the two data dialogs (Import CSV…, New lesson from a data set…) share.

Each turns other data into a new lesson with the network it shows
(``gui.network_form``: proposed from the data, not copied from the open
lesson; ``gui.data_lesson.lesson_with_data``). Both keep the form shown now
(the presentation), write a refusal in a red line inside the dialog (which
stays open), and end with "Open as new lesson" / Cancel; after OK the
window takes ``dialog.lesson``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDoubleSpinBox, QWidget

from engine.lesson import Lesson

from .parts import problem_label

__all__ = ["NewLessonDialog", "held_out_fraction_box"]


def held_out_fraction_box(tip: str) -> QDoubleSpinBox:
    """The share of the rows held out as a test set: 0 to 0.9, in steps of 0.05."""
    box = QDoubleSpinBox()
    box.setRange(0.0, 0.9)
    box.setSingleStep(0.05)
    box.setDecimals(2)
    box.setToolTip(tip)
    return box


class NewLessonDialog(QDialog):
    """The start both data dialogs share: the open lesson, the message line, OK and Cancel.

    Parameters
    ----------
    presentation : str
        The form the window shows now.
    title, object_name : str
        The window title and the dialog's object name.
    message_name : str
        The object name of the red message line.

    Attributes
    ----------
    message : QLabel
        Why the choice cannot be used (empty: nothing is wrong).
    buttons : QDialogButtonBox
        "Open as new lesson" (``ok_button``) and Cancel, to be laid out last.
    lesson : Lesson or None
        The new lesson, once OK has built it.
    """

    def __init__(self, presentation: str, parent: QWidget | None, *,
                 title: str, object_name: str, message_name: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(object_name)
        self._presentation = presentation
        self.lesson: Lesson | None = None
        self.message = problem_label(message_name)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Open as new lesson")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @property
    def error_text(self) -> str:
        return self.message.text()

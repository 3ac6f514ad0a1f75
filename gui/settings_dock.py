"""The lesson's settings: what to learn, with which network, how fast.

The dock edits a copy of the lesson's file document (``Lesson.to_json``)
and asks ``engine.lesson.parse_lesson`` to validate it, so every refusal
is the engine's own one-line message, shown under the form and on the
field it names. Nothing typed is lost when a value is refused; the
current lesson is untouched until a valid one is built. Whether to
discard training progress is the window's question, not the dock's.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLineEdit,
                               QPushButton, QScrollArea, QStyle, QVBoxLayout,
                               QWidget)

from engine.activations import ACTIVATIONS
from engine.errors import LessonError
from engine.lesson import Lesson, builtin_lessons, parse_lesson
from engine.losses import LOSSES
from engine.network import INITIALISATIONS
from engine.steps import PRESENTATIONS

from .flow_layout import FlowLayout
from .parts import problem_label

__all__ = ["SettingsPanel", "typed_number"]

_ERROR_BASE = QColor("#F9D6D5")   # a pale red field, with dark text also in dark mode
_ERROR_TEXT = QColor("#000000")
FIELD_CHARACTERS = 8            # digits a field shows at least ("0.000001", "12345678")


def typed_number(text: str, blank=None):
    """What the learner typed, as a number when it reads as one.

    Text that is not a number is passed on unchanged so that the engine's
    validation names the field and says what it expected.
    """
    cleaned = text.strip().replace("−", "-")
    if not cleaned:
        return blank
    if re.fullmatch(r"[+-]?\d+", cleaned):
        try:
            return int(cleaned)
        except ValueError:
            # More digits than Python converts: as a float it is infinite,
            # which the engine refuses as "expected a finite number".
            return float(cleaned)
    try:
        return float(cleaned)
    except ValueError:
        return text


class SettingsPanel(QScrollArea):
    """Lesson picker and every training setting, validated by the engine.

    Signals
    -------
    lessonFileRequested(str)
        A built-in lesson was picked (its path).
    openRequested()
        The learner pressed Open… .
    lessonBuilt(Lesson)
        Apply produced a valid lesson from the fields.
    presentationRequested(str)
        The presentation changed (no retraining needed).
    """

    lessonFileRequested = Signal(str)
    openRequested = Signal()
    lessonBuilt = Signal(object)
    presentationRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._lesson: Lesson | None = None
        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addLayout(self._build_lesson_picker())
        outer.addLayout(self._build_form())
        self.apply_button = QPushButton("Apply settings")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        outer.addWidget(self.apply_button)
        self.message = problem_label("settingsMessage", bold=False)
        outer.addWidget(self.message)
        outer.addStretch(1)
        self.setWidget(body)
        for field in self._line_edits():
            field.returnPressed.connect(self.apply)
        self._fit_fields()
        # The engine names a key; this is the field that holds it.
        self._fields = {
            "network.layers": self.layers, "network.activation": self.activation_row,
            "network.init": self.init, "network.seed": self.seed, "training.loss": self.loss,
            "training.learning_rate": self.learning_rate, "training.batch_size": self.batch_size,
            "training.epochs": self.epochs, "training.l2": self.l2,
            "training.momentum": self.momentum, "training.tolerance": self.tolerance,
            "data": self.layers,
        }

    def _build_lesson_picker(self) -> QVBoxLayout:
        """The built-in lessons by title, and Open… for a lesson file beneath (a narrow
        dock keeps both whole)."""
        picker = QVBoxLayout()
        self.lesson_box = QComboBox()
        self.lesson_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.lesson_box.setMinimumContentsLength(12)
        for lesson_id, title, path in builtin_lessons():
            self.lesson_box.addItem(title, str(path))
        self.lesson_box.setToolTip("Built-in lessons")
        self.lesson_box.activated.connect(self._lesson_picked)
        open_button = QPushButton("Open…")
        open_button.clicked.connect(self.openRequested)
        picker.addWidget(self.lesson_box)
        picker.addWidget(open_button, 0, Qt.AlignmentFlag.AlignLeft)
        return picker

    def _build_form(self) -> QFormLayout:
        """One labelled field per setting of the network and its training."""
        self.layers = QLineEdit()
        self.layers.setToolTip("Layer sizes from inputs to outputs, e.g. 4, 3, 1")
        self.layers.textEdited.connect(self._rebuild_activations)
        # The boxes wrap, one per layer: a deep network never widens the panel.
        activations = QWidget()
        self.activation_row = FlowLayout(activations, spacing=6)
        self.activation_boxes: list[QComboBox] = []
        self.bias = QCheckBox("biases")
        self.loss = QComboBox()
        self.loss.addItems(list(LOSSES))
        self.learning_rate = QLineEdit()
        self.batch_size = QLineEdit()
        self.batch_size.setPlaceholderText("full batch")
        self.init = QComboBox()
        self.init.addItems(list(INITIALISATIONS))
        self.seed = QLineEdit()
        self.l2 = QLineEdit()
        self.momentum = QLineEdit()
        self.epochs = QLineEdit()
        self.tolerance = QLineEdit()
        self.tolerance.setPlaceholderText("none")
        self.presentation = QComboBox()
        self.presentation.addItems(list(PRESENTATIONS))
        self.presentation.setToolTip("gradient: δ = ∂J/∂z, updates subtract; "
                                     "error: the walk-through's signs, updates add")
        self.presentation.activated.connect(
            lambda _: self.presentationRequested.emit(self.presentation.currentText()))
        form = QFormLayout()
        # Beside its label while there is room, below it in a narrow dock: never clipped.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, field in (("Layers", self.layers), ("Activations", activations),
                             ("", self.bias), ("Loss", self.loss),
                             ("Learning rate η", self.learning_rate),
                             ("Batch size", self.batch_size), ("Initialisation", self.init),
                             ("Seed", self.seed), ("L2 λ", self.l2),
                             ("Momentum μ", self.momentum), ("Epochs", self.epochs),
                             ("Tolerance", self.tolerance),
                             ("Presentation", self.presentation)):
            form.addRow(label, field)
        return form

    def _fit_fields(self) -> None:
        """Every field as wide as a typical value in the current font, and as the
        short choice boxes: one column of fields, none squeezed below what it shows."""
        choices = [self.init, self.presentation]
        width = max([self.fontMetrics().horizontalAdvance("0" * FIELD_CHARACTERS)]
                    + [box.sizeHint().width() for box in choices])
        for field in self._line_edits() + choices:
            field.setMinimumWidth(width)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_fields()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As wide as the form at its minimum, beside a vertical scroll bar: the panel
        scrolls up and down, and is never narrower than its fields (never clipped)."""
        hint = super().minimumSizeHint()
        width = (self.widget().minimumSizeHint().width() + 2 * self.frameWidth()
                 + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent))
        return QSize(max(hint.width(), width), hint.height())

    def _line_edits(self) -> list[QLineEdit]:
        return [self.layers, self.learning_rate, self.batch_size, self.seed, self.l2,
                self.momentum, self.epochs, self.tolerance]

    # -- showing a lesson ---------------------------------------------------------------
    def set_lesson(self, lesson: Lesson) -> None:
        """Fill the fields from the lesson now open."""
        self._lesson = lesson
        arch = lesson.architecture
        self.layers.setText(", ".join(str(n) for n in arch.layers))
        self._rebuild_activations()
        for box, name in zip(self.activation_boxes, arch.activations):
            box.setCurrentText(name)
        self.bias.setChecked(arch.bias)
        self.loss.setCurrentText(lesson.loss)
        self.learning_rate.setText(f"{lesson.learning_rate:g}")
        self.batch_size.setText("" if lesson.batch_size is None else str(lesson.batch_size))
        self.init.setCurrentText(lesson.init)
        self.seed.setText(str(lesson.seed))
        self.l2.setText(f"{lesson.l2:g}")
        self.momentum.setText(f"{lesson.momentum:g}")
        self.epochs.setText(str(lesson.epochs))
        self.tolerance.setText("" if lesson.tolerance is None else f"{lesson.tolerance:g}")
        self.presentation.setCurrentText(lesson.presentation)
        self._show_in_list(lesson)
        self._clear_errors()

    def _show_in_list(self, lesson: Lesson) -> None:
        """Select ``lesson`` in the list of built-in lessons; a lesson that is not one of
        them (imported, made from a data set, opened from a file) selects none, and the
        list names it as the open lesson instead."""
        index = self.lesson_box.findData(str(lesson.path) if lesson.path else "")
        self.lesson_box.setPlaceholderText(f"{lesson.title} (not a built-in lesson)")
        self.lesson_box.setCurrentIndex(index)

    def _lesson_picked(self, index: int) -> None:
        self.lessonFileRequested.emit(self.lesson_box.itemData(index))
        # Opened, the list now shows the new lesson; declined or refused, it shows
        # the lesson still open again, never one that is not.
        if self._lesson is not None:
            self._show_in_list(self._lesson)

    def set_presentation(self, presentation: str) -> None:
        self.presentation.setCurrentText(presentation)

    def _rebuild_activations(self) -> None:
        """One activation box per layer 1..L, keeping the names already chosen."""
        sizes = [s for s in re.split(r"[,\s]+", self.layers.text().strip()) if s]
        depth = len(sizes) - 1
        if depth < 1 or depth > 16 or depth == len(self.activation_boxes):
            return
        chosen = [box.currentText() for box in self.activation_boxes]
        while self.activation_row.count():
            widget = self.activation_row.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.activation_boxes = []
        for l in range(depth):
            box = QComboBox()
            box.addItems(list(ACTIVATIONS))
            box.setCurrentText(chosen[l] if l < len(chosen) else
                               (chosen[-1] if chosen else "sigmoid"))
            box.setToolTip(f"activation of layer {l + 1}")
            # The wrapping row places a box at its full width: it may not be squeezed.
            box.setMinimumWidth(box.sizeHint().width())
            self.activation_row.addWidget(box)
            self.activation_boxes.append(box)

    # -- building a lesson ----------------------------------------------------------------
    def document(self) -> dict:
        """The current lesson's document with the fields' values put in."""
        doc = self._lesson.to_json()
        network, training = doc["network"], doc["training"]
        layers = [typed_number(s) for s in re.split(r"[,\s]+", self.layers.text().strip()) if s]
        if layers != list(network["layers"]):
            network["weights"] = network["biases"] = None  # they no longer fit
        if len(layers) != len(network["layers"]):
            doc.pop("step_notes", None)  # the narration was written for the old network
        network["layers"] = layers
        activations = [box.currentText() for box in self.activation_boxes]
        network["activation"] = activations[0] if len(set(activations)) == 1 else activations
        if self.bias.isChecked() != network["bias"]:
            network["biases"] = None
        network["bias"] = self.bias.isChecked()
        network["init"] = self.init.currentText()
        network["seed"] = typed_number(self.seed.text(), blank=0)
        training["loss"] = self.loss.currentText()
        training["learning_rate"] = typed_number(self.learning_rate.text(), blank="")
        training["batch_size"] = typed_number(self.batch_size.text())
        training["l2"] = typed_number(self.l2.text(), blank=0.0)
        training["momentum"] = typed_number(self.momentum.text(), blank=0.0)
        training["epochs"] = typed_number(self.epochs.text(), blank="")
        training["tolerance"] = typed_number(self.tolerance.text())
        doc["presentation"] = self.presentation.currentText()
        return doc

    def build(self) -> Lesson | None:
        """A validated lesson from the fields, or None (with the message shown)."""
        self._clear_errors()
        try:
            # The data object is unchanged: the data it gave is reused, so
            # Apply never reads a CSV again (nor fails if it has moved since).
            lesson = parse_lesson(self.document(), "settings", base=self._lesson.data_folder,
                                  data=self._lesson.dataset, keep_fitting_notes=True)
        except LessonError as exc:
            self._show_error(str(exc))
            return None
        lesson.path = self._lesson.path
        return lesson

    def apply(self) -> None:
        lesson = self.build()
        if lesson is not None:
            self.lessonBuilt.emit(lesson)

    def _show_error(self, text: str) -> None:
        self.message.setText(text)
        key = text.split(": ")[1] if text.count(": ") >= 2 else ""
        for prefix, field in self._fields.items():
            if key.startswith(prefix):
                widgets = ([self.activation_row.itemAt(i).widget()
                            for i in range(self.activation_row.count())]
                           if field is self.activation_row else [field])
                for widget in widgets:
                    # A palette, not a style sheet: style sheets drop the zoomed font.
                    palette = widget.palette()
                    palette.setColor(QPalette.ColorRole.Base, _ERROR_BASE)
                    palette.setColor(QPalette.ColorRole.Button, _ERROR_BASE)
                    palette.setColor(QPalette.ColorRole.Text, _ERROR_TEXT)
                    widget.setPalette(palette)
                    widget.setProperty("invalid", True)
                    widget.setToolTip(text)
                break

    def _clear_errors(self) -> None:
        self.message.setText("")
        for widget in self._line_edits() + [self.loss, self.init] + self.activation_boxes:
            if widget.property("invalid"):
                widget.setPalette(self.palette())
                widget.setProperty("invalid", False)
                widget.setToolTip("")

    @property
    def error_text(self) -> str:
        return self.message.text()

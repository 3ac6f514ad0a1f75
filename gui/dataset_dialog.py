"""File → New lesson from a built-in data set…

Choose one of the engine's data sets (``engine.datasets``: the truth
tables, the 2-D sets, the plane, the digits) by name, with its size,
noise, seed, derived inputs and test fraction. Only the options that apply
to the chosen set are enabled, and the shapes it will give are shown as the
options change, with the network proposed for them (``gui.network_form``:
sizes, activations, loss and training settings chosen from the data's size
and kind, editable). OK makes a lesson with the ``{"dataset": ...}`` data
object of DESIGN.md section 4 and that network
(``gui.data_lesson.lesson_with_data``). A refusal (a field that does not
read, a setting that does not fit) is shown in the dialog, which stays
open with OK disabled; the open lesson is not touched. The sets are
generated in milliseconds (100 000 two-input points included), so this
dialog needs no worker thread.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QLabel, QSpinBox, QVBoxLayout, QWidget)

from engine import limits
from engine.datasets import (DATASET_NAMES, DEFAULTS, DIGITS_COUNT, GENERATED_SETS, MAX_NOISE,
                             TRUTH_TABLES, make_dataset)
from engine.errors import LessonError
from engine.features import FEATURE_NAMES
from engine.lesson import Lesson
from engine.network_proposal import DataSummary

from .data_lesson import lesson_with_data
from .network_form import NetworkForm
from .new_lesson_dialog import NewLessonDialog, held_out_fraction_box

__all__ = ["DataSetDialog", "DESCRIPTIONS"]

DESCRIPTIONS = {
    "xor": "XOR truth table (4 rows)", "and": "AND truth table (4 rows)",
    "or": "OR truth table (4 rows)",
    "xor_quadrants": "XOR quadrants: opposite signs are class 1",
    "circle": "circle: inside radius 0.5 against a ring",
    "gaussians": "two Gaussian clouds", "blobs": "three blobs (one-hot, 3 outputs)",
    "moons": "two interleaved moons", "spiral": "two-arm spiral",
    "plane": "plane: regression y = 0.6·x1 − 0.4·x2 + 0.2",
    "digits": "handwritten digits 8×8 (64 inputs, 10 outputs)",
}


class DataSetDialog(NewLessonDialog):
    """Pick a built-in data set and its options; ``lesson`` holds the result after OK.

    Parameters
    ----------
    lesson : Lesson
        The lesson open now: the dialog starts from its data set and options.
    presentation : str
        The form the window shows now (the new lesson opens in it).
    """

    def __init__(self, lesson: Lesson, presentation: str, parent: QWidget | None = None):
        super().__init__(presentation, parent,
                         title="New lesson from a built-in data set",
                         object_name="dataSetDialog", message_name="dataSetMessage")
        self.summary = QLabel("")
        self.summary.setObjectName("dataSetSummary")
        self.network = NetworkForm()
        self.network.problemChanged.connect(self._show_problem)
        self._data_problem = ""
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_form())
        layout.addWidget(self.summary)
        layout.addWidget(self.network)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self._fill_from(lesson.data_spec)
        self.name_box.currentIndexChanged.connect(self._name_changed)
        for box in (self.samples_box, self.seed_box, self.noise_box, self.fraction_box):
            box.valueChanged.connect(self._update)
        self._name_changed()

    def _build_form(self) -> QFormLayout:
        """The set by name, then its size, noise, seed, test fraction and derived inputs."""
        self.name_box = QComboBox()
        for name in DATASET_NAMES:
            self.name_box.addItem(DESCRIPTIONS.get(name, name), name)
        self.samples_box = QSpinBox()
        self.samples_box.setRange(1, limits.MAX_SAMPLES)
        self.samples_box.setGroupSeparatorShown(True)
        self.samples_box.setToolTip(f"Rows generated, at most {limits.MAX_SAMPLES}")
        self.noise_box = QDoubleSpinBox()
        self.noise_box.setRange(0.0, MAX_NOISE)
        self.noise_box.setSingleStep(0.05)
        self.noise_box.setDecimals(3)
        self.noise_box.setToolTip("Standard deviation of the jitter added to every point")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setToolTip("The data set's own seed: the same options give the same data")
        self.fraction_box = held_out_fraction_box("Share of the rows held out as a test set")
        self.feature_boxes: dict[str, QCheckBox] = {}
        features_row = QHBoxLayout()
        for feature in FEATURE_NAMES:
            box = QCheckBox(feature)
            box.setToolTip(f"add the derived input {feature} after x1, x2")
            box.toggled.connect(self._update)
            self.feature_boxes[feature] = box
            features_row.addWidget(box)
        features_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Data set", self.name_box)
        form.addRow("Samples", self.samples_box)
        form.addRow("Noise σ", self.noise_box)
        form.addRow("Seed", self.seed_box)
        form.addRow("Test fraction", self.fraction_box)
        form.addRow("Derived inputs", features_row)
        return form

    # -- the fields --------------------------------------------------------------------
    def _fill_from(self, spec: dict) -> None:
        """Start from the open lesson's data set and options, else the defaults."""
        name = spec.get("dataset") if isinstance(spec, dict) else None
        self.name_box.setCurrentIndex(max(0, self.name_box.findData(name or "moons")))
        spec = spec if name else {}
        default = DIGITS_COUNT if name == "digits" else DEFAULTS["samples"]
        self.samples_box.setValue(int(spec.get("samples") or default))
        self.noise_box.setValue(float(spec.get("noise") if spec.get("noise") is not None
                                      else DEFAULTS["noise"]))
        self.seed_box.setValue(int(spec.get("seed") or 0))
        self.fraction_box.setValue(float(spec.get("test_fraction") or 0.0))
        for feature in spec.get("features") or ():
            if feature in self.feature_boxes:
                self.feature_boxes[feature].setChecked(True)

    @property
    def name(self) -> str:
        return self.name_box.currentData()

    def _name_changed(self, _index: int | None = None) -> None:
        """Enable the options that apply to this set (DESIGN.md section 4)."""
        name = self.name
        generated = name in GENERATED_SETS
        self.samples_box.setEnabled(name not in TRUTH_TABLES)
        self.samples_box.setMaximum(DIGITS_COUNT if name == "digits" else limits.MAX_SAMPLES)
        if name == "digits" and _index is not None:   # picked now: all the images
            self.samples_box.setValue(DIGITS_COUNT)
        self.noise_box.setEnabled(generated)
        self.seed_box.setEnabled(name not in TRUTH_TABLES)
        self.fraction_box.setEnabled(name not in TRUTH_TABLES)
        for box in self.feature_boxes.values():
            box.setEnabled(generated)
        self._update()

    def options(self) -> dict:
        """The ``data`` object of the lesson file for the fields as they are."""
        name = self.name
        spec: dict = {"dataset": name}
        if name in TRUTH_TABLES:
            return spec
        spec["samples"] = self.samples_box.value()
        if name in GENERATED_SETS:
            spec["noise"] = round(self.noise_box.value(), 6)
            features = [f for f, box in self.feature_boxes.items() if box.isChecked()]
            if features:
                spec["features"] = features
        spec["seed"] = self.seed_box.value()
        spec["test_fraction"] = round(self.fraction_box.value(), 4)
        return spec

    def _make(self):
        spec = self.options()
        return make_dataset(spec["dataset"], spec.get("samples"), spec.get("noise"),
                            spec.get("seed"), spec.get("test_fraction"), spec.get("features"))

    def _update(self, *_args) -> None:
        """Show the shapes the options give and the network proposed for them, or why
        they cannot be used."""
        try:
            data = self._make()
        except LessonError as exc:
            self.summary.setText("")
            self._data_problem = str(exc)
            self._show_problem()
            return
        self._data_problem = ""
        self.network.set_data(DataSummary.of(data.X, data.y))
        self._show_problem()
        held = len(data.X_test)
        self.summary.setText(f"X {data.X.shape[0]} × {data.X.shape[1]}, "
                             f"y {data.y.shape[0]} × {data.y.shape[1]}"
                             + (f", {held} rows held out for testing" if held else ""))

    def _show_problem(self, *_args) -> None:
        """Say what is wrong, the data's options first; OK only when nothing is."""
        problem = self._data_problem or self.network.problem
        self.message.setText(problem)
        self.ok_button.setEnabled(not problem)

    # -- OK ----------------------------------------------------------------------------
    def accept(self) -> None:
        """Build the lesson; stay open with the engine's message when it is refused."""
        try:
            data = self._make()
            notes = (f"The {self.name} data set: {data.X.shape[0]} training rows"
                     + (f" and {len(data.X_test)} test rows" if len(data.X_test) else "")
                     + f"; inputs {', '.join(data.input_names)}.")
            self.lesson = lesson_with_data(self.network.choice(), self.options(), data,
                                           DESCRIPTIONS.get(self.name, self.name), notes,
                                           self._presentation, source="data set")
        except LessonError as exc:
            self.message.setText(str(exc))
            return
        super().accept()

"""Try an input: the learner types an input and sees its forward pass.

The learner types the input's numbers (x1, x2 for a lesson on a plane, whose
derived and constant inputs are then computed as the data's were) and, if
they like, its target, or starts from one of the data set's samples. Enter
(or Forward) asks ``TeachingModel.try_input`` for the pass on the weights of
the iteration shown: a small table holds z and a of every layer, then y and
the error E when a target was typed, one row each, in the learner's names;
clicking a cell writes its formula with its numbers underneath, exactly as
the formula panel would. The pass follows the weights while the learner
steps or trains; training, the history and Undo are never touched.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QTableView, QWidget)

from engine import catalogue
from engine.number_text import shown_number

from ..parts import problem_label, view_column
from ..theme import LIGHT, theme_of
from .throttle import ThrottledView

__all__ = ["TryInputView", "TriedValuesModel"]

HINT = ("Type an input and, if you like, its target, then press Enter: its forward pass "
        "runs on the weights of the iteration shown. Training is not touched.")


class TriedValuesModel(QAbstractTableModel):
    """z and a of each layer (then y and E) of one tried input: a row per matrix, a column
    per neuron; cells past a layer's width are empty."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: list[str] = []       # engine names of the rows
        self.labels: list[str] = []      # their learner names
        self.rows: list[np.ndarray] = []  # each (n,)
        self.decimals = 3
        self.selected: tuple[int, int] | None = None
        self.theme = LIGHT   # the selected cell's yellow and its text are the theme's

    def set_theme(self, theme) -> None:
        """Paint the selected cell in ``theme``'s yellow (a ``gui.theme.Theme``)."""
        self.theme = theme
        if self.selected is not None:
            index = self.index(*self.selected)
            self.dataChanged.emit(index, index)

    def show(self, names: list[str], labels: list[str], rows: list[np.ndarray],
             decimals: int) -> None:
        self.beginResetModel()
        self.names, self.labels, self.rows, self.decimals = names, labels, rows, decimals
        if self.selected is not None and not self.exists(*self.selected):
            self.selected = None
        self.endResetModel()

    def exists(self, row: int, column: int) -> bool:
        return row < len(self.rows) and column < self.rows[row].size

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or not self.rows else max(r.size for r in self.rows)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        row, column = index.row(), index.column()
        if not index.isValid() or not self.exists(row, column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return shown_number(self.rows[row][column], self.decimals)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self.selected == (row, column):
            return QColor(self.theme.active)
        if role == Qt.ItemDataRole.ForegroundRole and self.selected == (row, column):
            return QColor(self.theme.mark_text)  # dark on yellow, in a dark theme too
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.labels[row]}[0,{column}] = {shown_number(self.rows[row][column], None)}"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return self.labels[section] if section < len(self.labels) else None
        return f"neuron {section}"


class TryInputView(ThrottledView):
    """Typed input and target above, the forward pass's table and a cell's formula below."""

    def __init__(self, controller, teaching, parent: QWidget | None = None):
        super().__init__(controller, teaching, parent)
        self.record = None   # the last pass (an IterationRecord of one sample), or None
        self._typed: tuple[str, str] | None = None
        self.caption = QLabel(HINT)
        self.caption.setWordWrap(True)
        self.inputs = QLineEdit()
        self.inputs.setObjectName("triedInput")
        self.target = QLineEdit()
        self.target.setObjectName("triedTarget")
        self.sample = QSpinBox()
        self.sample.setObjectName("triedSample")
        self.use_sample = QPushButton("Use sample")
        self.forward = QPushButton("Forward")
        self.forward.setDefault(True)
        self.problem = problem_label("triedInputProblem")
        self.table = QTableView()
        self.table.setObjectName("triedValues")
        self.model = TriedValuesModel(self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.formula = QLabel("")
        self.formula.setObjectName("triedFormula")
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.output = QLabel("")
        self.output.setObjectName("triedOutput")
        self.output.setWordWrap(True)

        typed = QHBoxLayout()
        self.inputs_label, self.target_label = QLabel("input"), QLabel("target")
        for part in (self.inputs_label, self.inputs, self.target_label, self.target,
                     self.forward):
            typed.addWidget(part, 1 if isinstance(part, QLineEdit) else 0)
        samples = QHBoxLayout()
        samples.addWidget(QLabel("or start from sample"))
        samples.addWidget(self.sample)
        samples.addWidget(self.use_sample)
        samples.addStretch(1)
        view_column(self, [self.caption, typed, samples, self.problem, self.output, self.table,
                           self.formula], self.table)

        self.inputs.returnPressed.connect(self.compute)
        self.target.returnPressed.connect(self.compute)
        self.forward.clicked.connect(self.compute)
        self.use_sample.clicked.connect(self.fill_sample)
        self.table.clicked.connect(self.explain)
        controller.lessonChanged.connect(lambda _lesson: self.new_lesson())
        controller.presentationChanged.connect(self.throttle.mark)
        controller.decimalsChanged.connect(self.throttle.mark)
        controller.positionChanged.connect(self.throttle.mark)
        self.model.set_theme(theme_of(self.palette()))   # built after a theme was chosen
        self.new_lesson()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        # (A palette can arrive while the view is being built, before its model.)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "model"):
            self.model.set_theme(theme_of(self.palette()))

    # -- what the learner does -----------------------------------------------------------

    def new_lesson(self) -> None:
        """A new lesson has other inputs: clear what was typed and say what to type."""
        inputs, targets = self.teaching.input_fields()
        self.inputs_label.setText(f"input ({', '.join(inputs)})" if len(inputs) <= 4
                                  else f"input ({len(inputs)} numbers)")
        self.target_label.setText(f"target ({', '.join(targets)})" if len(targets) <= 4
                                  else f"target ({len(targets)} numbers)")
        self.inputs.setPlaceholderText(", ".join("0.5" for _ in inputs[:4])
                                       + (", …" if len(inputs) > 4 else ""))
        self.target.setPlaceholderText("optional")
        self.inputs.clear()
        self.target.clear()
        self.sample.setRange(0, len(self.controller.lesson.X) - 1)
        self.sample.setValue(0)
        self._typed, self.record = None, None
        self.problem.setText("")
        self.output.setText("")
        self.formula.setText("")
        self.model.selected = None
        self.model.show([], [], [], self.controller.decimals)

    def fill_sample(self) -> None:
        inputs, target = self.teaching.sample_text(self.sample.value())
        self.inputs.setText(inputs)
        self.target.setText(target)
        self.compute()

    def compute(self) -> None:
        """Read what was typed and run its forward pass; a typing mistake is said, and the
        last pass stays on screen."""
        typed = (self.inputs.text(), self.target.text())
        try:
            self.teaching.try_input(*typed)
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.setText("")
        self._typed = typed
        self.redraw()

    def redraw(self) -> None:
        """The pass again on the weights shown now (they move while the learner steps)."""
        self.revision += 1
        if self._typed is None:
            return
        self.record = self.teaching.try_input(*self._typed)
        values, depth = self.record.values, self.record.architecture.depth
        names = [name for l in range(1, depth + 1) for name in (f"z{l}", f"a{l}")]
        if "E" in values:
            names += ["y", "E"]
        self.model.show(names, [self._label(name, depth) for name in names],
                        [values[name][0] for name in names], self.controller.decimals)
        output = ", ".join(shown_number(v, self.controller.decimals)
                           for v in values[f"a{depth}"][0])
        line = f"The network's output: {output}"
        if "E" in values:
            error = ", ".join(shown_number(v, self.controller.decimals) for v in values["E"][0])
            line += f"; error E = y − output: {error}"
        self.output.setText(line)
        if self.model.selected is not None:
            self._write_formula(*self.model.selected)

    def _label(self, name: str, depth: int) -> str:
        """A row's name as its card writes it: the learner's name, and the symbol the
        formulas use when that differs (``hidden_layer_input  z1``)."""
        learner = self.controller.learner(name)
        symbol = catalogue.symbol(name, depth, self.controller.presentation)
        return learner if learner == symbol else f"{learner}  {symbol}"

    def explain(self, index: QModelIndex) -> None:
        if not self.model.exists(index.row(), index.column()):
            return
        self.model.selected = (index.row(), index.column())
        self.model.dataChanged.emit(self.model.index(0, 0),
                                    self.model.index(self.model.rowCount() - 1,
                                                     self.model.columnCount() - 1))
        self._write_formula(index.row(), index.column())

    def _write_formula(self, row: int, column: int) -> None:
        name = self.model.names[row]
        explanation = self.record.explain(name, 0, column, self.controller.presentation,
                                          self.controller.decimals)
        self.formula.setText(explanation.symbolic + "\n" + explanation.text)

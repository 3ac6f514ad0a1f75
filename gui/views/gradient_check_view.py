"""The gradient check: every weight's backprop gradient beside a central difference.

A table (one ``QAbstractTableModel`` over the engine's ``GradientCheck``)
lists layer, matrix, row, column, the backprop gradient, the numerical
gradient, their relative error and pass/fail — coloured blue for pass and
orange for fail, with ✔, ✘ and ⇅ (opposite signs) as well so colour is never
the only cue. A summary line counts passes, fails and sign flips; the line
under it states the rule, its floor and its threshold, all from the engine.
A check box swaps in a deliberately wrong backprop, to watch the check catch
it and read what the wrong formula changes.

The check is made at the session's current weights, time-boxed, and made
again whenever those weights change while training is paused and the view
can be seen (a hidden view only notes that it is out of date).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QPushButton, QTableView, QWidget)

from engine.gradient_check import TOLERANCE, WRONG_FORMULA
from engine.number_text import shown_number

from ..parts import view_column
from ..session_controller import SessionController
from ..teaching_model import TeachingModel

if TYPE_CHECKING:  # the check itself is made by the controller and only read here
    from engine.gradient_check import GradientCheck
from .timeboxed import TimeBoxed

__all__ = ["GradientCheckView", "GradientTableModel", "PASS_COLOUR", "FAIL_COLOUR"]

PASS_COLOUR = "#CFE2F3"   # blue and orange: told apart by every common colour blindness
FAIL_COLOUR = "#F9CB9C"
COLUMNS = ("layer", "matrix", "row", "column", "backprop", "numerical", "relative error",
           "result")
RECHECK_DELAY_MS = 150     # let a burst of steps settle before checking again
GRADIENT_DECIMALS = 6      # backprop and numerical side by side: places enough to compare


class GradientTableModel(QAbstractTableModel):
    """One row per checked weight or bias of a ``GradientCheck``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.check: GradientCheck | None = None
        self.names: dict[str, str] = {}
        self._shown = 0

    def set_check(self, check: GradientCheck | None, names: dict[str, str]) -> None:
        """A new check (new shape of table): reset the model."""
        self.beginResetModel()
        self.check, self.names = check, names
        self._shown = 0 if check is None else check.done
        self.endResetModel()

    def refresh(self) -> None:
        """Rows computed since the last refresh changed: one dataChanged for them."""
        if self.check is None or self.check.done == self._shown:
            return
        first, self._shown = self._shown, self.check.done
        self.dataChanged.emit(self.index(first, 4), self.index(self._shown - 1, len(COLUMNS) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.check is None else self.check.size

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if self.check is None or not index.isValid():
            return None
        row = self.check.row(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and column >= 6 and row.checked:
            return QBrush(QColor(PASS_COLOUR if row.passed else FAIL_COLOUR))
        if role == Qt.ItemDataRole.ForegroundRole and column >= 6 and row.checked:
            return QBrush(QColor("#000000"))  # dark on the pale colours, in a dark theme too
        if role == Qt.ItemDataRole.ToolTipRole and column >= 4:
            if not row.checked:
                return "not computed yet"
            signs = "\nopposite signs, both above the floor" if row.opposite_signs else ""
            return (f"backprop {shown_number(row.backprop, None)}\n"
                    f"numerical {shown_number(row.numerical, None)}\n"
                    f"relative error {shown_number(row.relative_error)} (passes below "
                    f"{shown_number(TOLERANCE)}; floor {shown_number(row.floor)}){signs}")
        return None

    def _text(self, row, column: int) -> str:
        if column == 0:
            return str(row.layer)
        if column == 1:
            return self.names.get(row.matrix, row.matrix)
        if column == 2:
            return str(row.row)
        if column == 3:
            return str(row.column)
        if column == 4:
            return shown_number(row.backprop, GRADIENT_DECIMALS)
        if not row.checked:
            return "…"
        if column == 5:
            return shown_number(row.numerical, GRADIENT_DECIMALS)
        if column == 6:
            return shown_number(row.relative_error)
        if row.opposite_signs:
            return "FAIL ⇅"
        return "pass ✔" if row.passed else "FAIL ✘"


class GradientCheckView(QWidget):
    """Backprop against central differences, with a deliberately wrong formula on demand."""

    def __init__(self, controller: SessionController, teaching: TeachingModel,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller, self.teaching = controller, teaching
        self.check: GradientCheck | None = None
        self.work = TimeBoxed(self)
        self.work.progressed.connect(self._progressed)
        self.work.finished.connect(self._finished)
        self._position = ""
        self._weights_key: int | None = None   # which weights the last check was made at
        self._stale = True

        bar = self._build_bar()
        self.summary = QLabel("")
        self.summary.setObjectName("gradientSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where = QLabel("")
        self.where.setObjectName("gradientWhere")
        self.where.setWordWrap(True)
        table = self._build_table()
        view_column(self, [bar, self.summary, self.where, table], fill=table)

        self._recheck_timer = QTimer(self)
        self._recheck_timer.setSingleShot(True)
        self._recheck_timer.setInterval(RECHECK_DELAY_MS)
        self._recheck_timer.timeout.connect(self.recheck)

        controller.lessonChanged.connect(lambda _lesson: self._schedule())
        controller.positionChanged.connect(self._position_changed)
        controller.runningChanged.connect(self._running_changed)
        controller.edited.connect(self._schedule)
        # The view may be built late (when its dock is first shown): start from where
        # the session is now.
        self._position_changed(controller.position, controller.describe_position())
        if controller.running:
            self._running_changed(True)

    def _build_bar(self) -> QHBoxLayout:
        """The wrong-formula toggle, Check again, Stop and the progress of the check."""
        self.wrong_box = QCheckBox("Deliberately wrong backprop")
        self.wrong_box.setObjectName("wrongBackprop")
        self.wrong_box.setToolTip(WRONG_FORMULA)
        self.wrong_box.toggled.connect(self.recheck)
        self.check_button = QPushButton("Check again")
        self.check_button.clicked.connect(self.recheck)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.work.stop)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        bar = QHBoxLayout()
        bar.addWidget(self.wrong_box)
        bar.addStretch(1)
        bar.addWidget(self.check_button)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.progress)
        return bar

    def _build_table(self) -> QTableView:
        """One row per weight and bias checked, in fixed-height rows."""
        self.model = GradientTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setMinimumHeight(160)   # a handful of rows even in a crowded dock area
        self.table.verticalHeader().setVisible(False)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        return self.table

    @property
    def variant(self) -> str:
        return "seed_002" if self.wrong_box.isChecked() else "correct"

    @property
    def running(self) -> bool:
        return self.work.running or self._recheck_timer.isActive()

    # -- controller → view -------------------------------------------------------------
    def _position_changed(self, position, text: str) -> None:
        self._position = text
        # The committed weights are those after iteration t once its last step is
        # shown, else those before it: only a change of them calls for a new check.
        key = position.iteration + int(position.step == position.steps)
        if key != self._weights_key:
            self._weights_key = key
            self._schedule()

    def _running_changed(self, running: bool) -> None:
        if running:
            self.work.stop()  # training needs the time; the weights move on anyway
            self._recheck_timer.stop()
            self.where.setText("paused while training runs; checked again when it stops")
        else:
            self._schedule()

    def _schedule(self) -> None:
        """Check again soon — unless training runs or nobody can see the view."""
        self._stale = True
        if self.controller.running or not self.isVisible():
            return
        self._recheck_timer.start()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._schedule()

    # -- checking ----------------------------------------------------------------------
    def recheck(self) -> None:
        """Start a new check at the session's current weights."""
        self._recheck_timer.stop()
        if self.controller.running:
            return
        self._stale = False
        self.check = self.teaching.gradient_check(self.variant)
        names = {address[1]: self.controller.learner(address[1])
                 for address in self.check.addresses}
        self.model.set_check(self.check, names)
        self.where.setText(f"at the current weights — {self._position or 'the start'}; "
                           f"{self.check.rule()}")
        self.check_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        check = self.check
        self.work.start(check.advance, lambda: check.finished)
        self._progressed()

    def _progressed(self) -> None:
        if self.check is None:
            return
        self.model.refresh()
        self.progress.setValue(int(1000 * self.check.done / max(1, self.check.size)))
        self._show_summary()

    def _finished(self, completed: bool) -> None:
        self.check_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self._progressed()
        if not completed and self.check is not None and not self.check.finished:
            self.summary.setText(self.summary.text() + " (stopped)")

    def _show_summary(self) -> None:
        check = self.check
        text = check.summary()
        if check.finished:
            mark, colour = ("✔", PASS_COLOUR) if check.passed else ("✘", FAIL_COLOUR)
            text = f"{mark} {text}"
            self.summary.setStyleSheet(f"QLabel#gradientSummary {{ background: {colour}; "
                                       f"color: black; font-weight: bold; padding: 4px; }}")
        else:
            self.summary.setStyleSheet("QLabel#gradientSummary { font-weight: bold; padding: 4px; }")
        self.summary.setText(text)

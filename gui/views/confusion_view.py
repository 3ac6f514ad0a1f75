"""The confusion matrix: for each true class, how many rows the network puts in
each class — the diagonal is right, everything else a mistake of one kind.

``ConfusionView`` shows ``TeachingModel.confusion`` (``engine.metrics``) at
the committed weights, on the training rows or the held-out rows, redrawn
from a timer while Run trains (``ThrottledView``). Each cell holds its count
on a cividis colour (colour-blind safe, dark = few, light = all) scaled by
the share of that true class's rows, so a small class's mistakes show as
well as a large one's. Clicking a cell lists the rows counted there, by the
sample numbers the tables use. A lesson whose targets are not class labels
gets a message instead.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (QComboBox, QHeaderView, QLabel, QSizePolicy,
                               QStackedWidget, QStyledItemDelegate, QTableView, QVBoxLayout,
                               QWidget)

from engine.number_text import shown_number

from ..parts import choice_bar, view_column, view_message
from .accuracy_view import NOT_CLASSES
from .colours import sequential_rgba
from .throttle import ThrottledView

__all__ = ["ConfusionView", "ConfusionModel", "LISTED_SAMPLES", "NOT_NUMBERS"]

LISTED_SAMPLES = 200     # a cell's rows listed by number; past this, how many more
NOT_NUMBERS = ("The network's outputs are not numbers (the run diverged), so it predicts "
               "no class: Reset, or lower the learning rate.")
_ROWS = (("training rows", False), ("held-out rows (test)", True))


class ConfusionModel(QAbstractTableModel):
    """Counts (k, k) — row = true class, column = predicted class — with their colours.

    ``set_counts`` with the same k emits one ``dataChanged``; a new k resets.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.counts = np.zeros((0, 0), dtype=int)
        self.names: tuple[str, ...] = ()
        self._colours: np.ndarray = np.zeros((0, 0, 4), dtype=np.uint8)

    def set_counts(self, counts: np.ndarray, names: tuple[str, ...]) -> None:
        counts = np.asarray(counts, dtype=int)
        rows = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
        colours = sequential_rgba(share, 0.0, 1.0)
        if counts.shape != self.counts.shape or tuple(names) != self.names:
            self.beginResetModel()
            self.counts, self.names, self._colours = counts, tuple(names), colours
            self.endResetModel()
            return
        self.counts, self._colours = counts, colours
        if counts.size:
            self.dataChanged.emit(self.index(0, 0), self.index(*[n - 1 for n in counts.shape]))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.counts.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.counts.shape[1]

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return shown_number(float(self.counts[row, column]), 0)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            red, green, blue, _alpha = (int(v) for v in self._colours[row, column])
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(red, green, blue)
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 140
            return QColor("#000000" if light else "#FFFFFF")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (f"true {self.names[row]}, predicted {self.names[column]}: "
                    f"{self.counts[row, column]}")
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole or section >= len(self.names):
            return None
        return self.names[section]


class _ChosenCellFrame(QStyledItemDelegate):
    """Paints the clicked cell with a thick frame (black inside white, seen on both ends
    of the scale) instead of a selection colour, which would hide its count's colour."""

    def __init__(self, view: "ConfusionView"):
        super().__init__(view)
        self._view = view

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        if self._view.chosen != (index.row(), index.column()):
            return
        painter.save()
        for colour, inset in (("#FFFFFF", 1), ("#000000", 4)):
            painter.setPen(QPen(QColor(colour), 3))
            painter.drawRect(option.rect.adjusted(inset, inset, -inset - 1, -inset - 1))
        painter.restore()


class ConfusionView(ThrottledView):
    """True class × predicted class of the training or held-out rows; a click lists a
    cell's rows."""

    def __init__(self, controller, teaching, parent=None):
        super().__init__(controller, teaching, parent)
        self.chosen: tuple[int, int] | None = None     # (true, predicted) of the clicked cell
        self.confusion = None                          # the engine's Confusion drawn
        self.rows = QComboBox()
        for text, held_out in _ROWS:
            self.rows.addItem(text, held_out)
        self.rows.setToolTip("Which rows to count: those the network trains on, or those "
                             "held out to test it")
        self.rows.currentIndexChanged.connect(self._rows_changed)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        # Its lines and no more: the height left over goes to the plot or table.
        self.caption.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.model = ConfusionModel(self)
        self.table = QTableView()
        self.table.setObjectName("confusionTable")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.table.setItemDelegate(_ChosenCellFrame(self))
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._cell_clicked)
        self.listing = QLabel("Click a cell to list its rows.")
        self.listing.setObjectName("confusionListing")
        self.listing.setWordWrap(True)
        self.listing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = view_message("confusionMessage")

        matrix_page = QWidget()
        column = QVBoxLayout(matrix_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(choice_bar("count the", self.rows))
        column.addWidget(self.caption)
        column.addWidget(self.table, 1)
        column.addWidget(self.listing)
        self.pages = QStackedWidget()
        self.pages.addWidget(matrix_page)
        self.pages.addWidget(self.message)
        view_column(self, [self.pages], fill=self.pages)
        controller.lessonChanged.connect(self._lesson_changed)
        controller.metricsChanged.connect(self.throttle.mark)
        self._lesson_changed()

    @property
    def held_out(self) -> bool:
        """Whether the held-out rows are counted (else the training rows)."""
        return bool(self.rows.currentData())

    def _lesson_changed(self, *_args) -> None:
        held = self.teaching.metric_trail.held_out
        item = self.rows.model().item(1)
        item.setEnabled(held)
        if not held and self.held_out:
            self.rows.setCurrentIndex(0)
        self.chosen = None
        self.throttle.mark()

    def _rows_changed(self, _index: int) -> None:
        self.chosen = None
        self.throttle.mark()
        self.throttle.tick(force=True)   # at once when shown: the choice was just made

    def redraw(self) -> None:
        self.revision += 1
        if not self.teaching.classification:
            self._show_message(NOT_CLASSES)
            return
        self.confusion = self.teaching.confusion(self.held_out)
        if self.confusion is None:
            self._show_message(NOT_NUMBERS)
            return
        self.pages.setCurrentIndex(0)
        counts = self.confusion.counts
        self.model.set_counts(counts, self.teaching.class_names())
        self._fit_columns()
        right = int(np.trace(counts))
        total = int(counts.sum())
        self.caption.setText(
            f"After epoch {self.controller.epochs_done}: {right} of {total} "
            f"{self.rows.currentText()} right (the diagonal). Rows: the true class; columns: "
            "the class the network gives. Colour: the share of the true class's rows, "
            "dark = none, light = all.")
        self._list_chosen()

    def _fit_columns(self) -> None:
        """Columns share the width but never go below the widest count or class name:
        a narrow dock scrolls rather than eliding a count to "1…"."""
        metrics = self.table.fontMetrics()
        texts = [shown_number(float(self.model.counts.max(initial=0)), 0), *self.model.names]
        need = (max(metrics.horizontalAdvance(text) for text in texts)
                + 2 * metrics.averageCharWidth())
        header = self.table.horizontalHeader()
        if header.minimumSectionSize() != need:
            header.setMinimumSectionSize(need)

    def _show_message(self, text: str) -> None:
        self.confusion = None
        self.message.setText(text)
        self.pages.setCurrentIndex(1)

    def _cell_clicked(self, index: QModelIndex) -> None:
        self.chosen = (index.row(), index.column())
        self.table.viewport().update()
        self._list_chosen()

    def _list_chosen(self) -> None:
        """The clicked cell's rows by number, or how to get them."""
        if self.chosen is None or self.confusion is None:
            self.listing.setText("Click a cell to list its rows.")
            return
        true, predicted = self.chosen
        names = self.model.names
        samples = self.confusion.samples(true, predicted)
        which = "held-out row" if self.held_out else "training row"
        head = (f"True {names[true]}, predicted {names[predicted]}: "
                f"{len(samples)} {which}{'' if len(samples) == 1 else 's'}")
        if not len(samples):
            self.listing.setText(head + ".")
            return
        # Training rows by their sample numbers, counted from 0 as the tables count
        # them; held-out rows (the tables never show them) by their place among those.
        numbers = ", ".join(str(int(sample)) for sample in samples[:LISTED_SAMPLES])
        more = len(samples) - LISTED_SAMPLES
        tail = f" … and {more} more" if more > 0 else ""
        where = (", numbered among the held-out rows from 0: " if self.held_out
                 else " — samples ")
        self.listing.setText(f"{head}{where}{numbers}{tail}.")

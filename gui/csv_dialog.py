"""File → Import CSV…: a teacher's own data as a new lesson.

The dialog reads the file with ``engine.csv_import.read_csv_table`` (the
delimiter and the header row detected, both shown and overridable), shows
the first ``PREVIEW_ROWS`` rows, and lets the learner choose the feature
columns and the target columns (several: one output each, e.g. AND and OR
learnt together), one-hot encode a categorical target, normalise the
inputs and hold out a test fraction. Below them, the network the lesson
will have (``gui.network_form``), proposed from what the chosen columns
hold (``engine.csv_import.csv_summary``: inputs, outputs, rows, the kind
of target) and editable. OK builds the lesson
(``engine.csv_import.build_dataset`` for messages that name row and
column, then ``gui.data_lesson.lesson_with_data``: that network on the new
data, as the ``{"csv": ...}`` data object of DESIGN.md section 4).

Reading and building run on the thread pool (``gui.background``) with a
busy bar, so a 100 000-row file never freezes the window. A problem is
shown inside the dialog, which stays open; the lesson already open is
not touched until the window takes ``dialog.lesson`` after OK.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QProgressBar, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from engine import limits
from engine.csv_import import (DELIMITERS, NORMALISATIONS, CsvTable, build_dataset, csv_summary,
                               read_csv_table)
from engine.errors import LessonError
from engine.lesson import Lesson
from engine.network_proposal import NetworkChoice

from .background import BackgroundJob
from .data_lesson import lesson_with_data
from .network_form import NetworkForm
from .new_lesson_dialog import NewLessonDialog, held_out_fraction_box

__all__ = ["CsvImportDialog", "CsvPreviewModel", "CsvChoice", "build_csv_lesson",
           "PREVIEW_ROWS", "LIMIT_NOTE"]

PREVIEW_ROWS = 100
TARGET_COLOUR = QColor("#CDE8D0")      # pale green: not the yellow/orange of the highlights
PROBLEM_COLOUR = QColor("#F9D6D5")     # the pale red of a refused field in the settings dock
_WHERE = re.compile(r"row (\d+), column (\d+)")   # how the engine's messages name a cell
UNUSED_TEXT = QColor("#8A8A8A")
NORMALISE_TEXT = {"none": "none (the numbers as in the file)",
                  "minmax": "min-max: each input to [0, 1]",
                  "zscore": "z-score: each input to mean 0, std 1"}


def count(n: int) -> str:
    """100 000: thousands apart by a space, as a teacher writes them."""
    return f"{n:,}".replace(",", " ")


LIMIT_NOTE = (f"Up to {count(limits.MAX_SAMPLES)} data rows and "
              f"{limits.MAX_FILE_BYTES // 2**20} MB. Every row is kept in memory and shown in "
              f"the tables, and a step computes every matrix for the whole batch, so larger "
              f"files are refused: keep a sample of the rows.")


@dataclass(frozen=True)
class CsvChoice:
    """What the learner chose in the dialog.

    Attributes
    ----------
    path : Path
    delimiter : str
        ``","``, ``";"`` or ``"\\t"`` (as detected or overridden).
    header : bool
        Whether the first row names the columns (as detected or overridden).
    features : tuple of int
        0-based feature columns, in file order.
    targets : tuple of int
        0-based target columns, in file order: one output each (or, one-hot,
        the one column whose labels become the outputs).
    one_hot : bool
    normalise : {'none', 'minmax', 'zscore'}
    test_fraction : float
        Share of the rows held out for testing, in [0, 1).
    """

    path: Path
    delimiter: str
    header: bool
    features: tuple[int, ...]
    targets: tuple[int, ...]
    one_hot: bool
    normalise: str
    test_fraction: float


def build_csv_lesson(table: CsvTable, choice: CsvChoice, network: NetworkChoice,
                     presentation: str) -> Lesson:
    """The lesson on the CSV's data with the network the dialog shows (worker thread).

    ``build_dataset`` runs first on the table already read, so a cell that
    is not a number is reported by row and column of the file; the lesson
    then refers to the file with the ``{"csv": ...}`` data object, columns
    by name when the file has a header, else by index.
    """
    def ref(j: int):
        return table.header[j] if table.header is not None else j

    features = [ref(j) for j in choice.features]
    target = [ref(j) for j in choice.targets]
    data = build_dataset(table, features, target, choice.one_hot, choice.normalise,
                         choice.test_fraction)
    spec = {"csv": str(choice.path.resolve()), "features": features, "target": target,
            "delimiter": DELIMITERS[choice.delimiter], "header": choice.header,
            "one_hot": choice.one_hot, "normalise": choice.normalise,
            "test_fraction": choice.test_fraction}
    m, k = len(data.X), len(data.X_test)
    outputs = (f"one-hot over {len(data.output_names)} labels ({', '.join(data.output_names)})"
               if choice.one_hot else ", ".join(map(repr, data.output_names)))
    notes = (f"Data from {choice.path.name}: {m} training rows"
             + (f" and {k} test rows" if k else "")
             + f"; inputs {', '.join(map(repr, data.input_names))}"
             + ("" if choice.normalise == "none" else f" ({choice.normalise} normalised)")
             + f"; target{'s' * (len(data.output_names) > 1 and not choice.one_hot)} "
             + f"{outputs}.")
    return lesson_with_data(network, spec, data, choice.path.name,
                            notes, presentation, source=choice.path.name)


class CsvPreviewModel(QAbstractTableModel):
    """The first rows of a CSV table as text, the target columns tinted green.

    Rows are labelled with their row in the file (the header is row 1), the
    numbering every message uses; columns not chosen are greyed.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._names: tuple[str, ...] = ()
        self._rows: list[list[str]] = []
        self._row_numbers: list[int] = []
        self._features: set[int] = set()
        self._targets: set[int] = set()
        self._problem: tuple[int, int] | None = None   # (preview row, column) named by a message

    def set_table(self, table: CsvTable | None) -> None:
        self.beginResetModel()
        if table is None:
            self._names, self._rows, self._row_numbers = (), [], []
        else:
            self._names = table.column_names
            self._rows = table.rows[:PREVIEW_ROWS]
            self._row_numbers = table.row_numbers[:PREVIEW_ROWS]
        self._problem = None
        self.endResetModel()

    def mark_problem(self, message: str) -> QModelIndex:
        """Tint the cell a message names (``row 7, column 2``) if the preview shows it.

        Returns its index, invalid when the message names no cell or the row is
        beyond the preview.
        """
        found = _WHERE.search(message)
        self._problem = None
        if found:
            file_row, column = int(found.group(1)), int(found.group(2)) - 1
            if file_row in self._row_numbers and column < len(self._names):
                self._problem = (self._row_numbers.index(file_row), column)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self._names) - 1))
        return self.index(*self._problem) if self._problem else QModelIndex()

    def set_roles(self, features: set[int], targets: set[int]) -> None:
        self._features, self._targets = set(features), set(targets)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self._names) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, len(self._names) - 1))

    def role(self, column: int) -> str:
        if column in self._targets:
            return "target"
        return "feature" if column in self._features else "unused"

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._names)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[r][c]
        if role == Qt.ItemDataRole.BackgroundRole:
            if (r, c) == self._problem:
                return QBrush(PROBLEM_COLOUR)
            return QBrush(TARGET_COLOUR) if self.role(c) == "target" else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if (r, c) == self._problem or self.role(c) == "target":
                return QBrush(QColor("#000000"))
            if self.role(c) == "unused":
                return QBrush(UNUSED_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"row {self._row_numbers[r]}, column {c + 1} ({self._names[c]})"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return f"row {self._row_numbers[section]}" if section < len(self._row_numbers) else None
        if section >= len(self._names):
            return None
        tag = {"target": "  (target)", "unused": "  (not used)"}.get(self.role(section), "")
        return self._names[section] + tag


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class CsvImportDialog(NewLessonDialog):
    """Choose a CSV file and how it becomes a lesson's X and y.

    Parameters
    ----------
    presentation : str
        The form the window shows now (the new lesson opens in it).
    folder : str
        Where the file chooser starts.

    Signals
    -------
    busyChanged(bool)
        Reading or building started (True) or ended (False).
    tableLoaded()
        A file was read and its preview is shown.
    problemShown(str)
        A message is shown in the dialog (the file is malformed, a setting
        does not fit the data); the dialog stays open.

    After ``accepted``, ``lesson`` holds the new lesson.
    """

    busyChanged = Signal(bool)
    tableLoaded = Signal()
    problemShown = Signal(str)

    def __init__(self, presentation: str, parent: QWidget | None = None, folder: str = ""):
        super().__init__(presentation, parent, title="Import CSV",
                         object_name="csvImportDialog", message_name="csvMessage")
        room = self.screen().availableGeometry()     # a 1280×720 projector included
        self.resize(min(960, room.width()), min(700, room.height() - 40))
        self._folder = folder
        self._table: CsvTable | None = None
        self._data_problem = ""        # why the chosen columns give no data (the targets)
        self._checked_problem = ""     # what the columns' or the network's check last said
        self.network = NetworkForm()
        self.network.problemChanged.connect(lambda _text: self._update_enabled())
        self._job: BackgroundJob | None = None
        self._generation = 0           # results of an older read are ignored
        self.model = CsvPreviewModel(self)

        limit = QLabel(LIMIT_NOTE)
        limit.setWordWrap(True)
        limit.setObjectName("csvLimit")
        limit.setEnabled(False)                  # greyed: a note, not a warning
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_file_row())
        layout.addLayout(self._build_detection_row())
        layout.addLayout(self._build_status_row())
        layout.addWidget(QLabel(f"Preview (the first {PREVIEW_ROWS} rows)"))
        layout.addWidget(self._build_preview(), 1)
        choices = QHBoxLayout()        # what the data are beside the network made for them
        choices.addWidget(self._build_columns(), 1)
        choices.addWidget(self.network, 1)
        layout.addLayout(choices)
        layout.addWidget(limit)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._update_enabled()

    # -- the parts the learner sees, top to bottom -------------------------------------
    def _build_file_row(self) -> QHBoxLayout:
        """The file's path, typed or chosen."""
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("a CSV file: numbers separated by commas, "
                                          "semicolons or tabs")
        self.path_edit.returnPressed.connect(lambda: self.load(self.path_edit.text()))
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(choose)
        return file_row

    def _build_detection_row(self) -> QHBoxLayout:
        """Delimiter and header row: detected, or as the learner overrides them."""
        self.delimiter_box = QComboBox()
        self.delimiter_box.addItem("detect", None)
        for char, name in DELIMITERS.items():
            self.delimiter_box.addItem(name, char)
        self.delimiter_box.setToolTip("The character between the values of a row")
        self.header_box = QComboBox()
        self.header_box.addItem("detect", None)
        self.header_box.addItem("yes: row 1 names the columns", True)
        self.header_box.addItem("no: row 1 is data", False)
        for box in (self.delimiter_box, self.header_box):
            # Room for "detect (found semicolon)" once the file is read.
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(26)
            box.activated.connect(self._reread)
        detect_row = QHBoxLayout()
        detect_row.addWidget(QLabel("Delimiter"))
        detect_row.addWidget(self.delimiter_box)
        detect_row.addSpacing(16)
        detect_row.addWidget(QLabel("Header row"))
        detect_row.addWidget(self.header_box)
        detect_row.addStretch(1)
        return detect_row

    def _build_status_row(self) -> QHBoxLayout:
        """What was read, and the busy bar while reading or building."""
        self.status = QLabel("Choose a file to see its first rows.")
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)           # an indeterminate "working" bar
        self.busy_bar.setMaximumWidth(180)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.busy_bar)
        return status_row

    def _build_preview(self) -> QTableView:
        """The first rows of the file, the target column tinted."""
        self.preview = QTableView()
        self.preview.setModel(self.model)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setDefaultSectionSize(110)
        self.preview.setMinimumHeight(120)      # the header and a few rows
        return self.preview

    def _build_columns(self) -> QGroupBox:
        """Feature columns, target columns, one-hot, normalisation and test fraction."""
        self.features_list = QListWidget()
        self.features_list.setToolTip("Tick the columns that are the network's inputs")
        self.features_list.itemChanged.connect(self._roles_changed)
        self.targets_list = QListWidget()
        self.targets_list.setObjectName("csvTargets")
        self.targets_list.setToolTip("Tick the columns the network learns to predict: one "
                                     "output each (tick two to learn AND and OR together)")
        self.targets_list.itemChanged.connect(self._targets_changed)
        self.one_hot_box = QCheckBox("one-hot encode the target (class labels)")
        self.one_hot_box.setToolTip("The labels of one target column, text or numbers, "
                                    "become one output each")
        self.one_hot_box.toggled.connect(self._summarise)
        self.normalise_box = QComboBox()
        for name in NORMALISATIONS:
            self.normalise_box.addItem(NORMALISE_TEXT[name], name)
        self.normalise_box.setToolTip("Computed on the training rows, applied to the test rows")
        self.fraction_box = held_out_fraction_box(
            "Share of the rows held out as a test set (0: train on all)")
        self.fraction_box.valueChanged.connect(self._summarise)
        options = QFormLayout()
        options.addRow(self.one_hot_box)
        options.addRow("Normalise inputs", self.normalise_box)
        options.addRow("Test fraction", self.fraction_box)
        columns = QGroupBox("Columns")
        lists = QHBoxLayout()
        for title, chooser in (("Features (inputs)", self.features_list),
                               ("Targets (outputs)", self.targets_list)):
            # Room for about six columns; the preview above takes what is left.
            chooser.setMinimumHeight(4 * chooser.fontMetrics().height())
            chooser.setMaximumHeight(8 * chooser.fontMetrics().height())
            part = QVBoxLayout()
            part.addWidget(QLabel(title))
            part.addWidget(chooser)
            lists.addLayout(part, 1)
        column = QVBoxLayout(columns)
        column.addLayout(lists, 1)
        column.addLayout(options)
        return columns

    # -- state ---------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None

    @property
    def table(self) -> CsvTable | None:
        return self._table

    def _set_busy(self, job: BackgroundJob | None, what: str = "") -> None:
        self._job = job
        self.busy_bar.setVisible(job is not None)
        if what:
            self.status.setText(what)
        self._update_enabled()
        self.busyChanged.emit(job is not None)

    def _update_enabled(self) -> None:
        """Choices while a table is read and nothing runs; OK only when they make a lesson.

        A problem of the network's fields is said in the message line, as
        the columns' own problem is (that one first).
        """
        ready = self._table is not None and not self.busy
        problem = self._data_problem or self.network.problem
        self.ok_button.setEnabled(ready and not problem)
        for widget in (self.features_list, self.targets_list, self.normalise_box,
                       self.fraction_box):
            widget.setEnabled(ready)
        self.one_hot_box.setEnabled(ready and len(self.targets) <= 1)
        self.network.setEnabled(ready and not self._data_problem)
        if ready and problem and problem != self.message.text():
            self._show_problem(problem)
        elif ready and not problem and self.message.text() == self._checked_problem:
            self.message.setText("")      # what the last check said is mended
        self._checked_problem = problem if ready else ""

    def _show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.problemShown.emit(text)

    # -- reading ---------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import CSV", self._folder,
                                              "CSV files (*.csv *.tsv *.txt);;All files (*)")
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        """Read ``path`` in the background with the delimiter and header as chosen."""
        path = path.strip()
        if not path:
            self._show_problem("give a CSV file first (Choose…)")
            return
        self.path_edit.setText(path)
        self._folder = str(Path(path).parent)
        self._generation += 1
        generation = self._generation
        job = BackgroundJob(read_csv_table, Path(path), self.delimiter_box.currentData(),
                            self.header_box.currentData())
        job.done.connect(lambda table: self._table_read(generation, table))
        job.failed.connect(lambda text: self._read_failed(generation, text))
        self.message.setText("")
        self._set_busy(job.start(), f"reading {Path(path).name} …")

    def _reread(self) -> None:
        if self.path_edit.text().strip():
            self.load(self.path_edit.text())

    def _table_read(self, generation: int, table: CsvTable) -> None:
        if generation != self._generation:
            return
        previous = self._table
        self._table = table
        self._set_busy(None)
        self.delimiter_box.setItemText(0, f"detect (found {DELIMITERS[table.delimiter]})")
        self.header_box.setItemText(0, "detect (found a header)" if table.header is not None
                                    else "detect (found none)")
        self.status.setText(f"{count(len(table.rows))} data rows × {table.width} columns in "
                            f"{table.name}, {DELIMITERS[table.delimiter]}-separated, "
                            + ("with" if table.header is not None else "without")
                            + " a header row")
        self.model.set_table(table)
        same_columns = previous is not None and previous.column_names == table.column_names
        self._fill_columns(keep=same_columns)
        self.tableLoaded.emit()

    def _read_failed(self, generation: int, text: str) -> None:
        if generation != self._generation:
            return
        self._table = None
        self.model.set_table(None)
        self.features_list.clear()
        self.targets_list.clear()
        self._data_problem = ""
        self.network.set_data(None)
        self._set_busy(None, "the file could not be read; nothing was changed")
        if "the limit is" in text and "rows" in text:
            text += ". " + LIMIT_NOTE
        self._show_problem(text)

    def _fill_columns(self, keep: bool) -> None:
        """One tickable item per column in each list: by default the last column is
        the target and every other one a feature."""
        table = self._table
        features = set(self.features) if keep else set(range(table.width - 1))
        targets = set(self.targets) if keep else {table.width - 1}
        for chooser, ticked in ((self.features_list, features), (self.targets_list, targets)):
            chooser.blockSignals(True)
            chooser.clear()
            for j, name in enumerate(table.column_names):
                item = QListWidgetItem(f"{j + 1}. {name}")
                item.setData(Qt.ItemDataRole.UserRole, j)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if j in ticked
                                   else Qt.CheckState.Unchecked)
                chooser.addItem(item)
            chooser.blockSignals(False)
        self._targets_changed()

    # -- choosing columns ----------------------------------------------------------------
    @staticmethod
    def _ticked(chooser: QListWidget) -> list[int]:
        return [chooser.item(i).data(Qt.ItemDataRole.UserRole) for i in range(chooser.count())
                if chooser.item(i).checkState() == Qt.CheckState.Checked]

    @staticmethod
    def _tick(chooser: QListWidget, columns) -> None:
        """Tick exactly ``columns`` (0-based indices) of ``chooser``, quietly."""
        wanted = set(columns)
        chooser.blockSignals(True)
        for i in range(chooser.count()):
            item = chooser.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in wanted else Qt.CheckState.Unchecked)
        chooser.blockSignals(False)

    @property
    def features(self) -> list[int]:
        """The ticked feature columns (0-based), in file order."""
        return self._ticked(self.features_list)

    @property
    def targets(self) -> list[int]:
        """The ticked target columns (0-based), in file order."""
        return self._ticked(self.targets_list)

    @property
    def target(self) -> int | None:
        """The target column when exactly one is ticked, else None."""
        targets = self.targets
        return targets[0] if len(targets) == 1 else None

    def set_features(self, columns) -> None:
        """Tick exactly ``columns`` (0-based indices) as features."""
        self._tick(self.features_list, columns)
        self._roles_changed()

    def set_targets(self, columns) -> None:
        """Tick exactly ``columns`` (0-based indices) as targets."""
        self._tick(self.targets_list, columns)
        self._targets_changed()

    def set_target(self, column: int) -> None:
        """Make ``column`` (0-based) the one target."""
        self.set_targets([column])

    def _targets_changed(self, _item=None) -> None:
        """A target cannot be a feature; one-hot encodes one column, and text labels
        need it."""
        targets = set(self.targets)
        self.features_list.blockSignals(True)
        for i in range(self.features_list.count()):
            item = self.features_list.item(i)
            flags = item.flags()
            if item.data(Qt.ItemDataRole.UserRole) in targets:
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsEnabled)
            else:
                item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled)
        self.features_list.blockSignals(False)
        self.one_hot_box.blockSignals(True)
        if len(targets) > 1:
            self.one_hot_box.setChecked(False)
        elif self._table is not None and targets:
            target = next(iter(targets))
            labels = [row[target] for row in self._table.rows[:PREVIEW_ROWS]]
            if any(label.strip() and not _is_number(label) for label in labels):
                self.one_hot_box.setChecked(True)
        self.one_hot_box.blockSignals(False)
        self._roles_changed()

    def _roles_changed(self, _item=None) -> None:
        self.model.set_roles(set(self.features), set(self.targets))
        self._summarise()

    def _summarise(self, *_args) -> None:
        """Propose the network for the columns as chosen (``engine.csv_import.csv_summary``),
        or say why they give no data (a text label without one-hot: row and column)."""
        table = self._table
        self._data_problem = ""
        summary = None
        if table is not None and not self.busy:
            if not self.features:
                self._data_problem = ("tick at least one feature column: the network needs "
                                      "an input")
            elif not self.targets:
                self._data_problem = ("tick at least one target column: the network needs "
                                      "something to learn")
            else:
                try:
                    summary = csv_summary(table, self.features, self.targets,
                                          self.one_hot_box.isChecked(),
                                          round(self.fraction_box.value(), 4))
                except LessonError as exc:
                    self._data_problem = str(exc)
                    self.model.mark_problem(self._data_problem)
        if summary is not None:
            self.network.set_data(summary)
        self._update_enabled()

    def choice(self) -> CsvChoice | None:
        """What is chosen now, or None (with the reason shown) when it cannot be used."""
        table = self._table
        if table is None:
            self._show_problem("read a CSV file first (Choose…)")
            return None
        if self._data_problem:
            self._show_problem(self._data_problem)
            return None
        return CsvChoice(Path(self.path_edit.text().strip()), table.delimiter,
                         table.header is not None, tuple(self.features), tuple(self.targets),
                         self.one_hot_box.isChecked(), self.normalise_box.currentData(),
                         round(self.fraction_box.value(), 4))

    # -- building ------------------------------------------------------------------------
    def accept(self) -> None:
        """Build the lesson in the background; close only when it is valid."""
        if self.busy:
            return
        choice = self.choice()
        if choice is None:
            return
        try:
            network = self.network.choice()
        except LessonError as exc:
            self._show_problem(str(exc))
            return
        self.message.setText("")
        self._generation += 1
        generation = self._generation
        job = BackgroundJob(build_csv_lesson, self._table, choice, network, self._presentation)
        job.done.connect(lambda lesson: self._built(generation, lesson))
        job.failed.connect(lambda text: self._build_failed(generation, text))
        self._set_busy(job.start(), f"building the lesson from {choice.path.name} …")

    def _built(self, generation: int, lesson: Lesson) -> None:
        if generation != self._generation:
            return
        self._set_busy(None, f"{lesson.title}: X {lesson.X.shape[0]} × {lesson.X.shape[1]}, "
                             f"y {lesson.y.shape[0]} × {lesson.y.shape[1]}")
        self.lesson = lesson
        super().accept()

    def _build_failed(self, generation: int, text: str) -> None:
        if generation != self._generation:
            return
        self._set_busy(None, "the lesson was not built; the open lesson is unchanged")
        cell = self.model.mark_problem(text)
        if cell.isValid():
            self.preview.scrollTo(cell)
        self._show_problem(text)

    def reject(self) -> None:
        self._generation += 1          # a read or build still running is ignored
        self._set_busy(None)
        super().reject()

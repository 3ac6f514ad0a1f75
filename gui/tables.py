"""The iteration's matrices as spreadsheet-style tables.

``ArrayModel`` is a ``QAbstractTableModel`` over one 2-D NumPy array
(Spyder's ArrayModel pattern): ``data()`` formats one cell when the view
asks for it, so a 1797×64 matrix costs no more than a 3×4 one. The active
cell is yellow with a bold frame and its precedents orange with a thin
dashed frame — colour plus shape, for colour-blind viewers and washed-out
projectors. ``MatrixCard`` is one titled table; ``TablesPanel`` lays the
cards out in walk-through order, grouped by phase.

Keyboard and screen readers: Tab and Shift+Tab go from card to card in
walk-through order, the arrows move within a table and select the cell they
land on (as a click does), and a focused card shows a dashed frame in the
highlight colour around it and its cursor cell. Each cell answers Qt's
accessible roles (``gui/screen_reader.py``): ``d_output, sample 0, neuron 0:
0.026`` and where that number comes from.

Every number is written by ``engine.number_text.shown_number``: the fixed
format at the chosen decimals where that keeps two significant digits, else
scientific, so no non-zero value reads as 0.000. An updated weight whose
change is too small to see at those decimals says so beneath its number
(``Δ +6.2e−5``, small and grey) and in its tooltip.
"""
from __future__ import annotations

import functools
import math
import sys
import time
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import (QAbstractTableModel, QEvent, QModelIndex, QPoint, QRect, QRectF, Qt,
                            QTimer, Signal)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QFrame, QHeaderView, QLabel,
                               QLineEdit, QScrollArea, QStyle, QStyledItemDelegate,
                               QStyleOptionFrame, QTableView, QVBoxLayout, QWidget)

from engine.catalogue import column_label, row_label, sample_label
from engine.number_text import LARGE, MINUS, shown_change, shown_number

from .flow_layout import FlowLayout
from .screen_reader import NOT_COMPUTED, cell_name
from .session_controller import MatrixInfo, Selection
from .theme import LIGHT, Theme

__all__ = ["ArrayModel", "MatrixCard", "TablesPanel", "ACTIVE", "PRECEDENT", "RIGHT", "TERM",
           "MarkRole", "ChangeRole", "row_text", "focus_pen", "ACTIVE_COLOUR", "PRECEDENT_COLOUR",
           "RIGHT_COLOUR", "RIGHT_SIGN", "TERM_COLOUR", "MARK_TEXT", "table_geometry"]

# The light theme's mark colours (gui/theme.py owns every theme's colours).
ACTIVE_COLOUR = QColor(LIGHT.active)
PRECEDENT_COLOUR = QColor(LIGHT.precedent)
TERM_COLOUR = QColor(LIGHT.term)  # a deeper orange: the term of an expanded sum being added
# An asked cell answered right (exercise mode): green, dark text on it (WCAG AA ≥ 4.5 in
# every theme), and a tick in its corner for those who cannot tell green from yellow.
RIGHT_COLOUR = QColor(LIGHT.right)
RIGHT_SIGN = "✓"
MARK_TEXT = QColor(LIGHT.mark_text)  # the text on every mark: dark in every theme
HIDDEN_COLOUR = QColor(128, 128, 128, 45)  # "not computed yet", readable in every theme
MarkRole = int(Qt.ItemDataRole.UserRole) + 1
# An updated weight's change when its number text hides it ("Δ +6.2e−5"), else None.
ChangeRole = int(Qt.ItemDataRole.UserRole) + 2
NOTE_SCALE = 0.8  # the change note's font size against the number's
# The input whose old values an update step's cells are compared with.
_UPDATED_INPUT = {"new_W": "W", "new_b": "b"}
ACTIVE, PRECEDENT, RIGHT, TERM = "active", "precedent", "right", "term"
PHASE_TITLES = {"inputs": "Inputs of this iteration", "forward": "Forward pass",
                "error": "Error", "backward": "Backward pass", "update": "Update"}
# Roles as plain ints: a view asks data() for seven roles of every painted cell,
# and comparing ints is much cheaper than looking up and comparing Qt enums.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_TOOL_TIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
_ACCESSIBLE_DESCRIPTION = int(Qt.ItemDataRole.AccessibleDescriptionRole)
_RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# Update tables keep the number on the first line: the change note has the second.
_RIGHT_TOP = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
# The roles that can have an answer; every other role is None without more work.
_PLAIN_ROLES = frozenset({_EDIT, _TOOL_TIP, _ALIGNMENT, MarkRole, _ACCESSIBLE_TEXT,
                          _ACCESSIBLE_DESCRIPTION})
_HIDDEN_ROLES = _PLAIN_ROLES | {_BACKGROUND}
_MARKED_ROLES = _HIDDEN_ROLES | {_FOREGROUND, _FONT}
_DIGITS_AS_EIGHT = str.maketrans("0123456789", "8" * 10)
_WIDEST_NOTE = f"Δ {MINUS}8.8e{MINUS}888"
_BOLD = QFont()
_BOLD.setBold(True)
_LEFT_CENTRED = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def _bold(font: QFont) -> QFont:
    """``font``, bold (the tick on a cell answered right)."""
    bold = QFont(font)
    bold.setBold(True)
    return bold
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsEditable
MAX_VISIBLE_ROWS = 10
MAX_CARD_WIDTH = 760
CURRENT_FRAME_COLOUR = QColor(LIGHT.current_frame)  # the card the last step computed (light)
CURRENT_FRAME_WIDTH = 3
CARD_RADIUS = 6
# Inside the card: the thickest frame plus a margin (left, top, right, bottom), and
# the gap between title, formula and table.
CARD_MARGINS = (CURRENT_FRAME_WIDTH + 6, CURRENT_FRAME_WIDTH + 4, CURRENT_FRAME_WIDTH + 6,
                CURRENT_FRAME_WIDTH + 6)
CARD_SPACING = 3
BUILD_SLICE_S = 0.008  # tables built per event-loop turn after the first paint: half a frame
FOCUS_FRAME_WIDTH = 2  # the dashed frame of the card (and cell) the keyboard is in
# Keys a focused table keeps for itself although the window has them as shortcuts
# (← and → also step): the arrows move the cell cursor within the table.
_TABLE_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down,
                         Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown})


class ArrayModel(QAbstractTableModel):
    """One matrix for a QTableView.

    Parameters
    ----------
    info : MatrixInfo
        Name, shape and labels of the matrix.
    theme : Theme
        The colours of the marks (gui/theme.py); ``set_theme`` changes them.

    Attributes
    ----------
    updates : str or None
        For an update step (``new_W{l}``, ``new_b{l}``), the input it updates
        (``W{l}``, ``b{l}``): the old values its change notes compare with.
    theme : Theme
        The theme its marks are painted in.

    Signals
    -------
    editRequested(str, int, int, str)
        The learner typed ``text`` into cell (row, column) of matrix ``name``;
        the model itself does not change (the controller decides).
    """

    editRequested = Signal(str, int, int, str)

    def __init__(self, info: MatrixInfo, parent=None, theme: Theme = LIGHT):
        super().__init__(parent)
        self.info = info
        self.theme = theme
        self._brushes, self._mark_text = _mark_brushes(theme)
        self._array: np.ndarray | None = None   # shape (rows, columns), or None: not revealed
        self._before: np.ndarray | None = None  # an update's old values, shape as _array
        self._rows = np.arange(info.shape[0])   # sample index of each row, shape (rows,)
        target = _UPDATED_INPUT.get(info.kind)
        self.updates = None if target is None else f"{target}{info.layer}"
        self._set_number_format(3)
        self._active: tuple[int, int] | None = None
        self._precedents: set[tuple[int, int]] = set()
        self._right: set[tuple[int, int]] = set()
        self._term: set[tuple[int, int]] = set()  # an expanded sum's term being added
        # Cells shown while Step cell fills this matrix (the first ones in reading
        # order; the rest blank), or None: all of them.
        self._shown: int | None = None
        self._editable = False
        self._shape = tuple(info.shape)         # cached: rowCount is asked once per painted cell
        self._roles = _HIDDEN_ROLES             # the roles data() answers besides DisplayRole
        self._flags = _FLAGS
        self.explainer = None  # callable (name, row, column) -> str | None, for tooltips
        # callable (name, row, column) -> str | None: where the number comes from, in
        # words (``screen_reader.cell_description``), for the accessible description
        self.describer = None

    # -- what it holds -----------------------------------------------------------
    @property
    def array(self) -> np.ndarray | None:
        return self._array

    @property
    def shape(self) -> tuple[int, int]:
        return self._shape

    def _refresh_cache(self) -> None:
        """Recompute what data(), flags() and rowCount() answer from (after any change)."""
        array = self._array
        self._shape = tuple(self.info.shape if array is None else array.shape)
        if self._active is not None or self._precedents or self._right or self._term:
            self._roles = _MARKED_ROLES
        else:
            plain = array is not None and self._shown is None
            self._roles = _PLAIN_ROLES if plain else _HIDDEN_ROLES
        if self._before is not None and array is not None:
            self._roles = self._roles | {ChangeRole}
        self._flags = _EDITABLE_FLAGS if self._editable and array is not None else _FLAGS

    def set_info(self, info: MatrixInfo) -> None:
        """New labels (presentation) or a new shape (mini-batch tail)."""
        reshape = info.shape != self.shape and self._array is None
        if reshape:
            self.beginResetModel()
        self.info = info
        self._refresh_cache()
        if reshape:
            self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, self.shape[1] - 1))

    def set_values(self, array: np.ndarray | None, rows: np.ndarray | None = None,
                   before: np.ndarray | None = None, shown: int | None = None) -> None:
        """Show ``array`` (2-D) or nothing; one dataChanged when the shape is kept.

        ``before`` is an update's old values (shape as ``array``), from which
        a change too small to see gets its note; ignored by other matrices.
        ``shown``: while Step cell fills the matrix, how many of its cells are
        shown (the first in reading order); the others stay blank.
        """
        shown_changed = shown != self._shown
        self._shown = shown
        if array is not None and array.ndim != 2:
            raise ValueError(f"{self.info.name}: expected a 2-D array, got shape {array.shape}")
        if (self.updates is None or array is None or before is None
                or np.shape(before) != array.shape):
            before = None
        new_shape = self.info.shape if array is None else array.shape
        if new_shape != self.shape:
            self.beginResetModel()
            self._array, self._before = array, before
            self._set_rows(rows, new_shape[0])
            self._refresh_cache()
            self.endResetModel()
            return
        unchanged = (array is not None and self._array is not None
                     and np.array_equal(array, self._array)
                     and (before is None) == (self._before is None)
                     and (before is None or np.array_equal(before, self._before)))
        old_rows = self._rows
        self._array, self._before = array, before
        self._set_rows(rows, new_shape[0])
        self._refresh_cache()
        if not unchanged or shown_changed:  # X and y stay put while training: no repaint
            self._changed()
        if not np.array_equal(old_rows, self._rows):  # another mini-batch
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, max(0, new_shape[0] - 1))

    def _set_rows(self, rows: np.ndarray | None, count: int) -> None:
        if self.info.per_sample and rows is not None and len(rows) == count:
            self._rows = np.asarray(rows)
        else:
            self._rows = np.arange(count)

    def set_term(self, cells: set[tuple[int, int]]) -> None:
        """The cells of an expanded sum's term being added: a deeper orange, framed."""
        if cells == self._term:
            return
        self._term = cells
        self._refresh_cache()
        self._changed()

    @property
    def term(self) -> set[tuple[int, int]]:
        return self._term

    def _hidden(self, r: int, c: int) -> bool:
        """Whether cell (r, c) is not shown yet while Step cell fills the matrix."""
        return self._shown is not None and r * self._shape[1] + c >= self._shown

    def set_marks(self, active: tuple[int, int] | None,
                  precedents: set[tuple[int, int]],
                  right: set[tuple[int, int]] = frozenset()) -> None:
        """Yellow for ``active``, orange for ``precedents`` (row, column) cells, green
        for cells answered ``right`` in exercise mode (over the yellow or orange)."""
        right = set(right)
        if active == self._active and precedents == self._precedents and right == self._right:
            return
        self._active, self._precedents, self._right = active, precedents, right
        self._refresh_cache()
        self._changed()

    def marks(self) -> tuple[tuple[int, int] | None, set[tuple[int, int]]]:
        return self._active, set(self._precedents)

    @property
    def active(self) -> tuple[int, int] | None:
        return self._active

    @property
    def precedents(self) -> set[tuple[int, int]]:
        return self._precedents

    @property
    def right(self) -> set[tuple[int, int]]:
        """The cells answered right in exercise mode, green until the next move."""
        return self._right

    def set_decimals(self, decimals: int) -> None:
        self._set_number_format(decimals)
        self._changed()

    def set_theme(self, theme: Theme) -> None:
        """Paint the marks in ``theme``'s colours."""
        if theme == self.theme:
            return
        self.theme = theme
        self._brushes, self._mark_text = _mark_brushes(theme)
        if self._active is not None or self._precedents or self._right or self._term:
            self._changed()

    def _set_number_format(self, decimals: int) -> None:
        """What the fast path of ``_format`` needs for ``decimals`` places."""
        self._decimals = decimals
        self._fixed_spec = f".{decimals}f"
        # From here up to LARGE the fixed form keeps two significant digits.
        self._fixed_from = 10.0 ** (1 - decimals)
        self._zero_text = shown_number(0.0, decimals)

    @property
    def decimals(self) -> int:
        return self._decimals

    def change(self, r: int, c: int) -> str | None:
        """``Δ +6.2e−5`` when cell (r, c)'s update does not show at these decimals, else None."""
        if self._before is None or self._array is None:
            return None
        return shown_change(float(self._before[r, c]), float(self._array[r, c]), self._decimals)

    def set_editable(self, editable: bool) -> None:
        self._editable = editable and self.info.editable
        self._refresh_cache()

    def _changed(self) -> None:
        rows, columns = self.shape
        if rows and columns:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1))

    def to_tsv(self) -> str:
        """The matrix as tab-separated text with headers (pastes into Excel)."""
        rows, columns = self.shape
        header = "\t".join([self.info.learner] + [self._column_label(c) for c in range(columns)])
        lines = [header]
        for r in range(rows):
            cells = ["" if self._array is None or self._hidden(r, c)
                     else repr(float(self._array[r, c])) for c in range(columns)]
            lines.append("\t".join([self._row_label(r)] + cells))
        return "\n".join(lines) + "\n"

    # -- Qt model interface ----------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._shape[1]

    def data(self, index, role=_DISPLAY):
        # The hot path of every repaint: the number first, then only the roles
        # that can have an answer now (no marks: no colour or font work at all).
        if role == _DISPLAY:
            array = self._array
            if array is None or not index.isValid():
                return None
            if self._shown is not None and self._hidden(index.row(), index.column()):
                return None
            return self._format(float(array[index.row(), index.column()]))
        if role not in self._roles or not index.isValid():
            return None
        if role == _ALIGNMENT:
            return _RIGHT_ALIGNED if self.updates is None else _RIGHT_TOP
        r, c = index.row(), index.column()
        array = self._array
        if array is not None and self._shown is not None and self._hidden(r, c):
            array = None  # a cell Step cell has not shown yet reads as not computed
        if role == _EDIT:
            return None if array is None else float(array[r, c])
        if role == ChangeRole:
            return None if array is None else self.change(r, c)
        if role == _TOOL_TIP:
            return None if array is None else self._tool_tip(r, c)
        if role == _ACCESSIBLE_TEXT:
            return cell_name(self.info.learner, self._row_label(r), self._column_label(c),
                             None if array is None else self._format(float(array[r, c])))
        if role == _ACCESSIBLE_DESCRIPTION:
            return self._description(r, c)
        mark = self._mark(r, c)
        if role == _BACKGROUND:
            if mark == RIGHT:
                return self._brushes[RIGHT]
            if mark == ACTIVE:
                return self._brushes[ACTIVE]
            if mark == TERM:
                return self._brushes[TERM]
            if mark == PRECEDENT:
                return self._brushes[PRECEDENT]
            return QBrush(HIDDEN_COLOUR) if array is None else None
        if role == _FOREGROUND:
            return self._mark_text if mark else None
        if role == _FONT:
            return _BOLD if mark in (ACTIVE, RIGHT) else None
        return mark  # MarkRole

    def _mark(self, r: int, c: int) -> str | None:
        if (r, c) in self._right:
            return RIGHT
        if self._active == (r, c):
            return ACTIVE
        if (r, c) in self._term:
            return TERM
        if (r, c) in self._precedents:
            return PRECEDENT
        return None

    def _format(self, x: float) -> str:
        """``shown_number(x, decimals)``, with its common cases written here for speed."""
        if self._fixed_from <= abs(x) < LARGE:  # NaN fails the test and goes the long way
            text = format(x, self._fixed_spec)
            return text if x > 0 else text.replace("-", MINUS)
        if x == 0.0:
            return self._zero_text
        return shown_number(x, self._decimals)

    def _tool_tip(self, r: int, c: int) -> str | None:
        """The cell's formula with numbers, and its change note when the number hides it."""
        if self._array is None:
            return None
        tip = self.explainer(self.info.name, r, c) if self.explainer else None
        note = self.change(r, c)
        if note is None:
            return tip
        note = f"{note}: the update, too small to show with {self._decimals} decimals"
        return note if tip is None else f"{tip}\n{note}"

    def _description(self, r: int, c: int) -> str | None:
        """What a screen reader says after the cell's name: its colour's meaning, and
        where its number comes from (the describer's words)."""
        mark = self._mark(r, c)
        said = ("selected" if mark == ACTIVE
                else "used by the selected cell" if mark == PRECEDENT
                else "used by the term of the sum being added" if mark == TERM else "")
        words = self.describer(self.info.name, r, c) if self.describer else None
        return "; ".join(part for part in (said, words) if part) or None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._column_label(section)
        return self._row_label(section)

    def _column_label(self, c: int) -> str:
        return column_label(self.info.identity, c)

    def _row_label(self, r: int) -> str:
        return row_text(self.info, r, self._rows)

    def flags(self, index):
        return self._flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        self.editRequested.emit(self.info.name, index.row(), index.column(), str(value))
        return False  # the controller answers through set_values


def _mark_brushes(theme: Theme) -> tuple[dict[str, QBrush], QBrush]:
    """Each mark's background brush in ``theme`` (by ACTIVE, PRECEDENT, TERM, RIGHT),
    and the brush of the text on them."""
    colours = {ACTIVE: theme.active, PRECEDENT: theme.precedent, TERM: theme.term,
               RIGHT: theme.right}
    return ({mark: QBrush(QColor(colour)) for mark, colour in colours.items()},
            QBrush(QColor(theme.mark_text)))


def row_text(info: MatrixInfo, row: int, rows) -> str:
    """How a table labels row ``row`` of ``info``'s matrix (the catalogue's labels);
    ``rows`` is the sample index of each row of the batch, shape (rows,)."""
    if info.per_sample:
        return sample_label(int(rows[row])) if row < len(rows) else ""
    return row_label(info.identity, row)


class NumberDelegate(QStyledItemDelegate):
    """Edits a cell as text holding every digit, not the rounded display."""

    def createEditor(self, parent, option, index):  # noqa: N802
        return QLineEdit(parent)

    def setEditorData(self, editor, index) -> None:  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.setText("" if value is None else repr(value))
        editor.selectAll()

    def setModelData(self, editor, model, index) -> None:  # noqa: N802
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class ChangeNoteDelegate(NumberDelegate):
    """Also draws an update's change note, small and grey, on the line below its number.

    Only update tables get it, so every other table keeps Qt's own painting.
    """

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        note = index.data(ChangeRole)
        if note is None:
            return
        painter.save()
        painter.setFont(note_font(option.font))
        if index.data(MarkRole):  # on yellow or orange: dark, as the number
            painter.setPen(QColor(index.model().theme.mark_note))
        else:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        margin = option.fontMetrics.horizontalAdvance("8") // 2
        painter.drawText(option.rect.adjusted(margin, 0, -margin, -1),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom), note)
        painter.restore()


def note_font(font: QFont) -> QFont:
    """The change note's font: ``font``, NOTE_SCALE as large."""
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * NOTE_SCALE)
    else:  # a font sized in pixels
        small.setPixelSize(max(6, round(font.pixelSize() * NOTE_SCALE)))
    return small


class TableGeometry(NamedTuple):
    """Pixel sizes of one matrix's table, from the font and the shape alone."""

    column_width: int
    row_height: int
    label_width: int
    width: int
    height: int


@functools.lru_cache(maxsize=32)
def widest_numbers(decimals: int) -> tuple[str, ...]:
    """The widest text of each form ``shown_number`` writes at ``decimals``, digits as 8.

    The fixed form just below LARGE (which may round up to eight integer
    digits), the smallest scientific (``−4.9e−324``), the largest
    (``−1.798e308``) and ``−inf``; 8 is the widest digit in most fonts.
    """
    extremes = (-float(np.nextafter(LARGE, 0.0)), -5e-324, -sys.float_info.max, -math.inf)
    return tuple(shown_number(x, decimals).translate(_DIGITS_AS_EIGHT) for x in extremes)


def table_geometry(metrics: QFontMetrics, shape: tuple[int, int], decimals: int,
                   frame: int, scroll_bar: int,
                   note_metrics: QFontMetrics | None = None) -> TableGeometry:
    """The size a table of ``shape`` (rows, columns) takes, never its data.

    ``frame`` is the table's frame width and ``scroll_bar`` the style's scroll
    bar extent; a card without its table yet reserves exactly this size.
    Columns fit every text ``shown_number`` can write at ``decimals``.
    ``note_metrics`` (the note font's, for update tables) adds a line below
    each number for its change note.
    """
    texts = widest_numbers(decimals) + ("neuron 88",)
    column_width = max(metrics.horizontalAdvance(text) for text in texts)
    if note_metrics is not None:
        column_width = max(column_width, note_metrics.horizontalAdvance(_WIDEST_NOTE))
    column_width += 2 * metrics.horizontalAdvance("8")
    row_height = metrics.height() + max(6, metrics.height() // 3)
    if note_metrics is not None:
        row_height += note_metrics.height()
    label_width = metrics.horizontalAdvance("sample 8888") + metrics.horizontalAdvance("88")
    rows, columns = shape
    width = label_width + column_width * columns + 2 * frame
    height = row_height * (min(rows, MAX_VISIBLE_ROWS) + 1) + 2 * frame
    if width > MAX_CARD_WIDTH:
        width = MAX_CARD_WIDTH
        height += scroll_bar
    if rows > MAX_VISIBLE_ROWS:
        width = min(MAX_CARD_WIDTH, width + scroll_bar)
    return TableGeometry(column_width, row_height, label_width, width, height)


# A card's title ends in one of these tags. The title's width is measured with room
# for the widest, so the card keeps its size as its step comes and goes; the formula
# line reads the same before and after its step, so it needs no room for a second line.
NOT_COMPUTED_TAG = f"({NOT_COMPUTED})"
JUST_COMPUTED_TAG = "◀ just computed"
CELL_BY_CELL_TAG = "◀ cell by cell"
TITLE_TAGS = (NOT_COMPUTED_TAG, JUST_COMPUTED_TAG, CELL_BY_CELL_TAG)


def _note_metrics(widget: QWidget, model: ArrayModel) -> QFontMetrics | None:
    """The change note's font metrics for an update table, else None (no note line)."""
    return None if model.updates is None else QFontMetrics(note_font(widget.font()))


def _scroll_bar_extent(widget: QWidget) -> int:
    return widget.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)


def _table_frame_width(widget: QWidget) -> int:
    """The frame width a table gets from ``widget``'s style (a sunken styled panel)."""
    option = QStyleOptionFrame()
    option.initFrom(widget)
    option.frameShape = QFrame.Shape.StyledPanel
    option.state |= QStyle.StateFlag.State_Sunken
    return widget.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, option, widget)


class MatrixView(QTableView):
    """A table sized to its matrix (up to a limit), with fixed row heights.

    Signals
    -------
    cursorMoved(int, int)
        A key moved the cell cursor to (row, column): the cell the learner chose.
    """

    cursorMoved = Signal(int, int)

    def __init__(self, model: ArrayModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        # Tab leaves the table for the next card (TablesPanel), the arrows move within it.
        self.setTabKeyNavigation(False)
        self.setItemDelegate(NumberDelegate(self) if model.updates is None
                             else ChangeNoteDelegate(self))
        # The controller's yellow marks the selected cell; Qt's own selection would hide it.
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setHighlightSections(False)
        self.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight
                                                  | Qt.AlignmentFlag.AlignVCenter)
        self.setWordWrap(False)
        model.modelReset.connect(self.fit)
        self.fit()

    def fit(self) -> None:
        """Size rows, columns and the widget from the font and the shape, never the data."""
        model: ArrayModel = self.model()
        size = table_geometry(self.fontMetrics(), model.shape, model.decimals,
                              self.frameWidth(), _scroll_bar_extent(self),
                              _note_metrics(self, model))
        horizontal, vertical = self.horizontalHeader(), self.verticalHeader()
        horizontal.setDefaultSectionSize(size.column_width)
        horizontal.setMinimumSectionSize(size.column_width // 2)
        vertical.setDefaultSectionSize(size.row_height)
        vertical.setMinimumSectionSize(size.row_height)
        horizontal.setFixedHeight(size.row_height)
        vertical.setFixedWidth(size.label_width)
        self.setFixedSize(size.width, size.height)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.fit()

    def event(self, event) -> bool:
        # The window's ← and → shortcuts step; inside a focused table they move the cursor.
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() in _TABLE_KEYS
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        """Keys that move the cell cursor choose the cell they land on, as a click does
        (the focus arriving sets a cursor too, but chooses nothing)."""
        before = self.currentIndex()
        super().keyPressEvent(event)
        index = self.currentIndex()
        if index.isValid() and index != before:
            self.cursorMoved.emit(index.row(), index.column())

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        self._repaint_card()

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self._repaint_card()

    def _repaint_card(self) -> None:
        """The card around this table draws the focus frame (a table may stand alone)."""
        card = self.parentWidget()
        if card is not None:
            card.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        """Cells as usual, then the second cue: a bold frame on the active cell, a
        dashed one on precedents and a tick on cells answered right (one Python call
        per paint, not one per cell); with the keyboard here, a dashed highlight frame
        inside the cursor cell."""
        super().paintEvent(event)
        model: ArrayModel = self.model()
        active, precedents, term = model.active, model.precedents, model.term
        cursor = self.currentIndex() if self.hasFocus() else None
        if (active is None and not precedents and not model.right and not term
                and (cursor is None or not cursor.isValid())):
            return
        painter = QPainter(self.viewport())
        theme = model.theme
        dash = Qt.PenStyle.DashLine
        for r, c in precedents - term:
            rect = self.visualRect(model.index(r, c))
            if rect.intersects(event.rect()):
                _frame_cell(painter, rect, theme, theme.precedent_border, dash)
        for r, c in term:  # the term being added: solid, between the two
            _frame_cell(painter, self.visualRect(model.index(r, c)), theme, theme.term_border,
                        Qt.PenStyle.SolidLine)
        if model.right:
            # At the left: the number is right-aligned and keeps its room.
            painter.setPen(QPen(QColor(theme.mark_text), 1))
            painter.setFont(_bold(self.font()))
            for r, c in model.right:
                rect = self.visualRect(model.index(r, c)).adjusted(5, 0, -2, 0)
                painter.drawText(rect, _LEFT_CENTRED, RIGHT_SIGN)
        if active is not None:
            _frame_cell(painter, self.visualRect(model.index(*active)), theme,
                        theme.active_border, Qt.PenStyle.SolidLine)
        if cursor is not None and cursor.isValid():
            painter.setPen(focus_pen(self))
            painter.drawRect(self.visualRect(cursor).adjusted(4, 4, -5, -5))
        painter.end()


def _frame_cell(painter: QPainter, rect: QRect, theme: Theme, width: float, style) -> None:
    """A marked cell's border: the marks' dark ink just inside the cell and, where the
    theme is dark, its light halo just outside (over the grid lines), so that the
    border shows against the dark cells around it as well as on the yellow."""
    if theme.mark_halo is not None:
        halo = max(1.5, width / 2)
        # Outside the ink, whose pen reaches width/2 beyond its line one pixel in.
        out = math.ceil(width / 2 + halo / 2 - 1)
        painter.setPen(QPen(QColor(theme.mark_halo), halo, style))
        painter.drawRect(rect.adjusted(-out, -out, out - 1, out - 1))
    painter.setPen(QPen(QColor(theme.mark_text), width, style))
    painter.drawRect(rect.adjusted(1, 1, -2, -2))


def focus_pen(widget: QWidget) -> QPen:
    """The keyboard focus's frame: dashed, in the palette's highlight colour (a shape
    besides the colour, and unlike the just-computed card's solid blue)."""
    return QPen(widget.palette().color(QPalette.ColorRole.Highlight), FOCUS_FRAME_WIDTH,
                Qt.PenStyle.DashLine)


class MatrixCard(QFrame):
    """One matrix: its title (learner name, symbol, shape), formula and table.

    The card's size is worked out from the font, the shape and the texts
    alone, and its parts (two labels and a ``MatrixView``, a dozen widgets in
    all) are made on first use of ``title``, ``formula`` or ``view``, or by
    ``build``. A card below the first screen therefore costs one frame at
    start-up, and the page never moves when its parts arrive. Everything the
    table shows lives in ``model`` from the start.

    Signals
    -------
    cellClicked(int, int)
        The learner clicked cell (row, column) of the table.
    tableBuilt(object)
        The card's ``MatrixView`` has just been built.
    """

    cellClicked = Signal(int, int)
    tableBuilt = Signal(object)

    def __init__(self, info: MatrixInfo, parent=None, theme: Theme = LIGHT, decimals: int = 3):
        super().__init__(parent)
        self.model = ArrayModel(info, self, theme)
        self.model.set_decimals(decimals)  # before the first measure, which fits the numbers
        self._title: QLabel | None = None
        self._formula: QLabel | None = None
        self._view: MatrixView | None = None
        self._current = False
        self._revealed = True
        self._filling = False  # Step cell is showing it cell by cell
        self._laid_out_for: tuple | None = None  # what the parts were last sized for
        self._waiting_table: tuple = (None, None)  # (what it was measured for, its size)
        # A new shape (a mini-batch's shorter tail): the table refits, then the card.
        self.model.modelReset.connect(self.fit)
        self.set_info(info)

    # -- its parts, made on first use -------------------------------------------
    @property
    def name(self) -> str:
        return self.model.info.name

    @property
    def built(self) -> bool:
        return self._view is not None

    @property
    def title(self) -> QLabel:
        self.build()
        return self._title

    @property
    def formula(self) -> QLabel:
        self.build()
        return self._formula

    @property
    def view(self) -> MatrixView:
        """The card's table, built now if it was not yet."""
        self.build()
        return self._view

    def build(self) -> None:
        """Make the title, formula and table (nothing if they are there already)."""
        if self._view is not None:
            return
        self._title = QLabel(self)
        self._title.setTextFormat(Qt.TextFormat.RichText)
        self._formula = QLabel(self)
        self._formula.setObjectName("matrixFormula")
        self._formula.setWordWrap(True)
        self._formula.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        view = MatrixView(self.model, self)
        view.clicked.connect(lambda index: self._choose(index.row(), index.column()))
        view.cursorMoved.connect(self._choose)
        # Enter chooses the cell under the cursor (the one cell of a 1 × 1 matrix, say).
        view.activated.connect(lambda index: self._choose(index.row(), index.column()))
        self._view = view
        self._retitle()
        for part in (self._title, self._formula, view):
            part.show()
        self.tableBuilt.emit(view)

    def _choose(self, row: int, column: int) -> None:
        """A click or a key chose cell (row, column): said once (the press of a click may
        already have moved the cursor there)."""
        if self.model.active != (row, column):
            self.cellClicked.emit(row, column)

    # -- size and texts ------------------------------------------------------------
    def set_info(self, info: MatrixInfo) -> None:
        self.model.set_info(info)
        self._retitle()

    def fit(self) -> None:
        """Size the card and its table to the shape, decimals and font."""
        if self._view is not None:
            self._view.fit()
        self._relayout()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            if self._view is not None:
                self._view.fit()
            self._retitle()

    def _texts(self) -> tuple[str, str]:
        """The title (rich text) and the formula line, as the card's state has them."""
        info = self.model.info
        rows, columns = self.model.shape
        symbol = "" if info.symbol == info.learner else f" &nbsp;<i>{info.symbol}</i>"
        tag = ""
        if not self._revealed:
            tag = f" &nbsp;{NOT_COMPUTED_TAG}"
        elif self._current:
            tag = f" &nbsp;{CELL_BY_CELL_TAG if self._filling else JUST_COMPUTED_TAG}"
        title = f"<b>{info.learner}</b>{symbol} &nbsp;({rows} × {columns}){tag}"
        return title, info.formula

    def _retitle(self) -> None:
        title, formula = self._texts()
        if self._title is not None:
            self._title.setText(title)
            self._formula.setText(formula)
            self._formula.setEnabled(self._revealed)
            self._title.setEnabled(self._revealed)
        rows, columns = self.model.shape
        description = formula if self._revealed else f"{formula}   {NOT_COMPUTED_TAG}"
        # The table is what the keyboard lands on: a screen reader names it as the card.
        for part in [self] if self._view is None else [self, self._view]:
            part.setAccessibleName(f"{self.model.info.learner} ({rows} × {columns})")
            part.setAccessibleDescription(description)
        self._relayout()

    def _relayout(self) -> None:
        """Work out every part's size from the font and texts; place the parts.

        Done again only when something it measures has changed: a new card is
        told of its info, decimals, font and values one after another while the
        window is built, each of which used to size it anew."""
        rows, columns = self.model.shape
        info = self.model.info
        formula_text = info.formula
        font = (self.font().key(), id(self.style()))
        if self._view is not None:
            table_width, table_height = self._view.width(), self._view.height()
        else:  # the size kept for the table, measured again only for a new shape or font
            measured_for = (font, rows, columns, self.model.decimals, self.model.updates)
            if self._waiting_table[0] != measured_for:
                size = table_geometry(self.fontMetrics(), self.model.shape, self.model.decimals,
                                      _table_frame_width(self), _scroll_bar_extent(self),
                                      _note_metrics(self, self.model))
                self._waiting_table = (measured_for, (size.width, size.height))
            table_width, table_height = self._waiting_table[1]
        key = (font, rows, columns, info.learner, info.symbol, formula_text,
               self._view is not None, table_width, table_height)
        if key == self._laid_out_for:
            return
        self._laid_out_for = key
        metrics = self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        # Wide enough for the title and a short formula on one line; longer ones wrap.
        # Measured in bold with room for the widest tag, so the card keeps its width
        # (no reflow) when its step reveals it and the tags come and go.
        title = f"{info.learner}   {info.symbol}   ({rows} × {columns})   "
        text_width = max(table_width, min(MAX_CARD_WIDTH, max(
            bold_metrics.horizontalAdvance(f"{title}{tag} ") for tag in TITLE_TAGS)))
        # One line of rich text (bold, italic), with a pixel or two for fallback glyphs.
        title_height = max(metrics.height(), bold_metrics.height()) + 2
        # The same measure a word-wrapped QLabel makes of itself.
        formula_height = metrics.boundingRect(
            QRect(0, 0, text_width, 1 << 20),
            int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), formula_text).height()
        left, top, right, bottom = CARD_MARGINS
        self.setFixedSize(left + text_width + right, top + title_height + CARD_SPACING
                          + formula_height + CARD_SPACING + table_height + bottom)
        if self._view is not None:
            self._title.setGeometry(left, top, text_width, title_height)
            y = top + title_height + CARD_SPACING
            self._formula.setGeometry(left, y, text_width, formula_height)
            self._view.move(left, y + formula_height + CARD_SPACING)

    # -- state -----------------------------------------------------------------------
    def set_values(self, array: np.ndarray | None, rows: np.ndarray | None,
                   before: np.ndarray | None = None, shown: int | None = None) -> None:
        """Show ``array``; ``before`` is an update's old values, ``shown`` the cells shown
        while Step cell fills it (see ArrayModel.set_values)."""
        was = self._revealed, self._filling
        self.model.set_values(array, rows, before, shown)
        self._revealed, self._filling = array is not None, shown is not None
        if was != (self._revealed, self._filling):
            self._retitle()

    def set_theme(self, theme: Theme) -> None:
        """Marks and the current frame in ``theme``'s colours, repainted now."""
        if theme != self.model.theme:
            self.model.set_theme(theme)
            self.update()

    def set_current(self, current: bool) -> None:
        """Mark (or unmark) this card as the matrix the last step computed."""
        if current != self._current:
            self._current = current
            self._retitle()
            self.update()

    @property
    def current(self) -> bool:
        return self._current

    def paintEvent(self, event) -> None:  # noqa: N802
        """A rounded border; thick and blue on the matrix the last step computed.

        Painted rather than styled: a style sheet makes every table, header and
        scroll bar inside the card re-polish whenever it is added or restyled.
        """
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._current:
            pen = QPen(QColor(self.model.theme.current_frame), CURRENT_FRAME_WIDTH)
        else:
            pen = QPen(self.palette().color(QPalette.ColorRole.Mid), 1)
        painter.setPen(pen)
        inset = pen.widthF() / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset),
                                CARD_RADIUS, CARD_RADIUS)
        if self._view is not None and self._view.hasFocus():
            # The keyboard is in this card: a dashed frame just inside the border.
            inset = CURRENT_FRAME_WIDTH + FOCUS_FRAME_WIDTH / 2 + 1
            painter.setPen(focus_pen(self))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset),
                                    CARD_RADIUS, CARD_RADIUS)
        painter.end()


class TablesPanel(QScrollArea):
    """Every matrix of the iteration, in walk-through order, grouped by phase.

    Cards on screen are built at once; the rest a few at a time once the
    panel has been painted (or as soon as they scroll into view or are used),
    so the window appears without waiting for tables nobody sees yet.

    Signals
    -------
    cellClicked(str, int, int)
        The learner clicked cell (row, column) of matrix ``name``.
    editRequested(str, int, int, str)
        The learner typed a new value into an input cell.
    tableBuilt(str)
        The table of matrix ``name`` has just been built.
    """

    cellClicked = Signal(str, int, int)
    editRequested = Signal(str, int, int, str)
    tableBuilt = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.cards: dict[str, MatrixCard] = {}
        self._names: list[str] = []
        self._flows: list[FlowLayout] = []
        self._decimals = 3
        self._editable = True
        self._current: str | None = None
        self._painted = False
        self._theme = LIGHT
        self.explainer = None
        self.describer = None
        self._leaving = False  # Tab is taking the keyboard out of the tables
        self._container = QWidget()
        self._layout = QVBoxLayout(self._container)
        self._layout.setContentsMargins(10, 8, 10, 10)
        self._layout.setSpacing(6)
        self.setWidget(self._container)
        # The rest of the tables are built a slice at a time between events.
        self._builder = QTimer(self)
        self._builder.setSingleShot(True)
        self._builder.setInterval(0)
        self._builder.timeout.connect(self._build_some_tables)
        self._container.installEventFilter(self)

    # -- structure -----------------------------------------------------------------
    def set_matrices(self, infos: list[MatrixInfo]) -> None:
        """Build (or relabel) the cards for the given matrices."""
        names = [info.name for info in infos]
        if names == self._names:
            for info in infos:
                self.cards[info.name].set_info(info)
            return
        self._clear()
        self._names = names
        # Another lesson's tables start at their top-left corner, row labels in view.
        self.horizontalScrollBar().setValue(0)
        self.verticalScrollBar().setValue(0)
        sections: dict[str, FlowLayout] = {}
        for info in infos:
            if info.phase not in sections:
                # Relative size in rich text, so the heading follows View → Larger text.
                heading = QLabel(f"<span style='font-size:large'><b>"
                                 f"{PHASE_TITLES.get(info.phase, info.phase)}</b></span>")
                heading.setObjectName("phaseHeading")
                self._layout.addWidget(heading)
                # Parents from the start: a widget moved to another parent is told
                # of the new font and lays itself out again.
                holder = QWidget(self._container)
                sections[info.phase] = FlowLayout(holder)
                self._layout.addWidget(holder)
            card = MatrixCard(info, holder, self._theme, self._decimals)
            card.model.set_editable(self._editable)
            card.model.explainer = self.explainer
            card.model.describer = self.describer
            card.fit()
            card.cellClicked.connect(
                lambda row, column, name=info.name: self.cellClicked.emit(name, row, column))
            card.tableBuilt.connect(lambda _view, name=info.name: self.tableBuilt.emit(name))
            card.model.editRequested.connect(self.editRequested)
            sections[info.phase].addWidget(card)
            self.cards[info.name] = card
        self._flows = list(sections.values())
        self._layout.addStretch(1)
        if self.isVisible():
            self._build_tables_on_screen()
        if self._painted:
            self._builder.start()

    def _clear(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.cards = {}
        self._flows = []
        self._current = None

    # -- building the tables -------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._build_tables_on_screen()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._build_tables_on_screen()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._current in self.cards:
            # Larger text moves every card: once they are placed, the matrix just
            # computed is brought back into view.
            QTimer.singleShot(0, self, self._show_current)

    def _bring_into_view(self, card: QWidget) -> None:
        """Scroll so ``card`` shows whole, or — wider than the panel — its title and row
        labels: Qt's ensureWidgetVisible would show a wide card's right end instead."""
        corner = card.mapTo(self._container, QPoint(0, 0))
        half = card.height() // 2
        self.ensureVisible(corner.x(), corner.y() + half, 20, half + 20)

    def _show_current(self) -> None:
        card = self.cards.get(self._current or "")
        if card is None:
            return
        self._layout.activate()
        for flow in self._flows:
            flow.activate()
        self._bring_into_view(card)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        super().scrollContentsBy(dx, dy)
        self._build_tables_on_screen()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        # After the first paint, the tables below the first screen follow.
        if watched is self._container and event.type() == QEvent.Type.Paint:
            self._container.removeEventFilter(self)
            self._painted = True
            self._builder.start()
        return False

    def _build_tables_on_screen(self) -> None:
        """Build the cards that show in the viewport now."""
        waiting = [card for card in self.cards.values() if not card.built]
        if not waiting:
            return
        # Place the cards now (a shown panel lays out only when events run).
        self._layout.activate()
        for flow in self._flows:
            flow.activate()
        seen = QRect(-self._container.pos(), self.viewport().size())
        for card in waiting:
            if QRect(card.mapTo(self._container, QPoint(0, 0)), card.size()).intersects(seen):
                card.build()

    def _build_some_tables(self) -> None:
        """Build waiting cards in walk-through order for one slice of time."""
        deadline = time.perf_counter() + BUILD_SLICE_S
        for card in self.cards.values():
            if not card.built:
                card.build()
                if time.perf_counter() > deadline:
                    self._builder.start()
                    return

    # -- content -------------------------------------------------------------------
    def set_values(self, values: dict) -> None:
        """Every matrix from the controller's snapshot; updates also get their old values,
        and the matrix Step cell is filling its first cells."""
        rows = values.get("__rows__")
        partial, shown_cells, shown = values.get("__partial__", (None, None, None))
        for name, card in self.cards.items():
            updates = card.model.updates
            before = None if updates is None else values.get(updates)
            if name == partial:
                card.set_values(shown_cells, rows, before, shown)
            else:
                card.set_values(values.get(name), rows, before)

    def set_term(self, cells: list[tuple[str, int, int]]) -> None:
        """Light the cells of an expanded sum's term being added, in every table."""
        groups: dict[str, set[tuple[int, int]]] = {}
        for name, r, c in cells:
            groups.setdefault(name, set()).add((r, c))
        for name, card in self.cards.items():
            card.model.set_term(groups.get(name, set()))

    def set_current(self, name: str | None) -> None:
        """Frame the matrix the last step computed and scroll it into view."""
        if name == self._current:
            return
        if self._current in self.cards:
            self.cards[self._current].set_current(False)
        self._current = name
        if name in self.cards:
            self.cards[name].set_current(True)
            self._bring_into_view(self.cards[name])

    def set_selection(self, selection: Selection | None) -> None:
        """Yellow for the selected cell, orange for its precedents, green for cells
        answered right (exercise mode), in every table; an asked cell's card is
        scrolled into view."""
        groups: dict[str, set[tuple[int, int]]] = {}
        for name, r, c in ([] if selection is None else selection.precedents):
            groups.setdefault(name, set()).add((r, c))
        right: dict[str, set[tuple[int, int]]] = {}
        for name, r, c in ([] if selection is None else selection.right):
            right.setdefault(name, set()).add((r, c))
        for name, card in self.cards.items():
            active = None
            if selection is not None and selection.name == name:
                active = (selection.row, selection.column)
            card.model.set_marks(active, groups.get(name, set()), right.get(name, set()))
        if selection is not None and selection.name in self.cards:
            card = self.cards[selection.name]
            index = card.model.index(selection.row, selection.column)
            if index.isValid():
                # The keyboard goes on from the cell chosen, however it was chosen.
                card.view.setCurrentIndex(index)
                card.view.scrollTo(index)
            if selection.asked is not None:  # the learner must see what is asked of them
                self._layout.activate()
                for flow in self._flows:
                    flow.activate()
                self._bring_into_view(card)

    def needed_width(self) -> int:
        """The width in which the widest card shows without scrolling sideways (px)."""
        margins = self._layout.contentsMargins()
        widest = max((card.width() for card in self.cards.values()), default=0)
        return (widest + margins.left() + margins.right() + 2 * self.frameWidth()
                + _scroll_bar_extent(self))

    def scroll_to_start(self) -> None:
        """Show the top-left of the panel and of every table (a new lesson starts there,
        with every row label whole); a lesson resumed mid-iteration then shows the
        matrix it stopped on, once its cards are placed."""
        for area in [self] + [card.view for card in self.cards.values() if card.built]:
            area.horizontalScrollBar().setValue(0)
            area.verticalScrollBar().setValue(0)
        QTimer.singleShot(0, self, self._show_current)

    def set_decimals(self, decimals: int) -> None:
        self._decimals = decimals
        for card in self.cards.values():
            card.model.set_decimals(decimals)
            card.fit()

    def set_theme(self, theme: Theme) -> None:
        """Every card's marks and frame in ``theme`` (gui/theme.py), and the cards made later."""
        self._theme = theme
        for card in self.cards.values():
            card.set_theme(theme)

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        for card in self.cards.values():
            card.model.set_editable(editable)

    def set_explainer(self, explainer) -> None:
        self.explainer = explainer
        for card in self.cards.values():
            card.model.explainer = explainer

    def set_describer(self, describer) -> None:
        """Where a cell's number comes from, in words, for screen readers: a callable
        (name, row, column) -> str | None (see ``ArrayModel.describer``)."""
        self.describer = describer
        for card in self.cards.values():
            card.model.describer = describer

    # -- the keyboard ------------------------------------------------------------------
    def focus_card(self, name: str, reason=Qt.FocusReason.TabFocusReason) -> None:
        """Put the keyboard in card ``name``'s table (built now if need be), in view."""
        card = self.cards[name]
        card.view.setFocus(reason)
        self._bring_into_view(card)

    def _entry_card(self) -> str | None:
        """The card the keyboard enters the tables at: the selected cell's, else the
        matrix just computed, else the first."""
        selected = self._selected_name()
        for name in (selected, self._current):
            if name in self.cards:
                return name
        return next(iter(self.cards), None)

    def _selected_name(self) -> str | None:
        for name, card in self.cards.items():
            if card.model.active is not None:
                return name
        return None

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        # Tabbed to: the keyboard goes on into a table (the panel itself shows nothing).
        if not self._leaving and event.reason() in (Qt.FocusReason.TabFocusReason,
                                                    Qt.FocusReason.BacktabFocusReason):
            name = self._entry_card()
            if name is not None:
                self.focus_card(name, event.reason())

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802
        """Tab and Shift+Tab move from card to card in walk-through order (the cards'
        tables are made in another order), then out of the tables."""
        focused = QApplication.focusWidget()
        names = list(self.cards)
        if focused is self and names:
            self.focus_card(self._entry_card())
            return True
        here = next((i for i, name in enumerate(names) if self.cards[name].built
                     and self.cards[name].view is focused), None)
        if here is None:
            return super().focusNextPrevChild(forward)
        there = here + (1 if forward else -1)
        if 0 <= there < len(names):
            self.focus_card(names[there], Qt.FocusReason.TabFocusReason if forward
                            else Qt.FocusReason.BacktabFocusReason)
            return True
        # Out of the tables: along the window's focus chain, past the panel and every
        # table in it (built in any order, they sit anywhere in that chain).
        self._leaving = True
        try:
            for _ in range(len(names) + 2):
                if not super().focusNextPrevChild(forward):
                    return False
                focused = QApplication.focusWidget()
                if focused is not self and not self.isAncestorOf(focused):
                    return True
        finally:
            self._leaving = False
        return True

    def focused_card(self) -> MatrixCard | None:
        """The card whose table has focus, else the current one."""
        for card in self.cards.values():
            if card.built and card.view.hasFocus():
                return card
        return self.cards.get(self._current) if self._current else None

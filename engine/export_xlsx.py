"""The Excel workbook of an iteration: every computed cell a live formula.

One worksheet per iteration, laid out like the Excel walk-through (seed 003):

* the title, what the sheet shows, the parameter cells and a legend of the
  phase colours. The parameters are named cells on the first sheet —
  ``learning_rate``, and ``l2_lambda`` and ``momentum`` when the lesson uses
  them — so a teacher can change the learning rate and watch every update
  recompute;
* five bands: the iteration's inputs (X and y of the batch, W{l}, b{l}, the
  previous velocities), then its forward, error, backward and update steps
  in the order of DESIGN.md section 3. Each matrix is a block: its names as
  its card shows them (learner name and symbol), its formula and shape, its
  columns labelled as the window labels them (``neuron 0`` ...), then its
  cells, coloured by phase. Rows of per-sample matrices are labelled with the
  sample's index in the data set, counted from 0 as the window counts them.

Every computed cell is a spreadsheet formula over exactly the cells its
engine precedents name (``explain.py``), e.g. ``=MMULT(B12:E12,H12:H15)+H16``
for z (a row of the layer input times a column of W), ``=SUMPRODUCT(..)``
of two rows for the hidden error and of two columns for a weight gradient.
Its cached value is the engine's number, so the workbook reads right even in
a viewer that never recalculates. In the error presentation the backward
blocks hold the negated quantities (d = −delta, e = −error, −grad) and the
updates add, as the walk-through writes them. The only formula without a
reference is a linear layer's slope, ``=1``.

Each number cell has the number format of the form the window writes its
value in (``engine.number_text`` at the window's default 3 decimals):
``0.000``, or ``0.0E+0`` for a non-zero value that would show fewer than two
significant digits there, or ``0.000E+0`` from 10⁷ on; zero is ``0.000``.
The form is chosen per cell from the value written, not by one conditional
format: a format's conditions test the signed value and allow only two
ranges, where four are needed here (zero, small, plain, large) for each
sign, while a plain one-section format reads the same in every program. A
cell keeps its format when a teacher's change recomputes it.

Each later iteration reads its weights, biases and previous velocities from
the previous sheet's update cells, so a change anywhere flows through all of
them. Cells are written row by row in XlsxWriter's ``constant_memory`` mode:
memory stays flat however large the data set.

Spreadsheets evaluate the cross-entropies from a{L} with LN, which equals the
engine's value (computed from z) unless an output saturates to exactly 0 or 1;
there the sheet shows #NUM! where the engine shows a large finite loss.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from . import catalogue
from .errors import LessonError
from .explain import formula_context
from .files import written_path
from .formula import excel_formula
from .iteration import IterationRecord, record_iteration
from .lesson import Lesson
from .number_text import LARGE, shows_as_fixed
from .session import Session
from .steps import PRESENTATIONS, StepSpec, input_names

if TYPE_CHECKING:  # XlsxWriter itself is imported only when a workbook is written
    import xlsxwriter
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

__all__ = ["write_workbook", "write_records", "PARAMETER_NAMES", "PHASE_COLOURS"]

# The workbook's defined names of the parameter cells.
PARAMETER_NAMES = {"learning_rate": "learning rate η", "l2_lambda": "L2 strength λ",
                   "momentum": "momentum μ"}

# Phase → (header fill, cell fill). Yellow and orange stay the app's highlights.
PHASE_COLOURS = {
    "input": ("#BFBFBF", "#F2F2F2"),
    "forward": ("#9BC2E6", "#DDEBF7"),
    "error": ("#F4A6A6", "#FCE4E4"),
    "backward": ("#A9D08E", "#E2EFDA"),
    "update": ("#B4A7D6", "#E8E3F3"),
}
_BANDS = (("input", "Inputs"), ("forward", "Forward pass"), ("error", "Error"),
          ("backward", "Backward pass"), ("update", "Update"))
_HEADER_ROWS = 3          # learner name, formula and shape, the columns' labels
SHOWN_DECIMALS = 3        # the window's default: cells show numbers as its tables do
_FIXED_FROM = 10.0 ** (1 - SHOWN_DECIMALS)  # from here to LARGE 0.000 keeps two digits
_FIRST_BLOCK_COLUMN = 1   # column A holds band titles and sample numbers
_MAX_ROWS, _MAX_COLUMNS = 1_048_576, 16_384

RowFormulas = Callable[[int], list[str]]


# -- public entry points ---------------------------------------------------------
def write_workbook(source: Lesson | Session, path: str | os.PathLike, iterations: int = 1,
                   presentation: str | None = None) -> list[dict[str, str]]:
    """Write the workbook of a lesson's or a session's iterations.

    Parameters
    ----------
    source : Lesson or Session
        A lesson exports its very first iterations (from its initial weights,
        whatever session it may have saved); a session exports the iteration it
        shows, or is about to start, and the ones after it.
    path : str or PathLike
        The ``.xlsx`` file to write (replaced atomically).
    iterations : int
        How many consecutive iterations, one worksheet each.
    presentation : {'gradient', 'error'} or None
        The sign convention; None takes the lesson's own ``presentation``.

    Returns
    -------
    list of dict of str to str
        See ``write_records``.

    Raises
    ------
    LessonError
        When the sheet would exceed Excel's size or the file cannot be written.
    """
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations}")
    session = Session(source) if isinstance(source, Lesson) else source
    lesson = session.lesson
    if isinstance(source, Lesson):
        start = session.initial_state()
    elif session.record is not None:
        start = session.record.start
    else:
        start = session.state
    records = [record_iteration(session.trainer, start)]
    while len(records) < iterations:
        records.append(record_iteration(session.trainer, records[-1].end))
    return write_records(records, path, presentation or lesson.presentation, lesson.title)


def write_records(records: Sequence[IterationRecord], path: str | os.PathLike,
                  presentation: str = "gradient",
                  title: str = "Backprop Tracer") -> list[dict[str, str]]:
    """Write the workbook of consecutive iterations, one worksheet each.

    Parameters
    ----------
    records : sequence of IterationRecord
        Each one starting from the state the one before it ended in.
    path : str or PathLike
    presentation : {'gradient', 'error'}
    title : str
        Written as text in the first cell of every sheet.

    Returns
    -------
    list of dict of str to str
        For each iteration's sheet, where each matrix (input or step name) is:
        ``{"X": "'Iteration 1'!B10:E12", ...}``.

    Raises
    ------
    ValueError
        For no records, records that do not follow one another, or an unknown
        presentation.
    LessonError
        When a sheet would exceed Excel's size or the file cannot be written.
    """
    _check_records(records, presentation)
    sheets: list[_IterationSheet] = []
    for index, record in enumerate(records):
        sheets.append(_IterationSheet(record, index, len(records), presentation,
                                      sheets[-1] if sheets else None))
    _write_sheets(sheets, written_path(path), title)
    return [{name: _sheet_prefix(sheet.name) + block.whole()
             for name, block in sheet.blocks.items()} for sheet in sheets]


def _check_records(records: Sequence[IterationRecord], presentation: str) -> None:
    """ValueError unless there are records, each starting where the one before ended."""
    if not records:
        raise ValueError("no iteration to export")
    if presentation not in PRESENTATIONS:
        raise ValueError(f"unknown presentation {presentation!r}; expected one of "
                         + ", ".join(PRESENTATIONS))
    for earlier, later in zip(records, records[1:]):
        # equal_nan: a diverged iteration's NaN weights are where the next one starts.
        if not np.array_equal(earlier.end.params.flat, later.start.params.flat, equal_nan=True):
            raise ValueError("the records are not consecutive iterations")


def _write_sheets(sheets: list["_IterationSheet"], path: Path, title: str) -> None:
    """Write the sheets to a temporary file beside ``path``, then put it in place."""
    import xlsxwriter  # here rather than at the top: `run` without --xlsx never loads it
    from xlsxwriter.exceptions import XlsxWriterException

    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    workbook = xlsxwriter.Workbook(str(temporary), {"constant_memory": True,
                                                    "nan_inf_to_errors": True})
    try:
        formats = _Formats(workbook)
        for sheet in sheets:
            sheet.write(workbook, formats, title)
        workbook.close()
        os.replace(temporary, path)
    except XlsxWriterException as exc:
        raise LessonError(f"{path}: cannot write the workbook: {exc}") from None
    except OSError as exc:
        raise LessonError(f"{path}: cannot write the workbook: {exc.strerror or exc}") from None
    finally:
        temporary.unlink(missing_ok=True)


# -- cell addresses -----------------------------------------------------------------
@dataclass
class _Block:
    """One matrix on a sheet: where it sits, what it shows, how its cells are named.

    Attributes
    ----------
    name : str
        The matrix name (a step or input name of DESIGN.md section 3).
    phase : str
        A band: ``input``, ``forward``, ``error``, ``backward`` or ``update``.
    values : ndarray, shape (rows, cols)
        The numbers as the presentation shows them (the cached values).
    header : tuple of str
        The learner name line, and the formula line with the shape.
    formulas : callable or None
        Row index → the row's formulas; None for cells written as numbers.
    top, left : int
        Zero-based sheet row and column of cell [0, 0], set by ``place``.
    letters : list of str
        The column letters of the block's columns, set by ``place``.
    """

    name: str
    phase: str
    values: np.ndarray
    header: tuple[str, str]
    formulas: RowFormulas | None = None
    top: int = 0
    left: int = 0
    letters: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.values.shape[0]

    @property
    def cols(self) -> int:
        return self.values.shape[1]

    def place(self, top: int, left: int) -> None:
        """Put cell [0, 0] at zero-based (top, left)."""
        self.top, self.left = top, left
        self.letters = [_column_letters(left + j) for j in range(self.cols)]

    def row_cells(self, i: int) -> list[str]:
        """A1 names of the cells of row i."""
        number = self.top + i + 1
        return [f"{letter}{number}" for letter in self.letters]

    def row_range(self, i: int) -> str:
        """Row i as a range, e.g. ``C12:F12`` (``C12`` for one column)."""
        number = self.top + i + 1
        return _range(f"{self.letters[0]}{number}", f"{self.letters[-1]}{number}")

    def column_range(self, j: int) -> str:
        """Column j as a range, e.g. ``C12:C14`` (``C12`` for one row)."""
        letter = self.letters[j]
        return _range(f"{letter}{self.top + 1}", f"{letter}{self.top + self.rows}")

    def whole(self) -> str:
        """The whole block as a range, e.g. ``C12:F14``."""
        return _range(f"{self.letters[0]}{self.top + 1}",
                      f"{self.letters[-1]}{self.top + self.rows}")


class _Locator:
    """A1 references of a sheet's blocks, by matrix name, for ``formula.excel_formula``."""

    def __init__(self, blocks: dict[str, _Block]):
        self.blocks = blocks

    def cell(self, name: str, r: int, c: int) -> str:
        block = self.blocks[name]
        return f"{block.letters[c]}{block.top + r + 1}"

    def row_range(self, name: str, r: int) -> str:
        return self.blocks[name].row_range(r)

    def column_range(self, name: str, c: int) -> str:
        return self.blocks[name].column_range(c)

    def whole(self, name: str) -> str:
        return self.blocks[name].whole()


def _column_letters(index: int) -> str:
    """A zero-based column index as the sheet names it: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _range(first: str, last: str) -> str:
    """``first:last``, or the one cell when they are the same."""
    return first if first == last else f"{first}:{last}"


def _sheet_prefix(name: str) -> str:
    """``'Iteration 1'!`` — how another sheet's cells are named."""
    return "'" + name.replace("'", "''") + "'!"


# -- the worksheet ---------------------------------------------------------------------
@lru_cache(maxsize=1)
def _formula_sheet_class() -> type:
    """A worksheet class that stores this module's formulas as they are written.

    XlsxWriter rewrites every formula for functions newer than Excel 2010 —
    some thirty regular-expression substitutions per cell, most of the time a
    large export takes. The formulas here use only functions every Excel and
    LibreOffice has (MMULT, SUMPRODUCT, SUMSQ, SUM, EXP, LN, TANH, MAX, ABS,
    IF), so the rewriting can only return them unchanged, and is skipped (a
    test checks that it would change none of them). Should a later XlsxWriter
    rename this hook, the export is merely slower. Made when first asked for,
    so that importing this module does not import XlsxWriter.
    """
    from xlsxwriter.worksheet import Worksheet

    class FormulaSheet(Worksheet):
        def _prepare_formula(self, formula, expand_future_functions=False):
            return formula[1:] if formula.startswith("=") else formula

    return FormulaSheet


# -- formats ---------------------------------------------------------------------------
class _NumberFormats(NamedTuple):
    """One phase's cell formats, one per form ``shown_number`` writes a value in."""

    fixed: Format   # 0.000
    small: Format   # 4.5E-4: two significant digits where 0.000 would show fewer
    large: Format   # 1.235E+7: from LARGE on

    def of_row(self, values: list[float]) -> list[Format]:
        """The format of each value of one row (its non-finite values get any)."""
        # The plain fixed case inline, the rest by the rule: cheaper than NumPy on short rows.
        return [self.fixed if _FIXED_FROM <= abs(v) < LARGE or v == 0.0 else self._other(v)
                for v in values]

    def _other(self, value: float) -> Format:
        magnitude = abs(value)
        if magnitude < 0.9 * _FIXED_FROM and round(magnitude, SHOWN_DECIMALS) != magnitude:
            return self.small  # plainly below the fixed form's reach, and not exact in it
        if shows_as_fixed(value, SHOWN_DECIMALS):
            return self.fixed
        return self.small if magnitude < 1 else self.large


def _number_formats(workbook: xlsxwriter.Workbook, properties: dict) -> _NumberFormats:
    """``properties`` (fill, font) in each of the three number forms at SHOWN_DECIMALS."""
    places = "." + "0" * SHOWN_DECIMALS if SHOWN_DECIMALS else ""
    codes = ("0" + places, "0.0E+0", "0." + "0" * max(1, SHOWN_DECIMALS) + "E+0")
    return _NumberFormats(*(workbook.add_format({**properties, "num_format": code})
                            for code in codes))


class _Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.note = workbook.add_format({"italic": True, "font_color": "#595959"})
        self.label = workbook.add_format({"bold": True})
        self.parameter = workbook.add_format({"bold": True, "bg_color": "#FFFFFF",
                                              "border": 2})
        self.band = {}
        self.name = {}
        self.header = {}
        self.cell = {}
        for phase, (strong, light) in PHASE_COLOURS.items():
            self.band[phase] = workbook.add_format({"bold": True, "font_size": 12,
                                                    "bg_color": strong})
            self.name[phase] = workbook.add_format({"bold": True, "bg_color": strong})
            self.header[phase] = workbook.add_format({"italic": True, "bg_color": light})
            self.cell[phase] = _number_formats(workbook, {"bg_color": light})


# -- one iteration's sheet ---------------------------------------------------------------
class _IterationSheet:
    """The blocks of one iteration, their layout and their formulas.

    Parameters
    ----------
    record : IterationRecord
    index, count : int
        This sheet's position among the exported iterations (from 0), and how many.
    presentation : str
    previous : _IterationSheet or None
        The sheet of the iteration before, whose update cells this one's
        weights, biases and previous velocities read.
    """

    def __init__(self, record: IterationRecord, index: int, count: int, presentation: str,
                 previous: "_IterationSheet | None"):
        self.record = record
        self.index, self.count = index, count
        self.presentation = presentation
        self.previous = previous
        self.name = f"Iteration {index + 1}"
        self.first_sheet = previous.first_sheet if previous is not None else self.name
        self.parameters = ["learning_rate"]
        if record.l2:
            self.parameters.append("l2_lambda")
        if record.momentum:
            self.parameters.append("momentum")
        self.blocks: dict[str, _Block] = {}
        arch = record.architecture
        for name in input_names(arch, record.momentum):
            self.blocks[name] = self._input_block(name)
        m, k = record.values["y"].shape
        for spec in record.steps:
            header = (self._title(spec.name),
                      self._with_shape(spec.name, catalogue.step_formula(
                          spec.name, arch, record.loss, presentation, bool(record.l2),
                          bool(record.momentum), m, k)))
            self.blocks[spec.name] = _Block(spec.name, spec.phase,
                                            record.shown(spec.name, presentation), header)
        self.bands = [(phase, label, [b for b in self.blocks.values() if b.phase == phase])
                      for phase, label in _BANDS]
        self.top_rows = 4 + (len(self.parameters) if previous is None else 1)
        self._layout()
        for spec in record.steps:
            self.blocks[spec.name].formulas = self._step_formulas(spec)

    # -- what each block says -------------------------------------------------
    def _title(self, name: str) -> str:
        """The card's names: learner name and symbol (``d_output (d2)``), or the one symbol."""
        depth = self.record.architecture.depth
        learner = catalogue.learner_name(name, depth, self.presentation)
        symbol = catalogue.symbol(name, depth, self.presentation)
        return learner if learner == symbol else f"{learner} ({symbol})"

    def _with_shape(self, name: str, text: str) -> str:
        rows, cols = self.record.values[name].shape
        return f"{text}   ({rows} × {cols})"

    def _input_block(self, name: str) -> _Block:
        record = self.record
        values = record.values[name]
        if name in ("X", "y"):
            what = "the batch's inputs" if name == "X" else "the batch's targets"
            return _Block(name, "input", values, (self._title(name), self._with_shape(name, what)))
        if self.previous is None:
            matrix = catalogue.identify(name, record.architecture.depth)
            what = matrix.info.meaning.format(l=matrix.layer)
            return _Block(name, "input", values, (self._title(name), self._with_shape(name, what)))
        source = self.previous.blocks[_carried_from(name, record.architecture.depth,
                                                    self.previous.blocks)]
        prefix = _sheet_prefix(self.previous.name)
        block = _Block(name, "input", values,
                       (self._title(name), self._with_shape(
                           name, f"= {source.name} of {self.previous.name}")))
        block.formulas = lambda i: ["=" + prefix + cell for cell in source.row_cells(i)]
        return block

    # -- layout -------------------------------------------------------------
    def _layout(self) -> None:
        """Place the bands one under the other and each band's blocks side by side."""
        top = self.top_rows
        width = _FIRST_BLOCK_COLUMN
        for _, _, blocks in self.bands:
            left = _FIRST_BLOCK_COLUMN
            for block in blocks:
                block.place(top + 1 + _HEADER_ROWS, left)
                left += block.cols + 1
            width = max(width, left)
            top += 1 + _HEADER_ROWS + max(b.rows for b in blocks) + 1
        if top > _MAX_ROWS or width > _MAX_COLUMNS:
            raise LessonError(f"this iteration needs {top} rows and {width} columns; a "
                              f"worksheet holds {_MAX_ROWS} rows and {_MAX_COLUMNS} columns — "
                              f"export a smaller batch or network")
        self.width = width

    # -- formulas -------------------------------------------------------------
    def _step_formulas(self, spec: StepSpec) -> RowFormulas:
        """Row i → formulas of row i of step ``spec``: the catalogue's formula over the blocks."""
        record = self.record
        tree = catalogue.formula_tree(spec.kind, spec.layer, record.architecture, record.loss,
                                      self.presentation, bool(record.l2), bool(record.momentum))
        context = formula_context(record, self.presentation)
        arguments = dict(locate=_Locator(self.blocks), value_of=context["value_of"],
                         shape_of=context["shape_of"], settings=context["settings"])
        columns = range(self.blocks[spec.name].cols)
        return lambda i: [excel_formula(tree, i, j, **arguments) for j in columns]

    # -- writing ------------------------------------------------------------------
    def write(self, workbook: xlsxwriter.Workbook, formats: _Formats, title: str) -> None:
        """Add this iteration's worksheet, writing its rows in order."""
        sheet = workbook.add_worksheet(self.name, worksheet_class=_formula_sheet_class())
        sheet.set_column(0, 0, 18)
        sheet.set_column(_FIRST_BLOCK_COLUMN, max(self.width, _FIRST_BLOCK_COLUMN + 5), 12)
        self._write_top(workbook, sheet, formats, title)
        samples = self.record.rows.tolist()  # counted from 0, as the window's "sample 5"
        depth = self.record.architecture.depth
        row = self.top_rows
        for phase, label, blocks in self.bands:
            sheet.write_string(row, 0, label, formats.band[phase])
            # row by row: in constant-memory mode a row is final once a later one is written
            for line in range(len(blocks[0].header)):
                style = formats.name[phase] if line == 0 else formats.header[phase]
                for block in blocks:
                    sheet.write_string(row + 1 + line, block.left, block.header[line], style)
            if phase != "update":
                sheet.write_string(row + _HEADER_ROWS, 0, "sample", formats.label)
            for block in blocks:  # the columns as the window labels them
                identity = catalogue.identify(block.name, depth)
                for j in range(block.cols):
                    sheet.write_string(row + _HEADER_ROWS, block.left + j,
                                       catalogue.column_label(identity, j), formats.header[phase])
            top = row + 1 + _HEADER_ROWS
            height = max(block.rows for block in blocks)
            for i in range(height):
                if phase != "update" and i < len(samples):
                    sheet.write_number(top + i, 0, samples[i], formats.label)
                for block in blocks:
                    if i < block.rows:
                        _write_block_row(sheet, block, i, formats.cell[phase])
            row = top + height + 1

    def _write_top(self, workbook: xlsxwriter.Workbook, sheet: Worksheet, formats: _Formats,
                   title: str) -> None:
        """Title, what the sheet shows, the parameters and the legend."""
        record = self.record
        sheet.write_string(0, 0, title, formats.title)
        form = ("error form: the backward blocks hold d = −delta, e = −error and −grad; "
                "updates add" if self.presentation == "error"
                else "gradient form: delta = ∂J/∂z; updates subtract")
        batch = (f"epoch {record.start.epoch + 1}, batch {record.start.batch + 1}, "
                 f"{record.rows.size} samples")
        sheet.write_string(1, 0, f"Iteration {self.index + 1} of {self.count} · {batch} · "
                                 f"{form} · every computed cell is a live formula", formats.note)
        row = 2
        if self.previous is None:
            for name in self.parameters:
                value = {"learning_rate": record.learning_rate, "l2_lambda": record.l2,
                         "momentum": record.momentum}[name]
                sheet.write_string(row, 0, PARAMETER_NAMES[name], formats.label)
                sheet.write_number(row, 1, value, formats.parameter)
                sheet.write_string(row, 2, f"named {name}: change it and the sheet recomputes",
                                   formats.note)
                workbook.define_name(name, f"={_sheet_prefix(self.name)}$B${row + 1}")
                row += 1
        else:
            names = ", ".join(PARAMETER_NAMES[name] for name in self.parameters)
            sheet.write_string(row, 0, f"{names}: the named cells on sheet '{self.first_sheet}'",
                               formats.note)
            row += 1
        sheet.write_string(row, 0, "phases", formats.label)
        for column, (phase, label) in enumerate(_BANDS, start=1):
            sheet.write_string(row, column, label, formats.name[phase])


def _carried_from(name: str, depth: int, previous: dict[str, _Block]) -> str:
    """The previous iteration's block that input ``name`` continues from."""
    matrix = catalogue.identify(name, depth)
    carried = catalogue.KINDS[matrix.info.continues].name(matrix.layer)
    return carried if carried in previous else name  # a frozen bias keeps its cells


def _write_block_row(sheet: Worksheet, block: _Block, i: int,
                     cell_formats: _NumberFormats) -> None:
    """Row i of a block: numbers, or formulas with the engine's values cached.

    Each cell's number format is the form its value shows in (see _NumberFormats).
    """
    values = block.values[i] + 0.0  # −0.0 becomes 0.0, which every program shows as 0.000
    row, column = block.top + i, block.left
    numbers = values.tolist()
    formats = cell_formats.of_row(numbers)
    if block.formulas is None:  # nan_inf_to_errors turns a non-finite number into an error
        write = sheet.write_number
        for j, (value, cell_format) in enumerate(zip(numbers, formats)):
            write(row, column + j, value, cell_format)
        return
    if np.isfinite(values).all():
        cached = numbers
    else:
        cached = [float(v) if np.isfinite(v) else "#NUM!" for v in values]
    write = sheet.write_formula
    for j, (formula, value, cell_format) in enumerate(zip(block.formulas(i), cached, formats)):
        write(row, column + j, formula, cell_format, value)

"""The Excel workbook of an iteration: every computed cell a live formula.

One worksheet per iteration, laid out like the Excel walk-through (seed 003):

* the title, what the sheet shows, the parameter cells and a legend of the
  phase colours. The parameters are named cells on the first sheet —
  ``learning_rate``, and ``l2_lambda`` and ``momentum`` when the lesson uses
  them — so a teacher can change the learning rate and watch every update
  recompute;
* five bands: the iteration's inputs (X and y of the batch, W{l}, b{l}, the
  previous velocities), then its forward, error, backward and update steps
  in the order of DESIGN.md section 3. Each matrix is a block: its learner
  name and step name, its formula, its shape, then its cells, coloured by
  phase. Rows of per-sample matrices are labelled with the sample's number
  in the data set (counted from 1).

Every computed cell is a spreadsheet formula over exactly the cells its
engine precedents name (``explain.py``), e.g. ``=MMULT(B12:E12,H12:H15)+H16``
for z (a row of the layer input times a column of W), ``=SUMPRODUCT(..)``
of two rows for the hidden error and of two columns for a weight gradient.
Its cached value is the engine's number, so the workbook reads right even in
a viewer that never recalculates. In the error presentation the backward
blocks hold the negated quantities (d = −delta, e = −error, −grad) and the
updates add, as the walk-through writes them. The only formula without a
reference is a linear layer's slope, ``=1``.

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
from pathlib import Path

import numpy as np
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from .errors import LessonError
from .files import written_path
from .iteration import IterationRecord, record_iteration
from .lesson import Lesson
from .losses import get_loss
from .session import Session
from .steps import PRESENTATIONS, StepSpec, input_names, learner_name, step_formula

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
_HEADER_ROWS = 3          # learner name, formula, shape
_FIRST_BLOCK_COLUMN = 1   # column A holds band titles and sample numbers
_MAX_ROWS, _MAX_COLUMNS = 1_048_576, 16_384

_ACTIVATION = {"sigmoid": "=1/(1+EXP(-{0}))", "tanh": "=TANH({0})", "relu": "=MAX(0,{0})",
               "leaky_relu": "=IF({0}>0,{0},0.01*{0})", "linear": "={0}"}
# slope template and the matrix it reads (DESIGN.md: a{l}, or z{l} for the relu family).
_SLOPE = {"sigmoid": ("={0}*(1-{0})", "a"), "tanh": ("=1-{0}^2", "a"),
          "relu": ("=IF({0}>0,1,0)", "z"), "leaky_relu": ("=IF({0}>0,1,0.01)", "z"),
          "linear": ("=1", "a")}

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
    if not records:
        raise ValueError("no iteration to export")
    if presentation not in PRESENTATIONS:
        raise ValueError(f"unknown presentation {presentation!r}; expected one of "
                         + ", ".join(PRESENTATIONS))
    for earlier, later in zip(records, records[1:]):
        # equal_nan: a diverged iteration's NaN weights are where the next one starts.
        if not np.array_equal(earlier.end.params.flat, later.start.params.flat, equal_nan=True):
            raise ValueError("the records are not consecutive iterations")
    sheets: list[_IterationSheet] = []
    for index, record in enumerate(records):
        sheets.append(_IterationSheet(record, index, len(records), presentation,
                                      sheets[-1] if sheets else None))
    path = written_path(path)
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
    return [{name: _sheet_prefix(sheet.name) + block.whole()
             for name, block in sheet.blocks.items()} for sheet in sheets]


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
        Learner name, formula and shape lines.
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
    header: tuple[str, str, str]
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
        self.letters = [xl_col_to_name(left + j) for j in range(self.cols)]

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


def _range(first: str, last: str) -> str:
    """``first:last``, or the one cell when they are the same."""
    return first if first == last else f"{first}:{last}"


def _cellwise(template: str, *sources: _Block) -> RowFormulas:
    """Formulas of cell [i, j] from cell [i, j] of each source: ``template.format(*cells)``."""
    def row(i: int) -> list[str]:
        return [template.format(*cells) for cells in zip(*(s.row_cells(i) for s in sources))]
    return row


def _sheet_prefix(name: str) -> str:
    """``'Iteration 1'!`` — how another sheet's cells are named."""
    return "'" + name.replace("'", "''") + "'!"


# -- the worksheet ---------------------------------------------------------------------
class _FormulaSheet(Worksheet):
    """A worksheet that stores this module's formulas as they are written.

    XlsxWriter rewrites every formula for functions newer than Excel 2010 —
    some thirty regular-expression substitutions per cell, most of the time a
    large export takes. The formulas here use only functions every Excel and
    LibreOffice has (MMULT, SUMPRODUCT, SUMXMY2, SUMSQ, SUM, EXP, LN, TANH, MAX,
    IF), so the rewriting can only return them unchanged, and is skipped (a
    test checks that it would change none of them). Should a later XlsxWriter
    rename this hook, the export is merely slower.
    """

    def _prepare_formula(self, formula, expand_future_functions=False):
        return formula[1:] if formula.startswith("=") else formula


# -- formats ---------------------------------------------------------------------------
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
            self.cell[phase] = workbook.add_format({"bg_color": light})


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
        for spec in record.steps:
            header = (self._title(spec.name),
                      step_formula(spec, arch, record.loss, presentation, bool(record.l2),
                                   bool(record.momentum)),
                      self._shape(spec.name))
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
        learner = learner_name(name, self.record.architecture, self.presentation)
        return learner if learner == name else f"{learner} ({name})"

    def _shape(self, name: str) -> str:
        rows, cols = self.record.values[name].shape
        return f"shape {rows} × {cols}"

    def _input_block(self, name: str) -> _Block:
        record = self.record
        values = record.values[name]
        if name in ("X", "y"):
            what = "the batch's inputs" if name == "X" else "the batch's targets"
            return _Block(name, "input", values, (self._title(name), what, self._shape(name)))
        if self.previous is None:
            what = ("velocity before this iteration" if name.startswith("previous_velocity")
                    else "this iteration's starting value")
            return _Block(name, "input", values, (self._title(name), what, self._shape(name)))
        source = self.previous.blocks[_carried_from(name, self.previous.blocks)]
        prefix = _sheet_prefix(self.previous.name)
        block = _Block(name, "input", values,
                       (self._title(name), f"= {source.name} of {self.previous.name}",
                        self._shape(name)))
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
        """Row i → formulas of row i of step ``spec``, over its precedents' cells."""
        record, b = self.record, self.blocks
        arch, l, kind = record.architecture, spec.layer, spec.kind
        error_form = self.presentation == "error"
        m = record.values["y"].shape[0]
        previous = b["X"] if l == 1 else b[f"a{l - 1}"]
        if kind == "z":
            weight = b[f"W{l}"]
            columns = [weight.column_range(j) for j in range(weight.cols)]
            bias = b[f"b{l}"].row_cells(0) if arch.bias else [""] * weight.cols
            plus = "+" if arch.bias else ""
            return lambda i: [f"=MMULT({previous.row_range(i)},{c}){plus}{h}"
                              for c, h in zip(columns, bias)]
        if kind == "a":
            act = arch.activation(l).name
            z = b[f"z{l}"]
            if act != "softmax":
                return _cellwise(_ACTIVATION[act], z)

            def softmax(i: int) -> list[str]:
                row = z.row_range(i)
                return [f"=EXP({c}-MAX({row}))/SUMPRODUCT(EXP({row}-MAX({row})))"
                        for c in z.row_cells(i)]
            return softmax
        if kind == "E":
            return _cellwise("={0}-{1}", b["y"], b[f"a{l}"])
        if kind == "loss":
            formula = self._loss_formula()
            return lambda i: [formula]
        if kind == "slope":
            template, source = _SLOPE[arch.activation(l).name]
            return _cellwise(template, b[f"{source}{l}"])
        if kind == "delta" and l == arch.depth:
            loss = get_loss(record.loss)
            sign = "" if error_form else "-"
            if loss.cancels_slope:
                return _cellwise(f"={sign}{{0}}/{m}", b["E"])
            k = record.values["E"].shape[1]
            factor = {"half_sse": "", "sse": "2*", "mse": f"2/({m}*{k})*",
                      "half_mse": f"1/{m}*"}[record.loss]
            return _cellwise(f"={sign}{factor}{{0}}*{{1}}", b["E"], b[f"slope{l}"])
        if kind == "delta":
            return _cellwise("={0}*{1}", b[f"error{l}"], b[f"slope{l}"])
        if kind == "error":
            delta, weight = b[f"delta{l + 1}"], b[f"W{l + 1}"]
            rows = [weight.row_range(j) for j in range(weight.rows)]
            return lambda i: [f"=SUMPRODUCT({delta.row_range(i)},{r})" for r in rows]
        if kind == "grad_W":
            delta, weight = b[f"delta{l}"], b[f"W{l}"]
            columns = [delta.column_range(j) for j in range(delta.cols)]
            if not record.l2:
                return lambda i: [f"=SUMPRODUCT({previous.column_range(i)},{c})"
                                  for c in columns]
            penalty = f"{'-' if error_form else '+'}l2_lambda/{m}*"
            return lambda i: [f"=SUMPRODUCT({previous.column_range(i)},{c}){penalty}{w}"
                              for c, w in zip(columns, weight.row_cells(i))]
        if kind == "grad_b":
            delta = b[f"delta{l}"]
            return lambda i: [f"=SUM({delta.column_range(j)})" for j in range(delta.cols)]
        target = kind[-1]  # W or b
        step = "+" if error_form else "-"  # the error form shows −grad
        if kind.startswith("velocity"):
            return _cellwise(f"=momentum*{{0}}{step}learning_rate*{{1}}",
                             b[f"previous_velocity_{target}{l}"], b[f"grad_{target}{l}"])
        old = b[f"{target}{l}"]
        if record.momentum:
            return _cellwise("={0}+{1}", old, b[f"velocity_{target}{l}"])
        return _cellwise(f"={{0}}{step}learning_rate*{{1}}", old, b[f"grad_{target}{l}"])

    def _loss_formula(self) -> str:
        """J over all of y and a{L} (and every W under L2)."""
        record, b = self.record, self.blocks
        depth = record.architecture.depth
        m, k = record.values["y"].shape
        y, a = b["y"].whole(), b[f"a{depth}"].whole()
        squares = f"SUMXMY2({y},{a})"
        formula = {
            "sse": squares,
            "half_sse": f"0.5*{squares}",
            "mse": f"{squares}/({m}*{k})",
            "half_mse": f"{squares}/(2*{m})",
            "binary_cross_entropy":
                f"-(SUMPRODUCT({y},LN({a}))+SUMPRODUCT(1-{y},LN(1-{a})))/{m}",
            "cross_entropy": f"-SUMPRODUCT({y},LN({a}))/{m}",
        }[record.loss]
        if record.l2:
            weights = ",".join(b[f"W{l}"].whole() for l in range(1, depth + 1))
            formula += f"+l2_lambda/(2*{m})*SUMSQ({weights})"
        return "=" + formula

    # -- writing ------------------------------------------------------------------
    def write(self, workbook: xlsxwriter.Workbook, formats: _Formats, title: str) -> None:
        """Add this iteration's worksheet, writing its rows in order."""
        sheet = workbook.add_worksheet(self.name, worksheet_class=_FormulaSheet)
        sheet.set_column(0, 0, 18)
        sheet.set_column(_FIRST_BLOCK_COLUMN, max(self.width, _FIRST_BLOCK_COLUMN + 5), 12)
        self._write_top(workbook, sheet, formats, title)
        samples = (self.record.rows + 1).tolist()
        row = self.top_rows
        for phase, label, blocks in self.bands:
            sheet.write_string(row, 0, label, formats.band[phase])
            for line in range(_HEADER_ROWS):
                if line == _HEADER_ROWS - 1 and phase != "update":
                    sheet.write_string(row + 1 + line, 0, "sample", formats.label)
                style = formats.name[phase] if line == 0 else formats.header[phase]
                for block in blocks:
                    sheet.write_string(row + 1 + line, block.left, block.header[line], style)
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


def _carried_from(name: str, previous: dict[str, _Block]) -> str:
    """The previous iteration's block that input ``name`` continues from."""
    if name.startswith("previous_velocity_"):
        return "velocity_" + name[len("previous_velocity_"):]
    updated = "new_" + name
    return updated if updated in previous else name  # a frozen bias keeps its cells


def _write_block_row(sheet: Worksheet, block: _Block, i: int, cell_format) -> None:
    """Row i of a block: numbers, or formulas with the engine's values cached."""
    values = block.values[i]
    row, column = block.top + i, block.left
    if block.formulas is None:  # nan_inf_to_errors turns a non-finite number into an error
        write = sheet.write_number
        for j, value in enumerate(values.tolist()):
            write(row, column + j, value, cell_format)
        return
    if np.isfinite(values).all():
        cached = values.tolist()
    else:
        cached = [float(v) if np.isfinite(v) else "#NUM!" for v in values]
    write = sheet.write_formula
    for j, (formula, value) in enumerate(zip(block.formulas(i), cached)):
        write(row, column + j, formula, cell_format, value)

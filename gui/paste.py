"""Pasting a block of numbers (from a spreadsheet or a text editor) into an input table.

The block is checked whole before anything changes: it must fit inside the
matrix from the selected cell, and every cell must be a finite number. A
refused paste changes nothing and says which cell or how much room there
was; an accepted one is one edit: the engine sets the block at once (one
recompute, one repaint) and it is one Undo step.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtGui import QUndoStack

from .session_controller import SessionController
from .undo import EditBlockCommand, parse_number

__all__ = ["parse_block", "paste_block"]


def parse_block(text: str) -> list[list[str]]:
    """The cells of pasted text: rows by line, cells by tab (else ``;`` or ``,``).

    Spreadsheets copy tab-separated rows; a trailing newline is not a row.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    separator = "\t" if "\t" in text else ";" if ";" in text else ","
    return [line.split(separator) for line in lines]


def paste_block(stack: QUndoStack, controller: SessionController, name: str, row: int,
                column: int, text: str) -> bool:
    """Paste ``text`` into matrix ``name`` with its top-left cell at (row, column).

    Returns False, with the reason on ``controller.error``, when nothing
    was pasted.
    """
    current = controller.value(name)
    learner = controller.learner(name)
    if current is None:
        controller.error.emit(f"{learner} is not shown yet; step to it before pasting")
        return False
    if name not in _editable(controller):
        controller.error.emit(f"{learner} is computed by the iteration; paste into X, y, "
                              f"a weight or a bias table")
        return False
    block = parse_block(text)
    if not block:
        controller.error.emit("the clipboard holds no numbers to paste")
        return False
    height, width = len(block), max(len(cells) for cells in block)
    room_rows, room_columns = current.shape[0] - row, current.shape[1] - column
    if height > room_rows or width > room_columns:
        controller.error.emit(
            f"the pasted block is {height}×{width} but {learner} has room for "
            f"{room_rows}×{room_columns} from row {row + 1}, column {column + 1}; "
            f"nothing was pasted")
        return False
    new = np.array(current[row:row + height, column:column + width], dtype=float)
    if not _convert_at_once(block, new) and not _convert_cell_by_cell(controller, block, new):
        return False
    old = np.array(current[row:row + height, column:column + width], dtype=float)
    # Compared bit for bit: pasting -0 over 0 is a change, pasting what is there is none.
    if old.tobytes() == new.tobytes():
        return True
    stack.push(EditBlockCommand(controller, name, row, column, old, new,
                                f"paste {height}×{width} into {learner}"))
    return True


def _convert_at_once(block: list[list[str]], new: np.ndarray) -> bool:
    """The usual paste, full rows of plain finite numbers, into ``new`` at once; False otherwise.

    ``float`` reads what ``parse_number`` reads but the U+2212 minus, which
    the cell-by-cell reading handles (and a ragged block, and the message).
    """
    if any(len(cells) != new.shape[1] for cells in block):
        return False
    try:
        converted = np.array([[float(cell) for cell in cells] for cells in block])
    except ValueError:
        return False
    if not np.isfinite(converted).all():
        return False
    new[...] = converted
    return True


def _convert_cell_by_cell(controller: SessionController, block: list[list[str]],
                          new: np.ndarray) -> bool:
    """Read each cell into ``new``; False, naming the first cell that is not a finite number."""
    for r, cells in enumerate(block):
        for c, cell in enumerate(cells):
            value = parse_number(cell)
            if not isinstance(value, float) or not math.isfinite(value):
                shown = cell if len(cell) <= 20 else cell[:17] + "..."
                controller.error.emit(
                    f"pasted row {r + 1}, column {c + 1}: {shown!r} is not a finite number; "
                    f"expected numbers such as 0.5 or -2e3; nothing was pasted")
                return False
            new[r, c] = value
    return True


def _editable(controller: SessionController) -> set[str]:
    return {info.name for info in controller.matrices() if info.editable}

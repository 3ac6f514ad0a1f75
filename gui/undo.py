"""Editing input cells (X, y, W, b) with Undo and Redo.

An edit is a ``QUndoCommand`` that asks the controller to set the value;
the engine validates it. A refused value never reaches the stack (the
command marks itself obsolete, so QUndoStack drops it) and the controller
has already said why.

The stack is cleared when the iteration shown changes: an edit belongs to
the iteration whose inputs it changed, and re-applying an old weight to a
later iteration would not undo anything meaningful.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand, QUndoStack

from .session_controller import SessionController

__all__ = ["EditBlockCommand", "EditCellCommand", "edit_cell", "parse_number"]


def parse_number(text: str):
    """A float from typed text, or the text itself so the engine can explain the refusal."""
    cleaned = text.strip().replace("−", "-")
    try:
        return float(cleaned)
    except ValueError:
        return text


class EditCellCommand(QUndoCommand):
    """Set cell (row, column) of input matrix ``name`` from ``old`` to ``new``."""

    def __init__(self, controller: SessionController, name: str, row: int, column: int,
                 old: float, new: float):
        super().__init__(f"edit {controller.learner(name)}[{row},{column}]")
        self.controller = controller
        self.address = (name, row, column)
        self.old, self.new = old, new

    def redo(self) -> None:
        if not self.controller.set_value(*self.address, self.new):
            self.setObsolete(True)

    def undo(self) -> None:
        self.controller.set_value(*self.address, self.old)


class EditBlockCommand(QUndoCommand):
    """Set the block of input matrix ``name`` at (row, column) from ``old`` to ``new``.

    A paste: one engine edit, one recompute and one repaint each way, and one
    Undo step. ``old`` and ``new`` are float arrays of one shape (h, w), kept
    as copies so that Undo puts back every bit.
    """

    def __init__(self, controller: SessionController, name: str, row: int, column: int,
                 old: np.ndarray, new: np.ndarray, text: str):
        super().__init__(text)
        self.controller = controller
        self.address = (name, row, column)
        self.old, self.new = np.array(old, dtype=float), np.array(new, dtype=float)

    def redo(self) -> None:
        if not self.controller.set_block(*self.address, self.new):
            self.setObsolete(True)

    def undo(self) -> None:
        self.controller.set_block(*self.address, self.old)


def edit_cell(stack: QUndoStack, controller: SessionController, name: str, row: int,
              column: int, text: str) -> bool:
    """Apply a typed value through the undo stack; False when it was refused."""
    current = controller.value(name)
    if current is None:
        controller.error.emit(f"{name} is not shown yet; step to it before editing")
        return False
    new = parse_number(text)
    outside = not (0 <= row < current.shape[0] and 0 <= column < current.shape[1])
    if not isinstance(new, float) or outside:
        # Let the engine word the refusal, exactly as for a lesson file.
        return controller.set_value(name, row, column, new)
    old = float(current[row, column])
    if new == old:
        return True
    command = EditCellCommand(controller, name, row, column, old, new)
    before = stack.count()
    stack.push(command)  # runs redo(); an obsolete command is dropped by the stack
    return stack.count() > before

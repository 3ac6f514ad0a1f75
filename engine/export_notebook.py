"""The Jupyter notebook of DESIGN.md section 5 (``run LESSON --notebook OUT``).

The notebook holds the exported script's program (``export_script``) in the
order a learner reads it: the lesson's settings, data and starting weights;
then the first iteration step by step, one matrix a code cell in the code
panel's names (``engine.code_lines``), each under a markdown cell with the
matrix's card formula and the lesson's step note; then the training program,
whose last cell trains and prints ``final_loss <repr>`` as the script does.
It needs only NumPy.

It is written as the nbformat v4 structure with ``json`` (nbformat itself is
a test dependency, not the app's: the tests validate every notebook against
its schema and run one with nbclient), with cell ids numbered in order so the
same lesson always gives the same file.
"""
from __future__ import annotations

import json
import os

import numpy as np

from . import catalogue
from .code_lines import code_lines
from .export_script import _array, _float, joined, script_sections
from .files import atomic_write_text
from .iteration import record_iteration
from .lesson import Lesson
from .session import Session
from .step_notes import render_note

__all__ = ["notebook", "notebook_text", "write_notebook"]

NBFORMAT, NBFORMAT_MINOR = 4, 5


def _cells_source(text: str) -> list[str]:
    """A cell's source as nbformat keeps it: lines, each but the last with its newline."""
    return text.rstrip("\n").splitlines(keepends=True)


class _Cells:
    """The notebook's cells in order, with ids ``cell-1``, ``cell-2``, ..."""

    def __init__(self):
        self.cells: list[dict] = []

    def _add(self, cell: dict) -> None:
        cell["id"] = f"cell-{len(self.cells) + 1}"
        self.cells.append(cell)

    def markdown(self, text: str) -> None:
        self._add({"cell_type": "markdown", "metadata": {}, "source": _cells_source(text)})

    def code(self, text: str) -> None:
        self._add({"cell_type": "code", "metadata": {}, "execution_count": None,
                   "outputs": [], "source": _cells_source(text)})


def _introduction(lesson: Lesson, epochs: int) -> str:
    arch = lesson.architecture
    lines = [f"# {lesson.title}", ""]
    if lesson.notes:
        lines += [lesson.notes, ""]
    lines += [f"A network {'-'.join(str(n) for n in arch.layers)} "
              f"({', '.join(dict.fromkeys(arch.activations))}), loss `{lesson.loss}`, "
              f"learning rate {_float(lesson.learning_rate)}, {epochs} epochs"
              + (f"; from {lesson.source}." if lesson.source else "."),
              "",
              "Exported by Backprop Tracer. Run it top to bottom (it needs only NumPy): first "
              "the lesson and its starting weights, then one iteration a matrix at a time, "
              "in the names of the app's code panel, then the training, whose last line is "
              "`final_loss`, the loss on the final weights, as the app computes it."]
    return "\n".join(lines)


def _iteration_inputs(lesson: Lesson, session: Session, rows: np.ndarray,
                      presentation: str) -> str:
    """The cell that sets the first iteration's inputs under the code panel's names."""
    arch, state = lesson.architecture, session.state
    depth = arch.depth

    def name(engine_name: str) -> str:
        return catalogue.code_name(engine_name, depth, presentation)

    lines = []
    if session.trainer.full_batch:
        lines.append("# The first iteration works on the whole data set: X and y above.")
    else:
        lines += [f"# The first iteration works on the first batch of {rows.size} samples, in "
                  "the order the",
                  "# lesson's generator drew (the training below uses the whole data set "
                  "again).",
                  "data_X, data_y = X, y",
                  f"FIRST_BATCH = {_array(rows.astype(float))}.astype(int)",
                  "X, y = data_X[FIRST_BATCH], data_y[FIRST_BATCH]"]
    for l in range(1, depth + 1):
        lines.append(f"{name(f'W{l}')} = start_W[{l}].copy()  # W{l}, shape "
                     f"{state.params.weight(l).shape}")
        if arch.bias:
            lines.append(f"{name(f'b{l}')} = start_b[{l}][None, :].copy()  # b{l} as one row, "
                         "added to every sample's row")
        if state.velocity is not None:
            start = "start_velocity_{}[{}].copy()" if lesson.session is not None else None
            for part, row in (("W", ""), ("b", "[None, :]")):
                if part == "b" and not arch.trains_bias:
                    continue
                value = (start.format(part, l) + row if start else
                         f"np.zeros_like({name(f'{part}{l}')})")
                lines.append(f"{name(f'previous_velocity_{part}{l}')} = {value}  "
                             f"# the velocity the update continues")
    lines += [f"learning_rate = {_float(lesson.learning_rate)}  # η"]
    if lesson.l2:
        lines.append(f"l2 = {_float(lesson.l2)}  # λ")
    if lesson.momentum:
        lines.append(f"momentum = {_float(lesson.momentum)}  # μ")
    return "\n".join(lines)


def notebook(lesson: Lesson, epochs: int | None = None) -> dict:
    """The notebook of ``lesson`` as the nbformat v4 structure.

    Parameters
    ----------
    lesson : Lesson
    epochs : int or None
        Epochs the training cell runs; None: the lesson's own count.

    Returns
    -------
    dict
        A JSON-ready nbformat 4.5 notebook.

    Raises
    ------
    ValueError
        When an activation's operations are not NumPy functions the program can write.
    """
    epochs = lesson.epochs if epochs is None else int(epochs)
    parts = script_sections(lesson, epochs)
    session = Session(lesson)
    arch, presentation = lesson.architecture, lesson.presentation
    depth = arch.depth
    first = record_iteration(session.trainer, session.state)

    def learner(engine_name: str) -> str:
        return catalogue.learner_name(engine_name, depth, presentation)

    cells = _Cells()
    cells.markdown(_introduction(lesson, epochs))
    cells.code(joined([parts.imports, parts.settings]))
    cells.markdown("## The data and the starting weights")
    cells.code(joined([parts.data, parts.start]))
    batch = ("the whole data set" if session.trainer.full_batch
             else f"the first batch of {first.rows.size} samples")
    cells.markdown("## One iteration, step by step\n\n"
                   f"The first iteration on {batch}, one matrix a cell, as the app's tables "
                   f"show it ({presentation} form). Each cell ends with the matrix's name, so "
                   "running it shows the value.")
    cells.code(_iteration_inputs(lesson, session, first.rows, presentation))
    m, k = first.values["y"].shape
    lines = {line.step: line for line in code_lines(session.steps, arch, lesson.loss,
                                                    presentation, bool(lesson.l2),
                                                    bool(lesson.momentum))}
    for spec in session.steps:
        formula = catalogue.step_formula(spec.name, arch, lesson.loss, presentation,
                                         bool(lesson.l2), bool(lesson.momentum), m, k)
        text = [f"### `{learner(spec.name)}` (step `{spec.name}`)", "", f"`{formula}`"]
        note = lesson.step_notes.get(spec.name)
        if note:
            text += ["", render_note(note, learner)]
        cells.markdown("\n".join(text))
        line = lines[spec.name]
        cells.code(f"{line.code}\n{line.target}")
    cells.markdown("## Training\n\n"
                   "The same iteration as the app runs it, on buffers made once (one function "
                   "per batch size), epoch after epoch. The last cell trains and prints the "
                   "loss of some epochs and `final_loss`.")
    training = list(parts.training)
    if not session.trainer.full_batch:
        training.insert(0, "X, y = data_X, data_y  # the whole data set again")
    cells.code(joined(training))
    cells.code("status = main([])  # the command line's defaults: the lesson's epochs")
    return {"nbformat": NBFORMAT, "nbformat_minor": NBFORMAT_MINOR,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"},
                         "language_info": {"name": "python"},
                         "backprop_tracer": {"lesson": lesson.title, "epochs": epochs}},
            "cells": cells.cells}


def notebook_text(lesson: Lesson, epochs: int | None = None) -> str:
    """The notebook as the text of an ``.ipynb`` file (JSON, one space indents as Jupyter)."""
    return json.dumps(notebook(lesson, epochs), indent=1, ensure_ascii=False) + "\n"


def write_notebook(lesson: Lesson, path: str | os.PathLike, epochs: int | None = None) -> None:
    """Write the notebook of ``lesson`` to ``path`` atomically (temporary file, then rename)."""
    atomic_write_text(notebook_text(lesson, epochs), path)

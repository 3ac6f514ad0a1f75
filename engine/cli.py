"""The headless command line of DESIGN.md section 5.

``main.py lessons`` lists the built-in lessons; ``main.py run LESSON`` trains
without a window. Exit status: 0 success, 2 bad input (one line on stderr,
no traceback), 3 diverged (one line naming the epoch).

The workbook writer (and XlsxWriter with it) is imported only when ``--xlsx``
asks for a workbook, so a plain ``run`` and ``lessons`` load neither it nor Qt.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from . import limits
from .errors import LessonError
from .export_script import write_script
from .files import write_json
from .iteration import record_iteration
from .lesson import builtin_lessons, load_lesson, resolve_lesson
from .memory import check_memory, estimate_memory
from .metrics import Evaluation, evaluate
from .number_text import shown_number
from .runrecord import run_record
from .session import Session

__all__ = ["main", "EXIT_OK", "EXIT_BAD_INPUT", "EXIT_DIVERGED"]

EXIT_OK, EXIT_BAD_INPUT, EXIT_DIVERGED = 0, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and a short message (its default),
    but never prints a traceback and names the program as main.py."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"main.py: {message}\n")


def _positive_epochs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--epochs: expected a whole number, got {text!r}")
    if not 1 <= value <= limits.MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"--epochs: {value} is out of range; expected 1 to "
                                         f"{limits.MAX_EPOCHS}")
    return value


def _output_file(text: str) -> str:
    """An output file name: not empty, no control character.

    NUL the operating system refuses; the others (a tab, an escape, a line
    break) it would accept, leaving a file whose name no listing shows right.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a file name to write, got {text!r}")
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in text):
        raise argparse.ArgumentTypeError(f"expected a file name without control characters, "
                                         f"got {text!r}")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="main.py", description="Backprop Tracer without a window.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("lessons", help="list the built-in lessons: id and title")
    run = commands.add_parser("run", help="train a lesson without a window")
    run.add_argument("lesson", metavar="LESSON", help="a lesson file or a built-in lesson id")
    run.add_argument("--epochs", type=_positive_epochs, metavar="N",
                     help="override the lesson's epoch count")
    run.add_argument("--json", metavar="OUT", type=_output_file, help="write the run record")
    run.add_argument("--xlsx", metavar="OUT", type=_output_file,
                     help="write the Excel workbook of the first iteration")
    run.add_argument("--script", metavar="OUT", type=_output_file,
                     help="write a standalone NumPy script that reproduces the run")
    run.add_argument("--notebook", metavar="OUT", type=_output_file,
                     help="write a Jupyter notebook: one iteration step by step, then the run")
    return parser


def list_lessons() -> int:
    for lesson_id, title, _ in builtin_lessons():
        print(f"{lesson_id}\t{title}")
    return EXIT_OK


def _rows(count: int, which: str) -> str:
    return f"the {count} {which} row{'' if count == 1 else 's'}"


def _percent(fraction: float) -> str:
    return f"{shown_number(100 * fraction, 1)}%"


def summary_line(title: str, losses: np.ndarray, reached_tolerance: bool,
                 evaluation: Evaluation) -> str:
    """The line ``run`` prints on success, naming the rows each figure covers.

    Parameters
    ----------
    title : str
    losses : ndarray, shape (epochs,)
        J of each epoch's forward pass; the first and last are shown.
    reached_tolerance : bool
    evaluation : Evaluation
        The final weights judged on the training and the held-out rows.
    """
    ending = "reached the tolerance" if reached_tolerance else "done"
    first, last = (shown_number(losses[i], 4) if len(losses) else "nan" for i in (0, -1))
    training = _rows(evaluation.training_rows, "training")
    held_out = _rows(evaluation.held_out_rows, "held-out")
    line = (f"{title}: {len(losses)} epoch{'' if len(losses) == 1 else 's'}, "
            f"loss per epoch {first} → {last} ({ending}); final weights: "
            f"loss {shown_number(evaluation.final_loss, 4)} on {training}")
    if evaluation.test_loss is None:
        line += " (none held out)"
    else:
        line += f", {shown_number(evaluation.test_loss, 4)} on {held_out}"
    if evaluation.classification:
        line += f"; accuracy {_percent(evaluation.accuracy)} on the training rows"
        if evaluation.test_accuracy is not None:
            line += f", {_percent(evaluation.test_accuracy)} on the held-out rows"
    return line


def _write_program(write, lesson, path: str, epochs: int, what: str) -> None:
    """Write the script or the notebook; a file that cannot be written is bad input."""
    try:
        write(lesson, path, epochs)
    except OSError as exc:
        raise LessonError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    path = resolve_lesson(args.lesson)
    lesson = load_lesson(path)
    if args.json:  # the run record's trace writes the first iteration out as JSON text
        held_out = 0 if lesson.X_test is None else len(lesson.X_test)
        check_memory(estimate_memory(lesson.architecture, len(lesson.X), held_out,
                                     lesson.batch_size, with_trace=True, in_window=False),
                     path.name)
    if args.xlsx:
        from .export_xlsx import write_workbook  # XlsxWriter loads only for a workbook
        write_workbook(lesson, args.xlsx)
    epochs = args.epochs or lesson.epochs
    if args.script:
        _write_program(write_script, lesson, args.script, epochs, "the script")
    if args.notebook:
        from .export_notebook import write_notebook
        _write_program(write_notebook, lesson, args.notebook, epochs, "the notebook")
    session = Session(lesson)
    first = record_iteration(session.trainer, session.state)
    report = session.run(epochs)
    losses = session.loss_history
    evaluation = evaluate(session.trainer, session.params, lesson.X_test, lesson.y_test)
    if args.json:
        document = run_record(lesson.title, losses, evaluation, session.params, first)
        try:
            write_json(document, args.json, indent=None)
        except OSError as exc:
            raise LessonError(f"{args.json}: cannot write the run record: "
                              f"{exc.strerror or exc}") from None
    if report.diverged is not None:
        print(report.diverged.message(), file=sys.stderr)
        return EXIT_DIVERGED
    print(summary_line(lesson.title, losses, report.reached_tolerance, evaluation))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        with np.errstate(all="ignore"):
            if args.command == "lessons":
                return list_lessons()
            return run(args)
    except LessonError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("not enough memory for this lesson; make the network or the data smaller",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

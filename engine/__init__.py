"""Backprop Tracer's engine: the maths of a multilayer perceptron, step by step.

Pure NumPy; never imports Qt. The window and the command line use:

* ``load_lesson`` / ``parse_lesson`` / ``Lesson`` — lesson files (DESIGN.md §4);
* ``Session`` — step, step back, run, jump, edit; ``Position``;
* ``IterationRecord`` and ``CellExplanation`` — every matrix of an iteration,
  each cell's precedents and substituted formula (DESIGN.md §3);
* ``LessonError`` — the one exception for bad input.
"""
from .errors import LessonError
from .explain import CellExplanation
from .iteration import IterationRecord
from .lesson import Lesson, builtin_lessons, load_lesson, parse_lesson, resolve_lesson
from .session import Position, Session

__all__ = ["LessonError", "CellExplanation", "IterationRecord", "Lesson", "builtin_lessons",
           "load_lesson", "parse_lesson", "resolve_lesson", "Position", "Session"]

"""Backprop Tracer's engine: the maths of a multilayer perceptron, step by step.

Pure NumPy; never imports Qt. The window and the command line use:

* ``load_lesson`` / ``parse_lesson`` / ``Lesson`` — lesson files (DESIGN.md §4);
* ``Session`` — step, step back, run, jump, edit; ``Position``;
* ``IterationRecord`` and ``CellExplanation`` — every matrix of an iteration,
  each cell's precedents and substituted formula (DESIGN.md §3);
* ``LessonError`` — the one exception for bad input.

Each name is imported from its module when first asked for (PEP 562): importing
one module of the engine (the window's start imports ``engine.lesson``) does not
load the rest, such as the cell explanations nobody has clicked for yet.
"""
from importlib import import_module

_MODULE_OF = {"LessonError": "errors", "CellExplanation": "explain",
              "IterationRecord": "iteration", "Lesson": "lesson", "builtin_lessons": "lesson",
              "load_lesson": "lesson", "parse_lesson": "lesson", "resolve_lesson": "lesson",
              "Position": "session", "Session": "session"}
__all__ = list(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_MODULE_OF[name]}", __name__), name)
    globals()[name] = value   # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

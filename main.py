"""Backprop Tracer: watch a neural network learn, number by number.

``python main.py [LESSON]`` opens the window; ``python main.py lessons``
and ``python main.py run LESSON [...]`` work without one (DESIGN.md section 5).
``python main.py --smoke-test [LESSON]`` drives the window once, unattended,
and exits 0 if it works (``gui/smoke_test.py``). ``--help`` and ``--version``
answer without loading Qt.
"""
from __future__ import annotations

import gc
import importlib
import sys

HEADLESS_COMMANDS = ("run", "lessons")
EXIT_OK, EXIT_BAD_INPUT = 0, 2
USAGE = """\
usage:
  python main.py                          open the app on the default lesson
  python main.py LESSON                   open the app on a lesson file (.bptlesson or .json)
  python main.py lessons                  list the built-in lessons: id and title
  python main.py run LESSON [options]     train without a window (run --help lists them)
  python main.py --smoke-test [LESSON]    open the window once unattended; exit 0 if it works
  python main.py --version                print the version
  python main.py --help                   print this"""


def main(argv: list[str]) -> int:
    if argv and argv[0] in HEADLESS_COMMANDS:
        from engine.cli import main as cli_main  # no Qt: the command line starts fast
        return cli_main(argv)
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return EXIT_OK
    if argv and argv[0] == "--version":
        from engine.about import app_version
        print(f"Backprop Tracer {app_version()}")
        return EXIT_OK
    from gui.display import display_problem  # before Qt, whose own failure is an abort
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    if argv and argv[0] == "--smoke-test":
        from gui.smoke_test import main as smoke_test_main  # the check CI runs on bundles
        return smoke_test_main(argv[1:])
    # Starting the window makes a few hundred thousand objects that live as long
    # as it does, and no garbage: the cyclic collector would only walk them again
    # and again (≈40 ms). gui.app switches it back on once the window is shown.
    gc.disable()
    # NumPy from the top of the stack, before the engine's chain of imports reaches it:
    # imported that deep, the recursion of its typing module sat across a boundary of
    # CPython 3.11's frame-stack chunks, which mapped and unmapped one 600 times
    # (2 % of start-up).
    importlib.import_module("numpy")
    from gui.app import main as gui_main
    return gui_main(argv)


def run() -> None:
    """Entry point of the installed ``backprop-tracer`` command."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()

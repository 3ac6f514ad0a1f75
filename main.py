"""Backprop Tracer: watch a neural network learn, number by number.

``python main.py [LESSON.json]`` opens the window; ``python main.py lessons``
and ``python main.py run LESSON [...]`` work without one (DESIGN.md section 5).
``python main.py --smoke-test [LESSON]`` drives the window once, unattended,
and exits 0 if it works (``gui/smoke_test.py``).
"""
from __future__ import annotations

import gc
import sys

HEADLESS_COMMANDS = ("run", "lessons")


def main(argv: list[str]) -> int:
    if argv and argv[0] in HEADLESS_COMMANDS:
        from engine.cli import main as cli_main  # no Qt: the command line starts fast
        return cli_main(argv)
    if argv and argv[0] == "--smoke-test":
        from gui.smoke_test import main as smoke_test_main  # the check CI runs on bundles
        return smoke_test_main(argv[1:])
    # Starting the window makes a few hundred thousand objects that live as long
    # as it does, and no garbage: the cyclic collector would only walk them again
    # and again (≈40 ms). gui.app switches it back on once the window is shown.
    gc.disable()
    from gui.app import main as gui_main
    return gui_main(argv)


def run() -> None:
    """Entry point of the installed ``backprop-tracer`` command."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()

"""Backprop Tracer: watch a neural network learn, number by number.

``python main.py [LESSON.json]`` opens the window; ``python main.py lessons``
and ``python main.py run LESSON [...]`` work without one (DESIGN.md section 5).
"""
from __future__ import annotations

import sys

HEADLESS_COMMANDS = ("run", "lessons")


def main(argv: list[str]) -> int:
    if argv and argv[0] in HEADLESS_COMMANDS:
        from engine.cli import main as cli_main  # no Qt: the command line starts fast
        return cli_main(argv)
    from gui.app import main as gui_main
    return gui_main(argv)


def run() -> None:
    """Entry point of the installed ``backprop-tracer`` command."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()

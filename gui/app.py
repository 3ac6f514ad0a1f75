"""Start the window: ``python main.py [LESSON]``.

Creates the QApplication (pyqtgraph is told to use PySide6 before it is
imported), opens the given lesson or the default one, and installs an
exception hook that reports any unexpected error in a message box and
keeps the application running — a learner never sees a traceback.
"""
from __future__ import annotations

import os
import sys
import traceback

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from engine.errors import LessonError  # noqa: E402
from engine.lesson import load_lesson, resolve_lesson  # noqa: E402

__all__ = ["main", "DEFAULT_LESSON", "open_initial_lesson"]

DEFAULT_LESSON = "excel_walkthrough"


def open_initial_lesson(argv: list[str]):
    """(lesson, problem): the requested lesson, or the default with the reason why not."""
    problem = ""
    if argv:
        try:
            return load_lesson(resolve_lesson(argv[0])), ""
        except LessonError as exc:
            problem = f"{exc}\n\nThe default lesson is open instead."
    return load_lesson(resolve_lesson(DEFAULT_LESSON)), problem


def _install_excepthook(app: QApplication) -> None:
    """Unexpected errors become a message box; the event loop keeps running."""
    def hook(kind, value, tb) -> None:
        detail = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(detail)
        box = QMessageBox(QMessageBox.Icon.Critical, "Backprop Tracer",
                          f"Something went wrong: {value}\n\nThe window stays open; "
                          "your lesson is unchanged unless the message says otherwise.",
                          QMessageBox.StandardButton.Ok, app.activeWindow())
        box.setDetailedText(detail)
        box.open()
        app.setProperty("lastErrorBox", box)  # keep it alive until closed
    sys.excepthook = hook


def main(argv: list[str]) -> int:
    """Run the window; ``argv`` is ``sys.argv[1:]`` (optionally one lesson path)."""
    from .main_window import APPLICATION, ORGANISATION, MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APPLICATION])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    _install_excepthook(app)
    lesson, problem = open_initial_lesson(argv[:1])
    window = MainWindow(lesson, QSettings(ORGANISATION, APPLICATION))
    window.show()
    if len(argv) > 1:
        problem = (problem + "\n\n" if problem else "") + \
            f"Only one lesson can be opened; ignored: {' '.join(argv[1:])}"
    if problem:
        window.show_message("Cannot open the lesson", problem)
    return app.exec()

"""Start the window: ``python main.py [LESSON]``.

Creates the QApplication (pyqtgraph is told to use PySide6 before it is
imported), opens the given lesson or the default one, opens the lesson files
the system sends later (gui/file_open.py), and installs an exception hook
that reports any unexpected error in a message box and keeps the
application running — a learner never sees a traceback.
"""
from __future__ import annotations

import gc
import os
import sys

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

# The engine (and NumPy) before Qt: PySide6 reads the source of every module
# imported after it (its __feature__ check), which lengthens every start.
from engine.errors import LessonError  # noqa: E402
from engine.lesson import load_lesson, resolve_lesson  # noqa: E402
from engine.resources import APP_ICON, resource_path  # noqa: E402

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

__all__ = ["main", "DEFAULT_LESSON", "configure_qt", "open_initial_lesson"]

DEFAULT_LESSON = "excel_walkthrough"
EXIT_AFTER_PAINT = "BACKPROP_TRACER_EXIT_AFTER_PAINT"  # set: quit once painted (benchmarks)


def configure_qt() -> None:
    """Settings Qt reads from the environment; call before the first paint.

    Qt's raster engine hands every large fill (a gradient, a pixmap, a tall
    line: 96 lines of spans or more) to a pool of threads in segments and
    waits for them. For widgets this size the hand-off costs more than the
    fill: each repaint of the loss plot waited through about a hundred wake-ups
    (15 ms of wall time for 8 ms of work on a busy 2-core machine, the longest
    stall of Run), and the first paint started the pool for some 300 such
    tasks. Fills stay on the GUI thread (Qt reads the variable once, when a
    fill first asks for the pool).
    """
    os.environ["QT_NO_GUI_THREADPOOL"] = "1"


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
    """Unexpected errors become a message box with "Copy details", a crash-log entry
    and a recovery file; the event loop keeps running (gui/recovery.py)."""
    from .recovery import install_exception_hook
    install_exception_hook(app)


def main(argv: list[str]) -> int:
    """Run the window; ``argv`` is ``sys.argv[1:]`` (optionally one lesson path)."""
    from .file_open import LessonApplication, LessonOpener
    from .main_window import APPLICATION, ORGANISATION, MainWindow

    configure_qt()
    app = QApplication.instance() or LessonApplication([sys.argv[0] if sys.argv else APPLICATION])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(QIcon(str(resource_path(*APP_ICON))))  # the title bar and task bar
    _install_excepthook(app)
    lesson, problem = open_initial_lesson(argv[:1])
    window = MainWindow(lesson, QSettings(ORGANISATION, APPLICATION))
    opener = LessonOpener(window, lambda other: MainWindow(other,
                                                           QSettings(ORGANISATION, APPLICATION)))
    if isinstance(app, LessonApplication):  # macOS sends a double-clicked lesson as an event
        app.fileOpenRequested.connect(opener.open_path)
    if os.environ.get(EXIT_AFTER_PAINT):
        def painted() -> None:
            print("first paint", flush=True)
            app.quit()
        window.firstPainted.connect(painted)
    window.show()
    # What start-up made stays for the whole session: out of the collector's way
    # (main.py paused it while the window was being built).
    gc.freeze()
    gc.enable()
    if len(argv) > 1:
        problem = (problem + "\n\n" if problem else "") + \
            f"Only one lesson can be opened; ignored: {' '.join(argv[1:])}"
    if problem:
        window.show_message("Cannot open the lesson", problem)
    if not os.environ.get(EXIT_AFTER_PAINT):  # a benchmark never waits on a question
        from .recovery import offer_recovery
        offer_recovery(window, window.recovery.folder)
    return app.exec()

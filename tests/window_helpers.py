"""Opening the real main window in a test: one way, shared by the GUI tests."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from engine.lesson import Lesson, load_lesson, resolve_lesson
from gui.main_window import MainWindow

WINDOW_SIZE = (1500, 950)   # a projector-like size, so every dock has room


def open_window(qtbot, tmp_path: Path, lesson: Lesson | str = "excel_walkthrough") -> MainWindow:
    """A shown MainWindow on ``lesson`` (a Lesson or a built-in id), settings in ``tmp_path``.

    Questions are answered yes, so tests that replace the lesson never block.
    """
    if isinstance(lesson, str):
        lesson = load_lesson(resolve_lesson(lesson))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(lesson, settings)
    window.confirm = lambda question: True
    qtbot.addWidget(window)
    window.resize(*WINDOW_SIZE)
    window.show()
    qtbot.waitExposed(window)
    return window


def show_teaching_view(qtbot, window: MainWindow, which: int):
    """Open the ``which``-th of the first teaching docks and wait until its view has drawn."""
    dock = window.teaching_docks_a[which]
    dock.show()
    dock.raise_()
    view = dock.widget()
    qtbot.waitUntil(lambda: view.isVisible() and view.revision > 0, timeout=5000)
    return view

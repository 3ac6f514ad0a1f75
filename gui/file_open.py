"""Lesson files the system hands to the running app: macOS's ``QFileOpenEvent``.

Double-clicking a ``.bptlesson`` in the Finder starts the app (or finds it
running) and sends it the file as an event, never on the command line. On
Linux and Windows the file manager starts the app with the path instead
(``main.py FILE``); a second file opens a second process, and so a second
window, whose recovery copy takes the next slot (gui/recovery.py).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from engine.errors import LessonError
from engine.lesson import Lesson, load_lesson

__all__ = ["LessonApplication", "LessonOpener"]


class LessonApplication(QApplication):
    """The QApplication, passing on the files the system asks it to open.

    Signals
    -------
    fileOpenRequested(str)
        The path of a file the system sent (a ``QFileOpenEvent``).
    """

    fileOpenRequested = Signal(str)

    def event(self, event) -> bool:
        # Only events sent to the application object come here, unlike an event filter
        # on it, which would see every event of every widget.
        if event.type() == QEvent.Type.FileOpen:
            self.fileOpenRequested.emit(event.file())
            return True
        return super().event(event)


class LessonOpener(QObject):
    """Opens each lesson file the system sends (connect ``open_path`` to
    ``LessonApplication.fileOpenRequested``): in the window shown, or in a new one.

    The window shown takes the file when it holds no training progress and
    nothing unsaved (the lesson it started on, untouched); otherwise the file
    opens in a new window, so a second lesson never discards the first.

    Parameters
    ----------
    first : MainWindow
        The window the app started with.
    make_window : callable (Lesson) -> MainWindow
        Builds a new window on a lesson (with the app's settings).
    """

    def __init__(self, first, make_window: Callable[[Lesson], object]):
        super().__init__(first)
        self.windows = [first]
        self._make_window = make_window

    def _front(self):
        """The window the user last worked in (the active one, else the newest still open)."""
        shown = [window for window in self.windows if window.isVisible()]
        active = QApplication.activeWindow()
        for window in shown:
            if window is active:
                return window
        return shown[-1] if shown else self.windows[0]

    def open_path(self, path: str):
        """Open ``path``; returns the window it opened in, or None if it could not be read."""
        front = self._front()
        if not (front.controller.has_progress or front.recovery.unsaved):
            return front if front.open_file(path) else None
        try:
            lesson = load_lesson(path)
        except LessonError as exc:
            front.show_message("Cannot open the lesson", str(exc))
            return None
        window = self._make_window(lesson)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda _=None, w=window: self._forget(w))
        self.windows.append(window)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _forget(self, window) -> None:
        if window in self.windows:
            self.windows.remove(window)

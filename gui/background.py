"""Slow file work off the GUI thread, so the window never freezes.

``BackgroundJob`` runs one plain function (reading a 100 000-row CSV,
writing a workbook of the digits lesson) on Qt's global thread pool and
reports back by signal, which Qt delivers in the GUI thread. The function
must not touch widgets or anything the GUI thread keeps changing: callers
hand it copies (superqt's thread_worker and Mu's StartupWorker work the
same way).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from engine.errors import LessonError

__all__ = ["BackgroundJob", "problem_text"]


def problem_text(exc: BaseException) -> str:
    """One line for the learner: the engine's message, or the OS's reason."""
    if isinstance(exc, LessonError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return f"unexpected problem ({type(exc).__name__}: {exc})"


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)


class BackgroundJob(QRunnable):
    """``function(*args)`` on the thread pool; ``done(result)`` or ``failed(text)``.

    Keep a reference to the job until one of its signals arrives (the
    pool does not own it). Every exception becomes ``failed`` with
    ``problem_text``: the window shows a message, never a traceback.
    """

    def __init__(self, function: Callable[..., Any], *args: Any):
        super().__init__()
        self.setAutoDelete(False)
        self._function = function
        self._args = args
        self._relay = _Relay()
        self.done = self._relay.done
        self.failed = self._relay.failed

    def start(self) -> "BackgroundJob":
        QThreadPool.globalInstance().start(self)
        return self

    def run(self) -> None:  # runs in a pool thread
        try:
            result = self._function(*self._args)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none raised
            self._relay.failed.emit(problem_text(exc))
            return
        self._relay.done.emit(result)

"""``main.py --smoke-test [LESSON]``: prove in seconds, with no one watching, that a build works.

Checks the bundled icon, builds the real main window on the default lesson (or the one given),
steps through one whole iteration with the Step action, runs a few epochs
with the Run action, renders the loss plot and the node diagram, grabs the
window and checks that none of them is blank. Exit status 0 and one line
``smoke test passed: ...`` on success; 1 and one line ``smoke test failed:
<reason>`` on the first thing that goes wrong, including an exception
raised inside a Qt slot and a wait that times out. The user's settings are
never touched (a temporary settings file is used).

This is what CI runs on each PyInstaller bundle, offscreen
(``QT_QPA_PLATFORM=offscreen``), and what a teacher can run on a classroom
machine to check an installation.
"""
from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QApplication

from engine.errors import LessonError
from engine.lesson import load_lesson, resolve_lesson
from engine.resources import APP_ICON, resource_path

__all__ = ["main", "SmokeTestFailure", "EPOCHS", "WAIT_S", "MIN_COLOURS"]

EPOCHS = 5            # epochs run with the Run action after the stepped iteration
WAIT_S = 30.0         # the longest any one wait may take before the test fails
MIN_COLOURS = 8       # distinct colours below which an image counts as blank
RUN_SPEED = 100.0     # epochs per second while running: slow enough to stop after a few


class SmokeTestFailure(Exception):
    """One reason the smoke test failed, said in one line."""


def _say(line: str, stream_name: str = "stderr") -> None:
    # A windowed Windows executable has no console: sys.stdout and sys.stderr
    # are None there, and the exit status alone carries the result.
    stream = getattr(sys, stream_name)
    if stream is not None:
        stream.write(line + "\n")
        stream.flush()


def colours(image: QImage) -> int:
    """Distinct colours of an image; a blank (one-colour) render has 1."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return 0
    rows = np.frombuffer(image.constBits(), dtype=np.uint32,
                         count=image.bytesPerLine() * image.height() // 4)
    pixels = rows.reshape(image.height(), image.bytesPerLine() // 4)[:, : image.width()]
    return int(np.unique(pixels).size)


def _not_blank(image: QImage, what: str) -> int:
    found = colours(image)
    if found < MIN_COLOURS:
        raise SmokeTestFailure(f"{what} rendered blank ({found} colours in "
                               f"{image.width()}×{image.height()} pixels)")
    return found


class _SlotErrors:
    """Catches exceptions raised inside Qt slots (which Qt would only print)."""

    def __init__(self):
        self.first: BaseException | None = None
        self._previous = sys.excepthook

    def __enter__(self):
        sys.excepthook = self._hook
        return self

    def __exit__(self, *exc) -> None:
        sys.excepthook = self._previous

    def _hook(self, kind, value, tb) -> None:
        if self.first is None:
            self.first = value

    def check(self, during: str) -> None:
        if self.first is not None:
            raise SmokeTestFailure(f"{during}: {type(self.first).__name__}: {self.first}")


def _wait_until(condition: Callable[[], bool], what: str, errors: _SlotErrors) -> None:
    """Run the event loop until ``condition()`` holds; fail after WAIT_S seconds."""
    if not condition():
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(5)
        poll.timeout.connect(lambda: (condition() or errors.first is not None) and loop.quit())
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(loop.quit)
        poll.start()
        deadline.start(int(WAIT_S * 1000))
        loop.exec()
        poll.stop()
        deadline.stop()
    errors.check(f"while waiting for {what}")
    if not condition():
        raise SmokeTestFailure(f"timed out after {WAIT_S:.0f} s waiting for {what}")


def run_smoke_test(argv: list[str]) -> str:
    """Drive the window through the checks; return the summary of what passed.

    Raises
    ------
    SmokeTestFailure
        On the first check that fails.
    """
    from .app import DEFAULT_LESSON, configure_qt
    from .main_window import APPLICATION, MainWindow

    reference = argv[0] if argv else DEFAULT_LESSON
    try:
        lesson = load_lesson(resolve_lesson(reference))
    except LessonError as exc:
        raise SmokeTestFailure(f"cannot open the lesson: {exc}") from None
    configure_qt()  # the bundle is checked as it runs
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APPLICATION])
    icon = resource_path(*APP_ICON)
    if QIcon(str(icon)).isNull():
        raise SmokeTestFailure(f"the window icon {icon} is missing or unreadable")
    with tempfile.TemporaryDirectory() as folder, _SlotErrors() as errors:
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(lesson, settings)
        try:
            return _drive(app, window, reference, errors)
        finally:
            window.controller.pause()
            window.close()
            window.deleteLater()
            app.processEvents()


def _drive(app: QApplication, window, reference: str, errors: _SlotErrors) -> str:
    errors.check("building the window")
    window.resize(1280, 800)
    window.show()
    _wait_until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed(),
                "the window to be shown", errors)
    controller = window.controller

    steps = controller.position.steps
    for _ in range(steps):
        window.step_action.trigger()
        app.processEvents()
    errors.check("stepping through the first iteration")
    position = controller.position
    if controller.epochs_done != 1 or position.step != steps:
        raise SmokeTestFailure(f"{steps} steps should complete the first iteration; "
                               f"the window is at {position.describe()}")
    if f"step {steps} of {steps}" not in window.position_label.text():
        raise SmokeTestFailure(f"the toolbar shows “{window.position_label.text()}” after "
                               f"the last step of the iteration")

    speed = window.speed_box.findData(RUN_SPEED)
    if speed < 0:
        raise SmokeTestFailure(f"the speed box offers no {RUN_SPEED:g} epochs/s")
    window.speed_box.setCurrentIndex(speed)
    window.run_action.trigger()
    _wait_until(lambda: controller.epochs_done >= 1 + EPOCHS or not controller.running,
                f"{EPOCHS} epochs of training", errors)
    if window.controller.running:
        window.run_action.trigger()
    errors.check("running")
    losses = controller.losses()
    if losses.size < 1 + EPOCHS or not np.all(np.isfinite(losses)):
        raise SmokeTestFailure(f"after running, the loss history holds {losses.size} epochs "
                               f"({int(np.isfinite(losses).sum())} finite); expected at least "
                               f"{1 + EPOCHS} finite losses")

    plotted = window.plot.points
    if plotted != losses.size:
        raise SmokeTestFailure(f"the loss plot shows {plotted} points for {losses.size} epochs")
    app.processEvents()
    _not_blank(window.plot.grab().toImage(), "the loss plot")
    if not window.diagram.scene().items():
        raise SmokeTestFailure("the node diagram has nothing in it")
    _not_blank(window.diagram.grab().toImage(), "the node diagram")
    found = _not_blank(window.grab().toImage(), "the main window")
    errors.check("rendering")
    return (f"{reference}: {steps} steps of iteration 1, then {losses.size - 1} epochs run; "
            f"loss {losses[0]:.6g} → {losses[-1]:.6g}; window grabbed "
            f"{window.width()}×{window.height()} with {found} colours")


def main(argv: list[str]) -> int:
    """Run the smoke test; ``argv`` is what follows ``--smoke-test`` (an optional lesson)."""
    if len(argv) > 1:
        _say(f"smoke test failed: at most one lesson may follow --smoke-test; got {' '.join(argv)}")
        return 1
    try:
        summary = run_smoke_test(argv)
    except SmokeTestFailure as exc:
        _say(f"smoke test failed: {exc}")
        return 1
    except Exception as exc:  # noqa: BLE001 — any surprise is a failure, in one line
        _say(f"smoke test failed: {type(exc).__name__}: {exc}")
        return 1
    _say(f"smoke test passed: {summary}", "stdout")
    return 0

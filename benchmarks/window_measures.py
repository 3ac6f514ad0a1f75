"""The measures that need the window: Run, its event-loop stalls, start-up, scrolling.

Everything runs offscreen (``QT_QPA_PLATFORM=offscreen`` unless already set)
with settings in a temporary folder, so the user's own settings are never
read or written.
"""
from __future__ import annotations

import compileall
import gc
import os
import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QSettings, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QTableView

from engine.catalogue import identify
from engine.lesson import load_lesson, resolve_lesson
from engine.session import Session
from engine.session_file import SavedSession
from gui.app import EXIT_AFTER_PAINT, configure_qt
from gui.main_window import MainWindow
from gui.session_controller import MatrixInfo
from gui.tables import ArrayModel, MatrixView

from .baselines_qt import BARE_WINDOW_SCRIPT, NumpyTableModel, seconds_to_first_paint
from .harness import Goal, Row, cpu_seconds, interleaved, judged

__all__ = ["application", "run_in_window", "start_up", "table_scrolling"]

ROOT = Path(__file__).resolve().parent.parent
RUN_LESSON = "xor_biases"
HEARTBEAT_MS = 10
HEARTBEAT_SETTLE_S = 0.05  # the heartbeat runs this long before each round of Run starts


def application() -> QApplication:
    """The one QApplication of the process, configured as the app configures its own."""
    configure_qt()
    return QApplication.instance() or QApplication([sys.argv[0]])


def _spin(seconds: float) -> None:
    """Let the event loop run for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(1000 * seconds), loop.quit)
    loop.exec()


class _Heartbeat:
    """A 10 ms timer that remembers the longest gap between its ticks, and what
    filled it: the GUI thread's own CPU time in the gap (near the gap: the
    process was working; far below it: the process waited for a core) and
    the collector's full passes that ran in it."""

    def __init__(self):
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.longest = 0.0
        self.longest_cpu = 0.0
        self.longest_collections = 0
        self._last = None
        self._last_cpu = 0.0
        self._collections = 0   # full collections since the last beat
        gc.callbacks.append(self._collected)

    def start(self) -> None:
        self._last, self._last_cpu, self._collections = time.perf_counter(), time.thread_time(), 0
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._last = None

    def close(self) -> None:
        gc.callbacks.remove(self._collected)

    def _collected(self, phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            self._collections += 1

    def _beat(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self._last is not None and now - self._last > self.longest:
            self.longest, self.longest_cpu = now - self._last, cpu - self._last_cpu
            self.longest_collections = self._collections
        self._last, self._last_cpu, self._collections = now, cpu, 0

    def explained(self) -> str:
        """The longest gap and what filled it, one line."""
        return (f"{1000 * self.longest:.0f} ms, of which the GUI thread ran "
                f"{1000 * self.longest_cpu:.0f} ms; {self.longest_collections} full "
                f"collection(s) in it")


def _open_window(lesson, settings_folder: str, name: str) -> MainWindow:
    """The main window on ``lesson``, shown, the collector as the app leaves it after
    start-up (the objects made so far frozen, as ``gui.app`` does)."""
    settings = QSettings(os.path.join(settings_folder, f"{name}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(lesson, settings)
    window.resize(1400, 900)
    window.show()
    _spin(0.3)
    gc.collect()
    gc.freeze()
    return window


def _close(window: MainWindow) -> None:
    """Close and destroy ``window`` now: left to a later pass of the event loop, its
    destruction (tens of milliseconds) would land inside the next measure."""
    window.controller.pause()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    _spin(0.05)
    gc.unfreeze()
    gc.collect()


def _lesson_with_history(epochs: int):
    """The Run lesson reopened after ``epochs`` epochs (a saved session whose loss
    history holds that many; the weights are the start's)."""
    lesson = load_lesson(resolve_lesson(RUN_LESSON))
    start = Session(lesson).initial_state()
    start.epoch = epochs
    lesson.session = SavedSession(start, None, np.geomspace(0.5, 1e-3, epochs))
    lesson.epochs = 10_000_000  # the run must outlast every round
    return lesson


def run_in_window(sizes, settings_folder: str) -> list[Row]:
    """Run in the real window (tables, diagram, plot live) vs the headless fast path.

    Returns two rows: epochs per second (ratio window / headless), and the
    longest gap between 10 ms heartbeats while the window runs from the start
    and while it runs with ``sizes.history_epochs`` epochs of history (the
    longer of the two; both, and what filled them, are printed on stderr).
    Both sides run with the collector on, as the app does.
    """
    application()
    lesson = load_lesson(resolve_lesson(RUN_LESSON))
    lesson.epochs = 10_000_000  # the run must outlast every round
    window = _open_window(lesson, settings_folder, "run")
    controller = window.controller
    heartbeat = _Heartbeat()
    seconds = sizes.run_seconds
    headless = Session(load_lesson(resolve_lesson(RUN_LESSON)))

    def baseline() -> float:
        done, start, cpu = 0, time.perf_counter(), cpu_seconds()
        while time.perf_counter() - start < seconds:
            done += len(headless.run(sizes.headless_chunk).losses)
        return done / (cpu_seconds() - cpu)

    def ours() -> float:
        # Beating before Run starts: Qt fires a newly started timer late (its first
        # tick after ≈18 ms beside 6 ms ticks, not 10), which the first gap would count.
        heartbeat.start()
        _spin(HEARTBEAT_SETTLE_S)
        first, cpu = controller.session.epochs_done, cpu_seconds()
        controller.run()
        _spin(seconds)
        controller.pause()
        # The pause's repaint belongs to this round: left pending, it would be painted
        # at the start of the next one, inside its first gap.
        QApplication.processEvents()
        heartbeat.stop()
        return (controller.session.epochs_done - first) / (cpu_seconds() - cpu)

    try:
        base, mine, ratio = interleaved(baseline, ours, sizes.rounds, collector=True)
    finally:
        _close(window)
    at_start = heartbeat.longest
    print(f"  longest gap, Run from the start: {heartbeat.explained()}", file=sys.stderr)
    heartbeat.longest = 0.0
    window = _open_window(_lesson_with_history(sizes.history_epochs), settings_folder, "long")
    controller = window.controller
    try:
        for _ in range(max(2, sizes.rounds // 2)):
            ours()
    finally:
        _close(window)
        heartbeat.close()
    print(f"  longest gap, Run after {sizes.history_epochs} epochs: {heartbeat.explained()}",
          file=sys.stderr)
    history = f"{sizes.history_epochs:,}".replace(",", " ")
    return [
        judged("Run in the window offscreen, XOR 2-2-1, tables/diagram/plot live (epochs per "
               "CPU second) "
               "vs the headless fast path", base, mine, ratio, Goal("≥ 0.9×", 0.9, True)),
        judged(f"longest event-loop stall during Run, from the start and after {history} epochs "
               f"({HEARTBEAT_MS} ms heartbeat: longest gap, ms)", None,
               1000 * max(at_start, heartbeat.longest), None,
               Goal("≤ 33 ms", 33.0, False, False)),
    ]


def start_up(sizes, settings_folder: str) -> Row:
    """``python main.py`` to its first painted window vs a bare PySide6 + pyqtgraph window."""
    env = dict(os.environ, XDG_CONFIG_HOME=settings_folder, HOME=settings_folder)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Both sides start from bytecode, as installed code does: pip compiled
    # PySide6 and pyqtgraph at install time, but an editable checkout run with
    # PYTHONDONTWRITEBYTECODE set would recompile the app's sources every launch.
    for source in ("engine", "gui"):
        compileall.compile_dir(str(ROOT / source), quiet=1)
    compileall.compile_file(str(ROOT / "main.py"), quiet=1)
    ours_env = dict(env, **{EXIT_AFTER_PAINT: "1"})
    python = sys.executable
    base, mine, ratio = interleaved(
        lambda: seconds_to_first_paint([python, "-c", BARE_WINDOW_SCRIPT], env, ROOT),
        lambda: seconds_to_first_paint([python, str(ROOT / "main.py")], ours_env, ROOT),
        sizes.start_up_rounds, warmup=1)
    return judged("start-up: python main.py to the first painted window (s) "
                  "vs a bare PySide6 + pyqtgraph window with one plot", base, mine, ratio,
                  Goal("≤ 1.2×", 1.2, False))


def _page_downs(view: QTableView, presses: int) -> float:
    """Seconds for ``presses`` Page Down keys, each followed by a synchronous repaint."""
    view.scrollToTop()
    view.setCurrentIndex(view.model().index(0, 0))
    QApplication.processEvents()
    start = time.perf_counter()
    for _ in range(presses):
        QApplication.sendEvent(view, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_PageDown,
                                               Qt.KeyboardModifier.NoModifier))
        view.viewport().repaint()
    return time.perf_counter() - start


def table_scrolling(sizes) -> Row:
    """A 1797×64 matrix through 100 page-downs: the app's table vs a minimal model (ms)."""
    application()
    with np.load(ROOT / "resources" / "digits" / "digits.npz") as data:
        pixels = data["images"].astype(float) / 16.0  # shape (1797, 64)
    info = MatrixInfo("X", "inputs", "input", 0, "X", "X", "the inputs of the batch",
                      pixels.shape, True, True, identity=identify("X", 2))
    model = ArrayModel(info)
    model.set_values(pixels)
    ours_view = MatrixView(model)
    base_model = NumpyTableModel(pixels)
    base_view = QTableView()
    base_view.setModel(base_model)
    # The same cells on both sides: the same visible area, column width and row
    # height, so the ratio compares the models and views, not how many cells fit.
    base_view.setFixedSize(ours_view.size())
    base_view.horizontalHeader().setDefaultSectionSize(ours_view.columnWidth(0))
    base_view.verticalHeader().setDefaultSectionSize(ours_view.rowHeight(0))
    base_view.verticalHeader().setFixedWidth(ours_view.verticalHeader().width())
    base_view.horizontalHeader().setFixedHeight(ours_view.horizontalHeader().height())
    for view in (ours_view, base_view):
        view.show()
    _spin(0.1)
    presses = sizes.page_downs
    try:
        base, mine, ratio = interleaved(lambda: 1000 * _page_downs(base_view, presses),
                                        lambda: 1000 * _page_downs(ours_view, presses),
                                        sizes.rounds)
    finally:
        for view in (ours_view, base_view):
            view.close()
            view.deleteLater()
        _spin(0.05)
    return judged(f"scroll a 1797×64 table through {presses} page-downs with repaints (ms) "
                  "vs a minimal NumPy QAbstractTableModel", base, mine, ratio,
                  Goal("≤ 1.3×", 1.3, False))

"""The learning-rate race (seed 002): one loss curve per learning rate.

``ComparisonView`` is the machinery shared with the training-modes view: a
row of settings, Race / Stop, a progress bar, one pyqtgraph plot with a
curve per contender (the theme's run colours — Okabe–Ito, lighter on a dark
theme — and a line style each, so that colour is never the only cue), a legend below the plot (where it covers
no curve and no marker), a log scale that turns on by itself when the
curves span more than three decades (the toggle, once used, wins) and one
line per contender saying how it ended. The engine's ``Race`` does the training,
advanced in time-boxed slices (``TimeBoxed``) so the window stays live.

A dashed vertical line marks the epoch the main session has reached, so the
lesson's own run can be read against the race.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QEvent, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QPalette  # noqa: E402
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QLineEdit,  # noqa: E402
                               QProgressBar, QPushButton, QSpinBox, QWidget)

from engine import limits  # noqa: E402
from engine.errors import LessonError  # noqa: E402
from engine.race import DEFAULT_RATES  # noqa: E402

from ..parts import problem_label, view_column  # noqa: E402
from ..plots import FittedPlot, plottable, spans_decades  # noqa: E402
from ..run_clock import FRAME_RATE  # noqa: E402
from ..session_controller import SessionController  # noqa: E402
from ..teaching_model import TeachingModel  # noqa: E402
from ..theme import theme_of  # noqa: E402
from .timeboxed import TimeBoxed  # noqa: E402

if TYPE_CHECKING:  # races are built by the teaching model; the view advances and reads them
    from engine.race import Race

__all__ = ["ComparisonView", "LearningRateRaceView", "RACE_STYLES"]

RACE_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine,
               Qt.PenStyle.DashDotLine)
PLOT_MIN_HEIGHT = 180    # a dock opened beside others must still show the curves
FIELD_ERROR_RED = "#B03A2E"
FIELD_ERROR_STYLE = f"QLineEdit {{ border: 2px solid {FIELD_ERROR_RED}; }}"


class ComparisonView(QWidget):
    """Several runs of the lesson that differ in one setting, on one loss plot.

    Subclasses add their settings widgets with ``add_setting`` and build the
    engine ``Race`` in ``build_race`` (raising ``LessonError`` for bad input,
    which is shown under the settings).

    Parameters
    ----------
    controller : SessionController
        Says when the lesson changes and which epoch the session has reached.
    teaching : TeachingModel
        Builds the race (``build_race``).
    """

    start_text = "Race"

    def __init__(self, controller: SessionController, teaching: TeachingModel,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller, self.teaching = controller, teaching
        self.race: Race | None = None
        self.work = TimeBoxed(self)
        self.work.progressed.connect(self._mark_dirty)
        self.work.finished.connect(self._finished)

        controls = self._build_controls()
        self.problem_label = problem_label("raceProblem")
        self.problem_label.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("not started")
        self._build_plot()
        self.outcomes = QLabel("")
        self.outcomes.setObjectName("raceOutcomes")
        self.outcomes.setWordWrap(True)
        self.outcomes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        view_column(self, [controls, self.problem_label, self.progress, self.plot,
                           self.outcomes], fill=self.plot)

        self._dirty = False
        self._frame = QTimer(self)
        self._frame.setInterval(int(1000 / FRAME_RATE))
        self._frame.timeout.connect(self._redraw)
        self._frame.start()

        controller.lessonChanged.connect(self.set_lesson)
        controller.historyChanged.connect(self.set_session_epoch)
        self.set_lesson(controller.lesson)
        self.set_session_epoch(None, controller.epochs_done)  # built after training began

    def _build_controls(self) -> QHBoxLayout:
        """The subclass's settings, epochs, Race / Stop and the log-scale toggle."""
        self.settings_row = QHBoxLayout()
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(1, limits.MAX_EPOCHS)
        self.epochs_box.setToolTip("Epochs each run trains (a run that diverges stops early)")
        self.start_button = QPushButton(self.start_text)
        self.start_button.setToolTip("Train every run from the lesson's initial weights and seed")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.work.stop)
        self.log_box = QCheckBox("log scale")
        self.log_box.setToolTip("Log scale turns on by itself when the losses span more than "
                                "three decades, until you choose a scale here")
        self.log_box.toggled.connect(self._log_box_toggled)
        self._log_choice: bool | None = None   # the user's scale; None: chosen by the data
        self._switching = False                # the box is moved by the automatic scale
        controls = QHBoxLayout()
        controls.addLayout(self.settings_row)
        controls.addWidget(QLabel("epochs"))
        controls.addWidget(self.epochs_box)
        controls.addWidget(self.start_button)
        controls.addWidget(self.stop_button)
        controls.addWidget(self.log_box)
        controls.addStretch(1)
        return controls

    def _build_plot(self) -> None:
        """The loss plot: a legend, the lesson's own epoch marked, a hint until the start."""
        # An opaque background: a transparent one let stale pixels of the dock's
        # tab bar show through under Xvfb.
        self.plot = FittedPlot(background=self.palette().window().color())
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMenuEnabled(False)
        self.plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        # The legend is a row of the plot's layout under the epoch axis, never over
        # the data: inside, it covered the lesson's marker and the curves' ends.
        item = self.plot.getPlotItem()
        self.legend = pg.LegendItem(colCount=4)
        item.layout.addItem(self.legend, 4, 1)
        item.legend = self.legend  # curves given a name join it
        self.session_marker = pg.InfiniteLine(angle=90, movable=False, label="lesson",
                                              labelOpts={"position": 0.95})
        self.plot.addItem(self.session_marker)
        self.hint = pg.TextItem(f"Press {self.start_text} to train each run", anchor=(0.5, 0.5))
        self.plot.addItem(self.hint)
        self.hint.setPos(0.5, 0.5)
        self.plot.setXRange(0, 1)
        self.plot.setYRange(0, 1)
        self.curves: list[pg.PlotDataItem] = []
        self.ends: list[pg.PlotDataItem] = []
        self._colour_plot()

    def _colour_plot(self) -> None:
        """Background, legend, the lesson's marker and the hint in the palette's colours,
        so that they follow a theme (gui/theme.py)."""
        palette = self.palette()
        ink = palette.color(QPalette.ColorRole.WindowText)
        grey = palette.color(QPalette.ColorRole.PlaceholderText)
        self.plot.setBackground(palette.color(QPalette.ColorRole.Window))
        self.legend.setLabelTextColor(ink)
        for _sample, label in self.legend.items:
            label.setText(label.text)  # a LabelItem renders its colour on setText
        self.session_marker.setPen(pg.mkPen(grey, width=1, style=Qt.PenStyle.DashLine))
        self.session_marker.label.setColor(grey)
        self.hint.setColor(grey)
        for index, (curve, end) in enumerate(zip(self.curves, self.ends)):
            pen = self._run_pen(index)
            curve.setPen(pen)
            end.setSymbolPen(pg.mkPen(pen.color(), width=3))
            end.setSymbolBrush(pen.color())

    def _run_pen(self, index: int):
        """The pen of run ``index``: the theme's run colour (black would vanish on a dark
        window) and a line style of its own."""
        colours = theme_of(self.palette()).runs
        return pg.mkPen(colours[index % len(colours)], width=2,
                        style=RACE_STYLES[index % len(RACE_STYLES)])

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        # (A palette can arrive while the view is being built, before its plot.)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "legend"):
            self._colour_plot()

    # -- settings ----------------------------------------------------------------------
    def add_setting(self, label: str, widget: QWidget) -> None:
        self.settings_row.addWidget(QLabel(label))
        self.settings_row.addWidget(widget)

    def build_race(self) -> Race:
        """The engine race for the current settings; LessonError for bad input."""
        raise NotImplementedError

    def show_problem(self, text: str) -> None:
        """Say what is wrong with the settings (empty: nothing)."""
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    # -- controller → view ---------------------------------------------------------------
    def set_lesson(self, lesson) -> None:
        """A new lesson (or new settings): the old race no longer applies."""
        self.work.stop()
        self.race = None
        self.epochs_box.setValue(min(lesson.epochs, limits.MAX_EPOCHS))
        self._clear_curves()
        self.hint.show()
        self.progress.setValue(0)
        self.progress.setFormat("not started")
        self.outcomes.setText("")

    def set_session_epoch(self, _losses, epoch: int) -> None:
        self.session_marker.setValue(epoch)

    # -- running -------------------------------------------------------------------------
    def start(self) -> None:
        """Build the race from the settings and train it in time-boxed slices."""
        try:
            race = self.build_race()
        except LessonError as exc:
            self.show_problem(str(exc))
            return
        self.show_problem("")
        self.race = race
        self._clear_curves()
        self.hint.hide()
        for index, contender in enumerate(race.contenders):
            pen = self._run_pen(index)
            curve = self.plot.plot(pen=pen, name=contender.label)
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            # A cross where a diverged run stopped (a data item, so log scale applies).
            end = self.plot.plot(pen=None, symbol="x", symbolSize=16,
                                 symbolPen=pg.mkPen(pen.color(), width=3),
                                 symbolBrush=pen.color())
            self.curves.append(curve)
            self.ends.append(end)
        self.plot.setXRange(0, race.epochs, padding=0.02)
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.work.start(race.advance, lambda: race.finished)
        self._mark_dirty()

    @property
    def running(self) -> bool:
        return self.work.running

    def _finished(self, completed: bool) -> None:
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self._dirty = True
        self._redraw()
        if not completed:
            self.progress.setFormat("stopped at %p%")

    def _clear_curves(self) -> None:
        for item in self.curves + self.ends:
            self.plot.removeItem(item)
        self.legend.clear()
        self.curves, self.ends = [], []

    def _mark_dirty(self) -> None:
        self._dirty = True

    # -- drawing ---------------------------------------------------------------------------
    def set_log(self, on: bool) -> None:
        """The user's choice of scale: it wins over the automatic one from now on."""
        self._log_choice = bool(on)
        self._show_log(bool(on))

    def _log_box_toggled(self, on: bool) -> None:
        if not self._switching:
            self.set_log(on)

    def _show_log(self, on: bool) -> None:
        if on != self.log_box.isChecked():
            self._switching = True
            try:
                self.log_box.setChecked(on)
            finally:
                self._switching = False
        self.plot.setLogMode(y=on)
        self._dirty = True
        self._redraw()

    def _loss_span(self) -> tuple[float, float]:
        """The smallest and largest positive finite loss of any contender."""
        low, high = np.inf, 0.0
        for contender in self.race.contenders:
            losses = np.asarray(contender.losses, dtype=float)
            with np.errstate(invalid="ignore"):
                losses = losses[np.isfinite(losses) & (losses > 0)]
            if losses.size:
                low, high = min(low, float(losses.min())), max(high, float(losses.max()))
        return low, high

    def _redraw(self) -> None:
        """Curves from the race's losses, at most FRAME_RATE times a second."""
        if not self._dirty or self.race is None:
            return
        log = self.log_box.isChecked()
        if self._log_choice is None and spans_decades(*self._loss_span()) != log:
            self._show_log(not log)  # redraws on the other scale
            return
        self._dirty = False
        for contender, curve, end in zip(self.race.contenders, self.curves, self.ends):
            losses = plottable(contender.losses, log)  # a log axis cannot show zero
            epochs = np.arange(1, losses.size + 1, dtype=float)
            keep = np.isfinite(losses)
            curve.setData(epochs[keep], losses[keep], skipFiniteCheck=True)
            if contender.diverged is not None and keep.any():
                last = np.flatnonzero(keep)[-1]
                end.setData([epochs[last]], [losses[last]])
            else:
                end.setData([], [])
        self.plot.enableAutoRange(axis="y")
        self.progress.setValue(int(1000 * self.race.progress))
        self.progress.setFormat("%p%" if self.running else "done")
        self.outcomes.setText("\n".join(contender.outcome() for contender in self.race.contenders))


class LearningRateRaceView(ComparisonView):
    """Seed 002's experiment: the lesson with several learning rates, side by side."""

    def __init__(self, controller: SessionController, teaching: TeachingModel,
                 parent: QWidget | None = None):
        self.rates_field = QLineEdit(", ".join(f"{rate:g}" for rate in DEFAULT_RATES))
        self.rates_field.setObjectName("ratesField")
        self.rates_field.setToolTip("Learning rates to compare, separated by commas "
                                    "(seed 002: 2, 0.1 and 0.001)")
        super().__init__(controller, teaching, parent)
        self.add_setting("learning rates", self.rates_field)
        self.rates_field.returnPressed.connect(self.start)
        self.rates_field.textEdited.connect(lambda _text: self.show_problem(""))

    def show_problem(self, text: str) -> None:
        super().show_problem(text)
        self.rates_field.setStyleSheet(FIELD_ERROR_STYLE if text else "")

    def build_race(self) -> Race:
        return self.teaching.learning_rate_race(self.rates_field.text(), self.epochs_box.value())

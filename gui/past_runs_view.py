"""Kept runs on screen: faded curves on the loss plot, and their final decision
boundaries as small multiples.

``PastRunCurves`` draws the runs of ``controller.past_runs`` (``gui/past_runs.py``)
on the plot it is given — the loss plot, or the Accuracy view with each run's
training and held-out accuracy — one faded curve each (the held-out one
thinner), in an Okabe–Ito colour and a line style of its own (colour is never
the only cue, and a run looks the same in both plots), a legend over the plot
naming each by what differed from the run now, the Compare menu (show, pin,
clear each run; clear all) and the hover readout's part for them. Every plot
draws from the one store, so a run hidden or cleared leaves every plot at once.
``PastBoundaries`` shows each kept run's final decision boundary, labelled
the same way, under the decision-boundary map.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QObject, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFontInfo, QPixmap  # noqa: E402
from PySide6.QtWidgets import (QLabel, QMenu, QSizePolicy, QToolButton,  # noqa: E402
                               QVBoxLayout, QWidget)

from engine.number_text import shown_briefly  # noqa: E402

from .flow_layout import FlowLayout  # noqa: E402
from .views.colours import classes_rgba, diverging_rgba, to_qimage  # noqa: E402

__all__ = ["PastRunCurves", "PastBoundaries", "PAST_RUN_COLOURS", "PAST_RUN_STYLES",
           "FADED_ALPHA", "THUMBNAIL_PIXELS", "HOVER_HINT", "run_colour", "loss_reading",
           "OneLineLabel"]

# Okabe–Ito without its blue (the run now's colour), its bluish green (the held-out
# rows' curve), its yellow (too pale on white) and black (lost on a dark theme), and a
# mid grey that shows on both: five, as many as are kept unless pinned.
PAST_RUN_COLOURS = ("#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#8C8C8C")
PAST_RUN_STYLES = (Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine,
                   Qt.PenStyle.DashDotDotLine)
FADED_ALPHA = 150      # of 255: a kept run stays readable but behind the run now
THUMBNAIL_PIXELS = 96  # a small multiple's side
HOVER_HINT = "Hover over the plot to read every run's loss at an epoch."


def run_colour(number: int) -> QColor:
    """Run ``number``'s colour, the same on the plot, in the legend and by its boundary;
    a run keeps it while other runs come and go."""
    return QColor(PAST_RUN_COLOURS[(number - 1) % len(PAST_RUN_COLOURS)])


def _run_pen(number: int, width: int = 2):
    colour = run_colour(number)
    colour.setAlpha(FADED_ALPHA)
    # Colour and style cycle at different lengths: six colours × four styles.
    return pg.mkPen(colour, width=width,
                    style=PAST_RUN_STYLES[(number - 1) % len(PAST_RUN_STYLES)])


def _value_text(value: tuple[float, float] | None, last: int) -> str:
    if value is None:
        return f"ended at epoch {last}"
    low, high = value
    if shown_briefly(low, 6) == shown_briefly(high, 6):
        return shown_briefly(low, 6)
    return f"{shown_briefly(low, 6)}–{shown_briefly(high, 6)}"  # a bucket of a long run


def loss_reading(run, epoch: int) -> str:
    """A kept run's loss at ``epoch`` as the loss plot's readout writes it."""
    kept = run.curves["loss"]
    return _value_text(kept.at(epoch), kept.epochs)


class OneLineLabel(QLabel):
    """A label of one line that never widens or heightens its dock: a text too long
    for it ends in "…", and the whole text is its tooltip (the loss dock is short
    at 1280×720, and every line under the plot is taken from the plot)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                                   max(self.width(), 1)))


class PastRunCurves(QObject):
    """The kept runs on a plot.

    Parameters
    ----------
    plot : FittedPlot
        The plot (its items are added here once, data changed with ``setData``).
    current : pg.PlotDataItem
        The run now's curve, named "this run" in the legend while runs are compared.
    changed : callable
        Called when what is drawn changes (the plot then redraws and re-ranges).
    names : tuple of str
        The kept curves drawn, by their name in ``PastRun.curves``: the first
        in the legend and drawn thick, the others thin in the same colour and style.
    scale : float
        The kept values times ``scale`` are drawn (100: fractions as percent).
    reading : callable
        ``reading(run, epoch)``: a kept run's values at ``epoch`` for the readout.
    hint : str
        The readout's line before the pointer is over the plot.
    """

    def __init__(self, plot, current, changed, parent: QObject | None = None,
                 names: tuple[str, ...] = ("loss",), scale: float = 1.0,
                 reading=loss_reading, hint: str = HOVER_HINT):
        super().__init__(parent)
        self.plot, self.current, self._changed = plot, current, changed
        self.names, self.scale, self._reading, self.hint = names, scale, reading, hint
        self.store = None
        self.items: dict[int, dict[str, pg.PlotDataItem]] = {}   # by run number, then name
        self._drawn: tuple | None = None                 # (store revision, log) drawn
        self._revision = 0
        self._extents: dict[tuple[int, bool], tuple[int, float, float]] = {}
        # Over the plot's top right, where falling losses seldom are: the loss dock is
        # short beside the tables, and a row under the axis would take its plot's height.
        self.legend = pg.LegendItem(labelTextColor="#202020", colCount=3,
                                    brush=pg.mkBrush(255, 255, 255, 215),
                                    pen=pg.mkPen("#B0B0B0"))
        self.legend.setParentItem(plot.getPlotItem().vb)
        self.legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-6, 6))
        self.legend.setVisible(False)
        self.button = QToolButton()
        self.button.setObjectName("compareRuns")
        self.button.setText("Compare")
        self.button.setToolTip("Runs before Reset or new settings stay as faded curves: "
                               "show, pin (keep beyond five) or clear them here")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.button.setMenu(self.menu)
        self.readout = OneLineLabel()
        self.readout.setObjectName("compareReadout")
        self.readout.hide()
        self._fill_menu()

    def attach(self, store) -> None:
        """Draw the runs of ``store`` (a ``PastRuns``) from now on."""
        self.store = store
        store.changed.connect(self._rebuild)
        self._rebuild()

    @property
    def runs(self) -> list:
        """The kept runs that have a curve drawn here (shown or hidden), oldest first."""
        if self.store is None:
            return []
        return [run for run in self.store.runs if self.names[0] in run.curves]

    @property
    def curves(self) -> dict[int, pg.PlotDataItem]:
        """Each kept run's main curve (``names[0]``), by run number."""
        return {number: items[self.names[0]] for number, items in self.items.items()}

    # -- what is drawn ------------------------------------------------------------------------
    def _rebuild(self) -> None:
        """A run was kept, pinned, hidden, cleared or relabelled: items, legend and menu."""
        runs = {run.number: run for run in self.runs}
        for number in [n for n in self.items if n not in runs]:
            for curve in self.items.pop(number).values():
                self.plot.removeItem(curve)
        for number, run in runs.items():
            items = self.items.setdefault(number, {})
            for order, name in enumerate(self.names):
                if name in run.curves and name not in items:
                    curve = pg.PlotDataItem(pen=_run_pen(number, 2 if order == 0 else 1),
                                            connect="finite")
                    curve.setDownsampling(auto=True, method="peak")
                    curve.setClipToView(True)
                    curve.setZValue(-1)          # behind the run now
                    self.plot.addItem(curve)
                    items[name] = curve
            for curve in items.values():
                curve.setVisible(not run.hidden)
        self.legend.clear()
        # In the plot's font, as its axes are (larger with Ctrl++ and in presenter mode).
        self.legend.setLabelTextSize(f"{QFontInfo(self.plot.font()).pixelSize()}px")
        shown = [run for run in runs.values() if not run.hidden]
        if shown:
            self.legend.addItem(self.current, "this run")
            for run in shown:
                self.legend.addItem(self.curves[run.number], run.label)
        self.legend.setVisible(bool(shown))
        self._fill_menu()
        # Shown whenever runs are, so hovering never changes the plot's height.
        self.readout.set_full_text(self.hint if shown else "")
        self.readout.setVisible(bool(shown))
        self._revision += 1
        self._changed()

    def _fill_menu(self) -> None:
        self.menu.clear()
        for run in self.runs:
            sub = self.menu.addMenu(run.label)
            show = sub.addAction("Show")
            show.setCheckable(True)
            show.setChecked(not run.hidden)
            show.toggled.connect(lambda on, n=run.number: self.store.hide(n, not on))
            pin = sub.addAction("Pin (keep beyond five)")
            pin.setCheckable(True)
            pin.setChecked(run.pinned)
            pin.toggled.connect(lambda on, n=run.number: self.store.pin(n, on))
            sub.addAction("Clear", lambda n=run.number: self.store.clear(n))
        if self.runs:
            self.menu.addSeparator()
            self.menu.addAction("Clear all kept runs", lambda: self.store.clear())
        self.button.setEnabled(bool(self.runs))

    def draw(self, log: bool, plottable) -> None:
        """Set the curves' data for a log or linear axis (``plottable`` makes values a
        log axis cannot show gaps); only when the runs or the scale changed."""
        if self._drawn == (self._revision, log):
            return
        self._drawn = (self._revision, log)
        for run in self.runs:
            for name, curve in self.items[run.number].items():
                kept = run.curves[name]
                x, y = np.asarray(kept.x), plottable(self.scale * kept.y, log)
                finite = np.isfinite(y)
                curve.setData(x[finite], y[finite], skipFiniteCheck=True)

    def extent(self, log: bool) -> tuple[int, float, float]:
        """(longest run's epochs, lowest, highest value) of the runs shown — what the
        plot's ranges must also hold; (0, inf, 0 or −inf) with none. Worked out once
        per change of the runs: the plot asks every frame while training runs."""
        if (self._revision, log) in self._extents:
            return self._extents[(self._revision, log)]
        epochs, low, high = 0, np.inf, 0.0 if log else -np.inf
        for run in self.runs:
            if run.hidden:
                continue
            for name in self.items[run.number]:
                kept = run.curves[name]
                epochs = max(epochs, kept.epochs)
                span = kept.span(log)
                if span is not None:
                    low = min(low, self.scale * span[0])
                    high = max(high, self.scale * span[1])
        self._extents = {key: value for key, value in self._extents.items()
                         if key[0] == self._revision}
        self._extents[(self._revision, log)] = (epochs, low, high)
        return epochs, low, high

    # -- hovering -------------------------------------------------------------------------------
    def read_out(self, epoch: int, now: str | None) -> None:
        """Write the run now's values (``now``, as its plot writes them; None: it has
        not reached ``epoch``) and every shown kept run's at ``epoch`` under the plot."""
        shown = [run for run in self.runs if not run.hidden]
        if not shown:
            return
        parts = [] if now is None else [f"this run: {now}"]
        for run in shown:
            parts.append(f"{run.label}: {self._reading(run, epoch)}")
        self.readout.set_full_text(f"epoch {epoch} — " + " · ".join(parts))


class PastBoundaries(QWidget):
    """Each kept run's final decision boundary, small, with its label — beside the map
    of the run now, what changed shows in the shape of the boundary.

    Parameters
    ----------
    store : PastRuns
        ``controller.past_runs``.
    """

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setObjectName("pastBoundaries")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("Kept runs' final boundaries")
        column.addWidget(self.title)
        self.flow = FlowLayout(spacing=8)
        column.addLayout(self.flow)
        self.tiles: list[QWidget] = []
        store.changed.connect(self._rebuild)
        self._rebuild()

    def _rebuild(self) -> None:
        for tile in self.tiles:
            self.flow.removeWidget(tile)
            tile.deleteLater()
        self.tiles = [self._tile(run) for run in self.store.runs
                      if run.boundary is not None and not run.hidden]
        for tile in self.tiles:
            self.flow.addWidget(tile)
        self.setVisible(bool(self.tiles))

    def _tile(self, run) -> QWidget:
        boundary = run.boundary
        if boundary.kind == "classes":
            rgba = classes_rgba(boundary.winner, boundary.value, boundary.outputs.shape[2])
        else:
            rgba = diverging_rgba(boundary.value, boundary.levels)
        tile = QWidget()
        tile.setObjectName(f"pastBoundary{run.number}")
        column = QVBoxLayout(tile)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        picture = QLabel()
        picture.setPixmap(QPixmap.fromImage(to_qimage(rgba)).scaled(
            THUMBNAIL_PIXELS, THUMBNAIL_PIXELS, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
        # The run's colour as a frame: the thumbnail is matched to its curve at a glance.
        picture.setStyleSheet(f"border: 3px solid {run_colour(run.number).name()};")
        caption = QLabel(run.label)
        caption.setWordWrap(True)
        caption.setMaximumWidth(THUMBNAIL_PIXELS + 6)
        column.addWidget(picture)
        column.addWidget(caption)
        tile.caption, tile.picture = caption, picture
        return tile

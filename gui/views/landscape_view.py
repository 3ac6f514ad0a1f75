"""The loss landscape (seed 004): J against one weight, or a contour map of two.

One weight: the curve of J with every other weight held, the current point,
its tangent (slope = the backprop gradient) and the path gradient descent
took (the loss at each epoch's weights). Two weights: the loss as a map
with contour lines and the path across it. The weights are chosen by
matrix, row and column; selecting a weight's cell anywhere chooses it.
Every number comes from ``TeachingModel.loss_landscape``.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSpinBox,  # noqa: E402
                               QStackedWidget, QWidget)

from engine.landscape import WeightAddress  # noqa: E402

from engine.number_text import shown_number  # noqa: E402

from ..parts import view_column  # noqa: E402
from ..plots import FittedPlot, plottable, plottable_points  # noqa: E402
from .colours import grid_rect, sequential_rgba  # noqa: E402
from .throttle import ThrottledView  # noqa: E402

__all__ = ["LandscapeView", "WeightPicker", "CONTOURS"]

CONTOURS = 9
PATH_PEN = pg.mkPen("#D55E00", width=1.5)
PATH_BRUSH = pg.mkBrush("#D55E00")


class WeightPicker(QWidget):
    """Matrix (W1, b1, …), row and column of one weight."""

    def __init__(self, title: str, on_change, parent=None):
        super().__init__(parent)
        self.matrix = QComboBox()
        self.row = QSpinBox()
        self.column = QSpinBox()
        self._layers: tuple[int, ...] = ()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(title))
        layout.addWidget(self.matrix)
        layout.addWidget(QLabel("row"))
        layout.addWidget(self.row)
        layout.addWidget(QLabel("column"))
        layout.addWidget(self.column)
        layout.addStretch(1)
        self.matrix.currentIndexChanged.connect(self._ranges)
        for box in (self.matrix, self.row, self.column):
            signal = box.currentIndexChanged if box is self.matrix else box.valueChanged
            signal.connect(lambda *_: on_change())

    def set_network(self, layers: tuple[int, ...], bias: bool) -> None:
        self._layers = tuple(layers)
        self.matrix.blockSignals(True)
        self.matrix.clear()
        for layer in range(1, len(layers)):
            self.matrix.addItem(f"W{layer}", f"W{layer}")
            if bias:
                self.matrix.addItem(f"b{layer}", f"b{layer}")
        self.matrix.blockSignals(False)
        self._ranges()

    def _ranges(self, *_args) -> None:
        data = self.matrix.currentData()
        if data is None:
            return
        kind, layer = data[0], int(data[1:])
        self.row.setRange(0, 0 if kind == "b" else self._layers[layer - 1] - 1)
        self.row.setEnabled(kind == "W")
        self.column.setRange(0, self._layers[layer] - 1)

    def address(self) -> WeightAddress | None:
        data = self.matrix.currentData()
        if data is None:
            return None
        kind, layer = data[0], int(data[1:])
        return WeightAddress(kind, layer, self.row.value() if kind == "W" else 0,
                             self.column.value())

    def set_address(self, address: WeightAddress) -> None:
        for box in (self.matrix, self.row, self.column):
            box.blockSignals(True)
        self.matrix.setCurrentIndex(self.matrix.findData(f"{address.matrix}{address.layer}"))
        self._ranges()
        self.row.setValue(address.row)
        self.column.setValue(address.column)
        for box in (self.matrix, self.row, self.column):
            box.blockSignals(False)


class LandscapeView(ThrottledView):
    """Loss against one weight (curve) or two (contour map), with the descent path."""

    def __init__(self, controller, teaching, parent=None):
        super().__init__(controller, teaching, parent)
        self.last = None                      # the Landscape drawn last (tests read it)
        self.mode = QComboBox()
        self.mode.addItem("one weight: loss curve", 1)
        self.mode.addItem("two weights: contour map", 2)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.first = WeightPicker("weight", self._choice_changed)
        self.second = WeightPicker("second weight", self._choice_changed)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setObjectName("landscapeStatus")
        self.status.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        for page in (self._build_curve_plot(), self._build_map_plot(), self.message):
            self.pages.addWidget(page)
        view_column(self, [self.mode, self.first, self.second, self.caption, self.status,
                           self.pages], fill=self.pages)
        self.second.hide()

        controller.lessonChanged.connect(self._lesson_changed)
        controller.runningChanged.connect(self.throttle.mark)
        controller.selectionChanged.connect(self._selection_changed)
        self._lesson_changed()

    def _build_curve_plot(self) -> pg.PlotWidget:
        """One weight: J with the others fixed, its tangent, the path and the current point."""
        self.curve_plot = FittedPlot(background=None)
        self.curve_plot.setMenuEnabled(False)
        self.curve_plot.setLabel("left", "loss J (whole data set)")
        self.curve_plot.showGrid(x=True, y=True, alpha=0.25)
        for axis in ("left", "bottom"):
            self.curve_plot.getAxis(axis).enableAutoSIPrefix(False)
        self.curve_plot.addLegend(offset=(-8, 8))   # in the theme's colours (FittedPlot)
        self.curve = self.curve_plot.plot(pen=pg.mkPen("#0072B2", width=2.5), name="J, others fixed")
        self.tangent = self.curve_plot.plot(pen=pg.mkPen("#000000", width=2,
                                                         style=Qt.PenStyle.DashLine),
                                            name="tangent: slope = ∂J/∂w")
        self.curve_plot.follow_ink(self.tangent)  # black on a light theme, light on a dark one
        self.path = self.curve_plot.plot(pen=PATH_PEN, symbol="o", symbolSize=5,
                                         symbolBrush=PATH_BRUSH, symbolPen=None,
                                         name="path (J at each epoch)")
        self.curve_plot.follow_runs(self.curve, self.path)  # lighter on a dark theme
        self.current = pg.ScatterPlotItem(size=15, symbol="o", brush=pg.mkBrush("#FFE135"),
                                          pen=pg.mkPen("#000000", width=2))
        self.curve_plot.addItem(self.current)
        return self.curve_plot

    def _build_map_plot(self) -> pg.PlotWidget:
        """Two weights: the loss as a map with contour lines, the path and the current point."""
        self.map_plot = FittedPlot(background=None)
        self.map_plot.setMenuEnabled(False)
        for axis in ("left", "bottom"):
            self.map_plot.getAxis(axis).enableAutoSIPrefix(False)
        self.map_image = pg.ImageItem(axisOrder="row-major")
        self.map_plot.addItem(self.map_image)
        self.contours = [pg.IsocurveItem(level=0.0, pen=pg.mkPen("#FFFFFF", width=1),
                                         axisOrder="row-major") for _ in range(CONTOURS)]
        for contour in self.contours:
            contour.setParentItem(self.map_image)
        self.map_path = self.map_plot.plot(pen=PATH_PEN, symbol="o", symbolSize=5,
                                           symbolBrush=PATH_BRUSH, symbolPen=None)
        self.map_current = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush("#FFE135"),
                                              pen=pg.mkPen("#000000", width=1.5))
        self.map_plot.addItem(self.map_current)
        return self.map_plot

    # -- choices -----------------------------------------------------------------------
    def _lesson_changed(self, *_args) -> None:
        arch = self.controller.architecture
        for picker in (self.first, self.second):
            picker.set_network(arch.layers, arch.bias)
        addresses = self.teaching.weight_addresses()
        selected = self._selected_weight()
        first = selected or WeightAddress("W", 1, 0, 0)
        self.first.set_address(first)
        others = [a for a in addresses if a != first]
        if others:
            self.second.set_address(others[0])
        self.throttle.mark()

    def _selected_weight(self) -> WeightAddress | None:
        selection = self.controller.selection
        if selection is None:
            return None
        matrix = self.controller.identify(selection[0])
        if matrix is None or matrix.info.part not in ("weights", "biases"):
            return None
        kind = "W" if matrix.info.part == "weights" else "b"
        return WeightAddress(kind, matrix.layer, selection[1] if kind == "W" else 0, selection[2])

    def _selection_changed(self, _selection) -> None:
        address = self._selected_weight()
        if address is not None and address != self.first.address():
            self.first.set_address(address)
            self.throttle.mark()

    def _mode_changed(self, _index: int) -> None:
        self.second.setVisible(self.mode.currentData() == 2)
        self._choice_changed()

    def _choice_changed(self) -> None:
        self.throttle.mark()
        QTimer.singleShot(0, lambda: self.throttle.tick(force=True))

    def addresses(self) -> list[WeightAddress]:
        first = self.first.address()
        if self.mode.currentData() == 2:
            return [first, self.second.address()]
        return [first]

    # -- drawing -----------------------------------------------------------------------
    def redraw(self) -> None:
        controller = self.controller
        addresses = self.addresses()
        if len(addresses) == 2 and addresses[0] == addresses[1]:
            only = len(self.teaching.weight_addresses()) < 2
            self._say("This network has a single weight: the contour map needs two." if only
                      else "Choose two different weights for the contour map.")
            return
        running = controller.running
        try:
            landscape = self.teaching.loss_landscape(addresses, coarse=running,
                                                     budget_s=0.02 if running else 0.1)
        except IndexError as exc:
            self._say(str(exc))
            return
        self.last = landscape
        if landscape.path_complete:
            self.status.setText("")
        else:
            done = int(landscape.path_epochs[-1]) if landscape.path_epochs.size else 0
            self.status.setText(f"replaying the run to draw its path: epoch {done} of "
                                f"{controller.epochs_done}…")
            self.throttle.mark()     # carry on at the next tick
        if landscape.curve is not None:
            self._draw_curve(landscape)
        else:
            self._draw_map(landscape)
        self.revision += 1

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)
        self.caption.setText("")
        self.revision += 1

    def _draw_curve(self, landscape) -> None:
        curve = landscape.curve
        name = curve.address.name
        # A diverged run's weights and losses reach the largest floats: drawn as
        # gaps or at plottable's bound, so no axis is asked to range to inf.
        self.curve.setData(plottable(curve.weights), plottable(curve.losses), connect="finite")
        self.tangent.setData(plottable(curve.tangent_weights), plottable(curve.tangent_losses),
                             connect="finite")
        self.path.setData(*plottable_points(landscape.path_values[:, 0], landscape.path_losses))
        self.current.setData(*plottable_points([curve.current_weight], [curve.current_loss]))
        self.curve_plot.setLabel("bottom", name)
        shown = self._shown
        self.caption.setText(
            f"{name} = {shown(curve.current_weight)}   ·   J = {shown(curve.current_loss)}   ·   "
            f"slope ∂J/∂{name} = {shown(curve.slope)} (backprop). Gradient descent moves "
            f"{name} against the slope, downhill. The curve holds the other weights as they "
            f"are now; the path is J at each epoch's weights, so it leaves the curve where "
            f"other weights moved too.")
        self.pages.setCurrentWidget(self.curve_plot)

    def _draw_map(self, landscape) -> None:
        surface = landscape.surface
        losses = surface.losses
        finite = losses[np.isfinite(losses)]
        if finite.size == 0:
            self._say("The loss is not finite anywhere on this map (the run diverged).")
            return
        # Colour and contour levels spread over the values actually present.
        levels = np.unique(np.quantile(finite, np.linspace(0.03, 0.97, CONTOURS)))
        self.map_image.setImage(sequential_rgba(losses, float(finite.min()),
                                                float(np.quantile(finite, 0.97))),
                                autoLevels=False)
        self.map_image.setRect(grid_rect(plottable(surface.first), plottable(surface.second)))
        drawable = bool(np.isfinite(losses).all())
        for n, contour in enumerate(self.contours):
            if drawable and n < len(levels):
                contour.setLevel(float(levels[n]))
                contour.setData(losses)
                contour.show()
            else:
                contour.hide()
        self.map_path.setData(*plottable_points(landscape.path_values[:, 0],
                                                landscape.path_values[:, 1]))
        self.map_current.setData(*plottable_points([surface.current[0]], [surface.current[1]]))
        a, b = (address.name for address in surface.addresses)
        self.map_plot.setLabel("bottom", a)
        self.map_plot.setLabel("left", b)
        shown = self._shown
        self.caption.setText(
            f"{a} = {shown(surface.current[0])}, {b} = {shown(surface.current[1])}   ·   J = "
            f"{shown(surface.current_loss)}   ·   gradient ({shown(surface.gradient[0])}, "
            f"{shown(surface.gradient[1])}). Dark is low loss; lines join equal losses; the "
            f"dots are the weights after each epoch.")
        self.pages.setCurrentWidget(self.map_plot)

    def _shown(self, x: float) -> str:
        """A number as the tables write it now (their decimals; no −0, no cut digits)."""
        return shown_number(x, self.controller.decimals)

"""The decision boundary: the network's output over the input plane, live.

``BoundaryView`` paints what ``TeachingModel.decision_boundary`` returns:
a heatmap of the output (or of one hidden neuron) with the training points
(circles) and the test points (triangles) on top, coloured by class. The
axes are named as the data name their columns and read in the data's own
units (a CSV file's normalisation undone); a colour key names the classes
(a one-hot target's labels, or "and = 1" for a 0/1 column), and a lesson
with several 0/1 outputs has a map per output; under it, the final boundary of
each run kept to compare with (``PastBoundaries``). It redraws from a timer
(``RedrawThrottle``), at most ten times a second and only while it is
visible; a coarse grid while training runs, a fine one when paused. The
diagram's small maps of each hidden neuron are ``hidden_unit_maps.py``'s.
"""
from __future__ import annotations

import os
from html import escape

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (QComboBox, QLabel, QStackedWidget,  # noqa: E402
                               QVBoxLayout, QWidget)

from engine.boundary import COARSE, FINE  # noqa: E402

from engine.number_text import shown_briefly  # noqa: E402

from ..parts import choice_bar, view_column, view_message  # noqa: E402
from ..past_runs_view import PastBoundaries  # noqa: E402
from ..plots import FittedPlot, plottable  # noqa: E402
from .colours import class_colour, classes_rgba, diverging_rgba, grid_rect  # noqa: E402
from .throttle import ThrottledView  # noqa: E402

__all__ = ["BoundaryView"]

OUTPUT = ("output", 0)   # the colour-by choice meaning "the network's (first) output"


class BoundaryView(ThrottledView):
    """Heatmap of the output over the input plane, with the data on top."""

    def __init__(self, controller, teaching, parent=None):
        super().__init__(controller, teaching, parent)
        self.resolution = 0                  # grid points per side of the last redraw
        self.message = view_message("boundaryMessage")
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.key = QLabel("")
        self.key.setObjectName("boundaryKey")
        self.key.setWordWrap(True)
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.class_names: tuple[str, ...] = ()
        self.colour_by = QComboBox()
        self.colour_by.setToolTip("Colour the plane by the network's output or by what one "
                                  "hidden neuron outputs there")
        self.colour_by.currentIndexChanged.connect(self._choice_changed)

        plot_page = QWidget()
        column = QVBoxLayout(plot_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(choice_bar("colour by", self.colour_by))
        column.addWidget(self.caption)
        column.addWidget(self._build_plot(), 1)
        column.addWidget(self.key)
        # Runs before Reset or new settings: their final boundaries beside this one.
        self.past_boundaries = PastBoundaries(controller.past_runs)
        column.addWidget(self.past_boundaries)
        self.pages = QStackedWidget()
        self.pages.addWidget(plot_page)
        self.pages.addWidget(self.message)
        view_column(self, [self.pages], fill=self.pages)

        controller.lessonChanged.connect(self._lesson_changed)
        controller.runningChanged.connect(self.throttle.mark)
        self._lesson_changed()

    def _build_plot(self) -> pg.PlotWidget:
        """The heatmap over the plane, its 0.5 contour, and the train and test points."""
        self.plot = FittedPlot(background=None)
        self.plot.setMenuEnabled(False)
        self.plot.setAspectLocked(True)
        self.plot.setLabel("bottom", "x1")
        self.plot.setLabel("left", "x2")
        self.axis_names = ("x1", "x2")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.isocurve = pg.IsocurveItem(level=0.5, pen=pg.mkPen("#000000", width=2),
                                        axisOrder="row-major")
        self.isocurve.setParentItem(self.image)
        # Shape tells train from test; a dark outline keeps a point visible on
        # the region of its own colour.
        self.train_points = pg.ScatterPlotItem(symbol="o", size=9, pxMode=True,
                                               pen=pg.mkPen("#000000", width=1))
        self.test_points = pg.ScatterPlotItem(symbol="t", size=13, pxMode=True,
                                              pen=pg.mkPen("#000000", width=1.5))
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.test_points)
        return self.plot

    def _show_class_key(self, names: tuple[str, ...]) -> None:
        """The key under the plot: the points' shapes, then a swatch per class in the
        points' colours (no classes for a map of values). Beside the plot rather than
        on it, so it never hides a point."""
        names = tuple(names)
        if names == self.class_names and self.key.text():
            return
        self.class_names = names
        parts = ["● train", "▲ test"]
        parts += [f'<span style="color:{class_colour(index).name()}">■</span> {escape(name)}'
                  for index, name in enumerate(names)]
        self.key.setText("Key: " + " &nbsp; ".join(parts))

    # -- structure ---------------------------------------------------------------------
    def _lesson_changed(self, *_args) -> None:
        teaching = self.teaching
        problem = teaching.plane_problem
        self.message.setText(f"No decision boundary for this lesson: {problem}." if problem
                             else "")
        self.pages.setCurrentIndex(1 if problem else 0)
        self.colour_by.blockSignals(True)
        self.colour_by.clear()
        data = None if problem else teaching.plane_data()
        if data is None or data.kind == "classes" or len(data.output_names) == 1:
            self.colour_by.addItem("network output", OUTPUT)
        else:
            for k, name in enumerate(data.output_names):
                self.colour_by.addItem(f"network output {k + 1}: {name}", ("output", k))
        layers = self.controller.architecture.layers
        for layer in range(1, len(layers) - 1):
            for j in range(layers[layer]):
                self.colour_by.addItem(f"hidden layer {layer}, neuron {j}", ("hidden", layer, j))
        self.colour_by.blockSignals(False)
        if data is not None:
            plane = teaching.plane
            self.axis_names = plane.names
            self.plot.setLabel("bottom", plane.names[0])
            self.plot.setLabel("left", plane.names[1])
            # Two columns of a file may measure different things: each axis its own scale.
            self.plot.setAspectLocked(plane.equal_axes)
            self._show_class_key(data.class_names)
        self.throttle.mark()

    def _choice_changed(self, _index: int) -> None:
        self.throttle.mark()
        self.throttle.tick(force=True)

    # -- drawing -----------------------------------------------------------------------
    def redraw(self) -> None:
        """Ask the teaching model for the map and paint it (coarse while running)."""
        teaching = self.teaching
        if teaching.plane_problem:
            return
        self.resolution = COARSE if self.controller.running else FINE
        choice = self.colour_by.currentData() or OUTPUT
        output = choice[1] if choice[0] == "output" else 0
        boundary = teaching.decision_boundary(self.resolution, output)
        data = teaching.plane_data(output)
        self._show_class_key(data.class_names)
        if choice[0] == "hidden" and choice[1] - 1 < len(boundary.hidden):
            _, layer, j = choice
            low, high = boundary.hidden_levels[layer - 1]
            levels = (low, 0.5 * (low + high), high)
            values = boundary.hidden[layer - 1][j]
            rgba = diverging_rgba(values, levels)
            self.caption.setText(f"What hidden neuron {j} of layer {layer} outputs at each "
                                 f"point (blue {shown_briefly(low)}, gold {shown_briefly(high)}); the "
                                 f"line is where it is halfway, {shown_briefly(levels[1])}.")
            contour = (values, levels[1])
        elif boundary.kind == "classes":
            classes = boundary.outputs.shape[2]
            rgba = classes_rgba(boundary.winner, boundary.value, classes)
            self.caption.setText("Colour: the class the network predicts at each point; paler "
                                 "where it is unsure (the winning probability is low).")
            contour = None
        else:
            rgba = diverging_rgba(boundary.value, boundary.levels)
            low, centre, high = boundary.levels
            if boundary.kind == "probability":
                self.caption.setText(f"Colour: the output, the probability that "
                                     f"{data.class_names[1]} (blue 0, gold 1); the black line "
                                     f"is the decision boundary, output = 0.5.")
            else:
                self.caption.setText(f"Colour: the network's output (blue {shown_briefly(low)}, "
                                     f"gold {shown_briefly(high)}); the line is where it equals "
                                     f"{shown_briefly(centre)}.")
            contour = (boundary.value, centre)
        self.image.setImage(rgba, autoLevels=False)
        # Inputs may be any finite float: drawn at plottable's bound beyond it.
        self.image.setRect(grid_rect(plottable(boundary.xs), plottable(boundary.ys)))
        if contour is not None and np.isfinite(contour[0]).all():
            self.isocurve.setLevel(contour[1])
            self.isocurve.setData(contour[0])
            self.isocurve.show()
        else:
            self.isocurve.hide()
        described = teaching.plane.describe()
        if described:
            self.caption.setText(f"{self.caption.text()} ({described[0].upper()}{described[1:]}.)")
        self._draw_points(data, boundary.levels)
        self.revision += 1

    def _draw_points(self, data, levels) -> None:
        def brushes(labels):
            if data.kind == "value":
                rgba = diverging_rgba(labels[None, :], levels)[0]
                return [pg.mkBrush(*colour) for colour in rgba]
            return [pg.mkBrush(class_colour(label)) for label in labels]

        self.train_points.setData(pos=plottable(data.train), brush=brushes(data.train_labels))
        self.test_points.setData(pos=plottable(data.test), brush=brushes(data.test_labels))

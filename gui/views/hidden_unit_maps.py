"""The node diagram's small maps: what each hidden neuron outputs over the input plane.

``HiddenUnitMaps`` asks ``TeachingModel.decision_boundary`` for a coarse grid
and sends the diagram one image per hidden neuron (2-D lessons only). It
redraws from a timer (``RedrawThrottle``), at most ten times a second, only
while the diagram is visible and once it has been painted: the maps arrive
a tick after the window first shows, which never waits for them (nor for
``engine.boundary``, which loads when they are first drawn).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from .colours import diverging_rgba, to_qimage
from .throttle import RedrawThrottle

__all__ = ["HiddenUnitMaps", "NEURON_MAP_RESOLUTION"]

NEURON_MAP_RESOLUTION = 32   # grid points per side of a neuron's map


class HiddenUnitMaps(QObject):
    """Sends the diagram one small map per hidden neuron (2-D lessons only).

    Parameters
    ----------
    controller : SessionController
        Says when to redraw (a new lesson, new values).
    teaching : TeachingModel
        Gives the decision boundary.
    diagram : NetworkDiagram
        Receives ``set_neuron_maps({(layer, neuron): QImage})``.
    """

    def __init__(self, controller, teaching, diagram):
        super().__init__(diagram)
        self.teaching, self.diagram = teaching, diagram
        self.revision = 0
        self._painted = False   # the diagram has been painted once
        diagram.viewport().installEventFilter(self)
        self.throttle = RedrawThrottle(self.redraw,
                                       lambda: self._painted and diagram.isVisible(), self)
        controller.lessonChanged.connect(self.throttle.mark)
        controller.valuesChanged.connect(self.throttle.mark)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self._painted = True
            watched.removeEventFilter(self)
        return False

    def redraw(self) -> None:
        boundary = self.teaching.decision_boundary(NEURON_MAP_RESOLUTION)
        images = {}
        if boundary is not None:
            for layer, (maps, (low, high)) in enumerate(zip(boundary.hidden,
                                                            boundary.hidden_levels), start=1):
                levels = (low, 0.5 * (low + high), high)
                for j, values in enumerate(maps):
                    images[(layer, j)] = to_qimage(diverging_rgba(values, levels))
        self.diagram.set_neuron_maps(images)
        self.revision += 1

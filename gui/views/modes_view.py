"""Training modes (seed 003): full batch, mini-batch and stochastic on one plot.

The same machinery as the learning-rate race (``ComparisonView``): the
lesson trained three times from its own initial weights and seed, with the
batch size the only difference. Each curve is the loss per epoch — for a
mini-batch, the mean of the epoch's batch losses weighted by batch size, as
the engine reports it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QSpinBox, QWidget

from engine import limits

from ..session_controller import SessionController
from ..teaching_model import TeachingModel
from .race_view import ComparisonView

if TYPE_CHECKING:  # races are built by the teaching model; the view advances and reads them
    from engine.race import Race

__all__ = ["TrainingModesView"]


class TrainingModesView(ComparisonView):
    """Full batch vs mini-batch vs stochastic gradient descent."""

    def __init__(self, controller: SessionController, teaching: TeachingModel,
                 parent: QWidget | None = None):
        self.batch_box = QSpinBox()
        self.batch_box.setObjectName("miniBatchBox")
        self.batch_box.setRange(0, limits.MAX_SAMPLES)
        self.batch_box.setSpecialValueText("automatic")
        self.batch_box.setToolTip("Samples per mini-batch (automatic: 32, or fewer for a "
                                  "small data set)")
        super().__init__(controller, teaching, parent)
        self.add_setting("mini-batch size", self.batch_box)
        self.batch_box.valueChanged.connect(lambda _value: self.show_problem(""))

    def build_race(self) -> Race:
        size = self.batch_box.value()
        return self.teaching.training_modes_race(size or None, self.epochs_box.value())

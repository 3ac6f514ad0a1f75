"""What the teaching views ask about the lesson, answered by the engine.

``TeachingModel`` is made and owned by the controller (``controller.teaching``)
and handed to each teaching view in its constructor (``gui/main_window.py``'s
view factories), the way napari hands a widget its model. It reads the
session and the presentation shown through callables the controller gives
it, so the controller stays the one owner of the session; the views keep
listening to the controller's signals (lessonChanged, valuesChanged ...) and
ask this model for curves, maps, races, checks and code.

The engine modules of the slower views (landscape, race, gradient check,
code lines, chain rule) and of the decision boundary are imported inside
the method that first needs them, so they load when a view first asks,
never at start-up.
"""
from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from engine.activations import ACTIVATIONS, get_activation
from engine.lesson import Lesson
from engine.metrics import Confusion, Judge, class_names
from engine.session import Session
from engine.run_compare import KeptPoints, kept_points
from engine.steps import input_names

from .metric_trail import MetricTrail

if TYPE_CHECKING:  # the other teaching views' engine modules load when a view first asks
    from engine.boundary import BoundaryMap, InputPlane, PlaneData
    from engine.chain_rule import ChainRule
    from engine.iteration import IterationRecord
    from engine.code_lines import CodeLine
    from engine.gradient_check import GradientCheck
    from engine.landscape import DescentPath, Landscape, WeightAddress
    from engine.race import Race

__all__ = ["TeachingModel", "JUDGING_SHARE"]

# While Run trains, judging the weights (a forward pass over every row, as much as
# an epoch of the digits) keeps to about this share of the time: frames whose
# judgement would exceed it are left unjudged, so Run keeps its speed.
JUDGING_SHARE = 0.05


class TeachingModel:
    """The teaching views' questions about the session shown, answered by the engine.

    Parameters
    ----------
    session_of : callable () -> engine.session.Session
        The session the window shows now (the controller replaces it on a
        new lesson, so it is asked for each time, never kept).
    presentation_of : callable () -> str
        ``"gradient"`` or ``"error"``: the presentation shown now.
    """

    def __init__(self, session_of: Callable[[], Session], presentation_of: Callable[[], str]):
        self._session_of = session_of
        self._presentation_of = presentation_of
        self._opened: Lesson | None = None   # the lesson as it opened (see ``open_lesson``)
        self._plane_and_problem: tuple[InputPlane | None, str] | None = None  # when asked
        self._descent: DescentPath | None = None
        self._judge: Judge | None = None
        self._trail = MetricTrail()
        self._next_judgement = 0.0   # perf_counter time before which Run's frames go unjudged

    def open_lesson(self, lesson: Lesson) -> None:
        """Forget the last lesson's plane and descent path; the controller calls this
        for each lesson it opens, before it tells the views.

        The plane is decided once per lesson: an edited X cell drops the
        lesson's data spec, but its columns still mean what they meant when
        it opened.
        """
        # Worked out when first asked, from a shallow copy: an edit gives the lesson new
        # arrays and an empty data spec rather than changing these.
        self._opened, self._plane_and_problem = copy.copy(lesson), None
        self._descent = None  # made when the landscape is first asked for
        self._judge = None           # and its trail: made when first asked for

    # -- how well it learns: test loss, accuracy, confusion ---------------------------
    def _judge_of(self, session: Session) -> Judge:
        """The lesson's judge (``engine.metrics.Judge``), made again when an edit
        replaced the training rows; its trail goes with the old rows."""
        if self._judge is None or not self._judge.judges(session.trainer):
            lesson = session.lesson
            self._judge = Judge(session.trainer, lesson.X_test, lesson.y_test)
            self._trail = MetricTrail(self._judge.held_out, self._judge.classification)
        return self._judge

    @property
    def metric_trail(self) -> MetricTrail:
        """The held-out loss and accuracies at the epochs judged so far (this lesson's)."""
        self._judge_of(self._session_of())
        return self._trail

    def record_metrics(self, running: bool = False) -> MetricTrail:
        """Judge the committed weights of the epoch shown and add them to the trail.

        Asked once a frame (the controller publishes the history): at an
        epoch's end only — inside a mini-batch epoch the weights belong to no
        epoch. A lesson without held-out rows or class labels is not judged.
        While ``running``, a frame is judged only if judging keeps to
        ``JUDGING_SHARE`` of the time (every frame of the moons, a few a
        second of the digits); a step, a jump and the pause are always judged.
        """
        session = self._session_of()
        judge = self._judge_of(session)
        start = time.perf_counter()
        if not self._trail.wanted or session.state.batch != 0 or (
                running and start < self._next_judgement):
            return self._trail
        self._trail.record(session.epochs_done, judge.evaluate(session.params))
        self._next_judgement = start + (time.perf_counter() - start) / JUDGING_SHARE
        return self._trail

    def kept_accuracies(self) -> dict[str, KeptPoints]:
        """Copies of the run's accuracy curves to keep when it ends, by name:
        ``"accuracy"`` (training rows) and, with held-out rows, ``"test_accuracy"``
        (at the epochs judged); none for a regression or before any epoch was judged."""
        trail = self.metric_trail
        if not trail.classification or not len(trail):
            return {}
        kept = {"accuracy": kept_points(trail.epochs, trail.accuracy)}
        if trail.held_out:
            kept["test_accuracy"] = kept_points(trail.epochs, trail.test_accuracy)
        return kept

    def forget_metrics(self) -> None:
        """Reset or an edit: the epochs judged so far are no longer this run's."""
        self.metric_trail.clear()

    @property
    def classification(self) -> bool:
        """Whether the lesson's targets are class labels (``engine.metrics``)."""
        return self._judge_of(self._session_of()).classification

    def class_names(self) -> tuple[str, ...]:
        """The classes by name, in the confusion matrix's order (``y = 0``, ``y = 1``
        for one 0/1 output; the outputs' names for one-hot outputs)."""
        from engine.boundary import output_names
        return class_names(output_names(self._session_of().lesson))

    def confusion(self, held_out: bool = False) -> Confusion | None:
        """True × predicted class of the training (or held-out) rows at the committed
        weights; None for a regression, missing rows or outputs that are not numbers."""
        session = self._session_of()
        return self._judge_of(session).confusion(session.params, held_out)

    # -- activations -----------------------------------------------------------------
    @staticmethod
    def activation_symbols() -> dict[str, tuple[str, str]]:
        """{activation name: (f(z) in symbols, its slope in symbols)}, in the engine's order."""
        return {name: (activation.symbol, activation.slope_symbol)
                for name, activation in ACTIVATIONS.items()}

    @staticmethod
    def activation_curve(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """f(z) and its slope f′(z) for the points ``z`` (shape (n,)), from the engine.

        Softmax maps a whole row, so it has no curve of one z: its f is the
        first of two outputs with the other z at 0 (the sigmoid), and its
        slope is None.
        """
        activation = get_activation(name)
        z = np.asarray(z, dtype=float)
        if activation.row_wise:
            return activation.forward(np.stack([z, np.zeros_like(z)], axis=1))[:, 0], None
        row = z[None, :]
        a = activation.forward(row)
        return a[0], activation.slope(row, a)[0]

    # -- decision boundary and loss landscape ------------------------------------------
    def _plane_of_lesson(self) -> tuple[InputPlane | None, str]:
        """(the input plane or None, why not), decided once per lesson as it opened."""
        if self._plane_and_problem is None:
            from engine.boundary import NotAPlane, input_plane
            try:
                self._plane_and_problem = input_plane(self._opened), ""
            except NotAPlane as exc:
                self._plane_and_problem = None, str(exc)
        return self._plane_and_problem

    @property
    def plane_problem(self) -> str:
        """Why the lesson has no decision boundary ("" when its inputs are a plane)."""
        return self._plane_of_lesson()[1]

    @property
    def plane(self) -> InputPlane | None:
        """The input plane: its axes' names and units (None: see ``plane_problem``)."""
        return self._plane_of_lesson()[0]

    def plane_data(self, output: int = 0) -> PlaneData | None:
        """The samples as points of the input plane in the data's units, coloured by
        ``output`` unless the outputs are one-hot classes; None (see ``plane_problem``)."""
        from engine.boundary import plane_data
        if self.plane is None:
            return None
        return plane_data(self._session_of().lesson, output=output, plane=self.plane)

    def decision_boundary(self, resolution: int, output: int = 0) -> BoundaryMap | None:
        """Output and hidden activations over the plane (``resolution`` × ``resolution``
        points), at the committed weights, the map of ``output``; None when the inputs
        are not a plane."""
        data = self.plane_data(output)
        if data is None:
            return None
        from engine.boundary import decision_boundary, plane_extent
        session = self._session_of()
        extent = plane_extent(np.vstack([data.train, data.test]))
        return decision_boundary(session.trainer.kernel, session.params, self.plane,
                                 extent, resolution, data.kind, session.lesson.y, output)

    def weight_addresses(self) -> list[WeightAddress]:
        """Every weight and bias of the network, as the landscape addresses them."""
        from engine.landscape import weight_addresses
        return weight_addresses(self._session_of().architecture)

    def loss_landscape(self, addresses: list[WeightAddress], coarse: bool = False,
                       budget_s: float = 0.05) -> Landscape:
        """The loss against one or two weights and the descent path (replayed in budget_s)."""
        from engine.landscape import DescentPath, landscape
        if self._descent is None:
            self._descent = DescentPath()
        return landscape(self._session_of(), self._descent, addresses, coarse, budget_s)

    # -- races, gradient check, code panel ---------------------------------------------
    def learning_rate_race(self, rates_text: str, epochs: int) -> Race:
        """The lesson trained separately with each typed learning rate (seed 002).

        Raises LessonError naming the bad item of ``rates_text``.
        """
        from engine.race import learning_rate_race, parse_rates
        return learning_rate_race(self._session_of().lesson, parse_rates(rates_text), epochs)

    def training_modes_race(self, mini_batch: int | None, epochs: int) -> Race:
        """Full batch, mini-batch and stochastic runs of the lesson (seed 003)."""
        from engine.race import training_modes_race
        return training_modes_race(self._session_of().lesson, mini_batch, epochs)

    def gradient_check(self, variant: str) -> GradientCheck:
        """Backprop (or seed 002's wrong formula) against central differences, at the
        committed weights; its numerical side is computed by ``advance``."""
        from engine.gradient_check import GradientCheck
        session = self._session_of()
        return GradientCheck(session.trainer, session.params, variant)

    def code_listing(self) -> tuple[list[str], list[CodeLine]]:
        """The iteration as NumPy in the learner's names: header lines, one line per step."""
        from engine.code_lines import code_lines, listing_header
        session, presentation = self._session_of(), self._presentation_of()
        lesson, arch = session.lesson, session.architecture
        lines = code_lines(session.steps, arch, lesson.loss, presentation,
                           bool(lesson.l2), bool(lesson.momentum))
        shapes = {name: session.value(name).shape
                  for name in input_names(arch, lesson.momentum)}
        header = listing_header(arch, presentation, lesson.learning_rate, lesson.l2,
                                lesson.momentum, shapes)
        return header, lines

    def chain_rule(self, name: str, row: int, column: int) -> ChainRule | None:
        """The chain-rule factors behind a revealed backward or update cell, else None."""
        from engine.chain_rule import chain_rule
        session, presentation = self._session_of(), self._presentation_of()
        record = session.record
        if record is None or session.value(name, presentation) is None:
            return None
        try:
            return chain_rule(record, name, row, column, presentation)
        except (KeyError, IndexError):
            return None

    # -- try an input -----------------------------------------------------------------
    def input_fields(self) -> tuple[list[str], list[str]]:
        """What the learner types: the names of the input's numbers (x1, x2 for a lesson
        whose inputs are points of a plane, derived inputs then computed from them) and
        of the target's."""
        arch = self._session_of().architecture
        count = 2 if self.plane is not None else arch.layers[0]
        return ([f"x{i + 1}" for i in range(count)],
                [f"y{j + 1}" for j in range(arch.layers[-1])])

    def sample_text(self, index: int) -> tuple[str, str]:
        """The input and target of the data set's sample ``index``, written to be typed
        back exactly (every digit)."""
        from engine.number_text import shown_number
        lesson = self._session_of().lesson
        inputs, _targets = self.input_fields()
        row = lesson.X[index, : len(inputs)]
        return (", ".join(shown_number(v, None) for v in row),
                ", ".join(shown_number(v, None) for v in lesson.y[index]))

    def try_input(self, inputs_text: str, target_text: str = "") -> "IterationRecord":
        """The forward pass of a typed input on the weights of the iteration shown
        (``engine.tried_input``); the session is not touched.

        Raises
        ------
        ValueError
            Saying which number is wrong, or how many were typed.
        """
        from engine.tried_input import read_vector, try_input
        session = self._session_of()
        inputs, targets = self.input_fields()
        x = read_vector(inputs_text, len(inputs), "the input")
        target = (read_vector(target_text, len(targets), "the target")
                  if target_text.strip() else None)
        if self.plane is not None:
            x = self.plane.inputs(x[None, :])[0]
        state = session.record.start if session.record is not None else session.state
        return try_input(session.trainer.kernel, state, x, target)

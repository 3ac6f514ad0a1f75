"""The bad-input catalogue, part 3: values no plot can range over (issue 21, family 6).

A diverging run hands the plots losses and weights up to the largest float,
then inf and NaN. Each case is a series the real widgets are fed (offscreen):
the loss plot, the learning-rate race, the loss landscape, the activation
view and the decision boundary. Each must draw without an error — no
"Cannot set range [0.0, inf]", no "Not setting range to [nan, nan]" — with
finite axis ranges; non-finite values are gaps, values beyond ±1e300 are
drawn at that bound.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine.lesson import parse_lesson
from engine.session import Session
from gui.plots import DISPLAY_BOUND, LossPlot, plottable
from helpers import lesson_doc
from window_helpers import open_window

BIGGEST = float(np.finfo(float).max)
XOR = dict(X=[[0, 0], [0, 1], [1, 0], [1, 1]], y=[[0], [1], [1], [0]])


def diverging_lesson(learning_rate=0.34, epochs=100):
    """The issue's lesson: xor, [2, 2, 1], linear, sse; at 0.34 the loss reaches 1.61e308."""
    return parse_lesson(lesson_doc((2, 2, 1), "linear", "sse", learning_rate=learning_rate,
                                   epochs=epochs, **XOR), "diverging.json")


def diverged_history() -> np.ndarray:
    session = Session(diverging_lesson())
    session.run(100)
    return session.loss_history


# (id, losses per epoch)
SERIES = [
    ("the issue's run: 1.61e308, then inf", diverged_history()),
    ("the largest float", np.array([1.0, BIGGEST])),
    ("the largest float, negative", np.array([-BIGGEST, 1.0])),
    ("both largest floats", np.array([-BIGGEST, BIGGEST, 0.5])),
    ("inf after finite losses", np.array([1.0, 10.0, math.inf])),
    ("NaN between losses", np.array([1.0, math.nan, 0.5])),
    ("only NaN", np.array([math.nan, math.nan])),
    ("only inf", np.array([math.inf, -math.inf])),
    ("zero and negatives (log scale)", np.array([0.0, -1.0, 0.25])),
    ("the smallest subnormal", np.array([5e-324, 1.0])),
]


def assert_finite_ranges(plot_widget):
    for low, high in plot_widget.getPlotItem().vb.viewRange():
        assert math.isfinite(low) and math.isfinite(high) and low < high, (low, high)


def test_the_issue_series_reaches_the_largest_floats():
    history = SERIES[0][1]
    assert history.max() > 1e308 or not np.isfinite(history).all()
    assert np.isfinite(history).any() and not np.isfinite(history[-1])


@pytest.mark.parametrize("log", [False, True], ids=["linear", "log"])
@pytest.mark.parametrize("losses", [c[1] for c in SERIES], ids=[c[0] for c in SERIES])
def test_the_loss_plot_draws_every_series(qtbot, losses, log):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_log(log)
    plot.set_history(losses, losses.size)
    drawable = plottable(losses, log)
    assert plot.points == int(np.isfinite(drawable).sum())
    plot.grab()  # paints: axes, ticks and the curve at these ranges
    assert_finite_ranges(plot.plot)


def test_plottable_makes_gaps_and_clips():
    values = np.array([math.nan, math.inf, -math.inf, BIGGEST, -BIGGEST, 2.0, 0.0, -3.0])
    shown = plottable(values)
    np.testing.assert_array_equal(shown[3:], [DISPLAY_BOUND, -DISPLAY_BOUND, 2.0, 0.0, -3.0])
    assert np.isnan(shown[:3]).all()
    on_log = plottable(values, log=True)
    assert np.isnan(on_log[[0, 1, 2, 4, 6, 7]]).all() and on_log[5] == 2.0
    assert np.isnan(values[0]) and values[1] == math.inf  # its input is left as it was


# -- the teaching views in the real window, on the issue's diverging lesson ----------------
@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path, diverging_lesson())


def show(qtbot, window, view):
    docks = list(window.teaching_docks_a) + list(window.teaching_docks_b)
    dock = next(d for d in docks if d.widget() is view)
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: view.isVisible() and view.width() > 100, timeout=5000)
    return dock


@pytest.mark.parametrize("log", [False, True], ids=["linear", "log"])
def test_the_race_draws_a_run_that_reaches_the_largest_float(qtbot, window, log):
    view = window.race_view
    show(qtbot, window, view)
    view.log_box.setChecked(log)
    view.rates_field.setText("0.34, 0.1")
    view.epochs_box.setValue(100)
    view.start_button.click()
    qtbot.waitUntil(lambda: not view.running, timeout=60_000)
    fast = view.race.contenders[0]
    assert fast.diverged is not None and np.nanmax(fast.losses[np.isfinite(fast.losses)]) > 1e300
    view.plot.grab()
    assert_finite_ranges(view.plot)
    view.log_box.setChecked(not log)  # the other scale too
    view.plot.grab()
    assert_finite_ranges(view.plot)


def test_the_race_draws_every_series(qtbot, window):
    """The race's curves fed each catalogue series (as a random-action run met them)."""
    view = window.race_view
    show(qtbot, window, view)
    view.rates_field.setText("0.34, 0.1")
    view.epochs_box.setValue(3)
    view.start_button.click()
    qtbot.waitUntil(lambda: not view.running, timeout=60_000)
    for name, losses in SERIES:
        for log in (False, True):
            for contender in view.race.contenders:
                contender.losses = losses
            view.log_box.setChecked(log)
            view._mark_dirty()
            view._redraw()
            view.plot.grab()
            assert_finite_ranges(view.plot)


def to_the_largest_loss(window, epochs=6):
    """Step to the last finite loss (epoch 6: 1.61e308) or past it (epoch 7: inf)."""
    controller = window.controller
    for _ in range(epochs):
        controller.step_epoch()
    assert window.controller.session.loss_history[5] > 1e300


@pytest.mark.parametrize("epochs", [6, 7], ids=["loss 1.61e308", "loss inf"])
def test_the_landscape_and_activation_views_draw_huge_weights(qtbot, window, epochs):
    to_the_largest_loss(window, epochs)
    for view in (window.teaching_docks_a[1].widget(), window.teaching_docks_a[2].widget()):
        show(qtbot, window, view)
        before = view.revision
        window.controller.select("W2", 0, 0)
        qtbot.waitUntil(lambda: view.revision > before, timeout=5000)
    landscape, activation = (window.teaching_docks_a[i].widget() for i in (1, 2))
    landscape.curve_plot.grab()
    assert_finite_ranges(landscape.curve_plot)
    before = activation.revision
    window.controller.select("z1", 0, 0)
    qtbot.waitUntil(lambda: activation.revision > before, timeout=5000)
    activation.plot.grab()
    assert_finite_ranges(activation.plot)


def test_the_loss_plot_in_the_window_draws_the_issue_run(qtbot, window):
    to_the_largest_loss(window, 7)  # the loss is now inf: the run has diverged
    plot = window.plot
    plot.points  # noqa: B018 — draws the pending history
    plot.plot.grab()
    assert_finite_ranges(plot.plot)
    plot.set_log(True)
    plot.plot.grab()
    assert_finite_ranges(plot.plot)


def test_plot_catalogue_size():
    assert len(SERIES) * 4 + 5 >= 45

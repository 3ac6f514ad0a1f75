"""The teaching views of part B in the real window: race, modes, gradient check, code.

Each view is shown in its dock, must paint something (pixel variance of a
grab), must follow the session when the learner steps, and must hand bad
input back as a message at the field.
"""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.gradient_check import TOLERANCE
from engine.lesson import load_lesson, resolve_lesson
from engine.number_text import shown_number
from engine.race import learning_rate_race
from window_helpers import open_window
from gui.theme import theme_of
from gui.views.code_view import MARKER
from gui.views.gradient_check_view import FAIL_COLOUR, PASS_COLOUR
from tests.helpers import make_lesson

WAIT_MS = 60_000


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(lesson=None):
        return open_window(qtbot, tmp_path, lesson or "excel_walkthrough")
    return make


@pytest.fixture
def window(make_window):
    return make_window()


def show_dock(qtbot, window, view):
    dock = next(d for d in window.teaching_docks_b if d.widget() is view)
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: view.isVisible() and view.width() > 100)
    return dock


def pixels(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB32)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(height, image.bytesPerLine())[:, : 4 * width].astype(float)


def assert_not_blank(widget):
    assert widget.width() > 100 and widget.height() > 100
    assert pixels(widget).var() > 50.0


def test_teaching_views_are_hidden_tabs_listed_in_the_view_menu(window):
    docks = window.teaching_docks_b
    assert [d.windowTitle() for d in docks] == ["Learning-rate race", "Training modes",
                                                "Gradient check", "Code", "Try an input"]
    assert not any(d.isVisible() for d in docks)
    actions = [d.toggleViewAction() for d in docks]
    assert all(action in window.teaching_menu.actions() for action in actions)
    for action in actions:
        action.trigger()   # as the View menu does
    assert all(d.isVisible() for d in docks)
    # One tab group, beside the diagram (issue 17: a view never crushes the diagram).
    assert set(window.tabifiedDockWidgets(docks[0])) == set(docks[1:]) | {window.diagram_dock}


# -- learning-rate race ------------------------------------------------------------------
def test_race_curves_are_the_engines_separate_runs(qtbot, window):
    view = window.race_view
    show_dock(qtbot, window, view)
    assert_not_blank(view)
    view.epochs_box.setValue(300)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert view.running and view.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not view.running, timeout=WAIT_MS)
    expected = learning_rate_race(window.controller.lesson, [2, 0.1, 0.001], 300)
    while not expected.finished:
        expected.advance(100)
    assert len(view.curves) == 3
    for curve, contender in zip(view.curves, expected.contenders):
        x, y = curve.getOriginalDataset()
        assert np.array_equal(y, contender.losses)
        assert np.array_equal(x, np.arange(1, 301))
    assert [item.name() for item in view.curves] == ["η = 2", "η = 0.1", "η = 0.001"]
    assert "η = 0.001: loss" in view.outcomes.text()
    assert view.progress.value() == 1000
    assert_not_blank(view.plot)


def test_race_field_refuses_bad_rates_with_a_message(qtbot, window):
    view = window.race_view
    show_dock(qtbot, window, view)
    view.rates_field.setText("0.1, fast")
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert not view.running and view.race is None
    assert view.problem_label.isVisible()
    assert "item 2 ('fast') is not a number" in view.problem_label.text()
    assert "border" in view.rates_field.styleSheet()
    qtbot.keyClicks(view.rates_field, "x")
    assert not view.problem_label.isVisible()


def test_race_stop_and_divergence(qtbot, make_window):
    lesson = make_lesson((2, 3, 1), "linear", "sse", init="normal", seed=3, epochs=400)
    window = make_window(lesson)
    view = window.race_view
    show_dock(qtbot, window, view)
    view.rates_field.setText("5, 0.01")
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.running, timeout=WAIT_MS)
    fast = view.race.contenders[0]
    assert fast.diverged is not None
    assert "diverged at epoch" in view.outcomes.text()
    x, _ = view.ends[0].getData()
    assert x.size == 1                      # a cross where the diverged run stopped
    view.log_box.setChecked(True)
    assert view.plot.getPlotItem().ctrl.logYCheck.isChecked()
    # Stop leaves the partial race on the plot
    view.rates_field.setText("0.01")
    view.epochs_box.setValue(10_000_000)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.race.contenders[0].epochs_done > 0, timeout=WAIT_MS)
    qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    assert not view.running and view.start_button.isEnabled()
    assert 0 < view.race.contenders[0].epochs_done < 10_000_000
    assert "stopped" in view.progress.format()


def test_race_marks_the_sessions_epoch_and_resets_with_the_lesson(qtbot, window):
    view = window.race_view
    show_dock(qtbot, window, view)
    assert view.session_marker.value() == 0
    window.controller.step_epoch()
    window.controller.step_epoch()
    assert view.session_marker.value() == 2
    view.epochs_box.setValue(20)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.running, timeout=WAIT_MS)
    window.controller.open_lesson(load_lesson(resolve_lesson("xor_biases")))
    assert view.race is None and view.curves == []
    assert view.epochs_box.value() == 10000


# -- training modes ----------------------------------------------------------------------
def test_modes_view_compares_full_mini_and_stochastic(qtbot, window):
    view = window.modes_view
    show_dock(qtbot, window, view)
    assert_not_blank(view)
    view.epochs_box.setValue(50)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.running, timeout=WAIT_MS)
    assert [c.name() for c in view.curves] == ["full batch (m = 3)", "mini-batch of 2",
                                               "stochastic (batch of 1)"]
    for curve, contender in zip(view.curves, view.race.contenders):
        assert np.array_equal(curve.getOriginalDataset()[1], contender.losses)
    view.batch_box.setValue(3)     # not a mini-batch of 3 samples
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert "2 to 2" in view.problem_label.text()


# -- gradient check ------------------------------------------------------------------------
def result_colours(view):
    model = view.model
    return {model.data(model.index(r, 7), Qt.ItemDataRole.BackgroundRole).color().name()
            for r in range(model.rowCount())}


def test_gradient_check_passes_and_follows_the_weights(qtbot, window):
    view = window.gradient_view
    show_dock(qtbot, window, view)
    qtbot.waitUntil(lambda: view.check is not None and view.check.finished and not view.running,
                    timeout=WAIT_MS)
    assert_not_blank(view)
    model = view.model
    assert model.rowCount() == 19 and model.columnCount() == 8
    assert view.summary.text().startswith("✔")
    assert {model.data(model.index(r, 7)) for r in range(19)} == {"pass ✔"}
    assert result_colours(view) == {PASS_COLOUR.lower()}
    assert model.data(model.index(0, 1)) == "wh"
    before = model.data(model.index(0, 4))
    first = view.check
    window.controller.step_epoch()
    qtbot.waitUntil(lambda: view.check is not first and view.check.finished, timeout=WAIT_MS)
    assert model.data(model.index(0, 4)) != before
    assert "epoch 1" in view.where.text()
    # the rule, its floor and its threshold are on screen, as the engine judged them
    where = view.where.text()
    assert f"floor = {shown_number(view.check.floor)}" in where
    assert f"passes below {shown_number(TOLERANCE)}" in where


def test_gradient_check_catches_seed_002s_formula(qtbot, make_window):
    lesson = make_lesson((3, 4, 2), "sigmoid", "binary_cross_entropy", init="epsilon", l2=1.0)
    window = make_window(lesson)
    view = window.gradient_view
    show_dock(qtbot, window, view)
    qtbot.waitUntil(lambda: view.check is not None and view.check.finished, timeout=WAIT_MS)
    assert view.check.passed
    view.wrong_box.setChecked(True)
    qtbot.waitUntil(lambda: view.check.variant == "seed_002" and view.check.finished,
                    timeout=WAIT_MS)
    assert view.summary.text().startswith("✘") and "WRONG" in view.summary.text()
    model = view.model
    # rows whose gradients point opposite ways carry their own mark, ⇅, instead of ✘
    flipped = {r for r in range(model.rowCount()) if view.check.row(r).opposite_signs}
    assert 0 < len(flipped) == view.check.sign_flips < model.rowCount()
    assert {model.data(model.index(r, 7)) for r in range(model.rowCount())
            if r not in flipped} == {"FAIL ✘"}
    assert {model.data(model.index(r, 7)) for r in flipped} == {"FAIL ⇅"}
    assert result_colours(view) == {FAIL_COLOUR.lower()}
    # the message says what the wrong formula changes, in words
    summary = view.summary.text()
    assert f"{view.check.sign_flips} with opposite signs ⇅" in summary
    assert ("uses the squared-error delta (a − y)·f′(z) with a cross-entropy loss" in summary
            and "leaves out 1/m" in summary and "leaves out the L2 term" in summary)
    assert "seed 002" not in summary and "seed 002" not in view.wrong_box.text()
    tip = model.data(model.index(min(flipped), 6), Qt.ItemDataRole.ToolTipRole)
    assert "opposite signs" in tip and f"floor {shown_number(view.check.floor)}" in tip


# -- code panel ------------------------------------------------------------------------------
def current_line(view):
    (selection,) = [s for s in view.code.extraSelections()
                    if s.format.fontWeight() > 500 and s.cursor.hasSelection()]
    return selection.cursor.block().text()


def test_code_view_highlights_the_step_like_a_debugger(qtbot, window):
    view = window.code_view
    show_dock(qtbot, window, view)
    assert_not_blank(view)
    listing = view.code.toPlainText()
    assert "hidden_layer_input = X @ wh + bh" in listing
    assert "d_output = E * slope_output_layer" in listing     # the lesson opens in error form
    assert not any(s.format.fontWeight() > 500 for s in view.code.extraSelections())
    before = pixels(view.code)
    window.controller.step()
    assert current_line(view) == MARKER + "hidden_layer_input = X @ wh + bh"
    assert not np.array_equal(pixels(view.code), before)
    window.controller.step()
    assert current_line(view) == MARKER + "hiddenlayer_activations = 1 / (1 + np.exp(-hidden_layer_input))"
    assert view.line_text(view.line_of("z1")).startswith("  hidden_layer_input")
    # lines still to run are in the theme's grey: every step after a1
    pending = theme_of(view.code.palette()).placeholder.lower()
    grey = [s for s in view.code.extraSelections()
            if s.format.foreground().color().name() == pending]
    assert len(grey) == len(view.steps) - 2
    window.controller.set_presentation("gradient")
    assert "delta2 = -E * slope_output_layer" in view.code.toPlainText()
    assert current_line(view).endswith("1 / (1 + np.exp(-hidden_layer_input))")


def test_code_view_shows_the_chain_rule_of_the_selected_cell(qtbot, make_window):
    window = make_window(load_lesson(resolve_lesson("one_weight")))
    view = window.code_view
    show_dock(qtbot, window, view)
    c = window.controller
    c.select("new_W1", 0, 0)
    assert "not computed yet" in view.chain.toPlainText()
    for _ in c.session.steps:
        c.step()
    c.select("new_W1", 0, 0)
    text = view.chain.toPlainText()
    assert "∂J/∂W1[0,0] = Σₛ ∂J/∂a1[s,0] · ∂a1[s,0]/∂z1[s,0] · ∂z1[s,0]/∂W1[0,0]" in text
    assert "= 1.4 · 1 · 1.5 = 2.1" in text
    assert "= 0.59" in text
    c.select("z1", 0, 0)
    assert "forward value" in view.chain.toPlainText()
    c.clear_selection()
    assert "Click a delta" in view.chain.toPlainText()

"""A run that goes wrong, as a teacher sees it: the cause in words, a loss axis that
stays readable, numbers that are never cut or "−0", and the small things around them
(a lone first epoch, the SVG marker, Help ▸ Getting started)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.number_text import MINUS
from window_helpers import open_window

WAIT_MS = 60_000
NEGATIVE_ZERO = re.compile(r"(?<![\d.])[−-]0(\.0*)?(?![\d.]*[1-9])")


def xor(**changes):
    doc = load_lesson(resolve_lesson("xor_biases")).to_json()
    activation = changes.pop("activation", None)
    if activation is not None:
        doc["network"]["activation"] = activation
    doc["training"].update(changes)
    return parse_lesson(doc, "test")


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(lesson):
        return open_window(qtbot, tmp_path, lesson)
    return make


def run_to_the_end(qtbot, window):
    window.controller.set_speed(0)
    window.run_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=WAIT_MS)


# -- divergence and trouble in words ---------------------------------------------------------
def test_xor_at_learning_rate_50_says_its_output_sigmoid_saturated(qtbot, make_window):
    window = make_window(xor(learning_rate=50.0, epochs=300))
    run_to_the_end(qtbot, window)
    text = window.banner.text()
    # The whole story above the tables, amber (a divergence would be red) ...
    assert window.banner.isVisible() and "#F2C14E" in window.banner.styleSheet()
    assert text.startswith("Unstable: the loss (")
    assert "The output sigmoid is saturated (|z| > 10 on 4 of 4 samples" in text
    assert text.endswith("lower the learning rate and press Reset.")
    # ... and under the plot only its first sentence, the rest on hover: the plot keeps its height.
    label = window.plot.warning_label
    assert label.isVisible() and label.toolTip() == text
    assert label.text() == text[: text.index(". The output") + 1]
    assert label.text().startswith("Unstable: the loss (")


def test_a_warning_leaves_the_loss_plot_its_height_at_1280_by_720(qtbot, make_window):
    window = make_window(xor(learning_rate=50.0, epochs=300))
    window.resize(1280, 720)
    run_to_the_end(qtbot, window)
    qtbot.waitUntil(lambda: window.banner.isVisible())
    qtbot.wait(0)   # the layout settles
    plot = window.plot
    assert plot.warning_label.isVisible()
    assert plot.plot.height() >= plot.warning_label.height()
    assert plot.warning_label.height() <= 3 * plot.warning_label.fontMetrics().lineSpacing() + 8


def test_dead_relus_are_named_in_the_cards_names(qtbot, make_window):
    window = make_window(xor(learning_rate=5.0, epochs=300, activation=["relu", "sigmoid"]))
    run_to_the_end(qtbot, window)
    text = window.banner.text()
    assert text.startswith("Stalled: the loss has not changed")
    assert "Every hidden ReLU unit is dead (slope 0 on all 4 samples)" in text
    # The walk-through's presentation calls W1 "wh", as its card does.
    assert f"no gradient reaches {window.controller.learner('W1')}:" in text


def test_a_diverged_xor_explains_itself_on_a_log_axis_with_the_divergence_marked(
        qtbot, make_window):
    window = make_window(xor(learning_rate=50.0, epochs=500, activation=["sigmoid", "linear"]))
    plot = window.plot
    assert not plot.log and plot.log_choice is None
    run_to_the_end(qtbot, window)
    plot.points                                # the redraw pending from the last frame
    divergence = window.controller.session.diverged
    assert divergence is not None
    banner = window.banner.text()
    assert banner.startswith(f"diverged at epoch {divergence.epoch}: the loss is ")
    assert "The weights have exploded" in banner and "lower the learning rate below about" in banner
    assert plot.warning_label.toolTip() == banner
    assert plot.warning_label.text() == banner[: banner.index(" The weights")]
    assert "#B03A2E" in window.banner.styleSheet()
    # The losses span hundreds of decades: the axis turned logarithmic by itself.
    assert plot.log and plot.log_box.isChecked() and window.log_action.isChecked()
    assert plot.log_choice is None
    x, y = plot.curve.getData()
    assert x.size == divergence.epoch - 1 and np.isfinite(y).all()
    assert plot.diverged_marker.isVisible() and plot.diverged_marker.value() == divergence.epoch


def test_log_tick_labels_are_written_from_the_exponent_without_overflow(qtbot, make_window):
    from gui.plots import _power_of_ten
    assert [_power_of_ten(e) for e in (-2, 0, 1, 3)] == ["0.01", "1", "10", "1000"]
    assert _power_of_ten(400) == "10⁴⁰⁰" and _power_of_ten(-7) == "10⁻⁷"
    assert _power_of_ten(5 + np.log10(2)) == "2·10⁵"
    window = make_window(xor(learning_rate=50.0, epochs=500, activation=["sigmoid", "linear"]))
    run_to_the_end(qtbot, window)
    axis = window.plot.plot.getAxis("left")
    # Exponents far past a double's range: pyqtgraph's own labels would overflow.
    assert axis.logTickStrings([300.0, 400.0], 1.0, 100.0) == ["10³⁰⁰", "10⁴⁰⁰"]
    window.plot.grab()                          # paints every tick without a warning


def test_the_users_scale_wins_over_the_automatic_one(qtbot, make_window):
    window = make_window(xor(learning_rate=50.0, epochs=500, activation=["sigmoid", "linear"]))
    window.plot.log_box.setChecked(True)
    window.plot.log_box.setChecked(False)     # the user wants a linear axis
    run_to_the_end(qtbot, window)
    assert window.controller.session.diverged is not None
    window.plot.points                         # the pending redraw
    assert not window.plot.log and window.plot.log_choice is False


def test_a_curve_within_three_decades_stays_linear(qtbot, make_window):
    window = make_window(xor(epochs=200))
    run_to_the_end(qtbot, window)
    assert window.plot.points == 200 and not window.plot.log


def test_a_single_epoch_is_drawn_as_a_point(qtbot, make_window):
    window = make_window(xor())
    window.controller.step_epoch()
    assert window.plot.points == 1
    x, y = window.plot.point.getData()
    assert window.plot.point.isVisible() and list(x) == [1.0] and y.size == 1
    window.controller.step_epoch()
    assert window.plot.points == 2 and not window.plot.point.isVisible()


# -- the learning-rate race -------------------------------------------------------------------
def test_race_turns_log_by_itself_and_its_legend_covers_no_data(qtbot, make_window):
    window = make_window(load_lesson(resolve_lesson("one_weight")))
    view = window.race_view
    dock = next(d for d in window.teaching_docks_b if d.widget() is view)
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: view.isVisible() and view.width() > 100)
    view.rates_field.setText("0.5, 0.1, 0.001")   # 0.5 > 2/4.5: grows; 0.1 converges
    view.epochs_box.setValue(60)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.running, timeout=WAIT_MS)
    view._redraw()
    assert view.log_box.isChecked() and view.plot.getPlotItem().ctrl.logYCheck.isChecked()
    plot_area = view.plot.getPlotItem().vb.sceneBoundingRect()
    legend = view.legend.sceneBoundingRect()
    assert legend.height() > 0 and not legend.intersects(plot_area)
    assert len(view.legend.items) == 3


# -- numbers: never cut, never −0 --------------------------------------------------------------
def test_teaching_view_captions_write_numbers_as_the_tables_do(qtbot, make_window):
    window = make_window(xor(learning_rate=5.0, epochs=100, activation=["relu", "sigmoid"]))
    run_to_the_end(qtbot, window)
    for _ in range(11):
        window.step_action.trigger()            # up to delta1: every slope of layer 1 is 0
    landscape, activation = window.landscape_view, window.activation_view
    window.teaching_docks_a[1].show()
    window.teaching_docks_a[1].raise_()
    window.controller.select("b2", 0, 0)
    qtbot.waitUntil(lambda: "slope ∂J/∂b2[0]" in landscape.caption.text(), timeout=5000)
    landscape_caption = landscape.caption.text()
    window.teaching_docks_a[2].show()
    window.teaching_docks_a[2].raise_()
    window.controller.select("z1", 0, 0)
    qtbot.waitUntil(lambda: activation.marked is not None, timeout=5000)
    activation_caption = activation.caption.text()
    for caption in (activation_caption, landscape_caption):
        assert "e+" not in caption and "-" not in caption, caption
        assert not NEGATIVE_ZERO.search(caption), caption
    assert f"= {MINUS}" in activation_caption   # z1[0,0] is negative, with the tables' minus


def test_chain_rule_numbers_use_the_typographic_minus_and_whole_exponents():
    from engine.chain_rule import _significant
    assert _significant(-1.8963e163, 4) == f"({MINUS}1.896e163)"
    assert _significant(4.5e-5, 2) == f"4.5e{MINUS}5"
    assert _significant(-0.0, 4) == "0"


def test_the_loss_readout_and_race_outcomes_are_not_cut():
    from engine.race import learning_rate_race
    lesson = load_lesson(resolve_lesson("one_weight"))
    race = learning_rate_race(lesson, [0.5], 60)
    while not race.finished:
        race.advance(60)
    outcome = race.contenders[0].outcome()
    assert "e+" not in outcome and re.search(r"loss \d\.\d+e\d+ after 60 epochs", outcome)


# -- the SVG export and the tour ----------------------------------------------------------------
def test_the_svg_epoch_marker_is_a_thin_line_in_the_drawings_coordinates(qtbot, make_window,
                                                                         tmp_path):
    window = make_window(xor())
    for _ in range(40):
        window.controller.step_epoch()
    window.controller.jump_to_epoch(20)
    qtbot.waitUntil(lambda: window.exporter is not None and window.plot.points >= 20)
    path = tmp_path / "loss.svg"
    assert window.exporter.plot_image(str(path))
    ns = "{http://www.w3.org/2000/svg}"
    marker = None
    for group in ET.parse(path).getroot().iter(f"{ns}g"):
        for line in list(group.iter(f"{ns}polyline")) + list(group.iter(f"{ns}path")):
            # No thin line may sit under a scaling transform: viewers that ignore
            # vector-effect widen its stroke by the scale (the "thick orange bar").
            transform = group.get("transform", "")
            if transform.startswith("matrix("):
                a, b, c, d, _, _ = (float(v) for v in transform[7:-1].split(","))
                assert (a, b, c, d) == (1, 0, 0, 1), transform
            if group.get("stroke") == "#d55e00" and line.tag.endswith("polyline"):
                marker = line
    assert marker is not None
    points = [tuple(map(float, pair.split(","))) for pair in marker.get("points").split()]
    (x0, y0), (x1, y1) = points
    assert x0 == pytest.approx(x1) and abs(y1 - y0) > 50   # a vertical line across the plot


def test_help_getting_started_is_a_keyboard_reachable_tour(make_window):
    window = make_window(xor())
    assert window.tour_action in window.menuBar().actions()[-1].menu().actions()
    assert window.tour_action.shortcut().toString() == "Shift+F1"
    window.tour_action.trigger()
    text = window.last_message
    positions = [text.index(word) for word in ("<b>Step</b>", "<b>Click a cell</b>",
                                               "<b>Run</b>", "<b>The teaching views</b>")]
    assert positions == sorted(positions)
    assert "<b>Space</b>" in text and "<b>Ctrl+R</b>" in text
    for dock in window.teaching_docks_a + window.teaching_docks_b:
        assert dock.windowTitle() in text

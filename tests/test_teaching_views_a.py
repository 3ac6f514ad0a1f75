"""Decision boundary, loss landscape and activation views in the real window (offscreen)."""
from __future__ import annotations

import numpy as np
import pytest

from engine.activations import get_activation
from engine.boundary import COARSE, FINE
from engine.lesson import load_lesson, resolve_lesson
from window_helpers import open_window, show_teaching_view as show
from gui.views.colours import diverging_rgba

BOUNDARY, LANDSCAPE, ACTIVATION = range(3)


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(lesson_id="moons"):
        return open_window(qtbot, tmp_path, lesson_id)
    return make


def pixel_spread(widget) -> float:
    """Standard deviation of the grey levels of a grab: 0 for a blank widget."""
    image = widget.grab().toImage()
    xs = np.linspace(0, image.width() - 1, 60).astype(int)
    ys = np.linspace(0, image.height() - 1, 60).astype(int)
    grey = [image.pixelColor(int(x), int(y)).value() for x in xs for y in ys]
    return float(np.std(grey))


def after_redraw(qtbot, view, action):
    before = view.revision
    action()
    qtbot.waitUntil(lambda: view.revision > before, timeout=5000)


# -- decision boundary -----------------------------------------------------------------
def test_boundary_renders_and_follows_training(qtbot, make_window):
    window = make_window("moons")
    view = show(qtbot, window, BOUNDARY)
    assert view.pages.currentIndex() == 0 and view.resolution == FINE
    assert pixel_spread(view.plot) > 20
    first = view.image.image.copy()
    assert first.shape == (FINE, FINE, 4)
    assert len(view.train_points.data) == 160 and len(view.test_points.data) == 40
    after_redraw(qtbot, view, window.controller.step_epoch)
    assert not np.array_equal(view.image.image, first)
    # The picture is the engine's map at the session's weights, coloured on its scale.
    assert window.controller.session.epochs_done == 1
    expected = window.controller.teaching.decision_boundary(FINE)
    np.testing.assert_array_equal(view.image.image, diverging_rgba(expected.value,
                                                                   expected.levels))


def test_boundary_is_coarse_while_running_and_fine_after(qtbot, make_window):
    window = make_window("xor_biases")
    view = show(qtbot, window, BOUNDARY)
    controller = window.controller
    controller.set_speed(200.0)
    controller.run()
    qtbot.waitUntil(lambda: view.resolution == COARSE and controller.session.epochs_done > 5,
                    timeout=8000)
    controller.pause()
    qtbot.waitUntil(lambda: view.resolution == FINE, timeout=5000)


def test_boundary_of_several_classes_and_of_a_hidden_neuron(qtbot, make_window):
    window = make_window("blobs")
    view = show(qtbot, window, BOUNDARY)
    assert "class the network predicts" in view.caption.text()
    after_redraw(qtbot, view, lambda: view.colour_by.setCurrentIndex(3))
    assert "hidden neuron 2 of layer 1" in view.caption.text()
    assert pixel_spread(view.plot) > 10


@pytest.mark.parametrize("lesson_id, inputs", [("excel_walkthrough", 4), ("one_weight", 1)])
def test_boundary_says_why_when_the_inputs_are_not_a_plane(qtbot, make_window, lesson_id,
                                                           inputs):
    window = make_window(lesson_id)
    dock = window.teaching_docks_a[BOUNDARY]
    dock.show()
    view = dock.widget()
    qtbot.waitUntil(view.message.isVisible, timeout=5000)
    assert f"this lesson has {inputs} input" in view.message.text()
    assert window.hidden_unit_maps.diagram.neuron_maps == {}


def test_hidden_neurons_carry_small_maps_in_the_diagram(qtbot, make_window):
    window = make_window("moons")
    maps = window.hidden_unit_maps
    qtbot.waitUntil(lambda: maps.revision > 0, timeout=5000)
    assert sorted(window.diagram.neuron_maps) == [(1, j) for j in range(10)]
    before = window.diagram.neuron_maps[(1, 0)].pixmap().toImage()
    after_redraw(qtbot, maps, lambda: [window.controller.step_epoch() for _ in range(3)])
    assert window.diagram.neuron_maps[(1, 0)].pixmap().toImage() != before
    # A lesson without a plane takes them away.
    window.controller.open_lesson(load_lesson(resolve_lesson("digits")))
    qtbot.waitUntil(lambda: window.diagram.neuron_maps == {}, timeout=5000)


# -- loss landscape --------------------------------------------------------------------
def test_landscape_curve_follows_the_selected_weight_and_the_steps(qtbot, make_window):
    window = make_window("xor_biases")
    view = show(qtbot, window, LANDSCAPE)
    assert view.last.curve.address.name == "W1[0,0]"
    assert pixel_spread(view.curve_plot) > 10
    after_redraw(qtbot, view, lambda: window.controller.select("W2", 1, 0))
    assert view.last.curve.address.name == "W2[1,0]"
    session = window.controller.session
    after_redraw(qtbot, view, lambda: [window.controller.step_epoch() for _ in range(2)])
    curve = view.last.curve
    assert curve.current_weight == session.params.weight(2)[1, 0]
    assert curve.current_loss == pytest.approx(session.trainer.full_loss(session.params))
    assert view.last.path_epochs.tolist() == [0, 1, 2]
    assert "slope ∂J/∂W2[1,0]" in view.caption.text()


def test_landscape_of_seed_004_walks_down_to_one_third(qtbot, make_window):
    window = make_window("one_weight")
    view = show(qtbot, window, LANDSCAPE)
    after_redraw(qtbot, view, lambda: [window.controller.step_epoch() for _ in range(3)])
    np.testing.assert_allclose(view.last.path_values[:, 0], [0.8, 0.59, 0.4745, 0.410975],
                               rtol=1e-12)
    path_x, path_y = view.path.getData()
    np.testing.assert_allclose(path_y, (1.5 * path_x - 0.5) ** 2, rtol=1e-12)
    after_redraw(qtbot, view, lambda: view.mode.setCurrentIndex(1))
    assert "single weight" in view.message.text()


def test_landscape_contour_map_of_two_weights(qtbot, make_window):
    window = make_window("xor_biases")
    view = show(qtbot, window, LANDSCAPE)
    after_redraw(qtbot, view, lambda: [window.controller.step_epoch() for _ in range(4)])
    after_redraw(qtbot, view, lambda: view.mode.setCurrentIndex(1))
    surface = view.last.surface
    assert surface is not None
    assert [a.name for a in surface.addresses] == ["W1[0,0]", "W1[0,1]"]
    assert view.pages.currentWidget() is view.map_plot
    assert pixel_spread(view.map_plot) > 10
    assert view.last.path_values.shape == (5, 2)


# -- activation functions --------------------------------------------------------------
def test_activation_view_marks_the_selected_neurons_z(qtbot, make_window):
    window = make_window("xor_biases")
    view = show(qtbot, window, ACTIVATION)
    assert view.choice.currentData() == "sigmoid"
    assert pixel_spread(view.plot) > 10
    controller = window.controller
    controller.step()                      # z1 is computed
    after_redraw(qtbot, view, lambda: controller.select("z1", 2, 1))
    z = float(controller.value("z1")[2, 1])
    a = get_activation("sigmoid").forward(np.array([[z]]))
    slope = get_activation("sigmoid").slope(np.array([[z]]), a)
    assert view.marked == (z, float(a[0, 0]), float(slope[0, 0]))
    assert view.z_line.isVisible()
    x, y = view.slope.getData()
    assert y.max() == pytest.approx(0.25, abs=1e-4)    # the sigmoid's slope peaks at z = 0


def test_activation_view_switches_to_the_layers_activation(qtbot, make_window):
    window = make_window("blobs")
    view = show(qtbot, window, ACTIVATION)
    assert view.choice.currentData() == "tanh"
    controller = window.controller
    for _ in range(3):
        controller.step()                  # z1 a1 z2
    after_redraw(qtbot, view, lambda: controller.select("z2", 0, 1))
    assert view.choice.currentData() == "softmax"
    assert view.marked is None and "whole row" in view.caption.text()
    after_redraw(qtbot, view, lambda: view.choice.setCurrentIndex(view.choice.findData("relu")))
    x, y = view.function.getData()
    np.testing.assert_array_equal(y, np.maximum(x, 0.0))


def test_the_teaching_model_answers_for_the_lesson_shown_now(qtbot, make_window):
    """Views keep the model they were built with; it follows the controller's new lessons."""
    window = make_window("moons")
    controller, view = window.controller, show(qtbot, window, BOUNDARY)
    assert view.teaching is controller.teaching
    assert controller.teaching.plane_problem == ""
    before = controller.teaching.decision_boundary(COARSE).value.copy()
    controller.step_epoch()
    assert not np.array_equal(controller.teaching.decision_boundary(COARSE).value, before)
    controller.open_lesson(load_lesson(resolve_lesson("one_weight")))
    assert "this lesson has 1 input" in controller.teaching.plane_problem
    assert controller.teaching.decision_boundary(COARSE) is None
    qtbot.waitUntil(view.message.isVisible, timeout=5000)

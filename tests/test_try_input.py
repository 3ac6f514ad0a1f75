"""Try an input (issue 16): a typed input's forward pass, beside training and untouched by it.

The engine's pass (``engine.tried_input``) equals the trainer's own forward
pass bit for bit, for ten random inputs on every built-in lesson; the view
in the real window shows it in the learner's names, explains a clicked cell,
says what is wrong with a typing mistake at the field, and leaves the
session, its history and Undo exactly as they were.
"""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.lesson import builtin_lessons, load_lesson
from engine.number_text import shown_number
from engine.session import Session
from engine.tried_input import read_vector, try_input
from window_helpers import open_window

BUILTIN = [(lesson_id, path) for lesson_id, _title, path in builtin_lessons()]


@pytest.mark.parametrize("lesson_id,path", BUILTIN, ids=[i for i, _ in BUILTIN])
def test_ten_random_inputs_give_exactly_the_engines_forward_pass(lesson_id, path):
    session = Session(load_lesson(path))
    session.run(3)
    arch = session.architecture
    rng = np.random.default_rng(7)
    weights_before = session.state.copy()
    for _ in range(10):
        x = rng.normal(size=arch.layers[0])
        target = rng.uniform(size=arch.layers[-1])
        record = try_input(session.trainer.kernel, session.state, x, target)
        expected = session.trainer.predict(session.params, x[None, :])
        assert np.array_equal(record.values[f"a{arch.depth}"], expected)
        assert np.array_equal(record.values["E"], target[None, :] - expected)
        for l in range(1, arch.depth + 1):
            z = record.values[f"a{l - 1}"] if l > 1 else x[None, :]
            direct = z @ session.params.weight(l)
            if arch.bias:
                direct = direct + session.params.bias(l)
            np.testing.assert_allclose(record.values[f"z{l}"], direct, rtol=1e-12, atol=1e-12)
    for l in range(1, arch.depth + 1):
        assert np.array_equal(session.params.weight(l), weights_before.params.weight(l))


@pytest.mark.parametrize("text,size,message", [
    ("1, 2", 3, "the input needs 3 numbers, 2 were typed"),
    ("1; x; 3", 3, "the input, number 2: x is not a number"),
    ("", 1, "the input needs 1 number, 0 were typed"),
])
def test_typing_mistakes_say_which_number(text, size, message):
    with pytest.raises(ValueError, match=message):
        read_vector(text, size, "the input")


def test_read_vector_takes_commas_spaces_and_the_minus_sign():
    assert read_vector("0.5, −1  2e−1", 3, "the input").tolist() == [0.5, -1.0, 0.2]


def show(qtbot, window):
    view = window.try_input_view
    dock = next(d for d in window.teaching_docks_b if d.widget() is view)
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: view.isVisible() and view.width() > 100)
    return view


def test_the_view_shows_the_pass_and_leaves_training_history_and_undo_alone(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "excel_walkthrough")
    controller = window.controller
    for _ in range(5):
        controller.step()
    position = controller.position
    losses = controller.losses()
    undo_count = window.undo_stack.count()
    view = show(qtbot, window)
    assert view.inputs_label.text() == "input (x1, x2, x3, x4)"
    qtbot.keyClicks(view.inputs, "1, 0, 1, 0")
    qtbot.keyClicks(view.target, "1")
    qtbot.keyClick(view.inputs, Qt.Key.Key_Return)
    assert view.problem.text() == ""
    record = view.record
    assert record is not None
    # the walk-through's first sample is 1, 0, 1, 0: its pass is the output table's first row
    # once the iteration's forward pass is shown (the weights are the iteration's W)
    assert controller.position.step >= 4
    assert np.array_equal(record.values["a2"][0], controller.value("a2")[0])
    model = view.model
    labels = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    assert labels == ["hidden_layer_input  z1", "hiddenlayer_activations  a1",
                      "output_layer_input  z2", "output  a2", "y", "E"]
    assert model.data(model.index(3, 0)) == shown_number(record.values["a2"][0, 0], 3)
    assert view.output.text().startswith("The network's output: ")
    view.explain(model.index(0, 1))  # as a click on hidden_layer_input[0,1] does
    assert view.formula.text().splitlines()[1].startswith("z1[0,1] = 1·")
    assert view.formula.text().splitlines()[1].endswith(shown_number(record.values["z1"][0, 1], 3))
    # nothing of training moved
    assert controller.position == position
    assert np.array_equal(controller.losses(), losses)
    assert window.undo_stack.count() == undo_count


def test_a_typing_mistake_is_said_at_the_field_and_the_last_pass_stays(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "excel_walkthrough")
    view = show(qtbot, window)
    view.sample.setValue(2)
    qtbot.mouseClick(view.use_sample, Qt.MouseButton.LeftButton)
    kept = view.record
    assert kept is not None and view.target.text() == "0.0"  # y of the third sample
    view.inputs.setText("1, 0, oops, 0")
    qtbot.keyClick(view.inputs, Qt.Key.Key_Return)
    assert view.problem.text() == "the input, number 3: oops is not a number: type one such as " \
                                  "0.25, −1.5 or 4.5e−4"
    assert view.record is kept and view.inputs.text() == "1, 0, oops, 0"


def test_a_plane_lesson_asks_for_x1_x2_and_computes_the_derived_inputs(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "circle_features")
    view = show(qtbot, window)
    assert view.inputs_label.text() == "input (x1, x2)"
    view.sample.setValue(4)
    qtbot.mouseClick(view.use_sample, Qt.MouseButton.LeftButton)
    lesson = window.controller.lesson
    assert np.array_equal(view.record.values["X"][0], lesson.X[4])  # x1², x2², x1·x2 as the data


def test_the_pass_follows_the_weights_and_a_new_lesson_clears_it(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "xor_biases")
    view = show(qtbot, window)
    view.inputs.setText("1, 0")
    view.compute()
    before = view.record.values["a2"].copy()
    revision = view.revision
    for _ in range(3):
        window.controller.step_epoch()
    qtbot.waitUntil(lambda: view.revision > revision)
    assert not np.array_equal(view.record.values["a2"], before)
    path = dict(BUILTIN)["moons"]
    window.controller.open_lesson(load_lesson(path))
    assert view.record is None and view.inputs.text() == "" and view.model.rowCount() == 0

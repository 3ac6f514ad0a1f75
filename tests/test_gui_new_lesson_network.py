"""The data dialogs show the network they will create, proposed from the data (not the
open lesson's), editable before OK, and the CSV dialog learns several target columns."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.session import Session
from gui.views.colours import diverging_rgba
from window_helpers import open_window

GATES = "x1,x2,and,or\n0,0,0,0\n0,1,0,1\n1,0,0,1\n1,1,1,1\n"


@pytest.fixture
def window(qtbot, tmp_path):
    # The spiral lesson: 2-16-16-1, momentum 0.9, mini-batches of 32, 3 000 epochs.
    return open_window(qtbot, tmp_path, "spiral")


def tick(chooser, column: int, checked: bool = True) -> None:
    """Tick an item of a column list as a click on its box does."""
    chooser.item(column).setCheckState(Qt.CheckState.Checked if checked
                                       else Qt.CheckState.Unchecked)


def shown_network(form) -> dict[str, str]:
    return form.texts()


def test_a_truth_table_from_the_data_set_dialog_gets_its_own_small_network(qtbot, window):
    assert window.controller.lesson.architecture.layers == (2, 16, 16, 1)
    dialog = window.new_from_dataset()
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("and"))
    assert shown_network(dialog.network) == {
        "hidden": "3", "hidden_activation": "tanh", "output_activation": "sigmoid",
        "loss": "binary_cross_entropy", "learning_rate": "0.5", "batch_size": "full",
        "momentum": "0", "epochs": "1000", "init": "xavier"}
    assert dialog.network.inputs_label.text() == "2 inputs →"
    assert dialog.network.outputs_label.text() == "→ 1 output"
    assert "4 training rows" in dialog.network.why.text()
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    lesson = window.controller.lesson
    assert lesson.architecture.layers == (2, 3, 1)
    assert lesson.architecture.activations == ("tanh", "sigmoid")
    assert (lesson.loss, lesson.batch_size, lesson.momentum, lesson.epochs) == (
        "binary_cross_entropy", None, 0.0, 1000)


def test_the_network_is_edited_before_ok_and_a_bad_field_is_named(qtbot, window):
    dialog = window.new_from_dataset()
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("xor"))
    form = dialog.network
    form.learning_rate.setText("fast")
    assert dialog.error_text.startswith("Learning rate: 'fast' is not a number")
    assert not dialog.ok_button.isEnabled()
    assert form.learning_rate.toolTip() == dialog.error_text
    form.learning_rate.setText("0.3")
    assert dialog.error_text == "" and dialog.ok_button.isEnabled()
    form.batch_size.setText("8")
    assert dialog.error_text.startswith("Batch size: 8 is out of range")
    assert "1 to 4" in dialog.error_text and not dialog.ok_button.isEnabled()
    form.batch_size.setText("2")
    form.hidden.setText("4, 3")
    form.momentum.setText("0.5")
    form.epochs.setText("200")
    form.hidden_activation.setCurrentText("relu")
    form.output_activation.setCurrentText("linear")
    assert dialog.error_text.startswith("Loss: binary_cross_entropy needs a sigmoid output")
    form.loss.setCurrentText("half_sse")
    assert dialog.ok_button.isEnabled()
    dialog.samples_box.setValue(50)     # a truth table has no size: the proposal stands
    assert form.hidden.text() == "4, 3"
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    lesson = window.controller.lesson
    assert lesson.architecture.layers == (2, 4, 3, 1)
    assert lesson.architecture.activations == ("relu", "relu", "linear")
    assert (lesson.loss, lesson.learning_rate, lesson.batch_size, lesson.momentum,
            lesson.epochs) == ("half_sse", 0.3, 2, 0.5, 200)


def test_other_data_proposes_again_and_propose_again_undoes_edits(qtbot, window):
    dialog = window.new_from_dataset()
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("xor"))
    dialog.network.hidden.setText("7")
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("blobs"))
    texts = shown_network(dialog.network)
    assert (texts["hidden"], texts["output_activation"], texts["loss"]) == (
        "16, 16", "softmax", "cross_entropy")
    dialog.network.hidden.setText("5")
    dialog.network.propose_button.click()
    assert dialog.network.hidden.text() == "16, 16"
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("digits"))
    texts = shown_network(dialog.network)
    assert (texts["hidden"], texts["batch_size"], texts["momentum"]) == ("32", "32", "0.9")
    dialog.reject()


def test_and_and_or_are_learnt_together_from_one_csv(qtbot, window, tmp_path):
    path = tmp_path / "gates.csv"
    path.write_text(GATES, encoding="utf-8")
    dialog = window.import_csv()
    with qtbot.waitSignal(dialog.tableLoaded, timeout=10_000):
        dialog.load(str(path))
    assert dialog.features == [0, 1, 2] and dialog.targets == [3]     # the file's last column
    tick(dialog.targets_list, 2)                                     # "and" is a target too
    assert dialog.targets == [2, 3] and dialog.features == [0, 1]
    assert dialog.target is None
    assert not dialog.one_hot_box.isEnabled()         # one-hot encodes a single column
    assert dialog.model.headerData(2, Qt.Orientation.Horizontal) == "and  (target)"
    assert dialog.network.outputs_label.text() == "→ 2 outputs"
    assert dialog.network.hidden.text() == "4"
    assert "several 0/1 targets" in dialog.network.why.text()
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.ok_button.click()
    lesson = window.controller.lesson
    assert lesson.architecture.layers == (2, 4, 2)
    assert lesson.data_spec["target"] == ["and", "or"]
    assert (lesson.batch_size, lesson.momentum) == (None, 0.0)
    np.testing.assert_array_equal(lesson.y, [[0, 0], [0, 1], [0, 1], [1, 1]])
    session = Session(lesson)
    session.run(lesson.epochs)
    outputs = session.trainer.predict(session.params, lesson.X)
    np.testing.assert_array_equal(outputs >= 0.5, lesson.y == 1)


def test_the_csv_dialog_says_what_is_missing_and_keeps_ok_off(qtbot, window, tmp_path):
    path = tmp_path / "gates.csv"
    path.write_text(GATES, encoding="utf-8")
    dialog = window.import_csv()
    with qtbot.waitSignal(dialog.tableLoaded, timeout=10_000):
        dialog.load(str(path))
    assert dialog.ok_button.isEnabled()
    tick(dialog.targets_list, 3, False)
    assert "tick at least one target column" in dialog.error_text
    assert not dialog.ok_button.isEnabled()
    tick(dialog.targets_list, 3)
    assert dialog.error_text == "" and dialog.ok_button.isEnabled()
    dialog.network.epochs.setText("0")
    assert dialog.error_text.startswith("Epochs: 0 is out of range")
    assert not dialog.ok_button.isEnabled()
    dialog.reject()


# -- the decision boundary of imported data ------------------------------------------------
ANIMALS = ("height;weight;animal\n1.5;30;dog\n0.4;4;cat\n1.1;25;dog\n0.3;3.5;cat\n"
           "0.9;12;fox\n1.4;28;dog\n")


def import_file(qtbot, window, path, targets=None, normalise="none"):
    dialog = window.import_csv()
    with qtbot.waitSignal(dialog.tableLoaded, timeout=10_000):
        dialog.load(str(path))
    if targets is not None:
        dialog.set_targets(targets)
    dialog.normalise_box.setCurrentIndex(dialog.normalise_box.findData(normalise))
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.ok_button.click()


def boundary_view(qtbot, window):
    dock = window.teaching_docks_a[0]
    dock.show()
    dock.raise_()
    view = dock.widget()
    qtbot.waitUntil(lambda: view.isVisible() and view.revision > 0, timeout=5000)
    return view


def key_of(view) -> tuple[str, ...]:
    """The class names the key shows, each of which its text must say."""
    assert all(name in view.key.text() for name in view.class_names)
    return view.class_names


def test_the_boundary_of_a_csv_reads_in_its_columns_and_units(qtbot, window, tmp_path):
    path = tmp_path / "animals.csv"
    path.write_text(ANIMALS, encoding="utf-8")
    import_file(qtbot, window, path, normalise="zscore")
    view = boundary_view(qtbot, window)
    assert view.plot.getAxis("bottom").labelText == "height"
    assert view.plot.getAxis("left").labelText == "weight"
    assert not view.plot.getViewBox().state["aspectLocked"]     # metres against kilograms
    assert key_of(view) == ("cat", "dog", "fox")
    assert "train" in view.key.text() and "test" in view.key.text()
    raw = np.array([[1.5, 30], [0.4, 4], [1.1, 25], [0.3, 3.5], [0.9, 12], [1.4, 28]])
    points = np.column_stack([view.train_points.data["x"], view.train_points.data["y"]])
    np.testing.assert_allclose(points, raw, rtol=1e-12)        # the file's numbers, not z-scores
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert rect.left() < 0.3 and rect.right() > 1.5 and rect.top() < 3.5 and rect.bottom() > 30
    assert "normalised" in view.caption.text()


def test_each_of_several_outputs_has_its_map_and_key(qtbot, window, tmp_path):
    path = tmp_path / "gates.csv"
    path.write_text(GATES, encoding="utf-8")
    import_file(qtbot, window, path, targets=[2, 3])
    view = boundary_view(qtbot, window)
    assert view.plot.getAxis("bottom").labelText == "x1"
    assert [view.colour_by.itemText(i) for i in range(2)] == ["network output 1: and",
                                                              "network output 2: or"]
    assert key_of(view) == ("and = 0", "and = 1")
    before = view.revision
    view.colour_by.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.revision > before, timeout=5000)
    assert key_of(view) == ("or = 0", "or = 1")
    assert "probability that or = 1" in view.caption.text()
    expected = window.controller.teaching.decision_boundary(view.resolution, 1)
    np.testing.assert_array_equal(view.image.image,
                                  diverging_rgba(expected.outputs[:, :, 1], (0.0, 0.5, 1.0)))

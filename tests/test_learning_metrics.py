"""How well it learns, in the window: the held-out loss beside the training loss, the
accuracy curves and the confusion matrix, each equal to engine/metrics.py at every epoch
the window shows (moons: 2 classes, digits: 10)."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.lesson import builtin_lessons, load_lesson, resolve_lesson
from engine.metrics import Judge, confusion_matrix, evaluate, predicted_classes
from engine.session import Session
from gui.metric_trail import MAX_POINTS, MetricTrail
from gui.views.accuracy_view import NOT_CLASSES
from window_helpers import open_window, show_teaching_view as show

ACCURACY, CONFUSION = 3, 4   # their places among the window's teaching_docks_a


def lesson_of(lesson_id: str, epochs: int):
    lesson = load_lesson(resolve_lesson(lesson_id))
    lesson.epochs = epochs
    return lesson


def engine_judgement(session):
    """What engine/metrics.py says of the committed weights: the evaluation, and the
    confusion of the training and of the held-out rows."""
    lesson, params, trainer = session.lesson, session.params, session.trainer
    evaluation = evaluate(trainer, params, lesson.X_test, lesson.y_test)
    confusions = (confusion_matrix(trainer.predict(params, lesson.X), lesson.y),
                  confusion_matrix(trainer.predict(params, lesson.X_test), lesson.y_test))
    return evaluation, confusions


@pytest.mark.parametrize("lesson_id, epochs, classes", [("moons", 40, 2), ("digits", 6, 10)])
def test_test_loss_accuracy_and_confusion_equal_the_engine_at_every_shown_epoch(
        qtbot, tmp_path, lesson_id, epochs, classes):
    window = open_window(qtbot, tmp_path, lesson_of(lesson_id, epochs))
    controller = window.controller
    accuracy_view, confusion_view = show(qtbot, window, ACCURACY), show(qtbot, window, CONFUSION)
    expected = {}        # epoch shown -> the engine's evaluation of that epoch's weights
    drawn = []           # (epoch, the confusion view's counts, the engine's) at its redraws

    def judged(_trail):
        session = controller.session
        if session.state.batch == 0:
            expected[session.epochs_done] = judgement = engine_judgement(session)
            # The card redrawn at this epoch (its timer may skip frames while running).
            confusion_view.throttle.mark()
            confusion_view.throttle.tick(force=True)
            held = confusion_view.held_out
            drawn.append((session.epochs_done, held, confusion_view.model.counts.copy(),
                          judgement[1][int(held)]))

    controller.metricsChanged.connect(judged)
    judged(None)   # the starting weights, judged when the window opened
    controller.step_epoch()
    confusion_view.rows.setCurrentIndex(1)   # the held-out rows' confusion too
    with qtbot.waitSignal(controller.runningChanged, timeout=60000,
                          check_params_cb=lambda running: not running):
        controller.run()
    confusion_view.throttle.tick(force=True)
    trail = controller.teaching.metric_trail
    assert trail.held_out and trail.classification
    assert controller.epochs_done == epochs
    # Every point is an epoch the window showed (Run's frames may go unjudged when
    # judging would slow it; steps and the pause never do).
    assert set(trail.epochs.astype(int)) <= set(expected) and len(trail) >= 3
    assert {0, 1, epochs} <= set(trail.epochs.astype(int))
    for at, epoch in enumerate(trail.epochs.astype(int)):
        evaluation, _ = expected[epoch]
        assert trail.test_loss[at] == evaluation.test_loss, epoch
        assert trail.accuracy[at] == evaluation.accuracy, epoch
        assert trail.test_accuracy[at] == evaluation.test_accuracy, epoch
    # What is drawn is the trail: the loss plot's second curve, the accuracy view's two.
    window.plot._redraw()
    assert window.plot.test_curve.isVisible() and window.plot.key.isVisible()
    assert "held-out rows" in window.plot.key.text() and "held-out" in accuracy_view.key.text()
    np.testing.assert_array_equal(window.plot.test_curve.xData, trail.epochs)
    np.testing.assert_array_equal(window.plot.test_curve.yData, trail.test_loss)
    window.teaching_docks_a[ACCURACY].raise_()
    qtbot.waitUntil(accuracy_view.isVisible, timeout=5000)
    accuracy_view.throttle.mark()
    accuracy_view.throttle.tick(force=True)
    np.testing.assert_array_equal(accuracy_view.training.yData, 100 * trail.accuracy)
    np.testing.assert_array_equal(accuracy_view.test.yData, 100 * trail.test_accuracy)
    assert accuracy_view.pages.currentIndex() == 0
    # The confusion card, at each of its redraws, counted as the engine counts.
    assert len(drawn) == len(expected)
    assert {held for _epoch, held, _shown, _counts in drawn} == {False, True}
    for epoch, _held, shown, engine_counts in drawn:
        assert shown.shape == (classes, classes)
        np.testing.assert_array_equal(shown, engine_counts, err_msg=f"epoch {epoch}")
    assert confusion_view.model.counts.sum() == len(controller.session.lesson.X_test)


def test_a_confusion_cell_click_lists_the_rows_counted_there(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, lesson_of("moons", 30))
    controller = window.controller
    view = show(qtbot, window, CONFUSION)
    with qtbot.waitSignal(controller.runningChanged, timeout=30000,
                          check_params_cb=lambda running: not running):
        controller.run()
    view.throttle.tick(force=True)
    session = controller.session
    lesson = session.lesson
    predicted = predicted_classes(session.trainer.predict(session.params, lesson.X))
    true = predicted_classes(lesson.y)
    # The cell with the most mistakes (else the largest), clicked on screen.
    counts = view.model.counts
    off = counts * (1 - np.eye(2, dtype=int))
    cell = np.unravel_index(np.argmax(off if off.any() else counts), counts.shape)
    index = view.model.index(int(cell[0]), int(cell[1]))
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    rows = np.flatnonzero((true == cell[0]) & (predicted == cell[1]))
    text = view.listing.text()
    assert view.chosen == (int(cell[0]), int(cell[1]))
    assert f"True y = {cell[0]}, predicted y = {cell[1]}: {len(rows)} training row" in text
    listed = [int(n) for n in text.split("samples ")[1].rstrip(".").split(", ")]
    assert listed == rows.tolist()
    # The held-out rows: their own places, 0 to 39.
    view.rows.setCurrentIndex(1)
    view._cell_clicked(index)
    held_predicted = predicted_classes(session.trainer.predict(session.params, lesson.X_test))
    held_rows = np.flatnonzero((predicted_classes(lesson.y_test) == cell[0])
                               & (held_predicted == cell[1]))
    assert f": {len(held_rows)} held-out row" in view.listing.text()
    if len(held_rows):
        listed = view.listing.text().rsplit(": ", 1)[1].rstrip(".").split(", ")
        assert [int(n) for n in listed] == held_rows.tolist()


def test_a_lesson_without_held_out_rows_shows_no_test_curve(qtbot, tmp_path):
    lesson = lesson_of("xor_biases", 20)
    assert lesson.X_test is None or len(lesson.X_test) == 0
    window = open_window(qtbot, tmp_path, lesson)
    view = show(qtbot, window, ACCURACY)
    with qtbot.waitSignal(window.controller.runningChanged, timeout=30000,
                          check_params_cb=lambda running: not running):
        window.controller.run()
    window.plot._redraw()
    assert not window.plot.test_curve.isVisible() and not window.plot.key.isVisible()
    assert window.plot.test_curve.xData is None or window.plot.test_curve.xData.size == 0
    # XOR's targets are classes: its training accuracy is drawn, no held-out curve.
    view.throttle.tick(force=True)
    trail = window.controller.teaching.metric_trail
    assert not trail.held_out and trail.classification and len(trail) >= 2
    assert not view.test.isVisible() and view.training.yData.size == len(trail)
    assert "held-out" not in view.caption.text() + view.key.text()


def test_a_regression_lesson_shows_no_accuracy_or_confusion_but_its_test_loss(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, lesson_of("plane", 10))
    accuracy_view = show(qtbot, window, ACCURACY)
    confusion_view = show(qtbot, window, CONFUSION)
    window.controller.step_epoch()
    for view in (accuracy_view, confusion_view):
        view.throttle.tick(force=True)
        assert view.pages.currentIndex() == 1 and view.message.text() == NOT_CLASSES
        assert view.message.isVisible()
    trail = window.controller.teaching.metric_trail
    assert trail.held_out and not trail.classification
    session = window.controller.session
    expected = evaluate(session.trainer, session.params, session.lesson.X_test,
                        session.lesson.y_test)
    assert trail.test_loss[-1] == expected.test_loss and np.isnan(trail.accuracy[-1])
    window.plot._redraw()
    assert window.plot.test_curve.isVisible()


def test_reset_and_an_edit_forget_the_judged_epochs(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, lesson_of("moons", 10))
    controller = window.controller
    for _ in range(3):
        controller.step_epoch()
    assert controller.teaching.metric_trail.epochs.tolist() == [0, 1, 2, 3]
    controller.reset()
    assert controller.teaching.metric_trail.epochs.tolist() == [0]
    controller.step_epoch()
    assert controller.set_value("W1", 0, 0, 0.5)
    assert controller.teaching.metric_trail.epochs.tolist() == [1]


def test_the_judge_equals_evaluate_on_every_builtin_lesson():
    for lesson_id, _, path in builtin_lessons():
        lesson = load_lesson(path)
        session = Session(lesson)
        judge = Judge(session.trainer, lesson.X_test, lesson.y_test)
        for _ in range(2):
            assert judge.evaluate(session.params) == evaluate(
                session.trainer, session.params, lesson.X_test, lesson.y_test), lesson_id
            session.step_epoch()


def test_the_trail_replaces_an_epoch_judged_again_and_stays_bounded():
    from engine.metrics import Evaluation
    trail = MetricTrail(held_out=True, classification=True)
    for epoch in (0, 1, 2):
        trail.record(epoch, Evaluation(1.0, 2.0 + epoch, 0.5, 0.25, 10, 5))
    trail.record(1, Evaluation(1.0, 9.0, 0.5, 0.25, 10, 5))   # after a jump back
    assert trail.epochs.tolist() == [0, 1, 2] and trail.test_loss.tolist() == [2.0, 9.0, 4.0]
    for epoch in range(3, 2 * MAX_POINTS):
        trail.record(epoch, Evaluation(1.0, 1.0, None, None, 10, 5))
    assert len(trail) <= MAX_POINTS and trail.epochs[-1] == 2 * MAX_POINTS - 1
    assert np.all(np.diff(trail.epochs) > 0) and np.isnan(trail.accuracy[-1])
    trail.clear()
    assert len(trail) == 0


def test_a_new_lesson_without_held_out_rows_counts_the_training_rows(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, lesson_of("moons", 10))
    view = show(qtbot, window, CONFUSION)
    view.rows.setCurrentIndex(1)
    assert view.held_out and view.model.counts.sum() == 40
    window.controller.open_lesson(lesson_of("xor_biases", 10))
    assert not view.held_out and not view.rows.model().item(1).isEnabled()
    view.throttle.tick(force=True)
    assert view.model.counts.shape == (2, 2) and view.model.counts.sum() == 4
    window.controller.open_lesson(lesson_of("digits", 2))
    assert view.rows.model().item(1).isEnabled()
    view.throttle.tick(force=True)
    assert view.model.counts.shape == (10, 10)
    assert view.model.headerData(9, Qt.Orientation.Horizontal) == "9"


def test_the_judges_confusion_is_the_engines_and_names_no_class_it_cannot():
    lesson = load_lesson(resolve_lesson("digits"))
    session = Session(lesson)
    session.step_epoch()
    judge = Judge(session.trainer, lesson.X_test, lesson.y_test)
    for held_out, X, y in ((False, lesson.X, lesson.y), (True, lesson.X_test, lesson.y_test)):
        outputs = session.trainer.predict(session.params, X)
        confusion = judge.confusion(session.params, held_out)
        np.testing.assert_array_equal(confusion.counts, confusion_matrix(outputs, y))
        true, predicted = predicted_classes(y), predicted_classes(outputs)
        for cell in ((3, 3), (3, 5), (8, 1)):
            np.testing.assert_array_equal(confusion.samples(*cell),
                                          np.flatnonzero((true == cell[0])
                                                         & (predicted == cell[1])))
    diverged = session.params.copy()
    diverged.flat[0] = np.nan
    assert judge.confusion(diverged) is None
    plane = load_lesson(resolve_lesson("plane"))
    plane_session = Session(plane)
    assert Judge(plane_session.trainer, plane.X_test, plane.y_test).confusion(
        plane_session.params) is None
    xor = load_lesson(resolve_lesson("xor_biases"))
    xor_session = Session(xor)
    assert Judge(xor_session.trainer, xor.X_test, xor.y_test).confusion(
        xor_session.params, held_out=True) is None

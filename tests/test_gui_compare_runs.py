"""Compare runs in the window (issue 16): after Reset or new settings the run before
stays on the loss plot as a faded curve labelled by what differed, up to five,
each pinned, hidden or cleared; hovering reads every curve out; a different
lesson forgets them; a 2-D lesson shows each kept run's final boundary; the
Accuracy view compares the kept runs' accuracies the same way; an exported
plot names every curve."""
from __future__ import annotations

from types import SimpleNamespace
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from engine.history import LossCurve
from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.number_text import shown_briefly
from engine.run_compare import kept_curve, kept_points, settings_of
from gui.past_runs import MAX_KEPT, THUMBNAIL_RESOLUTION, PastRuns
from gui.plots import DISPLAY_BOUND, LossPlot
from gui.past_runs_view import HOVER_HINT
from gui.views.accuracy_view import ACCURACY_HINT, accuracy_words, percent
from window_helpers import open_window


def short(lesson_id: str, epochs: int = 40, **training):
    """A built-in lesson that trains ``epochs`` epochs a Run, with other ``training`` keys."""
    doc = load_lesson(resolve_lesson(lesson_id)).to_json()
    doc["training"].update(epochs=epochs, **training)
    lesson = parse_lesson(doc, "test")
    lesson.path = resolve_lesson(lesson_id)
    return lesson


def run_to_the_end(window, qtbot) -> np.ndarray:
    """Run, wait until it stops; the losses of the run."""
    window.run_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=20_000)
    return window.controller.losses()


def apply_settings(window, **fields) -> None:
    """Type into the settings dock's fields and press Apply."""
    panel = window.settings_panel
    for name, text in fields.items():
        getattr(panel, name).setText(text)
    panel.apply_button.click()


def legend_texts(window) -> list[str]:
    return [label.text for _sample, label in window.plot.past.legend.items]


def menu_action(window, run_label: str, text: str, past=None):
    """The Compare menu's action ``text`` in the submenu of the run labelled ``run_label``
    (the loss plot's menu, or that of ``past``, another plot's ``PastRunCurves``)."""
    for action in (past or window.plot.past).menu.actions():
        if action.menu() is not None and action.text() == run_label:
            return next(a for a in action.menu().actions() if a.text() == text)
    raise AssertionError(f"no run {run_label!r} in the Compare menu")


def test_two_learning_rates_leave_two_labelled_curves(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("xor_biases", learning_rate=0.5))
    first = run_to_the_end(window, qtbot)
    apply_settings(window, learning_rate="2")
    assert window.controller.lesson.learning_rate == 2.0
    second = run_to_the_end(window, qtbot)
    assert not np.array_equal(first, second)        # the rates really gave two runs

    runs = window.controller.past_runs.runs
    assert [run.label for run in runs] == ["lr 0.5 → 2"]
    faded = window.plot.past.curves[runs[0].number]
    assert faded.isVisible()
    assert np.array_equal(faded.yData, first)       # the faded curve is the first run's losses
    assert np.array_equal(faded.xData, np.arange(1, first.size + 1))
    assert window.plot.points == second.size           # draws the pending frame
    assert np.array_equal(window.plot.curve.yData, second)
    assert legend_texts(window) == ["this run", "lr 0.5 → 2"]
    assert window.plot.past.legend.isVisible()
    # Each run its own Okabe–Ito colour and line style; the kept one faded
    pen, now = faded.opts["pen"], window.plot.curve.opts["pen"]
    assert pen.color().rgb() != now.color().rgb() and pen.style() != now.style()
    assert pen.color().alpha() < 255

    # A plain Reset: nothing differs from the run before, which is named by its number
    window.controller.reset()
    assert [run.label for run in window.controller.past_runs.runs] == ["lr 0.5 → 2", "run 2"]
    assert legend_texts(window) == ["this run", "lr 0.5 → 2", "run 2"]
    # Labels follow the run now: back to 0.5, the first run differs in nothing
    apply_settings(window, learning_rate="0.5")
    assert [run.label for run in window.controller.past_runs.runs] == ["run 1", "lr 2 → 0.5"]
    # The epoch axis holds the kept runs though the run now has not started
    assert window.plot.plot.getViewBox().viewRange()[0][1] >= first.size


def test_at_most_five_are_kept_unless_pinned_and_each_can_be_hidden_or_cleared(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("xor_biases"))
    controller, past = window.controller, window.controller.past_runs

    def one_more_run(epochs: int = 1) -> None:
        for _ in range(epochs):
            controller.step_epoch()
        controller.reset()

    for epochs in range(1, MAX_KEPT + 2):          # six runs of 1..6 epochs
        one_more_run(epochs)
    assert [run.number for run in past.runs] == [2, 3, 4, 5, 6]   # the oldest went
    assert len(window.plot.past.curves) == MAX_KEPT

    menu_action(window, "run 2", "Pin (keep beyond five)").trigger()
    assert past.run(2).pinned
    one_more_run()
    assert [run.number for run in past.runs] == [2, 4, 5, 6, 7]   # run 2 stayed, 3 went
    for number in (4, 5, 6, 7):
        past.pin(number)
    one_more_run()
    assert [run.number for run in past.runs] == [2, 4, 5, 6, 7, 8]  # all pinned: six kept

    menu_action(window, "run 4", "Show").trigger()                 # hide it
    assert past.run(4).hidden and not window.plot.past.curves[4].isVisible()
    assert "run 4" not in legend_texts(window)
    menu_action(window, "run 4", "Show").trigger()                 # and back
    assert window.plot.past.curves[4].isVisible() and "run 4" in legend_texts(window)

    menu_action(window, "run 5", "Clear").trigger()
    assert 5 not in [run.number for run in past.runs] and 5 not in window.plot.past.curves
    clear_all = next(action for action in window.plot.past.menu.actions()
                     if action.text() == "Clear all kept runs")
    clear_all.trigger()
    assert past.runs == [] and window.plot.past.curves == {}
    assert not window.plot.past.legend.isVisible() and not window.plot.past.button.isEnabled()


def test_hovering_reads_out_every_curve_at_the_epoch(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("xor_biases", epochs=30))
    first = run_to_the_end(window, qtbot)
    apply_settings(window, learning_rate="2")
    for _ in range(10):
        window.controller.step_epoch()
    now = window.controller.losses()
    plot = window.plot
    plot.points  # draws the pending frame (the ranges hold both runs)

    def hover(epoch: int) -> None:
        view = plot.plot.getPlotItem().vb
        y = float(np.mean(view.viewRange()[1]))
        plot.plot.scene().sigMouseMoved.emit(view.mapViewToScene(QPointF(epoch, y)))

    hover(7)
    assert plot.readout.text() == f"epoch 7: loss {shown_briefly(now[6], 6)}"
    assert plot.past.readout.full_text == (f"epoch 7 — this run: {shown_briefly(now[6], 6)}"
                                        f" · lr 0.1 → 2: {shown_briefly(first[6], 6)}")
    readout = plot.past.readout          # one line; too long, it ends in "…", whole on hover
    assert readout.isVisible() and readout.toolTip() == readout.full_text
    assert readout.full_text.startswith(readout.text().rstrip("…"))
    hover(25)                       # past the run now's end: the kept run still reads out
    assert readout.full_text == f"epoch 25 — lr 0.1 → 2: {shown_briefly(first[24], 6)}"
    hover(35)                       # past both ends
    assert plot.past.readout.full_text == "epoch 35 — lr 0.1 → 2: ended at epoch 30"
    window.controller.past_runs.clear()
    assert plot.past.readout.full_text == "" and plot.past.readout.isHidden()
    window.controller.reset()       # a run kept again: the line is there before any hover
    assert plot.past.readout.full_text == HOVER_HINT and plot.past.readout.isVisible()


def test_a_different_lesson_forgets_the_kept_runs(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("xor_biases"))
    window.controller.step_epoch()
    window.controller.reset()
    window.controller.step_epoch()
    apply_settings(window, seed="4")                        # new settings keep them ...
    assert [run.label for run in window.controller.past_runs.runs] == [
        "seed 1 → 4 (run 1)", "seed 1 → 4 (run 2)"]
    assert window.open_file(str(resolve_lesson("excel_walkthrough")))   # ... a new lesson not
    assert window.controller.past_runs.runs == []
    assert window.plot.past.curves == {} and legend_texts(window) == []
    assert window.plot.points == 0
    window.controller.step_epoch()
    window.controller.reset()                               # numbering starts again
    assert [run.label for run in window.controller.past_runs.runs] == ["run 1"]


def test_a_2d_lesson_keeps_each_runs_final_boundary(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("moons", epochs=20))
    run_to_the_end(window, qtbot)
    expected = window.controller.teaching.decision_boundary(THUMBNAIL_RESOLUTION)
    apply_settings(window, learning_rate="2")
    run_to_the_end(window, qtbot)
    window.controller.reset()
    runs = window.controller.past_runs.runs
    assert [run.label for run in runs] == ["lr 0.1 → 2", "run 2"]
    kept = runs[0].boundary
    assert kept.value.shape == (THUMBNAIL_RESOLUTION, THUMBNAIL_RESOLUTION)
    assert np.array_equal(kept.value, expected.value)       # the engine's map at the end
    assert not np.array_equal(kept.value, runs[1].boundary.value)

    window.teaching_docks_a[0].show()
    view = window.boundary_view
    qtbot.waitUntil(lambda: view.past_boundaries.isVisible())
    tiles = view.past_boundaries.tiles
    assert [tile.caption.text() for tile in tiles] == ["lr 0.1 → 2", "run 2"]
    assert all(not tile.picture.pixmap().isNull() for tile in tiles)
    window.controller.past_runs.hide(1)
    assert [tile.caption.text() for tile in view.past_boundaries.tiles] == ["run 2"]


def test_a_lesson_without_a_plane_keeps_curves_but_no_boundary(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("excel_walkthrough"))
    assert window.controller.teaching.plane is None
    window.controller.step_epoch()
    window.controller.reset()
    assert window.controller.past_runs.runs[0].boundary is None
    assert window.controller.past_runs.runs[0].curves["loss"].epochs == 1


def test_five_kept_runs_leave_the_loss_plot_its_height_at_1280_by_720(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("xor_biases"))
    window.resize(1280, 720)
    window.controller.step_epoch()
    qtbot.wait(0)      # the layout settles
    plot = window.plot
    before = plot.plot.height()
    for number in range(MAX_KEPT):
        apply_settings(window, learning_rate=f"{0.2 + 0.1 * number:g}")
        window.controller.step_epoch()
    assert len(window.controller.past_runs.runs) == MAX_KEPT
    qtbot.wait(0)
    readout = plot.past.readout
    assert readout.isVisible()
    # The legend is drawn over the plot; the readout takes one line, however long its text.
    assert readout.height() <= readout.fontMetrics().lineSpacing() + 8
    assert plot.plot.height() >= before - readout.height() - 2 * plot.layout().spacing() - 2
    assert plot.width() <= window.width()


@pytest.mark.parametrize("log", [False, True], ids=["linear", "log"])
def test_a_kept_run_that_reached_the_largest_floats_is_drawn_on_finite_ranges(qtbot, log):
    losses = np.array([0.5, 3.0, 1e200, 1.7e308, np.inf])    # a run that diverged
    curve = LossCurve(losses, np.arange(1.0, 6.0), losses)
    store = PastRuns()
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    plot.compare(store)
    plot.set_log(log)
    store.keep(settings_of(load_lesson(resolve_lesson("xor_biases"))), {"loss": kept_curve(curve)})
    plot.set_history(np.array([0.4, 0.3]), 2)
    assert plot.points == 2                     # redrawn (RuntimeWarnings are errors here)
    plot.grab()
    x_range, y_range = plot.plot.getViewBox().viewRange()
    assert np.isfinite(x_range).all() and np.isfinite(y_range).all()
    assert x_range[1] >= 5
    drawn = plot.past.curves[1]
    assert drawn.yData.size == 4 and drawn.yData.max() <= DISPLAY_BOUND


def hover(plot, epoch: int) -> None:
    """Move the pointer over ``plot`` (a pyqtgraph plot widget) at ``epoch``."""
    view = plot.getPlotItem().vb
    y = float(np.mean(view.viewRange()[1]))
    plot.scene().sigMouseMoved.emit(view.mapViewToScene(QPointF(epoch, y)))


def accuracy_view_of(window, qtbot):
    """The Accuracy view shown, and redrawn with what the window has now."""
    dock = window.teaching_docks_a[3]
    dock.show()
    dock.raise_()
    view = dock.widget()
    qtbot.waitUntil(lambda: view.isVisible() and view.revision > 0, timeout=5000)
    view.throttle.mark()
    view.throttle.tick(force=True)
    return view


def stepped_run(controller, epochs: int):
    """Step ``epochs`` epochs (each one judged); the trail's epochs and accuracies, copied."""
    for _ in range(epochs):
        controller.step_epoch()
    trail = controller.teaching.metric_trail
    return trail.epochs.copy(), trail.accuracy.copy(), trail.test_accuracy.copy()


def test_the_accuracy_view_compares_the_kept_runs_and_follows_the_compare_menu(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("moons", epochs=20))
    run_to_the_end(window, qtbot)
    trail = window.controller.teaching.metric_trail
    epochs, accuracy, test_accuracy = (trail.epochs.copy(), trail.accuracy.copy(),
                                       trail.test_accuracy.copy())
    assert epochs[-1] == 20 and np.isfinite(test_accuracy).all()
    apply_settings(window, learning_rate="2")
    run_to_the_end(window, qtbot)

    view = accuracy_view_of(window, qtbot)
    past = view.past
    assert [run.label for run in window.controller.past_runs.runs] == ["lr 0.1 → 2"]
    kept = past.items[1]
    assert set(kept) == {"accuracy", "test_accuracy"}
    np.testing.assert_array_equal(kept["accuracy"].xData, epochs)   # the first run's trail
    np.testing.assert_array_equal(kept["accuracy"].yData, 100 * accuracy)
    np.testing.assert_array_equal(kept["test_accuracy"].xData, epochs)
    np.testing.assert_array_equal(kept["test_accuracy"].yData, 100 * test_accuracy)
    assert [label.text for _sample, label in past.legend.items] == ["this run", "lr 0.1 → 2"]
    assert past.legend.isVisible() and "kept: thick" in view.key.text()
    # The same colour and line style as on the loss plot; held-out thinner
    on_loss = window.plot.past.curves[1].opts["pen"]
    for name, width in (("accuracy", 2), ("test_accuracy", 1)):
        pen = kept[name].opts["pen"]
        assert (pen.color().rgba(), pen.style(), pen.width()) == (
            on_loss.color().rgba(), on_loss.style(), width)

    # Hidden from the loss plot's Compare menu: gone from both plots, and back
    menu_action(window, "lr 0.1 → 2", "Show").trigger()
    assert not any(curve.isVisible() for curve in kept.values())
    assert not window.plot.past.curves[1].isVisible()
    assert not past.legend.isVisible()
    qtbot.waitUntil(lambda: "kept: thick" not in view.key.text())     # at the view's next frame
    menu_action(window, "lr 0.1 → 2", "Show", past).trigger()     # the view's own menu
    assert all(curve.isVisible() for curve in kept.values())
    assert window.plot.past.curves[1].isVisible()
    # Pinned in one menu, checked in the other
    menu_action(window, "lr 0.1 → 2", "Pin (keep beyond five)", past).trigger()
    assert menu_action(window, "lr 0.1 → 2", "Pin (keep beyond five)").isChecked()
    # Cleared from the view's menu: gone from both
    menu_action(window, "lr 0.1 → 2", "Clear", past).trigger()
    assert past.items == {} and window.plot.past.curves == {}
    assert not past.button.isEnabled() and not window.plot.past.button.isEnabled()


def test_hovering_the_accuracy_view_reads_every_runs_accuracy(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("moons", epochs=20))
    controller = window.controller
    first = stepped_run(controller, 12)
    apply_settings(window, learning_rate="2")
    now = stepped_run(controller, 6)
    view = accuracy_view_of(window, qtbot)
    assert view.past.readout.full_text == ACCURACY_HINT

    def words(run, epoch):
        at = int(np.flatnonzero(run[0] == epoch)[0])
        return f"{percent(run[1][at])} training, {percent(run[2][at])} held-out"

    hover(view.plot, 4)
    assert view.readout.full_text == f"epoch 4: {words(now, 4)}"
    assert view.past.readout.full_text == (f"epoch 4 — this run: {words(now, 4)}"
                                           f" · lr 0.1 → 2: {words(first, 4)}")
    hover(view.plot, 10)                              # past the run now's end
    assert view.past.readout.full_text == f"epoch 10 — lr 0.1 → 2: {words(first, 10)}"
    hover(view.plot, 16)                              # past both
    assert view.past.readout.full_text == "epoch 16 — lr 0.1 → 2: ended at epoch 12"


def test_kept_points_read_the_last_epoch_judged_at_or_before():
    kept = kept_points([0, 5, 9], [0.5, 0.7, 0.9])
    assert kept.epochs == 9
    assert kept.at(0) == (0, 0.5) and kept.at(3) == (0, 0.5) and kept.at(5) == (5, 0.7)
    assert kept.at(9) == (9, 0.9)
    assert kept.at(10) is None and kept.at(-1) is None          # past the end, before the start
    assert kept.span() == (0.5, 0.9)
    with pytest.raises(ValueError):
        kept.y[0] = 1.0                                          # a copy nobody changes
    assert accuracy_words(7, 5, 0.7, 0.65) == (
        "70.0 % training, 65.0 % held-out (judged at epoch 5)")
    assert accuracy_words(5, 5, 0.7, None) == "70.0 % training"


def test_the_loss_readout_gives_the_held_out_loss_of_the_last_judged_epoch(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    losses = np.linspace(1.0, 0.1, 10)
    plot.set_history(losses, 10)
    trail = SimpleNamespace(held_out=True, epochs=np.array([0.0, 2.0, 5.0]),
                            test_loss=np.array([1.5, 0.9, 0.6]))
    plot.set_test_losses(trail)
    assert plot.points == 10
    hover(plot.plot, 5)
    assert plot.readout.text() == (f"epoch 5: loss {shown_briefly(losses[4], 6)}"
                                   " · held-out 0.6")
    hover(plot.plot, 4)
    assert plot.readout.text() == (f"epoch 4: loss {shown_briefly(losses[3], 6)}"
                                   " · held-out 0.9 (judged at epoch 2)")
    plot.set_test_losses(SimpleNamespace(held_out=False))      # none held out: no tail
    hover(plot.plot, 4)
    assert plot.readout.text() == f"epoch 4: loss {shown_briefly(losses[3], 6)}"


def test_the_loss_readout_on_moons_gives_the_held_out_loss(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("moons", epochs=20))
    for _ in range(6):
        window.controller.step_epoch()
    trail = window.controller.teaching.metric_trail
    assert window.plot.points == 6
    hover(window.plot.plot, 3)
    at = int(np.flatnonzero(trail.epochs == 3)[0])
    assert window.plot.readout.text() == (
        f"epoch 3: loss {shown_briefly(window.controller.losses()[2], 6)}"
        f" · held-out {shown_briefly(trail.test_loss[at], 6)}")


def svg_texts(path) -> str:
    """Every text drawn in an SVG file, joined."""
    return " ".join(" ".join(element.itertext()) for element in ET.parse(path).getroot().iter()
                    if element.tag.endswith("text"))


def test_an_exported_plot_names_every_curve(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("moons", epochs=20))
    for _ in range(3):
        window.controller.step_epoch()
    svg = tmp_path / "alone.svg"
    assert window.exporter.plot_image(str(svg))
    texts = svg_texts(svg)
    assert "training rows" in texts and "held-out rows (test)" in texts
    assert "this run" not in texts          # nothing kept: nothing to tell it from

    apply_settings(window, learning_rate="2")
    for _ in range(3):
        window.controller.step_epoch()
    assert window.plot.points == 3
    legend = window.plot.past.legend
    scene_items = len(window.plot.plot.scene().items())
    svg, png = tmp_path / "compared.svg", tmp_path / "compared.png"
    assert window.exporter.plot_image(str(svg)) and window.exporter.plot_image(str(png))
    texts = svg_texts(svg)
    for name in ("this run, training rows", "held-out rows (test)", "lr 0.1 → 2"):
        assert name in texts, name
    # The window's own legend is as it was, and the export's is gone
    assert legend.isVisible() and len(window.plot.plot.scene().items()) == scene_items
    assert png.stat().st_size > 0


def test_a_regression_keeps_no_accuracy_and_its_accuracy_view_draws_no_run(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, short("plane", epochs=10))
    window.controller.step_epoch()
    window.controller.reset()
    run = window.controller.past_runs.runs[0]
    assert set(run.curves) == {"loss"}                  # no class labels: no accuracy kept
    view = accuracy_view_of(window, qtbot)
    assert view.pages.currentIndex() == 1               # its message, and no kept curve
    assert view.past.items == {} and view.past.runs == []
    assert window.plot.past.curves[run.number].isVisible()


def test_the_accuracy_view_asks_its_dock_for_no_more_than_its_minimum_height(qtbot, tmp_path):
    """pyqtgraph's plot prefers 480 pixels; were that asked of the scrolled dock, the
    dock at 1280×720 would scroll the key and the readouts out of sight."""
    window = open_window(qtbot, tmp_path, short("moons", epochs=5))
    window.resize(1280, 720)
    window.controller.step_epoch()
    window.controller.reset()                           # a kept run: every line shown
    view = accuracy_view_of(window, qtbot)
    assert view.past.readout.isVisible() and view.key.isVisible()
    # What a scroll area sizes it to: its height for its width, else its size hint.
    asked = view.heightForWidth(view.width())
    if asked < 0:
        asked = view.sizeHint().height()
    assert asked <= max(view.minimumHeight(), view.minimumSizeHint().height())


def test_no_kept_run_is_drawn_in_the_run_nows_or_the_held_out_rows_colour():
    from gui.past_runs_view import PAST_RUN_COLOURS, run_colour
    from gui.plots import TEST_COLOUR, TRAINING_COLOUR
    taken = {QColor(TRAINING_COLOUR).name(), QColor(TEST_COLOUR).name()}
    assert not {run_colour(n).name() for n in range(1, len(PAST_RUN_COLOURS) + 1)} & taken

"""Compare runs in the window (issue 16): after Reset or new settings the run before
stays on the loss plot as a faded curve labelled by what differed, up to five,
each pinned, hidden or cleared; hovering reads every curve out; a different
lesson forgets them; a 2-D lesson shows each kept run's final boundary."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from engine.history import LossCurve
from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.number_text import shown_briefly
from engine.run_compare import kept_curve, settings_of
from gui.past_runs import MAX_KEPT, THUMBNAIL_RESOLUTION, PastRuns
from gui.plots import DISPLAY_BOUND, LossPlot
from gui.past_runs_view import HOVER_HINT
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


def menu_action(window, run_label: str, text: str):
    """The Compare menu's action ``text`` in the submenu of the run labelled ``run_label``."""
    for action in window.plot.past.menu.actions():
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

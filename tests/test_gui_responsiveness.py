"""What keeps Run live, scrolling cheap and the start quick: lean table roles, painted
card frames (no style sheets), stepped plot axes, frames apart from training, no
autosave while training."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSettings, Qt

from engine.history import OUTLINE_BUCKETS
from engine.lesson import load_lesson, resolve_lesson
from engine.session import Session
from engine.session_file import SavedSession
from gui.main_window import MainWindow
from gui.plots import LossPlot, _stepped_range
from engine.catalogue import identify
from gui.session_controller import MatrixInfo, SessionController
from gui.tables import ACTIVE_COLOUR, CURRENT_FRAME_COLOUR, ArrayModel, TablesPanel

ROLES = Qt.ItemDataRole


def info(shape=(3, 4), name="W1", editable=True):
    return MatrixInfo(name, "inputs", "input", 1, name, name, "", shape, False, editable,
                      identity=identify(name, 3))


def test_cells_answer_colour_and_font_roles_only_while_marked(qtbot):
    model = ArrayModel(info())
    model.set_editable(True)
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable  # not revealed
    model.set_values(np.arange(12.0).reshape(3, 4))
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    index = model.index(1, 2)
    assert model.data(index) == "6.000"
    assert model.data(index, ROLES.TextAlignmentRole) == int(Qt.AlignmentFlag.AlignRight
                                                             | Qt.AlignmentFlag.AlignVCenter)
    for role in (ROLES.BackgroundRole, ROLES.ForegroundRole, ROLES.FontRole):
        assert model.data(index, role) is None
    model.set_marks((1, 2), set())
    assert model.data(index, ROLES.BackgroundRole).color() == ACTIVE_COLOUR
    assert model.data(index, ROLES.FontRole).bold()
    model.set_marks(None, set())
    assert model.data(index, ROLES.BackgroundRole) is None


def test_cards_paint_their_frame_blue_when_current_without_style_sheets(qtbot):
    panel = TablesPanel()
    qtbot.addWidget(panel)
    panel.set_matrices([info(name="W1"), info(name="b1", shape=(1, 4))])
    panel.show()
    qtbot.waitExposed(panel)

    def left_edge(card):  # the middle of the card's left border, as painted
        return card.grab().toImage().pixelColor(1, card.height() // 2)

    panel.set_current("W1")
    assert panel.cards["W1"].current and not panel.cards["b1"].current
    assert left_edge(panel.cards["W1"]) == CURRENT_FRAME_COLOUR
    assert left_edge(panel.cards["b1"]) != CURRENT_FRAME_COLOUR
    panel.set_current("b1")
    assert left_edge(panel.cards["W1"]) != CURRENT_FRAME_COLOUR
    assert left_edge(panel.cards["b1"]) == CURRENT_FRAME_COLOUR
    # A style sheet would re-polish every table inside a card each time one is added.
    assert panel.widget().styleSheet() == "" and panel.styleSheet() == ""
    assert all(card.styleSheet() == "" for card in panel.cards.values())


def test_loss_axis_moves_in_steps_not_with_every_loss():
    assert _stepped_range(np.array([0.3, 0.25, 0.2]), log=False) == (0.0, 0.5)
    assert _stepped_range(np.array([0.3, 0.25, 0.01]), log=False) == (0.0, 0.5)
    assert _stepped_range(np.array([3.0, -0.4]), log=False) == (-0.5, 5.0)
    assert _stepped_range(np.array([0.3, 0.002]), log=True) == (-3.0, 0.0)
    assert _stepped_range(np.array([0.5]), log=True) == (-1.0, 0.0)
    assert _stepped_range(np.empty(0), log=False) == (0.0, 1.0)


def test_loss_plot_keeps_its_range_while_the_loss_falls_inside_it(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    losses = 0.25 * np.exp(-np.arange(1, 200) / 50.0)
    plot.set_history(losses[:100], 100)
    assert plot.points == 100
    before = plot.plot.getPlotItem().vb.targetRange()
    plot.set_history(losses, 199)
    assert plot.points == 199
    assert plot.plot.getPlotItem().vb.targetRange()[1] == before[1]


def test_a_frame_tick_publishes_without_training(qtbot):
    controller = SessionController(load_lesson(resolve_lesson("xor_biases")))
    controller.run()
    qtbot.waitUntil(lambda: controller.session.epochs_done > 0)
    controller.clock._dirty, controller.clock._last_frame = True, 0.0  # a frame is due
    done = controller.session.epochs_done
    with qtbot.waitSignal(controller.valuesChanged, timeout=1000):
        controller.clock._tick()
    assert controller.session.epochs_done == done
    controller.pause()


def test_autosave_while_a_run_trains_encodes_nothing_on_the_gui_thread(qtbot, tmp_path,
                                                                        monkeypatch):
    """Issue 21, family 10: a copy is kept while running too, encoded on the pool.

    (This test once asserted that no copy was written while running — the very
    defect: a kill -9 during Run lost everything since the last pause.)"""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_lesson(resolve_lesson("xor_biases")), settings)
    qtbot.addWidget(window)
    controller = window.controller
    controller.run()
    qtbot.waitUntil(lambda: controller.session.epochs_done > 0)
    encoded_here = []
    original = window.recovery._text
    monkeypatch.setattr(window.recovery, "_text", lambda: encoded_here.append(1) or original())
    assert window.recovery.autosave()  # handed to the pool
    assert encoded_here == []
    qtbot.waitUntil(lambda: window.recovery.path.exists())
    monkeypatch.undo()
    controller.pause()
    assert window.recovery.autosave() and window.recovery.path.exists()
    window.recovery.mark_saved()  # closes without the unsaved-work question


def _window_with_history(qtbot, tmp_path, epochs: int) -> MainWindow:
    """The XOR lesson reopened after ``epochs`` epochs (a saved session), ready to Run."""
    lesson = load_lesson(resolve_lesson("xor_biases"))
    start = Session(lesson).initial_state()
    start.epoch = epochs
    losses = np.linspace(0.5, 0.01, epochs)
    losses[epochs // 3] = 2.0  # a spike the outline must keep
    lesson.session = SavedSession(start, None, losses)
    lesson.epochs = 10_000_000
    settings = QSettings(str(tmp_path / f"settings{epochs}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(lesson, settings)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_run_frames_draw_a_bounded_outline_however_long_the_history(qtbot, tmp_path):
    """Issue 19: a frame of Run does no work that grows with the history. From 10⁴ to
    10⁶ epochs the points set on the loss curve per frame stay under one bound, the
    losses are sent without a copy, and the outline keeps the history's extremes."""
    drawn = {}
    for epochs in (10_000, 1_000_000):
        window = _window_with_history(qtbot, tmp_path, epochs)
        controller, curve = window.controller, window.plot.curve
        sizes, sent = [], []
        set_data = curve.setData
        curve.setData = lambda x, y, **kw: (sizes.append(len(x)), set_data(x, y, **kw))
        controller.historyChanged.connect(lambda history, _epoch: sent.append(history))
        controller.run()
        qtbot.waitUntil(lambda: len(sizes) >= 3 and controller.epochs_done > epochs + 100,
                        timeout=20_000)
        controller.pause()
        window.plot.points  # noqa: B018 — draws the pending frame
        assert max(sizes) < 4 * OUTLINE_BUCKETS + 3, (epochs, sizes)
        history = sent[-1]
        assert history.size == controller.epochs_done
        assert np.shares_memory(history.losses, controller.session.history.losses())
        assert not history.losses.flags.writeable
        assert history.y.max() == 2.0 and history.y.min() == history.losses.min()
        drawn[epochs] = max(sizes)
        window.close()
    assert drawn[1_000_000] < 10_000 < 1_000_000  # not one point per epoch any more

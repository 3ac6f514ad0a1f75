"""Presenter mode, driven as a teacher with a clicker would (F5, PageDown, B, Home, Play)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QDockWidget, QToolBar

from gui.presenter import DIGIT_SCREEN_PART, PLAY_SECONDS
from window_helpers import open_window

SCREEN = (1280, 720)


@pytest.fixture(autouse=True)
def normal_font(qapp):
    """Zoom sets the application's font: each test starts and ends at the normal size."""
    font = QFont(qapp.font())
    yield
    qapp.setFont(font)


@pytest.fixture
def window(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    window.presenter_action.trigger()   # F5's action
    window.resize(*SCREEN)               # the offscreen "screen" is sized by the test
    qtbot.waitUntil(lambda: window.presenter.height() > 600)
    return window


def press(qtbot, window, key):
    """A key as a clicker sends it, to whatever has the focus in the window."""
    target = window.focusWidget() or window.presenter
    qtbot.keyClick(target, key)


def test_f5_goes_full_screen_with_bars_and_docks_hidden_and_escape_restores(qtbot, window):
    assert window.presenting and window.isFullScreen()
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
    assert not any(bar.isVisible() for bar in window.findChildren(QToolBar))
    assert not any(dock.isVisible() for dock in window.findChildren(QDockWidget))
    assert window.presenter.isVisible() and window.presenter.view_title == "Step"
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.presenting and not window.isFullScreen()
    assert window.menuBar().isVisible() and window.diagram_dock.isVisible()
    assert window.plot_dock.isVisible() and window.tables.isVisible()


def test_clicker_keys_step_back_blank_and_reset(qtbot, window):
    controller = window.controller
    for key in (Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Space):
        press(qtbot, window, key)
    assert controller.position.step == 3   # one step per press, not two (the window's Space)
    press(qtbot, window, Qt.Key.Key_PageUp)
    press(qtbot, window, Qt.Key.Key_Left)
    assert controller.position.step == 1
    with qtbot.waitSignal(window.presenter.blankChanged) as blanked:
        press(qtbot, window, Qt.Key.Key_B)
    assert blanked.args == [True] and window.presenter.blank
    press(qtbot, window, Qt.Key.Key_B)
    assert not window.presenter.blank
    press(qtbot, window, Qt.Key.Key_PageDown)
    press(qtbot, window, Qt.Key.Key_Home)
    assert controller.position.step == 0 and controller.epochs_done == 0


def test_step_view_shows_the_step_its_precedents_and_the_yellow_cells_formula(qtbot, window):
    presenter = window.presenter
    for _ in range(9):   # the walk-through's step 9: d_output = E ⊙ slope2
        press(qtbot, window, Qt.Key.Key_PageDown)
    step = window.controller.position.step_name
    assert window.controller.selection == (step, 0, 0)   # the yellow cell follows the step
    names = list(presenter.cards)
    assert names[0] == step and len(names) >= 2
    explanation = window.tables.cards[step].model  # the main window shows the same numbers
    assert presenter.cards[step].model.array.tolist() == explanation.array.tolist()
    precedents = {name for name, _r, _c in window.controller.explain(step, 0, 0).precedents}
    assert set(names[1:]) == precedents - {step}
    assert window.controller.explain(step, 0, 0).text in presenter.formula_label.text()
    assert presenter.note_label.text()   # the lesson's step note, large


def test_number_keys_and_the_strip_choose_the_view_and_give_it_back(qtbot, window):
    presenter = window.presenter
    press(qtbot, window, Qt.Key.Key_2)
    assert presenter.view_title == "Network" and presenter.shown_widget is window.diagram
    assert window.diagram.isVisible()
    press(qtbot, window, Qt.Key.Key_3)
    assert presenter.shown_widget is window.plot
    assert window.diagram_dock.widget() is window.diagram   # given back
    presenter.view_buttons.button(3).click()   # the strip: the decision boundary
    assert presenter.view_title == "Decision boundary"
    assert presenter.shown_widget is window.boundary_view and window.boundary_view.isVisible()
    press(qtbot, window, Qt.Key.Key_1)
    assert presenter.shown_widget is presenter.cards_page
    assert window.teaching_docks_a[0].widget() is window.boundary_view
    press(qtbot, window, Qt.Key.Key_3)
    press(qtbot, window, Qt.Key.Key_Escape)   # leaving gives the borrowed view back too
    assert window.plot_dock.widget() is window.plot and window.plot.isVisible()


def test_play_steps_one_matrix_each_interval_and_a_key_pauses(qtbot, window):
    presenter = window.presenter
    presenter.set_interval(0.05)
    with qtbot.waitSignal(presenter.playingChanged):
        press(qtbot, window, Qt.Key.Key_P)
    assert presenter.playing
    qtbot.waitUntil(lambda: window.controller.position.step >= 3, timeout=5000)
    with qtbot.waitSignal(presenter.playingChanged) as paused:
        press(qtbot, window, Qt.Key.Key_PageDown)
    assert paused.args == [False]
    step = window.controller.position.step
    press(qtbot, window, Qt.Key.Key_PageDown)   # paused: the next press steps once
    assert window.controller.position.step == step + 1
    # Played to the end, it stops on the iteration's last matrix.
    presenter.play()
    qtbot.waitUntil(lambda: not presenter.playing, timeout=10000)
    position = window.controller.position
    assert position.step == position.steps


def test_a_click_pauses_play(qtbot, window):
    presenter = window.presenter
    presenter.set_interval(5.0)
    presenter.play()
    qtbot.mouseClick(presenter.position_label, Qt.MouseButton.LeftButton)
    assert not presenter.playing


def test_default_interval_is_two_seconds(window):
    assert window.presenter.timer.interval() == round(PLAY_SECONDS * 1000) == 2000


def _digit_height(widget) -> float:
    return QFontMetricsF(widget.font()).tightBoundingRect("0123456789").height()


def test_table_digits_read_from_the_back_and_larger_text_goes_on_scaling(qtbot, window):
    press(qtbot, window, Qt.Key.Key_PageDown)
    card = next(iter(window.presenter.cards.values()))
    height = window.presenter.height()
    digits = _digit_height(card.view)
    assert digits >= height / DIGIT_SCREEN_PART
    window.zoom_in_action.trigger()
    assert _digit_height(card.view) > digits
    window.zoom_reset_action.trigger()
    assert _digit_height(card.view) == pytest.approx(digits, abs=1)
    # ... while the main window's text is the normal size, not the presenter's.
    press(qtbot, window, Qt.Key.Key_Escape)
    assert QFont(window.tables.font()).pixelSize() != card.font().pixelSize()

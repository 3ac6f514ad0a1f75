"""A quick start: the window shows before what nobody sees yet exists.

The teaching views and the settings panel are built the first time their
dock is seen (or asked for), and then show what the session is at — as if
they had been there from the start. The tables below the first screen are
built after the first paint (or when scrolled to or used), in exactly the
place kept for them. The export and dialog modules are imported after the
first paint, and the cyclic collector, paused while the window is built,
is back on once it is shown.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

from engine.lesson import load_lesson, resolve_lesson
from gui.session_controller import SessionController
from gui.tables import TablesPanel
from window_helpers import open_window

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(lesson_id="excel_walkthrough", settings_closed=False):
        if settings_closed:
            # The settings dock shows at first start; a user who closed it finds it
            # closed (and not built) the next time.
            first = open_window(qtbot, tmp_path, lesson_id)
            first.settings_dock.close()
            first.close()
        return open_window(qtbot, tmp_path, lesson_id)
    return make


def docks(window):
    return window.teaching_docks_a + window.teaching_docks_b


def test_teaching_views_are_built_when_first_seen(qtbot, make_window):
    window = make_window()
    assert not any(dock.built for dock in docks(window))
    race = window.teaching_docks_b[0]
    race.toggleViewAction().trigger()            # View ▸ Teaching views ▸ Learning-rate race
    qtbot.waitUntil(lambda: race.built and race.widget().isVisible())
    assert race.widget() is window.race_view
    assert type(race.widget()).__name__ == "LearningRateRaceView"
    others = [dock for dock in docks(window) if dock is not race]
    assert not any(dock.built for dock in others)   # tabbed behind it, never seen
    assert window.activation_view is window.teaching_docks_a[2].widget()   # asked for: built
    assert window.teaching_docks_a[2].built


def test_a_late_view_shows_where_the_session_is(qtbot, make_window):
    window = make_window("one_weight")
    c = window.controller
    for _ in c.session.steps:
        c.step()
    c.step_epoch()
    c.select("new_W1", 0, 0)
    code, race, gradient = window.code_view, window.race_view, window.gradient_view
    late = (code.chain_title.text(), code.chain.toPlainText())
    assert "new_W1[0,0]" in late[0] and "Click a delta" not in late[1]
    c.select("new_W1", 0, 0)      # what a view built at the start was sent
    assert (code.chain_title.text(), code.chain.toPlainText()) == late
    assert code.current == c.session.position.step_name
    assert race.session_marker.value() == c.session.epochs_done > 0
    gradient_dock = window.teaching_docks_b[2]
    gradient_dock.show()
    gradient_dock.raise_()
    qtbot.waitUntil(lambda: gradient.check is not None and gradient.check.finished,
                    timeout=60_000)
    assert c.describe_position() in gradient.where.text()


def test_a_saved_layout_with_a_teaching_view_open_builds_it(qtbot, make_window, tmp_path):
    window = make_window("moons")
    boundary = window.teaching_docks_a[0]
    boundary.show()
    qtbot.waitUntil(lambda: boundary.built and boundary.widget().isVisible())
    window.close()                                   # saves the window state
    again = make_window("moons")
    shown = again.teaching_docks_a[0]
    assert shown.isVisible()
    qtbot.waitUntil(lambda: shown.built and shown.widget().isVisible())
    assert type(shown.widget()).__name__ == "BoundaryView"
    qtbot.waitUntil(lambda: shown.widget().revision > 0, timeout=30_000)


def test_export_and_teaching_modules_wait_for_the_first_paint(tmp_path):
    """Before the window is painted, none of the slow optional modules is imported, nor
    what waits for a click (a cell's explanation, a paste, the tour) or another lesson
    (the built-in data sets)."""
    probe = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from engine.lesson import load_lesson, resolve_lesson\n"
        "from gui.main_window import MainWindow\n"
        f"settings = QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)\n"
        "window = MainWindow(load_lesson(resolve_lesson('excel_walkthrough')), settings)\n"
        "window.show()\n"
        "print(' '.join(sorted(name for name in sys.modules if name in (\n"
        "    'xlsxwriter', 'gui.exporting', 'gui.csv_dialog', 'gui.dataset_dialog',\n"
        "    'gui.views.race_view', 'gui.views.landscape_view', 'gui.views.code_view',\n"
        "    'engine.chain_rule', 'engine.code_lines', 'engine.gradient_check',\n"
        "    'engine.landscape', 'engine.race', 'engine.export_xlsx', 'engine.csv_import',\n"
        "    'engine.network_proposal', 'engine.boundary', 'gui.views.boundary_view',\n"
        "    'engine.diagnosis', 'engine.explain', 'engine.datasets', 'gui.paste',\n"
        "    'gui.getting_started'))))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYQTGRAPH_QT_LIB="PySide6")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_collector_is_paused_for_the_build_and_back_on_once_the_window_shows(tmp_path):
    probe = (
        "import gc, main\n"
        "from PySide6.QtWidgets import QApplication\n"
        "QApplication.exec = lambda self: print('during', gc.isenabled()) or 0\n"
        "main.main([])\n"
        "print('after', gc.isenabled(), gc.get_freeze_count() > 10_000)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path), BACKPROP_TRACER_EXIT_AFTER_PAINT="1")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # On while the event loop runs; what start-up made is frozen out of its way.
    assert result.stdout.split() == ["during", "True", "after", "True", "True"]


_SCALE_ON_POOL = (
    "import os\n"
    "from PySide6.QtCore import Qt\n"
    "from PySide6.QtGui import QImage\n"
    "def scale_and_count_threads():\n"
    "    before = len(os.listdir('/proc/self/task'))\n"
    "    image = QImage(600, 600, QImage.Format.Format_ARGB32_Premultiplied)\n"
    "    image.fill(Qt.GlobalColor.white)\n"
    "    image.scaled(1200, 1200, Qt.AspectRatioMode.IgnoreAspectRatio,\n"
    "                 Qt.TransformationMode.SmoothTransformation)\n"
    "    return len(os.listdir('/proc/self/task')) - before\n"
)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_the_app_keeps_qts_large_fills_on_the_gui_thread(tmp_path):
    """Qt hands large fills and scales to a pool of threads and waits for them: on a
    busy 2-core machine each repaint of the loss plot waited through a hundred
    wake-ups. The app turns the pool off before its first paint; a plain Qt
    application (the control) starts the pool's threads for the same scale."""
    env = {key: value for key, value in os.environ.items() if key != "QT_NO_GUI_THREADPOOL"}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path),
               BACKPROP_TRACER_EXIT_AFTER_PAINT="1")
    control = _SCALE_ON_POOL + (
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "print(scale_and_count_threads())\n")
    app = _SCALE_ON_POOL + (
        "import main\n"
        "from PySide6.QtWidgets import QApplication\n"
        "QApplication.exec = lambda self: print(scale_and_count_threads()) or 0\n"
        "main.main([])\n")
    started = []
    for probe in (control, app):
        result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        started.append(int(result.stdout.split()[-1]))
    if started[0] == 0:
        pytest.skip("this Qt scales on the calling thread anyway")
    assert started[1] == 0


def test_the_settings_panel_is_built_when_its_dock_is_first_shown(qtbot, make_window):
    window = make_window("xor_biases", settings_closed=True)
    assert not window.settings_dock.built
    window.controller.open_lesson(load_lesson(resolve_lesson("one_weight")))
    window.settings_dock.show()
    qtbot.waitUntil(lambda: window.settings_dock.built)
    panel = window.settings_panel
    assert panel.isVisible()
    assert panel.layers.text() == "1, 1"                  # the lesson open now
    assert panel.learning_rate.text() == f"{window.controller.lesson.learning_rate:g}"


def walkthrough_panel(qtbot, size=(480, 420)) -> tuple[TablesPanel, SessionController]:
    controller = SessionController(load_lesson(resolve_lesson("excel_walkthrough")))
    panel = TablesPanel()
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.set_matrices(controller.matrices())
    return panel, controller


def on_screen(panel: TablesPanel) -> set[str]:
    shown = QRect(-panel.widget().pos(), panel.viewport().size())
    return {name for name, card in panel.cards.items()
            if QRect(card.mapTo(panel.widget(), QPoint(0, 0)), card.size()).intersects(shown)}


def test_cards_on_screen_are_built_at_once_the_rest_after_the_first_paint(qtbot):
    panel, _ = walkthrough_panel(qtbot)
    assert not any(card.built for card in panel.cards.values())
    panel.show()                                  # no event has run: nothing painted yet
    built = {name for name, card in panel.cards.items() if card.built}
    assert built == on_screen(panel)
    assert "X" in built and "new_b1" not in built
    places = {name: card.geometry() for name, card in panel.cards.items()}
    bar = panel.verticalScrollBar()
    bar.setValue(bar.maximum())                   # scrolled there: built before it is painted
    assert "new_b1" in on_screen(panel)
    assert all(panel.cards[name].built for name in on_screen(panel))
    qtbot.waitUntil(lambda: all(card.built for card in panel.cards.values()))
    # Every card kept the place it had before its parts were made.
    assert {name: card.geometry() for name, card in panel.cards.items()} == places


def test_a_card_built_late_shows_what_it_was_sent(qtbot):
    panel, controller = walkthrough_panel(qtbot, size=(400, 300))
    for _ in range(8):
        controller.step()
    panel.set_values(controller.snapshot())
    panel.set_decimals(5)
    panel.set_current("slope2")
    card = panel.cards["slope2"]
    assert not card.built
    value = controller.session.value("slope2")
    with qtbot.waitSignal(card.tableBuilt):
        view = card.view
    assert card.built and view.model() is card.model
    assert view.model().data(view.model().index(0, 0)) == f"{value[0, 0]:.5f}"
    assert "just computed" in card.title.text()
    assert card.formula.isEnabled()
    with qtbot.waitSignal(panel.cellClicked) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.visualRect(card.model.index(1, 0)).center())
    assert clicked.args == ["slope2", 1, 0]


@pytest.mark.parametrize("points", [9.0, 14.0, 22.0])
def test_titles_formulas_and_tables_fit_the_space_worked_out_for_them(qtbot, points):
    font = QApplication.font()
    old = QApplication.font()
    font.setPointSizeF(points)
    QApplication.setFont(font)
    try:
        panel, _ = walkthrough_panel(qtbot, size=(900, 700))
        panel.show()
        for card in panel.cards.values():
            place = card.geometry()
            card.build()
            assert card.geometry() == place
            title, formula, view = card.title, card.formula, card.view
            assert title.sizeHint().height() <= title.height(), card.name
            assert formula.heightForWidth(formula.width()) <= formula.height(), card.name
            assert card.rect().contains(view.geometry()), card.name
            assert view.geometry().top() >= formula.geometry().bottom()
    finally:
        QApplication.setFont(old)


def visible_tab_bars(window) -> list[list[str]]:
    from PySide6.QtWidgets import QTabBar
    return [[bar.tabText(i) for i in range(bar.count())] for bar in window.findChildren(QTabBar)
            if bar.isVisible() and bar.count() > 1
            and window.rect().intersects(bar.geometry())]


def test_hidden_teaching_views_leave_no_tab_bar_over_the_settings(qtbot, make_window):
    window = make_window(settings_closed=True)
    assert visible_tab_bars(window) == []
    window.settings_dock.toggleViewAction().trigger()       # the left area opens
    qtbot.waitUntil(lambda: window.settings_panel.isVisible())
    assert visible_tab_bars(window) == []
    race, modes = window.teaching_docks_b[:2]
    race.toggleViewAction().trigger()
    modes.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: visible_tab_bars(window) != [])
    # Tabs beside the diagram (issue 17), and no tab of a hidden view.
    assert visible_tab_bars(window) == [["Network", "Learning-rate race", "Training modes"]]


def test_a_built_card_follows_its_table_when_the_batch_shrinks(qtbot):
    """A mini-batch tail has fewer rows: the table refits and the card with it."""
    from engine.catalogue import identify
    from gui.session_controller import MatrixInfo
    from gui.tables import MatrixCard
    import numpy as np
    info = MatrixInfo("z1", "forward", "z", 1, "z1", "z1", "z1 = X·W1 + b1", (8, 3), True, False,
                      identity=identify("z1", 2))
    card = MatrixCard(info)
    qtbot.addWidget(card)
    card.set_values(np.ones((8, 3)), np.arange(8))
    card.show()
    view = card.view
    tall = (card.height(), view.height())
    card.set_values(np.ones((2, 3)), np.arange(2))         # a different shape: a model reset
    assert view.height() < tall[1]
    assert card.height() - view.height() == tall[0] - tall[1]   # the card shrank with it
    assert card.rect().contains(view.geometry())


def test_each_card_is_measured_once_while_the_window_is_built(qtbot, tmp_path, monkeypatch):
    """A card is told its info, decimals, font and values one after another while the
    window is built; it works out its size again only when one of them changed, and
    the saved decimals arrive before the cards are made, not after."""
    import gui.tables as tables
    from PySide6.QtCore import QSettings
    from gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("decimals", 5)   # not the lesson's 3: cards made at 3 would be re-measured
    measured = []
    real = tables.table_geometry
    monkeypatch.setattr(tables, "table_geometry",
                        lambda metrics, shape, decimals, *rest: measured.append(decimals)
                        or real(metrics, shape, decimals, *rest))
    window = MainWindow(load_lesson(resolve_lesson("excel_walkthrough")), settings)
    qtbot.addWidget(window)
    assert len(measured) == len(window.tables.cards) == 25
    assert set(measured) == {5}
    # A real change is still measured: more decimals, wider columns.
    card = window.tables.cards["W1"]
    width = card.width()
    window.decimals_box.setValue(9)
    assert card.width() > width


@pytest.mark.parametrize("key, saved", [("decimals", "abc"), ("fontSize", "big"),
                                        ("fontSize", "nan")])
def test_an_unreadable_saved_setting_opens_the_window_with_its_default(qtbot, tmp_path, key,
                                                                      saved):
    """A settings file edited by hand or cut short: the window opens with the default,
    and the status bar names the setting and what it held."""
    from PySide6.QtCore import QSettings
    from gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(key, saved)
    window = MainWindow(load_lesson(resolve_lesson("xor_biases")), settings)
    qtbot.addWidget(window)
    assert window.controller.decimals == window.decimals_box.value() == 3
    assert QApplication.font().pointSizeF() == window._normal_points
    assert f"{key} = '{saved}'" in window.statusBar().currentMessage()


def test_saved_decimals_beyond_the_box_are_held_to_it_in_the_tables_too(qtbot, tmp_path):
    from PySide6.QtCore import QSettings
    from gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("decimals", 99)
    window = MainWindow(load_lesson(resolve_lesson("xor_biases")), settings)
    qtbot.addWidget(window)
    assert window.controller.decimals == window.decimals_box.value() == 10


def test_the_diagrams_neuron_maps_wait_for_its_first_paint_then_follow(qtbot, tmp_path):
    """The small maps beside the hidden neurons never hold up the first paint: none is
    drawn before the diagram has been painted, and they arrive a tick after it."""
    from PySide6.QtCore import QSettings
    from gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_lesson(resolve_lesson("moons")), settings)
    qtbot.addWidget(window)
    maps = window.hidden_unit_maps
    window.show()                     # visible now; painted only when events run
    assert window.diagram.isVisible()
    maps.throttle.tick(force=True)    # the throttle's timer, overdue after the build
    assert maps.revision == 0 and window.diagram.neuron_maps == {}
    qtbot.waitUntil(lambda: maps.revision > 0, timeout=5000)
    assert len(window.diagram.neuron_maps) == 10


def test_the_window_is_made_in_its_text_size_and_fitted_once_when_shown(qtbot, tmp_path):
    """The saved text size reaches every widget as it is made, not when the event loop
    starts: measured in the old size first, the toolbars, docks, cards and diagram were
    all laid out and fitted a second time before the first paint."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QToolButton
    from gui.main_window import MainWindow

    old_font = QApplication.font()
    size = old_font.pointSizeF() + 3
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("fontSize", size)
    try:
        window = MainWindow(load_lesson(resolve_lesson("excel_walkthrough")), settings)
        qtbot.addWidget(window)
        made = [window, *window.findChildren(QToolButton), *window.tables.cards.values()]
        assert {widget.font().pointSizeF() for widget in made} == {size}
        fits = []
        real_fit = window.diagram._fit
        window.diagram._fit = lambda: fits.append(1) or real_fit()
        fits_when_painted = []
        real_after_paint = window._after_first_paint
        window._after_first_paint = lambda: (fits_when_painted.append(len(fits)),
                                             real_after_paint())
        window.show()
        qtbot.waitUntil(lambda: bool(fits_when_painted))
        # Fitted for the size the view was given; never for a view that scroll bars shrank.
        assert fits_when_painted == [1]
        assert not window.diagram.horizontalScrollBar().isVisible()
        assert not window.diagram.verticalScrollBar().isVisible()
    finally:
        QApplication.setFont(old_font)


def test_a_first_start_is_laid_out_before_its_first_paint_and_keeps_that_layout(qtbot,
                                                                                  tmp_path):
    """No saved layout: the docks are sized, with the settings panel built, before the
    window is first painted; nothing moves after that paint."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QDockWidget
    from gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_lesson(resolve_lesson("excel_walkthrough")), settings)
    qtbot.addWidget(window)

    def layout():
        return {dock.objectName(): dock.geometry() for dock in window.findChildren(QDockWidget)
                if dock.isVisible()} | {"tables": window.tables.geometry()}

    at_paint = []
    real_after_paint = window._after_first_paint
    window._after_first_paint = lambda: (at_paint.append(layout()), real_after_paint())
    window.show()
    qtbot.waitUntil(lambda: bool(at_paint))
    QApplication.processEvents()
    assert window.settings_dock.built and "settingsDock" in at_paint[0]
    assert at_paint[0]["settingsDock"].width() >= window.settings_panel.minimumSizeHint().width()
    assert layout() == at_paint[0]


def test_a_card_keeps_its_size_when_its_step_reveals_it(qtbot, make_window):
    """A card's title has room for the widest of its tags ("(not computed yet)" before
    its step, "◀ just computed" at it), so revealing it moves no card after it (and
    Run's first frame, which reveals them all, lays nothing out again); its formula
    reads the same before and after, with no room kept for a second line."""
    window = make_window("excel_walkthrough")
    cards = window.tables.cards
    for card in cards.values():
        card.build()
    sizes = {name: card.size() for name, card in cards.items()}
    hidden = {name for name, card in cards.items() if "not computed yet" in card.title.text()}
    assert len(hidden) > 10
    formulas = {name: card.formula.text() for name, card in cards.items()}
    window.controller.step_epoch()   # every step of the iteration shown
    assert not any("not computed yet" in card.title.text() for card in cards.values())
    assert {name: card.size() for name, card in cards.items()} == sizes
    assert {name: card.formula.text() for name, card in cards.items()} == formulas
    for name in ("a2", "delta2"):
        # Short formulas on one line, no blank line kept under them.
        label = cards[name].formula
        assert label.height() == label.fontMetrics().height(), name


def test_a_formula_label_lays_its_text_out_once_for_each_width(qtbot, monkeypatch):
    """Settling its docks, the window asks a wrapped label the same few widths again
    and again; the formula panel's labels lay their text out once for each (the
    lesson's long note took 7 ms of the start), answer as a plain QLabel would, and
    measure again once their text or font has changed."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QLabel
    from gui.parts import WrappedLabel

    notes = load_lesson(resolve_lesson("excel_walkthrough")).notes
    label, plain = WrappedLabel(), QLabel()
    plain.setWordWrap(True)
    for each in (label, plain):
        qtbot.addWidget(each)
        each.setTextFormat(Qt.TextFormat.RichText)
        each.setText(f"<b>About this lesson</b><br>{notes}")
    laid_out = []
    real = QLabel.heightForWidth
    monkeypatch.setattr(QLabel, "heightForWidth",
                        lambda self, width: laid_out.append(width) or real(self, width))
    widths = [180, 260, 180, 400, 260, 180, 400]
    heights = [label.heightForWidth(width) for width in widths]
    assert laid_out == [180, 260, 400]
    assert heights == [real(plain, width) for width in widths]
    assert heights[0] > heights[1] > heights[3]      # narrower: more lines
    label.setText("<b>Short</b>")
    plain.setText("<b>Short</b>")
    short = label.heightForWidth(180)
    assert short == real(plain, 180) < heights[0]
    bigger = QFont(label.font())
    bigger.setPointSizeF(bigger.pointSizeF() * 2)
    label.setFont(bigger)
    plain.setFont(bigger)
    assert label.heightForWidth(180) == real(plain, 180) > short
    assert laid_out[3:] == [180, 180]   # once after each change


def test_the_formula_panels_labels_remember_their_heights(qtbot):
    from gui.formula_panel import FormulaPanel
    from gui.parts import WrappedLabel

    panel = FormulaPanel(lambda note: note)
    qtbot.addWidget(panel)
    for label in (panel.step_label, panel.note_label, panel.cell_label, panel.notes_label):
        assert isinstance(label, WrappedLabel) and label.wordWrap()

"""One lesson at a time (issue 20, problems 1–3).

Opening a lesson replaces everything the old one left on screen; the lesson
list and the window title always name the lesson open, in its current
shape; the settings dock is there at first start and never clipped.
"""
from __future__ import annotations

from html import escape

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from engine.lesson import builtin_lessons, load_lesson, parse_lesson, resolve_lesson
from gui.main_window import APPLICATION, MainWindow, titled_with_shape
from window_helpers import open_window

BUILT_IN = [(lesson_id, path) for lesson_id, _title, path in builtin_lessons()]


def diverged_plane():
    """"A plane" at a learning rate far above its stable bound: it diverges at epoch 78."""
    doc = load_lesson(resolve_lesson("plane")).to_json()
    doc["training"].update(learning_rate=50.0, epochs=100_000)
    lesson = parse_lesson(doc, "test")
    lesson.path = resolve_lesson("plane")
    return lesson


def leave_traces(window, qtbot) -> None:
    """Everything a diverged lesson can leave on screen: banner, warnings, a curve and its
    readout, a selected cell far down, scrolled tables, a race under way."""
    window.open_data_lesson(diverged_plane())
    window.run_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=20_000)
    assert window.controller.session.diverged is not None
    window.controller.select("X", window.controller.value("X").shape[0] - 1, 1)
    window.plot.plot.scene().sigMouseMoved.emit(
        window.plot.plot.mapToScene(window.plot.plot.rect().center()))
    for area in [window.tables] + [card.view for card in window.tables.cards.values()
                                   if card.built]:
        for bar in (area.horizontalScrollBar(), area.verticalScrollBar()):
            bar.setValue(bar.maximum())
    window.race_view.start()
    qtbot.waitUntil(lambda: bool(window.race_view.curves), timeout=10_000)
    assert window.banner.isVisible() and window.plot.warning_label.text()
    assert window.plot.readout.text() and window.plot.points > 0
    assert window.tables.verticalScrollBar().value() > 0


@pytest.fixture(scope="module")
def teaching_window(qapp, tmp_path_factory):
    """One window for every lesson, its teaching views built and shown."""
    settings_file = tmp_path_factory.mktemp("lessons") / "settings.ini"
    window = MainWindow(diverged_plane(), QSettings(str(settings_file),
                                                    QSettings.Format.IniFormat))
    window.confirm = lambda question: True
    window.resize(1500, 950)
    window.show()
    for dock in window.teaching_docks_a + window.teaching_docks_b:
        dock.show()
    yield window
    window.recovery.mark_saved()
    window.close()
    window.deleteLater()


@pytest.mark.parametrize("lesson_id, path", BUILT_IN, ids=[i for i, _ in BUILT_IN])
def test_a_lesson_opened_after_a_diverged_one_shows_nothing_of_it(teaching_window, qtbot,
                                                                  lesson_id, path):
    window = teaching_window
    leave_traces(window, qtbot)
    assert window.open_file(str(path))
    lesson = window.controller.lesson
    qtbot.wait(0)  # queued repaints
    # Warnings, the loss plot and its readout
    assert window.banner.isHidden() and window.banner.text() == ""
    assert window.plot.warning_label.text() == "" and window.plot.warning_label.isHidden()
    assert window.plot.warning_label.toolTip() == ""
    assert window.plot.points == 0 and window.plot.readout.text() == ""
    assert window.plot.marker.value() == 0
    assert window.timeline_label.text().strip() == "0 of 0"
    # Selection, in every table and the formula panel
    assert window.controller.selection is None
    for card in window.tables.cards.values():
        assert card.model.active is None and not card.model.precedents
    assert window.formula.cell_text == ""
    assert window.formula.notes_label.text() == (
        f"<b>About this lesson</b><br>{escape(lesson.notes)}" if lesson.notes else "")
    # Scrolled to the top-left: every row label whole
    for area in [window.tables] + [card.view for card in window.tables.cards.values()
                                   if card.built]:
        assert area.horizontalScrollBar().value() == 0, area
        assert area.verticalScrollBar().value() == 0, area
    # The title and the lesson list name it
    shape = "-".join(str(n) for n in lesson.architecture.layers)
    assert window.windowTitle() == f"{titled_with_shape(lesson.title, lesson.architecture.layers)}" \
                                   f" — {APPLICATION}" and shape in window.windowTitle()
    assert window.settings_panel.lesson_box.currentData() == str(path)
    assert window.settings_panel.layers.text() == ", ".join(map(str, lesson.architecture.layers))
    # Teaching views: the race is gone, the others follow the new network
    assert window.race_view.curves == [] and window.race_view.outcomes.text() == ""
    assert window.race_view.progress.format() == "not started"
    assert window.boundary_view.colour_by.count() == 1 + sum(lesson.architecture.layers[1:-1])
    assert window.controller.teaching.weight_addresses() is not None


# -- the lesson list and the title ----------------------------------------------------------------
def test_declining_to_discard_progress_keeps_the_list_on_the_open_lesson(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "xor_biases")
    window.epoch_action.trigger()
    panel = window.settings_panel
    xor = panel.lesson_box.currentIndex()
    digits = panel.lesson_box.findData(str(resolve_lesson("digits")))
    window.confirm = lambda question: False
    panel.lesson_box.setCurrentIndex(digits)      # what a click on "digits" does …
    panel.lesson_box.activated.emit(digits)       # … and then reports
    assert window.controller.lesson.architecture.layers == (2, 2, 1)
    assert window.controller.session.epochs_done == 1
    assert panel.lesson_box.currentIndex() == xor
    assert panel.lesson_box.currentData() == str(resolve_lesson("xor_biases"))


def test_a_lesson_made_from_data_is_not_named_as_a_built_in_one(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "spiral")
    panel = window.settings_panel
    assert panel.lesson_box.currentData() == str(resolve_lesson("spiral"))
    doc = load_lesson(resolve_lesson("xor_biases")).to_json()
    doc["title"] = "My imported table"
    made = parse_lesson(doc, "import")   # a lesson from data: no file behind it
    assert made.path is None
    assert window.open_data_lesson(made)
    assert panel.lesson_box.currentIndex() == -1
    assert "My imported table" in panel.lesson_box.placeholderText()
    assert "not a built-in lesson" in panel.lesson_box.placeholderText()
    # Picking a built-in lesson from the list still opens it.
    spiral = panel.lesson_box.findData(str(resolve_lesson("spiral")))
    panel.lesson_box.setCurrentIndex(spiral)
    panel.lesson_box.activated.emit(spiral)
    assert window.controller.lesson.path == resolve_lesson("spiral")
    assert panel.lesson_box.currentIndex() == spiral


def test_the_window_title_names_the_network_as_it_is_now(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "xor_biases")
    assert "(2-2-1)" in window.windowTitle()
    window.settings_panel.layers.setText("2, 4, 1")
    window.settings_panel.apply_button.click()
    assert window.controller.lesson.architecture.layers == (2, 4, 1)
    assert "(2-4-1)" in window.windowTitle() and "2-2-1" not in window.windowTitle()
    window.open_file(str(resolve_lesson("plane")))
    assert window.windowTitle() == f"A plane: regression with a linear output (2-1) — {APPLICATION}"


# -- the settings dock --------------------------------------------------------------------------
def first_start(qtbot, settings_file, size) -> MainWindow:
    """The window as a new user first sees it (no saved state) at ``size``."""
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    window = MainWindow(load_lesson(resolve_lesson("excel_walkthrough")), settings)
    window.confirm = lambda question: True
    qtbot.addWidget(window)
    window.resize(*size)
    with qtbot.waitSignal(window.firstPainted, timeout=10_000):
        window.show()
    return window


def inside(rect: QRect, area: QRect) -> bool:
    return area.contains(rect.topLeft()) and area.contains(rect.bottomRight())


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_settings_are_shown_at_first_start_and_never_clipped(qtbot, tmp_path, size):
    window = first_start(qtbot, tmp_path / "settings.ini", size)
    dock = window.settings_dock
    assert dock.isVisible() and not dock.visibleRegion().isEmpty()
    panel = window.settings_panel
    viewport = panel.viewport()
    visible = QRect(QPoint(0, 0), viewport.size())
    fields = [w for w in panel.widget().findChildren(QWidget)
              if isinstance(w, (QLineEdit, QComboBox)) or w is panel.apply_button]
    assert len(fields) >= 15
    for field in fields:
        # Never squeezed below what it needs …
        assert field.width() >= field.minimumSizeHint().width(), field
        # … and inside the dock side to side; scrolled to, top to bottom too.
        panel.ensureWidgetVisible(field, 0, 0)
        rect = QRect(field.mapTo(viewport, QPoint(0, 0)), field.size())
        assert inside(rect, visible), (field, rect, visible)
        docked = QRect(field.mapTo(dock, QPoint(0, 0)), field.size())
        assert inside(docked, dock.rect()), (field, docked, dock.rect())
    assert not panel.horizontalScrollBar().isVisible()
    # The tables keep their width: the default lesson never scrolls sideways.
    assert window.tables.horizontalScrollBar().maximum() == 0
    assert window.diagram_dock.width() >= window.diagram_dock.minimumSizeHint().width()


def test_a_settings_dock_closed_by_the_user_stays_closed(qtbot, tmp_path):
    window = first_start(qtbot, tmp_path / "settings.ini", (1280, 720))
    window.settings_dock.close()
    window.recovery.mark_saved()
    window.close()
    again = first_start(qtbot, tmp_path / "settings.ini", (1280, 720))
    assert not again.settings_dock.isVisible()

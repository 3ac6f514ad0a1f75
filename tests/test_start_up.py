"""A quick start: the window shows before the teaching views and the exporter exist.

The teaching views are built the first time their dock is seen (or asked
for), and then show what the session is at — as if they had been there from
the start. The export and dialog modules are imported after the first paint.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from window_helpers import open_window

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(lesson_id="excel_walkthrough"):
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
    """Before the window is painted, none of the slow optional modules is imported."""
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
        "    'gui.views.race_view', 'gui.views.landscape_view', 'gui.views.code_view'))))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYQTGRAPH_QT_LIB="PySide6")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

"""The lesson file type and how the app starts: ``.bptlesson`` opens and is what Save
writes; a file the system sends opens in the window or a new one; ``--help``,
``--version`` and a missing display answer in one line without Qt; Help ▸ About."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from engine.about import LICENCES, app_version
from engine.lesson import LESSON_SUFFIX, load_lesson, resolve_lesson
from gui.app import open_initial_lesson
from gui.display import XCB_CURSOR, display_problem
from gui.file_open import LessonOpener
from gui.main_window import LESSON_FILTER, MainWindow, ask_lesson_save_path

from window_helpers import open_window

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGH = resolve_lesson("excel_walkthrough")


def lesson_file(folder: Path, lesson_id: str, name: str) -> Path:
    """A built-in lesson copied under a name of the new file type."""
    path = folder / name
    path.write_bytes(resolve_lesson(lesson_id).read_bytes())
    return path


def python_main(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env=env if env is not None else os.environ)


# -- the file type -----------------------------------------------------------------------------
def test_a_bptlesson_file_opens_from_the_command_line_and_json_still_does(tmp_path):
    path = lesson_file(tmp_path, "xor_biases", "class.bptlesson")
    lesson, problem = open_initial_lesson([str(path)])
    assert problem == "" and lesson.title == load_lesson(resolve_lesson("xor_biases")).title
    lesson, problem = open_initial_lesson([str(WALKTHROUGH)])
    assert problem == "" and WALKTHROUGH.suffix == ".json"


def test_a_missing_bptlesson_is_named_as_a_file_not_taken_for_a_lesson_id(tmp_path):
    missing = tmp_path / "gone.bptlesson"
    assert resolve_lesson(str(missing)) == missing
    lesson, problem = open_initial_lesson([str(missing)])
    assert problem.startswith(f"{missing}: cannot open the lesson file")


def test_open_and_save_offer_the_lesson_type_first():
    assert LESSON_FILTER == "Lessons (*.bptlesson *.json)"


def test_save_adds_the_lesson_suffix_to_a_name_typed_without_one(qtbot, tmp_path):
    chosen = []

    def type_a_name() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog)
        assert dialog.nameFilters() == [LESSON_FILTER]
        dialog.selectFile(str(tmp_path / "week 3"))
        dialog.accept()

    QTimer.singleShot(0, type_a_name)
    chosen.append(ask_lesson_save_path(None, "Save session as lesson", str(tmp_path)))
    assert chosen == [str(tmp_path / f"week 3{LESSON_SUFFIX}")]


def test_a_saved_bptlesson_opens_again(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "xor_biases")
    target = tmp_path / f"saved{LESSON_SUFFIX}"
    assert window.save_to(str(target))
    assert load_lesson(target).title == window.controller.lesson.title


# -- files the system sends (macOS QFileOpenEvent) --------------------------------------------
@pytest.fixture
def opener(qtbot, tmp_path):
    first = open_window(qtbot, tmp_path, "excel_walkthrough")

    def make_window(lesson):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(lesson, settings)
        window.confirm = lambda question: True
        return window  # closed by the test or below: it deletes itself when closed

    opener = LessonOpener(first, make_window)
    yield opener
    for window in opener.windows[1:]:
        window.recovery.mark_saved()
        window.close()


def test_a_file_sent_to_an_untouched_window_opens_in_it(opener, tmp_path):
    first = opener.windows[0]
    path = lesson_file(tmp_path, "xor_biases", "sent.bptlesson")
    assert opener.open_path(str(path)) is first
    assert first.controller.lesson.title == load_lesson(path).title
    assert len(opener.windows) == 1


def test_a_file_sent_while_a_lesson_is_in_progress_opens_a_second_window(opener, qtbot,
                                                                           tmp_path):
    first = opener.windows[0]
    first.controller.step()
    assert first.controller.has_progress
    before = first.controller.lesson.title
    path = lesson_file(tmp_path, "xor_biases", "second.bptlesson")
    second = opener.open_path(str(path))
    assert second is not None and second is not first and second.isVisible()
    assert second.controller.lesson.title == load_lesson(path).title
    assert first.controller.lesson.title == before and first.controller.has_progress
    assert second.recovery.slot != first.recovery.slot  # each window its own recovery copy
    assert opener.windows == [first, second]
    second.close()
    qtbot.waitUntil(lambda: opener.windows == [first])


def test_a_bad_file_sent_while_busy_is_a_message_and_no_window(opener, tmp_path):
    first = opener.windows[0]
    first.controller.step()
    bad = tmp_path / "broken.bptlesson"
    bad.write_text("{", encoding="utf-8")
    assert opener.open_path(str(bad)) is None
    assert opener.windows == [first]
    assert first.last_message.startswith("broken.bptlesson: not valid JSON")


def test_the_application_passes_on_the_files_the_system_sends(tmp_path):
    """QFileOpenEvent, as macOS sends it, reaches LessonApplication.fileOpenRequested
    (its own process: a test run has one QApplication, made before this test)."""
    program = ("import sys\n"
               "from gui.file_open import LessonApplication\n"
               "from PySide6.QtGui import QFileOpenEvent\n"
               "app = LessonApplication(['t'])\n"
               "app.fileOpenRequested.connect(lambda path: print('asked', path))\n"
               "print(app.sendEvent(app, QFileOpenEvent(sys.argv[1])))\n")
    path = tmp_path / "from the finder.bptlesson"
    done = subprocess.run([sys.executable, "-c", program, str(path)], cwd=ROOT, timeout=120,
                          capture_output=True, text=True,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"asked {path}", "True"]


# -- the command line before the window --------------------------------------------------------
def test_help_prints_the_usage_and_exits_0_without_loading_qt():
    program = ("import sys, main\n"
               "status = main.main(['--help'])\n"
               "print('status', status, 'qt loaded', 'PySide6' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert lines[0] == "usage:"
    assert any(line.split()[:3] == ["python", "main.py", "lessons"] for line in lines)
    assert any(line.split()[:4] == ["python", "main.py", "run", "LESSON"] for line in lines)
    assert lines[-1] == "status 0 qt loaded False"
    assert done.stderr == ""


def test_version_prints_pyprojects_version():
    done = python_main("--version")
    assert done.returncode == 0 and done.stderr == ""
    version = app_version()
    assert done.stdout == f"Backprop Tracer {version}\n"
    assert f'version = "{version}"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_no_display_is_one_line_and_exit_2_without_qts_abort():
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = python_main(env=env)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("cannot open the window: there is no display to open it on "
                           "(DISPLAY is unset)")
    assert "qt.qpa" not in done.stderr and "Traceback" not in done.stderr


def test_a_display_that_refuses_is_one_line_and_exit_2():
    env = {key: value for key, value in os.environ.items() if key != "WAYLAND_DISPLAY"}
    env.update(DISPLAY=":97531", QT_QPA_PLATFORM="xcb")
    done = python_main(env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "cannot open the window: the X display ':97531' (DISPLAY) does not accept a "
        "connection; start Backprop Tracer from a desktop session, or over SSH with ssh -X"]


def test_a_missing_libxcb_cursor_says_how_to_install_it_on_debian_and_fedora():
    problem = display_problem({"DISPLAY": ":0"}, "linux", loads=lambda name: name != XCB_CURSOR,
                              opens=lambda display: True)
    assert problem == ("cannot open the window: Qt's X11 plugin needs libxcb-cursor.so.0, which "
                       "is not installed; install it with sudo apt install libxcb-cursor0 "
                       "(Debian, Ubuntu) or sudo dnf install xcb-util-cursor (Fedora)")


@pytest.mark.parametrize("environ, system, wayland, asks", [
    ({"DISPLAY": ":0"}, "linux", True, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, "linux", True, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb"}, "linux", True, True),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False, True),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", True, False),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True, False),
    ({"QT_QPA_PLATFORM": "wayland"}, "linux", True, False),
    ({}, "win32", True, False),
    ({}, "darwin", True, False),
])
def test_libxcb_cursor_is_asked_for_only_where_qt_uses_x11(environ, system, wayland, asks):
    problem = display_problem(environ, system, loads=lambda name: False,
                              opens=lambda display: True, has_wayland=wayland)
    assert (problem is not None and XCB_CURSOR in problem) == asks, problem


def test_the_window_opens_where_the_display_and_library_are_there():
    assert display_problem({"DISPLAY": ":0"}, "linux", loads=lambda name: True,
                           opens=lambda display: True) is None


# -- Help ▸ About --------------------------------------------------------------------------------
def test_about_names_the_version_the_licences_and_where_lessons_live(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    window.about_action.trigger()
    text = window.last_message
    assert f"Backprop Tracer {app_version()}" in text
    for name, licence, _ in LICENCES:
        assert name.split(" (")[0] in text and licence.split(" (")[0] in text
    assert "GNU LGPL v3" in text and "CC BY 4.0" in text
    assert str(resolve_lesson("xor_biases").parent) in text and "*.bptlesson" in text

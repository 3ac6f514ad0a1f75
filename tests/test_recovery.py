"""Never lose work: crash report, recovery file, restore offer, atomic save, close question.

Every window here is given an ini settings file in tmp_path, so its data
folder (recovery file, crash log) is tmp_path too: the user's own data
directory is never touched.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from engine import files
from engine.lesson import load_lesson, resolve_lesson
from gui import recovery
from gui.main_window import MainWindow

QStandardPaths.setTestModeEnabled(True)


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(lesson=None, interval_ms=None):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(lesson or load_lesson(resolve_lesson("excel_walkthrough")), settings)
        window.confirm = lambda question: True
        if interval_ms is not None:
            window.recovery.timer.setInterval(interval_ms)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window
    return make


def test_the_data_folder_follows_an_explicit_settings_file(make_window, tmp_path):
    window = make_window()
    assert window.recovery.folder == tmp_path
    assert window.recovery.timer.interval() == recovery.AUTOSAVE_MS == 30_000


def test_recovery_file_is_written_only_while_there_are_unsaved_changes(make_window, qtbot,
                                                                       tmp_path):
    window = make_window(interval_ms=50)
    keeper = window.recovery
    assert not keeper.unsaved
    window.step_action.trigger()
    window.step_action.trigger()
    assert keeper.unsaved
    qtbot.waitUntil(lambda: keeper.path.exists(), timeout=5000)
    restored = load_lesson(keeper.path)
    assert restored.session is not None and restored.session.step == window.controller.session.position.step_name
    window.back_action.trigger()
    window.back_action.trigger()  # back at the start: nothing unsaved, nothing to recover
    qtbot.waitUntil(lambda: not keeper.path.exists(), timeout=5000)
    assert not keeper.unsaved


def test_save_marks_the_session_saved_and_removes_the_recovery_file(make_window, tmp_path):
    window = make_window()
    window.epoch_action.trigger()
    assert window.recovery.autosave() and window.recovery.path.exists()
    assert window.save_to(str(tmp_path / "mine.json"))
    assert not window.recovery.unsaved and not window.recovery.path.exists()


def test_after_a_crash_the_next_start_offers_the_session_bit_for_bit(make_window, tmp_path):
    first = make_window()
    for _ in range(3):
        first.epoch_action.trigger()
    for _ in range(5):
        first.step_action.trigger()
    first.recovery.autosave()
    expected = {n: first.controller.value(n) for n in ("W1", "b2", "z1", "a1")}
    position = first.controller.session.position
    # A crash: the process ends without closeEvent, so the file stays.
    assert (tmp_path / recovery.RECOVERY_FILE).exists()
    first.recovery.release()     # the ended process no longer holds its slot
    second = make_window()
    asked = []
    second.confirm = lambda question: asked.append(question) or True
    assert recovery.offer_recovery(second, tmp_path)
    assert "did not close normally" in asked[0]
    assert second.controller.session.position == position
    for name, value in expected.items():
        np.testing.assert_array_equal(second.controller.value(name), value)
    assert second.recovery.unsaved  # restored work is not saved anywhere yet


def test_a_declined_or_unreadable_recovery_is_kept_aside(make_window, tmp_path):
    (tmp_path / recovery.RECOVERY_FILE).write_text("{ truncated", encoding="utf-8")
    window = make_window()
    assert not recovery.offer_recovery(window, tmp_path)
    assert "recovery.json" in window.last_message and "not valid JSON" in window.last_message
    assert (tmp_path / recovery.DECLINED_FILE).read_text() == "{ truncated"
    session = window.controller.session
    window.epoch_action.trigger()
    window.recovery.autosave()
    window.confirm = lambda question: False
    assert not recovery.offer_recovery(window, tmp_path)
    assert window.controller.session is session
    declined = load_lesson(tmp_path / "recovery-declined-2.json").session
    assert declined.step == window.controller.session.position.step_name == "new_b1"
    assert (tmp_path / recovery.DECLINED_FILE).read_text() == "{ truncated"   # both kept


def test_a_recovery_file_with_a_number_too_large_for_a_float_is_kept_aside(make_window,
                                                                            tmp_path):
    """Issue 21, family 1: refused with a message and kept, not a traceback and deleted."""
    document = json.loads(resolve_lesson("excel_walkthrough").read_text(encoding="utf-8"))
    document["training"]["learning_rate"] = "@number@"
    text = json.dumps(document).replace('"@number@"', "1" + "0" * 400)
    (tmp_path / recovery.RECOVERY_FILE).write_text(text, encoding="utf-8")
    window = make_window()
    session = window.controller.session
    assert not recovery.offer_recovery(window, tmp_path)
    assert "training.learning_rate: expected a finite number" in window.last_message
    assert (tmp_path / recovery.DECLINED_FILE).read_text(encoding="utf-8") == text
    assert window.controller.session is session


def test_unexpected_exception_shows_copy_details_logs_and_saves(make_window, qtbot,
                                                              tmp_path, monkeypatch):
    window = make_window()
    window.epoch_action.trigger()
    app = QApplication.instance()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    recovery.install_exception_hook(app, tmp_path)

    def broken():
        raise ZeroDivisionError("an injected fault")
    monkeypatch.setattr(window.controller, "step", broken)
    monkeypatch.setattr(recovery, "last_error_box", None)
    window.step_action.trigger()  # PySide6 hands the exception from the slot to the hook
    qtbot.waitUntil(lambda: recovery.last_error_box is not None, timeout=5000)
    box = recovery.last_error_box
    assert "an injected fault" in box.text() and "The window stays open" in box.text()
    assert "Traceback" in box.detailedText()
    log = (tmp_path / recovery.CRASH_LOG).read_text()
    assert "ZeroDivisionError: an injected fault" in log
    assert str(tmp_path / recovery.CRASH_LOG) in box.text()
    assert (tmp_path / recovery.RECOVERY_FILE).exists()  # work saved at once
    copy = next(b for b in box.buttons() if b.text() == "Copy details")
    copy.click()
    assert "ZeroDivisionError" in QGuiApplication.clipboard().text()
    assert box.isVisible()  # copying keeps the message open
    box.done(0)
    monkeypatch.undo()
    window.step_action.trigger()  # still usable
    assert window.controller.session.position.step == 1


def test_closing_with_unsaved_changes_asks_first(make_window, qtbot):
    window = make_window()
    window.close()  # nothing unsaved: closes at once
    assert not window.isVisible()
    window = make_window()
    window.epoch_action.trigger()
    window.close()
    assert window.isVisible() and window.close_question is not None
    window.close_question.done(QMessageBox.StandardButton.Cancel)
    assert window.isVisible() and window.recovery.unsaved
    window.close()
    window.close_question.done(QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_close_question_save_writes_the_file_then_closes(make_window, qtbot, tmp_path):
    window = make_window()
    window.epoch_action.trigger()
    target = tmp_path / "kept.json"
    window.save_dialog = lambda: window.save_to(str(target))
    window.close()
    window.close_question.done(QMessageBox.StandardButton.Save)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert load_lesson(target).title.startswith("The Excel walk-through")


@pytest.mark.parametrize("fault_at", ["write", "flush", "fsync", "rename"])
def test_a_failure_midway_through_saving_leaves_the_old_file_intact(make_window, tmp_path,
                                                                    monkeypatch, fault_at):
    window = make_window()
    target = tmp_path / "lesson.json"
    assert window.save_to(str(target))
    before = target.read_bytes()
    window.epoch_action.trigger()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")
    if fault_at == "rename":
        monkeypatch.setattr(files.os, "replace", fail)
    elif fault_at == "fsync":
        monkeypatch.setattr(files.os, "fsync", fail)
    else:
        real_open = open

        class Failing:
            def __init__(self, *args, **kwargs):
                self.handle = real_open(*args, **kwargs)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def fileno(self):
                return self.handle.fileno()

            def write(self, text):
                if fault_at == "write":
                    self.handle.write(text[: len(text) // 2])
                    fail()
                return self.handle.write(text)

            def flush(self):
                if fault_at == "flush":
                    fail()
                self.handle.flush()
        monkeypatch.setattr(files, "open", Failing, raising=False)
    assert not window.save_to(str(target))
    assert "No space left" in window.last_message
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    assert window.recovery.unsaved  # the failed save did not count as saved


def test_atomic_write_is_write_flush_fsync_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(files.os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(files.os, "replace",
                        lambda a, b: calls.append("rename") or real_replace(a, b))
    files.write_json({"a": 1}, tmp_path / "x.json")
    assert calls == ["fsync", "rename"]
    assert json.loads((tmp_path / "x.json").read_text()) == {"a": 1}


def test_autosave_encodes_nothing_while_nothing_changes(make_window, monkeypatch):
    """An idle window with a long unsaved history must not re-encode it every 30 s."""
    window = make_window()
    window.controller.step()
    assert window.recovery.autosave()
    encoded = []
    original = window.recovery._text
    monkeypatch.setattr(window.recovery, "_text", lambda: encoded.append(1) or original())
    assert not window.recovery.autosave()
    assert encoded == []
    window.controller.step()
    assert window.recovery.autosave()
    assert encoded == [1]


def test_a_lesson_on_a_csv_is_recovered_and_saved_elsewhere_with_its_data(make_window, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "xor.csv").write_text("x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", encoding="utf-8")
    doc = load_lesson(resolve_lesson("xor_biases")).to_json()
    doc["data"] = {"csv": "xor.csv", "target": "label"}       # relative to the lesson file
    (course / "xor.json").write_text(json.dumps(doc), encoding="utf-8")
    first = make_window(load_lesson(course / "xor.json"))
    first.step_action.trigger()
    first.recovery.autosave()          # the recovery file lives in the data folder, tmp_path
    first.recovery.release()           # as if its process had ended
    second = make_window()
    assert recovery.offer_recovery(second, tmp_path)
    np.testing.assert_array_equal(second.controller.session.lesson.X,
                                  first.controller.session.lesson.X)
    handout = tmp_path / "handout" / "xor.json"
    handout.parent.mkdir()
    assert second.save_to(str(handout))
    saved = json.loads(handout.read_text(encoding="utf-8"))
    assert saved["data"]["csv"] == "../course/xor.csv"
    np.testing.assert_array_equal(load_lesson(handout).y, [[0], [1], [1], [0]])


def test_windows_open_at_once_keep_their_own_recovery_files(make_window, tmp_path):
    first, second = make_window(), make_window()
    assert (first.recovery.slot, second.recovery.slot) == (1, 2)
    for window in (first, second):
        window.epoch_action.trigger()
        assert window.recovery.autosave()
    assert first.recovery.path == tmp_path / recovery.RECOVERY_FILE
    assert second.recovery.path == tmp_path / "recovery-2.json"
    assert load_lesson(first.recovery.path).session.step == "new_b1"
    # A third window starting now is not offered the files of running windows.
    third = make_window()
    assert third.recovery.slot == 3
    assert not recovery.offer_recovery(third, tmp_path)
    assert first.recovery.path.exists() and second.recovery.path.exists()
    # A clean close removes only its own file and frees its slot for the next window.
    first.recovery.mark_saved()
    first.close()
    assert not first.recovery.path.exists() and second.recovery.path.exists()
    assert make_window().recovery.slot == 1


def test_the_file_of_a_window_that_crashed_is_offered_while_others_run(make_window, tmp_path):
    running, crashed = make_window(), make_window()
    for _ in range(2):
        crashed.epoch_action.trigger()
    crashed.recovery.autosave()
    running.epoch_action.trigger()
    running.recovery.autosave()
    crashed.recovery.release()            # its process ended without closing
    expected = crashed.controller.value("W1")
    starting = make_window()
    assert starting.recovery.slot == 2    # the crashed window's slot, now free
    assert recovery.offer_recovery(starting, tmp_path)
    np.testing.assert_array_equal(starting.controller.value("W1"), expected)
    assert running.recovery.path.exists()  # the running window's work is untouched
    assert load_lesson(running.recovery.path).session.state.epoch == 0  # its one epoch


def test_a_slot_held_by_a_process_that_ended_is_taken_over(tmp_path):
    holder = (
        "import os, sys\n"
        "from gui.recovery import _claim_slot\n"
        "from pathlib import Path\n"
        "slot, lock = _claim_slot(Path(sys.argv[1]))\n"
        "print(slot, flush=True)\n"
        "os._exit(0)  # ends without unlocking, as a crash does\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    import subprocess
    result = subprocess.run([sys.executable, "-c", holder, str(tmp_path)], cwd=root,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "1"
    assert (tmp_path / "recovery-1.lock").exists()       # left behind by the ended process
    slot, lock = recovery._claim_slot(tmp_path)
    assert slot == 1 and lock is not None
    lock.unlock()

"""The bad-input catalogue, part 3: work that must survive a diverged run, a big paste, a crash.

Issue 21, families 5, 7 and 10:
- a diverged session (weights inf or NaN) saves and recovers: the file keeps
  the last sound epoch and reopens there, and the window says so;
- a paste is one edit: one recompute, one repaint, one Undo step, and Undo
  puts back every bit;
- while Run trains, a recovery copy is still written at the autosave
  interval (copied on the GUI thread, written on the pool), so a kill -9
  loses at most that interval — checked on a real process.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

import engine.session
from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.session import Session
from engine import session_file
from gui import recovery

ROOT = Path(__file__).resolve().parents[2]


def diverging_doc(momentum=0.0, batch_size=None) -> dict:
    """The issue's case: xor, linear, sse, learning rate 1e300 — NaN weights within epochs."""
    return {"format": "backprop-tracer.lesson", "version": 1, "title": "diverging xor",
            "data": {"dataset": "xor"},
            "network": {"layers": [2, 2, 1], "activation": "linear", "seed": 0},
            "training": {"loss": "sse", "learning_rate": 1e300, "momentum": momentum,
                         "batch_size": batch_size, "epochs": 50}}


def all_finite(session: Session) -> bool:
    state = session.state
    return bool(np.isfinite(state.params.flat).all()
                and (state.velocity is None or np.isfinite(state.velocity.flat).all()))


# -- family 5: a diverged session saves and recovers ----------------------------------

@pytest.mark.parametrize("momentum,batch_size", [(0.0, None), (0.5, None), (0.0, 3)],
                         ids=["full batch", "momentum", "mini-batch"])
def test_a_diverged_session_saves_its_last_sound_epoch_and_reopens_there(tmp_path, momentum,
                                                                         batch_size):
    session = Session(parse_lesson(diverging_doc(momentum, batch_size), "d.json"))
    session.run(50)
    assert session.diverged is not None and not all_finite(session)
    document = session_file.session_document(session, tmp_path / "saved.json")
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(document, allow_nan=False), encoding="utf-8")
    reopened = Session(load_lesson(path))
    kept = document["session"]["epoch"]
    assert kept == session.diverged.epoch - 1
    assert reopened.position.step == 0 and reopened.epochs_done == kept
    assert all_finite(reopened)
    # Exactly the state a fresh run has after the kept epochs, every bit.
    fresh = Session(parse_lesson(diverging_doc(momentum, batch_size), "d.json"))
    fresh.run(kept)
    assert reopened.params.flat.tobytes() == fresh.params.flat.tobytes()
    np.testing.assert_array_equal(reopened.loss_history, fresh.loss_history)
    note = session_file.diverged_save_note(session)
    assert f"diverged at epoch {session.diverged.epoch}" in note
    assert f"after epoch {kept}, the last with finite numbers" in note


def test_a_sound_session_saves_what_is_shown_and_says_nothing():
    session = Session(parse_lesson(diverging_doc(), "d.json"))
    session.step()
    assert session_file.diverged_save_note(session) is None
    assert session_file.session_document(session)["session"]["step"] == session.position.step_name


@pytest.fixture
def make_window(qtbot, tmp_path):
    from gui.main_window import MainWindow

    def make(lesson=None):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(lesson or load_lesson(resolve_lesson("excel_walkthrough")), settings)
        window.confirm = lambda question: True
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window
    return make


def run_until_diverged(window, qtbot, tmp_path):
    path = tmp_path / "diverging.json"
    path.write_text(json.dumps(diverging_doc()), encoding="utf-8")
    assert window.open_file(str(path))
    window.controller.set_speed(0)
    window.run_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=10_000)
    assert window.controller.session.diverged is not None


def test_save_in_the_window_after_divergence_writes_a_loadable_file_and_says_so(
        make_window, qtbot, tmp_path):
    window = make_window()
    run_until_diverged(window, qtbot, tmp_path)
    target = tmp_path / "after.json"
    assert window.save_to(str(target))
    assert "Saved before the divergence" == window._message_box.windowTitle()
    assert "the last with finite numbers" in window.last_message
    lesson = load_lesson(target)
    assert np.isfinite(np.concatenate([w.ravel() for w in lesson.weights])).all()
    assert not window.recovery.unsaved


def test_a_diverged_session_is_recovered_after_a_crash(make_window, qtbot, tmp_path):
    first = make_window()
    run_until_diverged(first, qtbot, tmp_path)
    first.step_action.trigger()  # a step past the divergence: NaN shown, still recoverable
    assert first.recovery.autosave() and first.recovery.path.exists()
    kept = load_lesson(first.recovery.path).session.state.epoch
    assert kept == first.controller.session.history.divergence.epoch - 1
    first.recovery.release()  # the crashed process no longer holds its slot
    second = make_window()
    assert recovery.offer_recovery(second, tmp_path)
    assert second.controller.epochs_done == kept
    assert all_finite(second.controller.session)


# -- family 7: a paste is one edit ---------------------------------------------------

def all_digits():
    """The digits lesson with every one of its 1797 images in X (none held out)."""
    path = resolve_lesson("digits")
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    doc["data"]["test_fraction"] = 0
    return parse_lesson(doc, str(path))


@pytest.fixture
def recomputes(monkeypatch):
    """How many times the engine recomputed the iteration shown (record_iteration calls)."""
    calls = []
    original = engine.session.record_iteration
    monkeypatch.setattr(engine.session, "record_iteration",
                        lambda *args: calls.append(1) or original(*args))
    return calls


def test_a_block_edit_is_one_recompute_and_equals_the_cells_edited_one_by_one(recomputes):
    lesson = resolve_lesson("excel_walkthrough")
    by_block, by_cell = Session(load_lesson(lesson)), Session(load_lesson(lesson))
    for session in (by_block, by_cell):
        for _ in range(3):
            session.step()
    block = np.array([[0.5, -0.25], [1e-3, 2.0]])
    del recomputes[:]
    by_block.set_block("W1", 1, 0, block)
    by_block.set_block("X", 0, 1, block)
    assert len(recomputes) == 2
    for r in range(2):
        for c in range(2):
            by_cell.set_value("W1", 1 + r, c, block[r, c])
            by_cell.set_value("X", r, 1 + c, block[r, c])
    for name in by_block.record.values:
        np.testing.assert_array_equal(by_block.value(name), by_cell.value(name))


@pytest.mark.parametrize("row,column,block,expected", [
    (3, 0, np.ones((2, 2)), "W1 has shape (4, 3); a 2×2 block does not fit from cell [3,0]"),
    (0, 0, np.array([[1.0, np.nan]]), "W1[0,1]: expected a finite number"),
    (0, 0, np.empty((0, 0)), "W1: expected a block of rows of numbers"),
], ids=["does not fit", "NaN inside", "empty"])
def test_a_bad_block_is_refused_whole(row, column, block, expected):
    session = Session(load_lesson(resolve_lesson("excel_walkthrough")))
    session.step()
    before = session.params.flat.copy()
    with pytest.raises(engine.session.LessonError) as refused:
        session.set_block("W1", row, column, block)
    assert expected in str(refused.value)
    assert session.params.flat.tobytes() == before.tobytes()


def test_a_1797_by_64_paste_is_one_engine_call(recomputes):
    session = Session(all_digits())
    session.step()
    assert session.value("X").shape == (1797, 64)
    block = np.random.default_rng(0).uniform(0, 1, (1797, 64))
    del recomputes[:]
    start = time.perf_counter()
    session.set_block("X", 0, 0, block)
    took = time.perf_counter() - start
    assert len(recomputes) == 1
    np.testing.assert_array_equal(session.value("X"), block)
    print(f"\n1797×64 block edit in the engine: {took * 1000:.0f} ms")


def test_a_paste_in_the_window_is_one_recompute_one_repaint_one_undo_step(make_window,
                                                                         recomputes):
    window = make_window()
    for _ in range(4):
        window.step_action.trigger()
    controller = window.controller
    before = {name: np.array(value) for name, value in controller.snapshot().items()
              if value is not None}
    repaints = []
    controller.valuesChanged.connect(lambda values: repaints.append(1))
    controller.select("X", 0, 0)
    QGuiApplication.clipboard().setText("0.5\t-0.25\n1e-3\t2\n7\t-0\n")
    del recomputes[:]
    assert window.paste_into_table()
    assert len(recomputes) == 1 and len(repaints) == 1
    assert window.undo_stack.count() == 1
    np.testing.assert_array_equal(controller.value("X")[:3, :2],
                                  [[0.5, -0.25], [1e-3, 2], [7, -0.0]])
    window.undo_action.trigger()
    assert len(recomputes) == 2 and len(repaints) == 2
    after = controller.snapshot()
    for name, value in before.items():
        assert after[name].tobytes() == value.tobytes(), name
    window.redo_action.trigger()
    assert controller.value("X")[2, 1] == 0 and np.signbit(controller.value("X")[2, 1])


def test_a_1797_by_64_paste_in_the_window_is_one_edit(make_window, recomputes):
    window = make_window(all_digits())
    window.step_action.trigger()
    controller = window.controller
    repaints = []
    controller.valuesChanged.connect(lambda values: repaints.append(1))
    controller.select("X", 0, 0)
    block = np.random.default_rng(1).uniform(0, 1, (1797, 64)).round(4)
    QGuiApplication.clipboard().setText("\n".join("\t".join(repr(v) for v in row)
                                                  for row in block.tolist()))
    del recomputes[:]
    start = time.perf_counter()
    assert window.paste_into_table()
    took = time.perf_counter() - start
    assert len(recomputes) == 1 and len(repaints) == 1 and window.undo_stack.count() == 1
    np.testing.assert_array_equal(controller.value("X"), block)
    print(f"\n1797×64 paste in the window: {took * 1000:.0f} ms")


# -- family 10: a recovery copy while Run trains ---------------------------------------

def test_the_autosave_interval_is_injectable(monkeypatch):
    monkeypatch.setenv(recovery.AUTOSAVE_ENV, "200")
    assert recovery.autosave_interval() == 200
    for bad in ("0", "-5", "abc", "1e3", str(10 ** 9)):
        monkeypatch.setenv(recovery.AUTOSAVE_ENV, bad)
        assert recovery.autosave_interval() == recovery.AUTOSAVE_MS


@pytest.mark.parametrize("length", [3, 2_501], ids=["short", "in chunks"])
def test_a_long_history_encodes_piece_by_piece_to_the_same_text(length):
    losses = np.linspace(0, 1, length)
    losses[1] = np.inf
    as_list = [None if not np.isfinite(v) else v for v in losses.tolist()]
    document = {"title": "\x00loss_history\x00",
                "session": {"epoch": length, "loss_history": as_list}, "presentation": "error"}
    expected = json.dumps(document, allow_nan=False, ensure_ascii=False)
    assert recovery.document_text(document) == expected
    as_array = dict(document, session={"epoch": length, "loss_history": losses})
    assert "".join(recovery.document_pieces(as_array)) == expected


def test_while_running_a_copy_is_written_on_the_pool(make_window, qtbot):
    window = make_window(load_lesson(resolve_lesson("xor_biases")))
    window.step_action.trigger()
    window.controller.set_speed(50)
    window.run_action.trigger()
    qtbot.waitUntil(lambda: window.controller.epochs_done >= 3, timeout=10_000)
    assert window.controller.running
    assert window.recovery.autosave()
    qtbot.waitUntil(lambda: window.recovery.path.exists(), timeout=10_000)
    saved = load_lesson(window.recovery.path).session
    assert saved.state.epoch >= 1
    window.controller.pause()


DRIVER = """
import sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from engine.lesson import load_lesson, resolve_lesson
from gui.main_window import MainWindow
app = QApplication([])
folder = sys.argv[1]
window = MainWindow(load_lesson(resolve_lesson("xor_biases")),
                    QSettings(folder + "/settings.ini", QSettings.Format.IniFormat))
window.show()
window.step_action.trigger()
window.step_action.trigger()
window.controller.set_speed(10)
window.run_action.trigger()
print("running", flush=True)
app.exec()
"""


def test_kill_9_while_running_loses_at_most_one_autosave_interval(tmp_path):
    """Issue 21 family 10: Step twice, Run at 10 epochs/s, kill -9 — a copy was kept."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{recovery.AUTOSAVE_ENV: "300"})
    process = subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    path = tmp_path / recovery.RECOVERY_FILE
    try:
        assert process.stdout.readline().strip() == "running"
        deadline = time.monotonic() + 60
        # Wait for a copy written after at least one epoch of Run.
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if json.loads(path.read_text(encoding="utf-8"))["session"]["epoch"] >= 1:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.05)  # polling the file system: nothing in this process to wait on
        assert process.poll() is None, process.stderr.read()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    lesson = load_lesson(path)
    assert lesson.session is not None and lesson.session.state.epoch >= 1
    assert len(lesson.session.loss_history) == lesson.session.state.epoch
    reopened = Session(lesson)  # at the iteration the copy was taken in, its steps shown
    assert reopened.epochs_done - lesson.session.state.epoch in (0, 1)
    np.testing.assert_array_equal(reopened.loss_history[:lesson.session.state.epoch],
                                  lesson.session.loss_history)

"""The bad-input catalogue, part 2: what a learner types or pastes in the window.

Typed settings (the settings dock), edited cells and pasted blocks. Each is
refused in the window with a message naming the field or the cell and what
would be accepted; the session (position, weights, data, undo stack) is
exactly as it was, and what the learner typed is kept in the field.
"""
from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

from engine.lesson import load_lesson, resolve_lesson
from gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_lesson(resolve_lesson("excel_walkthrough")), settings)
    window.confirm = lambda question: True
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.step_action.trigger()  # something to lose: a position and a revealed step
    return window


def state_of(window):
    session = window.controller.session
    return (session.position, session.params.flat.copy(), session.trainer.X.copy(),
            session.trainer.y.copy(), window.undo_stack.count(), session)


def assert_unchanged(window, before):
    position, params, X, y, undo, session = before
    now = window.controller.session
    assert now is session and now.position == position
    np.testing.assert_array_equal(now.params.flat, params)
    np.testing.assert_array_equal(now.trainer.X, X)
    np.testing.assert_array_equal(now.trainer.y, y)
    assert window.undo_stack.count() == undo


# (id, field, typed text, what the message must contain)
SETTINGS = [
    ("layers with a word", "layers", "4, x, 1", "network.layers[1]: expected a whole number"),
    ("layers empty", "layers", "", "network.layers: needs at least"),
    ("one layer only", "layers", "4", "network.layers: needs at least"),
    ("layer of 1e400", "layers", "4, 1e400, 1", "network.layers[1]: expected a whole number"),
    ("layer of 100000", "layers", "4, 100000, 1", "network.layers[1]: 100000 is out of range"),
    ("layers not matching the data", "layers", "3, 3, 1", "data.X row 1: expected 3 numbers"),
    ("20 layers", "layers", ", ".join(["4"] + ["2"] * 19 + ["1"]), "more than the limit of 16"),
    ("learning rate -0", "learning_rate", "-0", "training.learning_rate: 0 is out of range"),
    ("learning rate empty", "learning_rate", "", "training.learning_rate: expected a number"),
    ("learning rate inf", "learning_rate", "inf", "training.learning_rate: expected a finite"),
    ("seed 1.5", "seed", "1.5", "network.seed: expected a whole number"),
    ("seed too large", "seed", "9" * 30, "network.seed"),
    ("epochs 0", "epochs", "0", "training.epochs: 0 is out of range"),
    ("epochs 1e9", "epochs", "1e9", "training.epochs: 1000000000 is out of range"),
    ("batch size text", "batch_size", "half", "training.batch_size: expected a whole number"),
    ("batch size -3", "batch_size", "-3", "training.batch_size: -3 is out of range"),
    ("momentum 1", "momentum", "1", "training.momentum: 1 is out of range"),
    ("l2 negative", "l2", "-0.5", "training.l2: -0.5 is out of range"),
    ("tolerance 0", "tolerance", "0", "training.tolerance: 0 is out of range"),
    ("tolerance nan", "tolerance", "nan", "training.tolerance: expected a finite number"),
    # whole numbers too large for a float (issue 21, family 1)
    ("learning rate 1 and 400 zeros", "learning_rate", "1" + "0" * 400,
     "training.learning_rate: expected a finite number"),
    ("learning rate of 5001 digits", "learning_rate", "9" * 5001,
     "training.learning_rate: expected a finite number"),
    ("l2 of 401 digits", "l2", "1" + "0" * 400, "training.l2: expected a finite number"),
    ("momentum of 5001 digits", "momentum", "9" * 5001,
     "training.momentum: expected a finite number"),
    ("tolerance of 401 digits", "tolerance", "1" + "0" * 400,
     "training.tolerance: expected a finite number"),
    ("seed of 401 digits", "seed", "1" + "0" * 400,
     "network.seed: 100000000000… (401 digits) is out of range"),
    ("seed of 5001 digits", "seed", "9" * 5001, "network.seed: expected a whole number"),
    ("epochs of 5001 digits", "epochs", "-" + "9" * 5001, "training.epochs: expected a whole number"),
]


@pytest.mark.parametrize("field,text,expected", [c[1:] for c in SETTINGS],
                         ids=[c[0] for c in SETTINGS])
def test_bad_setting_is_refused_in_the_dock(window, field, text, expected):
    before = state_of(window)
    panel = window.settings_panel
    widget = getattr(panel, field)
    widget.setText(text)
    panel._rebuild_activations()  # as typing in the layers field does
    panel.apply_button.click()
    message = panel.error_text
    assert message.startswith("settings: ") and expected in message, message
    assert widget.text() == text
    assert_unchanged(window, before)


# (id, matrix, row, column, typed text, what the status message must contain)
CELLS = [
    ("text in a weight", "W1", 0, 0, "abc", "W1[0,0]: expected a finite number, got 'abc'"),
    ("1e400 in a weight", "W1", 1, 1, "1e400", "expected a finite number, got inf"),
    ("-1e400 in X", "X", 0, 1, "-1e400", "expected a finite number, got -inf"),
    ("nan in y", "y", 0, 0, "nan", "expected a finite number, got nan"),
    ("empty cell", "b1", 0, 0, "", "expected a finite number, got ''"),
    ("decimal comma", "W2", 0, 0, "0,5", "expected a finite number, got '0,5'"),
    ("infinity sign", "W1", 0, 2, "∞", "expected a finite number"),
    ("a whole paragraph", "X", 1, 0, "lorem ipsum " * 500, "expected a finite number"),
    ("a computed matrix", "z1", 0, 0, "1", "z1 is computed by the iteration"),
    ("a cell outside the table", "W1", 9, 9, "1", "W1 has shape (4, 3); there is no cell [9,9]"),
]


@pytest.mark.parametrize("name,row,column,text,expected", [c[1:] for c in CELLS],
                         ids=[c[0] for c in CELLS])
def test_bad_cell_edit_is_refused(window, name, row, column, text, expected):
    before = state_of(window)
    window._edit(name, row, column, text)  # what the table's editor sends
    assert expected in window.statusBar().currentMessage()
    assert_unchanged(window, before)


def test_minus_zero_is_a_valid_edit_and_undoes_exactly(window):
    old = window.controller.value("W1")[0, 0]
    window._edit("W1", 0, 0, "−0")
    assert np.signbit(window.controller.value("W1")[0, 0])
    window.undo_action.trigger()
    assert window.controller.value("W1")[0, 0] == old


# (id, selected cell, clipboard text, what the status message must contain)
PASTES = [
    ("a block taller than the table", ("W1", 0, 0), "1\t2\t3\n" * 5,
     "the pasted block is 5×3 but wh has room for 4×3 from row 1, column 1; nothing was pasted"),
    ("a block wider than the table", ("b1", 0, 1), "1\t2\t3",
     "the pasted block is 1×3 but bh has room for 1×2 from row 1, column 2"),
    ("a whole spreadsheet", ("X", 0, 0), ("1\t" * 300 + "\n") * 2000, "nothing was pasted"),
    ("a word in the block", ("W1", 0, 0), "1\t2\n3\tfour", "pasted row 2, column 2: 'four'"),
    ("1e400 in the block", ("W2", 0, 0), "0.5\n1e400", "pasted row 2, column 1: '1e400'"),
    ("an empty clipboard", ("W1", 0, 0), "", "the clipboard holds no numbers"),
    ("into a computed matrix", ("z1", 0, 0), "1", "hidden_layer_input is computed by the iteration"),
]


@pytest.mark.parametrize("selection,text,expected", [c[1:] for c in PASTES],
                         ids=[c[0] for c in PASTES])
def test_bad_paste_is_refused_whole(window, selection, text, expected):
    window.controller.select(*selection)
    before = state_of(window)
    QGuiApplication.clipboard().setText(text)
    assert not window.paste_into_table()
    assert expected in window.statusBar().currentMessage()
    assert_unchanged(window, before)


def test_a_block_that_fits_is_one_undo_step(window):
    window.controller.select("W1", 1, 1)
    before = window.controller.value("W1")
    QGuiApplication.clipboard().setText("0.5\t-0.25\r\n1e-3\t2\r\n")
    assert window.paste_into_table()
    after = window.controller.value("W1")
    np.testing.assert_array_equal(after[1:3, 1:3], [[0.5, -0.25], [1e-3, 2]])
    assert window.undo_stack.count() == 1
    window.undo_action.trigger()
    np.testing.assert_array_equal(window.controller.value("W1"), before)


def test_paste_without_a_selection_says_what_to_do(window):
    window.controller.clear_selection()
    assert not window.paste_into_table()
    assert "select a cell" in window.statusBar().currentMessage()


def test_opening_bad_files_in_the_window_keeps_the_lesson(window, tmp_path):
    before = state_of(window)
    cases = {"truncated.json": '{"format": "backprop-tracer.lesson", "vers',
             "future.json": '{"format": "backprop-tracer.lesson", "version": 9, "data": {}, '
                            '"network": {}}',
             "picture.json": b"\x89PNG\r\n\x1a\n"}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        assert not window.open_file(str(path))
        assert window.last_message.startswith(name), window.last_message
    assert_unchanged(window, before)


def test_opening_a_lesson_beyond_the_memory_budget_keeps_the_lesson(window, tmp_path):
    """Issue 21, family 4: in the window 100 000 samples through [2, 256, 1] took 4.2 GB."""
    before = state_of(window)
    doc = {"format": "backprop-tracer.lesson", "version": 1,
           "data": {"dataset": "moons", "samples": 100_000, "noise": 0.1, "seed": 0},
           "network": {"layers": [2, 256, 1]}, "training": {"epochs": 1}}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    started = time.perf_counter()
    assert not window.open_file(str(path))
    assert time.perf_counter() - started < 1.0
    assert window.last_message.startswith("big.json: this lesson needs about 9.9 GB of memory, "
                                          "more than the limit of 2.0 GB"), window.last_message
    assert_unchanged(window, before)


@contextmanager
def released_if_blocked(fifo, after=10.0):
    """Open ``fifo``'s writing end if a reader is blocked on it: after ``after`` s, and at the end.

    A window that opened the pipe would wait for a writer for ever (on the
    GUI thread or a worker); this writer ends that wait with an empty file,
    so the test fails instead of hanging. A window that never opens the
    pipe leaves nothing to release.
    """
    done = threading.Event()

    def release():
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # no reader: nothing is blocked
            pass

    def release_later():
        if not done.wait(after):
            release()
    thread = threading.Thread(target=release_later, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        release()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev are POSIX")
def test_opening_special_files_in_the_window_answers_at_once(window, tmp_path):
    """Issue 21, family 3: File ▸ Open of a FIFO or a device refuses within a second."""
    before = state_of(window)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a named pipe (FIFO)"), (Path("/dev/zero"), "a device")):
        started = time.monotonic()
        with released_if_blocked(fifo):
            assert not window.open_file(str(path))
        assert time.monotonic() - started < 1.0
        assert window.last_message.startswith(f"{path}: is {kind}, not a lesson file"), \
            window.last_message
    assert_unchanged(window, before)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_import_csv_of_a_fifo_is_refused_at_once(window, qtbot, tmp_path):
    """Issue 21, family 3: the dialog says why within a second; no reader is left waiting."""
    before = state_of(window)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    dialog = window.import_csv()
    with released_if_blocked(fifo, after=5.0):
        with qtbot.waitSignal(dialog.problemShown, timeout=1000) as blocker:
            dialog.load(str(fifo))
    assert blocker.args[0].startswith("pipe.csv: is a named pipe (FIFO), not a CSV file")
    dialog.reject()
    assert_unchanged(window, before)


def test_window_catalogue_size():
    assert len(SETTINGS) + len(CELLS) + len(PASTES) + 3 >= 40
    assert len(SETTINGS) + len(CELLS) + len(PASTES) + 5 >= 50  # with issue 21's special files
    assert len(SETTINGS) + len(CELLS) + len(PASTES) + 6 >= 51  # and a lesson beyond the memory budget

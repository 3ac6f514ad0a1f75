"""A monkey test: thousands of seeded random user actions on the real window.

Step, Back, Step epoch, Run/Pause, Reset, scrub the timeline, edit cells with
random text, paste random blocks (and whole tables), change settings, switch
presentation, change decimals, select cells, open lessons (good, bad, one whose
loss reaches 1.61e308 then inf, and one that diverges within two epochs: issue
21), toggle the loss plot's log scale, save, write the recovery copy (while
running too), undo and redo —
driven through the window's actions and controller, offscreen (shown and
painted for the first PAINTED actions, hidden after). After every
action: no exception reached the hook, the event loop answered within a
second, and every table shows exactly the engine's array. A failure prints
the seed and the action number, so it replays with MONKEY_SEED=<seed>.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from engine.lesson import load_lesson, resolve_lesson

ACTIONS = int(os.environ.get("MONKEY_ACTIONS", "5000"))
SEED = int(os.environ.get("MONKEY_SEED", "20240610"))
STALL_S = 1.0
PAINTED = 1000  # the first actions are painted on a shown window; the rest run it hidden,
                # which keeps 5000 actions within about a minute on two cores
LESSONS = ["excel_walkthrough", "xor_biases", "one_weight", "xor_constant_input"]
TEXTS = ["0.5", "-0", "−2", "1e400", "-1e400", "nan", "inf", "", " ", "abc", "1,5", "0x10",
         "1e-320", "7", "1e6", "=1+1", "\t", "9" * 400, "🙂", "-3.25e-2"]
# Issue 21, family 5: a run that reaches NaN weights must still save and recover.
DIVERGING_TO_NAN = {
    "format": "backprop-tracer.lesson", "version": 1, "title": "diverging xor",
    "data": {"dataset": "xor"},
    "network": {"layers": [2, 2, 1], "activation": "linear", "seed": 0},
    "training": {"loss": "sse", "learning_rate": 1e300, "epochs": 50}}
SETTING_FIELDS = ["layers", "learning_rate", "batch_size", "seed", "l2", "momentum", "epochs",
                  "tolerance"]
SETTING_TEXTS = ["", "0", "-1", "0.5", "2", "1e400", "abc", "4, 3, 1", "2, 2, 1", "3, 4, 1",
                 "4, 2, 2, 1", "1e9", "5", "0.9", "nan", "100000", "4,,1", "0.34", "1e300"]
# Issue 21, family 6: xor, [2, 2, 1], linear, sse, learning rate 0.34 — Run reaches a loss
# of 1.61e308, then inf (the window crashed with "Cannot set range [0.0, inf]").
DIVERGING_PAST_THE_LARGEST_FLOAT = {
    "format": "backprop-tracer.lesson", "version": 1, "title": "diverging xor",
    "data": {"X": [[0, 0], [0, 1], [1, 0], [1, 1]], "y": [[0], [1], [1], [0]]},
    "network": {"layers": [2, 2, 1], "activation": "linear", "init": "uniform", "seed": 0},
    "training": {"loss": "sse", "learning_rate": 0.34, "epochs": 100}}


def tables_match_engine(window) -> str | None:
    """None when every table shows the engine's array bit for bit, else what differs."""
    controller = window.controller
    for name, card in window.tables.cards.items():
        expected = controller.value(name)
        shown = card.model.array
        if (expected is None) != (shown is None):
            return f"{name}: table shows {'nothing' if shown is None else 'values'}"
        if expected is not None and (expected.shape != shown.shape
                                     or expected.tobytes() != np.asarray(shown, float).tobytes()):
            return f"{name}: table differs from the engine"
    return None


class FullCollections:
    """CPU time this thread spends in the collector's full (generation 2) passes.

    A full pass walks every object of the process: in the test run that is
    the heap left by a thousand earlier tests, which the app itself never
    has (it freezes its start-up objects, and its own heap is small), so
    that time is counted apart from the action that happened to trigger it.
    """

    def __init__(self):
        self.seconds, self._started = 0.0, None

    def __call__(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.thread_time()
        elif self._started is not None:
            self.seconds += time.thread_time() - self._started
            self._started = None


class Monkey:
    """Chooses and performs random actions on a window with a seeded generator."""

    def __init__(self, window, rng: np.random.Generator, bad_file: str, folder: Path):
        self.window, self.rng, self.bad_file = window, rng, bad_file
        self.folder = folder
        self.diverging_files = []
        for name, lesson in (("to_nan", DIVERGING_TO_NAN),
                             ("past_the_largest_float", DIVERGING_PAST_THE_LARGEST_FLOAT)):
            path = folder / f"diverging_{name}.json"
            path.write_text(json.dumps(lesson), encoding="utf-8")
            self.diverging_files.append(str(path))
        self.counts: dict[str, int] = {}
        self.actions = [
            (12, "step", lambda: window.step_action.trigger()),
            (8, "back", lambda: window.back_action.trigger()),
            (2, "epoch", lambda: window.epoch_action.trigger()),
            (3, "run or pause", self.run_or_pause),
            (1, "reset", lambda: window.reset_action.trigger()),
            (3, "scrub", self.scrub),
            (8, "edit a cell", self.edit),
            (2, "paste", self.paste),
            (1, "paste a whole table", self.paste_whole),
            (1, "save", lambda: window.save_to(str(folder / "saved.json"))),
            (2, "recovery copy", lambda: window.recovery.autosave()),
            (3, "change a setting", self.setting),
            (2, "presentation", self.presentation),
            (1, "decimals", lambda: window.decimals_box.setValue(int(self.rng.integers(0, 11)))),
            (8, "select a cell", self.select),
            (1, "open a lesson", self.open_lesson),
            (1, "open a diverging lesson",
             lambda: window.open_file(self.pick(self.diverging_files))),
            (1, "log scale", lambda: window.plot.set_log(not window.plot.log)),
            (3, "undo", lambda: window.undo_action.trigger()),
            (2, "redo", lambda: window.redo_action.trigger()),
        ]
        weights = np.array([w for w, _, _ in self.actions], dtype=float)
        self.p = weights / weights.sum()

    def pick(self, items):
        return items[int(self.rng.integers(len(items)))]

    def act(self) -> str:
        _, name, action = self.actions[int(self.rng.choice(len(self.actions), p=self.p))]
        self.counts[name] = self.counts.get(name, 0) + 1
        action()
        return name

    def run_or_pause(self):
        self.window.controller.set_speed(float(self.pick([0.0, 1000.0, 100.0])))
        self.window.run_action.trigger()

    def scrub(self):
        maximum = self.window.timeline.maximum()
        self.window.controller.jump_to_epoch(int(self.rng.integers(-1, maximum + 2)))

    def _cell(self, editable_only: bool):
        cards = self.window.tables.cards
        names = [n for n, c in cards.items() if c.model.info.editable or not editable_only]
        name = self.pick(names)
        rows, columns = cards[name].model.shape
        return name, int(self.rng.integers(-1, rows + 1)), int(self.rng.integers(-1, columns + 1))

    def edit(self):
        name, row, column = self._cell(editable_only=self.rng.random() < 0.9)
        self.window._edit(name, row, column, self.pick(TEXTS))  # what the cell editor sends

    def paste(self):
        name, row, column = self._cell(editable_only=True)
        if 0 <= row and 0 <= column:
            self.window.controller.select(name, row, column)
        height, width = (int(v) for v in self.rng.integers(1, 4, 2))
        block = "\n".join("\t".join(self.pick(TEXTS[:8] + ["0.25", "1"]) for _ in range(width))
                          for _ in range(height))
        QGuiApplication.clipboard().setText(block)
        self.window.paste_into_table()

    def paste_whole(self):
        """A block the size of an input table from its first cell: one edit (issue 21, family 7)."""
        cards = self.window.tables.cards
        name = self.pick([n for n, c in cards.items() if c.model.info.editable])
        rows, columns = cards[name].model.shape
        self.window.controller.select(name, 0, 0)
        block = self.rng.normal(0, 2, (rows, columns))
        QGuiApplication.clipboard().setText("\n".join("\t".join(repr(v) for v in row)
                                                      for row in block.tolist()))
        self.window.paste_into_table()

    def setting(self):
        panel = self.window.settings_panel
        getattr(panel, self.pick(SETTING_FIELDS)).setText(self.pick(SETTING_TEXTS))
        panel._rebuild_activations()
        panel.apply_button.click()

    def presentation(self):
        self.window.controller.set_presentation(self.pick(["gradient", "error"]))

    def select(self):
        name, row, column = self._cell(editable_only=False)
        self.window.controller.select(name, max(row, 0), max(column, 0))

    def open_lesson(self):
        self.window.open_file(self.pick([str(resolve_lesson(i)) for i in LESSONS]
                                        + [self.bad_file] + self.diverging_files))


@pytest.fixture
def collections():
    """``FullCollections``, listening to the collector for the length of one test."""
    counter = FullCollections()
    gc.callbacks.append(counter)
    yield counter
    gc.callbacks.remove(counter)


def test_monkey(qtbot, tmp_path, monkeypatch, collections):
    from gui.main_window import MainWindow

    caught = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: caught.append(info))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "backprop-tracer.lesson", "version": 1, "network": [}')
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_lesson(resolve_lesson("excel_walkthrough")), settings)
    rng = np.random.default_rng(SEED)
    window.confirm = lambda question: bool(rng.random() < 0.8)
    window.show_message = lambda title, text: window.statusBar().showMessage(text)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    monkey = Monkey(window, rng, str(bad), tmp_path)
    app = QApplication.instance()
    slowest = slowest_wall = 0.0
    slowest_action = "none"
    history: list[str] = []
    for number in range(1, ACTIONS + 1):
        if number == PAINTED + 1:
            window.hide()
        start, start_cpu = time.perf_counter(), time.thread_time()
        collected_before = collections.seconds
        history.append(monkey.act())
        app.processEvents()
        if window.controller.running and rng.random() < 0.3:
            window.controller.pause()
        # The stall is measured in this thread's CPU time: on a shared machine the wall
        # clock also counts the time other processes held the cores.
        took = time.thread_time() - start_cpu - (collections.seconds - collected_before)
        if took > slowest:
            slowest, slowest_action = took, f"action {number} ({history[-1]})"
        slowest_wall = max(slowest_wall, time.perf_counter() - start)
        where = (f"seed {SEED}, action {number} ({history[-1]}); the last actions: "
                 f"{history[-8:]}; replay with MONKEY_SEED={SEED}")
        assert not caught, f"uncaught {caught[0][1]!r} at {where}"
        assert took < STALL_S, f"the event loop stalled {took:.2f} s at {where}"
        if not window.controller.running:
            problem = tables_match_engine(window)
            assert problem is None, f"{problem} at {where}"
    window.controller.pause()
    QThreadPool.globalInstance().waitForDone()  # a recovery copy still being written
    assert tables_match_engine(window) is None
    print(f"\nmonkey: seed {SEED}, {ACTIONS} actions, slowest {slowest * 1000:.0f} ms CPU "
          f"at {slowest_action} "
          f"({slowest_wall * 1000:.0f} ms wall), {collections.seconds * 1000:.0f} ms in the "
          f"collector's full passes, "
          f"{dict(sorted(monkey.counts.items()))}")
    assert sum(monkey.counts.values()) == ACTIONS >= (5000 if "MONKEY_ACTIONS" not in os.environ
                                                      else 1)


def test_step_back_stops_where_an_edit_restarted_the_history():
    """Found by the monkey (seed 20240610): Back past an edited iteration raised ValueError."""
    from engine.session import Session
    session = Session(load_lesson(resolve_lesson("excel_walkthrough")))
    session.run(3)
    session.set_value("W1", 0, 0, 0.5)  # the history now starts at this iteration
    steps = 0
    while session.step_back():
        steps += 1
        assert steps < 100
    assert session.position.iteration == session.history.floor
    session.step()

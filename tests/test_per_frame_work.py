"""Run's frames and ticks do no work that nothing shows (issue 19, not timed).

Each test counts calls, not seconds: the diagram is refreshed once a frame
(not again for the unchanged step and the empty selection), presenter mode's
page is not built (so it handles no frame) until it is used, a tick of Run
does not rebuild the iteration's step list, and the recovery copy of a long
history paused is encoded on the thread pool, never on the GUI thread.
"""
from __future__ import annotations

import numpy as np

import engine.session as session_module
from engine.lesson import load_lesson, parse_lesson, resolve_lesson
from engine.session import Session
from engine.session_file import SavedSession
from engine.steps import iteration_steps
from gui.recovery import LIST_CHUNK
from window_helpers import open_window

RUN_LESSON = "xor_biases"
FRAMES = 4


def long_run():
    """XOR with more epochs than any test waits for: on a fast machine its own 10 000
    are trained within a frame or two, and a finished run shows no more frames."""
    doc = load_lesson(resolve_lesson(RUN_LESSON)).to_json()
    doc["training"]["epochs"] = 10_000_000   # the most a lesson may ask
    return parse_lesson(doc, "long run")


def test_run_frames_refresh_the_diagram_only_for_new_values(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, long_run())
    diagram, controller = window.diagram, window.controller
    assert controller.selection is None
    extra = {"set_step": 0, "set_selection": 0}
    refresh = diagram._refresh

    def counted(name):
        method = getattr(diagram, name)

        def call(*args):
            before = calls[0]
            method(*args)
            extra[name] += calls[0] - before
        return call

    calls = [0]

    def counting_refresh():
        calls[0] += 1
        refresh()

    diagram._refresh = counting_refresh
    diagram.set_step = counted("set_step")  # the window calls it as the position changes
    controller.selectionChanged.disconnect(diagram.set_selection)
    controller.selectionChanged.connect(counted("set_selection"))
    frames = [0]
    controller.clock.frameDue.connect(lambda: frames.__setitem__(0, frames[0] + 1))
    controller.run()
    # The first frame shows the iteration's last step where none was shown: a new step.
    qtbot.waitUntil(lambda: frames[0] >= 1, timeout=20_000)
    extra.update(set_step=0, set_selection=0)
    calls[0] = 0
    qtbot.waitUntil(lambda: frames[0] >= 1 + FRAMES, timeout=20_000)
    controller.pause()
    # Every later frame sent new values (one refresh each), the same step, no selection.
    assert calls[0] >= FRAMES
    assert extra == {"set_step": 0, "set_selection": 0}
    # A new step or a selection still refreshes.
    controller.step()
    assert extra["set_step"] == 1
    controller.select("a1", 0, 0)
    assert extra["set_selection"] == 1


def test_presenter_is_built_only_when_used_and_then_in_the_current_theme(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, long_run())
    controller = window.controller
    frames = [0]
    controller.clock.frameDue.connect(lambda: frames.__setitem__(0, frames[0] + 1))
    controller.run()
    qtbot.waitUntil(lambda: frames[0] >= 2, timeout=20_000)
    controller.pause()
    assert window._presenter is None  # nothing built, so no frame was handled by it
    window.set_theme_choice("dark")
    assert window._presenter is None
    presenter = window.presenter
    assert presenter is window.presenter and presenter._theme == window.themes.theme
    assert window.pages.indexOf(presenter) == 1
    window.set_presenting(True)
    assert window.pages.currentWidget() is presenter
    window.set_presenting(False)


def test_run_ticks_do_not_rebuild_the_step_list(monkeypatch):
    built = []

    def counting_steps(*args):
        built.append(args)
        return iteration_steps(*args)

    monkeypatch.setattr(session_module, "iteration_steps", counting_steps)
    session = Session(load_lesson(resolve_lesson(RUN_LESSON)))
    first = session.steps
    for _ in range(50):  # Run's ticks in the window: the last epoch left unrecorded
        session.run(3, record_last=False)
    assert len(built) == 1
    assert session.steps == first == iteration_steps(*built[0])
    first.clear()  # a caller's list is its own
    assert session.steps == iteration_steps(*built[0])


def _long_history_lesson(epochs: int):
    """The Run lesson reopened after ``epochs`` epochs (a history that many long)."""
    lesson = load_lesson(resolve_lesson(RUN_LESSON))
    start = Session(lesson).initial_state()
    start.epoch = epochs
    lesson.session = SavedSession(start, None, np.geomspace(0.5, 1e-3, epochs))
    return lesson


def test_a_paused_long_history_is_copied_on_the_pool_not_encoded_on_the_gui_thread(
        qtbot, tmp_path, monkeypatch):
    epochs = 5 * LIST_CHUNK
    window = open_window(qtbot, tmp_path, _long_history_lesson(epochs))
    keeper = window.recovery
    assert not window.controller.running
    encoded = []
    monkeypatch.setattr(keeper, "_text", lambda: encoded.append(1))
    keeper._changed = True
    assert keeper.autosave()          # handed to the pool ...
    assert encoded == []              # ... not encoded here
    qtbot.waitUntil(lambda: keeper.writes == 1, timeout=20_000)
    assert load_lesson(keeper.path).session.loss_history.size == epochs
    assert not keeper.autosave()      # nothing changed since


def test_a_long_history_just_saved_leaves_nothing_for_the_recovery_copy(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, _long_history_lesson(5 * LIST_CHUNK))
    window.controller.step_epoch()
    window.recovery.mark_saved()
    assert not window.recovery.autosave()
    assert not window.recovery.path.exists()

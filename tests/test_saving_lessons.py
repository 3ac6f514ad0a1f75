"""Save what you see, where you mean (issue 20, problem 5).

Save with progress reopens at the same epoch, step, selection and losses,
bit for bit; Save as a new starting point asks for a title and leaves out
notes written for the old starting weights; Save starts in the documents
folder and never writes into the built-in lessons; the lesson's title,
notes and step notes are edited in the window.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QStandardPaths

from engine.lesson import builtin_lessons_dir, load_lesson, resolve_lesson
from gui.lesson_editor import LessonEditor, StartingPointDialog
from window_helpers import open_window


class SaveDialogs:
    """The lesson save dialog replaced: answers ``paths`` in turn, keeps what it was asked."""

    def __init__(self, monkeypatch, *paths):
        self.paths = [str(p) for p in paths]
        self.asked: list[tuple[str, str]] = []  # (caption, proposed path)
        monkeypatch.setattr("gui.main_window.ask_lesson_save_path", self)

    def __call__(self, parent, caption, start):
        self.asked.append((caption, start))
        return self.paths.pop(0) if self.paths else ""


def trained_to(window, epochs: int, steps: int) -> None:
    """The window at epoch ``epochs + 1``, ``steps`` steps into it, as Run and Step leave it."""
    window.controller.session.run(epochs)
    window.controller.publish_all()
    for _ in range(steps):
        window.step_action.trigger()


def state_of(window) -> dict:
    """Everything a resumed session must give back, bit for bit."""
    session, controller = window.controller.session, window.controller
    state = session.record.start if session.record is not None else session.state
    velocity = None if state.velocity is None else state.velocity.flat.copy()
    return {"weights": state.params.flat.copy(), "velocity": velocity,
            "rng": json.dumps(state.rng.bit_generator.state, sort_keys=True),
            "order": None if state.order is None else state.order.copy(),
            "batch": state.batch, "loss_sum": state.loss_sum,
            "losses": controller.losses(), "position": controller.position,
            "selection": controller.selection, "presentation": controller.presentation}


def assert_same_state(resumed: dict, saved: dict) -> None:
    assert resumed.keys() == saved.keys()
    for key, value in saved.items():
        if isinstance(value, np.ndarray):
            assert resumed[key].dtype == value.dtype and resumed[key].shape == value.shape, key
            assert resumed[key].tobytes() == value.tobytes(), key  # bit for bit
        else:
            assert resumed[key] == value, key


@pytest.mark.parametrize("lesson,epochs,steps,cell", [
    ("excel_walkthrough", 483, 9, ("W2", 1, 0)),
    # momentum and mini-batches: velocities, the epoch's sample order, the batch
    ("spiral", 3, 40, ("a2", 5, 3)),
])
def test_save_with_progress_reopens_at_the_same_epoch_step_and_cell_bit_for_bit(
        qtbot, tmp_path, monkeypatch, lesson, epochs, steps, cell):
    window = open_window(qtbot, tmp_path, lesson)
    trained_to(window, epochs, steps)
    if lesson == "spiral":
        window.step_action.trigger()  # past the end of the first batch: mid-epoch
        assert window.controller.position.batch > 1
    window.controller.select(*cell)  # what a click on the cell asks
    saved = state_of(window)
    cell_text = window.formula.cell_text
    assert "with progress" in window.save_action.text().lower()
    path = tmp_path / "prepared.json"
    SaveDialogs(monkeypatch, path)
    window.save_action.trigger()
    assert "session" in json.loads(path.read_text(encoding="utf-8"))

    fresh = open_window(qtbot, tmp_path / "class", load_lesson(path))
    assert_same_state(state_of(fresh), saved)
    assert fresh.formula.cell_text == cell_text and cell_text
    assert fresh.position_label.text() == window.position_label.text()
    if lesson == "excel_walkthrough":
        assert fresh.position_label.text().startswith("epoch 484 · step 9 of 19")
        # Opened as a file, it shows the matrix it stopped on, not the top of the tables.
        assert fresh.open_file(str(path))
        tables = fresh.tables
        card = tables.cards["delta2"]

        def card_in_view() -> bool:
            top = card.mapTo(tables.widget(), card.rect().topLeft()).y()
            shown = tables.verticalScrollBar().value()
            return shown <= top and top + 40 <= shown + tables.viewport().height()
        qtbot.waitUntil(card_in_view)
        assert tables.verticalScrollBar().value() > 0
    # and both go on identically
    for each in (window, fresh):
        each.step_action.trigger()
        each.epoch_action.trigger()
    assert_same_state(state_of(fresh), state_of(window))


def test_save_starts_in_the_documents_folder_with_a_name_from_the_title(qtbot, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Documents").mkdir()
    window = open_window(qtbot, tmp_path)
    # Opening a shipped lesson remembers its folder for Open; Save does not start there.
    assert window.open_file(str(resolve_lesson("excel_walkthrough")))
    dialogs = SaveDialogs(monkeypatch)  # cancelled
    assert not window.save_dialog()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(documents) == tmp_path / "Documents"
    proposed = Path(dialogs.asked[0][1])
    assert proposed.parent == tmp_path / "Documents"
    assert proposed.name == "The Excel walk-through one hidden layer, step by step.bptlesson"


def test_saving_into_the_built_in_lessons_is_refused_and_the_dialog_asks_again(
        qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot, tmp_path)
    window.epoch_action.trigger()
    shipped = resolve_lesson("excel_walkthrough")
    before = shipped.read_bytes()
    mine = tmp_path / "mine.json"
    dialogs = SaveDialogs(monkeypatch, shipped, builtin_lessons_dir() / "new.json", mine)
    assert window.save_dialog()
    assert shipped.read_bytes() == before
    assert not (builtin_lessons_dir() / "new.json").exists()
    assert len(dialogs.asked) == 3
    assert "read-only" in dialogs.asked[1][0] and "choose another folder" in dialogs.asked[1][0]
    assert not in_folder(dialogs.asked[1][1], builtin_lessons_dir())
    assert load_lesson(mine).session.step == "new_b1"  # where Step epoch left it
    # Nor does a save asked for without the dialog (the close question's) write there.
    assert not window.save_to(str(shipped))
    assert "read-only" in window.last_message and shipped.read_bytes() == before


def in_folder(path: str, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def test_save_as_a_new_starting_point_asks_for_a_title_and_leaves_old_notes_out(
        qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot, tmp_path, "one_weight")
    for _ in range(3):
        window.epoch_action.trigger()
    assert "0.8 → 0.59" in window.controller.lesson.notes
    trained = window.controller.session.params.weight(1).copy()
    path = tmp_path / "start.json"
    dialogs = SaveDialogs(monkeypatch, path)
    window.save_start_action.trigger()
    dialog = window.findChild(StartingPointDialog)
    assert dialog.isVisible()
    assert dialog.title_edit.text() == ("One weight: gradient descent by hand (a = i·w), "
                                        "after 3 epochs")
    assert not dialog.keep_notes.isChecked() and not dialog.keep_step_notes.isChecked()
    dialog.title_edit.setText("   ")
    dialog.ok_button.click()
    assert dialog.isVisible() and "title: is blank" in dialog.message.text()
    assert not path.exists()
    dialog.title_edit.setText("One weight, from w = 0.41")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert Path(dialogs.asked[0][1]).name == "One weight, from w = 0.41.bptlesson"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["title"] == "One weight, from w = 0.41"
    assert "notes" not in document and "step_notes" not in document
    assert "session" not in document
    saved = load_lesson(path)
    assert saved.weights[0].tobytes() == trained.tobytes()
    assert saved.notes == "" and saved.session is None


def test_a_new_starting_point_keeps_the_notes_it_is_told_to(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot, tmp_path)
    window.epoch_action.trigger()
    path = tmp_path / "kept.json"
    SaveDialogs(monkeypatch, path)
    dialog = window.save_starting_point_dialog()
    dialog.keep_notes.setChecked(True)
    dialog.keep_step_notes.setChecked(True)
    dialog.ok_button.click()
    saved = load_lesson(path)
    assert saved.notes == window.controller.lesson.notes
    assert saved.step_notes == window.controller.lesson.step_notes and saved.step_notes
    assert saved.title.endswith(", after 1 epoch")


def editor_of(window) -> LessonEditor:
    window.editor_dock.show()
    return window.editor_dock.widget()


def test_the_lesson_editor_changes_title_notes_and_the_shown_steps_note(qtbot, tmp_path,
                                                                        monkeypatch):
    window = open_window(qtbot, tmp_path)
    assert window.editor_dock.toggleViewAction() in window.menuBar().actions()[1].menu().actions()
    editor = editor_of(window)
    assert not window.controller.has_progress
    editor.title_edit.clear()
    qtbot.keyClicks(editor.title_edit, "XOR for Monday")
    assert window.windowTitle().startswith("XOR for Monday")
    assert window.controller.has_progress and window.recovery.unsaved
    editor.notes_edit.setPlainText("Watch the hidden layer.")
    assert "Watch the hidden layer." in window.formula.notes_label.text()

    assert not editor.step_note_edit.isEnabled()  # no step shown yet
    window.step_action.trigger()  # z1: hidden_layer_input in the error form
    assert editor.step_note_edit.isEnabled()
    assert "hidden_layer_input" in editor.step_heading.text()
    assert editor.step_note_edit.toPlainText().startswith("{z1} = {X}·{W1}")
    editor.step_note_edit.setPlainText("{z1}: each row is one sample.")
    assert window.formula.note_label.text() == "<i>hidden_layer_input: each row is one sample.</i>"

    editor.step_note_edit.setPlainText("{zz} is wrong")
    assert "step_notes.z1: {zz} names no step or input of this network" in editor.problem.text()
    assert window.formula.note_label.text() == "<i>hidden_layer_input: each row is one sample.</i>"
    editor.step_note_edit.setPlainText("a { alone")
    assert "opens or closes no placeholder" in editor.problem.text()
    editor.step_note_edit.setPlainText("{a1} next")
    assert editor.problem.text() == ""

    window.step_action.trigger()  # a1: the field now holds a1's note
    assert editor.step_note_edit.toPlainText().startswith("{a1}: the sigmoid")
    window.back_action.trigger()
    assert editor.step_note_edit.toPlainText() == "{a1} next"

    path = tmp_path / "edited.json"
    SaveDialogs(monkeypatch, path)
    assert window.save_dialog()
    saved = load_lesson(path)
    assert (saved.title, saved.notes) == ("XOR for Monday", "Watch the hidden layer.")
    assert saved.step_notes["z1"] == "{a1} next"


def test_text_edits_are_covered_by_the_discard_question(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    editor_of(window).notes_edit.setPlainText("My notes for the lecture")
    asked = []
    window.confirm = lambda question: asked.append(question) or False
    assert not window.open_file(str(resolve_lesson("one_weight")))
    assert len(asked) == 1
    assert window.controller.lesson.notes == "My notes for the lecture"
    # A newly opened lesson's text is the new lesson's, in the editor too.
    window.confirm = lambda question: True
    assert window.open_file(str(resolve_lesson("one_weight")))
    assert editor_of(window).title_edit.text().startswith("One weight")
    assert not window.controller.has_progress

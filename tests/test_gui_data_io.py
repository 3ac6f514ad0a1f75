"""Data in and out through the window: Import CSV, built-in data sets, File → Export.

Each test builds the real MainWindow on a temporary QSettings file and
drives the dialogs as a teacher would, waiting on their signals.
"""
from __future__ import annotations

import json
import os
import threading
import time
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage

from engine import limits
from engine.datasets import make_dataset
from engine.lesson import load_lesson, resolve_lesson
from gui import csv_dialog
from gui.csv_dialog import LIMIT_NOTE, PREVIEW_ROWS
from window_helpers import open_window


def default_lesson():
    return load_lesson(resolve_lesson("excel_walkthrough"))


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path, default_lesson())


def shown(window, name):
    return window.controller.session.value(name, window.controller.presentation)


def load(qtbot, dialog, path, timeout=10_000):
    with qtbot.waitSignal(dialog.tableLoaded, timeout=timeout):
        dialog.load(str(path))


def load_fails(qtbot, dialog, path) -> str:
    with qtbot.waitSignal(dialog.problemShown, timeout=10_000) as blocker:
        dialog.load(str(path))
    return blocker.args[0]


def distinct_colours(image: QImage, samples: int = 3000) -> int:
    rng = np.random.default_rng(0)
    xs = rng.integers(0, image.width(), samples)
    ys = rng.integers(0, image.height(), samples)
    return len({image.pixel(int(x), int(y)) for x, y in zip(xs, ys)})


ANIMALS = """height;weight;animal
1.5;30;dog
0.4;4;cat
1.1;25;dog
0.3;3.5;cat
0.9;12;fox
1.4;28;dog
"""


# -- Import CSV ----------------------------------------------------------------------------
def test_import_csv_then_step_shows_the_normalised_data(qtbot, window, tmp_path):
    path = tmp_path / "animals.csv"
    path.write_text(ANIMALS, encoding="utf-8")
    dialog = window.import_csv()
    load(qtbot, dialog, path)
    # detection shown: semicolon, a header row; the text target asks for one-hot
    assert "semicolon" in dialog.delimiter_box.itemText(0)
    assert "header" in dialog.header_box.itemText(0)
    assert dialog.model.rowCount() == 6 and dialog.model.columnCount() == 3
    assert dialog.model.headerData(0, Qt.Orientation.Vertical) == "row 2"
    assert dialog.model.headerData(2, Qt.Orientation.Horizontal) == "animal  (target)"
    assert dialog.features == [0, 1] and dialog.target == 2
    assert dialog.one_hot_box.isChecked()
    dialog.normalise_box.setCurrentIndex(dialog.normalise_box.findData("zscore"))
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.accept()

    lesson = window.controller.lesson
    raw = np.array([[1.5, 30], [0.4, 4], [1.1, 25], [0.3, 3.5], [0.9, 12], [1.4, 28]])
    expected = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    # proposed for 6 rows (not kept from the open lesson): n0 + nL hidden neurons
    assert lesson.architecture.layers == (2, 5, 3)
    assert lesson.data_spec["csv"] == str(path.resolve())
    assert lesson.data_spec["normalise"] == "zscore" and lesson.data_spec["one_hot"] is True
    np.testing.assert_allclose(lesson.y, np.eye(3)[[1, 0, 1, 0, 2, 1]])  # cat, dog, fox
    window.controller.step()
    np.testing.assert_allclose(shown(window, "X"), expected, rtol=0, atol=1e-12)
    W1, b1 = shown(window, "W1"), shown(window, "b1")
    np.testing.assert_allclose(shown(window, "z1"), expected @ W1 + b1, atol=1e-12)
    assert window.tables.cards["X"].model.rowCount() == 6


def test_settings_apply_on_an_imported_lesson_reuses_its_data(qtbot, window, tmp_path):
    path = tmp_path / "animals.csv"
    path.write_text(ANIMALS, encoding="utf-8")
    dialog = window.import_csv()
    load(qtbot, dialog, path)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.accept()
    before = window.controller.lesson
    path.unlink()                       # a changed learning rate needs no file
    window.settings_panel.learning_rate.setText("0.5")
    window.settings_panel.apply_button.click()
    lesson = window.controller.lesson
    assert window.settings_panel.message.text() == ""
    assert lesson.learning_rate == 0.5
    np.testing.assert_array_equal(lesson.X, before.X)
    np.testing.assert_array_equal(lesson.y, before.y)
    assert lesson.data_spec == before.data_spec          # still saved as the file's reference


def test_detection_can_be_overridden(qtbot, window, tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("1,2,3\n4,5,6\n7,8,9\n", encoding="utf-8")
    dialog = window.import_csv()
    load(qtbot, dialog, path)
    assert dialog.table.header is None and len(dialog.table.rows) == 3
    assert "none" in dialog.header_box.itemText(0)
    dialog.header_box.setCurrentIndex(dialog.header_box.findData(True))
    with qtbot.waitSignal(dialog.tableLoaded, timeout=10_000):
        dialog.header_box.activated.emit(dialog.header_box.currentIndex())
    assert dialog.table.header == ("1", "2", "3") and len(dialog.table.rows) == 2
    dialog.delimiter_box.setCurrentIndex(dialog.delimiter_box.findData("\t"))
    with qtbot.waitSignal(dialog.problemShown, timeout=10_000) as blocker:
        dialog.delimiter_box.activated.emit(dialog.delimiter_box.currentIndex())
    assert "single column" in blocker.args[0]
    assert not dialog.ok_button.isEnabled()


def test_malformed_csv_names_row_and_column_and_keeps_the_lesson(qtbot, window, tmp_path):
    before = window.controller.lesson
    X_before = shown(window, "X").copy()
    bad_cell = tmp_path / "bad_cell.csv"
    bad_cell.write_text("x1,x2,y\n1,2,0\n3,4,1\n5,abc,0\n", encoding="utf-8")
    dialog = window.import_csv()
    load(qtbot, dialog, bad_cell)
    with qtbot.waitSignal(dialog.problemShown, timeout=10_000) as blocker:
        dialog.accept()
    text = blocker.args[0]
    assert "row 4" in text and "column 2 ('x2')" in text and "'abc' is not a number" in text
    assert dialog.error_text == text and dialog.isVisible() and dialog.lesson is None
    background = Qt.ItemDataRole.BackgroundRole
    assert dialog.model.data(dialog.model.index(2, 1), background).color().name() == "#f9d6d5"
    assert dialog.model.data(dialog.model.index(1, 1), background) is None   # only that cell
    assert window.controller.lesson is before
    np.testing.assert_array_equal(shown(window, "X"), X_before)

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("x1,x2,y\n1,2,0\n3,4\n", encoding="utf-8")
    text = load_fails(qtbot, dialog, ragged)
    assert "row 3" in text and "has 2 fields" in text
    assert dialog.table is None and not dialog.ok_button.isEnabled()
    dialog.reject()
    assert window.controller.lesson is before


def test_csv_beyond_the_row_limit_is_refused_with_the_reason(qtbot, window, tmp_path):
    path = tmp_path / "too_many.csv"
    np.savetxt(path, np.zeros((limits.MAX_SAMPLES + 1, 2)), fmt="%d", delimiter=",")
    dialog = window.import_csv()
    text = load_fails(qtbot, dialog, path)
    assert f"more than {limits.MAX_SAMPLES}" in text and LIMIT_NOTE in text


def test_a_100000_row_csv_loads_without_freezing_the_window(qtbot, window, tmp_path,
                                                           monkeypatch):
    rng = np.random.default_rng(5)
    data = np.column_stack([rng.normal(size=(limits.MAX_SAMPLES, 4)),
                            rng.integers(0, 2, limits.MAX_SAMPLES)])
    path = tmp_path / "big.csv"
    np.savetxt(path, data, fmt="%.6f", delimiter=",", header="a,b,c,d,label", comments="")
    # The structural proof: the slow work (reading, then building) runs on
    # a thread other than the event loop's. Heartbeat counts would measure
    # the interpreter's lock and collector as much as the app, so they only
    # guard against a long stall below.
    worked_on = {}

    def on_thread(name, function):
        def run(*args):
            worked_on[name] = threading.get_ident()
            return function(*args)
        return run

    monkeypatch.setattr(csv_dialog, "read_csv_table",
                        on_thread("read", csv_dialog.read_csv_table))
    monkeypatch.setattr(csv_dialog, "build_csv_lesson",
                        on_thread("build", csv_dialog.build_csv_lesson))
    gaps, last = [], [time.perf_counter()]

    def beat():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    dialog = window.import_csv()
    busy = []
    dialog.busyChanged.connect(busy.append)
    load(qtbot, dialog, path, timeout=60_000)
    assert dialog.model.rowCount() == PREVIEW_ROWS               # only the first rows shown
    assert dialog.status.text().startswith("100 000 data rows × 5 columns")
    dialog.network.batch_size.setText("full")     # X shows every row, not a mini-batch
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        dialog.accept()
    qtbot.waitUntil(lambda: window.tables.cards["X"].model.rowCount() == limits.MAX_SAMPLES)
    heartbeat.stop()
    assert busy == [True, False, True, False]            # the busy bar came and went, twice
    assert window.controller.lesson.X.shape == (limits.MAX_SAMPLES, 4)
    main_thread = threading.get_ident()
    assert set(worked_on) == {"read", "build"}
    assert main_thread not in worked_on.values(), worked_on
    # A loose guard against long stalls (generous: CI machines are shared and noisy).
    assert max(gaps) < 2.0, f"the event loop stalled for {max(gaps):.2f} s"


# -- built-in data sets --------------------------------------------------------------------
def test_builtin_data_set_dialog_opens_the_chosen_set(qtbot, window):
    dialog = window.new_from_dataset()
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("xor"))
    assert not dialog.samples_box.isEnabled() and not dialog.noise_box.isEnabled()
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("blobs"))
    dialog.samples_box.setValue(90)
    dialog.noise_box.setValue(0.05)
    dialog.seed_box.setValue(3)
    dialog.fraction_box.setValue(0.2)
    assert "X 72 × 2, y 72 × 3, 18 rows held out" in dialog.summary.text()
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    lesson = window.controller.lesson
    expected = make_dataset("blobs", 90, 0.05, 3, 0.2)
    np.testing.assert_array_equal(lesson.X, expected.X)
    np.testing.assert_array_equal(lesson.X_test, expected.X_test)
    assert lesson.architecture.layers == (2, 16, 3)     # proposed for 72 rows of 3 classes
    assert lesson.data_spec == {"dataset": "blobs", "samples": 90, "noise": 0.05, "seed": 3,
                                "test_fraction": 0.2}


def test_a_setting_that_does_not_fit_the_data_is_shown_in_the_dialog(qtbot, window):
    before = window.controller.lesson
    dialog = window.new_from_dataset()
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("digits"))
    dialog.samples_box.setValue(5000)                    # clamped to the 1797 images
    assert dialog.samples_box.value() == 1797
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("moons"))
    dialog.samples_box.setValue(2)
    dialog.fraction_box.setValue(0.9)
    assert "leaves none to train on" in dialog.error_text   # said as the options change
    dialog.accept()
    assert "leaves none to train on" in dialog.error_text
    assert dialog.isVisible() and window.controller.lesson is before
    dialog.reject()

    # softmax with cross-entropy, chosen in the dialog, cannot learn a 0/1 column
    window.open_file(str(resolve_lesson("blobs")))
    before = window.controller.lesson
    dialog = window.new_from_dataset()
    dialog.name_box.setCurrentIndex(dialog.name_box.findData("circle"))
    dialog.network.output_activation.setCurrentText("softmax")
    dialog.network.loss.setCurrentText("cross_entropy")
    dialog.accept()
    assert "cross_entropy" in dialog.error_text and "one-hot" in dialog.error_text
    assert dialog.isVisible() and window.controller.lesson is before


# -- File → Export -------------------------------------------------------------------------
def test_export_menu_is_wired(window):
    # The menus' texts as shown, without their access keys' "&".
    texts = [action.text().replace("&", "") for action in window.export_menu.actions()]
    assert texts == ["Excel workbook…", "NumPy script…", "Jupyter notebook…", "Current table as CSV…",
                     "Diagram as PNG/SVG…", "Loss plot as PNG/SVG…"]
    file_texts = [action.text().replace("&", "")
                  for action in window.menuBar().actions()[0].menu().actions()]
    assert "Import CSV…" in file_texts and "New lesson from a data set…" in file_texts


def test_workbook_and_script_exports_are_valid_files(qtbot, window, tmp_path):
    exporter = window.exporter
    for _ in range(3):
        window.controller.step()
    book = tmp_path / "walk.xlsx"
    with qtbot.waitSignal(exporter.finished, timeout=60_000) as blocker:
        assert exporter.workbook(str(book), iterations=2)
    assert str(book) in blocker.args[0]
    with zipfile.ZipFile(book) as archive:
        names = archive.namelist()
        workbook_xml = archive.read("xl/workbook.xml").decode()
    assert "xl/worksheets/sheet1.xml" in names and "xl/worksheets/sheet2.xml" in names
    assert workbook_xml.count("<sheet ") == 2
    # the window's presentation, not the lesson's: the other form negates the backward blocks
    other = "gradient" if window.controller.presentation == "error" else "error"
    window.controller.set_presentation(other)
    flipped = tmp_path / "flipped.xlsx"
    with qtbot.waitSignal(exporter.finished, timeout=60_000):
        exporter.workbook(str(flipped), iterations=2)
    with zipfile.ZipFile(book) as first, zipfile.ZipFile(flipped) as second:
        assert first.read("xl/worksheets/sheet1.xml") != second.read("xl/worksheets/sheet1.xml")
    script = tmp_path / "walk.py"
    with qtbot.waitSignal(exporter.finished, timeout=60_000):
        assert exporter.script(str(script))
    text = script.read_text(encoding="utf-8")
    compile(text, str(script), "exec")
    assert "import numpy" in text
    notebook = tmp_path / "walk.ipynb"
    with qtbot.waitSignal(exporter.finished, timeout=60_000) as blocker:
        assert exporter.notebook(str(notebook))
    assert str(notebook) in blocker.args[0]
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    assert cells[-1]["source"] == ["status = main([])  # the command line's defaults: the lesson's epochs"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_table_csv_round_trips_through_numpy(qtbot, window, tmp_path):
    for _ in range(5):
        window.controller.step()
    for name in ("X", "W1", "z1", "a1"):
        path = tmp_path / f"{name}.csv"
        with qtbot.waitSignal(window.exporter.finished):
            assert window.exporter.table_csv(name, str(path))
        np.testing.assert_array_equal(np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2),
                                      shown(window, name))
    header = (tmp_path / "z1.csv").read_text().splitlines()[0]
    assert header.startswith("neuron 0,")
    # a table not computed yet is refused, and nothing is written
    with qtbot.waitSignal(window.exporter.failed) as blocker:
        assert not window.exporter.table_csv("new_W1", str(tmp_path / "later.csv"))
    assert "not computed yet" in blocker.args[0] and not (tmp_path / "later.csv").exists()


def test_diagram_and_plot_export_as_png_and_svg(qtbot, window, tmp_path):
    for _ in range(4):
        window.controller.step_epoch()
    qtbot.waitUntil(lambda: window.plot.points >= 4)
    for what, export in (("diagram", window.exporter.diagram_image),
                         ("loss", window.exporter.plot_image)):
        png, svg = tmp_path / f"{what}.png", tmp_path / f"{what}.svg"
        assert export(str(png)) and export(str(svg))
        image = QImage(str(png))
        assert not image.isNull() and image.width() > 200 and image.height() > 100
        assert distinct_colours(image) > 3, f"the {what} PNG is blank"
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg")
        assert len(list(root.iter())) > 10, f"the {what} SVG has nothing drawn"
    # The diagram's legend (a label beside the scene on screen) is in the picture, and
    # only there: the scene is as it was.
    assert "neurons" in (tmp_path / "diagram.svg").read_text(encoding="utf-8")
    assert not any("neurons" in getattr(item, "text", lambda: "")()
                   for item in window.diagram.scene().items())


def test_table_context_menu_copies_and_exports(qtbot, window, tmp_path, monkeypatch):
    card = window.tables.cards["W1"]
    # The menus come with the exporter, which the window builds once it is painted.
    qtbot.waitUntil(
        lambda: card.view.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu)
    menu = window.exporter.table_menu("W1")
    copy_action, export_action = menu.actions()
    assert copy_action.text() == "Copy as tab-separated text"
    assert export_action.text() == "Export as CSV…"
    copy_action.trigger()
    assert QGuiApplication.clipboard().text() == card.model.to_tsv()
    target = tmp_path / "weights"
    monkeypatch.setattr("gui.exporting.QFileDialog.getSaveFileName",
                        lambda *args: (str(target), "CSV file (*.csv)"))
    export_action.trigger()
    np.testing.assert_array_equal(np.loadtxt(tmp_path / "weights.csv", delimiter=",",
                                             skiprows=1, ndmin=2), shown(window, "W1"))


def test_export_failures_give_a_message_and_leave_nothing_half_written(qtbot, window, tmp_path,
                                                                       monkeypatch):
    not_a_folder = tmp_path / "plain_file"
    not_a_folder.write_text("I am a file")
    exporter = window.exporter
    window.controller.step_epoch()
    attempts = [
        lambda p: exporter.table_csv("X", p), exporter.diagram_image, exporter.plot_image,
    ]
    for index, attempt in enumerate(attempts):
        path = str(not_a_folder / f"out{index}.png")
        with qtbot.waitSignal(exporter.failed) as blocker:
            assert not attempt(path)
        assert path in blocker.args[0]
        assert path in window.last_message                 # shown in a message box
    book = str(not_a_folder / "book.xlsx")
    with qtbot.waitSignal(exporter.failed, timeout=30_000) as blocker:
        exporter.workbook(book)
    assert book in blocker.args[0]
    qtbot.waitUntil(lambda: book in window.last_message)

    # a write that fails at the very end keeps the old file whole, and no temporary is left
    keep = tmp_path / "keep"
    keep.mkdir()
    old = {name: f"old {name}" for name in ("t.csv", "d.png", "p.svg", "w.xlsx", "s.py")}
    for name, text in old.items():
        (keep / name).write_text(text)

    def refuse(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", refuse)
    assert not exporter.table_csv("X", str(keep / "t.csv"))
    assert not exporter.diagram_image(str(keep / "d.png"))
    assert not exporter.plot_image(str(keep / "p.svg"))
    for name, start in (("w.xlsx", exporter.workbook), ("s.py", exporter.script)):
        with qtbot.waitSignal(exporter.failed, timeout=30_000) as blocker:
            start(str(keep / name))
        assert "No space left on device" in blocker.args[0]
    monkeypatch.undo()
    assert {p.name: p.read_text() for p in keep.iterdir()} == old

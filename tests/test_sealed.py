"""Sealed files and no network.

Opening a file never runs code: the source has no pickle, eval or exec of
data, and every np.load refuses pickles. A whole session — open, step, run,
save, reopen, export the workbook — works with every socket refused. Cell
text that a spreadsheet would take for a formula is written as text.
"""
from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from engine.cli import main as cli_main
from engine.lesson import load_lesson, resolve_lesson
from engine.session import Session
from engine.session_file import session_document

SOURCES = sorted([*(ROOT / "engine").rglob("*.py"), *(ROOT / "gui").rglob("*.py"), ROOT / "main.py"])


def _calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def test_no_source_file_can_execute_data():
    problems = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                if any(n.split(".")[0] in ("pickle", "cPickle", "dill", "shelve", "marshal")
                       for n in names):
                    problems.append(f"{path.name}:{node.lineno} imports a pickle module")
        for call in _calls(path):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if isinstance(func, ast.Name) and name in ("eval", "exec", "compile", "__import__"):
                problems.append(f"{path.name}:{call.lineno} calls {name}")
            if name == "load" and isinstance(func, ast.Attribute) and getattr(
                    func.value, "id", "") in ("np", "numpy"):
                pickles = [k for k in call.keywords if k.arg == "allow_pickle"]
                if not pickles or not (isinstance(pickles[0].value, ast.Constant)
                                       and pickles[0].value.value is False):
                    problems.append(f"{path.name}:{call.lineno} np.load without allow_pickle=False")
            if name == "loads" and isinstance(func, ast.Attribute) and getattr(
                    func.value, "id", "") in ("pickle", "yaml"):
                problems.append(f"{path.name}:{call.lineno} deserialises code")
    assert problems == []


def test_a_lesson_that_smuggles_code_is_only_data(tmp_path):
    """Names that would run code if evaluated are refused or kept as plain text."""
    doc = load_lesson(resolve_lesson("excel_walkthrough")).to_json()
    marker = tmp_path / "pwned"
    doc["title"] = f"__import__('os').system('touch {marker}')"
    doc["notes"] = "=cmd|' /C calc'!A0"
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    lesson = load_lesson(path)
    Session(lesson).run(3)
    assert lesson.title == doc["title"] and not marker.exists()
    doc["network"]["activation"] = "__import__('os').getcwd()"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(Exception) as refused:
        load_lesson(path)
    assert type(refused.value).__name__ == "LessonError"


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    class Refused(socket.socket):
        def __init__(self, *args, **kwargs):
            attempts.append(args)
            raise OSError("network access is not allowed in this test")
    monkeypatch.setattr(socket, "socket", Refused)
    monkeypatch.setattr(socket, "create_connection",
                        lambda *a, **k: attempts.append(a) or Refused())
    return attempts


def test_a_whole_session_needs_no_network(no_network, tmp_path, capsys):
    lesson = load_lesson(resolve_lesson("xor_biases"))
    session = Session(lesson)
    for _ in range(5):
        session.step()
    session.run(20)
    session.step_back()
    saved = tmp_path / "session.json"
    saved.write_text(json.dumps(session_document(session)), encoding="utf-8")
    reopened = Session(load_lesson(saved))
    np.testing.assert_array_equal(reopened.params.flat, session.params.flat)
    assert cli_main(["run", str(saved), "--epochs", "5", "--json", str(tmp_path / "run.json"),
                     "--xlsx", str(tmp_path / "book.xlsx")]) == 0
    assert (tmp_path / "book.xlsx").read_bytes()[:2] == b"PK"
    assert no_network == []


def test_the_window_needs_no_network(no_network, qtbot, tmp_path):
    from PySide6.QtCore import QSettings
    from gui.main_window import MainWindow
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_lesson(resolve_lesson("one_weight")), settings)
    window.confirm = lambda question: True
    qtbot.addWidget(window)
    window.show()
    for _ in range(4):
        window.step_action.trigger()
    window.epoch_action.trigger()
    assert window.save_to(str(tmp_path / "saved.json"))
    assert window.open_file(str(tmp_path / "saved.json"))
    assert no_network == []


def _sheets(path: Path) -> str:
    import zipfile
    with zipfile.ZipFile(path) as book:
        return "".join(book.read(n).decode() for n in book.namelist()
                       if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml")


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+CMD()", "-SUM(1)", "@NOW()"])
def test_formula_like_titles_are_text_in_the_workbook(tmp_path, title):
    import re
    from engine.export_xlsx import write_workbook
    doc = load_lesson(resolve_lesson("one_weight")).to_json()
    doc["title"] = title
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    book = tmp_path / "book.xlsx"
    write_workbook(load_lesson(path), book)
    xml = _sheets(book)
    name = re.sub(r"\W", "", title)[:4]
    assert title.replace('"', "&quot;") in xml or title in xml  # kept, as text
    formulas = re.findall(r"<f>(.*?)</f>", xml)
    assert not any(name in f for f in formulas), formulas

"""The headless command line of DESIGN.md section 5, run as a user would."""
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from engine.lesson import builtin_lessons, load_lesson, resolve_lesson
from engine.number_text import shown_number
from helpers import lesson_doc

RECORD_KEYS = {"format", "version", "lesson", "epochs", "loss", "final_loss", "test_loss",
               "weights", "biases", "trace"}


def run_main(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def write(tmp_path, doc, name="lesson.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return path


def test_lessons_lists_id_tab_title():
    result = run_main("lessons")
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(builtin_lessons()) >= 4
    for line in lines:
        lesson_id, title = line.split("\t")
        assert lesson_id and " " not in lesson_id and title


def test_run_writes_the_run_record(tmp_path):
    doc = lesson_doc((2, 2, 1), epochs=7, title="tiny")
    out = tmp_path / "run.json"
    result = run_main("run", write(tmp_path, doc), "--json", out)
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert set(record) == RECORD_KEYS
    assert record["format"] == "backprop-tracer.run" and record["version"] == 1
    assert record["lesson"] == "tiny" and record["epochs"] == 7 and len(record["loss"]) == 7
    assert [t["step"] for t in record["trace"]][:6] == ["z1", "a1", "z2", "a2", "E", "loss"]
    assert isinstance(record["trace"][5]["value"], float)
    grad_b = next(t for t in record["trace"] if t["step"] == "grad_b1")
    assert np.shape(grad_b["value"]) == (2,)
    assert np.shape(record["weights"][0]) == (2, 2) and np.shape(record["biases"][1]) == (1,)
    assert record["final_loss"] < record["loss"][0]


def test_run_a_builtin_lesson_by_id_with_epochs(tmp_path):
    out = tmp_path / "r.json"
    result = run_main("run", "one_weight", "--epochs", 3, "--json", out)
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert record["epochs"] == 3
    assert record["biases"] == [None]
    assert record["weights"][0][0][0] == pytest.approx(0.410975, abs=1e-12)
    assert record["loss"][:2] == pytest.approx([0.49, 0.148225], abs=1e-12)


def test_tolerance_applies_with_epochs(tmp_path):
    doc = lesson_doc((1, 1), "linear", "sse", X=[[1.5]], y=[[0.5]], bias=False,
                     tolerance=0.01, epochs=5)
    out = tmp_path / "r.json"
    assert run_main("run", write(tmp_path, doc), "--epochs", 500, "--json", out).returncode == 0
    losses = json.loads(out.read_text())["loss"]
    assert losses[-1] < 0.01 <= losses[-2]


def test_divergence_exits_3_with_one_line_and_strict_json(tmp_path):
    doc = lesson_doc((2, 3, 1), ["tanh", "linear"], "sse", learning_rate=1e6, init="normal",
                     epochs=100)
    out = tmp_path / "r.json"
    result = run_main("run", write(tmp_path, doc), "--json", out)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("diverged at epoch ")
    assert "learning rate" in lines[0] and "Traceback" not in result.stderr
    text = out.read_text()
    assert "NaN" not in text and "Infinity" not in text
    record = json.loads(text)
    epoch = int(lines[0].split()[3].rstrip(":"))
    assert record["epochs"] == epoch == len(record["loss"])


def test_xlsx_option_writes_a_workbook(tmp_path):
    out = tmp_path / "walkthrough.xlsx"
    result = run_main("run", "excel_walkthrough", "--epochs", 2, "--xlsx", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:2] == b"PK"  # a zip container, as every .xlsx is


@pytest.mark.parametrize("args", [["run"], ["run", "one_weight", "--epochs", "ten"],
                                  ["run", "one_weight", "--epochs", "0"], ["run", "one_weight", "--colour"],
                                  ["run", "no_such_lesson"], ["run", "/no/such/file.json"]])
def test_bad_command_lines_exit_2_without_traceback(args):
    result = run_main(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_unwritable_json_output_is_bad_input(tmp_path):
    result = run_main("run", "one_weight", "--json", tmp_path / "missing" / "out.json")
    assert result.returncode == 2 and "cannot write" in result.stderr


# -- what the final weights score, and on which rows (DESIGN.md section 5) -----------------
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(record, X, activations):
    """a{L} of the record's final weights on X, written out here apart from the engine."""
    a = np.asarray(X, dtype=float)
    for W, b, f in zip(record["weights"], record["biases"], activations):
        a = f(a @ np.array(W) + (0 if b is None else np.array(b)))
    return a


def l2_term(record, l2, m):
    return l2 / (2 * m) * sum(float(np.sum(np.square(W))) for W in record["weights"])


def test_a_lesson_with_held_out_rows_scores_both_parts(tmp_path):
    out = tmp_path / "moons.json"
    result = run_main("run", "moons", "--epochs", 30, "--json", out)
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert set(record) == RECORD_KEYS | {"accuracy", "test_accuracy"}
    lesson = load_lesson(resolve_lesson("moons"))
    assert len(lesson.X) == 160 and len(lesson.X_test) == 40
    # moons: 2-10-1 sigmoid, mse = 1/(m·k) Σ (y − ŷ)², no L2
    test_output = forward(record, lesson.X_test, [sigmoid, sigmoid])
    train_output = forward(record, lesson.X, [sigmoid, sigmoid])
    assert record["test_loss"] == pytest.approx(np.mean((lesson.y_test - test_output) ** 2),
                                                rel=1e-12)
    assert record["final_loss"] == pytest.approx(np.mean((lesson.y - train_output) ** 2),
                                                 rel=1e-12)
    assert record["test_loss"] != record["final_loss"]
    assert record["accuracy"] == np.mean((train_output >= 0.5) == (lesson.y == 1))
    assert record["test_accuracy"] == np.mean((test_output >= 0.5) == (lesson.y_test == 1))
    assert 0 < record["test_accuracy"] <= 1


def test_the_summary_line_names_the_rows_each_figure_covers(tmp_path):
    out = tmp_path / "moons.json"
    result = run_main("run", "moons", "--epochs", 30, "--json", out)
    record = json.loads(out.read_text())
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("A curved boundary: two moons with 10 hidden units: 30 epochs, ")
    assert (f"loss per epoch {shown_number(record['loss'][0], 4)} → "
            f"{shown_number(record['loss'][-1], 4)} (done)") in line
    assert (f"final weights: loss {shown_number(record['final_loss'], 4)} on the 160 training "
            f"rows, {shown_number(record['test_loss'], 4)} on the 40 held-out rows") in line
    assert (f"accuracy {shown_number(100 * record['accuracy'], 1)}% on the training rows, "
            f"{shown_number(100 * record['test_accuracy'], 1)}% on the held-out rows") in line
    assert "all data" not in line


def test_a_classification_lesson_without_held_out_rows(tmp_path):
    out = tmp_path / "walkthrough.json"
    result = run_main("run", "excel_walkthrough", "--epochs", 5, "--json", out)
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert set(record) == RECORD_KEYS | {"accuracy", "test_accuracy"}
    assert record["test_loss"] is None and record["test_accuracy"] is None
    assert 0 <= record["accuracy"] <= 1
    assert ("final weights: loss " + shown_number(record["final_loss"], 4)
            + " on the 3 training rows (none held out); accuracy ") in result.stdout
    assert "held-out rows" not in result.stdout


def test_a_regression_lesson_has_no_accuracy_and_its_test_loss_carries_l2(tmp_path):
    doc = lesson_doc((2, 1), "linear", "mse", l2=0.5, epochs=20)
    doc["data"] = {"dataset": "plane", "samples": 50, "noise": 0.1, "seed": 3,
                   "test_fraction": 0.3}
    out = tmp_path / "plane.json"
    lesson_path = write(tmp_path, doc)
    result = run_main("run", lesson_path, "--json", out)
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert set(record) == RECORD_KEYS
    lesson = load_lesson(lesson_path)
    k = len(lesson.X_test)
    assert k == 15
    predicted = forward(record, lesson.X_test, [lambda z: z])
    expected = np.mean((lesson.y_test - predicted) ** 2) + l2_term(record, 0.5, k)
    assert record["test_loss"] == pytest.approx(expected, rel=1e-12)
    assert "on the 35 training rows" in result.stdout and "on the 15 held-out rows" in result.stdout
    assert "accuracy" not in result.stdout


def test_a_regression_lesson_without_held_out_rows(tmp_path):
    out = tmp_path / "r.json"
    result = run_main("run", "one_weight", "--epochs", 3, "--json", out)
    record = json.loads(out.read_text())
    assert set(record) == RECORD_KEYS and record["test_loss"] is None
    assert "on the 1 training row (none held out)" in result.stdout


def test_a_diverged_run_with_held_out_rows_writes_null_figures(tmp_path):
    doc = lesson_doc((2, 3, 1), ["tanh", "linear"], "sse", learning_rate=1e6, init="normal",
                     epochs=100)
    doc["data"] = {"dataset": "plane", "samples": 40, "test_fraction": 0.25}
    out = tmp_path / "r.json"
    result = run_main("run", write(tmp_path, doc), "--json", out)
    assert result.returncode == 3
    assert result.stderr.startswith("diverged at epoch ") and result.stdout == ""
    text = out.read_text()
    assert "NaN" not in text and "Infinity" not in text
    record = json.loads(text)
    assert "test_loss" in record and "accuracy" not in record
    assert record["final_loss"] is None and record["test_loss"] is None


# -- XlsxWriter is loaded only to write a workbook ------------------------------------------
LOADED = """
import sys
from engine import cli
status = cli.main(sys.argv[1:])
print(status, *(name in sys.modules for name in ("xlsxwriter", "PySide6", "engine.export_xlsx")))
"""


def loaded_after(*args):
    result = subprocess.run([sys.executable, "-c", LOADED, *map(str, args)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_run_without_a_workbook_never_imports_xlsxwriter(tmp_path):
    assert loaded_after("run", "moons", "--epochs", 2, "--json", tmp_path / "r.json") \
        == "0 False False False"
    assert loaded_after("lessons") == "0 False False False"
    # the probe sees the import when a workbook is asked for
    assert loaded_after("run", "one_weight", "--epochs", 2, "--xlsx", tmp_path / "w.xlsx") \
        == "0 True False True"

"""The headless command line of DESIGN.md section 5, run as a user would."""
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from engine.lesson import builtin_lessons
from helpers import lesson_doc

RECORD_KEYS = {"format", "version", "lesson", "epochs", "loss", "final_loss", "weights",
               "biases", "trace"}


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

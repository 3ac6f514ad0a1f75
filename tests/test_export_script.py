"""The standalone NumPy script (``run LESSON --script OUT``, DESIGN.md section 5).

Each exported script is run in a subprocess with this Python; its run record
(``--json``) and printed lines must equal the engine's run record to 1e-12 —
in practice they are bit-identical, since the script repeats the kernel's
arithmetic operation by operation.
"""
import ast
import csv
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from engine import cli
from engine.activations import ACTIVATIONS
from engine.export_script import script_text, write_script
from engine.lesson import builtin_lessons, load_lesson, parse_lesson
from engine.runrecord import EVALUATION_KEYS
from engine.session import Session
from engine.session_file import session_document
from helpers import Softsign, lesson_doc

ALLOWED_IMPORTS = {"argparse", "base64", "json", "math", "sys", "numpy"}
HOSTILE = ('a """doc""" \'\'\'x\'\'\' "q" \'s\' \\ back\\\\slash\nnew line\r\n# hash\x00nul '
           '\u2028sep \x85nel {braces} @@SETUP@@ end\\')


def strict_load(path):
    """Parse a JSON file, refusing NaN and Infinity (strict JSON)."""
    def refuse(token):
        raise ValueError(f"non-standard JSON constant {token}")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def engine_run(lesson_path, epochs, tmp_path, capsys):
    """(exit status, run record as the script writes it, stderr) of ``main.py run`` in-process."""
    out = tmp_path / "engine.json"
    status = cli.main(["run", str(lesson_path), "--epochs", str(epochs), "--json", str(out)])
    err = capsys.readouterr().err
    record = strict_load(out)
    return status, as_the_script_writes_it(record), err


def as_the_script_writes_it(record):
    """The engine's run record without ``trace`` and without the held-out loss and the
    accuracies (EVALUATION_KEYS), which only ``main.py run`` computes."""
    del record["trace"]
    for key in EVALUATION_KEYS:
        record.pop(key, None)
    return record


def run_script(script, tmp_path, *args):
    out = tmp_path / "script.json"
    result = subprocess.run([sys.executable, str(script), "--json", str(out), *map(str, args)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    return result, strict_load(out)


def numbers(value):
    """A nested list of numbers (null as NaN) as a flat float array."""
    if isinstance(value, list):
        parts = [numbers(v) for v in value]
        return np.concatenate(parts) if parts else np.empty(0)
    return np.array([np.nan if value is None else value], dtype=float)


def assert_same_record(engine, script):
    assert script.keys() == engine.keys()
    for key in ("format", "version", "lesson", "epochs"):
        assert script[key] == engine[key], key
    assert [b is None for b in script["biases"]] == [b is None for b in engine["biases"]]
    for key in ("loss", "final_loss", "weights", "biases"):
        np.testing.assert_allclose(numbers(script[key]), numbers(engine[key]), rtol=1e-12,
                                   atol=1e-12, equal_nan=True, err_msg=key)
        assert numbers(script[key]).shape == numbers(engine[key]).shape, key


def assert_printed_lines_match(stdout, record, trains=True):
    lines = stdout.strip().splitlines()
    assert lines[-1].startswith("final_loss ")
    final = float(lines[-1].split()[1])
    assert (math.isnan(final) if record["final_loss"] is None else final == record["final_loss"])
    epoch_lines = lines[:-1]
    assert bool(epoch_lines) == trains, "epochs reported" if epoch_lines else "none reported"
    for line in epoch_lines:
        word, epoch, loss_word, value = line.split()
        assert (word, loss_word) == ("epoch", "loss")
        expected = record["loss"][int(epoch) - 1]
        assert (math.isnan(float(value)) or math.isinf(float(value))) if expected is None \
            else float(value) == expected
    if trains:
        assert epoch_lines[-1].split()[1] == str(record["epochs"])  # the last one is reported


def check_lesson(lesson_path, epochs, tmp_path, capsys, trains=True):
    status, engine, err = engine_run(lesson_path, epochs, tmp_path, capsys)
    script = tmp_path / "exported.py"
    write_script(load_lesson(lesson_path), script, epochs)
    result, record = run_script(script, tmp_path)
    assert result.returncode == status, result.stderr
    assert_same_record(engine, record)
    assert_printed_lines_match(result.stdout, record, trains)
    return status, err, result, record, script


def write_lesson(tmp_path, doc, name="lesson.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("lesson_id", [lesson_id for lesson_id, _, _ in builtin_lessons()])
def test_builtin_lessons_reproduce_the_run_record(lesson_id, tmp_path, capsys):
    path = dict((i, p) for i, _, p in builtin_lessons())[lesson_id]
    status, _, _, record, _ = check_lesson(path, 3, tmp_path, capsys)
    assert status == cli.EXIT_OK and record["epochs"] == 3


def test_a_longer_run_is_bit_for_bit_the_engines(tmp_path, capsys):
    # The script repeats the kernel's operations on the same layout, so beyond the 1e-12
    # of the contract the numbers are identical; 400 epochs would expose any drift.
    path = dict((i, p) for i, _, p in builtin_lessons())["excel_walkthrough"]
    _, engine, _ = engine_run(path, 400, tmp_path, capsys)
    script = tmp_path / "exported.py"
    write_script(load_lesson(path), script, 400)
    result, record = run_script(script, tmp_path)
    assert result.returncode == 0 and record == engine


VARIANTS = {
    "two hidden layers": dict(layers=(3, 4, 3, 2), activation=["tanh", "relu", "sigmoid"],
                              loss="mse"),
    "leaky relu and linear": dict(layers=(2, 3, 2), activation=["leaky_relu", "linear"],
                                  loss="half_mse", init="normal", learning_rate=0.05),
    "softmax after a hidden layer": dict(layers=(2, 4, 3), activation=["tanh", "softmax"],
                                         loss="cross_entropy", init="xavier"),
    "softmax alone": dict(layers=(2, 3), activation="softmax", loss="cross_entropy"),
    "one sigmoid with binary cross-entropy": dict(layers=(2, 1), loss="binary_cross_entropy"),
    "mini-batch, momentum and L2": dict(layers=(2, 3, 1), batch_size=2, momentum=0.9, l2=0.3,
                                        init="he", loss="sse"),
    "stochastic with momentum": dict(layers=(2, 3, 1), batch_size=1, momentum=0.5,
                                     activation=["relu", "sigmoid"], init="epsilon"),
    "no biases with L2": dict(layers=(2, 3, 1), bias=False, l2=0.1),
    "frozen biases, momentum, mini-batch": dict(layers=(2, 3, 1), train_bias=False,
                                                momentum=0.8, batch_size=3),
    "stops at the tolerance": dict(layers=(2, 3, 1), tolerance=0.07, learning_rate=2.0),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_kind_of_network_reproduces_the_run_record(name, tmp_path, capsys):
    path = write_lesson(tmp_path, lesson_doc(**VARIANTS[name], epochs=25))
    status, _, _, record, _ = check_lesson(path, 25, tmp_path, capsys)
    assert status == cli.EXIT_OK
    if name == "stops at the tolerance":
        assert record["epochs"] == 8 and record["loss"][-1] < 0.07 <= record["loss"][-2]


def test_explicit_weights_and_drawn_biases_reproduce_the_run_record(tmp_path, capsys):
    doc = lesson_doc((2, 2, 1), epochs=10)
    doc["network"]["weights"] = [[[0.5, -0.25], [1.0, 0.75]], [[-1.5], [2.0]]]
    path = write_lesson(tmp_path, doc)
    _, _, _, record, _ = check_lesson(path, 10, tmp_path, capsys)
    assert record["epochs"] == 10


def test_diverging_run_exits_3_with_the_engines_message_and_still_writes_json(tmp_path, capsys):
    doc = lesson_doc((2, 3, 1), "linear", "sse", learning_rate=50.0, init="normal", epochs=40)
    path = write_lesson(tmp_path, doc)
    status, err, result, record, _ = check_lesson(path, 40, tmp_path, capsys)
    assert status == result.returncode == cli.EXIT_DIVERGED
    assert result.stderr.strip() == err.strip()
    assert result.stderr.strip().startswith(f"diverged at epoch {record['epochs']}: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert record["epochs"] < 40 and record["loss"][-1] is None  # stopped there; inf as null


def test_the_scripts_epochs_option_overrides_the_exported_count(tmp_path, capsys):
    path = write_lesson(tmp_path, lesson_doc((2, 3, 1), batch_size=2, momentum=0.5, epochs=99))
    _, engine, _ = engine_run(path, 7, tmp_path, capsys)
    script = tmp_path / "exported.py"
    write_script(load_lesson(path), script, 3)
    result, record = run_script(script, tmp_path, "--epochs", 7, "--every", 2)
    assert result.returncode == 0
    assert_same_record(engine, record)
    reported = [int(line.split()[1]) for line in result.stdout.splitlines()[:-1]]
    assert reported == [2, 4, 6, 7]


def saved_session_lesson(tmp_path, steps, **options):
    """A lesson file holding a session saved after ``steps`` steps."""
    session = Session(parse_lesson(lesson_doc(epochs=30, **options), "saved.json"))
    for _ in range(steps):
        session.step()
    return write_lesson(tmp_path, session_document(session), "saved.json"), session


def test_a_saved_session_mid_epoch_goes_on_from_where_it_was(tmp_path, capsys):
    # 5 samples in batches of 2: 3 iterations of 23 steps per epoch; stop in epoch 2, batch 2.
    path, session = saved_session_lesson(tmp_path, 23 * 4 + 5, layers=(2, 3, 1), batch_size=2,
                                         momentum=0.9, l2=0.1)
    assert session.state.batch == 1 and session.state.epoch == 1
    _, _, _, record, script = check_lesson(path, 4, tmp_path, capsys)
    assert record["epochs"] == 1 + 4
    assert "START_BATCH = 1" in script.read_text(encoding="utf-8")


def test_a_saved_session_that_had_reached_the_tolerance_trains_no_further(tmp_path, capsys):
    path, session = saved_session_lesson(tmp_path, 19, layers=(2, 3, 1), tolerance=10.0)
    assert session.reached_tolerance
    _, _, result, record, _ = check_lesson(path, 5, tmp_path, capsys, trains=False)
    assert record["epochs"] == 1 and result.stdout.startswith("final_loss ")


def imported_modules(source):
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0] if node.level == 0 else ".")
    return modules


@pytest.mark.parametrize("lesson_id", ["excel_walkthrough", "digits", "spiral"])
def test_the_script_imports_only_numpy_and_the_standard_library(lesson_id):
    path = dict((i, p) for i, _, p in builtin_lessons())[lesson_id]
    source = script_text(load_lesson(path), 2)
    modules = imported_modules(source)
    assert "numpy" in modules and modules <= ALLOWED_IMPORTS, modules
    if lesson_id == "digits":
        # the 64×25 random weights are written as base64 (shorter than decimals, just as exact)
        assert "base64" in modules and "from_base64(" in source


def test_hostile_title_and_csv_column_names_cannot_break_the_script(tmp_path, capsys):
    columns = ['x"1\n"""', "x2'''\\", HOSTILE]
    with open(tmp_path / "data.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]])
    doc = {"format": "backprop-tracer.lesson", "version": 1, "title": HOSTILE, "notes": HOSTILE,
           "source": HOSTILE,
           "data": {"csv": "data.csv", "features": columns[:2], "target": [columns[2]]},
           "network": {"layers": [2, 2, 1]}, "training": {"epochs": 5}}
    path = write_lesson(tmp_path, doc)
    _, _, result, record, script = check_lesson(path, 5, tmp_path, capsys)
    assert result.returncode == 0 and record["lesson"] == HOSTILE
    tree = ast.parse(script.read_text(encoding="utf-8"))
    titles = [node.value for node in tree.body if isinstance(node, ast.Assign)
              and [getattr(t, "id", None) for t in node.targets] == ["TITLE"]]
    assert len(titles) == 1 and ast.literal_eval(titles[0]) == HOSTILE
    # every top-level statement is one the exporter writes: nothing leaked out of a string
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Import", "Assign", "FunctionDef", "ClassDef", "If", "Expr"}, kinds


def test_main_py_run_writes_the_script_beside_the_run_record(tmp_path):
    script, out = tmp_path / "one_weight.py", tmp_path / "engine.json"
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", "one_weight",
                             "--epochs", "6", "--script", str(script), "--json", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    engine = as_the_script_writes_it(strict_load(out))
    run, record = run_script(script, tmp_path)
    assert run.returncode == 0
    assert_same_record(engine, record)


def test_an_unwritable_script_path_is_one_line_and_exit_2(tmp_path, capsys):
    target = tmp_path / "missing folder" / "x.py"
    status = cli.main(["run", "one_weight", "--epochs", "2", "--script", str(target)])
    err = capsys.readouterr().err.strip()
    assert status == cli.EXIT_BAD_INPUT
    assert err.splitlines() == [err] and err.startswith(f"{target}: cannot write the script")
    assert not target.parent.exists()


def test_write_script_leaves_the_old_file_when_it_fails(tmp_path, monkeypatch):
    target = tmp_path / "x.py"
    target.write_text("old", encoding="utf-8")
    lesson = load_lesson(dict((i, p) for i, _, p in builtin_lessons())["one_weight"])

    def broken_replace(*_):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("engine.files.os.replace", broken_replace)
    with pytest.raises(OSError):
        write_script(lesson, target, 3)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.py"]  # no temporary file left


@pytest.mark.parametrize("options", [dict(), dict(batch_size=2, momentum=0.5, l2=0.2)])
def test_a_newly_registered_activation_is_printed_from_its_own_operations(options, tmp_path,
                                                                          capsys, monkeypatch):
    # Nothing in export_script.py knows softsign: the script is printed from the kernel's
    # operations, so registering an activation is all it takes to export a lesson using it.
    monkeypatch.setitem(ACTIVATIONS, "softsign", Softsign())
    path = write_lesson(tmp_path, lesson_doc((2, 3, 2, 1), ["softsign", "softsign", "sigmoid"],
                                             "half_mse", init="normal", epochs=30, **options))
    status, engine, _ = engine_run(path, 30, tmp_path, capsys)
    script = tmp_path / "exported.py"
    write_script(load_lesson(path), script, 30)
    result, record = run_script(script, tmp_path)
    assert status == result.returncode == cli.EXIT_OK, result.stderr
    assert record == engine  # bit for bit: losses, final_loss, weights and biases
    assert result.stdout.splitlines()[-1] == f"final_loss {engine['final_loss']!r}"
    source = script.read_text(encoding="utf-8")
    assert "# a1 = softsign(z1) = z/(1 + |z|)" in source
    assert "# slope2 = f'(z2) = 1/(1 + |z|)²" in source
    assert "np.divide(z1, a1_buffer" in source  # its own buffer, named and made by the script

"""The bad-input catalogue, part 1: files and command lines.

Each case is a file or a command line a learner might give ``main.py run``:
lesson files, CSV data files, saved sessions and command-line options. Each
must end with exit status 2 and one line on stderr that names the file,
key, row or column (``expect``), with no traceback, leaving every file
the user had as it was and writing no output. (tests/test_bad_lessons.py
holds 49 further lesson cases run the same way in a subprocess.)
"""
from __future__ import annotations

import copy
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine import limits
from engine.cli import main as cli_main
from engine.csv_import import CsvTable, build_dataset, read_csv_table
from engine.errors import LessonError
from engine.export_xlsx import write_workbook
from engine.iteration import record_iteration
from engine.lesson import load_lesson, parse_lesson
from engine.session import Session
from engine.session_file import session_document
from helpers import lesson_doc, set_key

VALID = lesson_doc((2, 2, 1), epochs=3)


def changed(change, base=VALID):
    doc = copy.deepcopy(base)
    change(doc)
    return json.dumps(doc)


def put(*path_and_value):
    *path, value = path_and_value
    return set_key(path, value)


def saved_session(momentum=0.0, batch_size=None):
    """A valid saved session (mini-batch, mid-epoch) to tamper with."""
    doc = lesson_doc((2, 3, 1), epochs=5, momentum=momentum, batch_size=batch_size)
    session = Session(parse_lesson(doc, "s.json"))
    session.run(2)
    for _ in range(3):
        session.step()
    return session_document(session)


SESSION = saved_session(batch_size=2)


def tampered(change):
    return changed(change, SESSION)


GOOD_CSV = "x1,x2,y\n1,2,0.5\n3,4,0.25\n5,6,1\n"
GOOGOL_CUBED = "1" + "0" * 400       # a whole number, not 1e400: too large for any float
DIGITS_5001 = "9" * 5001             # more digits than Python converts to a number at all


def written_number(change_at, literal, base=VALID):
    """The lesson text with ``literal`` written as it is (no JSON value holds it) at a place."""
    marker = "@number@"
    return changed(lambda doc: change_at(doc, marker), base).replace(f'"{marker}"', literal)


def set_at(*path):
    def change_at(doc, value):
        put(*path, value)(doc)
    return change_at


# A wide CSV (2 rows of 200 000 columns) naming 199 999 of them as features.
WIDE = 200_000
WIDE_CSV = ",".join(["1"] * WIDE) + "\n" + ",".join(["2"] * WIDE) + "\n"

# (id, lesson text — or the CSV options of a lesson reading data.csv —, {file name: content},
#  what the one line must contain)
LESSONS = [
    ("NaN inside X", changed(put("data", "X", 0, 0, "N")).replace('"N"', "NaN"), {},
     "NaN is not allowed"),
    ("-Infinity weight", changed(put("network", "weights", "W")).replace(
        '"W"', "[[[-Infinity, 1], [1, 1]], [[1], [1]]]"), {}, "-Infinity is not allowed"),
    ("1e400 learning rate", json.dumps(VALID).replace('"learning_rate": 0.1', '"learning_rate": 1e400'),
     {}, "training.learning_rate: expected a finite number"),
    ("1e400 in X", changed(put("data", "X", 0, 0, "N")).replace('"N"', "1e400"), {},
     "data.X row 1 column 1: expected a finite number"),
    ("17 layers", changed(put("network", "layers", [2] * 18)), {}, "17 layers is more than the limit of 16"),
    ("1025 hidden units", changed(put("network", "layers", [2, 1025, 1])), {},
     "network.layers[1]: 1025 is out of range; expected 1 to 1024"),
    ("1001 outputs", changed(put("network", "layers", [2, 2, 1001])), {},
     "network.layers[2]: 1001 is out of range; expected 1 to 1000"),
    ("over 5 000 000 weights", changed(put("network", "layers", [1000] + [1024] * 5 + [1000])),
     {}, "is more than the limit of 5000000"),
    ("epochs over the limit", changed(put("training", "epochs", 10_000_001)), {},
     "training.epochs: 10000001 is out of range; expected 1 to 10000000"),
    ("probabilities below 0 summing to 1", changed(lambda d: (
        d["network"].update(layers=[2, 2, 2], activation=["tanh", "softmax"]),
        d["training"].update(loss="cross_entropy"),
        d["data"].update(y=[[1.5, -0.5]] + [[0, 1]] * 4))), {},
     "data.y row 1: with softmax and cross_entropy"),
    ("y wider than the outputs", changed(put("data", "y", [[0, 1]] * 5)), {},
     "data.y row 1: expected 1 numbers"),
    ("batch size as text", changed(put("training", "batch_size", "all")), {},
     "training.batch_size: expected a whole number"),
    ("negative tolerance", changed(put("training", "tolerance", -0.01)), {}, "training.tolerance"),
    ("momentum as text", changed(put("training", "momentum", "high")), {},
     "training.momentum: expected a number"),
    ("title as a number", changed(put("title", 7)), {}, "title: expected text"),
    ("notes as a list", changed(put("notes", ["a"])), {}, "notes: expected text"),
    ("unknown presentation", changed(put("presentation", "both")), {},
     "presentation: 'both' is not one of"),
    ("step_notes as text", changed(put("step_notes", "hi")), {}, "step_notes: expected an object"),
    ("step note as a number", changed(put("step_notes", {"z1": 3})), {}, "step_notes.z1: expected text"),
    ("JSON nested 100 000 deep", "[" * 100_000 + "]" * 100_000, {}, "nested too deeply"),
    ("trailing comma", json.dumps(VALID)[:-1] + ",}", {}, "not valid JSON at line 1"),
    ("UTF-16 lesson", None, {}, "is not UTF-8 text"),
    ("data as a list", changed(put("data", [[0, 1]])), {}, "data: expected an object"),
    ("inline data and a dataset", changed(put("data", "dataset", "xor")), {},
     "data.dataset: unknown key"),
    ("samples as text", changed(put("data", {"dataset": "moons", "samples": "many"})), {},
     "data.samples"),
    ("zero samples", changed(put("data", {"dataset": "moons", "samples": 0})), {}, "data.samples"),
    ("negative noise", changed(put("data", {"dataset": "moons", "noise": -1})), {}, "data.noise"),
    ("samples over the limit", changed(put("data", {"dataset": "moons", "samples": 100_001})),
     {}, "data.samples"),
    ("unknown derived input", changed(put("data", {"dataset": "circle", "features": ["x1^9"]})),
     {}, "data.features[0]: 'x1^9' is not a derived feature"),
    ("text in a weight", changed(put("network", "weights", [[[1, "a"], [1, 1]], [[1], [1]]])),
     {}, "network.weights[0] row 1 column 2: expected a number"),
    ("biases of the wrong length", changed(put("network", "biases", [[0, 0, 0], [0]])), {},
     "network.biases[0] row 1: expected 2 numbers"),
    ("train_bias as text", changed(put("network", "train_bias", "no")), {},
     "network.train_bias: expected true or false"),
    ("seed over 2**63", changed(put("network", "seed", 2**64)), {}, "network.seed"),
    ("no layers", changed(put("network", "layers", [])), {}, "network.layers: needs at least"),
    ("true as a layer size", changed(put("network", "layers", [2, True, 1])), {},
     "network.layers[1]: expected a whole number"),
    ("a number as an activation", changed(put("network", "activation", ["tanh", 3])), {},
     "network.activation[1]: expected text"),
    ("version 0", changed(put("version", 0)), {}, "version: 0 is not a lesson version"),
    ("version 1.5", changed(put("version", 1.5)), {}, "version: expected the whole number 1"),
    ("null document", "null", {}, "expected an object"),
    ("a number document", "42", {}, "expected an object"),
    ("whitespace only", " \n\t\n", {}, "the file is empty"),
    # CSV data files named by a lesson
    ("CSV: 1e400", None, {"data.csv": "x1,x2,y\n1,2,3\n1e400,5,6\n"},
     "row 3, column 1 ('x1'): '1e400' is not a finite number"),
    ("CSV: NUL byte", None, {"data.csv": "x1,x2,y\n1,2,3\n4,\x005,6\n"},
     "row 3, column 2 ('x2')"),
    ("CSV: a PNG image", None, {"data.csv": b"\x89PNG\r\n\x1a\n\x00\x00"},
     "row 1, column 1: byte 0x89 is not UTF-8 text"),
    ("CSV: a 200 000-character field", None, {"data.csv": "x1,x2,y\n1,2,3\n" + "4" * 200_000 + ",5,6\n"},
     "row 3: cannot be read as CSV"),
    ("CSV: minmax of ±1e308", {"normalise": "minmax"}, {"data.csv": "x1,x2,y\n1e308,1,3\n-1e308,5,6\n"},
     "data.normalise: column 1 ('x1') of data.csv spans too wide a range"),
    ("CSV: zscore of ±1e308", {"normalise": "zscore"}, {"data.csv": "x1,x2,y\n1e308,1,3\n-1e308,5,6\n"},
     "data.normalise: column 1 ('x1')"),
    ("CSV: mixed delimiters", None, {"data.csv": "x1;x2,y\n1;2,3\n4;5,6\n"}, "row 2, column 1"),
    ("CSV: hexadecimal", None, {"data.csv": "x1,x2,y\n0x10,2,3\n"}, "'0x10' is not a number"),
    ("CSV: test_fraction as text", {"test_fraction": "half"}, {"data.csv": GOOD_CSV},
     "data.test_fraction: expected a number"),
    ("CSV: a folder", {"csv": "folder"}, {"folder/": None}, "is a folder, not a CSV file"),
    ("CSV: one_hot as text", {"one_hot": "yes"}, {"data.csv": GOOD_CSV},
     "data.one_hot: expected true or false"),
    ("CSV: header as text", {"header": "yes"}, {"data.csv": GOOD_CSV},
     "data.header: expected true or false"),
    # saved sessions
    ("session: truncated file", json.dumps(SESSION)[: len(json.dumps(SESSION)) // 2], {},
     "not valid JSON"),
    ("session: future version", tampered(put("version", 99)), {}, "made by a newer Backprop Tracer"),
    ("session: negative epoch", tampered(put("session", "epoch", -1)), {}, "session.epoch"),
    ("session: text losses", tampered(lambda d: d["session"].update(
        loss_history=["low"] * len(d["session"]["loss_history"]))), {},
     "session.loss_history[0]: expected a number"),
    ("session: order not a permutation", tampered(put("session", "order", [0, 0, 1, 2, 3])), {},
     "session.order: expected each sample index 0..4 once"),
    ("session: batch out of range", tampered(put("session", "batch", 7)), {}, "session.batch"),
    ("session: generator state out of range", tampered(
        lambda d: d["session"]["rng_state"]["state"].update(state=-1)), {}, "session.rng_state"),
    ("session: a null weight", tampered(lambda d: d["session"]["weights"][0][0].__setitem__(0, None)),
     {}, "session.weights[0] row 1 column 1: expected a number"),
    ("session: velocities without momentum", tampered(put("session", "velocities", {"weights": []})),
     {}, "session.velocities: must be null"),
    ("session: step as a number", tampered(put("session", "step", 4)), {}, "session.step"),
    ("session: not an object", tampered(put("session", [1, 2])), {}, "session: expected an object"),
    # whole numbers too large for a float (issue 21, family 1)
    ("learning rate 1 and 400 zeros", written_number(set_at("training", "learning_rate"),
                                                     GOOGOL_CUBED), {},
     "training.learning_rate: expected a finite number"),
    ("learning rate of 5001 digits", written_number(set_at("training", "learning_rate"),
                                                    DIGITS_5001), {},
     "training.learning_rate: expected a finite number"),
    ("1 and 400 zeros in X", written_number(set_at("data", "X", 0, 0), GOOGOL_CUBED), {},
     "data.X row 1 column 1: expected a finite number"),
    ("-5001 digits in y", written_number(set_at("data", "y", 2, 0), "-" + DIGITS_5001), {},
     "data.y row 3 column 1: expected a finite number"),
    ("a weight of 400 digits", written_number(set_at("network", "weights"),
                                              f"[[[{GOOGOL_CUBED}, 1], [1, 1]], [[1], [1]]]"),
     {}, "network.weights[0] row 1 column 1: expected a finite number"),
    ("epochs of 401 digits", written_number(set_at("training", "epochs"), GOOGOL_CUBED), {},
     "training.epochs: 100000000000… (401 digits) is out of range; expected 1 to 10000000"),
    ("5001 digits, then a trailing comma", json.dumps(VALID)[:-1] + f', "n": {DIGITS_5001},}}',
     {}, "not valid JSON at line 1"),
    ("seed of 5001 digits", written_number(set_at("network", "seed"), DIGITS_5001), {},
     "network.seed: expected a whole number"),
    ("session: a weight of 400 digits", written_number(set_at("session", "weights", 0, 0, 0),
                                                       GOOGOL_CUBED, SESSION), {},
     "session.weights[0] row 1 column 1: expected a finite number"),
    ("session: a loss of 400 digits", written_number(set_at("session", "loss_history", 0),
                                                     GOOGOL_CUBED, SESSION), {},
     "session.loss_history[0]: expected a finite number"),
    ("session: loss_sum of 400 digits", written_number(set_at("session", "loss_sum"),
                                                       GOOGOL_CUBED, SESSION), {},
     "session.loss_sum: expected a finite number"),
    # session.order of mixed types (family 2)
    ("session: order with text", tampered(put("session", "order", [0, "1", 2, 3, 4])), {},
     "session.order: expected each sample index 0..4 once"),
    ("session: order with a list", tampered(put("session", "order", [[0], 1, 2, 3, 4])), {},
     "session.order: expected each sample index 0..4 once"),
    ("session: order with null", tampered(put("session", "order", [None, 1, 2, 3, 4])), {},
     "session.order: expected each sample index 0..4 once"),
    ("session: order with an object", tampered(put("session", "order", [{}, 1, 2, 3, 4])), {},
     "session.order: expected each sample index 0..4 once"),
    # text beyond the stated lengths (family 9)
    ("a 201-character title", changed(put("title", "T" * 201)), {},
     "title: 201 characters is more than the limit of 200"),
    ("2 MB of notes", changed(put("notes", "N" * 2_000_000)), {},
     "notes: 2000000 characters is more than the limit of 20000"),
    ("a 1001-character source", changed(put("source", "S" * 1001)), {},
     "source: 1001 characters is more than the limit of 1000"),
    ("a 10 000 000-character step note", changed(put("step_notes", {"z1": "S" * 10_000_000})), {},
     "step_notes.z1: 10000000 characters is more than the limit of 4000"),
    # CSV (families 8 and 11)
    ("CSV: an unclosed quote on row 2", None, {"data.csv": 'x1,x2,y\n"1,2,3\n4,5,6\n'},
     "data.csv: row 2: a quote (\") opens a field that is never closed"),
    ("CSV: an unclosed quote after a semicolon", None, {"data.csv": 'a;b;c\n1;2;3\n4;"5;6\n'},
     "data.csv: row 3: a quote"),
    ("CSV: 199 999 feature columns", {"features": list(range(WIDE - 1)), "target": [WIDE - 1]},
     {"data.csv": WIDE_CSV}, "data.features: 199999 feature columns is more than the limit of 1000"),
]


def _write_case(tmp_path, text, options, files):
    for name, content in files.items():
        if name.endswith("/"):
            (tmp_path / name).mkdir()
        elif isinstance(content, bytes):
            (tmp_path / name).write_bytes(content)
        else:
            (tmp_path / name).write_text(content, encoding="utf-8", newline="")
    path = tmp_path / "bad lesson.json"
    if text is None and (files or options):
        doc = copy.deepcopy(VALID)
        doc["data"] = {"csv": "data.csv", **(options or {})}
        text = json.dumps(doc)
    if text is None:  # the UTF-16 case
        path.write_bytes(json.dumps(VALID).encode("utf-16"))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder):
    return {p: (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def run_cli(capsys, argv):
    try:
        code = cli_main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's refusals
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_refused(code, out, err, expected):
    assert code == 2, (code, out, err)
    assert "Traceback" not in err + out
    lines = err.strip().splitlines()
    assert lines and expected in lines[-1], err
    usage = lines[:-1]  # argparse shows its usage (possibly wrapped) above the message
    assert not usage or (usage[0].startswith("usage: ")
                         and all(line.startswith(" ") for line in usage[1:])), err


@pytest.mark.parametrize("text,files,expected", [c[1:] for c in LESSONS],
                         ids=[c[0] for c in LESSONS])
def test_bad_files_exit_2_with_one_line(tmp_path, capsys, text, files, expected):
    options = None
    if isinstance(text, dict):  # the options of a lesson that reads data.csv
        text, options = None, text
    lesson = _write_case(tmp_path, text, options, files)
    before = snapshot(tmp_path)
    code, out, err = run_cli(capsys, ["run", lesson, "--json", tmp_path / "run.json"])
    assert_refused(code, out, err, expected)
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(("bad lesson.json: ", "lesson.json")), err
    assert snapshot(tmp_path) == before  # nothing changed, no run record written


def test_a_2_gb_lesson_is_refused_before_reading(tmp_path, capsys):
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(2 * 2**30)  # sparse: costs no disk, and must never be read
    code, out, err = run_cli(capsys, ["run", huge])
    assert_refused(code, out, err, "huge.json: the file is 2048 MB; the limit for a lesson "
                                   "file is 64 MB")
    assert huge.stat().st_size == 2 * 2**30


# (id, arguments after "run", what the last line must contain)
COMMAND_LINES = [
    ("epochs in exponent form", ["one_weight", "--epochs", "1e3"], "--epochs: expected a whole number"),
    ("negative epochs", ["one_weight", "--epochs", "-5"], "-5 is out of range; expected 1 to 10000000"),
    ("empty epochs", ["one_weight", "--epochs", ""], "--epochs: expected a whole number, got ''"),
    ("20-digit epochs", ["one_weight", "--epochs", "9" * 20], "is out of range; expected 1 to"),
    ("run record into a folder", ["one_weight", "--json", "{tmp}"], "cannot write the run record"),
    ("empty run record name", ["one_weight", "--json", ""], "--json: expected a file name"),
    ("workbook in a missing folder", ["one_weight", "--xlsx", "{tmp}/no/w.xlsx"],
     "cannot write the workbook"),
    ("empty lesson name", [""], "the lesson name is empty"),
    ("NUL in the lesson name", ["x\x00y.json"], "cannot contain a NUL character"),
    ("two lessons", ["one_weight", "xor_biases"], "unrecognized arguments: xor_biases"),
    ("unknown option", ["one_weight", "--learning-rate", "5"], "unrecognized arguments"),
    ("a lesson id with a typo", ["one_wieght"], "no such lesson file or built-in lesson id"),
    ("a control character in the script name", ["one_weight", "--script", "{tmp}/a\x01b.py"],
     "--script: expected a file name without control characters"),
    ("a line break in the run record name", ["one_weight", "--json", "{tmp}/run\n.json"],
     "--json: expected a file name without control characters"),
    ("an escape in the workbook name", ["one_weight", "--xlsx", "{tmp}/\x1b[31mw.xlsx"],
     "--xlsx: expected a file name without control characters"),
]


@pytest.mark.parametrize("args,expected", [c[1:] for c in COMMAND_LINES],
                         ids=[c[0] for c in COMMAND_LINES])
def test_bad_command_lines_exit_2(tmp_path, capsys, args, expected):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    before = snapshot(tmp_path)
    code, out, err = run_cli(capsys, ["run", *args])
    assert_refused(code, out, err, expected)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("argv,expected", [([], "required: command"),
                                           (["train", "x"], "invalid choice: 'train'")],
                         ids=["no command", "unknown command"])
def test_bad_commands_exit_2(capsys, argv, expected):
    assert_refused(*run_cli(capsys, argv), expected)


def test_catalogue_size():
    """The catalogue's figures, as the issue asks (with tests/bad_inputs/test_bad_window_inputs)."""
    assert len(LESSONS) + 1 + len(COMMAND_LINES) + 2 >= 60
    assert len(LESSONS) + 1 + len(COMMAND_LINES) + 2 + len(SPECIAL_FILES) >= 110  # issue 21
    assert os.path.basename(__file__).startswith("test_bad_")


# Special files (issue 21, family 3): each is run in its own process, so that
# a FIFO that blocks or a device that fills the memory fails the test within
# the timeout instead of hanging or exhausting the test run.
ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP = 3 * 2**30


def _capped_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _csv_lesson(folder, csv_path):
    doc = copy.deepcopy(VALID)
    doc["data"] = {"csv": str(csv_path)}
    path = folder / "lesson.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


SPECIAL_FILES = [
    ("a FIFO as the lesson", lambda d: _fifo(d / "f.json"),
     "{folder}/f.json: is a named pipe (FIFO), not a lesson file"),
    ("/dev/zero as the lesson", lambda d: Path("/dev/zero"),
     "/dev/zero: is a device, not a lesson file"),
    ("a link to /dev/urandom as the lesson", lambda d: _link(d / "random.json", "/dev/urandom"),
     "{folder}/random.json: is a device, not a lesson file"),
    ("a FIFO as the CSV", lambda d: _csv_lesson(d, _fifo(d / "fifo.csv")),
     "lesson.json: data.csv: " + "{folder}/fifo.csv: is a named pipe (FIFO), not a CSV file"),
    ("/dev/urandom as the CSV", lambda d: _csv_lesson(d, "/dev/urandom"),
     "lesson.json: data.csv: /dev/urandom: is a device, not a CSV file"),
    ("/dev/zero as the CSV", lambda d: _csv_lesson(d, "/dev/zero"),
     "lesson.json: data.csv: /dev/zero: is a device, not a CSV file"),
]


def _fifo(path):
    os.mkfifo(path)
    return path


def _link(path, target):
    path.symlink_to(target)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev are POSIX")
@pytest.mark.parametrize("make,expected", [c[1:] for c in SPECIAL_FILES],
                         ids=[c[0] for c in SPECIAL_FILES])
def test_special_files_are_refused_without_opening_them(tmp_path, make, expected):
    lesson = make(tmp_path)
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", str(lesson)],
                            capture_output=True, text=True, timeout=20, cwd=tmp_path,
                            preexec_fn=_capped_memory)
    assert time.monotonic() - started < 20
    assert result.returncode == 2, (result.returncode, result.stderr[-500:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [expected.replace("{folder}", str(tmp_path))], result.stderr[-500:]


def test_reading_stops_past_the_limit_whatever_size_the_file_states(tmp_path, monkeypatch):
    """A file that says it is small but holds more (as /proc files do) is read no further."""
    lesson = tmp_path / "growing.json"
    lesson.write_text(json.dumps(VALID), encoding="utf-8")
    with open(lesson, "r+b") as handle:
        handle.truncate(limits.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    real_stat = os.stat

    def small_stat(path, *args, **kwargs):  # the size a /proc file states: 0
        result = real_stat(path, *args, **kwargs)
        if str(path) == str(lesson):
            return os.stat_result((*result[:6], 0, *result[7:]))
        return result
    monkeypatch.setattr(os, "stat", small_stat)
    with pytest.raises(LessonError, match=r"growing.json: the file holds more than 64 MB; the "
                                          r"limit for a lesson file is 64 MB"):
        load_lesson(lesson)


def test_199_999_feature_columns_are_refused_before_any_work(tmp_path, capsys):
    """Family 8: the refusal takes well under a second, not minutes (no quadratic check)."""
    (tmp_path / "data.csv").write_text(WIDE_CSV, encoding="utf-8")
    table = read_csv_table(tmp_path / "data.csv", header=False)
    started = time.perf_counter()
    with pytest.raises(LessonError, match="features: 199999 feature columns is more than the "
                                          "limit of 1000"):
        build_dataset(table, list(range(WIDE - 1)), [WIDE - 1])
    names = [f"column {j}" for j in range(WIDE)]
    named = CsvTable("data.csv", ",", tuple(names), table.rows, table.row_numbers, 1)
    # 999 feature columns by name (within the limit): each is found without searching the header
    dataset = build_dataset(named, names[-1000:-1], [names[0]])
    assert dataset.X.shape == (2, 999)
    assert time.perf_counter() - started < 2.0


def test_a_run_record_through_a_symbolic_link_updates_its_target(tmp_path, capsys):
    """Family 11: the link stays a link and the file it points to gets the record."""
    target = tmp_path / "records" / "run.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    code, out, err = run_cli(capsys, ["run", "one_weight", "--epochs", "2", "--json", link])
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert json.loads(target.read_text(encoding="utf-8"))["epochs"] == 2
    assert sorted(p.name for p in target.parent.iterdir()) == ["run.json"]  # no temporary left


def test_a_workbook_of_a_diverged_session_is_written(tmp_path):
    """Family 11: three iterations whose weights become inf and NaN are still consecutive."""
    doc = lesson_doc((2, 2, 1), activation="linear", loss="sse", learning_rate=1e300)
    session = Session(parse_lesson(doc, "diverging.json"))
    path = tmp_path / "diverged.xlsx"
    with np.errstate(all="ignore"):
        second = record_iteration(session.trainer, record_iteration(session.trainer,
                                                                    session.state).end)
    assert np.isnan(second.end.params.flat).any()  # the case: NaN weights between two sheets
    sheets = write_workbook(session, path, iterations=3)
    assert len(sheets) == 3 and path.stat().st_size > 0

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

import pytest

from engine.cli import main as cli_main
from engine.lesson import parse_lesson
from engine.session import Session
from engine.session_file import session_document
from helpers import lesson_doc

VALID = lesson_doc((2, 2, 1), epochs=3)


def changed(change, base=VALID):
    doc = copy.deepcopy(base)
    change(doc)
    return json.dumps(doc)


def put(*path_and_value):
    *path, value = path_and_value

    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


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
    assert os.path.basename(__file__).startswith("test_bad_")

"""Malformed lesson files: exit status 2, one clear line naming what and where."""
import copy
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from helpers import lesson_doc, set_key

VALID = lesson_doc((2, 2, 1), epochs=3)


def mutate(change):
    doc = copy.deepcopy(VALID)
    change(doc)
    return doc


def delete_key(path):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


# (case id, file text or document, text the message must contain)
CASES = [
    ("not json", "{this is not json", "not valid JSON at line 1"),
    ("empty file", "", "empty"),
    ("a list, not an object", "[1, 2]", "expected an object"),
    ("NaN literal", json.dumps(VALID).replace('"learning_rate": 0.1', '"learning_rate": NaN'),
     "NaN is not allowed"),
    ("Infinity literal", json.dumps(VALID).replace('"l2": 0.0', '"l2": Infinity'),
     "Infinity is not allowed"),
    ("missing format", mutate(delete_key(["format"])), "format: missing"),
    ("wrong format", mutate(set_key(["format"], "something.else")), "format: expected"),
    ("future version", mutate(set_key(["version"], 2)), "newer Backprop Tracer"),
    ("version as text", mutate(set_key(["version"], "1")), "version: expected the whole number"),
    ("missing data", mutate(delete_key(["data"])), "data: missing"),
    ("missing layers", mutate(delete_key(["network", "layers"])), "network.layers: missing"),
    ("unknown top key", mutate(set_key(["colour"], "red")), "colour: unknown key"),
    ("unknown network key", mutate(set_key(["network", "neurons"], 3)),
     "network.neurons: unknown key"),
    ("unknown training key", mutate(set_key(["training", "optimizer"], "adam")),
     "training.optimizer: unknown key"),
    ("layers not a list", mutate(set_key(["network", "layers"], 3)), "network.layers"),
    ("zero-sized layer", mutate(set_key(["network", "layers"], [2, 0, 1])),
     "network.layers[1]: 0 is out of range"),
    ("negative layer", mutate(set_key(["network", "layers"], [2, -3, 1])),
     "network.layers[1]"),
    ("10 000 layers", mutate(set_key(["network", "layers"], [2] * 10001)), "more than the limit"),
    ("fractional layer size", mutate(set_key(["network", "layers"], [2, 2.5, 1])),
     "network.layers[1]: expected a whole number"),
    ("unknown activation", mutate(set_key(["network", "activation"], "swish")),
     "network.activation: 'swish' is not one of"),
    ("activation list too short", mutate(set_key(["network", "activation"], ["tanh"])),
     "expected 2 names"),
    ("softmax on a hidden layer", mutate(set_key(["network", "activation"], ["softmax", "sigmoid"])),
     "softmax"),
    ("softmax with squared error", mutate(set_key(["network", "activation"], ["tanh", "softmax"])),
     "cross_entropy"),
    ("cross-entropy without softmax", mutate(set_key(["training", "loss"], "cross_entropy")),
     "training.loss: cross_entropy needs a softmax"),
    ("bce with tanh output", mutate(lambda d: (d["network"].update(activation="tanh"),
                                               d["training"].update(loss="binary_cross_entropy"))),
     "binary_cross_entropy needs a sigmoid"),
    ("unknown loss", mutate(set_key(["training", "loss"], "hinge")), "training.loss"),
    ("unknown init", mutate(set_key(["network", "init"], "zeros")), "network.init"),
    ("negative learning rate", mutate(set_key(["training", "learning_rate"], -0.1)),
     "training.learning_rate"),
    ("zero learning rate", mutate(set_key(["training", "learning_rate"], 0)),
     "training.learning_rate"),
    ("learning rate as text", mutate(set_key(["training", "learning_rate"], "fast")),
     "training.learning_rate: expected a number"),
    ("momentum of 1", mutate(set_key(["training", "momentum"], 1.0)), "training.momentum"),
    ("negative l2", mutate(set_key(["training", "l2"], -1)), "training.l2"),
    ("zero epochs", mutate(set_key(["training", "epochs"], 0)), "training.epochs"),
    ("zero batch size", mutate(set_key(["training", "batch_size"], 0)), "training.batch_size"),
    ("bias as text", mutate(set_key(["network", "bias"], "yes")), "network.bias: expected true"),
    ("negative seed", mutate(set_key(["network", "seed"], -1)), "network.seed"),
    ("empty X", mutate(set_key(["data", "X"], [])), "data.X: expected a non-empty list"),
    ("ragged X", mutate(set_key(["data", "X"], [[0, 0], [0, 1], [1], [1, 1], [0, 0]])),
     "data.X row 3: expected 2 numbers"),
    ("X wider than the input layer", mutate(set_key(["data", "X"], [[0, 0, 1]] * 5)),
     "data.X row 1: expected 2 numbers"),
    ("text in X", mutate(lambda d: d["data"]["X"][1].__setitem__(0, "one")),
     "data.X row 2 column 1: expected a number"),
    ("boolean in y", mutate(lambda d: d["data"]["y"][0].__setitem__(0, True)),
     "data.y row 1 column 1"),
    ("X and y rows differ", mutate(lambda d: d["data"]["y"].pop()), "data.y: has 4 rows"),
    ("y missing", mutate(delete_key(["data", "y"])), "data.y: missing"),
    ("unknown dataset", mutate(set_key(["data"], {"dataset": "mnist"})),
     "data.dataset: 'mnist' is not a built-in"),
    ("weights of the wrong shape", mutate(set_key(["network", "weights"], [[[1, 2]], [[1], [2]]])),
     "network.weights[0]"),
    ("biases with bias false", mutate(lambda d: d["network"].update(
        bias=False, biases=[[0, 0], [0]])), "network.biases: must be null"),
    ("step note for a missing step", mutate(set_key(["step_notes"], {"z7": "hello"})),
     "step_notes.z7: is not a step"),
    ("step note naming a matrix the network lacks",
     mutate(set_key(["step_notes"], {"z1": "{z1} = X·{W1} + {b3}"})),
     "step_notes.z1: {b3} names no step or input of this network"),
    ("step note with a lone brace", mutate(set_key(["step_notes"], {"a1": "{a1} = σ{z1"})),
     "step_notes.a1: the '{' at character 9 opens or closes no placeholder"),
    ("one-hot rows that do not sum to 1", mutate(lambda d: (
        d["network"].update(layers=[2, 2, 2], activation=["tanh", "softmax"]),
        d["training"].update(loss="cross_entropy"),
        d["data"].update(y=[[1, 1], [0, 1], [1, 0], [0, 1], [1, 0]]))),
     "data.y row 1: with softmax and cross_entropy"),
    ("duplicate key", '{"format": "backprop-tracer.lesson", "format": "x"}', "appears twice"),
    # json.dumps escapes the half character as \\ud800, which json.loads accepts.
    ("lone surrogate in the title", mutate(lambda doc: doc.update(title="half \ud800 a")),
     "the key 'title' holds a lone surrogate"),
]


@pytest.mark.parametrize("text,expected", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_lesson_exits_2_with_one_clear_line(tmp_path, text, expected):
    path = tmp_path / "bad lesson.json"
    path.write_text(text if isinstance(text, str) else json.dumps(text), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("bad lesson.json: "), lines[0]
    assert expected in lines[0], lines[0]


def test_not_utf8_and_too_large_files(tmp_path):
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", str(binary)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "UTF-8" in result.stderr
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(65 * 2**20)  # sparse: the size check must refuse it before reading
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", str(huge)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "limit" in result.stderr


def test_the_valid_base_lesson_runs(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(VALID), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

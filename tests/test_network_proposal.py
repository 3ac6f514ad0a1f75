"""The network proposed for new data (engine.network_proposal): chosen from the data's
size and kind, paired as DESIGN.md section 2 allows, and able to learn; typed fields read
with messages that name the field."""
from __future__ import annotations

import numpy as np
import pytest

from engine.csv_import import csv_summary, read_csv_table
from engine.datasets import DATASET_NAMES, make_dataset
from engine.errors import LessonError
from engine.lesson import LESSON_FORMAT, LESSON_VERSION, parse_lesson
from engine.losses import check_pairing
from engine.network_proposal import (DataSummary, NetworkChoice, propose_network, read_choice,
                                     target_kind)
from engine.session import Session

AND_OR = np.array([[0, 0], [0, 1], [0, 1], [1, 1]], dtype=float)
INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def lesson_for(choice: NetworkChoice, X: np.ndarray, y: np.ndarray):
    network, training = choice.documents()
    return parse_lesson({"format": LESSON_FORMAT, "version": LESSON_VERSION,
                         "data": {"X": X.tolist(), "y": y.tolist()},
                         "network": network, "training": training}, "proposal")


def fields(choice: NetworkChoice, **typed) -> dict[str, str]:
    texts = {"hidden": ", ".join(map(str, choice.hidden)),
             "hidden_activation": choice.hidden_activation,
             "output_activation": choice.output_activation, "loss": choice.loss,
             "learning_rate": str(choice.learning_rate),
             "batch_size": "full" if choice.batch_size is None else str(choice.batch_size),
             "momentum": str(choice.momentum), "epochs": str(choice.epochs), "init": choice.init}
    return {**texts, **typed}


def test_target_kinds():
    assert target_kind(np.array([[0.0], [1.0]])) == "binary"
    assert target_kind(AND_OR) == "labels"
    assert target_kind(np.eye(3)) == "classes"
    assert target_kind(np.array([[0.5], [1.0]])) == "regression"
    assert target_kind(np.array([[0.0, 0.0], [1.0, 1.0]])) == "labels"


def test_a_four_row_and_or_table_gets_a_small_full_batch_network():
    """Not the spiral lesson's 2-16-16-1, momentum 0.9, batch 32, 3 000 epochs."""
    choice = propose_network(DataSummary.of(INPUTS, AND_OR))
    assert choice.layers == [2, 4, 2]
    assert (choice.output_activation, choice.loss) == ("sigmoid", "binary_cross_entropy")
    assert choice.batch_size is None and choice.momentum == 0.0
    assert choice.epochs == 1000


def test_the_output_and_loss_follow_the_kind_of_target():
    expected = {"binary": ("sigmoid", "binary_cross_entropy"),
                "labels": ("sigmoid", "binary_cross_entropy"),
                "classes": ("softmax", "cross_entropy"), "regression": ("linear", "mse")}
    for kind, pair in expected.items():
        choice = propose_network(DataSummary(2, 3, 200, kind))
        assert (choice.output_activation, choice.loss) == pair
        assert check_pairing(choice.loss, choice.activations) is None
    with pytest.raises(ValueError, match="unknown target kind"):
        propose_network(DataSummary(2, 1, 4, "ranking"))


def test_large_data_trains_in_mini_batches_with_momentum():
    digits = make_dataset("digits")
    choice = propose_network(DataSummary.of(digits.X, digits.y))
    assert choice.layers == [64, 32, 10]
    assert (choice.batch_size, choice.momentum) == (32, 0.9)
    assert 10 <= choice.epochs <= 1000
    huge = propose_network(DataSummary(4, 1, 100_000, "binary"))
    assert huge.epochs == 10 and huge.layers == [4, 32, 1]


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_every_built_in_set_gets_a_network_its_lesson_accepts(name):
    data = make_dataset(name)
    choice = propose_network(DataSummary.of(data.X, data.y))
    network, training = choice.documents()
    lesson = parse_lesson({"format": LESSON_FORMAT, "version": LESSON_VERSION,
                           "data": {"dataset": name}, "network": network,
                           "training": training}, name, data=data)
    assert lesson.architecture.layers[0] == data.X.shape[1]
    assert lesson.architecture.layers[-1] == data.y.shape[1]


@pytest.mark.parametrize("y", [AND_OR, np.array([[0], [1], [1], [0]], dtype=float)],
                         ids=["and+or", "xor"])
def test_the_proposal_for_a_truth_table_learns_it(y):
    choice = propose_network(DataSummary.of(INPUTS, y))
    session = Session(lesson_for(choice, INPUTS, y))
    session.run(choice.epochs)
    outputs = session.trainer.predict(session.params, INPUTS)
    np.testing.assert_array_equal(outputs >= 0.5, y == 1)


def test_the_proposal_for_the_plane_fits_it():
    data = make_dataset("plane")
    choice = propose_network(DataSummary.of(data.X, data.y))
    session = Session(lesson_for(choice, data.X, data.y))
    report = session.run(choice.epochs)
    assert report.losses[-1] < 0.02          # the noise alone gives about σ² = 0.01


def test_typed_fields_are_read():
    choice = propose_network(DataSummary.of(INPUTS, AND_OR))
    read = read_choice(DataSummary.of(INPUTS, AND_OR),
                       fields(choice, hidden="6, 3", learning_rate=" 0.25 ", batch_size="2",
                              momentum="0.5", epochs="40", hidden_activation="relu"))
    assert read.layers == [2, 6, 3, 2] and read.activations == ["relu", "relu", "sigmoid"]
    assert (read.learning_rate, read.batch_size, read.momentum, read.epochs) == (0.25, 2, 0.5,
                                                                                 40)
    assert read_choice(DataSummary.of(INPUTS, AND_OR), fields(choice, hidden="")).layers == [2, 2]
    assert read_choice(DataSummary.of(INPUTS, AND_OR),
                       fields(choice, batch_size="")).batch_size is None


@pytest.mark.parametrize("typed, message", [
    ({"learning_rate": "fast"}, "Learning rate: 'fast' is not a number; expected a positive"),
    ({"learning_rate": "\u22120.5"}, "Learning rate: -0.5 is not positive"),
    ({"learning_rate": ""}, "Learning rate: is empty"),
    ({"hidden": "4, x"}, "Hidden layers: 'x' is not a whole number"),
    ({"hidden": "0"}, "Hidden layers: 0 is out of range"),
    ({"batch_size": "32"}, "Batch size: 32 is out of range; expected 'full' (all 4 training "
                           "rows at once) or a whole number of rows 1 to 4"),
    ({"momentum": "1"}, "Momentum: 1 is out of range"),
    ({"epochs": "2.5"}, "Epochs: '2.5' is not a whole number"),
    ({"epochs": "1" + "0" * 30}, "Epochs: 1000000000000000000000000000000 is out of range"),
    ({"loss": "mse", "output_activation": "softmax"},
     "Loss: a softmax output layer needs the cross_entropy loss, not mse"),
    ({"loss": "binary_cross_entropy", "output_activation": "linear"},
     "Loss: binary_cross_entropy needs a sigmoid output layer, not linear"),
    ({"hidden_activation": "softmax"}, "Hidden activation: 'softmax' is not one of"),
])
def test_a_bad_field_is_named_in_one_line(typed, message):
    summary = DataSummary.of(INPUTS, AND_OR)
    with pytest.raises(LessonError) as caught:
        read_choice(summary, fields(propose_network(summary), **typed))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_csv_summary_reads_only_what_the_proposal_needs(tmp_path):
    path = tmp_path / "gates.csv"
    path.write_text("x1,x2,and,or\n0,0,0,0\n0,1,0,1\n1,0,0,1\n1,1,1,1\n", encoding="utf-8")
    table = read_csv_table(path)
    assert csv_summary(table, ["x1", "x2"], ["and", "or"]) == DataSummary(2, 2, 4, "labels")
    assert csv_summary(table, [0, 1], [3], test_fraction=0.25) == DataSummary(2, 1, 3, "binary")
    assert csv_summary(table, [0], [2, 3]).inputs == 1
    assert csv_summary(table, [0, 1], [3], one_hot=True).kind == "classes"
    animals = tmp_path / "animals.csv"
    animals.write_text("h,w,animal\n1,2,cat\n3,4,dog\n", encoding="utf-8")
    with pytest.raises(LessonError, match=r"row 2, column 3 \('animal'\): 'cat' is not a "
                                          r"number.*one_hot"):
        csv_summary(read_csv_table(animals), [0, 1], [2])


def test_a_data_set_summary_counts_the_training_rows():
    data = make_dataset("moons", 100, test_fraction=0.2)
    assert DataSummary.of(data.X, data.y) == DataSummary(2, 1, 80, "binary")

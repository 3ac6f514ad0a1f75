"""Small builders shared by the engine tests."""
from __future__ import annotations

import numpy as np

from engine.activations import Activation
from engine.formula import Fragment
from engine.lesson import parse_lesson

SAFE_FUNCTIONS = {"exp": np.exp, "log": np.log, "tanh": np.tanh, "max": max, "abs": abs,
                  "__builtins__": {}}


def lesson_doc(layers=(2, 3, 1), activation="sigmoid", loss="half_sse", *, X=None, y=None,
               seed=0, init="uniform", bias=True, train_bias=True, learning_rate=0.1,
               batch_size=None, epochs=10, l2=0.0, momentum=0.0, tolerance=None, title="test"):
    """A valid lesson document with random data of the right shapes."""
    rng = np.random.default_rng(1234 + seed)
    m = 5
    if X is None:
        X = rng.uniform(-1, 1, (m, layers[0])).round(3).tolist()
    if y is None:
        k = layers[-1]
        if loss == "cross_entropy":
            labels = rng.integers(0, k, len(X))
            y = np.eye(k)[labels].tolist()
        elif loss == "binary_cross_entropy":
            y = rng.integers(0, 2, (len(X), k)).astype(float).tolist()
        else:
            y = rng.uniform(0, 1, (len(X), k)).round(3).tolist()
    return {
        "format": "backprop-tracer.lesson", "version": 1, "title": title,
        "data": {"X": X, "y": y},
        "network": {"layers": list(layers), "activation": activation, "bias": bias,
                    "train_bias": train_bias, "init": init, "seed": seed},
        "training": {"loss": loss, "learning_rate": learning_rate, "batch_size": batch_size,
                     "epochs": epochs, "l2": l2, "momentum": momentum, "tolerance": tolerance},
    }


def set_key(path, value):
    """A change that sets the key at ``path`` (a list of keys) of a lesson document."""
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def make_lesson(*args, **kwargs):
    return parse_lesson(lesson_doc(*args, **kwargs), "test.json")


def evaluate(expression: str) -> float:
    """Evaluate a CellExplanation expression (plain arithmetic and exp/log/tanh/max/abs)."""
    return float(eval(expression, SAFE_FUNCTIONS))  # noqa: S307 - test-only, our own strings


class Softsign(Activation):
    """A made-up activation, registered only by the test below: a = z/(1 + |z|)."""

    name = "softsign"
    symbol = "z/(1 + |z|)"
    slope_symbol = "1/(1 + |z|)²"
    slope_from_z = True
    fragment = Fragment("softsign", "{x}/(1 + |{x}|)", "{x}/(1 + abs({x}))", "{x}/(1+ABS({x}))",
                        "{x} / (1 + np.abs({x}))")
    slope_fragment = Fragment("", "1/(1 + |{x}|)²", "1/(1 + abs({x}))**2", "1/(1+ABS({x}))^2",
                              "1 / (1 + np.abs({x})) ** 2")

    def forward_operations(self, z, out):
        denominator = np.empty(np.shape(z))  # a buffer of its own, which the script must make
        return [(np.abs, (z, denominator)), (np.add, (denominator, 1.0, denominator)),
                (np.divide, (z, denominator, out))]

    def slope_operations(self, z, a, out):
        return [(np.abs, (z, out)), (np.add, (out, 1.0, out)), (np.multiply, (out, out, out)),
                (np.divide, (1.0, out, out))]

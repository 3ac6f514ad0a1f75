"""The network's shape and its trainable numbers.

``Architecture`` says what the network is (layer sizes, activations, biases);
``Parameters`` holds every weight and bias in one flat float64 buffer, with a
view per layer:

* ``block(l)`` — shape (n_{l-1} + 1, n_l) with biases, (n_{l-1}, n_l)
  without: the weights with the bias as an extra last row, so that a layer
  input is one matrix product of its augmented input (a column of ones
  appended) with this block;
* ``weight(l)`` — shape (n_{l-1}, n_l), the first rows of the block;
* ``bias(l)`` — shape (n_l,), its last row, or None.

Layers are numbered 1..L as in DESIGN.md. One flat buffer means one update,
one finiteness check and one copy per checkpoint, whatever the depth.
"""
from __future__ import annotations


import numpy as np

from .activations import get_activation
from .value_type import value_type

__all__ = ["Architecture", "Parameters", "INITIALISATIONS", "initial_parameters"]

INITIALISATIONS = ("uniform", "normal", "epsilon", "xavier", "he")
EPSILON_INIT = 0.12  # seed 002's ±0.12 range


@value_type
class Architecture:
    """The network's layer sizes, activations and bias flags.

    Attributes
    ----------
    layers : tuple of int
        [n0, n1, ..., nL]: inputs, hidden sizes, outputs.
    activations : tuple of str
        One activation name per layer 1..L.
    bias : bool
        Whether every layer 1..L has a bias.
    train_bias : bool
        Whether biases are updated by training.
    """

    layers: tuple[int, ...]
    activations: tuple[str, ...]
    bias: bool = True
    train_bias: bool = True

    @property
    def depth(self) -> int:
        """L, the number of layers with weights."""
        return len(self.layers) - 1

    def activation(self, layer: int):
        """The Activation object of layer ``layer`` (1..L)."""
        return get_activation(self.activations[layer - 1])

    def block_shape(self, layer: int) -> tuple[int, int]:
        """Shape of the weights-plus-bias block of ``layer``."""
        return self.layers[layer - 1] + int(self.bias), self.layers[layer]

    @property
    def size(self) -> int:
        """Total number of parameters, biases included."""
        return sum(r * c for r, c in (self.block_shape(l) for l in range(1, self.depth + 1)))

    @property
    def trains_bias(self) -> bool:
        return self.bias and self.train_bias


class Parameters:
    """All weights and biases of a network, in one flat buffer.

    Parameters
    ----------
    architecture : Architecture
    flat : ndarray, shape (architecture.size,), optional
        The values; zeros when omitted. Used as is, not copied.
    """

    def __init__(self, architecture: Architecture, flat: np.ndarray | None = None):
        self.architecture = architecture
        self.flat = np.zeros(architecture.size) if flat is None else flat
        self._blocks = []
        offset = 0
        for layer in range(1, architecture.depth + 1):
            rows, cols = architecture.block_shape(layer)
            self._blocks.append(self.flat[offset:offset + rows * cols].reshape(rows, cols))
            offset += rows * cols

    def block(self, layer: int) -> np.ndarray:
        """Weights with the bias as last row, shape (n_{l-1} [+1], n_l); a view."""
        return self._blocks[layer - 1]

    def weight(self, layer: int) -> np.ndarray:
        """W{layer}, shape (n_{l-1}, n_l); a view."""
        return self._blocks[layer - 1][: self.architecture.layers[layer - 1]]

    def bias(self, layer: int) -> np.ndarray | None:
        """b{layer}, shape (n_l,), a view; None for a network without biases."""
        if not self.architecture.bias:
            return None
        return self._blocks[layer - 1][-1]

    def copy(self) -> "Parameters":
        return Parameters(self.architecture, self.flat.copy())

    def as_lists(self) -> tuple[list, list]:
        """(weights, biases) as nested Python lists, biases None when absent."""
        depth = self.architecture.depth
        weights = [self.weight(l).tolist() for l in range(1, depth + 1)]
        biases = [None if self.bias(l) is None else self.bias(l).tolist()
                  for l in range(1, depth + 1)]
        return weights, biases

    def __repr__(self) -> str:
        return f"Parameters(layers={list(self.architecture.layers)}, size={self.flat.size})"


def initial_parameters(architecture: Architecture, init: str,
                       rng: np.random.Generator) -> Parameters:
    """Draw initial weights and biases from ``rng``, layer by layer.

    The draw order is fixed by DESIGN.md: W1, b1, W2, b2, ... so the same
    seed gives the same numbers whatever reads them.

    Parameters
    ----------
    architecture : Architecture
    init : {'uniform', 'normal', 'epsilon', 'xavier', 'he'}
    rng : numpy.random.Generator
    """
    if init not in INITIALISATIONS:
        raise ValueError(f"unknown init {init!r}; expected one of " + ", ".join(INITIALISATIONS))
    params = Parameters(architecture)
    for layer in range(1, architecture.depth + 1):
        n_in, n_out = architecture.layers[layer - 1], architecture.layers[layer]
        weight, bias = params.weight(layer), params.bias(layer)
        if init == "uniform":
            weight[...] = rng.random((n_in, n_out))
            if bias is not None:
                bias[...] = rng.random(n_out)
        elif init == "normal":
            weight[...] = rng.standard_normal((n_in, n_out))
            if bias is not None:
                bias[...] = rng.standard_normal(n_out)
        elif init == "epsilon":
            weight[...] = rng.uniform(-EPSILON_INIT, EPSILON_INIT, (n_in, n_out))
            if bias is not None:
                bias[...] = rng.uniform(-EPSILON_INIT, EPSILON_INIT, n_out)
        elif init == "xavier":
            limit = np.sqrt(6.0 / (n_in + n_out))
            weight[...] = rng.uniform(-limit, limit, (n_in, n_out))
        else:  # he
            weight[...] = rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out))
    return params

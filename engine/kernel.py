"""The arithmetic of one training iteration — the only place it is written.

Both the fast path (whole epochs, nothing recorded) and the stepped path
(every matrix kept for the tables) run these same functions on the same
preallocated buffers, so their weights agree bit for bit by construction.

Shapes, for a batch of mb samples and layer sizes [n0, ..., nL]:

* ``inputs[l]``  (mb, n_l + 1) — a{l} with a column of ones appended when the
  network has biases, so ``z{l+1} = inputs[l] @ block(l+1)``; ``inputs[0]``
  holds the batch of X.
* ``z[l]``, ``slope[l]``, ``delta[l]`` (mb, n_l) for l = 1..L; ``error[l]``
  (mb, n_l) for l = 1..L−1; ``output`` and ``E`` (mb, nL).
* ``grad`` — a Parameters object: grad_W{l} in its weight rows and grad_b{l}
  in its bias row.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import get_loss
from .network import Architecture, Parameters

__all__ = ["Hyperparameters", "Workspace", "IterationKernel", "augment"]


@dataclass(frozen=True)
class Hyperparameters:
    """What one update step needs besides the data and the weights."""

    loss: str
    learning_rate: float
    l2: float = 0.0
    momentum: float = 0.0


def augment(x: np.ndarray, bias: bool) -> np.ndarray:
    """Return x (m, n) with a column of ones appended when ``bias``; shape (m, n [+1])."""
    if not bias:
        return np.ascontiguousarray(x, dtype=float)
    out = np.ones((x.shape[0], x.shape[1] + 1))
    out[:, :-1] = x
    return out


class Workspace:
    """Preallocated buffers for an iteration on ``batch_size`` samples."""

    def __init__(self, architecture: Architecture, batch_size: int):
        self.architecture = architecture
        self.batch_size = batch_size
        sizes, depth, bias = architecture.layers, architecture.depth, architecture.bias
        self.inputs = [np.ones((batch_size, sizes[l] + int(bias))) for l in range(depth)]
        self.z = [None] + [np.empty((batch_size, sizes[l])) for l in range(1, depth + 1)]
        self.output = np.empty((batch_size, sizes[-1]))
        self.E = np.empty_like(self.output)
        self.slope = [None] + [np.empty((batch_size, sizes[l])) for l in range(1, depth + 1)]
        self.delta = [None] + [np.empty((batch_size, sizes[l])) for l in range(1, depth + 1)]
        self.error = [None] + [np.empty((batch_size, sizes[l])) for l in range(1, depth)]
        self.grad = Parameters(architecture)
        self.scratch = np.empty(architecture.size)

    def activation(self, layer: int) -> np.ndarray:
        """a{layer}, shape (mb, n_layer); a view (layer 0 is the batch of X)."""
        if layer == self.architecture.depth:
            return self.output
        return self.inputs[layer][:, : self.architecture.layers[layer]]


class IterationKernel:
    """Forward pass, loss, backward pass and update for one architecture.

    Parameters
    ----------
    architecture : Architecture
    hyper : Hyperparameters
    """

    def __init__(self, architecture: Architecture, hyper: Hyperparameters):
        self.architecture = architecture
        self.hyper = hyper
        self.loss_fn = get_loss(hyper.loss)
        self.activations = [None] + [architecture.activation(l)
                                     for l in range(1, architecture.depth + 1)]

    # -- the four phases -------------------------------------------------
    def forward(self, ws: Workspace, params: Parameters) -> None:
        """z{l} = a{l-1}·W{l} + b{l} and a{l} = f(z{l}) for l = 1..L."""
        depth = self.architecture.depth
        for layer in range(1, depth + 1):
            np.matmul(ws.inputs[layer - 1], params.block(layer), out=ws.z[layer])
            self.activations[layer].forward(ws.z[layer], out=ws.activation(layer))

    def loss(self, ws: Workspace, params: Parameters, y: np.ndarray) -> float:
        """E = y − a{L} (into ws.E) and the batch loss J, L2 term included."""
        np.subtract(y, ws.output, out=ws.E)
        depth = self.architecture.depth
        value = self.loss_fn.value(ws.z[depth], ws.output, y, ws.E)
        if self.hyper.l2:
            squares = 0.0
            for layer in range(1, depth + 1):
                weights = params.weight(layer).reshape(-1)
                squares += float(np.dot(weights, weights))
            value += self.hyper.l2 / (2.0 * ws.batch_size) * squares
        return value

    def backward(self, ws: Workspace, params: Parameters) -> None:
        """slope{l}, delta{l}, error{l}, then grad_W{l} and grad_b{l}."""
        arch, depth = self.architecture, self.architecture.depth
        for layer in range(depth, 0, -1):
            if layer == depth and self.loss_fn.cancels_slope:
                continue
            self.activations[layer].slope(ws.z[layer], ws.activation(layer), out=ws.slope[layer])
        m, k = ws.output.shape
        delta_out = ws.delta[depth]
        if self.loss_fn.cancels_slope:
            np.divide(ws.E, -m, out=delta_out)  # (a − y)/m = −E/m
        else:
            np.multiply(ws.E, ws.slope[depth], out=delta_out)
            np.multiply(delta_out, -self.loss_fn.factor(m, k), out=delta_out)
        for layer in range(depth - 1, 0, -1):
            np.matmul(ws.delta[layer + 1], params.weight(layer + 1).T, out=ws.error[layer])
            np.multiply(ws.error[layer], ws.slope[layer], out=ws.delta[layer])
        for layer in range(depth, 0, -1):
            grad_block = ws.grad.block(layer)
            np.matmul(ws.inputs[layer - 1].T, ws.delta[layer], out=grad_block)
            if self.hyper.l2:
                grad_weight = ws.grad.weight(layer)
                penalty = ws.scratch[: grad_weight.size].reshape(grad_weight.shape)
                np.multiply(params.weight(layer), self.hyper.l2 / m, out=penalty)
                np.add(grad_weight, penalty, out=grad_weight)
            if arch.bias and not arch.train_bias:
                grad_block[-1] = 0.0  # a frozen bias takes no step

    def update(self, ws: Workspace, params: Parameters, velocity: Parameters | None) -> None:
        """W ← W − η·grad, or v ← μv − η·grad; W ← W + v, for every layer at once."""
        rate = self.hyper.learning_rate
        if velocity is None:
            np.multiply(ws.grad.flat, rate, out=ws.scratch)
            np.subtract(params.flat, ws.scratch, out=params.flat)
        else:
            np.multiply(velocity.flat, self.hyper.momentum, out=velocity.flat)
            np.multiply(ws.grad.flat, rate, out=ws.scratch)
            np.subtract(velocity.flat, ws.scratch, out=velocity.flat)
            np.add(params.flat, velocity.flat, out=params.flat)

    def iterate(self, ws: Workspace, params: Parameters, velocity: Parameters | None,
                y: np.ndarray) -> float:
        """One whole iteration on the batch already in ``ws.inputs[0]``; returns J."""
        self.forward(ws, params)
        value = self.loss(ws, params, y)
        self.backward(ws, params)
        self.update(ws, params, velocity)
        return value

"""The arithmetic of one training iteration — the only place it is written.

Both the fast path (whole epochs, nothing recorded) and the stepped path
(every matrix kept for the tables) run these same functions on the same
preallocated buffers, so their weights agree bit for bit by construction.

Shapes, for a batch of mb samples and layer sizes [n0, ..., nL]:

* ``inputs[l]``  (mb, n_l + 1) — a{l} with a column of ones appended when the
  network has biases, so ``z{l+1} = inputs[l] @ block(l+1)``; ``inputs[0]``
  holds the batch of X.
* Every ``inputs[l]`` and a hidden layer's ``z[l]``, ``slope[l]``,
  ``delta[l]``, ``error[l]`` are column-major (Fortran order): a{l} is then
  ``inputs[l]`` without its column of ones and still one contiguous block,
  and elementwise operations on contiguous blocks of one layout run NumPy's
  fast loops (on the strided view of a row-major ``inputs[l]`` they take
  about three times as long on XOR's matrices). The output layer's buffers
  and the gradients stay row-major.
* ``z[l]``, ``slope[l]``, ``delta[l]`` (mb, n_l) for l = 1..L; ``error[l]``
  (mb, n_l) for l = 1..L−1; ``output`` and ``E`` (mb, nL).
* ``grad`` — a Parameters object: grad_W{l} in its weight rows and grad_b{l}
  in its bias row.
"""
from __future__ import annotations


import numpy as np

from .activations import constant
from .losses import get_loss
from .network import Architecture, Parameters
from .value_type import value_type

__all__ = ["Hyperparameters", "Workspace", "IterationKernel", "BoundIteration", "augment"]


@value_type
class Hyperparameters:
    """What one update step needs besides the data and the weights."""

    loss: str
    learning_rate: float
    l2: float = 0.0
    momentum: float = 0.0


def augment(x: np.ndarray, bias: bool) -> np.ndarray:
    """Return x (m, n) with a column of ones appended when ``bias``; shape (m, n [+1]),
    column-major like every ``inputs[l]`` of a workspace."""
    out = np.ones((x.shape[0], x.shape[1] + int(bias)), order="F")
    out[:, : x.shape[1]] = x
    return out


class Workspace:
    """Preallocated buffers for an iteration on ``batch_size`` samples.

    ``batch``, when given, is the buffer of the batch's inputs (X with its column
    of ones, shape (batch_size, n0 + bias)) to read instead of a new one.
    """

    def __init__(self, architecture: Architecture, batch_size: int,
                 batch: np.ndarray | None = None):
        self.architecture = architecture
        self.batch_size = batch_size
        sizes, depth, bias = architecture.layers, architecture.depth, architecture.bias

        def per_sample(layer: int) -> np.ndarray:
            return np.empty((batch_size, sizes[layer]), order="F" if layer < depth else "C")

        self.inputs = [np.ones((batch_size, sizes[l] + int(bias)), order="F")
                       if l or batch is None else batch for l in range(depth)]
        self.z = [None] + [per_sample(l) for l in range(1, depth + 1)]
        self.output = np.empty((batch_size, sizes[-1]))
        self.E = np.empty_like(self.output)
        self.slope = [None] + [per_sample(l) for l in range(1, depth + 1)]
        self.delta = [None] + [per_sample(l) for l in range(1, depth + 1)]
        self.error = [None] + [per_sample(l) for l in range(1, depth)]
        self.grad = Parameters(architecture)
        self.scratch = np.empty(architecture.size)

    def activation(self, layer: int) -> np.ndarray:
        """a{layer}, shape (mb, n_layer); a view (layer 0 is the batch of X)."""
        if layer == self.architecture.depth:
            return self.output
        return self.inputs[layer][:, : self.architecture.layers[layer]]


class IterationKernel:
    """Forward pass, loss, backward pass and update for one architecture.

    The arithmetic is written once, in ``BoundIteration``; the phase methods
    here bind it to the arrays they are given (reusing the last binding while
    the workspace and parameters are the same objects) and run one phase.

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
        self._last: BoundIteration | None = None

    def bind(self, ws: Workspace, params: Parameters) -> "BoundIteration":
        """The iteration's operations on these buffers (made once, then reused)."""
        bound = self._last
        if (bound is None or bound.ws is not ws or bound.params is not params
                or bound.batch is not ws.inputs[0]):
            bound = self._last = BoundIteration(self, ws, params)
        return bound

    # -- the four phases -------------------------------------------------
    def forward(self, ws: Workspace, params: Parameters) -> None:
        """z{l} = a{l-1}·W{l} + b{l} and a{l} = f(z{l}) for l = 1..L."""
        self.bind(ws, params).forward()

    def loss(self, ws: Workspace, params: Parameters, y: np.ndarray) -> float:
        """E = y − a{L} (into ws.E) and the batch loss J, L2 term included."""
        return self.bind(ws, params).loss(y)

    def backward(self, ws: Workspace, params: Parameters) -> None:
        """slope{l}, delta{l}, error{l}, then grad_W{l} and grad_b{l}."""
        self.bind(ws, params).backward()

    def update(self, ws: Workspace, params: Parameters, velocity: Parameters | None) -> None:
        """W ← W − η·grad, or v ← μv − η·grad; W ← W + v, for every layer at once."""
        self.bind(ws, params).update(velocity)

    def iterate(self, ws: Workspace, params: Parameters, velocity: Parameters | None,
                y: np.ndarray) -> float:
        """One whole iteration on the batch already in ``ws.inputs[0]``; returns J."""
        return self.bind(ws, params).iterate(velocity, y)


class BoundIteration:
    """One iteration's operations, bound to a workspace and parameters.

    Each phase is a list of (function, arguments) pairs built once: the
    views, transposes and constants an iteration needs are made here, not
    per epoch, so running a phase is a loop of NumPy calls writing into the
    workspace. The operations and their order are the iteration's
    arithmetic; nothing else computes it.

    Parameters
    ----------
    kernel : IterationKernel
    ws : Workspace
        Its arrays (``inputs[0]`` included) must not be replaced afterwards;
        ``IterationKernel.bind`` makes a new binding when they are.
    params : Parameters
        Updated in place by ``update``.

    Attributes
    ----------
    forward_operations, backward_operations : list of (function, tuple)
        The forward and backward passes as they run (``update_operations``
        gives the update's); the exported script prints them line by line.
    loss_fn : Loss
    l2_weights : list of ndarray
        Each W{l} as a flat view, for the L2 term's Σ‖W{l}‖².
    l2_factor : float
        λ/(2·mb), 0.0 without L2.
    """

    def __init__(self, kernel: IterationKernel, ws: Workspace, params: Parameters):
        self.ws, self.params, self.batch = ws, params, ws.inputs[0]
        arch, hyper, loss_fn = kernel.architecture, kernel.hyper, kernel.loss_fn
        depth, activations = arch.depth, kernel.activations
        m, k = ws.output.shape

        self._forward = []
        for layer in range(1, depth + 1):
            self._forward.append(_product(ws.inputs[layer - 1], params.block(layer), ws.z[layer]))
            self._forward.extend(activations[layer].forward_operations(ws.z[layer],
                                                                       ws.activation(layer)))

        self.loss_fn = loss_fn
        self._y = None
        self._loss_value = None
        self.l2_weights = [params.weight(layer).reshape(-1) for layer in range(1, depth + 1)]
        self._l2 = hyper.l2
        self.l2_factor = hyper.l2 / (2.0 * ws.batch_size) if hyper.l2 else 0.0

        backward = []
        for layer in range(depth, 0, -1):
            if layer == depth and loss_fn.cancels_slope:
                continue
            backward.extend(activations[layer].slope_operations(ws.z[layer], ws.activation(layer),
                                                                ws.slope[layer]))
        delta_out = ws.delta[depth]
        if loss_fn.cancels_slope:
            backward.append((np.divide, (ws.E, constant(-m), delta_out)))  # (a − y)/m = −E/m
        else:
            backward.append((np.multiply, (ws.E, ws.slope[depth], delta_out)))
            backward.append((np.multiply, (delta_out, constant(-loss_fn.factor(m, k)),
                                           delta_out)))
        for layer in range(depth - 1, 0, -1):
            backward.append(_product(ws.delta[layer + 1], params.weight(layer + 1).T,
                                     ws.error[layer]))
            backward.append((np.multiply, (ws.error[layer], ws.slope[layer], ws.delta[layer])))
        for layer in range(depth, 0, -1):
            grad_block = ws.grad.block(layer)
            backward.append((np.matmul, (ws.inputs[layer - 1].T, ws.delta[layer], grad_block)))
            if hyper.l2:
                grad_weight = ws.grad.weight(layer)
                penalty = ws.scratch[: grad_weight.size].reshape(grad_weight.shape)
                backward.append((np.multiply, (params.weight(layer), constant(hyper.l2 / m),
                                                 penalty)))
                backward.append((np.add, (grad_weight, penalty, grad_weight)))
            if arch.bias and not arch.train_bias:
                backward.append((grad_block[-1].fill, (0.0,)))  # a frozen bias takes no step
        self._backward = backward

        rate, flat, grad, scratch = hyper.learning_rate, params.flat, ws.grad.flat, ws.scratch
        self._rate = rate
        self._plain_update = [(np.multiply, (grad, constant(rate), scratch)),
                              (np.subtract, (flat, scratch, flat))]
        self._momentum = hyper.momentum
        self._velocity = None
        self._momentum_update = []

    @property
    def forward_operations(self) -> list:
        return self._forward

    @property
    def backward_operations(self) -> list:
        return self._backward

    def update_operations(self, velocity: Parameters | None) -> list:
        """The update's operations: plain, or with momentum on ``velocity``'s buffer."""
        if velocity is None:
            return self._plain_update
        if velocity is not self._velocity:
            v, flat, scratch = velocity.flat, self.params.flat, self.ws.scratch
            self._velocity = velocity
            self._momentum_update = [
                (np.multiply, (v, constant(self._momentum), v)),
                (np.multiply, (self.ws.grad.flat, constant(self._rate), scratch)),
                (np.subtract, (v, scratch, v)),
                (np.add, (flat, v, flat))]
        return self._momentum_update

    # -- the phases ---------------------------------------------------------
    def forward(self) -> None:
        """z{l} = a{l-1}·W{l} + b{l} and a{l} = f(z{l}) for l = 1..L."""
        for operation, arguments in self._forward:
            operation(*arguments)

    def loss(self, y: np.ndarray) -> float:
        """E = y − a{L} (into ws.E) and the batch loss J, L2 term included."""
        if y is not self._y:
            ws = self.ws
            self._y = y
            self._loss_value = self.loss_fn.bound_value(ws.z[-1], ws.output, y, ws.E)
        np.subtract(y, self.ws.output, out=self.ws.E)
        value = self._loss_value()
        if self._l2:
            squares = 0.0
            for weights in self.l2_weights:
                squares += float(np.dot(weights, weights))
            value += self.l2_factor * squares
        return value

    def backward(self) -> None:
        """slope{l}, delta{l}, error{l}, then grad_W{l} and grad_b{l}."""
        for operation, arguments in self._backward:
            operation(*arguments)

    def update(self, velocity: Parameters | None) -> None:
        """W ← W − η·grad, or v ← μv − η·grad; W ← W + v, for every layer at once."""
        for operation, arguments in self.update_operations(velocity):
            operation(*arguments)

    def iterate(self, velocity: Parameters | None, y: np.ndarray) -> float:
        """One whole iteration on the batch in ``ws.inputs[0]``; returns J."""
        self.forward()
        value = self.loss(y)
        self.backward()
        self.update(velocity)
        return value


def _product(left: np.ndarray, right: np.ndarray, out: np.ndarray) -> tuple:
    """``out = left @ right`` as an operation that hands BLAS a row-major output.

    NumPy's matmul calls BLAS only for a row-major ``out``; into a
    column-major one (a hidden layer's buffers) it would use its own loops,
    so there the transposed product ``outᵀ = rightᵀ @ leftᵀ`` is written.
    """
    if out.ndim == 2 and not out.flags.c_contiguous and out.flags.f_contiguous:
        return (np.matmul, (right.T, left.T, out.T))
    return (np.matmul, (left, right, out))

"""The gradient check: backprop's gradient beside a central difference of J.

For every trainable weight and bias θ the backprop gradient ∂J/∂θ is set
beside the numerical one,

    (J(θ + ε) − J(θ − ε)) / 2ε,

computed from the loss alone, and their relative error

    |backprop − numerical| / max(1, |backprop|, |numerical|)

is reported. Below 1 the denominator stops shrinking, so for small gradients
this is the absolute error: a central difference cannot resolve a gradient
more finely than about 1e-10 of the loss, and a pure ratio would fail
correct gradients that are nearly zero.

Both sides use the engine's own code: the backprop gradient is the
iteration kernel's backward pass on the whole data set (the same code that
trains), the numerical one ``Trainer.full_loss``. J is the full-batch loss,
L2 included.

The check can also be run on a deliberately wrong backprop, ``"seed_002"``:
seed 002's ``backward_pass`` takes the squared-error output delta
(a − y)·f′(z) although its cost is cross-entropy, drops the 1/m and leaves
out the L2 term. Its gradients disagree with the numerical ones for a
cross-entropy lesson (the digits lesson) — which is how the check catches a
wrong formula. For ½·SSE without L2 that formula happens to be the exact
gradient, and the check says so by passing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kernel import Workspace
from .network import Parameters
from .training import Trainer

__all__ = ["GradientCheck", "GradientRow", "VARIANTS", "TOLERANCE", "EPSILON",
           "backprop_gradient", "seed_002_gradient", "relative_error"]

TOLERANCE = 1e-6   # relative errors below this pass
EPSILON = 1e-6     # the central difference's step
VARIANTS = {
    "correct": "the engine's backprop",
    "seed_002": ("deliberately wrong: seed 002's backward_pass — squared-error output delta "
                 "(a − y)·f′(z) under the lesson's cost, no 1/m, no L2 term"),
}


def _full_batch_workspace(trainer: Trainer, params: Parameters) -> Workspace:
    """A workspace holding the forward pass and E of the whole data set."""
    ws = Workspace(trainer.architecture, trainer.samples)
    ws.inputs[0] = trainer.X_augmented
    trainer.kernel.forward(ws, params)
    trainer.kernel.loss(ws, params, trainer.y)
    return ws


def backprop_gradient(trainer: Trainer, params: Parameters) -> Parameters:
    """∂J/∂θ of the whole data set by the kernel's backward pass, laid out like ``params``."""
    with np.errstate(all="ignore"):
        ws = _full_batch_workspace(trainer, params)
        trainer.kernel.backward(ws, params)
    return ws.grad.copy()


def seed_002_gradient(trainer: Trainer, params: Parameters) -> Parameters:
    """The DELIBERATELY WRONG gradient of seed 002's ``backward_pass``.

    delta{L} = (a{L} − y) ⊙ f′(z{L}) — the squared-error delta, whatever the
    cost; delta{l} = (delta{l+1} · W{l+1}ᵀ) ⊙ f′(z{l}); grad = a{l-1}ᵀ · delta{l}
    with no 1/m and no L2 term. A softmax output, which has no elementwise
    slope, takes a·(1 − a), the diagonal of its Jacobian, as a naive copy would.
    Shown only by the gradient check, to be caught; training never uses it.
    """
    arch = trainer.architecture
    grad = Parameters(arch)
    with np.errstate(all="ignore"):
        ws = _full_batch_workspace(trainer, params)
        depth = arch.depth
        activation = arch.activation(depth)
        output = ws.output
        if activation.name == "softmax":
            slope = output * (1.0 - output)
        else:
            slope = activation.slope(ws.z[depth], output)
        delta = (output - trainer.y) * slope
        for layer in range(depth, 0, -1):
            np.matmul(ws.inputs[layer - 1].T, delta, out=grad.block(layer))
            if layer > 1:
                below = arch.activation(layer - 1)
                delta = (delta @ params.weight(layer).T) * below.slope(
                    ws.z[layer - 1], ws.activation(layer - 1))
    return grad


_GRADIENTS = {"correct": backprop_gradient, "seed_002": seed_002_gradient}


def relative_error(backprop: np.ndarray, numerical: np.ndarray) -> np.ndarray:
    """|backprop − numerical| / max(1, |backprop|, |numerical|), elementwise."""
    scale = np.maximum(1.0, np.maximum(np.abs(backprop), np.abs(numerical)))
    return np.abs(backprop - numerical) / scale


@dataclass(frozen=True)
class GradientRow:
    """One weight or bias of the check.

    ``matrix`` is ``W{l}`` or ``b{l}``; ``row``/``column`` index it (a bias is
    row 0). ``numerical`` and ``relative_error`` are NaN until computed.
    """

    layer: int
    matrix: str
    row: int
    column: int
    backprop: float
    numerical: float
    relative_error: float

    @property
    def checked(self) -> bool:
        return not np.isnan(self.numerical)

    @property
    def passed(self) -> bool:
        return self.checked and self.relative_error < TOLERANCE


class GradientCheck:
    """Backprop against central differences for every trainable parameter.

    The backprop side is computed at once; the numerical side costs two
    full-batch forward passes per parameter and is computed by ``advance``
    in as many pieces as the caller likes (the window time-boxes them).

    Parameters
    ----------
    trainer : Trainer
        The lesson's data, architecture and kernel.
    params : Parameters
        The weights to check at (copied).
    variant : {'correct', 'seed_002'}
        Which backprop to check.
    epsilon : float
        The central difference's step.
    """

    def __init__(self, trainer: Trainer, params: Parameters, variant: str = "correct",
                 epsilon: float = EPSILON):
        if variant not in VARIANTS:
            raise ValueError(f"unknown backprop variant {variant!r}; expected one of "
                             + ", ".join(VARIANTS))
        self.trainer = trainer
        self.params = params.copy()
        self.variant = variant
        self.epsilon = epsilon
        arch = trainer.architecture
        self.backprop = _GRADIENTS[variant](trainer, self.params).flat
        self.numerical = np.full(self.backprop.shape, np.nan)
        self.errors = np.full(self.backprop.shape, np.nan)
        # Which flat entries are checked, and where each lives (layer, matrix, row, column).
        self.addresses: list[tuple[int, str, int, int]] = []
        self.indices: list[int] = []
        offset = 0
        for layer in range(1, arch.depth + 1):
            rows, cols = arch.block_shape(layer)
            n_in = arch.layers[layer - 1]
            for r in range(rows):
                is_bias = r == n_in
                if is_bias and not arch.train_bias:
                    continue  # a frozen bias has no gradient step to check
                for c in range(cols):
                    self.indices.append(offset + r * cols + c)
                    self.addresses.append((layer, f"b{layer}" if is_bias else f"W{layer}",
                                           0 if is_bias else r, c))
            offset += rows * cols
        self.done = 0

    @property
    def size(self) -> int:
        """Parameters to check."""
        return len(self.indices)

    @property
    def finished(self) -> bool:
        return self.done >= self.size

    def advance(self, count: int) -> int:
        """Compute the numerical gradient of the next ``count`` parameters; returns how many."""
        flat = self.params.flat
        eps = self.epsilon
        stop = min(self.size, self.done + max(0, int(count)))
        for k in range(self.done, stop):
            index = self.indices[k]
            saved = flat[index]
            flat[index] = saved + eps
            plus = self.trainer.full_loss(self.params)
            flat[index] = saved - eps
            minus = self.trainer.full_loss(self.params)
            flat[index] = saved
            self.numerical[index] = (plus - minus) / (2.0 * eps)
        with np.errstate(all="ignore"):
            chosen = self.indices[self.done:stop]
            self.errors[chosen] = relative_error(self.backprop[chosen], self.numerical[chosen])
        counted = stop - self.done
        self.done = stop
        return counted

    def row(self, k: int) -> GradientRow:
        """The k-th checked parameter, in layer order (W{l} row by row, then b{l})."""
        layer, matrix, r, c = self.addresses[k]
        index = self.indices[k]
        return GradientRow(layer, matrix, r, c, float(self.backprop[index]),
                           float(self.numerical[index]), float(self.errors[index]))

    @property
    def failures(self) -> int:
        """Checked parameters whose relative error is not below TOLERANCE."""
        chosen = self.errors[self.indices[: self.done]]
        return int(np.count_nonzero(~(chosen < TOLERANCE)))

    @property
    def worst(self) -> float:
        """The largest relative error checked so far (NaN before any)."""
        chosen = self.errors[self.indices[: self.done]]
        if chosen.size == 0:
            return float("nan")
        return float(np.nanmax(chosen)) if not np.isnan(chosen).all() else float("nan")

    @property
    def passed(self) -> bool:
        return self.finished and self.failures == 0

    def summary(self) -> str:
        """One line: how many agree, the worst relative error, and what it means."""
        name = VARIANTS[self.variant]
        if self.done == 0:
            return f"{name}: checking {self.size} weights and biases…"
        head = (f"{self.done - self.failures} of {self.done} agree (relative error < "
                f"{TOLERANCE:g}); worst {self.worst:.2e}")
        if not self.finished:
            return f"{name}: {head} — {self.size - self.done} still to check"
        if self.failures == 0:
            verdict = "backprop agrees with the central differences"
            if self.variant == "seed_002":
                verdict += (f" — for this lesson's {self.trainer.hyper.loss} loss"
                            f"{' and no L2' if not self.trainer.hyper.l2 else ''} seed 002's "
                            f"formula happens to be right; a cross-entropy lesson (digits) "
                            f"shows it failing")
            return f"{name}: {head}: {verdict}"
        return f"{name}: {head}: {self.failures} gradients are WRONG"

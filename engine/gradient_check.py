"""The gradient check: backprop's gradient beside a central difference of J.

For every trainable weight and bias θ the backprop gradient a = ∂J/∂θ is set
beside the numerical one,

    b = (J(θ + h) − J(θ − h)) / 2h,

computed from the loss alone, and judged by their relative error

    |a − b| / max(|a| + |b|, floor),

which passes below ``TOLERANCE``. Above the floor this is a true ratio: a
formula off by a factor fails however small its gradients are. The floor is
what the central difference can resolve: J(θ ± h) are each rounded to about
ε·S (ε the machine epsilon, S the size of the numbers J is made from — J
itself, or more for a squared error near a fit, see ``rounding_scale``), so
b carries an error of about ε·S/h whatever the true gradient; below the floor
the difference |a − b| is measured against that rounding rather than against
gradients too small to carry a ratio. Gradients of opposite signs, both above
the floor, fail as a sign flip.

Both sides use the engine's own code: the backprop gradient is the
iteration kernel's backward pass on the whole data set (the same code that
trains), the numerical one ``Trainer.full_loss``. J is the full-batch loss,
L2 included.

The check can also be run on a deliberately wrong backprop, ``"seed_002"``:
the output delta of squared error, (a − y)·f′(z), whatever the loss, with no
1/m and no L2 term — the formula of seed 002's ``backward_pass``.
``wrong_formula_words`` says in words what it drops or changes for a lesson;
for ½·SSE without L2 it is the exact gradient, and the check says so by
passing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kernel import Workspace
from .losses import get_loss
from .network import Parameters
from .number_text import shown_number
from .training import Trainer

__all__ = ["GradientCheck", "GradientRow", "VARIANTS", "WRONG_FORMULA", "TOLERANCE", "EPSILON",
           "ROUNDING_BOUND", "backprop_gradient", "seed_002_gradient", "rounding_scale",
           "resolution_floor", "relative_error", "opposite_signs", "wrong_formula_words"]

# Relative errors below this pass: 1e−2 is the textbook line above which a
# gradient is "probably wrong". A stricter line would need a higher floor to
# keep rounding from failing the right backprop, and a higher floor would hide
# the sign of the small gradients of a trained network: on the spiral at
# J ≈ 1e−4 the floor is ≈ 9e−12, just under gradients of 1e−11.
TOLERANCE = 1e-2
# h, the central difference's step. At 1e−6 its rounding error ε·J/h still
# outweighs its truncation error h²·J‴/6 on a trained spiral (the worst
# |a − b| there was 2.1·ε·J/h); at 1e−5 truncation took it to 290·ε·J/h.
EPSILON = 1e-6
# |a − b| of the right backprop, in units of ε·S/h, measured at h = 1e−6 on
# the built-in lessons untrained and trained: at most 2.1 (the spiral after
# 1800 epochs), about 1 elsewhere; 4 leaves room.
ROUNDING_BOUND = 4.0
VARIANTS = {
    "correct": "the engine's backprop",
    "seed_002": "deliberately wrong backprop",
}
WRONG_FORMULA = ("the output delta of squared error, (a − y)·f′(z), whatever the loss; "
                 "no 1/m; no L2 term (the formula of seed 002's backward_pass)")


def rounding_scale(loss: float, squared_factor: float = 0.0, output_norm: float = 0.0) -> float:
    """S, the size of the numbers a loss J is rounded from: J's rounding is about ε·S.

    For a cross-entropy (``squared_factor`` 0), computed from z, S = |J|. For
    a squared error J = (c/2)·Σ E² the error E = y − a keeps the outputs'
    rounding ε·|a| in absolute terms, which J carries as c·Σ |E|·ε|a| ≤
    ε·√(2c·J)·‖a‖ — far above ε·J once the network fits well, so
    S = |J| + √(2c·|J|)·‖a‖.

    Parameters
    ----------
    loss : float
        J.
    squared_factor : float
        c of a squared error (``Loss.factor``); 0 for a cross-entropy.
    output_norm : float
        ‖a‖, the Frobenius norm of the outputs a{L}, shape (m, k).
    """
    size = abs(loss)
    return size + float(np.sqrt(2.0 * squared_factor * size)) * output_norm


def resolution_floor(scale: float, epsilon: float = EPSILON) -> float:
    """The smallest |a| + |b| judged as a ratio, for a loss rounded from numbers of size ``scale``.

    J(θ ± h) are each rounded to about ε·S, so the central difference is
    uncertain by about ε·S/h; ``ROUNDING_BOUND`` times that, divided by
    ``TOLERANCE``, is a floor under which rounding alone can never fail a row.
    Never below the smallest normal float, so 0 against 0 is a pass.
    """
    machine = np.finfo(float).eps
    floor = ROUNDING_BOUND * machine * abs(scale) / (epsilon * TOLERANCE)
    return max(floor, np.finfo(float).tiny)


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


def relative_error(backprop: np.ndarray, numerical: np.ndarray,
                   floor: float | np.ndarray) -> np.ndarray:
    """|backprop − numerical| / max(|backprop| + |numerical|, floor), elementwise.

    Between 0 and 1 once |a| + |b| reaches the floor; 1 for opposite signs.
    """
    scale = np.maximum(np.abs(backprop) + np.abs(numerical), floor)
    return np.abs(backprop - numerical) / scale


def opposite_signs(backprop: np.ndarray, numerical: np.ndarray,
                   floor: float | np.ndarray) -> np.ndarray:
    """Whether the two gradients point opposite ways, both larger than ``floor``."""
    above = (np.abs(backprop) > floor) & (np.abs(numerical) > floor)
    return above & (np.sign(backprop) * np.sign(numerical) < 0)


def wrong_formula_words(trainer: Trainer) -> str:
    """What the deliberately wrong backprop drops or changes for this lesson, in words."""
    hyper, arch = trainer.hyper, trainer.architecture
    loss = get_loss(hyper.loss)
    slope = ("a·(1 − a), the diagonal of softmax's slope,"
             if arch.activation(arch.depth).name == "softmax" else "f′(z)")
    changes = []
    if loss.cancels_slope:
        changes.append(f"uses the squared-error delta (a − y)·{slope} with a cross-entropy "
                       f"loss, whose delta is (a − y)/m (the slope cancels)")
        changes.append(f"leaves out 1/m (m = {trainer.samples})")
    else:
        c = loss.factor(trainer.samples, arch.layers[-1])
        if c != 1.0:
            changes.append(f"leaves out the factor c = {shown_number(c)} that "
                           f"{loss.symbol} puts in its delta c·(a − y)·f′(z)")
    if hyper.l2:
        changes.append(f"leaves out the L2 term (λ/m)·W (λ = {shown_number(hyper.l2)})")
    if not changes:
        return (f"the wrong backprop's formula, (a − y)·f′(z) with no 1/m and no L2 term, is "
                f"the true gradient of {loss.symbol} without L2, so for this lesson it happens "
                f"to be right")
    listed = changes[0] if len(changes) == 1 else ", ".join(changes[:-1]) + " and " + changes[-1]
    return f"the wrong backprop {listed}"


@dataclass(frozen=True)
class GradientRow:
    """One weight or bias of the check.

    ``matrix`` is ``W{l}`` or ``b{l}``; ``row``/``column`` index it (a bias is
    row 0). ``numerical``, ``relative_error`` and ``floor`` are NaN until
    computed; ``opposite_signs`` is then whether the two gradients point
    opposite ways, both above the floor.
    """

    layer: int
    matrix: str
    row: int
    column: int
    backprop: float
    numerical: float
    relative_error: float
    floor: float
    opposite_signs: bool

    @property
    def checked(self) -> bool:
        return not np.isnan(self.numerical)

    @property
    def passed(self) -> bool:
        # Opposite signs above the floor make the relative error exactly 1: a fail.
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
        h, the central difference's step.

    Attributes
    ----------
    loss : float
        J at ``params``.
    scale : float
        ``rounding_scale`` of J at ``params``.
    floor : float
        ``resolution_floor(scale, epsilon)``, the floor the view states. Each
        row's own floor is taken from the largest of J(θ), J(θ + h) and
        J(θ − h), the values whose rounding it bounds: the same but where the
        fit is exact and the step itself makes the error.
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
        loss = get_loss(trainer.hyper.loss)
        self.squared_factor = (0.0 if loss.cancels_slope
                               else loss.factor(trainer.samples, arch.layers[-1]))
        with np.errstate(all="ignore"):
            self.output_norm = float(np.linalg.norm(
                _full_batch_workspace(trainer, self.params).output))
        self.loss = trainer.full_loss(self.params)
        self.scale = rounding_scale(self.loss, self.squared_factor, self.output_norm)
        self.floor = resolution_floor(self.scale, epsilon)
        self.numerical = np.full(self.backprop.shape, np.nan)
        self.errors = np.full(self.backprop.shape, np.nan)
        self.floors = np.full(self.backprop.shape, np.nan)
        self.flips = np.zeros(self.backprop.shape, dtype=bool)
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
            largest = max(abs(plus), abs(minus), abs(self.loss))
            self.floors[index] = resolution_floor(
                rounding_scale(largest, self.squared_factor, self.output_norm), eps)
        with np.errstate(all="ignore"):
            chosen = self.indices[self.done:stop]
            a, b, floor = self.backprop[chosen], self.numerical[chosen], self.floors[chosen]
            self.errors[chosen] = relative_error(a, b, floor)
            self.flips[chosen] = opposite_signs(a, b, floor)
        counted = stop - self.done
        self.done = stop
        return counted

    def row(self, k: int) -> GradientRow:
        """The k-th checked parameter, in layer order (W{l} row by row, then b{l})."""
        layer, matrix, r, c = self.addresses[k]
        index = self.indices[k]
        return GradientRow(layer, matrix, r, c, float(self.backprop[index]),
                           float(self.numerical[index]), float(self.errors[index]),
                           float(self.floors[index]), bool(self.flips[index]))

    def _checked(self) -> list[int]:
        return self.indices[: self.done]

    @property
    def failures(self) -> int:
        """Checked parameters whose relative error is not below TOLERANCE (NaN included)."""
        return int(np.count_nonzero(~(self.errors[self._checked()] < TOLERANCE)))

    @property
    def sign_flips(self) -> int:
        """Checked parameters whose two gradients have opposite signs above the floor."""
        return int(np.count_nonzero(self.flips[self._checked()]))

    @property
    def worst(self) -> float:
        """The largest relative error checked so far (NaN before any)."""
        chosen = self.errors[self._checked()]
        if chosen.size == 0:
            return float("nan")
        return float(np.nanmax(chosen)) if not np.isnan(chosen).all() else float("nan")

    @property
    def passed(self) -> bool:
        return self.finished and self.failures == 0

    def rule(self) -> str:
        """How a row is judged, with this check's floor and threshold written out."""
        threshold = shown_number(TOLERANCE)
        if self.squared_factor:
            scale = (f"S = J + √(2c·J)·‖a‖ = {shown_number(self.scale)} (J = "
                     f"{shown_number(self.loss)} the loss, c = "
                     f"{shown_number(self.squared_factor)}, ‖a‖ = "
                     f"{shown_number(self.output_norm)} the outputs: E = y − a keeps their "
                     f"rounding)")
        else:
            scale = f"S = J = {shown_number(self.loss)} the loss"
        return (f"relative error = |backprop − numerical| / max(|backprop| + |numerical|, floor) "
                f"passes below {threshold}; floor = {shown_number(self.floor)} = "
                f"{shown_number(ROUNDING_BOUND, 0)}·ε·S/(h·{threshold}), {scale}, "
                f"h = {shown_number(self.epsilon)} the step, ε = "
                f"{shown_number(np.finfo(float).eps)}: the central difference is only good to "
                f"about ε·S/h, so smaller gradients are measured against the floor; ⇅ marks "
                f"opposite signs, both above the floor")

    def summary(self) -> str:
        """One line: passes, fails and sign flips, the worst relative error, what it means."""
        name = VARIANTS[self.variant]
        if self.done == 0:
            return f"{name}: checking {self.size} weights and biases…"
        head = (f"{self.done - self.failures} pass, {self.failures} fail "
                f"({self.sign_flips} with opposite signs ⇅); worst relative error "
                f"{shown_number(self.worst)}")
        if not self.finished:
            return f"{name}: {head} — {self.size - self.done} still to check"
        if self.failures == 0:
            verdict = "backprop agrees with the central differences"
            if self.variant == "seed_002":
                verdict += (f" — {wrong_formula_words(self.trainer)}; a cross-entropy "
                            f"lesson (digits) shows it failing")
            return f"{name}: {head}: {verdict}"
        verdict = (f"{self.failures} gradient{'s are' if self.failures > 1 else ' is'} "
                   f"WRONG")
        if self.variant == "seed_002":
            verdict += f" — {wrong_formula_words(self.trainer)}"
        return f"{name}: {head}: {verdict}"

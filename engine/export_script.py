"""The standalone NumPy script of DESIGN.md section 5 (``run LESSON --script OUT``).

``script_text`` writes a Python file that needs only NumPy (and the standard
library's argparse, json, math, sys — and base64 for large arrays of arbitrary
floats, which it holds as base64 of their bytes because that is shorter). It
holds the lesson's data and the starting weights exactly as the engine has
them, trains with the very arithmetic of ``kernel.py`` (the same products on
the same memory layout, the same ufuncs in the same order), prints one line
per reported epoch and ends with ``final_loss <repr>``. Its losses and weights
therefore equal the run record of ``main.py run`` — bit for bit on the same
NumPy — which the tests check.

The script is generated from trusted pieces only: numbers are written with
``repr`` (which round-trips every float64), and text from the lesson (its
title, its data source, CSV column names) appears only as ``repr`` string
literals, which escape quotes, backslashes and line breaks, so no title can
end a comment or a string early. Pieces the lesson does not use (momentum,
L2, mini-batches, activations and losses of other lessons) are left out so
that the script reads like the one lesson it is.
"""
from __future__ import annotations

import base64
import math
import os
import textwrap

import numpy as np

from .files import atomic_write_text
from .lesson import Lesson
from .losses import get_loss
from .session import Session

__all__ = ["script_text", "write_script", "BASE64_ABOVE"]

BASE64_ABOVE = 1000  # larger arrays are written as base64 when that is shorter (see _as_base64)
_LINE = 96  # target width of the generated number lists


# -- numbers and arrays as Python source ----------------------------------------
def _float(value: float) -> str:
    """A float literal that evaluates to exactly ``value`` (inf and NaN included)."""
    value = float(value)
    if math.isnan(value):
        return "math.nan"
    if math.isinf(value):
        return "math.inf" if value > 0 else "-math.inf"
    return repr(value)


def _wrapped(items: list[str], indent: str) -> list[str]:
    """``items`` joined by commas into lines of about _LINE characters."""
    lines, line = [], ""
    for item in items:
        piece = item + ","
        if line and len(indent) + len(line) + 1 + len(piece) > _LINE:
            lines.append(indent + line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    if line:
        lines.append(indent + line)
    return lines


def _as_base64(array: np.ndarray) -> bool:
    """Whether ``array`` is written as base64: when large and shorter so than in decimal.

    Both are exact; decimals win for simple values (the digits' multiples of
    1/16), base64's 10.7 characters per number win for arbitrary floats.
    """
    array = np.asarray(array, dtype=float)
    if array.size <= BASE64_ABOVE:
        return False
    decimal = sum(len(_float(v)) + 2 for v in array.ravel().tolist())
    return decimal > 4 * -(-array.size * 8 // 3)


def _array(array: np.ndarray) -> str:
    """Source text of an expression giving ``array`` (1-D or 2-D float64) exactly."""
    array = np.asarray(array, dtype=float)
    if _as_base64(array):
        text = base64.b64encode(array.astype("<f8").tobytes()).decode("ascii")
        chunks = [f"    {text[i:i + 76]!r}" for i in range(0, len(text), 76)]
        return f"from_base64({array.shape!r}, (\n" + "\n".join(chunks) + "\n))"
    if array.ndim == 1:
        body = _wrapped([_float(v) for v in array], "    ")
        if len(body) == 1 and len(body[0]) < _LINE - 12:
            return f"np.array([{body[0].strip().rstrip(',')}])"
        return "np.array([\n" + "\n".join(body) + "\n])"
    rows = []
    for row in array:
        cells = _wrapped([_float(v) for v in row], "     ")
        cells[0] = "    [" + cells[0].lstrip()
        cells[-1] = cells[-1].rstrip(",") + "],"
        rows.extend(cells)
    return "np.array([\n" + "\n".join(rows) + "\n])"


def _written_arrays(lesson: Lesson, session: Session) -> list[np.ndarray]:
    """Every array the script spells out (to know whether it needs base64)."""
    state, arch = session.state, lesson.architecture
    arrays = [lesson.X, lesson.y]
    for holder in (state.params, state.velocity if lesson.session is not None else None):
        if holder is not None:
            arrays += [holder.weight(l) for l in range(1, arch.depth + 1)]
            if arch.bias:
                arrays += [holder.bias(l) for l in range(1, arch.depth + 1)]
    return arrays


_ACTIVATION_CODE = {  # name: (f, its slope)
    "sigmoid": ('''
        def sigmoid(z, out):
            """a = 1/(1 + e^(−z)); z is held at −709 or above so that e^(−z) never overflows."""
            np.maximum(z, -709.0, out=out)
            np.negative(out, out=out)
            np.exp(out, out=out)
            np.add(out, 1.0, out=out)
            np.divide(1.0, out, out=out)
        ''', '''
        def sigmoid_slope(z, a, out):
            """slope = a·(1 − a)."""
            np.subtract(1.0, a, out=out)
            np.multiply(out, a, out=out)
        '''),
    "tanh": ('''
        def tanh(z, out):
            """a = tanh z."""
            np.tanh(z, out=out)
        ''', '''
        def tanh_slope(z, a, out):
            """slope = 1 − a²."""
            np.multiply(a, a, out=out)
            np.subtract(1.0, out, out=out)
        '''),
    "relu": ('''
        def relu(z, out):
            """a = max(0, z)."""
            np.maximum(z, 0.0, out=out)
        ''', '''
        def relu_slope(z, a, out):
            """slope = 1 if z > 0 else 0."""
            np.greater(z, 0.0, out=out)
        '''),
    "leaky_relu": ('''
        def leaky_relu(z, out):
            """a = z if z > 0 else 0.01·z."""
            out[...] = np.where(z > 0.0, z, 0.01 * z)
        ''', '''
        def leaky_relu_slope(z, a, out):
            """slope = 1 if z > 0 else 0.01."""
            out[...] = np.where(z > 0.0, 1.0, 0.01)
        '''),
    "linear": ('''
        def linear(z, out):
            """a = z."""
            out[...] = z
        ''', '''
        def linear_slope(z, a, out):
            """slope = 1."""
            out.fill(1.0)
        '''),
    "softmax": ('''
        def softmax(z, out):
            """a = e^(z − max z) / Σ e^(z − max z) per row (z within ±1e307: no overflow)."""
            bounded = np.clip(z, -1e307, 1e307)
            shifted = bounded - bounded.max(axis=1, keepdims=True)
            np.exp(shifted, out=out)
            out /= out.sum(axis=1, keepdims=True)
        ''', None),
}

_SQUARED_FACTOR = {
    "sse": ("2.0", "J = Σ (y − a)²"),
    "half_sse": ("1.0", "J = ½ Σ (y − a)²"),
    "mse": ("2.0 / (m * k)", "J = 1/(m·k) Σ (y − a)²"),
    "half_mse": ("1.0 / m", "J = 1/(2m) Σ (y − a)²"),
}

_LOSS_CODE = {
    "squared": '''
        def loss_factor(m, k):
            """c of @@SYMBOL@@ = (c/2)·Σ E², so that delta{L} = −c·E ⊙ slope{L}."""
            return @@FACTOR@@


        def batch_loss(z, a, y, E):
            """J of one batch of m samples and k outputs (without L2)."""
            flat = E.reshape(-1)
            return 0.5 * loss_factor(*E.shape) * float(np.dot(flat, flat))
        ''',
    "binary_cross_entropy": '''
        def softplus(x):
            """log(1 + e^x) without overflow."""
            return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


        def batch_loss(z, a, y, E):
            """J = −1/m Σ [y·log a + (1 − y)·log(1 − a)], from z: finite even when a saturates."""
            m = z.shape[0]
            return float(np.sum(y * softplus(-z) + (1.0 - y) * softplus(z))) / m
        ''',
    "cross_entropy": '''
        def batch_loss(z, a, y, E):
            """J = −1/m Σ y·log a, log a computed from z (log-softmax) so it stays finite."""
            bounded = np.clip(z, -1e307, 1e307)
            shifted = bounded - bounded.max(axis=1, keepdims=True)
            log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            return -float(np.sum(y * log_softmax)) / z.shape[0]
        ''',
}


def _dedent(code: str) -> str:
    return textwrap.dedent(code).strip("\n") + "\n"


def _header(lesson: Lesson, epochs: int, use_base64: bool) -> str:
    arch = lesson.architecture
    data_source = lesson.data_spec or "inline X and y"
    lines = [
        "#!/usr/bin/env python3",
        "# A standalone NumPy script exported by Backprop Tracer. It trains one lesson's",
        "# network exactly as the app does and needs nothing but Python 3 and NumPy.",
        "#",
        f"#   lesson: {lesson.title!r}",
        f"#   data:   {data_source!r}",
        f"#   network {list(arch.layers)}, loss {lesson.loss}, {epochs} epochs",
        "#",
        "# Usage: python THIS_FILE [--epochs N] [--every K] [--json OUT]",
        "# It prints one line per reported epoch and ends with `final_loss <value>`;",
        "# --json writes the run record (as `main.py run --json`, without the trace).",
        "# Exit status 3 when training diverged, as in the app.",
        "#",
        "# The comments name the steps as Backprop Tracer's tables do: z{l}, a{l}, E,",
        "# loss, slope{l}, delta{l}, error{l}, grad_W{l}, grad_b{l}, velocity_*, new_W{l},",
        "# new_b{l} (layers l = 1..L; a{0} is X). Every product, every ufunc and their",
        "# order are the app's own, so the numbers agree with it to the last bit.",
        "",
        "import argparse",
    ]
    if use_base64:
        lines.append("import base64")
    lines += ["import json", "import math", "import sys", "", "import numpy as np", ""]
    return "\n".join(lines) + "\n"


def _settings(lesson: Lesson, epochs: int) -> str:
    arch = lesson.architecture
    tolerance = "None" if lesson.tolerance is None else _float(lesson.tolerance)
    return _dedent(f"""
        # -- the lesson's settings -------------------------------------------------------
        TITLE = {lesson.title!r}
        LAYERS = {list(arch.layers)!r}  # n0 inputs, the hidden layers' sizes, nL outputs
        DEPTH = len(LAYERS) - 1  # L, the layers with weights
        ACTIVATIONS = {list(arch.activations)!r}  # f of layers 1..L
        BIAS = {arch.bias!r}  # whether every layer has a bias b{{l}}
        TRAIN_BIAS = {arch.train_bias!r}  # whether training moves the biases
        LOSS = {lesson.loss!r}
        LEARNING_RATE = {_float(lesson.learning_rate)}  # η
        L2 = {_float(lesson.l2)}  # λ: J += λ/(2m) Σ ‖W{{l}}‖² (biases are not regularised)
        MOMENTUM = {_float(lesson.momentum)}  # μ: v ← μv − η·grad; W ← W + v
        BATCH_SIZE = {lesson.batch_size!r}  # None: the full batch
        EPOCHS = {epochs}
        TOLERANCE = {tolerance}  # stop after the first epoch whose loss is below it
        """)


def _data(lesson: Lesson, use_base64: bool) -> str:
    parts = []
    if use_base64:
        parts.append(_dedent('''
            def from_base64(shape, text):
                """An array written as base64 of its little-endian float64 bytes.

                Large arrays of arbitrary floats are stored this way: it is exact to the
                last bit and about half as long as the same numbers written in decimal.
                """
                raw = np.frombuffer(base64.b64decode(text), dtype="<f8")
                return raw.reshape(shape).astype(float)
            '''))
    parts.append(
        "# -- the data: X (m samples × n0 inputs) and the targets y (m × nL) --------------\n"
        f"X = {_array(lesson.X)}\n"
        f"y = {_array(lesson.y)}\n")
    return "\n\n".join(parts)


def _start(lesson: Lesson, session: Session) -> str:
    """The weights (and velocities, generator, position) the run starts from."""
    arch, state = lesson.architecture, session.state
    resumed = lesson.session is not None
    lines = ["# -- where training starts ---------------------------------------------------------"]
    if resumed:
        lines += ["# The lesson holds a saved session: training goes on from where it was saved,",
                  f"# after {state.epoch} epochs"
                  + (f" and {state.batch} batches of the next." if state.batch else ".")]
    elif lesson.weights is not None or lesson.biases is not None:
        lines += ["# The lesson's own initial values (what it does not give was drawn from",
                  f"# numpy.random.default_rng({lesson.seed}) by init {lesson.init!r})."]
    else:
        lines += [f"# The initial values as Backprop Tracer drew them: init {lesson.init!r} from",
                  f"# numpy.random.default_rng({lesson.seed}), in the order W1, b1, W2, b2, ..."]
    lines += ["start_W = {}  # W{l}, shape (n_{l-1}, n_l)"]
    if arch.bias:
        lines += ["start_b = {}  # b{l}, shape (n_l,)"]
    for l in range(1, arch.depth + 1):
        lines.append(f"start_W[{l}] = {_array(state.params.weight(l))}")
        if arch.bias:
            lines.append(f"start_b[{l}] = {_array(state.params.bias(l))}")
    if resumed and state.velocity is not None:
        lines += ["# The momentum velocities at that point (a fresh run starts them at zero).",
                  "start_velocity_W = {}"]
        if arch.bias:
            lines.append("start_velocity_b = {}")
        for l in range(1, arch.depth + 1):
            lines.append(f"start_velocity_W[{l}] = {_array(state.velocity.weight(l))}")
            if arch.bias:
                lines.append(f"start_velocity_b[{l}] = {_array(state.velocity.bias(l))}")
    if not session.trainer.full_batch:
        lines += ["# The lesson's generator after the draws above: each epoch's sample order",
                  "# is its next rng.permutation(m), as in the app.",
                  f"GENERATOR_STATE = {state.rng.bit_generator.state!r}"]
    if resumed:
        earlier = session.loss_history
        lines += ["# loss[e] of the epochs run before the session was saved.",
                  "EARLIER_LOSSES = [\n"
                  + "\n".join(_wrapped([_float(v) for v in earlier.tolist()], "    ")) + "\n]"]
        if state.batch:
            lines += ["# The saved epoch was under way: its sample order, the batches done and",
                      "# Σ batch size × J over them.",
                      f"START_BATCH = {state.batch}",
                      "START_ORDER = np.array([\n"
                      + "\n".join(_wrapped([str(i) for i in state.order.tolist()], "    "))
                      + "\n])",
                      f"START_LOSS_SUM = {_float(state.loss_sum)}"]
        stopped = session.diverged
        if stopped is not None:
            lines.append(f"STOPPED = {stopped.message()!r}  # the saved session had diverged")
        elif session.reached_tolerance:
            lines.append("STOPPED = 'tolerance'  # the saved session had reached the tolerance")
    return "\n".join(lines) + "\n"


def _weights_class() -> str:
    return _dedent('''
        # -- weights, biases and the arrays of one iteration --------------------------------
        BIAS_ROW = 1 if BIAS else 0
        SIZE = sum((LAYERS[l - 1] + BIAS_ROW) * LAYERS[l] for l in range(1, DEPTH + 1))


        class Weights:
            """Every W{l} and b{l} in one flat array, with a view per layer.

            block[l], shape (n_{l-1} + 1, n_l): W{l} in its first n_{l-1} rows and b{l}
            as its last row (no bias row without biases). One flat array lets one update
            move every layer at once.
            """

            def __init__(self):
                self.flat = np.zeros(SIZE)
                self.block = [None]
                start = 0
                for l in range(1, DEPTH + 1):
                    rows, columns = LAYERS[l - 1] + BIAS_ROW, LAYERS[l]
                    block = self.flat[start:start + rows * columns]
                    self.block.append(block.reshape(rows, columns))
                    start += rows * columns

            def W(self, l):
                return self.block[l][:LAYERS[l - 1]]

            def b(self, l):
                return self.block[l][-1] if BIAS else None


        class Batch:
            """The arrays of one iteration on mb samples, made once and reused.

            inputs[l] is a{l} with a column of ones appended (shape (mb, n_l + 1)), so
            z{l+1} = a{l} @ W{l+1} + b{l+1} is the single product inputs[l] @ block[l+1];
            inputs[0] holds the batch of X. The output a{L} has its own array.
            """

            def __init__(self, mb):
                self.inputs = [np.ones((mb, LAYERS[l] + BIAS_ROW)) for l in range(DEPTH)]
                self.z = [None] + [np.empty((mb, LAYERS[l])) for l in range(1, DEPTH + 1)]
                self.output = np.empty((mb, LAYERS[DEPTH]))
                self.E = np.empty_like(self.output)
                self.slope = [None] + [np.empty((mb, LAYERS[l])) for l in range(1, DEPTH + 1)]
                self.delta = [None] + [np.empty((mb, LAYERS[l])) for l in range(1, DEPTH + 1)]
                self.error = [None] + [np.empty((mb, LAYERS[l])) for l in range(1, DEPTH)]
                self.grad = Weights()  # grad_W{l} in its weight rows, grad_b{l} in its bias row
                self.scratch = np.empty(SIZE)

            def a(self, l):
                """a{l}, shape (mb, n_l): a view of inputs[l] (the output array for l = L)."""
                return self.output if l == DEPTH else self.inputs[l][:, :LAYERS[l]]


        def with_ones(x):
            """x (m, n) with the column of ones that multiplies the bias row appended."""
            if not BIAS:
                return np.ascontiguousarray(x, dtype=float)
            out = np.ones((x.shape[0], x.shape[1] + 1))
            out[:, :-1] = x
            return out
        ''')


def _slope_layers(lesson: Lesson) -> list[int]:
    """Layers with a slope{l} step: every layer but the output when the loss cancels its slope."""
    depth = lesson.architecture.depth
    cancels = get_loss(lesson.loss).cancels_slope
    return [l for l in range(1, depth + 1) if not (l == depth and cancels)]


def _functions(lesson: Lesson) -> str:
    """The activations the lesson uses (with the slopes it needs) and its loss."""
    arch, loss = lesson.architecture, get_loss(lesson.loss)
    with_slope = {arch.activations[l - 1] for l in _slope_layers(lesson)}
    parts = ["# -- activations f and their slopes ------------------------------------------------"]
    for name in dict.fromkeys(arch.activations):
        function, slope = _ACTIVATION_CODE[name]
        parts.append(_dedent(function))
        if name in with_slope:
            parts.append(_dedent(slope))
    if loss.name in _SQUARED_FACTOR:
        factor, symbol = _SQUARED_FACTOR[loss.name]
        code = _LOSS_CODE["squared"].replace("@@FACTOR@@", factor).replace("@@SYMBOL@@", symbol)
    else:
        code = _LOSS_CODE[loss.name]
    parts += ["# -- the loss -----------------------------------------------------------------",
              _dedent(code)]
    return "\n\n".join(parts)


def _iteration(lesson: Lesson) -> str:
    """forward, loss_of, backward, update and iterate, for this lesson's options."""
    arch, loss = lesson.architecture, get_loss(lesson.loss)
    slope_layers = _slope_layers(lesson)
    functions = ", ".join(["None", *arch.activations])
    slopes = ", ".join(["None"] + [f"{name}_slope" if l in slope_layers else "None"
                                   for l, name in enumerate(arch.activations, start=1)])
    head = ["# -- one iteration ------------------------------------------------------------------",
            f"f = [{functions}]  # f of layers 1..L"]
    if slope_layers:
        head.append(f"slope_of = [{slopes}]  # f' of the layers with a slope step")
    forward = [
        "def forward(batch, weights):",
        '    """The forward pass, layer by layer."""',
        "    for l in range(1, DEPTH + 1):",
        "        np.matmul(batch.inputs[l - 1], weights.block[l], out=batch.z[l])"
        "  # z{l} = a{l-1} @ W{l} + b{l}",
        "        f[l](batch.z[l], out=batch.a(l))  # a{l} = f(z{l})",
    ]
    error = [
        "def loss_of(batch, weights, y):",
        '    """E and the loss J of the batch."""',
        "    np.subtract(y, batch.output, out=batch.E)  # E = y − a{L}",
        "    value = batch_loss(batch.z[DEPTH], batch.output, y, batch.E)  # loss = J",
    ]
    if lesson.l2:
        error += [
            "    squares = 0.0",
            "    for l in range(1, DEPTH + 1):",
            "        w = weights.W(l).reshape(-1)",
            "        squares += float(np.dot(w, w))",
            "    value += L2 / (2.0 * batch.E.shape[0]) * squares  # loss: J += λ/(2m)·Σ‖W{l}‖²",
        ]
    error.append("    return value")
    backward = [
        "def backward(batch, weights):",
        '    """Slopes, then deltas and errors from layer L down to 1, then the gradients."""',
        "    m, k = batch.output.shape",
    ]
    if slope_layers:
        top, note = (("DEPTH - 1", "  # no slope{L}: with this loss it cancels")
                     if loss.cancels_slope else ("DEPTH", ""))
        backward += [f"    for l in range({top}, 0, -1):{note}",
                     "        slope_of[l](batch.z[l], batch.a(l), out=batch.slope[l])"
                     "  # slope{l} = f'(z{l})"]
    if loss.cancels_slope:
        backward.append("    np.divide(batch.E, -m, out=batch.delta[DEPTH])"
                        "  # delta{L} = (a{L} − y)/m = −E/m")
    else:
        backward += ["    np.multiply(batch.E, batch.slope[DEPTH], out=batch.delta[DEPTH])"
                     "  # delta{L} = E ⊙ slope{L} ...",
                     "    np.multiply(batch.delta[DEPTH], -loss_factor(m, k), out=batch.delta[DEPTH])"
                     "  # ... times −c"]
    backward += [
        "    for l in range(DEPTH - 1, 0, -1):",
        "        np.matmul(batch.delta[l + 1], weights.W(l + 1).T, out=batch.error[l])"
        "  # error{l} = delta{l+1} @ W{l+1}ᵀ",
        "        np.multiply(batch.error[l], batch.slope[l], out=batch.delta[l])"
        "  # delta{l} = error{l} ⊙ slope{l}",
        "    for l in range(DEPTH, 0, -1):",
        "        grad_block = batch.grad.block[l]",
        "        np.matmul(batch.inputs[l - 1].T, batch.delta[l], out=grad_block)"
        "  # grad_W{l} = a{l-1}ᵀ @ delta{l}, grad_b{l} = Σᵢ delta{l}",
    ]
    if lesson.l2:
        backward += [
            "        grad_W = batch.grad.W(l)",
            "        penalty = batch.scratch[:grad_W.size].reshape(grad_W.shape)",
            "        np.multiply(weights.W(l), L2 / m, out=penalty)",
            "        np.add(grad_W, penalty, out=grad_W)  # grad_W{l} += (λ/m)·W{l}",
        ]
    if arch.bias and not arch.train_bias:
        backward.append("        grad_block[-1] = 0.0  # grad_b{l}: the biases are frozen, no step")
    if lesson.momentum:
        update = [
            "def update(batch, weights, velocity):",
            '    """Every layer at once: velocity_W{l}, velocity_b{l}, then new_W{l}, new_b{l}."""',
            "    np.multiply(velocity.flat, MOMENTUM, out=velocity.flat)  # velocity = μ·v ...",
            "    np.multiply(batch.grad.flat, LEARNING_RATE, out=batch.scratch)",
            "    np.subtract(velocity.flat, batch.scratch, out=velocity.flat)  # ... − η·grad",
            "    np.add(weights.flat, velocity.flat, out=weights.flat)"
            "  # new_W = W + velocity_W, new_b = b + velocity_b",
        ]
        arguments = "batch, weights, velocity"
    else:
        update = [
            "def update(batch, weights):",
            '    """Every layer at once: new_W{l} = W{l} − η·grad_W{l}, new_b{l} likewise."""',
            "    np.multiply(batch.grad.flat, LEARNING_RATE, out=batch.scratch)",
            "    np.subtract(weights.flat, batch.scratch, out=weights.flat)  # new_W{l}, new_b{l}",
        ]
        arguments = "batch, weights"
    iterate = [
        f"def iterate({arguments}, y):",
        '    """One training iteration on the batch in batch.inputs[0]; returns its loss J."""',
        "    forward(batch, weights)",
        "    value = loss_of(batch, weights, y)",
        "    backward(batch, weights)",
        f"    update({arguments})",
        "    return value",
    ]
    return "\n\n\n".join("\n".join(lines) for lines in (head, forward, error, backward, update,
                                                       iterate)) + "\n"


def _epochs(lesson: Lesson, session: Session) -> str:
    """The function that runs one epoch (full batch, or mini-batches in a shuffled order)."""
    velocity = ", velocity" if lesson.momentum else ""
    if session.trainer.full_batch:
        return _dedent(f'''
            # -- training -------------------------------------------------------------------------
            def run_epoch(weights{velocity}, full_batch):
                """One epoch = one iteration on all the data (full batch); returns loss[e]."""
                return iterate(full_batch, weights{velocity}, y)
            ''')
    return _dedent(f'''
        # -- training -------------------------------------------------------------------------
        def run_epoch(weights{velocity}, batches, state):
            """One epoch: the samples in the order rng.permutation(m), BATCH_SIZE at a time
            (the last batch may be smaller). Returns loss[e], the mean of the batch losses
            weighted by batch size."""
            m = X.shape[0]
            if state["batch"] == 0:
                state["order"] = state["rng"].permutation(m)
                state["loss_sum"] = 0.0
            for start in range(state["batch"] * BATCH_SIZE, m, BATCH_SIZE):
                rows = state["order"][start:start + BATCH_SIZE]
                batch = batches.get(rows.size)
                if batch is None:
                    batch = batches[rows.size] = Batch(rows.size)
                np.take(X_WITH_ONES, rows, axis=0, out=batch.inputs[0])  # the batch of X
                value = iterate(batch, weights{velocity}, y[rows])
                state["loss_sum"] += rows.size * value
            state["batch"] = 0
            return state["loss_sum"] / m
        ''')


def _main(lesson: Lesson, session: Session) -> str:
    arch = lesson.architecture
    resumed = lesson.session is not None
    full = session.trainer.full_batch
    state = session.state
    setup = ["    weights = Weights()",
             "    for l in range(1, DEPTH + 1):",
             "        weights.W(l)[...] = start_W[l]"]
    if arch.bias:
        setup.append("        weights.b(l)[...] = start_b[l]")
    if lesson.momentum:
        setup.append("    velocity = Weights()  # one velocity per trainable number, starting at zero"
                     if not resumed else "    velocity = Weights()")
        if resumed:
            setup += ["    for l in range(1, DEPTH + 1):",
                      "        velocity.W(l)[...] = start_velocity_W[l]"]
            if arch.bias:
                setup.append("        velocity.b(l)[...] = start_velocity_b[l]")
    if full:
        setup += ["    full_batch = Batch(X.shape[0])",
                  "    full_batch.inputs[0] = X_WITH_ONES"]
        data = "full_batch"
    else:
        setup += ["    rng = np.random.Generator(np.random.PCG64())",
                  "    rng.bit_generator.state = GENERATOR_STATE",
                  "    batches = {}  # a Batch per batch size",
                  "    state = {\"rng\": rng, \"batch\": 0, \"order\": None, \"loss_sum\": 0.0}"]
        if resumed and state.batch:
            setup.append("    state.update(batch=START_BATCH, order=START_ORDER, "
                         "loss_sum=START_LOSS_SUM)")
        data = "batches, state"
    setup.append("    losses = list(EARLIER_LOSSES)" if resumed else "    losses = []")
    epoch = ("epoch = run  # counted from 1" if not state.epoch else
             f"epoch = {state.epoch} + run  # counted from 1, after the saved epochs")
    velocity = ", velocity" if lesson.momentum else ""
    stopped = resumed and (session.diverged is not None or session.reached_tolerance)
    epochs_expression = "0 if STOPPED else args.epochs" if stopped else "args.epochs"
    divergence_start = ("    divergence = STOPPED if STOPPED != 'tolerance' else None"
                        if stopped else "    divergence = None")
    return _dedent('''
        def diverged(epoch, loss, flat):
            """The app's one-line message when the loss or a weight is inf or NaN, else None."""
            if not math.isfinite(loss):
                what, value = "the loss", "nan" if math.isnan(loss) else "inf"
            elif not np.isfinite(flat).all():
                what, value = "a weight", "nan" if np.isnan(flat).any() else "inf"
            else:
                return None
            return f"diverged at epoch {epoch}: {what} is {value} — lower the learning rate"


        def full_loss(weights):
            """J of the whole data set on these weights (L2 with m = all samples)."""
            batch = Batch(X.shape[0])
            batch.inputs[0] = X_WITH_ONES
            forward(batch, weights)
            return loss_of(batch, weights, y)


        def finite_or_none(value):
            """Strict JSON has no inf or NaN: they are written as null."""
            if isinstance(value, dict):
                return {key: finite_or_none(v) for key, v in value.items()}
            if isinstance(value, list):
                return [finite_or_none(v) for v in value]
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return value


        def positive_whole_number(text):
            value = int(text)
            if value < 1:
                raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text}")
            return value


        def main():
            parser = argparse.ArgumentParser(description="Train the lesson " + repr(TITLE) + ".")
            parser.add_argument("--epochs", type=positive_whole_number, default=EPOCHS,
                                help=f"epochs to train (default {EPOCHS})")
            parser.add_argument("--every", type=positive_whole_number, default=None,
                                help="print every K-th epoch (default: about ten lines)")
            parser.add_argument("--json", metavar="OUT", help="write the run record to OUT")
            args = parser.parse_args()
            every = args.every or max(1, args.epochs // 10)

        @@SETUP@@
        @@DIVERGENCE_START@@
            with np.errstate(all="ignore"):  # a diverging run overflows: reported, not warned
                for run in range(1, @@EPOCHS@@ + 1):
                    @@EPOCH@@
                    loss = run_epoch(weights@@VELOCITY@@, @@DATA@@)
                    losses.append(loss)
                    divergence = diverged(epoch, loss, weights.flat)
                    stop = divergence is not None or (TOLERANCE is not None and loss < TOLERANCE)
                    if run % every == 0 or run == args.epochs or stop:
                        print(f"epoch {epoch} loss {loss!r}")
                    if stop:
                        break
                final_loss = full_loss(weights)
            print(f"final_loss {final_loss!r}")

            if args.json:
                record = {
                    "format": "backprop-tracer.run", "version": 1, "lesson": TITLE,
                    "epochs": len(losses), "loss": losses, "final_loss": final_loss,
                    "weights": [weights.W(l).tolist() for l in range(1, DEPTH + 1)],
                    "biases": [weights.b(l).tolist() if BIAS else None
                               for l in range(1, DEPTH + 1)],
                }
                text = json.dumps(finite_or_none(record), allow_nan=False)
                try:
                    with open(args.json, "w", encoding="utf-8") as handle:
                        handle.write(text + "\\n")
                except OSError as exc:
                    print(f"{args.json}: cannot write the run record: {exc.strerror or exc}",
                          file=sys.stderr)
                    return 2
            if divergence is not None:
                print(divergence, file=sys.stderr)
                return 3
            return 0


        if __name__ == "__main__":
            sys.exit(main())
        ''').replace("@@SETUP@@", "\n".join(setup)) \
        .replace("@@DIVERGENCE_START@@", divergence_start) \
        .replace("@@EPOCHS@@", epochs_expression) \
        .replace("@@EPOCH@@", epoch) \
        .replace("@@VELOCITY@@", velocity).replace("@@DATA@@", data)


def script_text(lesson: Lesson, epochs: int | None = None) -> str:
    """The standalone script that reproduces ``main.py run LESSON [--epochs N]``.

    Parameters
    ----------
    lesson : Lesson
    epochs : int or None
        Epochs the script trains by default (its ``--epochs`` overrides it);
        None: the lesson's own count.

    Returns
    -------
    str
        Python source that needs only NumPy and the standard library.
    """
    epochs = lesson.epochs if epochs is None else int(epochs)
    session = Session(lesson)  # the starting state exactly as the engine builds it
    use_base64 = any(_as_base64(array) for array in _written_arrays(lesson, session))
    sections = [
        _header(lesson, epochs, use_base64),
        _settings(lesson, epochs),
        _data(lesson, use_base64),
        _start(lesson, session),
        _weights_class(),
        "X_WITH_ONES = with_ones(X)  # a{0}: X with the column of ones\n",
        _functions(lesson),
        _iteration(lesson),
        _epochs(lesson, session),
        _main(lesson, session),
    ]
    return "\n\n".join(section.rstrip("\n") + "\n" for section in sections)


def write_script(lesson: Lesson, path: str | os.PathLike, epochs: int | None = None) -> None:
    """Write the script of ``lesson`` to ``path`` atomically (temporary file, then rename)."""
    atomic_write_text(script_text(lesson, epochs), path)

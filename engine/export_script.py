"""The standalone NumPy script of DESIGN.md section 5 (``run LESSON --script OUT``).

``script_text`` writes a Python file that needs only NumPy (and the standard
library's argparse, json, math, sys — and base64 for large arrays of arbitrary
floats, which it holds as base64 of their bytes because that is shorter). It
holds the lesson's data and the starting weights exactly as the engine has
them, prints one line per reported epoch and ends with ``final_loss <repr>``.

Its iteration is printed from the kernel, not written beside it: the
operation lists of a ``BoundIteration`` (activations' and losses' own
operations included) are bound to a workspace of each batch size, every
array they touch is named by its memory (``z1``, ``delta2``, ``grad_block1``,
``W2.T``; a buffer an activation made for itself gets a name and an
``np.empty``), and each (function, arguments) pair becomes one call such as
``np.matmul(inputs0, W_block1, out=z1)``, under the DESIGN.md §3 name of the
step whose array it writes. An activation registered with its own
operations is therefore exported without a change here. What the kernel
does in Python — the loss's final sum and the L2 term, batching with
``rng.permutation``, the divergence check of ``training.py`` — is written
from the small templates named for it below. Its losses and weights equal
the run record of ``main.py run`` bit for bit on the same NumPy, which the
tests check.

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
import operator
import os
import textwrap
from dataclasses import dataclass
from functools import partial

import numpy as np

from .files import atomic_write_text
from .kernel import BoundIteration, Workspace
from .lesson import Lesson
from .losses import get_loss
from .network import Parameters
from .session import Session

__all__ = ["ScriptSections", "script_sections", "script_text", "joined", "write_script",
           "BASE64_ABOVE"]

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



def _dedent(code: str) -> str:
    return textwrap.dedent(code).strip("\n") + "\n"


def _header(lesson: Lesson, epochs: int) -> str:
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
        "# new_b{l} (layers l = 1..L; a{0} is X). The lines of each iteration are printed",
        "# from the app's own operations, in its order, so the numbers agree to the last bit.",
    ]
    return "\n".join(lines) + "\n"


def _imports(use_base64: bool) -> str:
    lines = ["import argparse"]
    if use_base64:
        lines.append("import base64")
    lines += ["import json", "import math", "import sys", "", "import numpy as np"]
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


# -- naming the kernel's arrays and printing its operations -------------------------
@dataclass
class _Entry:
    """One array of the script: its name, the source that makes it, what it holds."""

    name: str
    definition: str | None  # None: a function argument, made by the caller
    comment: str = ""
    needs: tuple = ()
    step: str | None = None  # the step (DESIGN.md §3) an operation writing into it computes
    used: bool = False


def _memory(array: np.ndarray) -> tuple:
    """What makes two views the same array: address, shape and strides."""
    return array.__array_interface__["data"][0], array.shape, array.strides


class _Names:
    """Names for the arrays the kernel's operations use, found by their memory.

    The kernel's views (W{l}ᵀ, a{l} inside inputs{l}, ...) are new objects
    with the memory of arrays named here, so a view is known by its
    address, shape and strides. An array the operations made for themselves
    (a temporary of an activation) gets a name from ``context`` and is made
    with ``np.empty``. ``parent`` holds the names made outside the function
    being printed (the weights).
    """

    def __init__(self, parent: "_Names | None" = None, context: str = "work"):
        self.parent, self.context = parent, context
        self._by_memory: dict[tuple, _Entry] = {}
        self._by_name: dict[str, _Entry] = {}
        self._made: dict[str, int] = {}  # per context, the arrays operations made for themselves

    def add(self, array: np.ndarray, name: str, definition: str | None, comment: str = "",
            needs: tuple = (), step: str | None = None) -> None:
        entry = _Entry(name, definition, comment, tuple(needs), step)
        self._by_name[name] = entry
        self._by_memory.setdefault(_memory(array), entry)  # the first name of a memory wins

    def _entry(self, array: np.ndarray) -> _Entry | None:
        entry = self._by_memory.get(_memory(array))
        return entry if entry is not None or self.parent is None else self.parent._entry(array)

    def _use(self, entry: _Entry) -> str:
        """``entry``'s name, marking it (and what its definition needs) as used here."""
        if self._by_name.get(entry.name) is not entry:
            return self.parent._use(entry)
        if not entry.used:
            entry.used = True
            for need in entry.needs:
                self._use(self._by_name[need])
        return entry.name

    def step_of(self, array: np.ndarray) -> str | None:
        entry = self._entry(array)
        return None if entry is None else entry.step

    def source(self, value) -> str:
        """``value`` as source: a literal for a number or a 0-d array, else its name."""
        if isinstance(value, (bool, int, str)) or value is None:
            return repr(value)
        if isinstance(value, (float, np.floating)) or np.ndim(value) == 0:
            return _float(np.asarray(value).item())
        entry = self._entry(value)
        if entry is not None:
            return self._use(entry)
        if value.ndim == 2:
            transposed = self._entry(value.T)
            if transposed is not None:
                return self._use(transposed) + ".T"
        if value.base is not None:
            raise ValueError(f"the script cannot name a view of shape {value.shape} that the "
                             "kernel's operations use")
        self._made[self.context] = self._made.get(self.context, 0) + 1
        name = f"{self.context}_buffer{self._made[self.context]}"
        dtype = "" if value.dtype == float else f", dtype=np.{value.dtype.name}"
        self.add(value, name, f"np.empty({value.shape!r}{dtype}{_order(value)})",
                 "a work array of the step that writes it")
        return self._use(self._by_name[name])

    def use_every(self, wanted) -> None:
        """Mark every array whose name ``wanted(name)`` accepts as used (so it is written)."""
        for entry in list(self._by_name.values()):
            if wanted(entry.name):
                self._use(entry)

    def definitions(self, indent: str) -> list[str]:
        """``name = definition`` of every used array, in the order they were named."""
        lines = []
        for entry in self._by_name.values():
            if entry.used and entry.definition is not None:
                comment = f"  # {entry.comment}" if entry.comment else ""
                lines.append(f"{indent}{entry.name} = {entry.definition}{comment}")
        return lines


def _numpy_name(function) -> str:
    """``np.NAME`` of a NumPy function, checked to be that very function."""
    name = getattr(function, "__name__", "")
    if getattr(np, name, None) is not function:
        raise ValueError(f"the script cannot write {function!r}: an operation must be a NumPy "
                         "function (functools.partial for keywords) or an array's method")
    return f"np.{name}"


def _unpacked(operation, arguments) -> tuple:
    """(function, positional arguments, keyword arguments) of one operation."""
    keywords = {}
    if isinstance(operation, partial):
        keywords = dict(operation.keywords)
        arguments = (*operation.args, *arguments)
        operation = operation.func
    if (isinstance(operation, np.ufunc) and len(arguments) == operation.nin + 1
            and "out" not in keywords):
        keywords["out"] = arguments[-1]
        arguments = arguments[:-1]
    return operation, tuple(arguments), keywords


def _written(operation, arguments) -> np.ndarray:
    """The array an operation writes: its ``out``, the array whose method it is,
    or np.copyto's destination."""
    function, positional, keywords = _unpacked(operation, arguments)
    if "out" in keywords:
        return keywords["out"]
    owner = getattr(function, "__self__", None)
    return owner if isinstance(owner, np.ndarray) else positional[0]


def _call(names: _Names, operation, arguments) -> str:
    """One operation as a call, e.g. ``np.matmul(inputs0, W_block1, out=z1)``."""
    function, positional, keywords = _unpacked(operation, arguments)
    owner = getattr(function, "__self__", None)
    if isinstance(owner, np.ndarray):  # an array's own method, such as grad_b1.fill
        written = f"{names.source(owner)}.{function.__name__}"
    else:
        written = _numpy_name(function)
    parts = [names.source(value) for value in positional]
    parts += [f"{key}={names.source(value)}" for key, value in keywords.items()]
    return f"{written}({', '.join(parts)})"


def _operation_lines(names: _Names, operations: list, indent: str,
                     shown: set | None = None) -> list[str]:
    """The operations as lines, each under the step they compute (once; not those in ``shown``)."""
    lines, shown = [], set() if shown is None else shown
    written = [_written(operation, arguments) for operation, arguments in operations]
    steps = [names.step_of(array) for array in written]
    for index, (operation, arguments) in enumerate(operations):
        # A temporary is named after the array its step computes (the next one named).
        made = next((w for w, step in zip(written[index:], steps[index:]) if step), None)
        if made is not None:
            names.context = names.source(made)
        if steps[index] is not None and steps[index] not in shown:
            lines.append(f"{indent}# {steps[index]}")
            shown.add(steps[index])
        lines.append(indent + _call(names, operation, arguments))
    return lines


def _name_parameters(names: _Names, params: Parameters, kind: str, steps: dict) -> None:
    """Name a Parameters' flat buffer and its per-layer views.

    ``kind`` is ``""`` (the weights: W_block{l}, W{l}, b{l}), ``"grad_"`` or
    ``"velocity_"`` (grad_block{l}, grad_W{l}, ...); ``steps`` maps a name to
    the step an operation writing into it computes.
    """
    arch = params.architecture
    flat = {"": "weights_and_biases", "grad_": "gradient", "velocity_": "velocities"}[kind]
    block = "W_block" if not kind else f"{kind}block"
    names.add(params.flat, flat, f"np.zeros({arch.size})",
              f"every {kind}W{{l}}" + (f" and {kind}b{{l}}" if arch.bias else "")
              + ": one update moves them all", step=steps.get(flat))
    offset = 0
    for l in range(1, arch.depth + 1):
        rows, columns = arch.block_shape(l)
        source = f"{flat}[{offset}:{offset + rows * columns}].reshape({rows}, {columns})"
        offset += rows * columns
        weight = f"{kind}W{l}"
        if arch.bias:
            names.add(params.block(l), f"{block}{l}", source,
                      f"{weight} in its first {rows - 1} rows, {kind}b{l} as its last",
                      (flat,), steps.get(f"{block}{l}"))
            names.add(params.weight(l), weight, f"{block}{l}[:{rows - 1}]", "",
                      (f"{block}{l}",), steps.get(weight))
            names.add(params.bias(l), f"{kind}b{l}", f"{block}{l}[-1]", "",
                      (f"{block}{l}",), steps.get(f"{kind}b{l}"))
        else:
            names.add(params.weight(l), weight, source, "", (flat,), steps.get(weight))
        names.add(params.weight(l).reshape(-1), f"{weight}_flat", f"{weight}.reshape(-1)", "",
                  (weight,))


def _workspace_steps(lesson: Lesson, m: int) -> dict:
    """The step each of a workspace's arrays holds, in the gradient form's names (DESIGN.md §3)."""
    arch, loss = lesson.architecture, get_loss(lesson.loss)
    depth, bias = arch.depth, arch.bias
    steps = {"E": f"E = y − a{depth}"}
    for l in range(1, depth + 1):
        activation = arch.activation(l)
        steps[f"z{l}"] = f"z{l} = a{l - 1} @ W{l}" + (f" + b{l}" if bias else "")
        steps[f"a{l}"] = f"a{l} = {activation.name}(z{l}) = {activation.symbol}"
        steps[f"slope{l}"] = f"slope{l} = f'(z{l}) = {activation.slope_symbol}"
        steps[f"error{l}"] = f"error{l} = delta{l + 1} @ W{l + 1}ᵀ"
        steps[f"delta{l}"] = f"delta{l} = error{l} ⊙ slope{l}"
        steps[f"grad_block{l}" if bias else f"grad_W{l}"] = (
            f"grad_W{l} = a{l - 1}ᵀ @ delta{l}"
            + (f", grad_b{l} = Σᵢ delta{l}" if bias else ""))
        steps[f"l2_term{l}"] = f"grad_W{l} += (λ/m)·W{l}"
        steps[f"grad_b{l}"] = f"grad_b{l} = 0: the biases are frozen, they take no step"
    if bias:
        steps.update({f"grad_W{l}": steps[f"l2_term{l}"] for l in range(1, depth + 1)})
    if loss.cancels_slope:
        steps[f"delta{depth}"] = f"delta{depth} = (a{depth} − y)/m = −E/m"
    else:
        c = loss.factor(m, arch.layers[-1])
        steps[f"delta{depth}"] = (f"delta{depth} = −c·E ⊙ slope{depth}, "
                                  f"c = {_float(c)} for {loss.name}")
    return steps


def _update_steps(lesson: Lesson) -> dict:
    """The step of each array the update writes (every layer at once)."""
    if lesson.momentum:
        return {"velocities": "velocity_W{l} = μ·velocity_W{l} − η·grad_W{l}, velocity_b{l} "
                              "likewise, for every layer at once",
                "scratch": "η·grad_W{l}, η·grad_b{l}",
                "weights_and_biases": "new_W{l} = W{l} + velocity_W{l}, new_b{l} = b{l} + "
                                      "velocity_b{l}, for every layer at once"}
    return {"scratch": "η·grad_W{l}, η·grad_b{l}",
            "weights_and_biases": "new_W{l} = W{l} − η·grad_W{l}, new_b{l} = b{l} − "
                                  "η·grad_b{l}, for every layer at once"}


def _name_workspace(names: _Names, ws: Workspace, steps: dict, l2: bool) -> None:
    """Name the arrays of one iteration on ws.batch_size samples (inputs0 is an argument)."""
    arch = ws.architecture
    m, sizes, depth = ws.batch_size, arch.layers, arch.depth
    names.add(ws.inputs[0], "inputs0" if arch.bias else "a0", None)
    for l in range(1, depth + 1):
        names.add(ws.z[l], f"z{l}", f"np.empty({(m, sizes[l])!r}{_order(ws.z[l])})",
                  step=steps[f"z{l}"])
        if l == depth:
            names.add(ws.output, f"a{l}", f"np.empty({(m, sizes[l])!r})", "the output",
                      step=steps[f"a{l}"])
        elif arch.bias:
            names.add(ws.inputs[l], f"inputs{l}",
                      f"np.ones({(m, sizes[l] + 1)!r}{_order(ws.inputs[l])})",
                      f"a{l} and a column of ones: z{l + 1} = inputs{l} @ W_block{l + 1}")
            names.add(ws.activation(l), f"a{l}", f"inputs{l}[:, :{sizes[l]}]", "",
                      (f"inputs{l}",), steps[f"a{l}"])
        else:
            names.add(ws.activation(l), f"a{l}",
                      f"np.empty({(m, sizes[l])!r}{_order(ws.activation(l))})",
                      step=steps[f"a{l}"])
    names.add(ws.E, "E", f"np.empty({(m, sizes[-1])!r})", step=steps["E"])
    names.add(ws.E.reshape(-1), "E_flat", "E.reshape(-1)", "E as one row of numbers", ("E",))
    for kind, layers in (("slope", range(1, depth + 1)), ("error", range(1, depth)),
                         ("delta", range(1, depth + 1))):
        for l in layers:
            array = getattr(ws, kind)[l]
            names.add(array, f"{kind}{l}", f"np.empty({array.shape!r}{_order(array)})",
                      step=steps[f"{kind}{l}"])
    _name_parameters(names, ws.grad, "grad_", steps)
    names.add(ws.scratch, "scratch", f"np.empty({arch.size})",
              "η·grad" + (", and the L2 terms before it" if l2 else ""),
              step=steps.get("scratch"))
    for l in range(1, depth + 1):
        shape = ws.grad.weight(l).shape
        names.add(ws.scratch[: ws.grad.weight(l).size].reshape(shape), f"l2_term{l}",
                  f"scratch[:{shape[0] * shape[1]}].reshape{shape!r}", f"(λ/m)·W{l}",
                  ("scratch",), steps[f"l2_term{l}"])


def _loss_lines(names: _Names, bound: BoundIteration, y: np.ndarray) -> list[str]:
    """The body of ``loss(y)``: what ``BoundIteration.loss`` runs — E, the loss's
    ``ValueProgram``, and the L2 term's Python sum — as lines."""
    ws, indent = bound.ws, " " * 8
    program = bound.loss_fn.value_program(ws.z[-1], ws.output, y, ws.E)
    loss_step = f"loss = J, {bound.loss_fn.symbol}"
    for name, array in program.buffers.items():
        names.add(array, name, f"np.empty({array.shape!r}{_order(array)})", step=loss_step)
    lines = _operation_lines(names, [(np.subtract, (y, ws.output, ws.E))], indent)
    lines += [f"{indent}# {loss_step}"]
    lines += _operation_lines(names, program.setup + program.operations, indent, {loss_step})
    operator_sign = {operator.mul: "*", operator.truediv: "/"}[program.finish]
    lines.append(f"{indent}value = float({_call(names, program.total, program.total_arguments)})"
                 f" {operator_sign} {_float(program.scale)}")
    if bound.l2_factor:
        lines += [f"{indent}# loss: J += λ/(2m)·Σ‖W{{l}}‖² (biases are not regularised)",
                  f"{indent}squares = 0.0"]
        lines += [f"{indent}squares += float(np.dot({names.source(w)}, {names.source(w)}))"
                  for w in bound.l2_weights]
        lines.append(f"{indent}value += {_float(bound.l2_factor)} * squares")
    return lines + [f"{indent}return value"]


def _iteration_function(lesson: Lesson, session: Session, weights: _Names, m: int) -> str:
    """``iteration_on_M_samples(inputs0)``: the arrays of an iteration on m samples and
    its phases, printed from the kernel's operations bound to them."""
    arch, state = lesson.architecture, session.state
    ws = Workspace(arch, m)
    bound = BoundIteration(session.trainer.kernel, ws, state.params)
    steps = {**_workspace_steps(lesson, m), **_update_steps(lesson)}
    names = _Names(weights)
    _name_workspace(names, ws, steps, bool(lesson.l2))
    y = np.empty(ws.output.shape)
    names.add(y, "y", None)
    indent = " " * 8
    phases = [
        _phase("forward()", "The forward pass: z{l} and a{l} for l = 1..L.",
               _operation_lines(names, bound.forward_operations, indent)),
        _phase("loss(y)", "E and the loss J of the batch against its targets y.",
               _loss_lines(names, bound, y)),
        _phase("backward()", "The backward pass: slopes, deltas and errors from layer L "
               "down to 1, then the gradients.",
               _operation_lines(names, bound.backward_operations, indent)),
        _phase("update()", "The update of every weight and bias at once.",
               _operation_lines(names, bound.update_operations(state.velocity), indent))]
    first = "inputs0" if arch.bias else "a0"
    head = [f"def iteration_on_{m}_samples({first}):",
            f'    """One iteration on a batch of {m} samples: its arrays (made once), its steps.',
            "",
            "    " + ("inputs0 is a0, the batch of X, with a column of ones for the biases"
                      if arch.bias else "a0 is the batch of X") + "; the caller fills it.",
            "    Returns forward(), loss(y) and iterate(y); the last two return J.",
            '    """']
    iterate = _phase("iterate(y)", f"One training iteration on the batch in {first}; "
                     "returns its loss J.",
                     [indent + line for line in ("forward()", "value = loss(y)", "backward()",
                                                 "update()", "return value")])
    return "\n".join(head + names.definitions("    ") + [""] + phases + [iterate]
                     + ["    return forward, loss, iterate"]) + "\n"


def _phase(signature: str, docstring: str, body: list[str]) -> str:
    """A nested ``def`` of the iteration function, with its docstring and body lines."""
    return "\n".join([f"    def {signature}:", f'        """{docstring}"""', *body, ""])


def _weight_names(lesson: Lesson, session: Session) -> _Names:
    """Names for the weights (and velocities): one flat array and a view per layer.

    The per-layer views of the weights are written (main sets them, the run
    record reads them), those of the velocities when a saved session gives
    their values; the rest only if an operation uses them.
    """
    state = session.state
    weights = _Names()
    updates = _update_steps(lesson)
    _name_parameters(weights, state.params, "", updates)
    if state.velocity is not None:
        _name_parameters(weights, state.velocity, "velocity_", updates)
    resumed = lesson.session is not None
    weights.use_every(lambda name: not name.endswith("_flat")
                      and (resumed or not name.startswith("velocit")))
    return weights


def _order(array: np.ndarray) -> str:
    """``, order="F"`` for a column-major array (a hidden layer's), else nothing."""
    if array.ndim == 2 and array.flags.f_contiguous and not array.flags.c_contiguous:
        return ', order="F"'
    return ""


def _weights_section(lesson: Lesson, weights: _Names) -> str:
    """The weights' definitions, then X as inputs0 of the whole data set."""
    lines = ["# -- the weights and biases: one flat array, a view per layer ---------------------"]
    lines += weights.definitions("")
    if lesson.architecture.bias:
        lines += ["X_WITH_ONES = np.ones((X.shape[0], X.shape[1] + 1), order=\"F\")"
                  "  # a0 = X with the column of ones that multiplies b1",
                  "X_WITH_ONES[:, :-1] = X"]
    else:
        lines += ["X = np.asfortranarray(X)"]
    lines[-1] += "  # column-major, as every hidden layer's arrays: a{l} is one block"
    return "\n".join(lines) + "\n"


def _batch_sizes(session: Session) -> list[int]:
    """The batch sizes an epoch uses (the last batch may be smaller), then the whole data
    set's (``full_loss``)."""
    return list(dict.fromkeys([*_epoch_sizes(session), session.trainer.samples]))


def _epoch_function(lesson: Lesson, session: Session) -> str:
    """``run_epoch(state)`` for this lesson: one full-batch iteration, or mini-batches."""
    if session.trainer.full_batch:
        return _dedent('''
            # -- training -------------------------------------------------------------------------
            def run_epoch(state):
                """One epoch = one iteration on all the data (full batch); returns loss[e]."""
                return state["iterate"](y)
            ''')
    inputs = "X_WITH_ONES" if lesson.architecture.bias else "X"
    return _dedent('''
        # -- training -------------------------------------------------------------------------
        def run_epoch(state):
            """One epoch: the samples in the order rng.permutation(m), BATCH_SIZE at a time
            (the last batch may be smaller). Returns loss[e], the mean of the batch losses
            weighted by batch size."""
            m = X.shape[0]
            if state["batch"] == 0:
                state["order"] = state["rng"].permutation(m)
                state["loss_sum"] = 0.0
            for start in range(state["batch"] * BATCH_SIZE, m, BATCH_SIZE):
                rows = state["order"][start:start + BATCH_SIZE]
                inputs0, iterate = state["batches"][rows.size]
                np.take(@@INPUTS@@, rows, axis=0, out=inputs0)  # the batch of X
                value = iterate(y[rows])
                state["loss_sum"] += rows.size * value
            state["batch"] = 0
            return state["loss_sum"] / m
        ''').replace("@@INPUTS@@", inputs)


def _helpers(lesson: Lesson, m: int) -> str:
    """diverged, full_loss, finite_or_none and positive_whole_number."""
    inputs = "X_WITH_ONES" if lesson.architecture.bias else "X"
    return _dedent('''
        def diverged(epoch, loss):
            """The app's one-line message when the loss or a weight is inf or NaN, else None."""
            if not math.isfinite(loss):
                what, value = "the loss", "nan" if math.isnan(loss) else "inf"
            elif not np.isfinite(weights_and_biases).all():
                what, value = "a weight", "nan" if np.isnan(weights_and_biases).any() else "inf"
            else:
                return None
            return f"diverged at epoch {epoch}: {what} is {value} — lower the learning rate"


        def full_loss():
            """J of the whole data set on the weights (L2 with m = all samples)."""
            forward, loss, _ = iteration_on_@@M@@_samples(@@INPUTS@@)
            forward()
            return loss(y)


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
        ''').replace("@@M@@", str(m)).replace("@@INPUTS@@", inputs)


def _starting_lines(lesson: Lesson, session: Session) -> list[str]:
    """main's first lines: the starting weights, the training state, the earlier losses."""
    arch, state = lesson.architecture, session.state
    resumed = lesson.session is not None
    lines = ["    for l, (W, b) in enumerate(zip(@@W@@, @@B@@), start=1):".replace(
        "@@W@@", _listed("W", arch.depth)).replace("@@B@@", _listed("b", arch.depth, arch.bias)),
        "        W[...] = start_W[l]"]
    if arch.bias:
        lines.append("        b[...] = start_b[l]")
    if resumed and state.velocity is not None:
        lines += [f"    for l, (W, b) in enumerate(zip({_listed('velocity_W', arch.depth)}, "
                  f"{_listed('velocity_b', arch.depth, arch.bias)}), start=1):",
                  "        W[...] = start_velocity_W[l]"]
        if arch.bias:
            lines.append("        b[...] = start_velocity_b[l]")
    inputs = "X_WITH_ONES" if arch.bias else "X"
    if session.trainer.full_batch:
        lines.append(f"    state = {{\"iterate\": iteration_on_{session.trainer.samples}_samples("
                     f"{inputs})[2]}}")
    else:
        columns = "X.shape[1] + 1" if arch.bias else "X.shape[1]"
        lines += ["    rng = np.random.Generator(np.random.PCG64())",
                  "    rng.bit_generator.state = GENERATOR_STATE",
                  "    batches = {}  # batch size: (its inputs0, its iterate)",
                  "    for size, iteration_on in ["
                  + ", ".join(f"({size}, iteration_on_{size}_samples)"
                              for size in _epoch_sizes(session)) + "]:",
                  f"        inputs0 = np.ones((size, {columns}), order=\"F\")",
                  "        batches[size] = inputs0, iteration_on(inputs0)[2]",
                  "    state = {\"rng\": rng, \"batches\": batches, \"batch\": 0, \"order\": None, "
                  "\"loss_sum\": 0.0}"]
        if resumed and state.batch:
            lines.append("    state.update(batch=START_BATCH, order=START_ORDER, "
                         "loss_sum=START_LOSS_SUM)")
    lines.append("    losses = list(EARLIER_LOSSES)" if resumed else "    losses = []")
    return lines


def _listed(stem: str, depth: int, present: bool = True) -> str:
    """``[W1, W2]`` (or ``[None, None]`` for absent biases) as source."""
    return "[" + ", ".join(f"{stem}{l}" if present else "None" for l in range(1, depth + 1)) + "]"


def _epoch_sizes(session: Session) -> list[int]:
    """The batch sizes of an epoch: BATCH_SIZE, and the last batch's when it is smaller."""
    trainer = session.trainer
    m, size = trainer.samples, trainer.batch_size
    return list(dict.fromkeys([size, m - (trainer.batches_per_epoch - 1) * size]))


def _main(lesson: Lesson, session: Session) -> str:
    """``main()``: the command line, the epochs with their printed lines, the run record."""
    state = session.state
    resumed = lesson.session is not None
    stopped = resumed and (session.diverged is not None or session.reached_tolerance)
    epoch = ("epoch = run  # counted from 1" if not state.epoch else
             f"epoch = {state.epoch} + run  # counted from 1, after the saved epochs")
    return _dedent('''
        def main(argv=None):
            """Train as the command line (argv, default sys.argv) asks; returns the exit status."""
            parser = argparse.ArgumentParser(description="Train the lesson " + repr(TITLE) + ".")
            parser.add_argument("--epochs", type=positive_whole_number, default=EPOCHS,
                                help=f"epochs to train (default {EPOCHS})")
            parser.add_argument("--every", type=positive_whole_number, default=None,
                                help="print every K-th epoch (default: about ten lines)")
            parser.add_argument("--json", metavar="OUT", help="write the run record to OUT")
            args = parser.parse_args(argv)
            every = args.every or max(1, args.epochs // 10)

        @@START@@
            divergence = @@DIVERGENCE@@
            with np.errstate(all="ignore"):  # a diverging run overflows: reported, not warned
                for run in range(1, @@EPOCHS@@ + 1):
                    @@EPOCH@@
                    loss = run_epoch(state)
                    losses.append(loss)
                    divergence = diverged(epoch, loss)
                    stop = divergence is not None or (TOLERANCE is not None and loss < TOLERANCE)
                    if run % every == 0 or run == args.epochs or stop:
                        print(f"epoch {epoch} loss {loss!r}")
                    if stop:
                        break
                final_loss = full_loss()
            print(f"final_loss {final_loss!r}")
            if args.json and write_record(args.json, losses, final_loss):
                return 2
            if divergence is not None:
                print(divergence, file=sys.stderr)
                return 3
            return 0
        ''').replace("@@START@@", "\n".join(_starting_lines(lesson, session))) \
        .replace("@@DIVERGENCE@@", "STOPPED if STOPPED != 'tolerance' else None"
                 if stopped else "None") \
        .replace("@@EPOCHS@@", "0 if STOPPED else args.epochs" if stopped else "args.epochs") \
        .replace("@@EPOCH@@", epoch)


def _record(lesson: Lesson) -> str:
    """``write_record``: the run record as ``main.py run --json`` writes it, without trace."""
    arch = lesson.architecture
    biases = (f"[b.tolist() for b in {_listed('b', arch.depth)}]" if arch.bias
              else _listed("b", arch.depth, False))
    return _dedent('''
        def write_record(path, losses, final_loss):
            """Write the run record to path; True (after a one-line message) if it cannot."""
            record = {
                "format": "backprop-tracer.run", "version": 1, "lesson": TITLE,
                "epochs": len(losses), "loss": losses, "final_loss": final_loss,
                "weights": [W.tolist() for W in @@WEIGHTS@@],
                "biases": @@BIASES@@,
            }
            text = json.dumps(finite_or_none(record), allow_nan=False)
            try:
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text + "\\n")
            except OSError as exc:
                print(f"{path}: cannot write the run record: {exc.strerror or exc}",
                      file=sys.stderr)
                return True
            return False
        ''').replace("@@WEIGHTS@@", _listed("W", arch.depth)).replace("@@BIASES@@", biases)


@dataclass(frozen=True)
class ScriptSections:
    """The exported program in its parts, for the script and the notebook.

    Attributes
    ----------
    header, imports, settings, data, start : str
        The comment that says what the script is and how to run it, the
        imports, the lesson's settings, X and y, and the starting weights
        (``start_W``, ``start_b``, velocities, generator state, earlier losses).
    training : list of str
        The weights as one flat array, the iteration functions (one per batch
        size), ``run_epoch``, the helpers, ``main(argv=None)`` and
        ``write_record``: everything training needs, in order.
    """

    header: str
    imports: str
    settings: str
    data: str
    start: str
    training: list[str]


def script_sections(lesson: Lesson, epochs: int | None = None) -> ScriptSections:
    """The parts of the script that reproduces ``main.py run LESSON [--epochs N]``.

    Parameters
    ----------
    lesson : Lesson
    epochs : int or None
        Epochs ``main`` trains by default (its ``--epochs`` overrides it);
        None: the lesson's own count.

    Raises
    ------
    ValueError
        When an activation's operations are not NumPy functions the script can write.
    """
    epochs = lesson.epochs if epochs is None else int(epochs)
    session = Session(lesson)  # the starting state exactly as the engine builds it
    use_base64 = any(_as_base64(array) for array in _written_arrays(lesson, session))
    weights = _weight_names(lesson, session)
    iterations = [_iteration_function(lesson, session, weights, m) for m in _batch_sizes(session)]
    return ScriptSections(
        _header(lesson, epochs), _imports(use_base64), _settings(lesson, epochs),
        _data(lesson, use_base64), _start(lesson, session),
        [_weights_section(lesson, weights),  # after the iterations: they say which views they use
         *iterations, _epoch_function(lesson, session),
         _helpers(lesson, session.trainer.samples), _main(lesson, session), _record(lesson)])


def joined(sections: list[str]) -> str:
    """Source sections one blank line apart (two between top-level definitions)."""
    return "\n\n".join(section.rstrip("\n") + "\n" for section in sections)


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

    Raises
    ------
    ValueError
        When an activation's operations are not NumPy functions the script can write.
    """
    parts = script_sections(lesson, epochs)
    return joined([parts.header + "\n" + parts.imports, parts.settings, parts.data, parts.start, *parts.training,
                   'if __name__ == "__main__":\n    sys.exit(main())\n'])


def write_script(lesson: Lesson, path: str | os.PathLike, epochs: int | None = None) -> None:
    """Write the script of ``lesson`` to ``path`` atomically (temporary file, then rename)."""
    atomic_write_text(script_text(lesson, epochs), path)

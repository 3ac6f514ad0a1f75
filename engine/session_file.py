"""The ``session`` key of a lesson file: where the learner was, to reopen it exactly.

Save Session writes the lesson with a ``session`` object holding the state
at the start of the iteration shown and how many of its steps were shown:

``epoch``         epochs completed before that iteration
``step``          the last step revealed (null: none yet)
``weights``       W{l} per layer, ``biases`` b{l} per layer (null without biases)
``velocities``    {"weights": [...], "biases": [...]} under momentum, else null
``rng_state``     the generator's ``bit_generator.state``
``loss_history``  loss[e] of the ``epoch`` completed epochs
``selection``     the selected cell, {"matrix": engine name, "row": i, "column": j},
                  or absent when none was (Save with progress keeps it; the
                  recovery copy does not, so a click is not unsaved work)
``exercise``      exercise mode's scores, one entry per iteration
                  (``engine.exercise.ExerciseRecord.to_json``), or absent when
                  none was scored; both Save with progress and the recovery copy
                  keep it, so the learner's record survives a reopen and a crash

and, for mini-batches, ``batch`` (batches done in the epoch), ``order`` (the
epoch's sample order) and ``loss_sum``. Floats are written with every digit,
so saving and opening gives back the same state bit for bit. Everything is
validated; an inconsistent file is refused, never half-loaded.

A diverged session (weights inf or NaN) is saved at its last sound epoch —
the end of the last epoch whose numbers are all finite — with the losses
up to there, so the file loads and reopens just before the divergence
(``Session.sound_state``; ``diverged_save_note`` says so to the learner).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .errors import LessonError
from .exercise import ExerciseRecord
from .network import Architecture, Parameters
from .runrecord import strict_json
from .steps import input_names, iteration_steps
from .training import TrainingState

if TYPE_CHECKING:  # pragma: no cover
    from .lesson import Lesson, _Reader
    from .session import Session

__all__ = ["SavedSession", "capture_session", "diverged_save_note", "parse_session",
           "session_document"]

_KEYS = {"epoch", "step", "weights", "biases", "velocities", "rng_state", "loss_history",
         "batch", "order", "loss_sum", "selection", "exercise"}


@dataclass
class SavedSession:
    """A validated ``session`` object: the state and the position to restore."""

    state: TrainingState
    step: str | None
    loss_history: np.ndarray
    selection: tuple[str, int, int] | None = None
    exercise: ExerciseRecord | None = None


def parse_session(r: "_Reader", value: Any, arch: Architecture, loss: str, momentum: float,
                  samples: int, batch_size: int | None) -> SavedSession | None:
    """Validate the ``session`` object of a lesson; None when absent."""
    if value is None:
        return None
    doc = r.object(value, "session", _KEYS)
    for key in ("epoch", "weights", "rng_state", "loss_history"):
        if key not in doc:
            raise r.fail(f"session.{key}", "missing; re-save the session from the app")
    epoch = r.integer(doc["epoch"], "session.epoch", 0, 10**9)
    params = _parameters(r, doc, arch)
    velocity = _velocities(r, doc, arch, momentum)

    rng = np.random.default_rng()
    state_doc = r.object(doc["rng_state"], "session.rng_state")
    try:
        rng.bit_generator.state = state_doc
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise r.fail("session.rng_state", f"not a saved PCG64 generator state ({exc})") from None

    full = batch_size is None or batch_size >= samples
    batches = 1 if full else -(-samples // batch_size)
    batch = r.integer(doc.get("batch", 0), "session.batch", 0, batches - 1)
    order = _order(r, doc.get("order"), batch, samples)
    loss_sum = r.number(doc.get("loss_sum", 0.0), "session.loss_sum")

    losses = doc["loss_history"]
    if not isinstance(losses, list) or len(losses) != epoch:
        raise r.fail("session.loss_history", f"expected {epoch} losses (one per completed epoch)")
    # A diverged run's inf or NaN losses were written as null.
    history = np.array([np.nan if v is None else r.number(v, f"session.loss_history[{i}]", finite=False)
                        for i, v in enumerate(losses)], dtype=float)

    mb = samples if full else min(batch_size, samples - batch * batch_size)
    steps = iteration_steps(arch, loss, momentum, mb)
    step = doc.get("step")
    if step is not None:
        names = [s.name for s in steps]
        if step not in names:
            raise r.fail("session.step", f"{step!r} is not a step of this network; "
                                         f"expected one of " + ", ".join(names))
    shapes = _input_shapes(arch, momentum, mb) | {spec.name: tuple(spec.shape) for spec in steps}
    selection = _selection(r, doc.get("selection"), shapes)
    exercise = _exercise(r, doc.get("exercise"))
    state = TrainingState(params, velocity, rng, epoch, batch, order, loss_sum)
    return SavedSession(state, step, history, selection, exercise)


def _exercise(r: "_Reader", value: Any) -> ExerciseRecord | None:
    """The saved exercise scores; None when the file has none (saved before exercise
    mode, or with nothing scored)."""
    if value is None:
        return None
    try:
        return ExerciseRecord.from_json(value, "session.exercise")
    except ValueError as exc:  # its message names the entry: session.exercise[2]: ...
        raise LessonError(f"{r.source}: {exc}") from None


def _input_shapes(arch: Architecture, momentum: float, mb: int) -> dict[str, tuple[int, int]]:
    """The shape of each input of an iteration of ``mb`` samples, as the tables show it
    (a bias or its velocity as one row, (1, n_l))."""
    shapes = {"X": (mb, arch.layers[0]), "y": (mb, arch.layers[-1])}
    for l in range(1, arch.depth + 1):
        weight, bias = (arch.layers[l - 1], arch.layers[l]), (1, arch.layers[l])
        shapes[f"W{l}"] = shapes[f"previous_velocity_W{l}"] = weight
        shapes[f"b{l}"] = shapes[f"previous_velocity_b{l}"] = bias
    # Only the names this network's iteration has count (no biases, no momentum ...).
    return {name: shapes[name] for name in input_names(arch, momentum)}


def _selection(r: "_Reader", value: Any,
               shapes: dict[str, tuple[int, int]]) -> tuple[str, int, int] | None:
    """The saved selected cell (matrix, row, column), checked against the matrix's shape."""
    if value is None:
        return None
    doc = r.object(value, "session.selection", {"matrix", "row", "column"})
    for key in ("matrix", "row", "column"):
        if key not in doc:
            raise r.fail(f"session.selection.{key}", "missing")
    name = doc["matrix"]
    if not isinstance(name, str) or name not in shapes:
        raise r.fail("session.selection.matrix", f"{name!r} is not a matrix of this network; "
                                                 "expected one of " + ", ".join(shapes))
    rows, columns = shapes[name]
    row = r.integer(doc["row"], "session.selection.row", 0, rows - 1)
    column = r.integer(doc["column"], "session.selection.column", 0, columns - 1)
    return name, row, column


def _parameters(r: "_Reader", doc: dict, arch: Architecture) -> Parameters:
    """The saved weights W{l} (n_{l-1}, n_l) and biases b{l} (n_l,) of ``session``."""
    params = Parameters(arch)
    weights = doc["weights"]
    if not isinstance(weights, list) or len(weights) != arch.depth:
        raise r.fail("session.weights", f"expected {arch.depth} matrices, found a different shape")
    for l in range(1, arch.depth + 1):
        params.weight(l)[...] = _weight(r, weights[l - 1], f"session.weights[{l - 1}]", arch, l,
                                        f"W{l} columns")
    biases = doc.get("biases")
    if arch.bias:
        if not isinstance(biases, list) or len(biases) != arch.depth:
            raise r.fail("session.biases", f"expected {arch.depth} vectors, one per layer")
        for l in range(1, arch.depth + 1):
            params.bias(l)[...] = _bias(r, biases[l - 1], f"session.biases[{l - 1}]", arch, l)
    elif biases not in (None, [None] * arch.depth):
        raise r.fail("session.biases", "must be null: this network has no biases")
    return params


def _velocities(r: "_Reader", doc: dict, arch: Architecture,
                momentum: float) -> Parameters | None:
    """The saved momentum velocities (zero when not saved); None without momentum."""
    if not momentum:
        if doc.get("velocities") is not None:
            raise r.fail("session.velocities", "must be null: this lesson has no momentum")
        return None
    velocity = Parameters(arch)
    saved = doc.get("velocities")
    if saved is None:
        return velocity
    saved = r.object(saved, "session.velocities", {"weights", "biases"})
    for l in range(1, arch.depth + 1):
        key = f"session.velocities.weights[{l - 1}]"
        matrix = _saved_entry(r, saved, "weights", l, key)
        velocity.weight(l)[...] = _weight(r, matrix, key, arch, l, "columns")
        if arch.bias:
            key = f"session.velocities.biases[{l - 1}]"
            velocity.bias(l)[...] = _bias(r, _saved_entry(r, saved, "biases", l, key), key,
                                          arch, l)
    return velocity


def _saved_entry(r: "_Reader", saved: dict, part: str, l: int, key: str) -> Any:
    """Layer ``l``'s entry of ``saved[part]``, refused as missing under ``key``."""
    try:
        return saved[part][l - 1]
    except (KeyError, IndexError, TypeError):
        raise r.fail(key, "missing") from None


def _weight(r: "_Reader", matrix: Any, key: str, arch: Architecture, l: int,
            columns: str) -> np.ndarray:
    """A saved matrix of layer ``l``, shape (n_{l-1}, n_l); ``columns`` names its columns."""
    _expect_shape(r, matrix, key, (arch.layers[l - 1], arch.layers[l]))
    return r.matrix(matrix, key, arch.layers[l], columns)


def _bias(r: "_Reader", vector: Any, key: str, arch: Architecture, l: int) -> np.ndarray:
    """A saved vector of layer ``l``, shape (n_l,)."""
    if not isinstance(vector, list):
        raise r.fail(key, f"expected a list of {arch.layers[l]} numbers")
    return r.matrix([vector], key, arch.layers[l], "entries")[0]


def _order(r: "_Reader", order: Any, batch: int, samples: int) -> np.ndarray | None:
    """The epoch's saved sample order, shape (samples,); needed once a batch is done."""
    if batch and order is None:
        raise r.fail("session.order", "missing: a session saved mid-epoch needs the sample order")
    if order is None:
        return None
    # Whole numbers only before sorting: text or null beside numbers cannot be ordered.
    if (not isinstance(order, list)
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in order)
            or sorted(order) != list(range(samples))):
        raise r.fail("session.order", f"expected each sample index 0..{samples - 1} once")
    return np.array(order, dtype=np.int64)


def _expect_shape(r: "_Reader", matrix: Any, key: str, shape: tuple[int, int]) -> None:
    if not isinstance(matrix, list) or len(matrix) != shape[0]:
        raise r.fail(key, f"expected {shape[0]} rows of {shape[1]} numbers")


def session_document(session: "Session", destination: str | os.PathLike | None = None,
                     selection: tuple[str, int, int] | None = None,
                     exercise: ExerciseRecord | None = None) -> dict:
    """The lesson file of a session, with the ``session`` key that reopens it.

    ``destination`` is the file it is for (see ``Lesson.to_json``);
    ``selection`` the selected cell (matrix, row, column) to keep, if any;
    ``exercise`` the learner's exercise scores to keep, if any."""
    return capture_session(session, destination, selection, exercise)()


def capture_session(session: "Session", destination: str | os.PathLike | None = None,
                    selection: tuple[str, int, int] | None = None,
                    exercise: ExerciseRecord | None = None) -> Callable[..., dict]:
    """Copy now what the session document needs; build the document later, on any thread.

    A running session changes its arrays in place, so the state and the
    generator's state are copied here, and the losses taken as a snapshot
    that no later training changes (``History.losses_snapshot``: no copy, however
    long the history); turning them into lists of numbers, the slow
    part, is left to the returned function, which the window's recovery
    copy runs on a worker thread while training goes on. Called with
    ``losses_as_array=True`` it leaves ``session.loss_history`` that snapshot
    array (shape (epoch,)) for such a writer to encode. ``selection`` (matrix,
    row, column) is kept with the position it was made at; a diverged session,
    saved at an earlier epoch, leaves it out. ``exercise``'s scores are copied
    now too (the learner may score another cell before the writer runs) and
    written as ``session.exercise`` when there are any, whatever the epoch:
    they are the learner's record, which Reset keeps as well.
    """
    lesson: "Lesson" = session.lesson
    doc = lesson.to_json(destination)
    shown = session.record.start if session.record is not None else session.state
    # A diverged state cannot be written; the file keeps the last sound epoch instead.
    start = session.sound_state(shown)
    step = None
    if start is shown and session.record is not None and session.cursor:
        step = session.record.steps[session.cursor - 1].name
    if start is not shown:
        selection = None
    start = start.copy()
    losses = session.history.losses_snapshot(start.epoch)
    arch = session.architecture
    scores = exercise.to_json() if exercise is not None and exercise.scores else None

    def build(losses_as_array: bool = False) -> dict:
        weights = [start.params.weight(l).tolist() for l in range(1, arch.depth + 1)]
        biases = ([start.params.bias(l).tolist() for l in range(1, arch.depth + 1)]
                  if arch.bias else None)
        velocities = None
        if start.velocity is not None:
            velocities = {
                "weights": [start.velocity.weight(l).tolist() for l in range(1, arch.depth + 1)],
                "biases": ([start.velocity.bias(l).tolist() for l in range(1, arch.depth + 1)]
                           if arch.bias else None),
            }
        saved = {
            "epoch": start.epoch, "step": step, "weights": weights, "biases": biases,
            "velocities": velocities, "rng_state": start.rng.bit_generator.state,
        }
        if start.batch or start.order is not None:
            saved.update(batch=start.batch,
                         order=None if start.order is None else start.order.tolist(),
                         loss_sum=start.loss_sum)
        if selection is not None:
            name, row, column = selection
            saved["selection"] = {"matrix": name, "row": int(row), "column": int(column)}
        if scores is not None:
            saved["exercise"] = scores
        doc["session"] = strict_json(saved)
        # The longest part: left an array for a writer that encodes it a piece at a time
        # (a list of 800 000 numbers takes 50 ms to make in one go), else a list made
        # at once where every loss is finite.
        doc["session"]["loss_history"] = (losses if losses_as_array
                                          else losses.tolist() if np.isfinite(losses).all()
                                          else strict_json(losses))
        return doc

    return build


def diverged_save_note(session: "Session") -> str | None:
    """What saving keeps of a diverged session, in a line; None when it keeps the weights shown."""
    kept = session.sound_state(session.state)
    if kept is session.state:
        return None
    divergence = session.history.divergence
    where = f" at epoch {divergence.epoch}" if divergence is not None else ""
    return (f"the weights diverged{where} and inf or NaN cannot be saved: the file keeps "
            f"the weights after epoch {kept.epoch}, the last with finite numbers")

"""The loss landscape (seed 004): the loss as a function of one or two weights.

Every other weight and bias is held at its current value while the chosen
one sweeps a range; the loss is J of the whole data set (the same function
``Trainer.full_loss`` computes, L2 included). The tangent at the current
weight has the backprop gradient ∂J/∂w as its slope, so a learner can see
that the gradient is the slope of this curve and that a step of
−η·slope moves the point downhill.

The path gradient descent has taken is not stored by training (history
keeps only losses and sparse checkpoints), so ``DescentPath`` replays the
run from the earliest checkpoint — training is deterministic, so the replay
reaches the very weights the session had — and keeps the parameters after
every epoch, thinned by doubling the spacing when there are many.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .kernel import Workspace
from .network import Architecture, Parameters
from .training import Trainer, TrainingState

__all__ = ["WeightAddress", "weight_addresses", "LossProbe", "LossCurve", "LossSurface",
           "loss_curve", "loss_surface", "sweep_range", "sweep_points", "DescentPath",
           "Landscape", "landscape", "CURVE_POINTS", "SURFACE_POINTS", "COARSE_CURVE_POINTS",
           "COARSE_SURFACE_POINTS", "MAX_PATH_POINTS"]

CURVE_POINTS = 201
SURFACE_POINTS = 41
COARSE_CURVE_POINTS = 61       # while training runs: cheap enough to redraw often
COARSE_SURFACE_POINTS = 15
MAX_PATH_POINTS = 2048
MIN_HALF_WIDTH = 1.0     # the sweep reaches at least this far either side of the weight


@dataclass(frozen=True)
class WeightAddress:
    """One trainable number: W{layer}[row, column] or b{layer}[column].

    Attributes
    ----------
    matrix : {'W', 'b'}
    layer : int
        1..L.
    row, column : int
        For a bias, row is 0.
    """

    matrix: str
    layer: int
    row: int
    column: int

    @property
    def name(self) -> str:
        """``W1[0,2]`` or ``b2[1]``: the table's cell address."""
        if self.matrix == "b":
            return f"b{self.layer}[{self.column}]"
        return f"W{self.layer}[{self.row},{self.column}]"

    def flat_index(self, architecture: Architecture) -> int:
        """Where this number sits in ``Parameters.flat``.

        Raises
        ------
        IndexError
            When the network has no such weight or bias (the message names it).
        """
        depth = architecture.depth
        if not 1 <= self.layer <= depth:
            raise IndexError(f"{self.name}: the network has layers 1 to {depth}")
        rows, columns = architecture.block_shape(self.layer)
        n_in = architecture.layers[self.layer - 1]
        if self.matrix == "b":
            if not architecture.bias:
                raise IndexError(f"{self.name}: this network has no biases")
            row = n_in
        elif self.matrix == "W":
            row = self.row
            if not 0 <= row < n_in:
                raise IndexError(f"{self.name}: W{self.layer} has rows 0 to {n_in - 1}")
        else:
            raise IndexError(f"{self.matrix!r} is not W or b")
        if not 0 <= self.column < columns:
            raise IndexError(f"{self.name}: layer {self.layer} has columns 0 to {columns - 1}")
        offset = sum(r * c for r, c in (architecture.block_shape(l)
                                        for l in range(1, self.layer)))
        return offset + row * columns + self.column


def weight_addresses(architecture: Architecture) -> list[WeightAddress]:
    """Every trainable weight and bias, layer by layer, weights before biases."""
    found = []
    for layer in range(1, architecture.depth + 1):
        n_in, n_out = architecture.layers[layer - 1], architecture.layers[layer]
        found += [WeightAddress("W", layer, r, c) for r in range(n_in) for c in range(n_out)]
        if architecture.trains_bias:
            found += [WeightAddress("b", layer, 0, c) for c in range(n_out)]
    return found


class LossProbe:
    """J of the whole data set at altered weights, on buffers made once.

    Parameters
    ----------
    trainer : Trainer
        Supplies the data set, the kernel and the loss.
    params : Parameters
        The weights to start from; copied, never changed.
    """

    def __init__(self, trainer: Trainer, params: Parameters):
        self.trainer = trainer
        self.params = params.copy()
        self.workspace = Workspace(trainer.architecture, trainer.samples)
        self.workspace.inputs[0] = trainer.X_augmented

    def loss(self, params: Parameters | None = None) -> float:
        """J at ``params`` (default: the probe's own copy)."""
        params = self.params if params is None else params
        kernel = self.trainer.kernel
        with np.errstate(all="ignore"):  # far from the minimum a loss may overflow: inf is its value
            kernel.forward(self.workspace, params)
            return kernel.loss(self.workspace, params, self.trainer.y)

    def loss_at(self, indices: list[int], values: np.ndarray) -> np.ndarray:
        """J with params.flat[indices[i]] set to values[..., i]; shape values.shape[:-1].

        Parameters
        ----------
        indices : list of int
            Flat indices of the chosen weights.
        values : ndarray, shape (..., len(indices))
        """
        flat = self.params.flat
        saved = flat[indices].copy()
        grid = values.reshape(-1, len(indices))
        losses = np.empty(grid.shape[0])
        try:
            for n, point in enumerate(grid):
                flat[indices] = point
                losses[n] = self.loss()
        finally:
            flat[indices] = saved
        return losses.reshape(values.shape[:-1])

    def gradient(self) -> Parameters:
        """∂J/∂(every weight and bias) at the probe's weights, by backprop (the kernel's)."""
        kernel, ws = self.trainer.kernel, self.workspace
        with np.errstate(all="ignore"):
            kernel.forward(ws, self.params)
            kernel.loss(ws, self.params, self.trainer.y)
            kernel.backward(ws, self.params)
        return ws.grad.copy()


def sweep_range(current: float, visited: np.ndarray) -> tuple[float, float]:
    """The interval a sweep covers: the current value and the visited ones, with room.

    Parameters
    ----------
    current : float
    visited : ndarray, shape (k,)
        Values the weight has taken (the descent path); may be empty.
    """
    values = np.append(visited, current)
    finite = values[np.isfinite(values)]  # a diverged run's inf or NaN has no place on an axis
    if finite.size == 0:
        return -MIN_HALF_WIDTH, MIN_HALF_WIDTH
    low, high = float(finite.min()), float(finite.max())
    pad = max(MIN_HALF_WIDTH, 0.5 * high - 0.5 * low)  # halves: high − low may overflow
    # Ends within a quarter of the largest float, so the sweep's step stays finite.
    bound = 0.25 * float(np.finfo(float).max)
    return max(low - pad, -bound), min(high + pad, bound)


@dataclass(frozen=True)
class LossCurve:
    """J against one weight, all the others fixed.

    Attributes
    ----------
    address : WeightAddress
    weights : ndarray, shape (n,)
        The swept values of the weight.
    losses : ndarray, shape (n,)
        J at each of them.
    current_weight, current_loss : float
        Where the network is now.
    slope : float
        ∂J/∂w at the current weight, from backprop.
    tangent_weights, tangent_losses : ndarray, shape (2,)
        The ends of the tangent line through the current point with that slope.
    """

    address: WeightAddress
    weights: np.ndarray
    losses: np.ndarray
    current_weight: float
    current_loss: float
    slope: float
    tangent_weights: np.ndarray
    tangent_losses: np.ndarray


def loss_curve(trainer: Trainer, params: Parameters, address: WeightAddress,
               span: tuple[float, float], points: int = CURVE_POINTS) -> LossCurve:
    """Sweep ``address`` over ``span`` at ``points`` values; the tangent at the current value."""
    probe = LossProbe(trainer, params)
    index = address.flat_index(trainer.architecture)
    weights = np.linspace(span[0], span[1], points)
    losses = probe.loss_at([index], weights[:, None])
    current = float(params.flat[index])
    current_loss = probe.loss()
    slope = float(probe.gradient().flat[index])
    # The tangent spans a quarter of the sweep each side: long enough to read its slope.
    half = 0.25 * (span[1] - span[0])
    ends = np.array([current - half, current + half])
    with np.errstate(all="ignore"):  # a diverged run's slope and loss: inf − inf is NaN, a gap
        tangent = current_loss + slope * (ends - current)
    return LossCurve(address, weights, losses, current, current_loss, slope, ends, tangent)


@dataclass(frozen=True)
class LossSurface:
    """J over a grid of two weights, all the others fixed.

    Attributes
    ----------
    addresses : (WeightAddress, WeightAddress)
    first, second : ndarray, shapes (n1,) and (n2,)
        The swept values of each weight.
    losses : ndarray, shape (n2, n1)
        J[i, j] at second[i], first[j] (rows: the second weight).
    current : (float, float)
    current_loss : float
    gradient : (float, float)
        ∂J/∂ of each weight at the current point, from backprop.
    """

    addresses: tuple[WeightAddress, WeightAddress]
    first: np.ndarray
    second: np.ndarray
    losses: np.ndarray
    current: tuple[float, float]
    current_loss: float
    gradient: tuple[float, float]


def loss_surface(trainer: Trainer, params: Parameters,
                 addresses: tuple[WeightAddress, WeightAddress],
                 spans: tuple[tuple[float, float], tuple[float, float]],
                 points: int = SURFACE_POINTS) -> LossSurface:
    """J over a points × points grid of two weights."""
    arch = trainer.architecture
    indices = [a.flat_index(arch) for a in addresses]
    if indices[0] == indices[1]:
        raise ValueError(f"choose two different weights (both are {addresses[0].name})")
    probe = LossProbe(trainer, params)
    first = np.linspace(*spans[0], points)
    second = np.linspace(*spans[1], points)
    grid = np.stack(np.meshgrid(first, second), axis=-1)      # (n2, n1, 2)
    losses = probe.loss_at(indices, grid)
    gradient = probe.gradient().flat
    return LossSurface(tuple(addresses), first, second, losses,
                       (float(params.flat[indices[0]]), float(params.flat[indices[1]])),
                       probe.loss(), (float(gradient[indices[0]]), float(gradient[indices[1]])))


class DescentPath:
    """The weights after every epoch so far, recomputed by replaying the run.

    Call ``follow(session)`` whenever the session may have moved; it catches
    up within a time budget and returns whether the path is complete. The
    replay restarts by itself after an edit, a new lesson or a reset.
    """

    def __init__(self):
        self._session = None
        self._origin: np.ndarray | None = None
        self._trainer: Trainer | None = None
        self._probe: LossProbe | None = None
        self._data: tuple[np.ndarray, np.ndarray] | None = None
        self._state: TrainingState | None = None
        self._diverged = False
        self.epochs: list[int] = []
        self.snapshots: list[np.ndarray] = []
        self.losses: list[float] = []
        self.stride = 1

    def _start(self, session) -> None:
        history = session.history
        origin = history.nearest(history.floor)
        trainer = session.trainer
        self._trainer = Trainer(trainer.architecture, trainer.hyper, trainer.X, trainer.y,
                                trainer.batch_size)
        self._session = session
        self._origin = origin.params.flat.copy()
        self._data = (trainer.X, trainer.y)
        self._state = origin
        self._diverged = False
        self.epochs, self.snapshots, self.losses = [], [], []
        self.stride = 1
        self._probe = LossProbe(self._trainer, origin.params)
        # A timeline that starts mid-epoch (an edit there) is finished first.
        with np.errstate(all="ignore"):
            while self._state.batch != 0:
                self._trainer.iteration(self._state)
        self._keep()

    def _stale(self, session) -> bool:
        if session is not self._session or self._state is None:
            return True
        trainer = session.trainer
        if trainer.X is not self._data[0] or trainer.y is not self._data[1]:
            return True  # an edited cell replaces the data arrays
        origin = session.history.nearest(session.history.floor)
        return not np.array_equal(origin.params.flat, self._origin)

    def _keep(self) -> None:
        state = self._state
        self.epochs.append(state.epoch)
        self.snapshots.append(state.params.flat.copy())
        self.losses.append(self._probe.loss(state.params))
        if len(self.epochs) > MAX_PATH_POINTS:
            # Keep the first point and every other one after it; space future ones wider.
            self.epochs = self.epochs[::2]
            self.snapshots = self.snapshots[::2]
            self.losses = self.losses[::2]
            self.stride *= 2

    def follow(self, session, budget_s: float = 0.05) -> bool:
        """Replay up to the session's committed epoch, for at most ``budget_s`` seconds.

        Returns True when the path reaches the session's epoch.
        """
        if self._stale(session):
            self._start(session)
        target = session.epochs_done
        deadline = time.perf_counter() + budget_s
        while self._state.epoch < target and not self._diverged:
            if time.perf_counter() > deadline:
                return False
            chunk = min(target - self._state.epoch, self.stride)
            report = self._trainer.run_epochs(self._state, chunk)
            if report.diverged is not None:
                self._diverged = True
                break
            self._keep()
        return True

    def path(self, indices: list[int], upto: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs (k,), values (k, len(indices)), losses (k,)) of the points up to epoch ``upto``."""
        count = int(np.searchsorted(np.asarray(self.epochs), upto, side="right"))
        epochs = np.asarray(self.epochs[:count], dtype=int)
        if count == 0:
            return epochs, np.empty((0, len(indices))), np.empty(0)
        values = np.asarray(self.snapshots[:count])[:, indices]
        return epochs, values, np.asarray(self.losses[:count])


def sweep_points(trainer: Trainer, weights: int, coarse: bool = False,
                 budget: float = 4e7) -> int:
    """Sweep resolution that keeps one landscape near ``budget`` multiply-adds.

    One loss costs about samples × parameters multiply-adds. For one weight
    the answer lies between 21 and CURVE_POINTS (COARSE_CURVE_POINTS when
    ``coarse``), for two (points per side) between 7 and SURFACE_POINTS
    (COARSE_SURFACE_POINTS): the 2-D sets get the full resolution, digits
    the least.
    """
    affordable = budget / max(1, trainer.samples * trainer.architecture.size)
    if weights == 1:
        most = COARSE_CURVE_POINTS if coarse else CURVE_POINTS
        return int(min(most, max(21, affordable)))
    most = COARSE_SURFACE_POINTS if coarse else SURFACE_POINTS
    return int(min(most, max(7, np.sqrt(affordable))))


@dataclass(frozen=True)
class Landscape:
    """What the landscape view draws: a curve or a surface, and the path so far.

    Attributes
    ----------
    curve : LossCurve or None
        For one chosen weight.
    surface : LossSurface or None
        For two.
    path_epochs : ndarray of int, shape (k,)
        Epochs whose weights the path holds (0: before training).
    path_values : ndarray, shape (k, 1 or 2)
        The chosen weights at those epochs.
    path_losses : ndarray, shape (k,)
        J of the whole data set at those epochs' weights (all of them, not
        only the chosen ones: off the curve when other weights moved too).
    path_complete : bool
        False while the replay is still catching up with the session.
    """

    curve: LossCurve | None
    surface: LossSurface | None
    path_epochs: np.ndarray
    path_values: np.ndarray
    path_losses: np.ndarray
    path_complete: bool


def landscape(session, path: DescentPath, addresses: list[WeightAddress],
              coarse: bool = False, budget_s: float = 0.05) -> Landscape:
    """The landscape of one or two weights at the session's committed weights.

    Parameters
    ----------
    session : engine.session.Session
    path : DescentPath
        Kept by the caller between calls so that the replay is incremental.
    addresses : list of one or two WeightAddress
    coarse : bool
        A cheaper sweep (while training runs); see ``sweep_points``.
    budget_s : float
        Time the path replay may take in this call.
    """
    arch = session.architecture
    indices = [a.flat_index(arch) for a in addresses]
    complete = path.follow(session, budget_s)
    epochs, values, losses = path.path(indices, session.epochs_done)
    params = session.params
    spans = [sweep_range(float(params.flat[i]), values[:, n]) for n, i in enumerate(indices)]
    if len(addresses) == 1:
        curve = loss_curve(session.trainer, params, addresses[0], spans[0],
                           sweep_points(session.trainer, 1, coarse))
        return Landscape(curve, None, epochs, values, losses, complete)
    if len(addresses) != 2:
        raise ValueError(f"choose one or two weights, not {len(addresses)}")
    surface = loss_surface(session.trainer, params, (addresses[0], addresses[1]),
                           (spans[0], spans[1]), sweep_points(session.trainer, 2, coarse))
    return Landscape(None, surface, epochs, values, losses, complete)

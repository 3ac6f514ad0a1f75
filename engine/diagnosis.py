"""Why training diverged or stalled, said in one plain sentence with the step to take.

A loss curve shows *that* a run went wrong; a teacher needs *why*. The
causes named here are the classic ones, each read from the session's own
state (the whole training set through the kernel's forward and backward
pass, so the numbers are the tables'):

* a learning rate above the stable bound 2/curvature — exact where J is a
  quadratic of the weights (one linear layer, a squared-error loss, full
  batch: the one-weight lesson), where the curvature is the largest
  eigenvalue of J's Hessian (with momentum μ the bound is 2(1 + μ)/curvature);
* dead ReLU units: a hidden unit whose slope is 0 on every sample passes
  no gradient back, so the weights before it stop learning;
* saturated sigmoids (or tanh): where \\|z\\| > ``SATURATION_Z`` the slope is
  below 5e−5, so almost no gradient flows through (an output sigmoid only
  matters for losses whose delta keeps the slope; cross-entropy cancels it);
* exploding weights: non-finite, or so large that every step overshoots.

The diagnosis is asked for only when something is visibly wrong — the run
diverged, looks unstable (``history.unstable_symptom``), or its loss has
stopped moving (``stalled``) — so a healthy run costs nothing. Sentences
name matrices as ``{W1}`` placeholders, rendered (``step_notes.render_note``)
with the names the cards carry in the presentation on screen.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .history import unstable_symptom
from .kernel import Workspace
from .network import Parameters
from .number_text import shown_briefly
from .step_notes import render_note

__all__ = ["Diagnosis", "Trouble", "diagnose", "trouble", "stalled", "stable_rate_bound",
           "SATURATION_Z", "HUGE_WEIGHT", "STALL_EPOCHS", "MOST", "CAUSES"]

SATURATION_Z = 10.0      # σ′(10) = 4.5e−5: a sigmoid this far out has all but stopped learning
HUGE_WEIGHT = 1e6        # |w| beyond this on data of unit scale: updates overshoot, not learn
STALL_EPOCHS = 20        # epochs without any change before a run counts as stalled
STALL_CHANGE = 1e-12     # "without any change": relative spread of those losses
MOST = 0.5               # a share from which a cause is told (half the units or values)
MAX_HESSIAN_WORK = 1e7   # samples × weights²: a Hessian worked out column by column stays quick
SATURATING = ("sigmoid", "tanh")   # bounded activations whose slope vanishes far out
ACTIVATION_WORDS = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "sigmoid": "sigmoid",
                    "tanh": "tanh", "linear": "linear", "softmax": "softmax"}

# The causes, in the order they are told for a run that is unstable or stalled;
# a diverged run tells exploding weights before dead or saturated units.
CAUSES = ("rate_above_bound", "dead_units", "saturated_output", "saturated_hidden",
          "exploding_weights")


@dataclass(frozen=True)
class Diagnosis:
    """One cause found in the session's state.

    Attributes
    ----------
    cause : str
        One of ``CAUSES``.
    share : float
        How much of the network it affects, 0..1 (1 for the rate bound and
        for non-finite weights).
    sentence : str
        One plain sentence ending with the step to take; matrices as
        ``{W1}`` placeholders.
    """

    cause: str
    share: float
    sentence: str


@dataclass(frozen=True)
class Trouble:
    """What the window says about the run: each text "" when there is nothing to say.

    Attributes
    ----------
    divergence : str
        ``diverged at epoch N: … .`` and the cause, for a diverged run.
    warning : str
        ``Unstable: …`` or ``Stalled: …`` and the cause, for a finite run
        that went wrong.
    diagnoses : tuple of Diagnosis
        Every cause found, the one told first.
    """

    divergence: str = ""
    warning: str = ""
    diagnoses: tuple[Diagnosis, ...] = ()


def stalled(losses: np.ndarray) -> str | None:
    """``the loss has not changed for 20 epochs (0.500)`` when it has not, else None.

    Parameters
    ----------
    losses : ndarray, shape (epochs,)
        loss[e] of every epoch run.
    """
    tail = np.asarray(losses, dtype=float)[-(STALL_EPOCHS + 1):]
    if tail.size < STALL_EPOCHS + 1 or not np.isfinite(tail).all():
        return None
    level = float(np.abs(tail).max())
    if level == 0.0 or float(tail.max() - tail.min()) > STALL_CHANGE * level:
        return None  # a loss of exactly 0 is learnt, not stalled
    return f"the loss has not changed for {STALL_EPOCHS} epochs ({shown_briefly(tail[-1])})"


def trouble(session, name_of: Callable[[str], str] = str) -> Trouble:
    """What is wrong with ``session``'s run and why, as the window says it.

    Parameters
    ----------
    session : Session
    name_of : callable
        Engine name -> the name its card shows (``SessionController.learner``).
    """
    divergence = session.diverged
    losses = session.loss_history
    if divergence is None:
        symptom = unstable_symptom(losses)
        heading = "Unstable"
        if symptom is None:
            symptom, heading = stalled(losses), "Stalled"
        if symptom is None:
            return Trouble()
    found = diagnose(session, diverged=divergence is not None)
    if not found and divergence is None and heading == "Stalled":
        return Trouble()  # a loss that settled for no reason found is a minimum, not trouble
    if found:
        told = render_note(found[0].sentence, name_of)
    elif divergence is not None:
        return Trouble(divergence=divergence.message())
    else:
        told = "The learning rate may be too high: lower it."
    if divergence is not None:
        return Trouble(divergence=f"{divergence.symptom()}. {told}", diagnoses=tuple(found))
    return Trouble(warning=f"{heading}: {symptom}. {told}", diagnoses=tuple(found))


def diagnose(session, diverged: bool = False) -> list[Diagnosis]:
    """Every cause of trouble found in ``session``'s committed state, the likeliest first.

    Parameters
    ----------
    session : Session
    diverged : bool
        Order for a diverged run (exploding weights before dead or saturated units).
    """
    lesson, trainer = session.lesson, session.trainer
    found = []
    bound = stable_rate_bound(trainer, lesson.momentum)
    if bound is not None and lesson.learning_rate > bound[0]:
        found.append(_rate_above_bound(session, *bound))
    params = session.params
    exploding = _exploding(session, params)
    finite = bool(np.isfinite(params.flat).all())
    units = _unit_causes(trainer, params) if finite else []
    if diverged:
        found += ([exploding] if exploding else []) + units
    else:
        found += units + ([exploding] if exploding else [])
    return found


def stable_rate_bound(trainer, momentum: float = 0.0) -> tuple[float, float] | None:
    """(2(1 + μ)/curvature, curvature) where J is a quadratic of the weights, else None.

    J is quadratic when the network is one linear layer under a squared-error
    loss (the only losses a linear output may have) trained on the full
    batch; then its gradient is linear in the weights and column i of the
    Hessian is g(e_i) − g(0), exactly. Plain gradient descent shrinks every
    error while η < 2/λ_max and overshoots by more each step beyond it;
    heavy-ball momentum μ moves the bound to 2(1 + μ)/λ_max.
    """
    arch = trainer.architecture
    if (arch.depth != 1 or arch.activations[0] != "linear" or not trainer.full_batch
            or trainer.samples * arch.size ** 2 > MAX_HESSIAN_WORK):
        return None
    params = Parameters(arch)
    at_zero = _full_pass(trainer, params).grad.flat.copy()
    hessian = np.empty((arch.size, arch.size))
    for i in range(arch.size):
        params.flat[i] = 1.0
        hessian[:, i] = _full_pass(trainer, params).grad.flat - at_zero
        params.flat[i] = 0.0
    curvature = float(np.linalg.eigvalsh(0.5 * (hessian + hessian.T))[-1])
    if not curvature > 0.0:
        return None
    return 2.0 * (1.0 + momentum) / curvature, curvature


def _rate_above_bound(session, bound: float, curvature: float) -> Diagnosis:
    rate, momentum = session.lesson.learning_rate, session.lesson.momentum
    arch = session.architecture
    which = " for {W1}" if arch.size == 1 else ""
    twice = "2" if momentum == 0 else f"2·(1 + {shown_briefly(momentum)})"
    return Diagnosis("rate_above_bound", 1.0, (
        f"The learning rate {shown_briefly(rate)} is above the stable bound {twice}/curvature "
        f"= {twice}/{shown_briefly(curvature)} = {shown_briefly(bound)}{which}, so every step "
        f"overshoots the minimum by more than the last: lower the learning rate below "
        f"{shown_briefly(bound)}."))


def _exploding(session, params: Parameters) -> Diagnosis | None:
    """Non-finite or huge weights, with the rate the loss's growth asks for."""
    flat = params.flat
    finite = np.isfinite(flat)
    target = _rate_from_growth(session.loss_history, session.lesson.learning_rate)
    step = (f"lower the learning rate below about {shown_briefly(target)}" if target
            else "lower the learning rate")
    if not finite.all():
        value = "nan" if np.isnan(flat).any() else "inf"
        return Diagnosis("exploding_weights", 1.0, (
            f"The weights overflowed to {value}: each update was larger than the last, so "
            f"the steps grew instead of shrinking: {step} and press Reset."))
    largest = float(np.abs(flat).max()) if flat.size else 0.0
    if largest < HUGE_WEIGHT:
        return None
    share = float(np.mean(np.abs(flat) >= HUGE_WEIGHT))
    return Diagnosis("exploding_weights", share, (
        f"The weights have exploded (the largest |w| is {shown_briefly(largest)}), so every "
        f"update overshoots further: {step} and press Reset."))


def _rate_from_growth(losses: np.ndarray, rate: float) -> float | None:
    """The rate below which the loss's recent growth would turn to decay, or None.

    On a quadratic the loss grows by r = (ηλ − 1)² an epoch once ηλ > 2, so
    λ = (1 + √r)/η and the stable bound 2/λ is 2η/(1 + √r); near a blow-up
    any loss is close to quadratic along the direction that explodes.
    """
    finite = losses[np.isfinite(losses)][-6:]
    if finite.size < 3 or not (finite > 0).all():
        return None
    with np.errstate(all="ignore"):
        ratios = finite[1:] / finite[:-1]
        if not (ratios > 1.0).all() or not np.isfinite(ratios).all():
            return None
        growth = float(np.exp(np.mean(np.log(ratios))))
    return 2.0 * rate / (1.0 + math.sqrt(growth))


def _full_pass(trainer, params: Parameters) -> Workspace:
    """The kernel's forward pass, loss and backward pass over the whole training set.

    Returns the workspace: z, slopes and deltas of every layer, shape (m, n_l),
    and the gradient ``grad`` of J at ``params``.
    """
    ws = Workspace(trainer.architecture, trainer.samples)
    ws.inputs[0] = trainer.X_augmented
    kernel = trainer.kernel
    with np.errstate(all="ignore"):  # far from the minimum a loss may overflow: inf is its value
        kernel.forward(ws, params)
        kernel.loss(ws, params, trainer.y)
        kernel.backward(ws, params)
    return ws


def _unit_causes(trainer, params: Parameters) -> list[Diagnosis]:
    """Dead and saturated units, read from the whole training set's forward and backward pass."""
    arch, kernel = trainer.architecture, trainer.kernel
    ws = _full_pass(trainer, params)
    m, depth = trainer.samples, arch.depth
    found = []
    dead = _dead_units(arch, ws, m)
    if dead is not None:
        found.append(dead)
    output = arch.activations[-1]
    if output in SATURATING and not kernel.loss_fn.cancels_slope:
        share = float(np.mean(np.abs(ws.z[depth]) > SATURATION_Z))
        if share >= MOST:
            values = ws.z[depth].size
            count = int(round(share * values))
            where = (f"on {count} of {m} samples" if values == m
                     else f"for {count} of {values} output values")
            found.append(Diagnosis("saturated_output", share, (
                f"The output {ACTIVATION_WORDS[output]} is saturated (|z| > "
                f"{shown_briefly(SATURATION_Z)} {where}, where its slope is almost 0), so "
                f"almost no gradient flows back to any weight: lower the learning rate and "
                f"press Reset.")))
    hidden = [layer for layer in range(1, depth) if arch.activations[layer - 1] in SATURATING]
    if hidden:
        flags = np.concatenate([(np.abs(ws.z[layer]) > SATURATION_Z).ravel() for layer in hidden])
        share = float(flags.mean())
        if share >= MOST:
            names = sorted({ACTIVATION_WORDS[arch.activations[layer - 1]] for layer in hidden})
            found.append(Diagnosis("saturated_hidden", share, (
                f"The hidden {' and '.join(names)} units are saturated (|z| > "
                f"{shown_briefly(SATURATION_Z)} for {int(flags.sum())} of {flags.size} "
                f"values, where the slope is almost 0), so {_weights_up_to(hidden[-1])} "
                f"barely learn: lower the learning rate or start from smaller weights, "
                f"and press Reset.")))
    return found


def _dead_units(arch, ws: Workspace, m: int) -> Diagnosis | None:
    """Hidden units (not sigmoid or tanh: those saturate) whose slope is 0 on every sample."""
    dead_total = units = 0
    wholly_dead = None   # the last hidden layer all of whose units are dead
    kinds = set()
    for layer in range(1, arch.depth):
        name = arch.activations[layer - 1]
        if name in SATURATING:
            continue
        dead = ~np.any(ws.slope[layer] != 0.0, axis=0)
        dead_total += int(dead.sum())
        units += dead.size
        if dead.any():
            kinds.add(ACTIVATION_WORDS.get(name, name))
        if dead.all():
            wholly_dead = layer
    if units == 0 or dead_total == 0:
        return None
    kind = " and ".join(sorted(kinds))
    step = "lower the learning rate and press Reset, or use leaky ReLU"
    samples = f"slope 0 on all {m} samples" if m > 1 else "slope 0 on the sample"
    if wholly_dead is not None:
        if arch.depth == 2:
            what = f"Every hidden {kind} unit is dead"
        else:
            what = f"Every {kind} unit of hidden layer {wholly_dead} is dead"
        return Diagnosis("dead_units", dead_total / units, (
            f"{what} ({samples}), so no gradient reaches {_weights_up_to(wholly_dead)}: "
            f"{step}."))
    if dead_total / units < MOST:
        return None
    return Diagnosis("dead_units", dead_total / units, (
        f"{dead_total} of {units} hidden {kind} units are dead ({samples}), so the weights "
        f"into them have stopped learning: {step}."))


def _weights_up_to(layer: int) -> str:
    """``{W1}``, ``{W1} and {W2}``, ``{W1}, {W2} and {W3}``: the weights before ``layer``'s output."""
    names = [f"{{W{l}}}" for l in range(1, layer + 1)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

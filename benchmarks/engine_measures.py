"""The measures that need no window: training speed, stepping, history, XLSX export.

Every function returns one ``Row``; ``sizes`` (from ``run.py``) says how much
work a round does, so ``--quick`` can run the same code in seconds.
"""
from __future__ import annotations

import gc
import importlib.util
import os
import tempfile
import tracemalloc

import numpy as np

from engine.export_xlsx import write_workbook
from engine.iteration import record_iteration
from engine.lesson import load_lesson, resolve_lesson
from engine.session import Session

from .baselines import digits_numpy_loop, seed001_xor_loop, torch_xor_loop, values_only_xlsx
from .harness import Goal, Row, interleaved, judged, timed

__all__ = ["xor_fast_path", "xor_against_torch", "digits_fast_path", "stepped_iteration",
           "history_after_long_run", "xlsx_export"]

XOR_LESSON = "xor_biases"      # seed 001's network: 2-2-1 sigmoid, ½SSE, full batch, η = 0.1
DIGITS_LESSON = "digits"       # 64-25-10 sigmoid, binary cross-entropy + L2, full batch



def _fast_path(session, epochs: int, final: dict, rows: bool) -> float:
    """Epochs per second of the engine's fast path from the lesson's start; its final
    weights and biases (biases as (1, n) rows when ``rows``) kept in ``final["ours"]``."""
    state = session.initial_state()
    seconds = timed(lambda: session.trainer.run_epochs(state, epochs))
    p = state.params
    biases = [p.bias(1), p.bias(2)]
    if rows:
        biases = [b[None, :] for b in biases]
    final["ours"] = [p.weight(1), biases[0], p.weight(2), biases[1]]
    return epochs / seconds

def _xor_start():
    """The XOR session and its initial weights as seed 001's four arrays."""
    session = Session(load_lesson(resolve_lesson(XOR_LESSON)))
    start = session.initial_state().params
    arrays = (start.weight(1).copy(), start.bias(1)[None, :].copy(),
              start.weight(2).copy(), start.bias(2)[None, :].copy())
    return session, arrays


def _check_same_maths(name: str, ours: list[np.ndarray], theirs: list[np.ndarray]) -> None:
    """A baseline that computed something else would make its ratio meaningless."""
    for a, b in zip(ours, theirs):
        if not np.allclose(a, b, rtol=1e-6, atol=1e-9):
            raise AssertionError(f"{name}: the baseline's weights differ from the engine's — "
                                 f"the two sides do not compute the same thing")


def xor_fast_path(sizes) -> Row:
    """Engine fast path against seed 001's loop: epochs per second."""
    session, arrays = _xor_start()
    trainer, lesson = session.trainer, session.lesson
    epochs = sizes.xor_epochs
    final = {}

    def baseline() -> float:
        weights = [a.copy() for a in arrays]
        seconds = timed(lambda: seed001_xor_loop(trainer.X, trainer.y, *weights, epochs,
                                                 lesson.learning_rate))
        final["baseline"] = weights
        return epochs / seconds

    def ours() -> float:
        return _fast_path(session, epochs, final, rows=True)

    base, mine, ratio = interleaved(baseline, ours, sizes.rounds)
    _check_same_maths("XOR", final["ours"], final["baseline"])
    return judged("fast path, XOR 2-2-1 sigmoid ½SSE full batch (epochs/s) vs seed 001's loop",
                base, mine, ratio, Goal("≥ 1.5×", 1.5, True))


def xor_against_torch(sizes) -> Row:
    """The same against PyTorch autograd + SGD; a row without figures when torch is absent."""
    measure = "fast path, XOR 2-2-1 (epochs/s) vs PyTorch CPU autograd + SGD"
    goal = Goal("≥ 5×", 5.0, True)
    if importlib.util.find_spec("torch") is None:
        return Row(measure + " — torch not installed, not measured", None, None, None,
                   goal.text, None)
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    session, arrays = _xor_start()
    trainer = session.trainer
    epochs = max(1, sizes.xor_epochs // 10)  # torch is slow per epoch: keep rounds short

    def baseline() -> float:
        return epochs / timed(lambda: torch_xor_loop(torch, trainer.X, trainer.y, *arrays,
                                                     epochs, session.lesson.learning_rate))

    def ours() -> float:
        state = session.initial_state()
        return epochs / timed(lambda: trainer.run_epochs(state, epochs))

    base, mine, ratio = interleaved(baseline, ours, sizes.rounds)
    return judged(measure, base, mine, ratio, goal)


def digits_fast_path(sizes) -> Row:
    """Engine fast path on digits against a bare NumPy loop of the same maths."""
    session = Session(load_lesson(resolve_lesson(DIGITS_LESSON)))
    trainer, lesson = session.trainer, session.lesson
    start = session.initial_state().params
    arrays = (start.weight(1).copy(), start.bias(1).copy(),
              start.weight(2).copy(), start.bias(2).copy())
    epochs = sizes.digits_epochs
    final = {}

    def baseline() -> float:
        weights = [a.copy() for a in arrays]
        seconds = timed(lambda: digits_numpy_loop(trainer.X, trainer.y, *weights, epochs,
                                                  lesson.learning_rate, lesson.l2))
        final["baseline"] = weights
        return epochs / seconds

    def ours() -> float:
        return _fast_path(session, epochs, final, rows=False)

    base, mine, ratio = interleaved(baseline, ours, sizes.rounds)
    _check_same_maths("digits", final["ours"], final["baseline"])
    return judged("fast path, digits 64-25-10 sigmoid BCE + L2 full batch (epochs/s) "
                "vs a bare NumPy loop", base, mine, ratio, Goal("≥ 1.0×", 1.0, True))


def stepped_iteration(sizes) -> Row:
    """One iteration with every step record against one fast-path iteration (ms)."""
    session = Session(load_lesson(resolve_lesson(DIGITS_LESSON)))
    trainer = session.trainer
    repeats = sizes.iteration_repeats

    def baseline() -> float:
        state = session.initial_state()
        return 1000 * timed(lambda: [trainer.iteration(state) for _ in range(repeats)]) / repeats

    def ours() -> float:
        state = session.initial_state()
        return 1000 * timed(lambda: [record_iteration(trainer, state)
                                     for _ in range(repeats)]) / repeats

    base, mine, ratio = interleaved(baseline, ours, sizes.rounds)
    return judged("one stepped iteration with all step records, digits (ms) "
                "vs one fast-path iteration", base, mine, ratio, Goal("≤ 2×", 2.0, False))


def history_after_long_run(sizes) -> list[Row]:
    """Memory the history holds after a long XOR run, and the slowest jump back (ms)."""
    epochs = sizes.history_epochs
    lesson = load_lesson(resolve_lesson(XOR_LESSON))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        session = Session(lesson)
        session.run(epochs)
        gc.collect()
        extra_mb = (tracemalloc.get_traced_memory()[0] - before) / 1e6
    finally:
        tracemalloc.stop()
    rng = np.random.default_rng(0)
    targets = [0, 1, epochs // 2, epochs - 1, epochs] + rng.integers(0, epochs + 1, 15).tolist()
    slowest = 0.0
    for epoch in targets:
        slowest = max(slowest, timed(lambda: session.jump_to_epoch(int(epoch))))
    memory_goal, jump_goal = Goal("≤ 50 MB", 50.0, False, False), Goal("≤ 100 ms", 100.0, False,
                                                                        False)
    label = f"history after {epochs:,} XOR epochs".replace(",", " ")
    return [judged(f"{label}: extra memory (MB, tracemalloc)", None, extra_mb, None, memory_goal),
            judged(f"{label}: jump to any epoch, slowest of {len(targets)} (ms of CPU)", None,
                 1000 * slowest, None, jump_goal)]


def xlsx_export(sizes) -> Row:
    """A lesson's first iteration as a live-formula workbook vs its values only (s)."""
    lesson = load_lesson(resolve_lesson(sizes.export_lesson))
    session = Session(lesson)
    record = record_iteration(session.trainer, session.initial_state())
    matrices = {name: record.shown(name, lesson.presentation) for name in record.values}
    folder = tempfile.mkdtemp(prefix="bt-bench-")
    ours_path, base_path = os.path.join(folder, "ours.xlsx"), os.path.join(folder, "values.xlsx")
    try:
        base, mine, ratio = interleaved(
            lambda: timed(lambda: values_only_xlsx(base_path, matrices)),
            lambda: timed(lambda: write_workbook(lesson, ours_path)),
            sizes.export_rounds, warmup=0)
    finally:
        for path in (ours_path, base_path):
            if os.path.exists(path):
                os.remove(path)
        os.rmdir(folder)
    return judged(f"XLSX export of the {sizes.export_lesson} lesson's first iteration (s) "
                  "vs the values without formulas", base, mine, ratio, Goal("≤ 3×", 3.0, False))

"""Issue 21, family 4: a lesson's memory, estimated from its shapes, is honest and enforced.

The estimate (engine/memory.py) is compared with tracemalloc's peak over a
whole ``main.py run`` in this process — never below it, and within the
stated factor — and a lesson beyond the budget is refused before anything
is allocated, in a child process whose address space is capped.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from engine import limits
from engine.cli import main as cli_main
from engine.errors import LessonError
from engine.lesson import parse_lesson
from engine.memory import HONESTY_FACTOR, check_memory, estimate_memory
from engine.network import Architecture

ROOT = Path(__file__).resolve().parents[1]
MEMORY_CAP = 3 * 2**30  # a child that ignored the budget would fail here, not swap the machine


def moons(samples, layers, batch_size=None, test_fraction=0.0, activation="sigmoid"):
    return {"format": "backprop-tracer.lesson", "version": 1, "title": "memory",
            "data": {"dataset": "moons", "samples": samples, "noise": 0.1, "seed": 0,
                     "test_fraction": test_fraction},
            "network": {"layers": layers, "activation": activation},
            "training": {"loss": "mse", "learning_rate": 0.1, "epochs": 2,
                         "batch_size": batch_size}}


SHAPES = [
    ("one wide layer, full batch", moons(4000, [2, 256, 1])),
    ("two layers, mini-batch", moons(6000, [2, 64, 64, 1], batch_size=500)),
    ("held-out rows", moons(5000, [2, 128, 1], test_fraction=0.25)),
    ("deep and narrow", moons(3000, [2, 16, 16, 16, 16, 1], activation="tanh")),
]


@pytest.mark.parametrize("with_trace", [False, True], ids=["run", "run --json"])
@pytest.mark.parametrize("doc", [s[1] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_the_estimate_covers_the_measured_peak_within_the_stated_factor(tmp_path, capsys,
                                                                        doc, with_trace):
    lesson_path = tmp_path / "lesson.json"
    lesson_path.write_text(json.dumps(doc), encoding="utf-8")
    lesson = parse_lesson(doc, "lesson.json")
    held_out = 0 if lesson.X_test is None else len(lesson.X_test)
    estimate = estimate_memory(lesson.architecture, len(lesson.X), held_out,
                               lesson.batch_size, with_trace, in_window=False).total
    argv = ["run", str(lesson_path)]
    if with_trace:
        argv += ["--json", str(tmp_path / "run.json")]
    tracemalloc.start()
    try:
        code = cli_main(argv)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0, capsys.readouterr().err
    assert peak <= estimate <= HONESTY_FACTOR * peak, (peak, estimate, estimate / peak)


def test_the_limits_are_each_reachable_within_the_budget():
    """limits.py: every size limit fits the budget while the others are small."""
    most_samples = Architecture((2, 8, 1), ("sigmoid", "sigmoid"), True, True)
    check_memory(estimate_memory(most_samples, limits.MAX_SAMPLES, 0, None), "most samples")
    check_memory(estimate_memory(most_samples, limits.MAX_SAMPLES, 0, None, with_trace=True,
                                 in_window=False), "most samples, traced")
    widest = Architecture((2, limits.MAX_UNITS, 1), ("sigmoid", "sigmoid"), True, True)
    check_memory(estimate_memory(widest, 1000, 0, None), "widest")
    deepest = (2,) + (64,) * (limits.MAX_LAYERS - 1) + (1,)
    deepest_net = Architecture(deepest, ("sigmoid",) * limits.MAX_LAYERS, True, True)
    check_memory(estimate_memory(deepest_net, 1000, 0, None), "deepest")


def test_the_refusal_names_the_estimate_and_the_limit():
    with pytest.raises(LessonError, match=r"^big.json: this lesson needs about 19\.7 GB of memory, "
                                          r"more than the limit of 2\.0 GB; use fewer samples"):
        parse_lesson(moons(100_000, [2, 512, 1]), "big.json")
    # The same network on a twentieth of the rows fits.
    parse_lesson(moons(5_000, [2, 512, 1]), "fewer rows.json")


def _capped_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


# The issue's cases (family 4): each took 6.9–15.3 GB before; now one line, at once.
ISSUE_CASES = [
    ("moons 100 000, [2, 512, 1]", moons(100_000, [2, 512, 1]), [], "about 19.7 GB"),
    ("moons 100 000, [2, 1024, 1]", moons(100_000, [2, 1024, 1]), [], "about 39.4 GB"),
    ("moons 100 000, [2, 1024, 1024, 1]", moons(100_000, [2, 1024, 1024, 1]), [], "GB of memory"),
    ("moons 100 000, [2, 256, 1]", moons(100_000, [2, 256, 1]), [], "about 9.9 GB"),
    ("moons 50 000, [2, 64, 1] with its trace", moons(50_000, [2, 64, 1]),
     ["--json", "run.json"], "about 2.2 GB"),
]


@pytest.mark.parametrize("doc,extra,expected", [c[1:] for c in ISSUE_CASES],
                         ids=[c[0] for c in ISSUE_CASES])
def test_lessons_beyond_the_budget_exit_2_at_once(tmp_path, doc, extra, expected):
    (tmp_path / "big.json").write_text(json.dumps(doc), encoding="utf-8")
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "run", "big.json", *extra],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path,
                            preexec_fn=_capped_memory)
    assert time.monotonic() - started < 20
    assert result.returncode == 2, (result.returncode, result.stderr[-500:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("big.json: this lesson needs about "), lines
    assert expected in lines[0] and "more than the limit of 2.0 GB" in lines[0]
    assert not (tmp_path / "run.json").exists()


WINDOW_SHAPES = [
    ("one wide layer, full batch", moons(4000, [2, 256, 1])),
    ("two layers, mini-batch", moons(6000, [2, 64, 64, 1], batch_size=500)),
]


@pytest.mark.parametrize("doc", [s[1] for s in WINDOW_SHAPES], ids=[s[0] for s in WINDOW_SHAPES])
def test_the_estimate_covers_the_window_with_every_view_open(qtbot, tmp_path, doc):
    """Steps in both presentations, an epoch, and every teaching view shown once."""
    from window_helpers import open_window
    lesson = parse_lesson(doc, "lesson.json")
    estimate = estimate_memory(lesson.architecture, len(lesson.X), 0, lesson.batch_size).total
    tracemalloc.start()
    try:
        window = open_window(qtbot, tmp_path, lesson)
        for presentation in ("gradient", "error"):
            window.controller.set_presentation(presentation)
            for _ in range(20):
                window.step_action.trigger()
                qtbot.wait(1)
        for dock in list(window.teaching_docks_a) + list(window.teaching_docks_b):
            dock.show()
            dock.raise_()
            qtbot.waitUntil(dock.widget().isVisible, timeout=5000)
            qtbot.wait(50)  # its first redraw
        window.controller.step_epoch()
        qtbot.wait(50)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Closed here rather than at the session's end: a window with unsaved work that is
    # asked to close stays open with its question, and its recovery copy of 6 000 samples
    # (every 30 s) would then run inside later tests.
    window.recovery.mark_saved()  # what answering "Discard" does
    window.close()
    assert not window.isVisible()
    assert peak <= estimate <= HONESTY_FACTOR * peak, (peak, estimate, estimate / peak)

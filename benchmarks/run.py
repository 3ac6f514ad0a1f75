"""Backprop Tracer's benchmark suite: ratios against baselines run beside it.

    python benchmarks/run.py                 # the full suite (a few minutes)
    python benchmarks/run.py --quick         # a seconds-long smoke run (CI)
    python benchmarks/run.py --json out.json # also write the rows as JSON

Prints one table (measure, baseline, ours, ratio, goal, met). Each pair is
timed interleaved, round after round after the same warm-up, and reported
as the median ratio ours / baseline. Every measure runs in a fresh Python
process of its own, so none inherits another's imports (torch and its
threads), windows or garbage; BLAS and OpenMP are pinned to the same number
of threads (``--threads``, default 1) for both sides, in the environment
the process starts with, before NumPy loads.
The baselines (``baselines.py``, ``baselines_qt.py``) are plain NumPy and
PySide6, written as the seeds write them. Exit status 0 whether or not the
goals are met: the figures are for reading, not for failing a build.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    """How much work one round of each measure does."""

    rounds: int
    xor_epochs: int
    digits_epochs: int
    iteration_repeats: int
    history_epochs: int
    export_rounds: int
    run_seconds: float
    headless_chunk: int
    start_up_rounds: int
    page_downs: int
    export_lesson: str


FULL = Sizes(rounds=9, xor_epochs=20_000, digits_epochs=40, iteration_repeats=20,
             history_epochs=2_000_000, export_rounds=5, run_seconds=2.0, headless_chunk=2000,
             start_up_rounds=21, page_downs=100, export_lesson="digits")
QUICK = Sizes(rounds=5, xor_epochs=400, digits_epochs=2, iteration_repeats=2,
              history_epochs=1000, export_rounds=1, run_seconds=0.2, headless_chunk=200,
              start_up_rounds=1, page_downs=10, export_lesson="xor_biases")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run")
    parser.add_argument("--json", metavar="OUT", help="also write the rows to OUT as JSON")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads for both sides (default 1)")
    parser.add_argument("--measure", choices=[name for name, _ in MEASURES],
                        help=argparse.SUPPRESS)  # one measure, in this process (the suite's child)
    parser.add_argument("--rows-to", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def pin_threads(threads: int) -> None:
    """Set the thread variables; must run before NumPy is imported."""
    if "numpy" in sys.modules:
        raise RuntimeError("pin_threads must run before NumPy is imported")
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)


def _figure(value) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.3g}"


def format_table(rows) -> str:
    """The rows as a Markdown table (readable as text, pastes into an issue)."""
    lines = ["| measure | baseline | ours | ratio | goal | met |",
             "| --- | ---: | ---: | ---: | --- | --- |"]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
        met = {True: "yes", False: "no", None: "—"}[row.met]
        lines.append(f"| {row.measure} | {_figure(row.baseline)} | {_figure(row.ours)} "
                     f"| {ratio} | {row.goal} | {met} |")
    return "\n".join(lines)


# (name, "module.function"), in table order; each function returns a Row or a list of them.
MEASURES = (("XOR fast path", "engine_measures.xor_fast_path"),
            ("XOR against torch", "engine_measures.xor_against_torch"),
            ("digits fast path", "engine_measures.digits_fast_path"),
            ("stepped iteration", "engine_measures.stepped_iteration"),
            ("Run in the window", "window_measures.run_in_window"),
            ("start-up", "window_measures.start_up"),
            ("table scrolling", "window_measures.table_scrolling"),
            ("history", "engine_measures.history_after_long_run"),
            ("XLSX export", "engine_measures.xlsx_export"))
WINDOW_MEASURES = {"Run in the window", "start-up"}  # these also take a settings folder


def run_measure(name: str, sizes: Sizes, settings_folder: str) -> list:
    """One measure, in this process; its rows."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import importlib

    module_name, function_name = dict(MEASURES)[name].split(".")
    measure = getattr(importlib.import_module(f"benchmarks.{module_name}"), function_name)
    rows = (measure(sizes, settings_folder) if name in WINDOW_MEASURES else measure(sizes))
    return rows if isinstance(rows, list) else [rows]


def run_suite(arguments: argparse.Namespace, settings_folder: str, progress) -> list:
    """Every measure, in table order, each in a fresh process of its own."""
    from benchmarks.harness import Row

    rows = []
    for name, _ in MEASURES:
        progress(name)
        out = os.path.join(settings_folder, "rows.json")
        command = [sys.executable, str(Path(__file__).resolve()), "--measure", name,
                   "--threads", str(arguments.threads), "--rows-to", out]
        if arguments.quick:
            command.append("--quick")
        done = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE,
                              text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the measure {name!r} failed (exit status {done.returncode})")
        rows.extend(Row(**row) for row in json.loads(Path(out).read_text(encoding="utf-8")))
    return rows


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    pin_threads(arguments.threads)
    sys.path.insert(0, str(ROOT))
    sizes = QUICK if arguments.quick else FULL

    def progress(name: str) -> None:
        print(f"measuring: {name} ...", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="bt-bench-") as folder:
        if arguments.measure:
            rows = run_measure(arguments.measure, sizes, folder)
            Path(arguments.rows_to).write_text(json.dumps([row.as_dict() for row in rows]),
                                               encoding="utf-8")
            return 0
        rows = run_suite(arguments, folder, progress)
    print(format_table(rows))
    if arguments.json:
        Path(arguments.json).write_text(json.dumps([row.as_dict() for row in rows], indent=2)
                                        + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

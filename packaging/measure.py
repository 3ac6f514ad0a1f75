"""Measure the Linux bundle against its budget (issue 8), in one run on this machine.

    python packaging/measure.py [--work DIR] [--rounds N] [--reuse]

Builds two one-folder bundles and prints their sizes on disk and as
``.tar.gz`` with the ratio:

- the yardstick: a naive bundle (PyInstaller's defaults: nothing excluded,
  nothing stripped) of a bare PySide6 + pyqtgraph window with one plot
  (``benchmarks.baselines_qt.BARE_WINDOW_SCRIPT``), built from the same
  installed packages a fresh ``pip install backprop-tracer`` brings — the
  packages installed only for the tests (scipy, lxml ...) are left out, as
  they would be on a teacher's machine;
- Backprop Tracer's bundle (``packaging/build.py``).

Then it times launch → first painted window (with
``BACKPROP_TRACER_EXIT_AFTER_PAINT`` set, ``gui.app`` prints a line one
event-loop turn after the main window's first paint; the bare window prints
the same line), in interleaved rounds, medians: the app from source against
the bare window from source, and the app's bundle against the app from
source. Offscreen unless ``QT_QPA_PLATFORM`` says otherwise; settings go to
a temporary folder. Builds are slow on a small machine: ``--reuse`` skips
a build whose bundle is already in the work folder.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import Bundle, build, folder_bytes, megabytes  # noqa: E402
from project import ROOT, read_project  # noqa: E402
from trim import extraneous_modules  # noqa: E402

sys.path.insert(0, str(ROOT))
from benchmarks.baselines_qt import BARE_WINDOW_SCRIPT, seconds_to_first_paint  # noqa: E402
from benchmarks.harness import interleaved  # noqa: E402
from gui.app import EXIT_AFTER_PAINT  # noqa: E402

BUDGET_DISK = 175e6
BUDGET_ARCHIVE = 68e6
BUDGET_RATIO = 0.8          # of the naive bare window, "about"
START_UP_SOURCE = 1.3       # app from source / bare window from source, at most
START_UP_BUNDLE = 1.5       # app's bundle / app from source, at most
HELLO_REQUIREMENTS = ["PySide6-Essentials", "pyqtgraph"]


def build_naive_hello(work: Path, reuse: bool) -> Bundle:
    """PyInstaller's defaults on the bare window (the issue's yardstick)."""
    folder = work / "naive" / "dist" / "hello_window"
    executable = folder / "hello_window"
    if reuse and executable.exists():
        return Bundle(folder, executable)
    script = work / "naive" / "hello_window.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(BARE_WINDOW_SCRIPT, encoding="utf-8")
    command = [sys.executable, "-m", "PyInstaller", "--onedir", "--noconfirm",
               "--log-level", "WARN", "--distpath", str(folder.parent),
               "--workpath", str(work / "naive" / "build"), "--specpath", str(script.parent)]
    for module in extraneous_modules(HELLO_REQUIREMENTS):
        command += ["--exclude-module", module]
    subprocess.run(command + [str(script)], check=True)
    return Bundle(folder, executable)


def build_ours(work: Path, reuse: bool) -> Bundle:
    folder = work / "ours" / "dist" / read_project().name
    executable = folder / read_project().name
    if reuse and executable.exists():
        return Bundle(folder, executable)
    return build(work / "ours" / "dist", work / "ours" / "build")


def archived_bytes(folder: Path, work: Path) -> int:
    """Size of the folder as a .tar.gz (gzip level 9)."""
    target = work / f"{folder.name}.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    return target.stat().st_size


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "measure",
                        help="where both bundles are built")
    parser.add_argument("--rounds", type=int, default=7, help="measured start-up rounds")
    parser.add_argument("--reuse", action="store_true",
                        help="do not rebuild a bundle already in the work folder")
    options = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        raise SystemExit("the budget is set for the Linux bundle: run this on Linux")
    work = options.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    naive = build_naive_hello(work, options.reuse)
    naive_built = time.perf_counter()
    ours = build_ours(work, options.reuse)
    ours_built = time.perf_counter()
    naive_disk, ours_disk = folder_bytes(naive.folder), folder_bytes(ours.folder)
    naive_gz, ours_gz = archived_bytes(naive.folder, work), archived_bytes(ours.folder, work)
    print(f"builds: naive bare window {naive_built - started:.0f} s, "
          f"Backprop Tracer {ours_built - naive_built:.0f} s"
          + (" (reused where present)" if options.reuse else ""))
    print(f"naive bare window:  {megabytes(naive_disk)} on disk, {megabytes(naive_gz)} as .tar.gz")
    print(f"Backprop Tracer:    {megabytes(ours_disk)} on disk, {megabytes(ours_gz)} as .tar.gz")
    print(f"ratio ours/naive:   {ours_disk / naive_disk:.2f}× on disk, "
          f"{ours_gz / naive_gz:.2f}× as .tar.gz (goal about {BUDGET_RATIO}×)")
    print(f"budget: ≤ {BUDGET_DISK / 1e6:.0f} MB on disk {verdict(ours_disk <= BUDGET_DISK)}; "
          f"≤ {BUDGET_ARCHIVE / 1e6:.0f} MB as .tar.gz {verdict(ours_gz <= BUDGET_ARCHIVE)}")

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home, HOME=home,
                   PYTHONPATH=str(ROOT))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        ours_env = dict(env, **{EXIT_AFTER_PAINT: "1"})
        bare, source, source_ratio = interleaved(
            lambda: seconds_to_first_paint([sys.executable, "-c", BARE_WINDOW_SCRIPT], env, ROOT),
            lambda: seconds_to_first_paint([sys.executable, str(ROOT / "main.py")], ours_env, ROOT),
            options.rounds)
        source_again, frozen, frozen_ratio = interleaved(
            lambda: seconds_to_first_paint([sys.executable, str(ROOT / "main.py")], ours_env, ROOT),
            lambda: seconds_to_first_paint([str(ours.executable)], ours_env, ROOT),
            options.rounds)
    print(f"start-up to the first painted window ({env['QT_QPA_PLATFORM']}, median of "
          f"{options.rounds} interleaved rounds):")
    print(f"  bare PySide6 + pyqtgraph window from source {bare:.3f} s; "
          f"Backprop Tracer from source {source:.3f} s: {source_ratio:.2f}× "
          f"(goal ≤ {START_UP_SOURCE}×) {verdict(source_ratio <= START_UP_SOURCE)}")
    print(f"  Backprop Tracer from source {source_again:.3f} s; from the bundle {frozen:.3f} s: "
          f"{frozen_ratio:.2f}× (goal ≤ {START_UP_BUNDLE}×) "
          f"{verdict(frozen_ratio <= START_UP_BUNDLE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

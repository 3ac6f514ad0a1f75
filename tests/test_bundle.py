"""``main.py --smoke-test`` from source, and — in CI — the Linux bundle built and smoke-tested.

The bundle test runs PyInstaller (a minute or two on two cores), so it runs
only where CI sets ``CI=true`` or when ``BUILD_BUNDLE=1`` asks for it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from engine.lesson import builtin_lessons
from gui.smoke_test import MIN_COLOURS, SmokeTestFailure, _not_blank, colours

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

BUNDLE_BUDGET_BYTES = 175e6
BUILD_BUNDLE = os.environ.get("CI") == "true" or os.environ.get("BUILD_BUNDLE") == "1"
SMOKE_TIMEOUT_S = 180


def offscreen_env(home: Path) -> dict:
    """Offscreen Qt, and settings in a folder of the test's own."""
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home),
                XDG_CONFIG_HOME=str(home), XDG_DATA_HOME=str(home))


def run(command: list[str], home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=offscreen_env(home), capture_output=True,
                          text=True, timeout=SMOKE_TIMEOUT_S)


def smoke_lines(stream: str) -> list[str]:
    return [line for line in stream.splitlines() if line.startswith("smoke test")]


def test_smoke_test_from_source_passes(tmp_path):
    done = run([sys.executable, str(ROOT / "main.py"), "--smoke-test"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    [line] = smoke_lines(done.stdout)
    assert line.startswith("smoke test passed: excel_walkthrough: 19 steps of iteration 1")


def test_smoke_test_failure_is_one_line_and_non_zero(tmp_path):
    done = run([sys.executable, str(ROOT / "main.py"), "--smoke-test", "no_such_lesson"],
               tmp_path)
    assert done.returncode == 1
    assert smoke_lines(done.stdout) == []
    [line] = smoke_lines(done.stderr)
    assert line.startswith("smoke test failed: cannot open the lesson: no_such_lesson")


def test_a_one_colour_render_counts_as_blank():
    image = QImage(64, 48, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    assert colours(image) == 1
    with pytest.raises(SmokeTestFailure, match="the plot rendered blank"):
        _not_blank(image, "the plot")
    for x in range(MIN_COLOURS):
        image.setPixelColor(x, 0, QColor(x * 20, 0, 0))
    assert colours(image) == MIN_COLOURS + 1
    assert _not_blank(image, "the plot") == MIN_COLOURS + 1
    assert colours(QImage()) == 0


@pytest.mark.skipif(not BUILD_BUNDLE, reason="builds the PyInstaller bundle (1–2 minutes): "
                                             "runs when CI=true or BUILD_BUNDLE=1")
@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="the test builds the Linux bundle; .github/workflows/bundles.yml "
                           "builds the Windows and macOS ones")
def test_linux_bundle_passes_its_smoke_test_offscreen_within_budget(tmp_path):
    from build import build, folder_bytes, megabytes

    bundle = build(tmp_path / "dist", tmp_path / "build")
    size = folder_bytes(bundle.folder)
    assert size <= BUNDLE_BUDGET_BYTES, f"the bundle is {megabytes(size)}, over 175 MB"
    assert not any(path.name.endswith(".qm") for path in bundle.folder.rglob("*")), \
        "Qt translations were bundled"

    home = tmp_path / "home"
    home.mkdir()
    done = run([str(bundle.executable), "--smoke-test"], home)
    assert done.returncode == 0, done.stderr[-2000:]
    assert smoke_lines(done.stdout)[0].startswith("smoke test passed")

    # The bundled resources are found frozen: every built-in lesson is listed.
    listed = run([str(bundle.executable), "lessons"], home)
    assert listed.returncode == 0, listed.stderr
    frozen_ids = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert frozen_ids == [lesson_id for lesson_id, _, _ in builtin_lessons()]


def test_the_apps_own_packages_are_never_left_out_of_the_bundle(monkeypatch):
    """A fresh clone's ``pip install -e .`` lists engine, gui and main as installed
    modules of a distribution no dependency needs; the trim must still keep them."""
    import trim

    installed = {"engine": ["backprop-tracer"], "gui": ["backprop-tracer"],
                 "main": ["backprop-tracer"], "scipy": ["scipy"], "numpy": ["numpy"]}
    monkeypatch.setattr(trim.metadata, "packages_distributions", lambda: installed)
    left_out = trim.extraneous_modules(["numpy"])
    assert "scipy" in left_out
    assert not {"engine", "gui", "main", "numpy"} & set(left_out)

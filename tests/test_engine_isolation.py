"""The engine never imports Qt: checked in a fresh interpreter."""
import subprocess
import sys

from conftest import ROOT

PROBE = """
import importlib, pkgutil, sys
import engine
for module in pkgutil.walk_packages(engine.__path__, "engine."):
    importlib.import_module(module.name)
leaked = sorted(n for n in sys.modules if n.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6"))
print("leaked=" + ",".join(leaked))
print(len([n for n in sys.modules if n.startswith("engine.")]))
"""


def test_importing_every_engine_module_loads_no_qt():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    leaked, count = result.stdout.strip().splitlines()
    assert leaked == "leaked="
    assert int(count) >= 10  # the walk really imported the engine's modules

"""What the bundle leaves out, and the stripping: the rules behind the size budget.

``backprop_tracer.spec`` applies them to PyInstaller's Analysis; the naive
yardstick in ``measure.py`` uses only ``extraneous_modules`` (so that both
are built from the same set of installed packages).

- Python packages: only what ``pyproject.toml``'s dependencies need. A
  package installed for the tests (scipy, lxml ...) that pyqtgraph would
  pick up through an optional import stays out.
- Qt: the modules the app's sources import (found by reading them: QtCore,
  QtGui, QtWidgets, QtSvg ...) and the two pyqtgraph imports (QtOpenGL,
  QtOpenGLWidgets); the platform plugin of each
  system plus ``offscreen`` (CI's smoke test), the styles, X11's GL
  integrations and the compose input context; no translations (the app
  loads none), no image-format, icon-engine, TLS, network, Wayland or
  platform-theme plugins (Qt falls back to X11 and its own dialogs).
- The standard library's ssl, hashlib's OpenSSL and readline stay out.
- Linux: shared libraries that nothing kept links to any more (the
  dependencies of the plugins left out) are dropped, and every shared
  library is stripped except those NumPy vendors (OpenBLAS and gfortran,
  which break when stripped).
"""
from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePath

__all__ = ["QT_MODULES_FOR_PYQTGRAPH", "PLUGINS_KEPT", "qt_modules_used", "excluded_modules",
           "extraneous_modules",
           "keep_binaries", "keep_datas", "prune_unreachable", "drop_dangling_links",
           "strip_binaries"]

# pyqtgraph imports these two whatever the app uses; the rest follow the app's imports.
QT_MODULES_FOR_PYQTGRAPH = ("QtOpenGL", "QtOpenGLWidgets")
APP_SOURCES = ("main.py", "engine", "gui")
# Plugin folder -> name prefixes kept (after "lib" and "q"); None keeps the whole folder.
PLUGINS_KEPT: dict[str, tuple[str, ...] | None] = {
    "platforms": ("xcb", "windows", "cocoa", "offscreen"),
    "styles": None,
    "xcbglintegrations": None,
    "platforminputcontexts": ("compose",),
}
# Qt libraries only left-out modules and plugins use (Linux finds these by
# itself, see prune_unreachable; Windows and macOS go by this list). A
# library of a module the app imports is kept.
QT_LIBRARIES_UNUSED = ("Qt6Qml", "Qt6Quick", "Qt6Pdf", "Qt6Svg", "Qt6Test", "Qt6Network",
                       "Qt6VirtualKeyboard", "Qt6Wayland", "Qt6Wl", "Qt6EglFS",
                       "opengl32sw")   # Windows' software OpenGL: widgets do not need it
OTHER_BINDINGS = ("PyQt5", "PyQt6", "PySide2", "shiboken2", "tkinter", "_tkinter")
# Standard modules the app never uses whose extension modules bring big libraries:
# OpenSSL (hashlib falls back to its built-in hashes) and readline.
STDLIB_UNUSED = ("ssl", "_ssl", "_hashlib", "readline")
# Libraries a wheel vendored with auditwheel (``numpy.libs/``: OpenBLAS, gfortran)
# were rewritten by patchelf, and strip breaks them ("ELF load command
# address/offset not page-aligned").
NEVER_STRIPPED = re.compile(r"\.libs$")
_EXTENSION = re.compile(r"(\.cpython-[^/]*\.so|\.abi3\.so|\.pyd)$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_closure(requirements: list[str]) -> set[str]:
    """Canonical names of the distributions ``requirements`` need, transitively."""
    from packaging.requirements import Requirement

    needed: set[str] = set()
    queue = list(requirements)
    while queue:
        requirement = Requirement(queue.pop())
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an optional extra, or another platform's dependency
        name = _canonical(requirement.name)
        if name in needed:
            continue
        needed.add(name)
        try:
            queue.extend(metadata.requires(requirement.name) or [])
        except metadata.PackageNotFoundError:
            pass  # not installed: PyInstaller will not find it either
    return needed


def extraneous_modules(requirements: list[str]) -> list[str]:
    """Top-level modules installed here that ``requirements`` do not need.

    Parameters
    ----------
    requirements : list of str
        PEP 508 requirements, e.g. ``pyproject.toml``'s ``dependencies``.
    """
    needed = _requirement_closure(requirements)
    # An install of the project itself (pip install -e . on a fresh clone) lists
    # the app's own packages as installed modules: they are never extraneous.
    own = {Path(source).stem for source in APP_SOURCES}
    extraneous = []
    for module, distributions in metadata.packages_distributions().items():
        if module in sys.stdlib_module_names or not module.isidentifier() or module in own:
            continue
        if not any(_canonical(d) in needed for d in distributions):
            extraneous.append(module)
    return sorted(extraneous)


def qt_modules_used(root: Path) -> set[str]:
    """The Qt modules the app's sources import, and pyqtgraph's two."""
    pattern = re.compile(r"\bPySide6\.(Qt\w+)")
    used = set(QT_MODULES_FOR_PYQTGRAPH)
    for source in APP_SOURCES:
        path = root / source
        for file in ([path] if path.is_file() else sorted(path.rglob("*.py"))):
            used.update(pattern.findall(file.read_text(encoding="utf-8")))
    return used


def _unused_qt_modules(used: set[str]) -> list[str]:
    import PySide6

    folder = Path(PySide6.__file__).parent
    found = {path.name.split(".")[0] for path in folder.iterdir()
             if path.name.startswith("Qt") and path.suffix in (".so", ".pyd", ".pyi")}
    return sorted(f"PySide6.{name}" for name in found - used)


def excluded_modules(requirements: list[str], qt_used: set[str]) -> list[str]:
    """Every module the Analysis must not follow into.

    Parameters
    ----------
    requirements : list of str
        ``pyproject.toml``'s dependencies.
    qt_used : set of str
        The Qt modules to keep (``qt_modules_used``).
    """
    return sorted(set(extraneous_modules(requirements)) | set(_unused_qt_modules(qt_used))
                  | set(OTHER_BINDINGS) | set(STDLIB_UNUSED))


def _keep_plugin(parts: tuple[str, ...]) -> bool:
    folder, name = parts[-2], parts[-1]
    if folder not in PLUGINS_KEPT:
        return False
    prefixes = PLUGINS_KEPT[folder]
    stem = name.split(".")[0].removeprefix("lib").removeprefix("q")
    return prefixes is None or stem.startswith(prefixes)


def keep_binaries(binaries: list[tuple], qt_used: set[str]) -> list[tuple]:
    """The Analysis' binaries without the plugins and Qt libraries left out."""
    unused = [library for library in QT_LIBRARIES_UNUSED
              if library.replace("Qt6", "Qt", 1) not in qt_used]
    kept = []
    for entry in binaries:
        parts = PurePath(entry[0]).parts
        if "plugins" in parts[:-2] and parts[0] == "PySide6" and not _keep_plugin(parts):
            continue
        if any(library in parts[-1] for library in unused):
            continue
        kept.append(entry)
    return kept


def keep_datas(datas: list[tuple]) -> list[tuple]:
    """The Analysis' data files without Qt's translations and the left-out plugins."""
    kept = []
    for entry in datas:
        parts = PurePath(entry[0]).parts
        if parts[:1] == ("PySide6",) and ("translations" in parts
                                          or ("plugins" in parts[:-2] and not _keep_plugin(parts))):
            continue
        kept.append(entry)
    return kept


def _is_root(destination: str) -> bool:
    """Loaded by Python or by Qt itself rather than linked: an extension module, a plugin, libpython."""
    path = PurePath(destination)
    return (bool(_EXTENSION.search(path.name)) or "lib-dynload" in path.parts
            or "plugins" in path.parts or path.name.startswith("libpython"))


def prune_unreachable(binaries: list[tuple]) -> list[tuple]:
    """Drop shared libraries that no extension module, plugin or libpython links to (Linux)."""
    from PyInstaller.depend.bindepend import get_imports

    by_name: dict[str, list[tuple]] = {}
    for entry in binaries:
        by_name.setdefault(PurePath(entry[0]).name, []).append(entry)
    queue = [entry for entry in binaries if _is_root(entry[0])]
    reached: set[str] = set()
    while queue:
        _, source, kind = queue.pop()
        if kind == "SYMLINK":
            continue  # its target is an entry of its own
        for name, _ in get_imports(source):
            base = PurePath(name).name
            if base in by_name and base not in reached:
                reached.add(base)
                queue.extend(by_name[base])
    return [entry for entry in binaries
            if _is_root(entry[0]) or PurePath(entry[0]).name in reached]


def drop_dangling_links(entries: list[tuple], collected: set[str]) -> list[tuple]:
    """Entries without the symbolic links whose target was left out.

    ``collected`` is every destination kept (binaries and data files).
    """
    kept = []
    for entry in entries:
        destination, target, kind = entry
        if kind == "SYMLINK":
            resolved = PurePath(os.path.normpath(PurePath(destination).parent / target))
            if resolved.as_posix() not in collected:
                continue
        kept.append(entry)
    return kept


def _is_elf(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"\x7fELF"


def strip_binaries(binaries: list[tuple], folder: Path) -> list[tuple]:
    """Point the binaries at stripped copies in ``folder`` (Linux; OpenBLAS left as it is).

    Raises
    ------
    SystemExit
        When ``strip`` (binutils) is not installed.
    """
    strip = shutil.which("strip")
    if strip is None:
        raise SystemExit("the Linux bundle needs `strip` (install binutils) to meet its size budget")
    result, copies = [], []
    for destination, source, kind in binaries:
        vendored = any(NEVER_STRIPPED.search(part) for part in PurePath(destination).parts[:-1])
        if kind == "SYMLINK" or vendored or not _is_elf(source):
            result.append((destination, source, kind))
            continue
        copy = folder / destination
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, copy)
        copy.chmod(0o755)
        copies.append(str(copy))
        result.append((destination, str(copy), kind))
    for start in range(0, len(copies), 100):
        subprocess.run([strip, "--strip-unneeded", *copies[start:start + 100]], check=True)
    return result

"""The bundle's name and version, read from ``pyproject.toml`` (the one place they are written)."""
from __future__ import annotations

import platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "backprop_tracer.spec"


@dataclass(frozen=True)
class Project:
    """What the bundles are called.

    Attributes
    ----------
    name : str
        The distribution name (``backprop-tracer``): the executable and the folder.
    version : str
        ``0.1.0``: the .app's CFBundleShortVersionString, the .exe's version resource.
    title : str
        ``Backprop Tracer``: the .app's name and what the system shows.
    description : str
    dependencies : tuple of str
        The PEP 508 requirements of ``[project] dependencies``: all the bundle may hold.
    """

    name: str
    version: str
    title: str
    description: str
    dependencies: tuple[str, ...]

    @property
    def bundle_identifier(self) -> str:
        """The macOS bundle identifier (reverse-DNS, letters and dots only)."""
        return "org.backproptracer." + re.sub(r"[^A-Za-z0-9]", "", self.title).lower()

    @property
    def version_tuple(self) -> tuple[int, int, int, int]:
        """Four numbers for the Windows version resource (``0.1.0`` → (0, 1, 0, 0))."""
        numbers = [int(part) for part in re.findall(r"\d+", self.version)[:4]]
        return tuple(numbers + [0] * (4 - len(numbers)))  # type: ignore[return-value]

    @property
    def archive_stem(self) -> str:
        """``backprop-tracer-0.1.0-linux-x86_64``: the name of the uploaded archive."""
        system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
        return f"{self.name}-{self.version}-{system}-{platform.machine().lower()}"


def read_project(root: Path = ROOT) -> Project:
    """The ``[project]`` table of ``pyproject.toml``.

    Raises
    ------
    SystemExit
        When Python is older than 3.11 (no ``tomllib``) or a key is missing.
    """
    try:
        import tomllib
    except ImportError:
        raise SystemExit("building the bundles needs Python 3.11 or newer (for tomllib)") from None
    path = root / "pyproject.toml"
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    missing = [key for key in ("name", "version", "description") if key not in table]
    if missing:
        raise SystemExit(f"{path}: [project] has no {', '.join(missing)}")
    name = table["name"]
    return Project(name=name, version=table["version"],
                   title=" ".join(word.capitalize() for word in re.split(r"[-_]", name)),
                   description=table["description"],
                   dependencies=tuple(table.get("dependencies", ())))

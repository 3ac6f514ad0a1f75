"""Build Backprop Tracer's one-folder bundle for this system, and archive it.

    python packaging/build.py [--dist DIR] [--work DIR] [--no-archive]

Runs PyInstaller on ``backprop_tracer.spec`` and prints where the bundle,
its executable and its archive are (Linux: ``.tar.gz``; Windows and macOS:
``.zip``), with the bundle's size. Needs the ``test`` extra (PyInstaller)
and, on Linux, ``strip`` from binutils. See README "Building the app".
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from project import ROOT, SPEC, read_project  # noqa: E402

__all__ = ["Bundle", "build", "archive", "folder_bytes", "megabytes"]


@dataclass(frozen=True)
class Bundle:
    """A built bundle: the folder to ship (or the .app) and the program to run."""

    folder: Path
    executable: Path


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder`` (symbolic links count as themselves)."""
    total = 0
    for path in folder.rglob("*"):
        info = path.lstat()
        if not path.is_dir() or path.is_symlink():
            total += info.st_size
    return total


def megabytes(size: int) -> str:
    """``171.2 MB (163.3 MiB)``: both units, since tools disagree on which MB they mean."""
    return f"{size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)"


def build(dist: Path, work: Path) -> Bundle:
    """Run PyInstaller on the spec; the bundle lands in ``dist``.

    Raises
    ------
    SystemExit
        With PyInstaller's exit status when the build fails.
    """
    project = read_project()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    done = subprocess.run(command, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"PyInstaller failed with exit status {done.returncode}")
    if sys.platform == "darwin":
        folder = dist / f"{project.title}.app"
        return Bundle(folder, folder / "Contents" / "MacOS" / project.name)
    folder = dist / project.name
    suffix = ".exe" if sys.platform == "win32" else ""
    return Bundle(folder, folder / f"{project.name}{suffix}")


def archive(bundle: Path, destination: Path) -> Path:
    """Pack the bundle folder next to it: ``.tar.gz`` on Linux, ``.zip`` elsewhere."""
    stem = destination / read_project().archive_stem
    if sys.platform.startswith("linux"):
        target = stem.with_name(stem.name + ".tar.gz")
        with tarfile.open(target, "w:gz") as tar:
            tar.add(bundle, arcname=bundle.name)
        return target
    target = stem.with_name(stem.name + ".zip")
    if sys.platform == "darwin":  # ditto keeps the .app's symbolic links and signature
        subprocess.run(["ditto", "-c", "-k", "--keepParent", str(bundle), str(target)], check=True)
        return target
    return Path(shutil.make_archive(str(stem), "zip", bundle.parent, bundle.name))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes")
    parser.add_argument("--work", type=Path, default=ROOT / "build",
                        help="PyInstaller's working folder")
    parser.add_argument("--no-archive", action="store_true", help="skip the archive")
    options = parser.parse_args(argv)
    start = time.perf_counter()
    bundle = build(options.dist.resolve(), options.work.resolve())
    print(f"bundle:     {bundle.folder} ({megabytes(folder_bytes(bundle.folder))}), "
          f"built in {time.perf_counter() - start:.0f} s")
    print(f"executable: {bundle.executable}")
    if not options.no_archive:
        packed = archive(bundle.folder, options.dist.resolve())
        print(f"archive:    {packed} ({megabytes(packed.stat().st_size)})")
    if os.environ.get("GITHUB_OUTPUT"):  # hand the paths to the workflow's next steps
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write(f"bundle={bundle.folder}\nexecutable={bundle.executable}\n"
                      f"version={read_project().version}\n")
            if not options.no_archive:
                out.write(f"archive={packed}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

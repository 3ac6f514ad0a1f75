"""Package the Linux bundle as a .deb with ``dpkg-deb`` (no other build tool).

    python packaging/deb.py [--bundle DIR] [--dist DIR]

Takes the one-folder bundle ``packaging/build.py`` made (``dist/backprop-tracer``
by default) and writes ``dist/backprop-tracer_<version>_<arch>.deb``, which
installs:

- the bundle under ``/opt/backprop-tracer/`` and the launcher
  ``/usr/bin/backprop-tracer`` (a link to its executable);
- the applications-menu entry ``/usr/share/applications/backprop-tracer.desktop``
  (Education, Science), which opens ``.bptlesson`` files;
- the icon in the hicolor theme's sizes, for the app and for lesson files;
- the lesson MIME type for shared-mime-info (``/usr/share/mime/packages``).

No maintainer scripts: the MIME, desktop and icon caches are rebuilt by the
file triggers that shared-mime-info, desktop-file-utils and the icon theme
register on those folders, on install and on removal alike, and removing the
package removes every file it installed.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from desktop import desktop_entry, mime_icon_name, mime_xml  # noqa: E402
from engine.about import LICENCES  # noqa: E402
from engine.resources import resource_path  # noqa: E402
from project import ROOT, Project, read_project  # noqa: E402

__all__ = ["build_deb", "deb_architecture", "icon_pngs", "control_text", "DEB_BUDGET_BYTES"]

DEB_BUDGET_BYTES = 70e6
# The system libraries the bundle uses without carrying them (README "Building the
# app"): graphics, the X connection, fontconfig's configuration and a font, XKB data.
DEPENDS = ("libegl1", "libgl1", "libxcb1", "fontconfig", "fonts-dejavu-core | fonts-liberation2",
           "xkb-data")
MAINTAINER = "Backprop Tracer developers <backprop-tracer@users.noreply.github.com>"


def deb_architecture() -> str:
    """Debian's name for this machine's architecture (``amd64``, ``arm64``)."""
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()


def icon_pngs(ico: Path) -> dict[int, bytes]:
    """The PNG images of an .ico file made by ``packaging/make_icon.py``, by pixel size."""
    data = ico.read_bytes()
    _, _, count = struct.unpack_from("<HHH", data, 0)
    images = {}
    for index in range(count):
        side, _, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        images[side or 256] = data[offset:offset + length]
    return images


def control_text(project: Project, architecture: str, installed_kib: int) -> str:
    """The package's ``DEBIAN/control``."""
    glibc = platform.libc_ver()[1]  # the bundle's Python was linked against this one or older
    depends = ", ".join((f"libc6 (>= {glibc})",) + DEPENDS)
    return "\n".join([
        f"Package: {project.name}",
        f"Version: {project.version}",
        f"Architecture: {architecture}",
        f"Maintainer: {MAINTAINER}",
        f"Installed-Size: {installed_kib}",
        f"Depends: {depends}",
        "Section: education",
        "Priority: optional",
        f"Description: {project.description.rstrip('.')}",
        " Backprop Tracer shows a small neural network as a node diagram, as",
        " spreadsheet-style tables of every matrix of one training iteration, and",
        " as a loss plot, and steps through the iteration one matrix at a time.",
        " Lessons are .bptlesson files; double-click one to open it.",
        "",
    ])


def _copyright(project: Project) -> str:
    lines = [f"{project.title} {project.version}", "",
             "What this package ships, and the licence of each part:", ""]
    lines += [f"- {name}: {licence} ({where})" for name, licence, where in LICENCES]
    return "\n".join(lines) + "\n"


def _stage(bundle: Path, root: Path, project: Project) -> None:
    """Lay out the installed files under ``root`` as they will be on the system."""
    name = project.name
    shutil.copytree(bundle, root / "opt" / name, symlinks=True)
    launcher = root / "usr" / "bin" / name
    launcher.parent.mkdir(parents=True)
    # relative, so the link works wherever the tree is unpacked (a test's scratch root too)
    launcher.symlink_to(Path("..", "..", "opt", name, name))
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "applications" / f"{name}.desktop").write_text(desktop_entry(project),
                                                            encoding="utf-8")
    (share / "mime" / "packages").mkdir(parents=True)
    (share / "mime" / "packages" / f"{name}.xml").write_text(mime_xml(), encoding="utf-8")
    # The lesson type shows the app's own icon: one drawing, recognisable as the app's files.
    for side, png in icon_pngs(resource_path("icons", "backprop_tracer.ico")).items():
        theme = share / "icons" / "hicolor" / f"{side}x{side}"
        for context, icon in (("apps", name), ("mimetypes", mime_icon_name())):
            (theme / context).mkdir(parents=True, exist_ok=True)
            (theme / context / f"{icon}.png").write_bytes(png)
    doc = share / "doc" / name
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(_copyright(project), encoding="utf-8")
    for path in [root, *root.rglob("*")]:  # what dpkg installs: readable by everyone
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)


def _kib(folder: Path) -> int:
    total = sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())
    return -(-total // 1024)


def build_deb(bundle: Path, dist: Path) -> Path:
    """Write the .deb of ``bundle`` (the one-folder app) into ``dist``; return its path.

    Raises
    ------
    SystemExit
        When the bundle has no executable or ``dpkg-deb`` fails.
    """
    project = read_project()
    if not (bundle / project.name).is_file():
        raise SystemExit(f"{bundle}: no {project.name} executable here; build the bundle first "
                         "(python packaging/build.py)")
    architecture = deb_architecture()
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / f"{project.name}_{project.version}_{architecture}.deb"
    with tempfile.TemporaryDirectory(prefix="deb-", dir=dist) as scratch:
        root = Path(scratch) / "root"
        _stage(bundle, root, project)
        (root / "DEBIAN").mkdir()
        (root / "DEBIAN" / "control").write_text(
            control_text(project, architecture, _kib(root)), encoding="utf-8")
        # xz: the smallest archive every dpkg since Debian 7 and Ubuntu 12.04 unpacks
        done = subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root),
                               str(target)], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"dpkg-deb failed: {done.stderr.strip() or done.stdout.strip()}")
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / read_project().name,
                        help="the one-folder bundle packaging/build.py made")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the .deb goes")
    options = parser.parse_args(argv)
    target = build_deb(options.bundle.resolve(), options.dist.resolve())
    print(f"package:    {target} ({target.stat().st_size / 1e6:.1f} MB)")
    if os.environ.get("GITHUB_OUTPUT"):  # hand the path to the workflow's next steps
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write(f"deb={target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""``main.py --smoke-test`` from source, and — in CI — the Linux bundle built and smoke-tested.

The bundle test runs PyInstaller (a minute or two on two cores), so it runs
only where CI sets ``CI=true`` or when ``BUILD_BUNDLE=1`` asks for it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from engine.about import app_version
from engine.lesson import builtin_lessons, resolve_lesson
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


needs_bundle = pytest.mark.skipif(
    not (BUILD_BUNDLE and sys.platform.startswith("linux")),
    reason="builds the Linux PyInstaller bundle (1–2 minutes): runs on Linux when CI=true or "
           "BUILD_BUNDLE=1; .github/workflows/bundles.yml builds the Windows and macOS ones")


@pytest.fixture(scope="module")
def linux_bundle(tmp_path_factory):
    """The Linux bundle, built once for the tests that check it and its package."""
    from build import build

    folder = tmp_path_factory.mktemp("bundle")
    return build(folder / "dist", folder / "build")


@needs_bundle
def test_linux_bundle_passes_its_smoke_test_offscreen_within_budget(linux_bundle, tmp_path):
    from build import folder_bytes, megabytes

    bundle = linux_bundle
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
    # ... and so is pyproject.toml, where the version is written
    version = run([str(bundle.executable), "--version"], home)
    assert version.returncode == 0 and version.stdout == f"Backprop Tracer {app_version()}\n"


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


def deb_fields(package: Path) -> dict[str, str]:
    """The control data of a .deb, one entry per field (continuation lines joined)."""
    text = subprocess.run(["dpkg-deb", "--field", str(package)], check=True,
                          capture_output=True, text=True).stdout
    fields, name = {}, None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and name:
            fields[name] += "\n" + line.strip()
        else:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return fields


def dpkg(root: Path, *args: str) -> subprocess.CompletedProcess:
    """dpkg on a scratch root: the package database and the files it installs stay under
    ``root``. Without root privileges dpkg is told to go on (``--force-not-root``): every
    file is then owned by whoever runs the test, which is all this test looks at."""
    command = ["dpkg", f"--root={root}", f"--log={root / 'dpkg.log'}", "--force-depends"]
    if os.geteuid() != 0:
        command.append("--force-not-root")
    env = dict(os.environ, PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    return subprocess.run(command + list(args), capture_output=True, text=True, env=env,
                          timeout=SMOKE_TIMEOUT_S)


def installed_files(root: Path) -> list[str]:
    """Files and links under a scratch root, without dpkg's own database and log."""
    database = root / "var" / "lib" / "dpkg"
    return sorted(str(path.relative_to(root)) for path in root.rglob("*")
                  if not path.is_dir() and database not in path.parents
                  and path.name != "dpkg.log")


@needs_bundle
@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (Debian, Ubuntu)")
def test_linux_package_installs_opens_a_lesson_and_uninstalls_cleanly(linux_bundle, tmp_path):
    from deb import DEB_BUDGET_BYTES, build_deb, deb_architecture
    from desktop import mime_icon_name
    from project import read_project

    project = read_project()
    package = build_deb(linux_bundle.folder, tmp_path / "deb")
    assert package.stat().st_size <= DEB_BUDGET_BYTES, \
        f"the package is {package.stat().st_size / 1e6:.1f} MB, over 70 MB"
    fields = deb_fields(package)
    assert (fields["Package"], fields["Version"], fields["Architecture"]) == \
        (project.name, project.version, deb_architecture())
    assert fields["Section"] == "education"
    assert {"libegl1", "libgl1", "libxcb1", "xkb-data"} <= \
        {dependency.split()[0] for dependency in fields["Depends"].split(", ")}
    contents = subprocess.run(["dpkg-deb", "--contents", str(package)], check=True,
                              capture_output=True, text=True).stdout
    listed = {line.split()[5] for line in contents.splitlines()}
    name = project.name
    for path in (f"./opt/{name}/{name}", f"./usr/bin/{name}",
                 f"./usr/share/applications/{name}.desktop",
                 f"./usr/share/mime/packages/{name}.xml",
                 f"./usr/share/icons/hicolor/48x48/apps/{name}.png",
                 f"./usr/share/icons/hicolor/256x256/mimetypes/{mime_icon_name()}.png"):
        assert path in listed, f"{path} is not in the package"
    assert f"./usr/bin/{name} -> ../../opt/{name}/{name}" in contents
    assert not any(path.startswith("./usr/local") or path.startswith("./home") for path in listed)

    # Installed into a scratch root, as a system would: the launcher on PATH runs.
    root = tmp_path / "root"
    for folder in ("info", "updates", "triggers"):
        (root / "var" / "lib" / "dpkg" / folder).mkdir(parents=True)
    for name_ in ("status", "available"):
        (root / "var" / "lib" / "dpkg" / name_).touch()
    done = dpkg(root, "--install", str(package))
    assert done.returncode == 0, done.stderr[-2000:]
    launcher = root / "usr" / "bin" / name
    home = tmp_path / "home"
    home.mkdir()
    smoke = run([str(launcher), "--smoke-test"], home)
    assert smoke.returncode == 0, smoke.stderr[-2000:]
    assert smoke_lines(smoke.stdout)[0].startswith("smoke test passed")

    # A .bptlesson opened the way the menu entry opens one: Exec with %f the file.
    entry = (root / "usr" / "share" / "applications" / f"{name}.desktop").read_text()
    [exec_line] = [line for line in entry.splitlines() if line.startswith("Exec=")]
    assert exec_line == f"Exec={name} %f"
    assert "MimeType=application/x-backprop-tracer-lesson;" in entry.splitlines()
    assert "Categories=Education;Science;ComputerScience;" in entry.splitlines()
    lesson = tmp_path / "class 7.bptlesson"
    lesson.write_bytes(resolve_lesson("xor_biases").read_bytes())
    command = [str(root / "usr" / "bin" / exec_line.split()[0].removeprefix("Exec=")),
               "--smoke-test", *[str(lesson) if word == "%f" else word
                                 for word in exec_line.split()[1:]]]
    opened = run(command, home)
    assert opened.returncode == 0, opened.stderr[-2000:]
    assert smoke_lines(opened.stdout)[0].startswith(f"smoke test passed: {lesson}")

    # The lesson type is registered: shared-mime-info maps *.bptlesson to it, and the menu
    # entry is its default application (the caches the system's triggers would build).
    share = tmp_path / "share"
    shutil.copytree(root / "usr" / "share" / "mime", share / "mime")
    shutil.copytree(root / "usr" / "share" / "applications", share / "applications")
    if shutil.which("update-mime-database"):
        subprocess.run(["update-mime-database", str(share / "mime")], check=True,
                       capture_output=True)
        globs = (share / "mime" / "globs2").read_text().splitlines()
        assert any(line.endswith(":application/x-backprop-tracer-lesson:*.bptlesson")
                   for line in globs)
    if shutil.which("xdg-mime") and shutil.which("update-desktop-database"):
        subprocess.run(["update-desktop-database", str(share / "applications")], check=True)
        empty = tmp_path / "empty"
        empty.mkdir()
        xdg = {"PATH": os.environ["PATH"], "HOME": str(empty), "XDG_DATA_HOME": str(empty),
               "XDG_CONFIG_HOME": str(empty), "XDG_CONFIG_DIRS": str(empty),
               "XDG_DATA_DIRS": str(share)}
        default = subprocess.run(["xdg-mime", "query", "default",
                                  "application/x-backprop-tracer-lesson"],
                                 env=xdg, capture_output=True, text=True, check=True)
        assert default.stdout.strip() == f"{name}.desktop"

    # Removing the package removes everything it installed.
    assert installed_files(root)
    done = dpkg(root, "--remove", name)
    assert done.returncode == 0, done.stderr[-2000:]
    assert installed_files(root) == []


def test_the_lesson_type_is_described_alike_for_every_system(tmp_path):
    """The .desktop entry, the MIME XML and the .app's Info.plist name one type; the
    freedesktop files pass their validators where those are installed."""
    import plistlib

    from desktop import desktop_entry, lesson_type_identifier, macos_document_types, mime_xml
    from project import read_project

    project = read_project()
    entry = desktop_entry(project).splitlines()
    assert "MimeType=application/x-backprop-tracer-lesson;" in entry
    assert f"Exec={project.name} %f" in entry and f"Icon={project.name}" in entry
    desktop_file = tmp_path / f"{project.name}.desktop"
    desktop_file.write_text(desktop_entry(project), encoding="utf-8")
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(["desktop-file-validate", str(desktop_file)],
                                 capture_output=True, text=True)
        assert checked.returncode == 0 and "error" not in checked.stdout, checked.stdout

    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    (packages / f"{project.name}.xml").write_text(mime_xml(), encoding="utf-8")
    if shutil.which("update-mime-database"):
        subprocess.run(["update-mime-database", str(tmp_path / "mime")], check=True,
                       capture_output=True)
        assert "50:application/x-backprop-tracer-lesson:*.bptlesson" in \
            (tmp_path / "mime" / "globs2").read_text().splitlines()
        assert "application/x-backprop-tracer-lesson application/json" in \
            (tmp_path / "mime" / "subclasses").read_text().splitlines()

    plist = plistlib.loads(plistlib.dumps(macos_document_types(project, "backprop_tracer.icns")))
    [exported] = plist["UTExportedTypeDeclarations"]
    [document] = plist["CFBundleDocumentTypes"]
    assert exported["UTTypeIdentifier"] == lesson_type_identifier(project) == \
        document["LSItemContentTypes"][0] == "org.backproptracer.backproptracer.lesson"
    assert exported["UTTypeTagSpecification"] == {
        "public.filename-extension": ["bptlesson"],
        "public.mime-type": ["application/x-backprop-tracer-lesson"]}
    assert (document["CFBundleTypeRole"], document["LSHandlerRank"]) == ("Editor", "Owner")


def test_the_package_carries_the_icon_at_every_size_the_ico_holds():
    from deb import icon_pngs

    from engine.resources import resource_path

    pngs = icon_pngs(resource_path("icons", "backprop_tracer.ico"))
    assert sorted(pngs) == [16, 24, 32, 48, 64, 128, 256]
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in pngs.values())


def test_the_windows_installer_uses_the_names_the_other_systems_use():
    """The Inno Setup script cannot be compiled here: its names are checked against
    engine/lesson.py and packaging/desktop.py instead."""
    from desktop import LESSON_TYPE_NAME

    from engine.lesson import LESSON_MIME_TYPE, LESSON_SUFFIX

    script = (ROOT / "packaging" / "windows" / "backprop_tracer.iss").read_text(encoding="utf-8")
    assert f'#define LessonExt "{LESSON_SUFFIX}"' in script
    assert f'#define LessonMimeType "{LESSON_MIME_TYPE}"' in script
    assert f'#define LessonTypeName "{LESSON_TYPE_NAME}"' in script
    assert "PrivilegesRequired=lowest" in script and "ChangesAssociations=yes" in script
    from project import read_project
    assert f'#define AppExeName "{read_project().name}.exe"' in script

"""How each system learns about the app and its lesson file type.

One description of the ``.bptlesson`` type (extension and MIME type from
``engine/lesson.py``), written in each system's terms: the freedesktop
``.desktop`` entry and shared-mime-info XML the Linux package installs, and
the ``Info.plist`` entries of the macOS .app (``backprop_tracer.spec``). The
Windows installer (``packaging/windows/backprop_tracer.iss``) is given the
same names by ``.github/workflows/bundles.yml`` on its command line.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from engine.lesson import LESSON_MIME_TYPE, LESSON_SUFFIX
from project import Project

__all__ = ["LESSON_TYPE_NAME", "mime_icon_name", "desktop_entry", "mime_xml",
           "macos_document_types", "lesson_type_identifier"]

LESSON_TYPE_NAME = "Backprop Tracer lesson"


def mime_icon_name() -> str:
    """The icon-theme name of a lesson file's icon (freedesktop: the MIME type, / as -)."""
    return LESSON_MIME_TYPE.replace("/", "-")


def desktop_entry(project: Project) -> str:
    """The ``.desktop`` file: the applications menu entry, and "open lessons with this".

    ``%f`` hands the launcher one local file, the way ``main.py FILE`` takes it.
    """
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        f"Name={project.title}",
        "GenericName=Backpropagation, step by step",
        f"Comment={project.description}",
        f"Exec={project.name} %f",
        f"TryExec={project.name}",
        f"Icon={project.name}",
        "Terminal=false",
        "Categories=Education;Science;ComputerScience;",
        f"MimeType={LESSON_MIME_TYPE};",
        "Keywords=neural network;backpropagation;gradient descent;machine learning;",
        f"StartupWMClass={project.name}",
        "",
    ])


def mime_xml() -> str:
    """shared-mime-info's description of the lesson type: its glob, a JSON subclass."""
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">',
        f'  <mime-type type="{LESSON_MIME_TYPE}">',
        f"    <comment>{escape(LESSON_TYPE_NAME)}</comment>",
        '    <sub-class-of type="application/json"/>',
        f'    <icon name="{mime_icon_name()}"/>',
        f'    <glob pattern="*{LESSON_SUFFIX}"/>',
        "  </mime-type>",
        "</mime-info>",
        "",
    ])


def lesson_type_identifier(project: Project) -> str:
    """The macOS uniform type identifier of a lesson
    (``org.backproptracer.backproptracer.lesson``)."""
    return f"{project.bundle_identifier}.lesson"


def macos_document_types(project: Project, icon_file: str) -> dict:
    """``Info.plist`` keys that make the Finder open lessons with the app.

    ``UTExportedTypeDeclarations`` declares the type (the app owns it; it is
    JSON, so Quick Look shows its text); ``CFBundleDocumentTypes`` says the
    app edits it and is its owner. ``icon_file`` is the .icns in the app's
    Resources folder.
    """
    identifier = lesson_type_identifier(project)
    return {
        "UTExportedTypeDeclarations": [{
            "UTTypeIdentifier": identifier,
            "UTTypeDescription": LESSON_TYPE_NAME,
            "UTTypeConformsTo": ["public.json", "public.data"],
            "UTTypeIconFile": icon_file,
            "UTTypeTagSpecification": {
                "public.filename-extension": [LESSON_SUFFIX.lstrip(".")],
                "public.mime-type": [LESSON_MIME_TYPE],
            },
        }],
        "CFBundleDocumentTypes": [{
            "CFBundleTypeName": LESSON_TYPE_NAME,
            "CFBundleTypeRole": "Editor",
            "LSHandlerRank": "Owner",
            "LSItemContentTypes": [identifier],
            "CFBundleTypeIconFile": icon_file,
        }],
    }

"""Can the window open here? Checked before Qt is imported.

Without a display, or on X11 without ``libxcb-cursor.so.0`` (which Qt 6.5's
X11 plugin needs and many minimal installs lack), Qt prints a screenful about
its platform plugin and aborts. ``display_problem`` finds those cases first,
so ``main.py`` can say in one line what is missing and how to install it.
Imports no Qt: ``main.py`` asks before it loads PySide6.
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["display_problem", "library_loads", "x_display_opens", "XCB_CURSOR"]

XCB = "libxcb.so.1"
XCB_CURSOR = "libxcb-cursor.so.0"
INSTALL_XCB_CURSOR = ("sudo apt install libxcb-cursor0 (Debian, Ubuntu) or "
                      "sudo dnf install xcb-util-cursor (Fedora)")


def library_loads(soname: str) -> bool:
    """True if the dynamic loader finds ``soname``: in the bundle, or on the system."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [str(Path(bundle) / soname)] if bundle else []
    candidates.append(soname)
    for candidate in candidates:
        try:
            ctypes.CDLL(candidate)
        except OSError:
            continue
        return True
    return False


def x_display_opens(display: str) -> bool | None:
    """Whether the X server ``display`` accepts a connection; None without ``libxcb.so.1``."""
    try:
        xcb = ctypes.CDLL(XCB)
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    # xcb_connect always returns a connection object; a failed one only carries an error
    connection = xcb.xcb_connect(display.encode(), None)
    failed = xcb.xcb_connection_has_error(connection) != 0
    xcb.xcb_disconnect(connection)
    return not failed


def _platforms(environ: Mapping[str, str]) -> list[str]:
    """The plugins Qt will try, from ``QT_QPA_PLATFORM`` (``wayland;xcb``, ``xcb:option``)."""
    return [name.split(":")[0].strip() for name in environ.get("QT_QPA_PLATFORM", "").split(";")
            if name.strip()]


def display_problem(environ: Mapping[str, str] = os.environ, system: str = sys.platform,
                    loads: Callable[[str], bool] = library_loads,
                    opens: Callable[[str], bool | None] = x_display_opens,
                    has_wayland: bool = not getattr(sys, "frozen", False)) -> str | None:
    """One line saying why the window cannot open here, or None when it can try.

    Checked only where Qt will use its X11 plugin: on Linux with
    ``QT_QPA_PLATFORM`` unset or naming ``xcb``. Left unset on a Wayland
    desktop, Qt picks its Wayland plugin, which needs no libxcb-cursor;
    the bundles leave that plugin out (``packaging/trim.py``: they run
    through XWayland), so there ``has_wayland`` is False.
    """
    if not system.startswith("linux"):
        return None
    platforms = _platforms(environ)
    if platforms and "xcb" not in platforms:
        return None  # offscreen, wayland, vnc …: chosen on purpose; Qt says its own problems
    if not platforms and has_wayland and environ.get("WAYLAND_DISPLAY"):
        return None
    if not environ.get("DISPLAY"):
        return ("cannot open the window: there is no display to open it on (DISPLAY is "
                "unset); start Backprop Tracer from a desktop session or over SSH with ssh -X, "
                "or train without a window with the run command (main.py run LESSON)")
    display = environ["DISPLAY"]
    connected = opens(display)
    if connected is None:
        return (f"cannot open the window: Qt's X11 plugin needs {XCB}, which is not installed; "
                "install it with sudo apt install libxcb1 (Debian, Ubuntu) or "
                "sudo dnf install libxcb (Fedora)")
    if not connected:
        return (f"cannot open the window: the X display {display!r} (DISPLAY) does not accept "
                "a connection; start Backprop Tracer from a desktop session, or over SSH "
                "with ssh -X")
    if not loads(XCB_CURSOR):
        return (f"cannot open the window: Qt's X11 plugin needs {XCB_CURSOR}, which is not "
                f"installed; install it with {INSTALL_XCB_CURSOR}")
    return None

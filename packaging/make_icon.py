"""Draw Backprop Tracer's icon and write it in every format the bundles need.

``python packaging/make_icon.py`` paints the icon with QPainter — a small
network, its active neuron yellow and the neurons it came from orange, as
in the window's tables — and writes into ``resources/icons/``:

- ``backprop_tracer.png`` (256 px): the window icon on every system;
- ``backprop_tracer.ico`` (16–256 px): the Windows executable's icon;
- ``backprop_tracer.icns`` (32–1024 px): the macOS application's icon.

The .ico and .icns files hold PNG images (Windows Vista and macOS 10.7 on
read those), so no imaging library beyond Qt is needed. The files are
committed; run this again only to change the drawing.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen  # noqa: E402

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICON_NAME = "backprop_tracer"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types that hold PNG data, and their pixel sizes.
ICNS_TYPES = ((b"ic11", 32), (b"ic12", 64), (b"ic07", 128), (b"ic13", 256),
              (b"ic08", 256), (b"ic14", 512), (b"ic09", 512), (b"ic10", 1024))

BACKGROUND = QColor("#1F3A5F")
EDGE = QColor("#DCE6F2")
NEURON = QColor("#FFFFFF")
ACTIVE = QColor("#FFEB3B")      # the tables' yellow: the cell just computed
PRECEDENT = QColor("#FFB74D")   # the tables' orange: the cells it came from

# Neuron centres on a 0..1 canvas: inputs, hidden layer, output.
LAYERS = (((0.22, 0.28), (0.22, 0.50), (0.22, 0.72)),
          ((0.50, 0.36), (0.50, 0.64)),
          ((0.78, 0.50),))


def draw(size: int) -> QImage:
    """The icon as a ``size`` × ``size`` ARGB image."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size, size)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BACKGROUND)
    painter.drawRoundedRect(QRectF(0.04, 0.04, 0.92, 0.92), 0.2, 0.2)
    for left, right in zip(LAYERS, LAYERS[1:]):
        for a in left:
            for b in right:
                # The output's precedents: the edges into the active neuron are bold.
                bold = b == LAYERS[2][0]
                painter.setPen(QPen(EDGE, 0.035 if bold else 0.018))
                painter.drawLine(QPointF(*a), QPointF(*b))
    radius = 0.075
    for layer_index, layer in enumerate(LAYERS):
        for centre in layer:
            colour = (ACTIVE if layer_index == 2 else PRECEDENT if layer_index == 1 else NEURON)
            painter.setPen(QPen(BACKGROUND, 0.02))
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(*centre), radius, radius)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode the icon as PNG")
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico file: a directory of PNG images (width/height 0 means 256)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, data in sorted(pngs.items()):
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .icns file: 'icns', total length, then (type, length, PNG) elements."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter needs it
    sizes = sorted(set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: png_bytes(draw(size)) for size in sizes}
    del app  # every image is encoded: Qt is no longer needed
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    (ICON_DIR / f"{ICON_NAME}.png").write_bytes(pngs[256])
    (ICON_DIR / f"{ICON_NAME}.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (ICON_DIR / f"{ICON_NAME}.icns").write_bytes(icns_bytes(pngs))
    for suffix in ("png", "ico", "icns"):
        path = ICON_DIR / f"{ICON_NAME}.{suffix}"
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Draws the default theme's logo and share images (standard library only).

    python3 scripts/make-theme-images.py Sources/VestnikWeb/Assets/themes/default/static

logo.png         512 x 512   the publisher logo (JSON-LD Organization, JSON Feed icon)
share-16x9.png  1200 x 675   the picture of a page or article that has none of its own:
share-4x3.png   1200 x 900   Open Graph, Twitter cards, JSON-LD `image` (Google asks for 16:9, 4:3
share-1x1.png   1200 x 1200  and 1:1, each at least 50,000 pixels), feed enclosures

The mark is a white Cyrillic "В" on the theme's accent red (site.css --accent), the share
images the mark on the paper tint under a red rule, as the masthead looks.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

ACCENT = (0xB3, 0x12, 0x1C)
PAPER = (0xF6, 0xF5, 0xF2)
WHITE = (0xFF, 0xFF, 0xFF)
RULE = (0xE2, 0xE2, 0xE2)


def in_bowl(x: float, y: float, top: float, bottom: float, straight_to: float, reach: float) -> bool:
    """A "D": a box from the stem to `straight_to`, closed on the right by a half ellipse `reach` wide."""
    if not (top <= y <= bottom) or x < 0.30:
        return False
    if x <= straight_to:
        return True
    cy, ry = (top + bottom) / 2, (bottom - top) / 2
    dx, dy = (x - straight_to) / reach, (y - cy) / ry
    return dx * dx + dy * dy <= 1.0


def in_letter(x: float, y: float) -> bool:
    """The letter В in the unit square: a stem and two bowls, each a "D" with a "D" cut out of it."""
    if 0.30 <= x <= 0.42 and 0.2 <= y <= 0.8:
        return True
    t = 0.085
    for top, bottom, straight_to, reach in ((0.2, 0.5, 0.50, 0.17), (0.46, 0.8, 0.52, 0.19)):
        outer = in_bowl(x, y, top, bottom, straight_to, reach)
        inner = in_bowl(x, y, top + t, bottom - t, straight_to, reach - t) and x > 0.42
        if outer and not inner:
            return True
    return False


def mark(size: int) -> list[list[tuple[int, int, int]]]:
    """The logo: the letter on red, anti-aliased with 3 x 3 samples per pixel."""
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            hits = sum(
                in_letter((px + (sx + 0.5) / 3) / size, (py + (sy + 0.5) / 3) / size)
                for sx in range(3)
                for sy in range(3)
            )
            t = hits / 9
            row.append(tuple(round(a + (b - a) * t) for a, b in zip(ACCENT, WHITE)))
        rows.append(row)
    return rows


def share(width: int, height: int, logo: list[list[tuple[int, int, int]]]) -> list[list[tuple[int, int, int]]]:
    rows = [[PAPER] * width for _ in range(height)]
    for y in range(height // 40):
        rows[y] = [ACCENT] * width
    size = len(logo)
    top, left = (height - size) // 2, (width - size) // 2
    for y in range(size):
        rows[top + y][left:left + size] = logo[y]
    for y in range(height - height // 12, height - height // 12 + 4):
        rows[y] = [RULE] * width
    return rows


def png(rows: list[list[tuple[int, int, int]]]) -> bytes:
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(c for pixel in row for c in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    (out / "logo.png").write_bytes(png(mark(512)))
    logo = mark(360)
    for name, (w, h) in {"share-16x9.png": (1200, 675), "share-4x3.png": (1200, 900), "share-1x1.png": (1200, 1200)}.items():
        (out / name).write_bytes(png(share(w, h, logo)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draws Huifang's icon — the character 回 (two nested squares) in white on the brand green — and writes it as
Sources/HuifangServer/Resources/Public/favicon.ico (16, 32 and 48 px PNG images) with the standard library only.
Run it again after changing the drawing; the file is checked in."""
import pathlib
import struct
import zlib

GREEN = (0x0F, 0x6B, 0x5C)
WHITE = (0xFF, 0xFF, 0xFF)
SUPERSAMPLE = 8


def coverage(x, y):
    """What is at (x, y) in a 1×1 square: None outside the rounded background, else the colour."""
    radius = 0.18
    cx, cy = min(max(x, radius), 1 - radius), min(max(y, radius), 1 - radius)
    if (x - cx) ** 2 + (y - cy) ** 2 > radius ** 2:
        return None
    def ring(lo, hi, width):
        inside = lo <= x <= hi and lo <= y <= hi
        hole = lo + width < x < hi - width and lo + width < y < hi - width
        return inside and not hole
    return WHITE if ring(0.17, 0.83, 0.11) or ring(0.38, 0.62, 0.09) else GREEN


def pixels(size):
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            r = g = b = a = 0
            for sy in range(SUPERSAMPLE):
                for sx in range(SUPERSAMPLE):
                    colour = coverage((px + (sx + .5) / SUPERSAMPLE) / size, (py + (sy + .5) / SUPERSAMPLE) / size)
                    if colour:
                        r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
            n = SUPERSAMPLE * SUPERSAMPLE
            row += bytes((r // a, g // a, b // a, 255 * a // n) if a else (0, 0, 0, 0))
        rows.append(bytes(row))
    return rows


def png(size):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + row for row in pixels(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ico(sizes):
    images = [png(size) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, image in zip(sizes, images):
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return header + entries + b"".join(images)


if __name__ == "__main__":
    target = pathlib.Path(__file__).resolve().parent.parent / "Sources/HuifangServer/Resources/Public/favicon.ico"
    target.write_bytes(ico([16, 32, 48]))
    print(target, target.stat().st_size, "bytes")

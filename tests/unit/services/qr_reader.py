"""A small QR reader for tests: PNG pixels -> modules -> format info -> unmasked bits -> bytes.

No QR decoder package is installed (zxing-cpp, pyzbar…), so this reads what a phone camera would,
from a clean image: it samples the module grid from the PNG with Qt's QImage, reads the error level
and mask from the format information, removes the mask, walks the data modules in the standard
zigzag, de-interleaves the data blocks and parses the byte-mode segments. It does no error
correction (a generated image has no errors to correct) and reads only what `segno` writes for a
PIX code (byte mode, versions 1-40, regular QR). ISO/IEC 18004 tables (block layout, alignment
positions) come from `segno.consts`; nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from PySide6.QtGui import QImage
from segno import consts

#: format-info error level bits -> letter (ISO/IEC 18004 table 12)
_LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
_MASKS = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)


@dataclass(frozen=True)
class ReadQr:
    data: bytes
    version: int
    level: str
    mask: int
    #: quiet zone in modules and pixels per module, as found in the image
    border: int
    scale: int
    modules: tuple[tuple[bool, ...], ...]


def read_modules(path: Path) -> tuple[tuple[tuple[bool, ...], ...], int, int]:
    """The dark/light module grid of a QR PNG, its quiet zone (modules) and scale (px/module)."""
    image = QImage(str(path))
    assert not image.isNull(), f"not an image: {path}"

    def dark(x: int, y: int) -> bool:
        return image.pixelColor(x, y).lightness() < 128

    width, height = image.width(), image.height()
    # the top-left finder's corner is the first dark pixel on the diagonal
    start = next(i for i in range(min(width, height)) if dark(i, i))
    run = next(i for i in range(start, width) if not dark(i, start)) - start
    scale = run // 7  # a finder's outer ring is 7 modules wide
    right = max(x for x in range(width) if dark(x, start))
    size = (right - start + 1) // scale
    grid = tuple(tuple(dark(start + c * scale + scale // 2, start + r * scale + scale // 2)
                       for c in range(size)) for r in range(size))
    return grid, start // scale, scale


def _function_modules(version: int) -> set[tuple[int, int]]:
    size = 17 + 4 * version
    taken: set[tuple[int, int]] = set()
    for r0, c0 in ((0, 0), (0, size - 8), (size - 8, 0)):  # finders with separators
        taken |= {(r, c) for r in range(r0, r0 + 8) for c in range(c0, c0 + 8)}
    taken |= {(6, i) for i in range(size)} | {(i, 6) for i in range(size)}  # timing
    taken |= {(8, i) for i in range(9)} | {(i, 8) for i in range(9)}  # format, top-left
    taken |= {(8, size - 1 - i) for i in range(8)} | {(size - 1 - i, 8) for i in range(8)}
    if version >= 2:
        centres = consts.ALIGNMENT_POS[version - 2]
        corners = {(centres[0], centres[0]), (centres[0], centres[-1]), (centres[-1], centres[0])}
        for r in centres:
            for c in centres:
                if (r, c) in corners:  # where the finders are
                    continue
                taken |= {(r + dr, c + dc) for dr in range(-2, 3) for dc in range(-2, 3)}
    if version >= 7:  # version information blocks
        taken |= {(r, c) for r in range(6) for c in range(size - 11, size - 8)}
        taken |= {(r, c) for r in range(size - 11, size - 8) for c in range(6)}
    return taken


def read_qr(path: Path) -> ReadQr:
    grid, border, scale = read_modules(path)
    size = len(grid)
    version = (size - 17) // 4
    assert 17 + 4 * version == size and 1 <= version <= 40, f"not a QR size: {size}"
    # format information around the top-left finder, bits 14..0
    cells = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    bits = 0
    for r, c in cells:
        bits = (bits << 1) | grid[r][c]
    bits ^= 0b101010000010010
    level, mask = _LEVELS[bits >> 13], (bits >> 10) & 0b111
    taken = _function_modules(version)
    stream: list[int] = []
    upward = True
    col = size - 1
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(size - 1, -1, -1) if upward else range(size)
        for r in rows:
            for c in (col, col - 1):
                if (r, c) not in taken:
                    stream.append(int(grid[r][c] != _MASKS[mask](r, c)))
        upward = not upward
        col -= 2
    codewords = [int("".join(map(str, stream[i:i + 8])), 2) for i in range(0, len(stream) - 7, 8)]
    blocks: list[int] = []
    table = cast(dict[int, dict[int, tuple[Any, ...]]], consts.ECC)
    for group in table[version][consts.ERROR_MAPPING[level]]:
        blocks += [group.num_data] * group.num_blocks
    data_blocks: list[list[int]] = [[] for _ in blocks]
    at = 0
    for i in range(max(blocks)):
        for b, length in enumerate(blocks):
            if i < length:
                data_blocks[b].append(codewords[at])
                at += 1
    data_bits = "".join(f"{byte:08b}" for block in data_blocks for byte in block)
    return ReadQr(data=_segments(data_bits, version), version=version, level=level, mask=mask,
                  border=border, scale=scale, modules=grid)


def _segments(bits: str, version: int) -> bytes:
    out = bytearray()
    at = 0
    while at + 4 <= len(bits):
        mode = int(bits[at:at + 4], 2)
        at += 4
        if mode == 0:  # terminator
            break
        assert mode == consts.MODE_BYTE, f"only byte mode is read here, got mode {mode}"
        count_bits = 8 if version < 10 else 16
        count = int(bits[at:at + count_bits], 2)
        at += count_bits
        out += bytes(int(bits[at + 8 * i:at + 8 * i + 8], 2) for i in range(count))
        at += 8 * count
    return bytes(out)

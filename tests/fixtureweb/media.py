"""Small valid media files generated from a seed: baseline JPEG, PDF, and an ISO-BMFF (MP4)
box sequence."""

from __future__ import annotations

import struct
from functools import lru_cache

from tests.fixtureweb.text import rng_for

# JPEG Annex K.3 luminance DC table: code counts per length 1..16, symbols 0..11.
_DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
_DC_VALS = list(range(12))
# A one-symbol AC table: only end-of-block (0x00), coded "0" (every block is flat).
_AC_BITS = [1] + [0] * 15
_AC_VALS = [0]


def _huffman_codes(bits: list[int], vals: list[int]) -> dict[int, tuple[int, int]]:
    codes: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)  # byte stuffing
                self.acc, self.n = 0, 0

    def flush(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with one-bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


@lru_cache(maxsize=256)
def jpeg(seed: str, width: int = 96, height: int = 64) -> bytes:
    """A baseline grayscale JFIF image of flat 8x8 blocks in a seeded pattern."""
    rnd = rng_for("jpeg:" + seed)
    cols, rows = (width + 7) // 8, (height + 7) // 8
    base, dx, dy = rnd.randint(40, 200), rnd.randint(-6, 6), rnd.randint(-6, 6)
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALS)
    ac_codes = _huffman_codes(_AC_BITS, _AC_VALS)
    bits = _BitWriter()
    previous = 0
    for r in range(rows):
        for c in range(cols):
            level = max(0, min(255, base + dx * c + dy * r + rnd.randint(-3, 3)))
            dc = level - 128  # DC coefficient 8*(p-128), quantized by 8
            diff, previous = dc - previous, dc
            size = abs(diff).bit_length()
            code, length = dc_codes[size]
            bits.write(code, length)
            if size:
                bits.write(diff if diff > 0 else diff + (1 << size) - 1, size)
            code, length = ac_codes[0x00]
            bits.write(code, length)
    quant = bytes([8] + [1] * 63)
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x01\x00\x48\x00\x48\x00\x00"),
            _segment(0xDB, b"\x00" + quant),
            _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
            _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALS)),
            _segment(0xC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALS)),
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            bits.flush(),
            b"\xff\xd9",
        ]
    )


@lru_cache(maxsize=64)
def pdf(title: str) -> bytes:
    """A one-page PDF 1.4 with a text line, correct cross-reference table and trailer."""
    safe = title.encode("latin-1", "replace").replace(b"\\", b"\\\\")
    safe = safe.replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 18 Tf 72 720 Td (" + safe + b") Tj ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + safe + b") /Producer (sourcekeep fixture web) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload) + 8) + kind + payload


@lru_cache(maxsize=64)
def mp4(seed: str, size: int = 48 * 1024) -> bytes:
    """An ISO-BMFF box sequence (ftyp, free, mdat) with seeded media bytes: structurally valid,
    recognised as MP4 by its signature, not a playable movie."""
    rnd = rng_for("mp4:" + seed)
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    free = _box(b"free", b"")
    mdat = _box(b"mdat", rnd.randbytes(size))
    return ftyp + free + mdat

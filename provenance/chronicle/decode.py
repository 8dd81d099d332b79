"""From bytes to text: size limit, binary detection, and the encoding (UTF-8, BOMs, legacy)."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from provenance.chronicle.errors import ChronicleError

MAX_BYTES = 20 * 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"\xd0\xcf")
# Legacy encodings chronicles of the region come in, most likely first. Letting the detector
# choose among all code pages picks exotic ones (cp1125) for mostly-English text.
LEGACY_ENCODINGS = ["cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5", "cp1252", "latin_1"]
_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|p\b|div)", re.I | re.S
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def check_size(size: int, name: str) -> None:
    if size > MAX_BYTES:
        raise ChronicleError(
            f"{name} is {size / 1024 / 1024:.1f} MB; chronicles over"
            f" {MAX_BYTES // 1024 // 1024} MB are refused"
        )


def looks_like_html(data: bytes) -> bool:
    return bool(_HTML_START.match(data[:4096].lstrip(codecs.BOM_UTF8)))


def _declared_charset(data: bytes, declared: str | None) -> str | None:
    for candidate in (declared, *(m.decode("ascii") for m in _META_CHARSET.findall(data[:4096]))):
        if not candidate:
            continue
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    return None


def decode(data: bytes, name: str, declared: str | None = None) -> str:
    """The text of a document; refuses empty, oversized and binary input with one line."""
    check_size(len(data), name)
    if not data.strip():
        raise ChronicleError(f"{name} is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if data.startswith(_MAGIC) or b"\x00" in data[:8192]:
        raise ChronicleError(f"{name} is a binary file, not a text or HTML chronicle")
    charset = _declared_charset(data, declared)
    for encoding in filter(None, (charset, "utf-8")):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best() or from_bytes(data).best()
    if best is None:
        raise ChronicleError(f"{name} is a binary file, not a text or HTML chronicle")
    return str(best)

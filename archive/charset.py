"""Decoding a fetched body to text, including Cyrillic pages that declare no charset.

Order: byte-order mark, the HTTP ``charset``, the HTML ``<meta>`` charset, strict UTF-8,
then charset-normalizer's detection (which tells windows-1251 from KOI8-R by letter
statistics). A declared charset is used only if the body decodes with it without errors.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Undeclared legacy encodings met on the sites sourcekeep archives (Kazakh and Russian media
# and the Western web). Restricting detection to them keeps charset-normalizer from picking
# look-alikes such as cp1125 or mac-cyrillic for a windows-1251 page.
CANDIDATES = ["cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866", "cp1252", "iso8859_2"]
_META_RX = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_PARAM_RX = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
META_WINDOW = 4096


def declared_http(content_type: str | None) -> str | None:
    match = _PARAM_RX.search(content_type or "")
    return match[1] if match else None


def declared_meta(body: bytes) -> str | None:
    match = _META_RX.search(body[:META_WINDOW])
    return match[1].decode("ascii") if match else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _strict(body: bytes, name: str) -> str:
    """Decode strictly, except that a character cut off at the very end is dropped.

    A body truncated at the size cap may end in the middle of a multi-byte character; that
    must not make a UTF-8 page look like some legacy encoding.
    """
    return codecs.getincrementaldecoder(name)(errors="strict").decode(body, final=False)


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The text of the body and the name of the encoding used."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    for declared in (declared_http(content_type), declared_meta(body)):
        name = _codec(declared)
        if name:
            try:
                return _strict(body, name), name
            except UnicodeDecodeError:
                continue
    try:
        return _strict(body, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body, cp_isolation=CANDIDATES).best()
    if best is not None:
        return str(best), best.encoding
    return body.decode("windows-1252", errors="replace"), "windows-1252"

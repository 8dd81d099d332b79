"""SHA-256 digests in the WARC labelled form ``sha256:<lowercase hex>``.

warcio labels SHA-1 in Base32; for SHA-256 the IIPC community recommendation (warc-
specifications #80, #48) is lowercase Base16, which ``warcio check`` also verifies.
"""

from __future__ import annotations

import hashlib

ALGORITHM = "sha256"
PREFIX = ALGORITHM + ":"


class Sha256Digester:
    """A digester with warcio's interface (``update`` and ``str``) giving Base16 SHA-256."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def update(self, buff: bytes) -> None:
        self._hash.update(buff)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def __str__(self) -> str:
        return PREFIX + self._hash.hexdigest()


def labelled(data: bytes) -> str:
    """``sha256:<hex>`` of the bytes: the form of WARC-Payload-Digest and of the CDXJ index."""
    return PREFIX + hashlib.sha256(data).hexdigest()

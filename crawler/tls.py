"""Whether a TLS peer's certificate chain validates, without ever refusing the connection.

sourcekeep archives whatever a server sends, including over broken TLS; it records instead
whether the chain the peer presented validates against the system trust store (plus an
optional extra bundle, ``SOURCEKEEP_CA_BUNDLE``) and matches the host name. The check runs
once per connection on the chain the peer presented in the handshake.
"""

from __future__ import annotations

import hashlib
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

import certifi
from OpenSSL import SSL, crypto
from service_identity import VerificationError
from service_identity.pyopenssl import verify_hostname, verify_ip_address


@dataclass(frozen=True)
class TlsInfo:
    """What sourcekeep knows about the TLS peer of one connection."""

    cert_sha256: str | None  # SHA-256 of the peer certificate (DER), hex
    valid: bool  # chain validates against the trust store and names the host
    error: str | None = None  # why it did not validate


class TrustStore:
    """The system trust store (or certifi's when the system has none), plus extra CAs."""

    def __init__(self, extra_bundle: str | Path | None = None) -> None:
        self._store = crypto.X509Store()
        paths = ssl.get_default_verify_paths()
        cafile = paths.cafile if paths.cafile and Path(paths.cafile).exists() else None
        capath = paths.capath if paths.capath and Path(paths.capath).is_dir() else None
        if cafile or capath:
            self._store.load_locations(cafile, capath)
        else:
            self._store.load_locations(certifi.where())
        if extra_bundle:
            self._store.load_locations(str(extra_bundle))

    def assess(self, connection: SSL.Connection, hostname: str) -> TlsInfo:
        """Validate the chain the peer presented on ``connection`` for ``hostname``."""
        chain = connection.get_peer_cert_chain() or []
        leaf = connection.get_peer_certificate()
        if leaf is None:
            return TlsInfo(cert_sha256=None, valid=False, error="no peer certificate")
        der = crypto.dump_certificate(crypto.FILETYPE_ASN1, leaf)
        fingerprint = hashlib.sha256(der).hexdigest()
        try:
            crypto.X509StoreContext(self._store, leaf, chain[1:]).verify_certificate()
        except crypto.X509StoreContextError as exc:
            return TlsInfo(fingerprint, False, f"chain: {exc}")
        try:
            if _is_ip(hostname):
                verify_ip_address(connection, hostname)
            else:
                verify_hostname(connection, hostname)
        except VerificationError as exc:
            return TlsInfo(fingerprint, False, f"hostname: {exc}")
        return TlsInfo(fingerprint, True)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def ssl_connection_of(transport: object) -> SSL.Connection | None:
    """The OpenSSL connection under a Twisted transport (direct TLS or a CONNECT tunnel)."""
    for candidate in (transport, getattr(transport, "protocol", None)):
        get_handle = getattr(candidate, "getHandle", None)
        if get_handle is None:
            continue
        handle = get_handle()
        if isinstance(handle, SSL.Connection):
            return handle
    return None

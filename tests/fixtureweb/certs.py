"""A local certificate authority that mints a server certificate for any hostname.

One RSA key is generated for the CA and one ECDSA P-256 key for all leaf certificates (cheap
handshakes); leaf certificates and their ``ssl.SSLContext`` are cached per hostname. The CA
certificate is written as PEM so clients can choose to trust it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import ssl
import threading
import weakref
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "sourcekeep fixture web CA"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sourcekeep fixture web"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """Signatures for every certificate; certificate and CRL signing for the CA only."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


class CertificateAuthority:
    """The CA of one fixture web; ``context_for(host)`` gives a server-side TLS context."""

    def __init__(self, directory: Path, expired_hosts: frozenset[str] = frozenset()) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.expired_hosts = expired_hosts
        now = dt.datetime.now(dt.UTC)
        self._ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._leaf_key = ec.generate_private_key(ec.SECP256R1())
        ca_ski = x509.SubjectKeyIdentifier.from_public_key(self._ca_key.public_key())
        self._ca_cert = (
            x509.CertificateBuilder()
            .subject_name(_name(CA_NAME))
            .issuer_name(_name(CA_NAME))
            .public_key(self._ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(ca=True), critical=True)
            .add_extension(ca_ski, critical=False)
            .sign(self._ca_key, hashes.SHA256())
        )
        self.ca_path = self.directory / "ca.pem"
        self.ca_path.write_bytes(self._ca_cert.public_bytes(serialization.Encoding.PEM))
        self._key_path = self.directory / "leaf-key.pem"
        self._key_path.write_bytes(_pem_key(self._leaf_key))
        self._key_path.chmod(0o600)
        self._lock = threading.Lock()
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._der: dict[str, bytes] = {}
        self._sni: weakref.WeakKeyDictionary[ssl.SSLObject, str] = weakref.WeakKeyDictionary()

    @property
    def ca_pem(self) -> bytes:
        return self._ca_cert.public_bytes(serialization.Encoding.PEM)

    def _mint(self, host: str) -> x509.Certificate:
        now = dt.datetime.now(dt.UTC)
        if host in self.expired_hosts:
            not_before, not_after = now - dt.timedelta(days=400), now - dt.timedelta(days=30)
        else:
            not_before, not_after = now - dt.timedelta(days=1), now + dt.timedelta(days=365)
        try:
            san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            san = x509.DNSName(host)
        ca_ski = self._ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        return (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(self._ca_cert.subject)
            .public_key(self._leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([san]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(_key_usage(ca=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski.value),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._leaf_key.public_key()),
                critical=False,
            )
            .sign(self._ca_key, hashes.SHA256())
        )

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server context presenting a certificate for ``host``; it follows the client's SNI."""
        host = host.lower()
        with self._lock:
            ctx = self._contexts.get(host)
            if ctx is not None:
                return ctx
            cert = self._mint(host)
            safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in host)
            chain = self.directory / f"{safe}.pem"
            chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + self.ca_pem)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(chain, self._key_path)
            ctx.set_alpn_protocols(["http/1.1"])
            ctx.sni_callback = self._on_sni
            self._contexts[host] = ctx
            self._der[host] = cert.public_bytes(serialization.Encoding.DER)
            return ctx

    def _on_sni(
        self, sslobj: ssl.SSLObject, server_name: str | None, current: ssl.SSLContext
    ) -> None:
        if server_name:
            self._sni[sslobj] = server_name
            sslobj.context = self.context_for(server_name)

    def sni_of(self, sslobj: ssl.SSLObject | None) -> str | None:
        """The server name the client sent in its TLS hello on this connection, if any."""
        return self._sni.get(sslobj) if sslobj is not None else None

    def fingerprint(self, host: str) -> str:
        """SHA-256 (hex) of the DER certificate served for ``host`` (minting it if needed)."""
        self.context_for(host)
        return hashlib.sha256(self._der[host.lower()]).hexdigest()

"""The demo certificate of the certificate-registered OAuth client (RFC 7523 private_key_jwt).

Created on first start in the state directory with ``cryptography``; the sandbox registers its public key
and SHA-1 thumbprint (``x5t``) for ``demo.ACME_CERT_OAUTH_CLIENT_ID``. Demo-only: never trust it elsewhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import NameOID

from mypref_harness.sandbox.statefiles import locked_state_dir, write_private

CERT_FILE = "demo-oauth-client-cert.pem"
KEY_FILE = "demo-oauth-client-key.pem"


@dataclass(frozen=True)
class DemoCertificate:
    cert_path: Path
    key_path: Path
    x5t: str  # base64url(SHA-1(DER)), unpadded: the JWS header that names the certificate
    x5t_s256: str  # base64url(SHA-256(DER)), unpadded
    public_key: PublicKeyTypes


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprints(cert: x509.Certificate) -> tuple[str, str]:
    der = cert.public_bytes(serialization.Encoding.DER)
    return b64url(hashlib.sha1(der).digest()), b64url(hashlib.sha256(der).digest())  # noqa: S324


def _create(cert_path: Path, key_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "mypref-harness demo OAuth client (demo only)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ACME_CORP demo tenant"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_private(key_path, key_pem)
    write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def load_certificate(cert_path: Path, key_path: Path) -> DemoCertificate:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    x5t, x5t_s256 = thumbprints(cert)
    return DemoCertificate(cert_path, key_path, x5t, x5t_s256, cert.public_key())


def ensure_demo_certificate(state_dir: Path) -> tuple[DemoCertificate, bool]:
    """Load the demo certificate, creating it first if needed. Returns (certificate, created_now)."""
    cert_path, key_path = state_dir / CERT_FILE, state_dir / KEY_FILE
    created = False
    if not (cert_path.exists() and key_path.exists()):
        with locked_state_dir(state_dir):
            if not (cert_path.exists() and key_path.exists()):
                _create(cert_path, key_path)
                created = True
    return load_certificate(cert_path, key_path), created

"""RFC 7523 client assertions (``private_key_jwt``): the certificate alternative to a client secret.

The vendor lets a registered client authenticate to the token endpoint with a certificate instead
of its secret. On the wire that is ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:
jwt-bearer`` and ``client_assertion=<JWT signed by the private key>``; the JWT header carries ``x5t``
(base64url SHA-1 thumbprint of the DER certificate, RFC 7515 §4.1.7) so the server can pick the key.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mypref_harness.errors import ConfigError

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEFAULT_LIFETIME = 60.0  # seconds; an assertion is single-use, short is safer


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def x5t_thumbprint(cert: x509.Certificate) -> str:
    """``x5t``: base64url(SHA-1(DER certificate)) without padding."""
    der = cert.public_bytes(serialization.Encoding.DER)
    return _b64url(hashlib.sha1(der, usedforsecurity=False).digest())


def x5t_s256_thumbprint(cert: x509.Certificate) -> str:
    """``x5t#S256``: base64url(SHA-256(DER certificate)) without padding."""
    der = cert.public_bytes(serialization.Encoding.DER)
    return _b64url(hashlib.sha256(der).digest())


def load_certificate(path: Path) -> x509.Certificate:
    data = _read(path, "certificate")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise ConfigError(f"{path}: not a PEM or DER X.509 certificate") from None


PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def load_private_key(path: Path, password: bytes | None = None) -> PrivateKey:
    data = _read(path, "private key")
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password=password)
        else:
            key = serialization.load_der_private_key(data, password=password)
    except TypeError:
        raise ConfigError(f"{path}: the private key is encrypted; decrypt it or give its password") from None
    except ValueError:
        raise ConfigError(f"{path}: not a readable PEM/DER private key (or wrong password)") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{path}: only RSA and EC private keys are supported")
    return key


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None


def _spki(public_key: Any) -> bytes:
    return bytes(public_key.public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo))


def _algorithm_for(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    return {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}.get(key.curve.name, "ES256")


class ClientAssertionSigner:
    """Callable that returns a fresh signed client assertion JWT on every call.

    ``audience`` is the token endpoint URL (RFC 7523 §3: the authorization server's identifier).
    ``clock_offset`` (seconds, usually negative, see auth.clock.safe_signing_offset) shifts ``iat``
    so a local clock running ahead of the server does not produce "issued in the future".
    """

    def __init__(
        self,
        client_id: str,
        audience: str,
        *,
        cert_path: Path,
        key_path: Path,
        key_password: bytes | None = None,
        lifetime: float = DEFAULT_LIFETIME,
        clock: Callable[[], float] = time.time,
        clock_offset: float = 0.0,
    ) -> None:
        self.client_id = client_id
        self.audience = audience
        self.certificate = load_certificate(Path(cert_path))
        self._key = load_private_key(Path(key_path), key_password)
        if _spki(self._key.public_key()) != _spki(self.certificate.public_key()):
            raise ConfigError(f"{key_path} does not belong to the certificate {cert_path}")
        self.algorithm = _algorithm_for(self._key)
        self.x5t = x5t_thumbprint(self.certificate)
        self.lifetime = lifetime
        self.clock = clock
        self.clock_offset = clock_offset

    def __repr__(self) -> str:
        return f"ClientAssertionSigner(client_id={self.client_id!r}, x5t={self.x5t!r}, alg={self.algorithm})"

    def claims(self) -> dict[str, Any]:
        now = int(self.clock() + self.clock_offset)
        return {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + int(self.lifetime),
            "jti": uuid.uuid4().hex,  # single use: servers may reject a replayed jti
        }

    def __call__(self) -> str:
        headers = {"x5t": self.x5t, "typ": "JWT"}
        return jwt.encode(self.claims(), self._key, algorithm=self.algorithm, headers=headers)

    def form_fields(self) -> dict[str, str]:
        """The token-request fields that replace ``client_secret``."""
        return {"client_assertion_type": CLIENT_ASSERTION_TYPE, "client_assertion": self()}

"""auth.assertion: the RFC 7523 client assertion (a JWT signed with the client's key, x5t of its cert)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from mypref_harness.auth.assertion import CLIENT_ASSERTION_TYPE, ClientAssertionSigner
from mypref_harness.errors import ConfigError


def make_pair(tmp_path, kind="ec", name="client"):
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path = tmp_path / f"{name}-cert.pem"
    key_path = tmp_path / f"{name}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path, cert


def pem_sha1_b64url(cert_path) -> str:
    """x5t computed without the cryptography library: base64url(SHA-1(DER from the PEM body))."""
    body = re.search(
        r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", cert_path.read_text(), re.S
    )
    der = base64.b64decode("".join(body.group(1).split()))
    digest = hashlib.sha1(der).digest()  # noqa: S324 - x5t is SHA-1 by definition (RFC 7515)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.mark.parametrize(("kind", "alg"), [("ec", "ES256"), ("rsa", "RS256")])
def test_assertion_is_a_verifiable_rfc7523_jwt_with_x5t(tmp_path, kind, alg):
    cert_path, key_path, cert = make_pair(tmp_path, kind)
    signer = ClientAssertionSigner(
        "oauth-client-48",
        "http://127.0.0.1:1/oauth2/v1/token",
        cert_path=cert_path,
        key_path=key_path,
        clock=lambda: 1_700_000_000.0,
    )
    token = signer()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == alg
    assert header["x5t"] == pem_sha1_b64url(cert_path)
    claims = jwt.decode(
        token,
        cert.public_key(),
        algorithms=[alg],
        audience="http://127.0.0.1:1/oauth2/v1/token",
        issuer="oauth-client-48",
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["sub"] == "oauth-client-48"
    assert claims["iat"] == 1_700_000_000
    assert claims["exp"] - claims["iat"] == 60
    assert signer() != token  # fresh jti every call
    assert signer.form_fields()["client_assertion_type"] == CLIENT_ASSERTION_TYPE


def test_assertion_clock_offset_moves_iat_back(tmp_path):
    cert_path, key_path, _cert = make_pair(tmp_path)
    signer = ClientAssertionSigner(
        "c", "aud", cert_path=cert_path, key_path=key_path, clock=lambda: 1000.0, clock_offset=-30
    )
    assert signer.claims()["iat"] == 970


def test_mismatched_key_and_certificate_is_a_config_error(tmp_path):
    cert_path, _key, _cert = make_pair(tmp_path, name="a")
    _cert2, other_key, _ = make_pair(tmp_path, name="b")
    with pytest.raises(ConfigError, match="does not belong"):
        ClientAssertionSigner("c", "aud", cert_path=cert_path, key_path=other_key)


def test_unreadable_inputs_are_config_errors(tmp_path):
    cert_path, key_path, _ = make_pair(tmp_path)
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN nothing-----\n")
    with pytest.raises(ConfigError, match="not a PEM or DER"):
        ClientAssertionSigner("c", "aud", cert_path=junk, key_path=key_path)
    with pytest.raises(ConfigError, match="private key"):
        ClientAssertionSigner("c", "aud", cert_path=cert_path, key_path=junk)
    with pytest.raises(ConfigError, match="cannot read"):
        ClientAssertionSigner("c", "aud", cert_path=tmp_path / "missing.pem", key_path=key_path)

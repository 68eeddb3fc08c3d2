"""auth.clock (Date header skew, signing offset) and auth.assertion (RFC 7523 client assertion)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import time

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from mypref_harness.auth.assertion import CLIENT_ASSERTION_TYPE, ClientAssertionSigner
from mypref_harness.auth.clock import (
    measure_skew,
    parse_http_date,
    safe_signing_offset,
    skew_from_headers,
    skew_seconds,
)
from mypref_harness.errors import ConfigError

# ------------------------------------------------------------------ clock


@pytest.mark.parametrize(
    "text",
    [
        "Fri, 14 Aug 2015 21:22:27 GMT",  # IMF-fixdate (the vendor's own 401 example)
        "Friday, 14-Aug-15 21:22:27 GMT",  # obsolete RFC 850
        "Fri Aug 14 21:22:27 2015",  # obsolete asctime
    ],
)
def test_parse_http_date_forms(text):
    assert parse_http_date(text) == dt.datetime(2015, 8, 14, 21, 22, 27, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2015-08-14T21:22:27Z", "Fri, 99 Aug 2015 21:22:27 GMT"])
def test_parse_http_date_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_http_date(text)


def test_skew_is_positive_when_local_clock_runs_ahead():
    server = "Fri, 14 Aug 2015 21:22:27 GMT"
    local = dt.datetime(2015, 8, 14, 21, 24, 27, 500000, tzinfo=dt.UTC)
    assert skew_seconds(local, server) == pytest.approx(120.5)
    assert skew_seconds(local.timestamp() - 300, server) == pytest.approx(-179.5)
    with pytest.raises(ValueError, match="naive"):
        skew_seconds(dt.datetime(2015, 8, 14), server)


def test_safe_offset_puts_the_signing_time_just_behind_server_time():
    server = dt.datetime(2015, 8, 14, 21, 22, 27, tzinfo=dt.UTC).timestamp()
    for local in (server + 120.9, server - 600.2, server + 0.4):
        skew = skew_seconds(local, "Fri, 14 Aug 2015 21:22:27 GMT")
        signing_time = local + safe_signing_offset(skew)
        assert signing_time == pytest.approx(server - 1.0)  # never in the server's future, never stale
    assert safe_signing_offset(0.0, margin=2.0) == -2.0
    with pytest.raises(ValueError):
        safe_signing_offset(0.0, margin=-1)


def test_measure_skew_reads_the_date_of_any_response():
    import httpx

    def handler(request):
        return httpx.Response(404, headers={"Date": "Fri, 14 Aug 2015 21:22:27 GMT"})

    skew = measure_skew("http://127.0.0.1:1/", transport=httpx.MockTransport(handler))
    expected = time.time() - dt.datetime(2015, 8, 14, 21, 22, 27, tzinfo=dt.UTC).timestamp()
    assert skew == pytest.approx(expected, abs=2)
    no_date = httpx.MockTransport(lambda request: httpx.Response(200))
    assert measure_skew("http://127.0.0.1:1/", transport=no_date) is None


def test_skew_from_headers():
    headers = {"Content-Type": "application/json", "date": "Fri, 14 Aug 2015 21:22:27 GMT"}
    local = dt.datetime(2015, 8, 14, 21, 22, 37, tzinfo=dt.UTC).timestamp()
    assert skew_from_headers(headers, local) == pytest.approx(10)
    assert skew_from_headers({}, local) is None
    assert skew_from_headers({"Date": "garbage"}, local) is None


# ------------------------------------------------------------------ assertion


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

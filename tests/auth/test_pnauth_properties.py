"""Hypothesis properties of the PNAUTHINFO3 signer, parser and verifier."""

from __future__ import annotations

import base64
import hmac
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mypref_harness.auth.pnauth import (
    SCHEMES,
    PnAuthError,
    Reason,
    Scheme,
    UserIdEncoding,
    compute_signature,
    encode_user_id,
    format_header,
    parse_header,
    sign_header,
)
from mypref_harness.auth.verifier import ClientRecord, Verifier, decode_user_id, static_lookup

NEW_YORK = ZoneInfo("America/New_York")
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

keys = st.text(min_size=1, max_size=40)
client_ids = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=20)
user_ids = st.text(min_size=1, max_size=30)  # any Unicode (Hypothesis leaves out lone surrogates)
schemes = st.sampled_from(SCHEMES)
encodings = st.sampled_from(list(UserIdEncoding))
# Instants between 2001 and 2037, with microseconds.
instants_us = st.integers(min_value=978_307_200_000_000, max_value=2_114_380_800_000_000)
forms = st.sampled_from(["Z", "+00:00", "eastern-offset", "naive", "fraction-Z"])


def render(instant_us: int, form: str) -> str:
    """Issued-timestamp text for an instant, in one of the accepted forms (seconds are truncated
    except for the fractional form)."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=instant_us)
    if form == "fraction-Z":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    moment = moment.replace(microsecond=0)
    if form == "Z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == "+00:00":
        return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    local = moment.astimezone(NEW_YORK)
    if form == "naive":
        return local.strftime("%Y-%m-%dT%H:%M:%S")
    offset = "-04:00" if local.utcoffset() == timedelta(hours=-4) else "-05:00"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + offset


def issued_us(instant_us: int, form: str) -> int:
    return instant_us if form == "fraction-Z" else instant_us - instant_us % 1_000_000


def in_repeated_hour(instant_us: int) -> bool:
    """Naive Eastern text of this instant is ambiguous and read as the FIRST occurrence."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=instant_us)
    local = moment.astimezone(NEW_YORK)
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset() and local.fold == 1


def verifier_for(record: ClientRecord, now_us: int, case_insensitive: bool = False) -> Verifier:
    return Verifier(static_lookup(record, case_insensitive=case_insensitive), clock=lambda: now_us / 1e6)


@PROPS
@given(keys, client_ids, user_ids, schemes, encodings, instants_us, forms, st.data())
def test_verify_accepts_what_sign_produces_inside_the_window(
    key, client, user, scheme, enc, instant, form, data
):
    assume(not (form == "naive" and in_repeated_hour(instant)))
    window = data.draw(st.integers(min_value=1, max_value=86_400), label="window")
    age_us = data.draw(st.integers(min_value=0, max_value=window * 1_000_000), label="age_us")
    stamp = render(instant, form)
    header = sign_header(
        key=key, client_id=client, user_id=user, scheme=scheme, timestamp=stamp, encoding=enc
    )
    record = ClientRecord(client, key, frozenset({user}), expiration_seconds=window)
    verified = verifier_for(record, issued_us(instant, form) + age_us).verify(client, header)
    assert verified.user_id == user


FIELDS = ["client_id_case", "user_id", "timestamp", "key", "algorithm", "keyedness"]


@PROPS
@given(keys, client_ids, user_ids, schemes, encodings, instants_us, st.sampled_from(FIELDS), st.data())
def test_changing_one_signed_field_fails_as_unauthenticated(
    key, client, user, scheme, enc, instant, field, data
):
    stamp = render(instant, "Z")
    now_us = issued_us(instant, "Z") + 60_000_000
    users = {user}
    request_client = client
    header = sign_header(
        key=key, client_id=client, user_id=user, scheme=scheme, timestamp=stamp, encoding=enc
    )
    parsed = parse_header(header)
    if field == "client_id_case":
        request_client = client.swapcase()
        assume(request_client != client and request_client.lower() == client.lower())
    elif field == "user_id":
        other = data.draw(user_ids.filter(lambda u: u != user), label="other user")
        users.add(other)  # a known user, so only the signature can reject it
        header = format_header(scheme, encode_user_id(other, enc), stamp, parsed.signature)
    elif field == "timestamp":
        shift = data.draw(st.integers(min_value=-60, max_value=60).filter(bool), label="shift")
        header = format_header(
            scheme, parsed.credential_user_id, render(instant + shift * 1_000_000, "Z"), parsed.signature
        )
    elif field == "key":
        other_key = data.draw(keys.filter(lambda k: k != key), label="other key")
        header = sign_header(
            key=other_key, client_id=client, user_id=user, scheme=scheme, timestamp=stamp, encoding=enc
        )
    elif field == "algorithm":
        other = data.draw(st.sampled_from([s for s in SCHEMES if s.keyed == scheme.keyed and s != scheme]))
        header = format_header(other, parsed.credential_user_id, stamp, parsed.signature)
    else:
        header = format_header(
            Scheme(not scheme.keyed, scheme.hash_name), parsed.credential_user_id, stamp, parsed.signature
        )
    record = ClientRecord(client, key, frozenset(users))
    with pytest.raises(PnAuthError) as info:
        verifier_for(record, now_us, case_insensitive=True).verify(request_client, header)
    assert info.value.reason is Reason.UNAUTHENTICATED
    assert info.value.message == "Unable to authenticate request."


@PROPS
@given(user_ids, encodings, schemes, instants_us, st.binary(min_size=1, max_size=64))
def test_header_format_parse_round_trip_for_any_user_id(user, enc, scheme, instant, digest):
    encoded = encode_user_id(user, enc)
    stamp = render(instant, "fraction-Z")
    signature = base64.b64encode(digest).decode()
    parsed = parse_header(format_header(scheme, encoded, stamp, signature))
    assert (parsed.scheme, parsed.credential_user_id, parsed.timestamp, parsed.signature) == (
        scheme,
        encoded,
        stamp,
        signature,
    )
    assert decode_user_id(parsed.credential_user_id, enc) == user


HEADER_PIECES = st.sampled_from(
    [
        "PNAUTHINFO3-HMAC-SHA256",
        "pnauthinfo3-sha512",
        "PNAUTHINFO100-SHA256",
        " ",
        "  ",
        ",",
        "=",
        "/",
        "Credential=",
        "Signature=",
        "credential=",
        "RickSanchez",
        "2015-08-10T20:11:00",
        "Lbhe+fKoQPZh==",
        "%",
        "\t",
        "\n",
        "é",
        "\x00",
        "ı",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(), st.lists(st.one_of(HEADER_PIECES, st.text(max_size=5))).map("".join)))
def test_parser_raises_only_its_typed_error(text):
    try:
        parsed = parse_header(text)
    except PnAuthError as exc:
        assert isinstance(exc.reason, Reason)
        assert exc.message == exc.reason.message
    else:
        assert parsed.signature and parsed.credential_user_id and parsed.timestamp


@PROPS
@given(
    instants_us,
    st.integers(min_value=0, max_value=7_200),
    st.integers(min_value=-20_000_000_000, max_value=20_000_000_000),
    keys,
)
def test_accepted_iff_age_between_zero_and_window(instant, window, delta_us, key):
    stamp = render(instant, "fraction-Z")
    header = sign_header(key=key, client_id="C", user_id="U", timestamp=stamp)
    record = ClientRecord("C", key, frozenset({"U"}), expiration_seconds=window)
    verifier = verifier_for(record, instant + delta_us)
    if 0 <= delta_us <= window * 1_000_000:
        assert verifier.verify("C", header).user_id == "U"
    else:
        with pytest.raises(PnAuthError) as info:
            verifier.verify("C", header)
        assert info.value.reason is (Reason.INVALID_TIMESTAMP if delta_us < 0 else Reason.EXPIRED)


CRYPTO_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


@PROPS
@given(st.binary(max_size=200), st.binary(max_size=300), st.sampled_from(sorted(CRYPTO_HASHES)))
def test_stdlib_hmac_agrees_with_cryptography(key, message, name):
    mac = crypto_hmac.HMAC(key, CRYPTO_HASHES[name]())
    mac.update(message)
    assert hmac.digest(key, message, name) == mac.finalize()


@PROPS
@given(keys, st.text(max_size=200), st.sampled_from([s for s in SCHEMES if s.keyed]))
def test_compute_signature_agrees_with_cryptography(key, message, scheme):
    mac = crypto_hmac.HMAC(key.encode(), CRYPTO_HASHES[scheme.hash_name.lower()]())
    mac.update(message.encode())
    assert compute_signature(scheme, key, message) == base64.b64encode(mac.finalize()).decode()


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.text(), st.lists(st.one_of(HEADER_PIECES, st.text(max_size=5))).map("".join)),
    st.sampled_from(["C", "c", "C\udcff"]),
)
def test_verifier_raises_only_typed_errors_on_arbitrary_headers(text, client):
    records = [ClientRecord(c, "key", frozenset({"RickSanchez", "U"})) for c in ("C", "C\udcff")]
    verifier = Verifier(static_lookup(*records, case_insensitive=True), clock=lambda: 1_439_251_900.0)
    try:
        verifier.verify(client, text)
    except PnAuthError as exc:
        assert exc.message == exc.reason.message
    else:
        raise AssertionError(f"accepted an unsigned header {text!r}")

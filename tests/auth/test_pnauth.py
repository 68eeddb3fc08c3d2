"""Hand-checked cases of the signer, the header parser and the verifier.

Expected values are literals from the vendor's documentation or computed by the openssl CLI
(the command is in each comment), never by the code under test.
"""

from __future__ import annotations

import pytest

from mypref_harness.auth.pnauth import (
    PnAuthError,
    Reason,
    Scheme,
    Signer,
    UserIdEncoding,
    build_message,
    compute_signature,
    encode_user_id,
    parse_header,
    parse_scheme,
    sign_header,
)
from mypref_harness.auth.timestamps import parse_issued
from mypref_harness.auth.verifier import ClientRecord, UnknownClient, Verifier, static_lookup

KEY = "SeemslikearareopportunityMorty!"
DOC_HEADER = (
    "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 "
    "Signature=Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="
)
# 2015-08-10T20:11:00 EDT = 2015-08-11T00:11:00Z = 1439251860 (date -u -d '2015-08-10 20:11:00 -0400' +%s)
DOC_ISSUED_EPOCH = 1439251860


def make_verifier(now: float, **record_kw) -> Verifier:
    record = ClientRecord("SanchezAssociates", KEY, frozenset({"RickSanchez", "Rick Sanchez"}), **record_kw)
    return Verifier(static_lookup(record, case_insensitive=True), clock=lambda: now)


def test_documented_example_signs_to_the_documented_header():
    assert (
        sign_header(
            key=KEY, client_id="SanchezAssociates", user_id="RickSanchez", timestamp="2015-08-10T20:11:00"
        )
        == DOC_HEADER
    )


def test_documented_example_message_and_signature():
    msg = build_message(
        "pnauthinfo3-hmac-sha256", KEY, "SanchezAssociates", "RickSanchez", "2015-08-10T20:11:00"
    )
    assert msg == "SanchezAssociates:RickSanchez:2015-08-10T20:11:00"
    assert (
        compute_signature("PNAUTHINFO3-HMAC-SHA256", KEY, msg)
        == "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="
    )


def test_unkeyed_sha256():
    # printf '%s' 'k:C:U:T:k' | openssl dgst -sha256 -binary | openssl base64 -A
    assert build_message("PNAUTHINFO3-SHA256", "k", "C", "U", "T") == "k:C:U:T:k"
    assert (
        compute_signature("PNAUTHINFO3-SHA256", "k", "k:C:U:T:k")
        == "Ze0vrUq3zdONIXqQqiAyomsAidiUKcPLu2JvC0sZ0wg="
    )


@pytest.mark.parametrize(
    "text",
    [
        "PNAUTHINFO100-SHA256",
        "PNAUTHINFO3-HMAC-SHA1",
        "PNAUTHINFO3-SHA1",
        "",
        "PNAUTHINFO3",
        "PNAUTHINFO3-HMAC-",
        "pnauthınfo3-sha256",
    ],
)
def test_unknown_schemes_are_invalid_scheme(text):
    with pytest.raises(PnAuthError) as info:
        parse_scheme(text)
    assert info.value.reason is Reason.INVALID_SCHEME
    assert info.value.message == (
        "Invalid Authorization Header: The scheme is invalid. The scheme should contain either "
        "PNAUTHINFO3- or PNAUTHINFO3-HMAC-. For example: PNAUTHINFO3-HMAC-SHA265."
    )


def test_scheme_names_are_case_insensitive():
    assert parse_scheme("pnAuthInfo3-hmac-sha512") == Scheme(True, "SHA512")
    assert parse_scheme("PNAUTHINFO3-sha384").name == "PNAUTHINFO3-SHA384"


@pytest.mark.parametrize(
    ("uid", "enc", "expected"),
    [
        ("Rick Sanchez", UserIdEncoding.FORM, "Rick+Sanchez"),
        ("Rick Sanchez", UserIdEncoding.PERCENT, "Rick%20Sanchez"),
        ("a+b=c/d@e", UserIdEncoding.FORM, "a%2Bb%3Dc%2Fd%40e"),
        ("José", UserIdEncoding.PERCENT, "Jos%C3%A9"),
        ("John.Doe_1-x~", UserIdEncoding.FORM, "John.Doe_1-x~"),
    ],
)
def test_user_id_encoding(uid, enc, expected):
    assert encode_user_id(uid, enc) == expected


def test_parse_header_parts():
    parsed = parse_header(DOC_HEADER)
    assert parsed.scheme == Scheme(True, "SHA256")
    assert (parsed.credential_user_id, parsed.timestamp) == ("RickSanchez", "2015-08-10T20:11:00")
    assert parsed.signature == "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, Reason.MISSING_HEADER),
        ("   ", Reason.MISSING_HEADER),
        ("PNAUTHINFO3-HMAC-SHA256", Reason.UNAUTHENTICATED),
        ("PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00", Reason.UNAUTHENTICATED),
        (
            "PNAUTHINFO3-HMAC-SHA256 Signature=Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0=",
            Reason.UNAUTHENTICATED,
        ),
        (
            "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 Signature=***",
            Reason.UNAUTHENTICATED,
        ),
        ("PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez Signature=AAAA", Reason.UNAUTHENTICATED),
        ("Bearer abc", Reason.INVALID_SCHEME),
    ],
)
def test_parse_header_errors(value, reason):
    with pytest.raises(PnAuthError) as info:
        parse_header(value)
    assert info.value.reason is reason


def test_verifier_accepts_documented_header_until_the_window_edge():
    assert (
        make_verifier(DOC_ISSUED_EPOCH + 900).verify("SanchezAssociates", DOC_HEADER).user_id == "RickSanchez"
    )
    with pytest.raises(PnAuthError) as info:
        make_verifier(DOC_ISSUED_EPOCH + 901).verify("SanchezAssociates", DOC_HEADER)
    assert info.value.reason is Reason.EXPIRED
    with pytest.raises(PnAuthError) as info:
        make_verifier(DOC_ISSUED_EPOCH - 1).verify("SanchezAssociates", DOC_HEADER)
    assert info.value.reason is Reason.INVALID_TIMESTAMP
    assert make_verifier(DOC_ISSUED_EPOCH - 1, future_tolerance_seconds=1).verify(
        "SanchezAssociates", DOC_HEADER
    )


def test_verifier_rejects_client_id_in_another_case_with_401():
    with pytest.raises(PnAuthError) as info:
        make_verifier(DOC_ISSUED_EPOCH + 1).verify("SANCHEZASSOCIATES", DOC_HEADER)
    assert info.value.reason is Reason.UNAUTHENTICATED


def test_verifier_unknown_client_and_user():
    verifier = make_verifier(DOC_ISSUED_EPOCH + 1)
    with pytest.raises(UnknownClient):
        verifier.verify("Nobody", DOC_HEADER)
    header = sign_header(
        key=KEY, client_id="SanchezAssociates", user_id="Morty", timestamp="2015-08-10T20:11:00"
    )
    with pytest.raises(PnAuthError) as info:
        verifier.verify("SanchezAssociates", header)
    assert info.value.reason is Reason.UNAUTHENTICATED


@pytest.mark.parametrize("enc", list(UserIdEncoding))
def test_verifier_accepts_both_encodings(enc):
    header = sign_header(
        key=KEY,
        client_id="SanchezAssociates",
        user_id="Rick Sanchez",
        timestamp="2015-08-11T00:11:00Z",
        encoding=enc,
    )
    assert make_verifier(DOC_ISSUED_EPOCH).verify("SanchezAssociates", header).user_id == "Rick Sanchez"


def test_signer_class_matches_sign_header():
    signer = Signer(key=KEY, client_id="SanchezAssociates", clock=lambda: 1439251860.7)
    expected = sign_header(key=KEY, client_id="SanchezAssociates", user_id="Rick Sanchez", now=1439251860.7)
    assert signer.header("Rick Sanchez") == expected
    assert "2015-08-11T00:11:00Z" in expected
    assert KEY not in repr(signer)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2015-08-10T20:11:00", "2015-08-11T00:11:00+00:00"),  # naive, EDT in August
        ("2015-01-10T20:11:00", "2015-01-11T01:11:00+00:00"),  # naive, EST in January
        ("2015-01-10T20:11:00-05:00", "2015-01-11T01:11:00+00:00"),
        ("2015-08-10T20:11:00-04:00", "2015-08-11T00:11:00+00:00"),
        ("2015-08-10T20:11:00.250Z", "2015-08-10T20:11:00.250000+00:00"),
        ("2015-08-10T20:11:00.1234567+00:00", "2015-08-10T20:11:00.123456+00:00"),
        ("2026-11-01T01:30:00", "2026-11-01T05:30:00+00:00"),  # ambiguous hour: first (EDT)
    ],
)
def test_parse_issued(text, utc):
    from datetime import UTC

    assert parse_issued(text).astimezone(UTC).isoformat() == utc


@pytest.mark.parametrize(
    "text",
    [
        "2015-08-10 20:11:00Z",
        "2015-08-10T20:11Z",
        "2015-08-10T20:11:00+01:00",
        "2015-13-10T20:11:00Z",
        "2015-08-10T20:11:00.Z",
        "2026-03-08T02:30:00",
        "20150810T201100Z",
        "2015-08-10T20:11:00z",
        "٢٠١٥-08-10T20:11:00Z",
    ],
)
def test_parse_issued_rejects(text):
    from mypref_harness.auth.timestamps import TimestampFormatError

    with pytest.raises(TimestampFormatError):
        parse_issued(text)


def test_naive_utc_option():
    from datetime import UTC

    assert parse_issued("2015-08-10T20:11:00", naive_tz="UTC").astimezone(UTC).hour == 20


def test_verifier_rejects_an_unknown_naive_timezone_at_construction():
    from mypref_harness.auth.timestamps import UnknownTimeZone

    with pytest.raises(UnknownTimeZone):
        Verifier(lambda _c: None, naive_timezone="Mars/Olympus_Mons")


def test_signer_second_cache_follows_the_clock():
    ticks = iter([1439251860.2, 1439251860.9, 1439251861.0])
    signer = Signer(key=KEY, client_id="SanchezAssociates", clock=lambda: next(ticks))
    stamps = [signer.header("RickSanchez").split("/")[1].split(" ")[0] for _ in range(3)]
    assert stamps == ["2015-08-11T00:11:00Z", "2015-08-11T00:11:00Z", "2015-08-11T00:11:01Z"]


def test_unencodable_client_id_is_unauthenticated_not_a_crash():
    record = ClientRecord("SanchezAssociates", KEY, frozenset({"RickSanchez"}))
    verifier = Verifier(lambda _c: record, clock=lambda: DOC_ISSUED_EPOCH + 1)
    with pytest.raises(PnAuthError) as info:
        verifier.verify("SanchezAssociates\udcff", DOC_HEADER)
    assert info.value.reason is Reason.UNAUTHENTICATED


def test_sign_header_argument_forms():
    from datetime import UTC, datetime

    # printf %s 'k:C:a%20b:2026-11-28T12:00:00Z:k' | openssl dgst -sha384 -binary | openssl base64 -A
    assert sign_header(
        key="k",
        client_id="C",
        user_id="a b",
        scheme="pnauthinfo3-sha384",
        encoding="percent",
        now=datetime(2026, 11, 28, 12, 0, 0, 500000, tzinfo=UTC),
    ) == (
        "PNAUTHINFO3-SHA384 Credential=a%20b/2026-11-28T12:00:00Z "
        "Signature=J43I9lIVtNjtLrKKnLwGDmjqFQVgcH9/kGpkOjkhPwodkIZtthwzL9mb/TK1G2xK"
    )
    # printf %s 'C:a+b:2026-11-28T12:00:00Z' | openssl dgst -sha512 -hmac k -binary | openssl base64 -A
    expected = (
        "PNAUTHINFO3-HMAC-SHA512 Credential=a+b/2026-11-28T12:00:00Z Signature="
        "xNJ5VCkq4LGka75TZw4MFYWbtESgRFMtvI+/mVKcWK7FSZ0FE662tTHOf8Otkm1Lyd0L9NrcW4jAfWhI+pLBcg=="
    )
    stamp = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert sign_header(
        key="k", client_id="C", user_id="a b", scheme=Scheme(True, "SHA512"), timestamp=stamp
    ) == (expected)
    assert sign_header(
        key="k", client_id="C", user_id="a b", scheme="PNAUTHINFO3-HMAC-SHA512", now=1795867200.9
    ) == (expected)
    assert Signer(key="k", client_id="C", scheme="pnauthinfo3-hmac-sha512").header(
        "a b", "2026-11-28T12:00:00Z"
    ) == (expected)

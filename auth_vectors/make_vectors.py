#!/usr/bin/env python3
"""Generate the PNAUTHINFO3 vector corpus with tools independent of mypref_harness.

Every expected value is computed here WITHOUT importing the code under test:

* digests: the ``openssl`` command line (``openssl dgst -<alg> [-mac HMAC -macopt hexkey:<hex>] -binary``),
* Base64:  ``openssl base64 -A`` (and ``-d`` to decode before flipping a bit),
* time:    GNU ``date`` (``date -u -d 'TZ="America/New_York" <local time>' +%s.%N``) converts the
           issued timestamps to UTC and computes the pinned "now" (verifyAt) of each vector,
* URL-encoding: a byte-table encoder written out below (not urllib).

Usage::

    python3 auth_vectors/make_vectors.py [--out DIR]            # (re)write the corpus files
    python3 auth_vectors/make_vectors.py --out DIR --add FILE --case '{"userId": "...", ...}'
                                                                # append one computed valid vector

The case JSON of ``--add`` takes: userId (required), clientId, key, timestamp, scheme, encoding, comment.
Only the standard library and the two CLIs are used, so the script runs anywhere Python 3.11, OpenSSL
and GNU coreutils exist. Output is deterministic (re-running gives no diff).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

FORMAT = "mypref-pnauth-vectors/1"
HERE = Path(__file__).resolve().parent
DOC = "MyPreferences 3.0 Version 4 API overview, 'Custom Auth Scheme' and 'Errors' sections"
DOC_KEY = "SeemslikearareopportunityMorty!"
DOC_SIGNATURE = "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="  # printed in the vendor's docs
ACME_KEY = "demo-only-acme-apihashkey-not-a-secret"
NEW_YORK = "America/New_York"

# The 401 body texts (see docs/auth.md for why each one reads as it does).
MESSAGES = {
    "INVALID_SCHEME": (
        "Invalid Authorization Header: The scheme is invalid. The scheme should contain either "
        "PNAUTHINFO3- or PNAUTHINFO3-HMAC-. For example: PNAUTHINFO3-HMAC-SHA265."
    ),
    "INVALID_TIMESTAMP": (
        "Invalid Authorization Header: The specified date does not match an expected ISO 8601 format."
    ),
    "EXPIRED": (
        "Invalid Authorization Header: The difference between the issued timestamp and the current "
        "time is too large."
    ),
    "MISSING_HEADER": "Missing Authorization Header.",
    "UNAUTHENTICATED": "Unable to authenticate request.",
}

NOTES = {
    "Documented": "Taken from the vendor's documentation, unchanged.",
    "Keyed": "PNAUTHINFO3-HMAC-*: HMAC of ClientId:UserId:Timestamp keyed with the client's key.",
    "Unkeyed": "PNAUTHINFO3-SHA*: hash of Key:ClientId:UserId:Timestamp:Key.",
    "FormEncoding": "UserId URL-encoded as application/x-www-form-urlencoded (space -> '+').",
    "PercentEncoding": "UserId URL-encoded as RFC 3986 (space -> '%20').",
    "NonAscii": "UserId has non-ASCII characters (UTF-8 before encoding).",
    "UTC": "Timestamp in UTC ('Z' or '+00:00').",
    "EST": "Timestamp with the EST offset -05:00.",
    "EDT": "Timestamp with the EDT offset -04:00.",
    "Naive": "Timestamp without a zone, read as America/New_York (DST-aware), as the docs' example.",
    "Fraction": "Timestamp with fractional seconds.",
    "DstChange": "Issued and verified across a US Eastern daylight-saving change.",
    "WindowEdge": "Verified exactly at, or one second past, the expiry window.",
    "Future": "Issued timestamp later than the verifier's clock.",
    "SchemeCase": "Scheme name in another case (schemes are case-insensitive).",
    "ParamNameCase": "Parameter names in another case (auth-param names are case-insensitive, RFC 7235).",
    "WrongKey": "Signed with a key the server does not have.",
    "Swapped": "HMAC computed with key and message swapped (the docs' example yields another value).",
    "ClientIdCase": "ClientId in the URL differs in case from the signed one (docs: must fail, 401).",
    "ModifiedSignature": "Signature truncated, bit-flipped or non-canonically Base64-encoded.",
    "UnknownScheme": "Scheme identifier or hash not in PNAUTHINFO3 x {SHA256, SHA384, SHA512}.",
    "MalformedHeader": "Header missing, incomplete, with unknown/duplicate parameters or bad Base64.",
    "BadTimestamp": "Timestamp not in an accepted ISO 8601 form (or a local time that does not exist).",
    "UnknownUser": "Correctly signed for a UserId the client does not know.",
    "WrongAlgorithm": "Signed with one algorithm, header names another.",
}

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


# ---------------------------------------------------------------- independent primitives
def run(cmd: list[str], data: bytes = b"") -> bytes:
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def openssl_digest(hash_name: str, message: bytes, key: bytes | None = None) -> bytes:
    cmd = ["openssl", "dgst", f"-{hash_name.lower()}", "-binary"]
    if key is not None:
        # hexkey: any key bytes, no shell or argv encoding questions.
        cmd[3:3] = ["-mac", "HMAC", "-macopt", f"hexkey:{key.hex()}"]
    return run(cmd, message)


def b64(data: bytes) -> str:
    return run(["openssl", "base64", "-A"], data).decode("ascii").strip()


def unb64(text: str) -> bytes:
    return run(["openssl", "base64", "-d", "-A"], text.encode("ascii"))


def url_encode(user_id: str, encoding: str) -> str:
    out = []
    for byte in user_id.encode("utf-8"):
        if byte in _UNRESERVED:
            out.append(chr(byte))
        elif byte == 0x20 and encoding == "form":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def epoch_of(timestamp: str, naive_tz: str | None = NEW_YORK) -> Decimal | None:
    """UTC epoch seconds of an issued timestamp by GNU date (naive -> naive_tz); None if invalid."""
    has_zone = timestamp.endswith("Z") or (timestamp[-6:-5] in "+-" and timestamp[-3:-2] == ":")
    if not has_zone and naive_tz is None:
        return None
    spec = timestamp if has_zone else f'TZ="{naive_tz}" {timestamp}'
    proc = subprocess.run(["date", "-u", "-d", spec, "+%s.%N"], capture_output=True, check=False, text=True)
    return Decimal(proc.stdout.strip()) if proc.returncode == 0 else None


def iso_utc(epoch: Decimal) -> str:
    text = run(["date", "-u", "-d", f"@{epoch}", "+%Y-%m-%dT%H:%M:%S.%6N"]).decode().strip()
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}Z" if fraction else f"{whole}Z"


def openssl_version() -> str:
    return run(["openssl", "version"]).decode().strip()


# ---------------------------------------------------------------- building vectors
def canonical_scheme(scheme: str) -> str:
    return scheme.upper()


def signing_stages(inp: dict) -> dict:
    scheme = canonical_scheme(inp["scheme"])
    encoded = url_encode(inp["userId"], inp["encoding"])
    keyed = "-HMAC-" in scheme
    hash_name = scheme.rsplit("-", 1)[1]
    if keyed:
        message = f"{inp['clientId']}:{encoded}:{inp['timestamp']}"
        digest = openssl_digest(hash_name, message.encode(), key=inp["key"].encode())
    else:
        message = f"{inp['key']}:{inp['clientId']}:{encoded}:{inp['timestamp']}:{inp['key']}"
        digest = openssl_digest(hash_name, message.encode())
    signature = b64(digest)
    header = f"{scheme} Credential={encoded}/{inp['timestamp']} Signature={signature}"
    return {"encodedUserId": encoded, "message": message, "signature": signature, "header": header}


class Builder:
    """Collects test groups of one file, numbering tcIds."""

    def __init__(self, name: str, source: str, description: str) -> None:
        self.name, self.source, self.description = name, source, description
        self.groups: list[dict] = []
        self.next_id = 1

    def group(self, comment: str, server: dict) -> list[dict]:
        tests: list[dict] = []
        self.groups.append({"comment": comment, "server": server, "tests": tests})
        return tests

    def add(
        self,
        tests: list[dict],
        server: dict,
        *,
        comment: str,
        flags: list[str],
        inp: dict | None = None,
        result: str = "valid",
        reason: str | None = None,
        header: str | None = "signed",
        verify_after: str | None = "60",
        client_id: str | None = None,
        verify_at: str | None = None,
        mutate: str | None = None,
        derivation: str | None = None,
        server_override: dict | None = None,
    ) -> None:
        test: dict = {"tcId": self.next_id, "comment": comment, "flags": flags}
        self.next_id += 1
        stages = None
        if inp is not None:
            inp = {
                "scheme": "PNAUTHINFO3-HMAC-SHA256",
                "encoding": "form",
                "clientId": server["clientId"],
                "key": server["key"],
                **inp,
            }
            test["input"] = inp
            stages = signing_stages(inp)
            # A deliberately malformed timestamp gets no UTC stage (GNU date is lenient).
            malformed_time = reason == "INVALID_TIMESTAMP" and verify_at is not None
            naive_tz = {**server, **(server_override or {})}.get("naiveTimezone", NEW_YORK)
            epoch = None if malformed_time else epoch_of(inp["timestamp"], naive_tz)
            if epoch is not None:
                stages["issuedAtUtc"] = iso_utc(epoch)
                if verify_at is None and verify_after is not None:
                    verify_at = iso_utc(epoch + Decimal(verify_after))
            test["expected"] = stages
        if header == "signed":
            assert stages is not None
            header = stages["header"]
        if mutate is not None:
            assert header is not None and stages is not None
            header = self.mutate(header, stages, inp or {}, mutate)
        request: dict = {"clientId": client_id or server["clientId"], "header": header}
        if verify_at is not None:
            request["verifyAt"] = verify_at
        test["request"] = request
        if server_override:
            test["server"] = server_override
        if derivation:
            test["derivation"] = derivation
        test["result"] = result
        if result == "valid":
            assert inp is not None
            test["expectedUserId"] = inp["userId"]
        else:
            assert reason is not None
            test["reason"] = reason
            test["errorMessage"] = MESSAGES[reason]
        tests.append(test)

    @staticmethod
    def mutate(header: str, stages: dict, inp: dict, how: str) -> str:
        sig = stages["signature"]
        head = header[: -len(sig)]
        if how == "truncate":
            return head + sig[:-4]  # drop the last quantum: still valid Base64, 3 bytes short
        if how == "flip":
            raw = bytearray(unb64(sig))
            raw[0] ^= 0x01
            return head + b64(bytes(raw))
        if how == "noncanonical":
            # SHA-256 Base64 has 2 unused bits in its last data character: set them. Decodes to the
            # same digest, but it is not the encoding any correct signer produces.
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            last = alphabet.index(sig[-2])
            assert last & 0b11 == 0
            return head + sig[:-2] + alphabet[last | 0b01] + sig[-1]
        if how == "swap":
            hash_name = canonical_scheme(inp["scheme"]).rsplit("-", 1)[1]
            swapped = b64(openssl_digest(hash_name, inp["key"].encode(), key=stages["message"].encode()))
            return head + swapped
        if how.startswith("scheme:"):
            return how.split(":", 1)[1] + header[header.index(" ") :]
        raise ValueError(how)

    def document(self, version: str) -> dict:
        count = sum(len(g["tests"]) for g in self.groups)
        return {
            "format": FORMAT,
            "algorithm": "PNAUTHINFO3",
            "description": self.description,
            "source": self.source,
            "generator": {
                "script": "auth_vectors/make_vectors.py",
                "method": "digests and Base64 by the openssl CLI, time conversions by GNU date, "
                "URL-encoding by the script's own byte table; nothing from mypref_harness",
                "openssl": version,
            },
            "errorMessages": MESSAGES,
            "notes": NOTES,
            "numberOfTests": count,
            "testGroups": self.groups,
        }


def sanchez_server(**extra: object) -> dict:
    return {
        "clientId": "SanchezAssociates",
        "key": DOC_KEY,
        "users": ["RickSanchez"],
        "expirationSeconds": 900,
        "futureToleranceSeconds": 0,
        "naiveTimezone": NEW_YORK,
        "clientIdCaseInsensitive": True,
        **extra,
    }


def acme_server(users: list[str], **extra: object) -> dict:
    return {
        "clientId": "ACME_CORP",
        "key": ACME_KEY,
        "users": users,
        "expirationSeconds": 900,
        "futureToleranceSeconds": 0,
        "naiveTimezone": NEW_YORK,
        "clientIdCaseInsensitive": True,
        **extra,
    }


# ---------------------------------------------------------------- the corpus
def documented() -> Builder:
    b = Builder(
        "pnauthinfo3_documented.json",
        DOC,
        "The vendor's documented example and the failures the docs describe around it.",
    )
    server = sanchez_server()
    t = b.group("Documented keyed example: SanchezAssociates / RickSanchez", server)
    doc_in = {"userId": "RickSanchez", "timestamp": "2015-08-10T20:11:00"}
    b.add(
        t,
        server,
        comment="documented example, unchanged (naive timestamp read as EDT)",
        flags=["Documented", "Keyed", "Naive"],
        inp=doc_in,
    )
    assert t[-1]["expected"]["signature"] == DOC_SIGNATURE, "openssl disagrees with the documented signature"
    b.add(
        t,
        server,
        comment="HMAC with key and message swapped",
        flags=["Documented", "Swapped"],
        inp=doc_in,
        result="invalid",
        reason="UNAUTHENTICATED",
        mutate="swap",
        derivation="Signature = Base64(HMAC-SHA256(key=message, msg=private key)) by openssl",
    )
    b.add(
        t,
        server,
        comment="ClientId SANCHEZASSOCIATES in the URL, signed as SanchezAssociates",
        flags=["Documented", "ClientIdCase"],
        inp=doc_in,
        client_id="SANCHEZASSOCIATES",
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="documented scheme PNAUTHINFO100-SHA256 does not exist",
        flags=["Documented", "UnknownScheme"],
        inp=doc_in,
        mutate="scheme:PNAUTHINFO100-SHA256",
        result="invalid",
        reason="INVALID_SCHEME",
    )
    windowed = sanchez_server(expirationSeconds=60)
    t2 = b.group("Documented expiry example: 60 s window, now 2015-08-13T12:35:00", windowed)
    b.add(
        t2,
        windowed,
        comment="issued 2015-08-13T07:00:00, checked at 12:35:00 (both Eastern)",
        flags=["Documented", "Naive"],
        inp={"userId": "RickSanchez", "timestamp": "2015-08-13T07:00:00"},
        verify_at=iso_utc(epoch_of("2015-08-13T12:35:00") or Decimal(0)),
        result="invalid",
        reason="EXPIRED",
    )
    return b


def schemes() -> Builder:
    b = Builder(
        "pnauthinfo3_schemes.json",
        f"{DOC}; inputs chosen for this corpus",
        "Keyed and un-keyed x SHA256, SHA384, SHA512.",
    )
    for server, user, stamp in (
        (sanchez_server(), "RickSanchez", "2015-08-10T20:11:00"),
        (acme_server(["John.Doe"]), "John.Doe", "2026-11-28T12:00:00Z"),
    ):
        t = b.group(f"All six schemes for {server['clientId']} / {user}", server)
        for keyed in (True, False):
            for hash_name in ("SHA256", "SHA384", "SHA512"):
                scheme = f"PNAUTHINFO3-{'HMAC-' if keyed else ''}{hash_name}"
                flags = ["Keyed" if keyed else "Unkeyed"] + (["UTC"] if stamp.endswith("Z") else ["Naive"])
                b.add(
                    t,
                    server,
                    comment=scheme,
                    flags=flags,
                    inp={"userId": user, "timestamp": stamp, "scheme": scheme},
                )
        b.add(
            t,
            server,
            comment="scheme given in lower case, header sent in lower case",
            flags=["Keyed", "SchemeCase"],
            inp={"userId": user, "timestamp": stamp, "scheme": "pnauthinfo3-hmac-sha384"},
            mutate="scheme:pnauthinfo3-hmac-sha384",
        )
        b.add(
            t,
            server,
            comment="un-keyed scheme in mixed case",
            flags=["Unkeyed", "SchemeCase"],
            inp={"userId": user, "timestamp": stamp, "scheme": "PnAuthInfo3-Sha512"},
            mutate="scheme:PnAuthInfo3-Sha512",
        )
    return b


ENCODING_USERS = [
    ("Rick Sanchez", ["FormEncoding"], "space"),
    ("rick@sanchez.example", [], "at sign"),
    ("sanchez/rick", [], "slash (the Credential's own separator)"),
    ("rick+morty", [], "plus"),
    ("rick=morty", [], "equals sign"),
    ("a b+c%d&e", [], "space, plus, percent and ampersand"),
    ("José Müller", ["NonAscii"], "Latin letters with diacritics and a space"),
    ("日本 ユーザー", ["NonAscii"], "CJK and a space"),
    ("Ricky🥒", ["NonAscii"], "a 4-byte UTF-8 character"),
]


def encodings() -> Builder:
    b = Builder(
        "pnauthinfo3_userid_encoding.json",
        f"{DOC} ('Spaces and Special Characters in the UserId')",
        "UserIds with spaces and special characters under both encodings.",
    )
    users = [u for u, _, _ in ENCODING_USERS]
    server = acme_server(users)
    for enc, flag in (("form", "FormEncoding"), ("percent", "PercentEncoding")):
        t = b.group(f"{enc} encoding (UserId encoded in the Credential and in the message)", server)
        for user, extra, what in ENCODING_USERS:
            flags = ["Keyed", flag] + [f for f in extra if f == "NonAscii"]
            b.add(
                t,
                server,
                comment=f"{what}, {enc}",
                flags=flags,
                inp={"userId": user, "timestamp": "2026-11-28T12:00:00Z", "encoding": enc},
            )
        b.add(
            t,
            server,
            comment=f"un-keyed SHA512 with a space and @, {enc}",
            flags=["Unkeyed", flag],
            inp={
                "userId": "a b+c%d&e",
                "timestamp": "2026-11-28T12:00:00Z",
                "encoding": enc,
                "scheme": "PNAUTHINFO3-SHA512",
            },
        )
    return b


def timestamps() -> Builder:
    b = Builder(
        "pnauthinfo3_timestamps.json",
        f"{DOC} ('ISO 8601 Issued Timestamp', 'Notes on time zones')",
        "Issued timestamps in UTC, EST, EDT, naive Eastern, with fractions, across DST changes.",
    )
    server = sanchez_server()
    t = b.group("Accepted timestamp forms", server)
    valid = [
        ("2026-11-28T17:00:00Z", ["UTC"], "UTC with Z"),
        ("2026-11-28T17:00:00+00:00", ["UTC"], "UTC with +00:00"),
        ("2026-11-28T12:00:00-05:00", ["EST"], "EST offset"),
        ("2026-07-04T13:00:00-04:00", ["EDT"], "EDT offset"),
        ("2026-11-28T12:00:00", ["Naive"], "naive in winter: EST"),
        ("2026-07-04T13:00:00", ["Naive"], "naive in summer: EDT"),
        ("2026-11-28T17:00:00.5Z", ["UTC", "Fraction"], "one fractional digit"),
        ("2026-11-28T17:00:00.123456Z", ["UTC", "Fraction"], "microseconds"),
        ("2026-07-04T13:00:00.1234567-04:00", ["EDT", "Fraction"], "7 digits (.NET ticks), truncated"),
        ("2026-11-28T12:00:00.999", ["Naive", "Fraction"], "naive with milliseconds"),
    ]
    for stamp, flags, what in valid:
        b.add(
            t,
            server,
            comment=what,
            flags=["Keyed", *flags],
            inp={"userId": "RickSanchez", "timestamp": stamp},
        )
    t2 = b.group(
        "Across the 2026 US Eastern DST changes (Mar 8 02:00 EST -> 03:00 EDT; Nov 1 02:00 EDT -> 01:00 EST)",
        server,
    )
    dst = [
        ("2026-03-08T01:59:30", "40", "valid", "naive 01:59:30 EST, verified 40 s later at 03:00:10 EDT"),
        ("2026-03-08T03:00:00", "1", "valid", "naive 03:00:00: first EDT second"),
        (
            "2026-11-01T01:30:00",
            "60",
            "valid",
            "naive 01:30 on fall-back day: ambiguous, read as EDT (first)",
        ),
        ("2026-11-01T01:59:30-04:00", "40", "valid", "EDT 01:59:30, verified 40 s later at 01:00:10 EST"),
        ("2026-11-01T01:00:10-05:00", "0", "valid", "EST 01:00:10 after fall-back, verified at once"),
    ]
    zone_flag = {"-04:00": "EDT", "-05:00": "EST"}
    for stamp, after, _result, what in dst:
        b.add(
            t2,
            server,
            comment=what,
            flags=["Keyed", "DstChange", zone_flag.get(stamp[-6:], "Naive")],
            inp={"userId": "RickSanchez", "timestamp": stamp},
            verify_after=after,
        )
    # An implementation that compares local wall clocks would see 1 h 0 min 40 s here and call it expired.
    b.add(
        t2,
        server,
        comment="naive 01:59:50 EST with a 60 s window, verified at 03:00:40 EDT (50 s later)",
        flags=["Keyed", "DstChange", "Naive", "WindowEdge"],
        inp={"userId": "RickSanchez", "timestamp": "2026-03-08T01:59:50"},
        verify_after="50",
        server_override={"expirationSeconds": 60},
    )
    assert epoch_of("2026-03-08T02:30:00") is None, "GNU date accepts a time in the DST gap?"
    b.add(
        t2,
        server,
        comment="naive 02:30 on spring-forward day does not exist in New York",
        flags=["Keyed", "DstChange", "Naive", "BadTimestamp"],
        inp={"userId": "RickSanchez", "timestamp": "2026-03-08T02:30:00"},
        verify_at="2026-03-08T07:31:00Z",
        result="invalid",
        reason="INVALID_TIMESTAMP",
    )
    t3 = b.group("Rejected timestamp forms (correctly signed over the text as sent)", server)
    bad = [
        ("2026-11-28T17:00Z", "no seconds"),
        ("2026-11-28T17:00:00+01:00", "offset other than UTC, EST or EDT"),
        ("2026-11-28T17:00:00-0500", "basic-format offset"),
        ("2026-02-30T17:00:00Z", "February 30"),
        ("2026-11-28T24:00:00Z", "hour 24"),
        ("2026-11-28T17:00:00.Z", "empty fraction"),
        ("20261128T170000Z", "ISO 8601 basic format"),
        ("28/11/2026T17:00:00Z", "not ISO 8601"),
        ("1764349200", "epoch seconds"),
        ("2026-11-28t17:00:00z", "lower-case designators"),
    ]
    for stamp, what in bad:
        b.add(
            t3,
            server,
            comment=what,
            flags=["Keyed", "BadTimestamp"],
            inp={"userId": "RickSanchez", "timestamp": stamp},
            verify_at="2026-11-28T17:01:00Z",
            result="invalid",
            reason="INVALID_TIMESTAMP",
        )
    # Appended after the original groups so that existing tcIds never change.
    utc_server = sanchez_server(naiveTimezone="UTC")
    t_utc = b.group("Server option: naive timestamps read as UTC", utc_server)
    b.add(
        t_utc,
        utc_server,
        comment="naive 17:00:00 read as 17:00:00Z",
        flags=["Keyed", "Naive"],
        inp={"userId": "RickSanchez", "timestamp": "2026-11-28T17:00:00"},
    )
    b.add(
        t_utc,
        utc_server,
        comment="naive 12:00:00 read as UTC is 5 h in the future at 07:00:30Z",
        flags=["Keyed", "Naive", "Future"],
        inp={"userId": "RickSanchez", "timestamp": "2026-11-28T12:00:00"},
        verify_at="2026-11-28T07:00:30Z",
        result="invalid",
        reason="INVALID_TIMESTAMP",
    )
    strict_server = sanchez_server(naiveTimezone=None)
    t_strict = b.group("Server option: naive timestamps rejected", strict_server)
    b.add(
        t_strict,
        strict_server,
        comment="naive timestamp rejected",
        flags=["Keyed", "Naive", "BadTimestamp"],
        inp={"userId": "RickSanchez", "timestamp": "2026-11-28T12:00:00"},
        verify_at="2026-11-28T17:00:30Z",
        result="invalid",
        reason="INVALID_TIMESTAMP",
    )
    b.add(
        t_strict,
        strict_server,
        comment="the same instant with an offset is accepted",
        flags=["Keyed", "EST"],
        inp={"userId": "RickSanchez", "timestamp": "2026-11-28T12:00:00-05:00"},
        verify_after="30",
    )
    return b


def negative() -> Builder:
    b = Builder(
        "pnauthinfo3_negative.json",
        f"{DOC} ('Errors', 401 reasons); cases chosen for this corpus",
        "Rejections, each with the documented 401 reason and message.",
    )
    users = ["John.Doe", "Rick Sanchez"]
    server = acme_server(users)
    base = {"userId": "John.Doe", "timestamp": "2026-11-28T12:00:00Z"}
    t = b.group("Signature and key", server)
    b.add(
        t,
        server,
        comment="signed with a key the server does not have",
        flags=["WrongKey"],
        inp={**base, "key": "not-the-acme-key"},
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="key and message swapped",
        flags=["Swapped"],
        inp=base,
        mutate="swap",
        result="invalid",
        reason="UNAUTHENTICATED",
        derivation="Signature = Base64(HMAC-SHA256(key=message, msg=key)) by openssl",
    )
    b.add(
        t,
        server,
        comment="signed as acme_corp, sent to ACME_CORP",
        flags=["ClientIdCase"],
        inp={**base, "clientId": "acme_corp"},
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="signature truncated by one Base64 quantum",
        flags=["ModifiedSignature"],
        inp=base,
        mutate="truncate",
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="one bit of the digest flipped",
        flags=["ModifiedSignature"],
        inp=base,
        mutate="flip",
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="non-canonical Base64 of the right digest",
        flags=["ModifiedSignature"],
        inp=base,
        mutate="noncanonical",
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="signed with HMAC-SHA256, header says HMAC-SHA512",
        flags=["WrongAlgorithm"],
        inp=base,
        mutate="scheme:PNAUTHINFO3-HMAC-SHA512",
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="signed un-keyed SHA256, header says HMAC-SHA256",
        flags=["WrongAlgorithm"],
        inp={**base, "scheme": "PNAUTHINFO3-SHA256"},
        mutate="scheme:PNAUTHINFO3-HMAC-SHA256",
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="correctly signed for a user the client does not know",
        flags=["UnknownUser"],
        inp={**base, "userId": "Morty.Smith"},
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    b.add(
        t,
        server,
        comment="UserId 'Rick Sanchez' sent unencoded: the space splits the header",
        flags=["MalformedHeader"],
        inp={**base, "userId": "Rick Sanchez"},
        header=None,
        result="invalid",
        reason="UNAUTHENTICATED",
    )
    t[-1]["request"]["header"] = t[-1]["expected"]["header"].replace("Rick+Sanchez", "Rick Sanchez")

    t2 = b.group("Time window (default 900 s, no future tolerance)", server)
    b.add(
        t2,
        server,
        comment="one second in the future",
        flags=["Future"],
        inp=base,
        verify_after="-1",
        result="invalid",
        reason="INVALID_TIMESTAMP",
    )
    b.add(
        t2,
        server,
        comment="a millisecond in the future",
        flags=["Future", "Fraction"],
        inp={**base, "timestamp": "2026-11-28T12:00:00.001Z"},
        verify_after="-0.001",
        result="invalid",
        reason="INVALID_TIMESTAMP",
    )
    b.add(
        t2, server, comment="verified at the issued instant", flags=["WindowEdge"], inp=base, verify_after="0"
    )
    b.add(
        t2,
        server,
        comment="exactly at the window edge (900 s): accepted",
        flags=["WindowEdge"],
        inp=base,
        verify_after="900",
    )
    b.add(
        t2,
        server,
        comment="expired by one second (901 s)",
        flags=["WindowEdge"],
        inp=base,
        verify_after="901",
        result="invalid",
        reason="EXPIRED",
    )
    b.add(
        t2,
        server,
        comment="expired by a microsecond",
        flags=["WindowEdge", "Fraction"],
        inp=base,
        verify_after="900.000001",
        result="invalid",
        reason="EXPIRED",
    )
    b.add(
        t2,
        server,
        comment="client window 60 s, exactly 60 s old",
        flags=["WindowEdge"],
        inp=base,
        verify_after="60",
        server_override={"expirationSeconds": 60},
    )
    b.add(
        t2,
        server,
        comment="client window 60 s, 61 s old",
        flags=["WindowEdge"],
        inp=base,
        verify_after="61",
        server_override={"expirationSeconds": 60},
        result="invalid",
        reason="EXPIRED",
    )
    b.add(
        t2,
        server,
        comment="2 s in the future with a 5 s skew tolerance: accepted",
        flags=["Future"],
        inp=base,
        verify_after="-2",
        server_override={"futureToleranceSeconds": 5},
    )
    b.add(
        t2,
        server,
        comment="6 s in the future with a 5 s skew tolerance",
        flags=["Future"],
        inp=base,
        verify_after="-6",
        server_override={"futureToleranceSeconds": 5},
        result="invalid",
        reason="INVALID_TIMESTAMP",
    )
    b.add(
        t2,
        server,
        comment="EST offset, 1 s in the future",
        flags=["Future", "EST"],
        inp={**base, "timestamp": "2026-11-28T07:00:00-05:00"},
        verify_after="-1",
        result="invalid",
        reason="INVALID_TIMESTAMP",
    )

    t3 = b.group("Scheme", server)
    for scheme, what in (
        ("PNAUTHINFO100-SHA256", "unknown scheme identifier"),
        ("PNAUTHINFO3-HMAC-SHA1", "HMAC-SHA1 (not offered)"),
        ("PNAUTHINFO3-SHA1", "un-keyed SHA1 (not offered)"),
        ("PNAUTHINFO3-HMAC-SHA265", "the docs' own typo SHA265"),
        ("PNAUTHINFO3-HMAC-MD5", "HMAC-MD5"),
        ("PNAUTHINFO2-HMAC-SHA256", "an older scheme identifier"),
        ("Bearer", "another scheme altogether"),
    ):
        if scheme.endswith(("SHA1", "MD5")):
            # Genuinely signed with that algorithm, so only the scheme check can reject it.
            hash_name = scheme.rsplit("-", 1)[1]
            keyed = "-HMAC-" in scheme
            message = (
                f"ACME_CORP:John.Doe:{base['timestamp']}"
                if keyed
                else f"{ACME_KEY}:ACME_CORP:John.Doe:{base['timestamp']}:{ACME_KEY}"
            )
            sig = b64(openssl_digest(hash_name, message.encode(), key=ACME_KEY.encode() if keyed else None))
            header = f"{scheme} Credential=John.Doe/{base['timestamp']} Signature={sig}"
            b.add(
                t3,
                server,
                comment=what,
                flags=["UnknownScheme"],
                header=header,
                verify_at="2026-11-28T12:01:00Z",
                result="invalid",
                reason="INVALID_SCHEME",
                derivation=(
                    f"Signature = Base64({hash_name}{' HMAC' if keyed else ''} of {message!r}) by openssl"
                ).replace(ACME_KEY, "<key>"),
            )
        else:
            b.add(
                t3,
                server,
                comment=what,
                flags=["UnknownScheme"],
                inp=base,
                mutate=f"scheme:{scheme}",
                result="invalid",
                reason="INVALID_SCHEME",
            )

    t4 = b.group("Malformed or missing header", server)
    good = signing_stages(
        {
            **base,
            "scheme": "PNAUTHINFO3-HMAC-SHA256",
            "encoding": "form",
            "clientId": "ACME_CORP",
            "key": ACME_KEY,
        }
    )
    sig = good["signature"]
    cred = f"John.Doe/{base['timestamp']}"
    malformed = [
        (None, "MISSING_HEADER", "no Authorization header"),
        ("", "MISSING_HEADER", "empty Authorization header"),
        ("PNAUTHINFO3-HMAC-SHA256", "UNAUTHENTICATED", "scheme only"),
        (f"PNAUTHINFO3-HMAC-SHA256 Signature={sig}", "UNAUTHENTICATED", "missing Credential"),
        (f"PNAUTHINFO3-HMAC-SHA256 Credential={cred}", "UNAUTHENTICATED", "missing Signature"),
        (f"PNAUTHINFO3-HMAC-SHA256 Credential={cred} Signature=", "UNAUTHENTICATED", "empty Signature"),
        (
            f"PNAUTHINFO3-HMAC-SHA256 Credential={cred} Signature=!!not*base64??",
            "UNAUTHENTICATED",
            "garbage Base64",
        ),
        (
            f"PNAUTHINFO3-HMAC-SHA256 Credential={cred} Signature={sig[:-1]}",
            "UNAUTHENTICATED",
            "Base64 missing its padding",
        ),
        (
            f"PNAUTHINFO3-HMAC-SHA256 Credential=John.Doe Signature={sig}",
            "UNAUTHENTICATED",
            "Credential without the timestamp",
        ),
        (
            f"PNAUTHINFO3-HMAC-SHA256 Credential=/{base['timestamp']} Signature={sig}",
            "UNAUTHENTICATED",
            "Credential with an empty UserId",
        ),
        (
            f"PNAUTHINFO3-HMAC-SHA256 Credential={cred} Signature={sig} Signature={sig}",
            "UNAUTHENTICATED",
            "duplicate Signature",
        ),
        (
            f"PNAUTHINFO3-HMAC-SHA256 Credential={cred} Signature={sig} Nonce=1",
            "UNAUTHENTICATED",
            "unknown parameter",
        ),
        (f"PNAUTHINFO3-HMAC-SHA256 {cred} {sig}", "UNAUTHENTICATED", "parameters without names"),
        (f"PNAUTHINFO100-SHA256 Signature={sig}", "INVALID_SCHEME", "unknown scheme is reported first"),
    ]
    for sent, reason, what in malformed:
        b.add(
            t4,
            server,
            comment=what,
            flags=["MalformedHeader"],
            header=sent,
            verify_at="2026-11-28T12:01:00Z",
            result="invalid",
            reason=reason,
        )
    t5 = b.group("Accepted syntax variants", server)
    b.add(t5, server, comment="parameter names in lower case", flags=["ParamNameCase"], inp=base)
    t5[-1]["request"]["header"] = (
        good["header"].replace("Credential=", "credential=").replace("Signature=", "signature=")
    )
    b.add(t5, server, comment="parameters in the other order", flags=["ParamNameCase"], inp=base)
    t5[-1]["request"]["header"] = f"PNAUTHINFO3-HMAC-SHA256 Signature={sig} Credential={cred}"
    b.add(t5, server, comment="RFC 7235 comma between parameters", flags=["ParamNameCase"], inp=base)
    t5[-1]["request"]["header"] = f"PNAUTHINFO3-HMAC-SHA256 Credential={cred}, Signature={sig}"
    return b


BUILDERS = (documented, schemes, encodings, timestamps, negative)


def write(builder: Builder, out: Path, version: str) -> None:
    path = out / builder.name
    path.write_text(
        json.dumps(builder.document(version), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{path}: {sum(len(g['tests']) for g in builder.groups)} tests")


def add_case(out: Path, file_name: str, case: dict, version: str) -> None:
    """Append one valid vector computed the independent way to FILE (created if missing)."""
    if "userId" not in case:
        raise SystemExit("--case needs at least userId")
    path = out / file_name
    server = acme_server([case["userId"]])
    if "clientId" in case or "key" in case:
        server = {**server, "clientId": case.get("clientId", "ACME_CORP"), "key": case.get("key", ACME_KEY)}
    builder = Builder(file_name, "added with make_vectors.py --add", "Vectors added on demand.")
    if path.exists():
        doc = json.loads(path.read_text(encoding="utf-8"))
        builder.groups = doc["testGroups"]
        builder.source, builder.description = doc["source"], doc["description"]
        builder.next_id = 1 + max((t["tcId"] for g in builder.groups for t in g["tests"]), default=0)
    tests = builder.group(case.get("comment", "added case"), server)
    inp = {k: case[k] for k in ("userId", "timestamp", "scheme", "encoding") if k in case}
    inp.setdefault("timestamp", iso_utc(Decimal(run(["date", "-u", "+%s"]).decode().strip())))
    builder.add(tests, server, comment=case.get("comment", "added case"), flags=["Added"], inp=inp)
    write(builder, out, version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write (default: next to me)")
    parser.add_argument("--add", metavar="FILE", help="append one case to FILE in --out")
    parser.add_argument("--case", help="JSON object of the case for --add")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    version = openssl_version()
    if args.add:
        add_case(args.out, args.add, json.loads(args.case or "{}"), version)
        return 0
    for build in BUILDERS:
        write(build(), args.out, version)
    return 0


if __name__ == "__main__":
    sys.exit(main())

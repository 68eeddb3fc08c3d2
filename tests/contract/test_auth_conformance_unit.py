"""Auth-conformance checks against an in-memory API (httpx.MockTransport) built on the project's Verifier.

A server that behaves as documented must pass every PNAUTHINFO3 check; each deliberately broken
behaviour must make exactly the checks that claim to catch it fail.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from mypref_harness import demo
from mypref_harness.auth.pnauth import PnAuthError
from mypref_harness.auth.verifier import ClientRecord, UnknownClient, Verifier, static_lookup
from mypref_harness.config import Target
from mypref_harness.contract.auth_conformance import (
    ALL_CHECKS,
    PNAUTH_CHECKS,
    AuthProbe,
    ConformanceOptions,
    checks_catching,
    rejection_problems,
    run_checks,
    tampered_token,
    unsigned_token,
)
from mypref_harness.contract.matrix import default_plans
from mypref_harness.contract.results import Status
from mypref_harness.sandbox.defects import DEFECTS

TENANT = demo.SANCHEZ
BASE = "http://api.test/Profiles/v4"


def api(*, challenge: bool = True, empty_404: bool = True, future_ok: bool = False):
    record = ClientRecord(
        client_id=TENANT.client_id,
        api_key=TENANT.api_key,
        users=frozenset({TENANT.user_id}),
        future_tolerance_seconds=600 if future_ok else 0,
    )
    verifier = Verifier(static_lookup(record))

    def handler(request: httpx.Request) -> httpx.Response:
        client_id = request.url.path.split("/")[3]
        try:
            verifier.verify(client_id, request.headers.get("authorization"))
        except UnknownClient:
            return httpx.Response(404, content=b"" if empty_404 else b'{"Message": "Client not found"}')
        except PnAuthError as exc:
            headers = {"WWW-Authenticate": 'PNAUTHINFO3 realm="test"'} if challenge else {}
            return httpx.Response(401, json={"Message": exc.message}, headers=headers)
        return httpx.Response(200, json={"Programs": []})

    return httpx.Client(transport=httpx.MockTransport(handler))


def probe(client: httpx.Client) -> AuthProbe:
    target = Target(base_url=BASE, client_id=TENANT.client_id, user_id=TENANT.user_id, api_key=TENANT.api_key)
    return AuthProbe(target, ConformanceOptions(probes=False), client=client)


PN_IDS = [c.id for c in PNAUTH_CHECKS]


def failed_ids(client: httpx.Client) -> set[str]:
    return {r.check for r in run_checks(probe(client), PN_IDS) if r.status is Status.FAILED}


def test_a_documented_server_passes_every_pnauth_check():
    records = run_checks(probe(api()), PN_IDS)
    assert [r.check for r in records] == PN_IDS
    assert [r for r in records if r.status is not Status.PASSED] == []


def test_missing_challenge_fails_the_401_checks_only():
    failed = failed_ids(api(challenge=False))
    assert "pnauth.missing-header" in failed and "pnauth.future-timestamp" in failed
    assert not any(check.startswith("pnauth.accepted") for check in failed)


def test_unknown_client_with_a_body_is_caught():
    # The wrong-case ClientId is an unknown client for this case-sensitive server: its 404 has a body too.
    assert failed_ids(api(empty_404=False)) == {"pnauth.unknown-client", "pnauth.clientid-wrong-case"}


def test_future_tolerance_is_caught():
    assert failed_ids(api(future_ok=True)) == {"pnauth.future-timestamp"}


def test_evidence_never_contains_the_key_or_a_signature():
    for record in run_checks(probe(api()), PN_IDS):
        assert TENANT.api_key not in record.evidence
        assert "Signature=" not in record.evidence


def test_every_seeded_defect_has_a_detection_plan():
    planned = {plan.defect for plan in default_plans()}
    assert planned == set(DEFECTS)
    for name, defect in DEFECTS.items():
        if defect.area == "auth":
            assert checks_catching(name), f"no auth check declares it catches {name}"


def test_check_ids_are_unique():
    ids = [c.id for c in ALL_CHECKS]
    assert len(ids) == len(set(ids))


def jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'k1'})}.{part(claims)}.c2lnbmF0dXJl"


def decode(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def test_forged_tokens():
    token = jwt({"sub": "ACME_CORP/John.Doe", "exp": 1000, "iat": 700})
    header, payload, signature = tampered_token(token).split(".")
    assert header == token.split(".")[0] and signature == token.split(".")[2]
    assert decode(payload)["exp"] == 4600 and decode(payload)["sub"] == "ACME_CORP/John.Doe"
    none_header, none_payload, none_signature = unsigned_token(token).split(".")
    assert decode(none_header) == {"alg": "none", "typ": "JWT"}
    assert none_payload == token.split(".")[1] and none_signature == ""


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (httpx.Response(200, json={}), "expected 401, got 200"),
        (httpx.Response(401, json={"Message": "x"}), "without WWW-Authenticate"),
        (httpx.Response(401, text="nope", headers={"WWW-Authenticate": "Bearer"}), "no Message"),
    ],
)
def test_rejection_problems(response, problem):
    assert any(problem in p for p in rejection_problems(response, None))


def test_documented_rejection_has_no_problems():
    response = httpx.Response(
        401, json={"Message": "Missing Authorization Header."}, headers={"WWW-Authenticate": "PNAUTHINFO3"}
    )
    assert rejection_problems(response, None) == []

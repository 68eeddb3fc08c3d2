"""Auth-conformance checks against an in-memory API (httpx.MockTransport) built on the project's Verifier.

A server that behaves as documented must pass every PNAUTHINFO3 check; each deliberately broken
behaviour must make exactly the checks that claim to catch it fail.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from mypref_harness import demo
from mypref_harness.auth.pnauth import PnAuthError
from mypref_harness.auth.verifier import ClientRecord, UnknownClient, Verifier, static_lookup
from mypref_harness.basis import Basis, VerdictPolicy, practice
from mypref_harness.config import Target
from mypref_harness.contract.auth_conformance.catalog import (
    ALL_CHECKS,
    OAUTH_CHECKS,
    PNAUTH_CHECKS,
    checks_catching,
)
from mypref_harness.contract.auth_conformance.outcomes import rejection_problems
from mypref_harness.contract.auth_conformance.probe import (
    AuthProbe,
    ConformanceOptions,
    tampered_token,
    unsigned_token,
)
from mypref_harness.contract.auth_conformance.registry import REGISTRY, auth_check
from mypref_harness.contract.auth_conformance.run import run_checks
from mypref_harness.contract.console import print_check_list
from mypref_harness.contract.matrix import default_plans
from mypref_harness.contract.results import ConformanceResult, Status, judge_all
from mypref_harness.errors import ConfigError, ExitCode
from mypref_harness.sandbox.defects import DEFECTS

from .fakes import FakeApi
from .fakes import probe_for as fake_probe

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


# --- basis, registry and verdict policy ------------------------------------------------------------

# The vendor document lies in shared/ beside the checkout (tests that need it skip without it).
OVERVIEW = Path(__file__).resolve().parents[4] / "shared" / "reference" / "mypreferences-v4-api-overview.txt"


def normalised(text: str) -> str:
    return " ".join(text.split())


def test_every_check_has_a_basis_and_a_title():
    for check in ALL_CHECKS:
        assert check.title and check.rule.source.strip(), check.id
        assert check.id.startswith(f"{check.scheme}."), check.id


@pytest.mark.skipif(not OVERVIEW.is_file(), reason="the vendor's API overview is not on this machine")
def test_every_documented_quote_occurs_verbatim_in_the_api_overview():
    document = normalised(OVERVIEW.read_text(encoding="utf-8"))
    quoted = {c.id: c.rule.source for c in ALL_CHECKS if c.rule.basis is Basis.DOCUMENTED}
    assert len(quoted) >= 20
    missing = {cid: quote for cid, quote in quoted.items() if normalised(quote) not in document}
    assert missing == {}


def test_the_registry_takes_the_id_from_the_function_and_the_title_from_the_docstring():
    @auth_check("oauth", practice("RFC 0000"), catches=("some-defect",))
    def oauth_made_up_check(probe):
        """a made-up check

        More text that is not the title.
        """

    try:
        check = REGISTRY["oauth.made-up-check"]
        assert (check.title, check.scheme, check.catches) == ("a made-up check", "oauth", ("some-defect",))
        assert check.rule.basis is Basis.PRACTICE
        with pytest.raises(ValueError, match="duplicate"):
            auth_check("oauth", practice("RFC 0000"))(oauth_made_up_check)
    finally:
        REGISTRY.pop("oauth.made-up-check", None)


def test_rebased_checks():
    by_id = {c.id: c for c in ALL_CHECKS}
    assert by_id["oauth.wrong-secret-invalid-client"].rule.basis is Basis.PRACTICE
    assert by_id["oauth.expired-token-invalid-token"].rule.basis is Basis.PRACTICE
    assert by_id["oauth.wrong-secret"].rule.basis is Basis.DOCUMENTED
    assert by_id["oauth.expired-token"].rule.basis is Basis.DOCUMENTED
    assert by_id["oauth.expires-in-matches-jwt"].rule.basis is Basis.DOCUMENTED


# Defects only a practice/assumption check catches: on a configured target they warn (see docs/contract.md).
PRACTICE_ONLY_DEFECTS = {"alg-none-accepted": "RFC 8725: the document says nothing about JWT signatures"}


def test_every_auth_defect_fails_a_configured_target_under_the_default_policy():
    policy = VerdictPolicy()  # a configured target: documented and catalog findings fail
    by_id = {c.id: c for c in ALL_CHECKS}
    for name, defect in DEFECTS.items():
        if defect.area != "auth" or name in PRACTICE_ONLY_DEFECTS:
            continue
        failing = [cid for cid in checks_catching(name) if policy.fails(cid, by_id[cid].rule.basis)]
        assert failing, f"{name} is caught only by checks that warn on a configured target"
    for name in PRACTICE_ONLY_DEFECTS:
        assert not any(policy.fails(cid, by_id[cid].rule.basis) for cid in checks_catching(name)), name


def test_list_shows_basis_and_the_quoted_sentence():
    lines: list[str] = []
    print_check_list(ALL_CHECKS, lines.append)
    text = "\n".join(lines)
    assert 'basis: documented: "Future dates are considered invalid, and the request will be rejected' in text
    assert "basis: practice: RFC 6749 section 5.2" in text
    assert "catches sandbox defects: future-timestamp-accepted" in text


# --- answers that decide nothing never pass or fail a check -----------------------------------------


def test_a_5xx_errors_the_check_it_hits_and_only_that_one():
    no_header = FakeApi(fault_when=lambda r: 503 if "authorization" not in r.headers else None)
    records = {r.check: r for r in run_checks(fake_probe(no_header), PN_IDS)}
    missing = records.pop("pnauth.missing-header")
    assert missing.status is Status.ERRORED and "HTTP 503 after 3 attempts" in missing.evidence
    assert {r.status for r in records.values()} == {Status.PASSED}


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_unhealthy_target_gets_no_verdict_and_exit_3(status):
    records = run_checks(fake_probe(FakeApi(fault_when=lambda r: status), oauth=True))
    assert {r.status for r in records} <= {Status.ERRORED, Status.SKIPPED}
    result = ConformanceResult(target="fake", checks=records)
    assert not result.failures and not result.passed
    assert result.exit_code == ExitCode.UNREACHABLE


def test_malformed_timestamps_are_ones_no_iso_8601_reader_accepts():
    api = FakeApi(basic_format=True)  # a server that reads 20261202T015959Z is still conformant
    records = run_checks(fake_probe(api), PN_IDS)
    assert [r.check for r in records if r.status is not Status.PASSED] == []
    api.log.clear()
    run_checks(fake_probe(api), ["pnauth.malformed-timestamp"])
    sent = [r.headers["authorization"].split("Credential=")[1].split(" ")[0] for r in api.log]
    assert sent == [f"{TENANT.user_id}/yesterday", f"{TENANT.user_id}/2026-13-45T25:61:61Z"]


def oauth_records(api: FakeApi, policy: VerdictPolicy) -> dict[str, Status]:
    probe = fake_probe(api, oauth=True, max_token_wait_s=400)
    return {r.check: r.status for r in judge_all(run_checks(probe, [c.id for c in OAUTH_CHECKS]), policy)}


def test_a_server_showing_only_the_documented_401_form_warns_on_a_configured_target_and_fails_strict():
    # The document's only 401 form: the PNAUTHINFO3 challenge with a Message; no RFC 6749/6750 codes.
    api = FakeApi(wrong_secret_body={"Message": "bad credentials"}, bearer_challenge='PNAUTHINFO3 realm="x"')
    lenient = oauth_records(api, VerdictPolicy())
    assert lenient["oauth.wrong-secret"] is Status.PASSED and lenient["oauth.expired-token"] is Status.PASSED
    assert lenient["oauth.wrong-secret-invalid-client"] is Status.WARNED
    assert lenient["oauth.expired-token-invalid-token"] is Status.WARNED
    strict = oauth_records(api, VerdictPolicy(strict=True))
    assert strict["oauth.wrong-secret-invalid-client"] is Status.FAILED
    assert strict["oauth.expired-token-invalid-token"] is Status.FAILED
    promoted = VerdictPolicy.from_mapping(
        {"checks": {"oauth.wrong-secret-invalid-client": "fail"}}, origin="t"
    )
    assert oauth_records(api, promoted)["oauth.wrong-secret-invalid-client"] is Status.FAILED


@pytest.mark.parametrize(
    ("expires_in", "status"), [(300, Status.PASSED), (301, Status.PASSED), (3600, Status.FAILED)]
)
def test_expires_in_longer_than_the_jwt_lifetime_is_a_documented_finding(expires_in, status):
    api = FakeApi(expires_in=expires_in, jwt_lifetime=300)
    assert oauth_records(api, VerdictPolicy())["oauth.expires-in-matches-jwt"] is status


# --- the command's policy options -------------------------------------------------------------------


def cli_args(*argv: str):
    import argparse

    from mypref_harness.commands import auth_conformance as command

    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    return parser.parse_args(["auth-conformance", *argv])


def test_strict_by_default_on_the_embedded_sandbox_lenient_on_a_configured_target(tmp_path):
    from mypref_harness.commands.auth_conformance import verdict_policy
    from mypref_harness.contract.auth_conformance.run import policy_for

    embedded, configured = Target(), Target(base_url=BASE, client_id="C", user_id="U")
    assert verdict_policy(cli_args(), embedded) is None  # the run decides by target
    started = Target(base_url=BASE, sandbox_root_url="http://127.0.0.1:1")  # a sandbox we started
    assert policy_for(started, ConformanceOptions()).strict is True
    assert policy_for(configured, ConformanceOptions()).strict is False
    assert verdict_policy(cli_args("--strict"), configured).strict is True
    assert verdict_policy(cli_args("--lenient"), embedded).strict is False
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text('[checks]\n"oauth.alg-none" = "fail"\n', encoding="utf-8")
    policy = verdict_policy(cli_args("--policy", str(policy_file)), configured)
    assert policy.strict is False and policy.fails("oauth.alg-none", Basis.PRACTICE)
    policy_file.write_text("strict = 'yes'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="strict must be true or false"):
        verdict_policy(cli_args("--policy", str(policy_file)), configured)

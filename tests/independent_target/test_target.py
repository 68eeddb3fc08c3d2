"""The independent target itself: the documented behaviour it must have before it can judge the gate.

Requests are signed with the harness's signer (a cross-check of two independent implementations);
expected signatures and messages come from the vendor document, not from the target's code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from mypref_harness.auth.pnauth import sign_header

from .options import MAIN, TargetOptions
from .pnauth import Scheme, expected_signature
from .server import running_target
from .timestamps import parse_issued

USER = MAIN.users[0].user_id


def _signed(user_id: str = USER, encoding: str = "form", timestamp: str | None = None) -> dict[str, str]:
    header = sign_header(
        key=MAIN.api_key, client_id=MAIN.client_id, user_id=user_id, encoding=encoding, timestamp=timestamp
    )
    return {"Authorization": header}


def test_the_documented_example_signature():
    # Vendor document: Signature=Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0= for these fields.
    got = expected_signature(
        Scheme(keyed=True, algorithm="SHA256"),
        "SeemslikearareopportunityMorty!",
        "SanchezAssociates",
        "RickSanchez",
        "2015-08-10T20:11:00",
    )
    assert got == "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-12-02T01:59:59Z", datetime(2026, 12, 2, 1, 59, 59, tzinfo=UTC)),
        ("20261202T015959Z", datetime(2026, 12, 2, 1, 59, 59, tzinfo=UTC)),
        ("20261202T01:59:59Z", datetime(2026, 12, 2, 1, 59, 59, tzinfo=UTC)),
        ("2026-12-02T01:59:59", datetime(2026, 12, 2, 1, 59, 59, tzinfo=UTC)),  # naive = UTC
        ("2026-12-01T20:59:59-05:00", datetime(2026, 12, 2, 1, 59, 59, tzinfo=UTC)),
    ],
)
def test_iso_8601_timestamps_it_accepts(text, instant):
    assert parse_issued(text) == instant


@pytest.mark.parametrize("text", ["yesterday", "2026-13-45T25:61:61Z", "2026-12-02 01:59:59", ""])
def test_values_no_iso_8601_reader_accepts(text):
    assert parse_issued(text) is None


def test_documented_401_and_empty_404(independent_target):
    base = independent_target.base_url
    missing = httpx.get(f"{base}/{MAIN.client_id}/Programs")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("PNAUTHINFO3 realm=")
    assert missing.json() == {"Message": "Missing Authorization Header"}
    unknown_client = httpx.get(f"{base}/NoSuchClient/Programs", headers=_signed())
    assert (unknown_client.status_code, unknown_client.content) == (404, b"")
    ok = httpx.get(f"{base}/{MAIN.client_id}/Programs", headers=_signed())
    assert ok.status_code == 200
    assert ok.json()["Programs"][0]["ProgramId"] == 10


def test_a_basic_format_timestamp_is_accepted(independent_target):
    stamp = (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y%m%dT%H%M%SZ")
    response = httpx.get(
        f"{independent_target.base_url}/{MAIN.client_id}/Programs", headers=_signed(timestamp=stamp)
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("encoding", "form_status", "percent_status"), [("form", 200, 401), ("percent", 401, 200)]
)
def test_user_id_encoding_knob(encoding, form_status, percent_status):
    with running_target(TargetOptions(user_id_encoding=encoding)) as target:
        url = f"{target.base_url}/{MAIN.client_id}/Programs"
        assert httpx.get(url, headers=_signed("Jane Roe", "form")).status_code == form_status
        assert httpx.get(url, headers=_signed("Jane Roe", "percent")).status_code == percent_status


def test_a_removed_route_answers_like_an_unknown_url():
    with running_target(TargetOptions(removed_routes=frozenset({"getProgramsIncludeAll"}))) as target:
        gone = httpx.get(f"{target.base_url}/{MAIN.client_id}/Programs/IncludeAll", headers=_signed())
        kept = httpx.get(f"{target.base_url}/{MAIN.client_id}/Programs/IncludeMatching", headers=_signed())
    assert (gone.status_code, gone.content) == (404, b"")
    assert kept.status_code == 200


@pytest.mark.parametrize("conflict_status", [400, 402])
def test_state_conflicts_answer_the_configured_status_and_creates_answer_200(conflict_status):
    with running_target(TargetOptions(conflict_status=conflict_status)) as target:
        base = f"{target.base_url}/{MAIN.client_id}"
        created = httpx.post(
            f"{base}/Profile", json={"CustomerName": {"FirstName": "Ann"}}, headers=_signed()
        )
        assert created.status_code == 200
        profile_id = created.json()["ProfileId"]
        assert (
            httpx.post(f"{base}/Profile/{profile_id}/Deactivate", json={}, headers=_signed()).status_code
            == 200
        )
        update = httpx.post(f"{base}/Profile/{profile_id}", json={"IsActive": True}, headers=_signed())
    assert update.status_code == conflict_status
    assert update.json()["Message"] == "The profile is inactive."


def test_token_endpoint_wrong_secret_has_no_rfc6749_error_and_bearer_failures_only_the_pnauth_challenge(
    independent_target,
):
    form = {"grant_type": "client_credentials", "scope": f"{MAIN.client_id}/{USER}"}
    wrong = httpx.post(independent_target.token_url, data=form, auth=(MAIN.oauth_client_id, "wrong"))
    assert wrong.status_code == 401
    assert "error" not in wrong.json()
    good = httpx.post(
        independent_target.token_url, data=form, auth=(MAIN.oauth_client_id, MAIN.oauth_client_secret)
    )
    assert good.status_code == 200
    token = good.json()["access_token"]
    url = f"{independent_target.base_url}/{MAIN.client_id}/Programs"
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    tampered = httpx.get(url, headers={"Authorization": f"Bearer {token[:-4]}AAAA"})
    assert tampered.status_code == 401
    assert tampered.headers["WWW-Authenticate"].startswith("PNAUTHINFO3 realm=")


def test_a_post_update_writes_only_what_the_body_holds(independent_target):
    # Catalog, update profile (POST): everything not in the body is left unchanged, nested members too.
    base = f"{independent_target.base_url}/{MAIN.client_id}"
    created = httpx.post(f"{base}/Profile", json={"CustomerName": {"FirstName": "Ann"}}, headers=_signed())
    profile_id = created.json()["ProfileId"]
    httpx.post(f"{base}/Profile/{profile_id}", json={"CustomerName": {"LastName": "Lee"}}, headers=_signed())
    read = httpx.get(f"{base}/Profile/{profile_id}", headers=_signed()).json()
    assert read["CustomerName"] == {"FirstName": "Ann", "LastName": "Lee"}

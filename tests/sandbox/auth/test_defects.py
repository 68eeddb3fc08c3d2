"""Every auth defect flips exactly the behaviour it names (clean sandbox vs the same request with it on)."""

from __future__ import annotations

import base64
import hmac
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from mypref_harness import demo
from mypref_harness.sandbox.defects import AREA_AUTH, AREA_DATA, DEFECTS

from ..helpers import ACME_BASIC, AUTHENTICATED, BASE, get_token, outcome

BRIEF_AUTH = {
    "future-timestamp-accepted",
    "day-long-window",
    "clientid-case-insensitive",
    "unknown-user-accepted",
    "missing-www-authenticate",
    "unknown-client-404-body",
    "sha1-accepted",
    "signature-prefix-compare",
    "expired-token-accepted",
    "cross-tenant-token",
    "alg-none-accepted",
}
BRIEF_DATA = {
    "undeclared-field",
    "wrong-status-create",
    "unicode-500",
    "update-drops-field",
    "history-not-recorded",
    "search-cap-ignored",
    "put-as-post",
    "lost-update",
}
PROGRAMS = f"{BASE}/SanchezAssociates/Programs"
ACME_PROGRAMS = f"{BASE}/ACME_CORP/Programs"


def _stamp(seconds_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pn(
    user: str = "RickSanchez",
    seconds_ago: float = 0,
    client_id: str = "SanchezAssociates",
    digest: str = "sha256",
) -> str:
    stamp = _stamp(seconds_ago)
    mac = hmac.new(demo.SANCHEZ.api_key.encode(), f"{client_id}:{user}:{stamp}".encode(), digest).digest()
    scheme = f"PNAUTHINFO3-HMAC-{digest.upper()}"
    return f"{scheme} Credential={user}/{stamp} Signature={base64.b64encode(mac).decode()}"


def _mangled_tail() -> str:
    header = _pn()
    head, signature = header.rsplit("Signature=", 1)
    flipped = signature[:-4] + ("AAA=" if signature[-4:] != "AAA=" else "BBB=")
    return f"{head}Signature={flipped}"


# (defect, request against a client, observation of the response) -> the observation must differ.
Probe = Callable[[Any], Any]
PROBES: dict[str, Probe] = {
    "future-timestamp-accepted": lambda c: outcome(
        c.get(PROGRAMS, headers={"Authorization": _pn(seconds_ago=-120)})
    ),
    "day-long-window": lambda c: outcome(c.get(PROGRAMS, headers={"Authorization": _pn(seconds_ago=3600)})),
    "clientid-case-insensitive": lambda c: outcome(
        c.get(f"{BASE}/SANCHEZASSOCIATES/Programs", headers={"Authorization": _pn()})
    ),
    "unknown-user-accepted": lambda c: outcome(
        c.get(PROGRAMS, headers={"Authorization": _pn(user="Nobody")})
    ),
    "missing-www-authenticate": lambda c: "www-authenticate" in c.get(PROGRAMS).headers,
    "unknown-client-404-body": lambda c: c.get(f"{BASE}/Nobody/Programs").content,
    "sha1-accepted": lambda c: outcome(c.get(PROGRAMS, headers={"Authorization": _pn(digest="sha1")})),
    "signature-prefix-compare": lambda c: outcome(
        c.get(PROGRAMS, headers={"Authorization": _mangled_tail()})
    ),
    "cross-tenant-token": lambda c: outcome(
        c.get(PROGRAMS, headers={"Authorization": f"Bearer {get_token(c)}"})
    ),
    "alg-none-accepted": lambda c: outcome(
        c.get(
            ACME_PROGRAMS,
            headers={
                "Authorization": "Bearer "
                + jwt.encode(
                    jwt.decode(get_token(c), options={"verify_signature": False}), None, algorithm="none"
                )
            },
        )
    ),
}
EXPECTED: dict[str, tuple[Any, Any]] = {  # clean, defective
    "future-timestamp-accepted": (401, AUTHENTICATED),
    "day-long-window": (401, AUTHENTICATED),
    "clientid-case-insensitive": (401, AUTHENTICATED),
    "unknown-user-accepted": (401, AUTHENTICATED),
    "missing-www-authenticate": (True, False),
    "unknown-client-404-body": (b"", b'{"Message":"Client not found"}'),
    "sha1-accepted": (401, AUTHENTICATED),
    "signature-prefix-compare": (401, AUTHENTICATED),
    "cross-tenant-token": (401, AUTHENTICATED),
    "alg-none-accepted": (401, AUTHENTICATED),
}


def test_registry_lists_every_defect_of_the_brief_with_its_area() -> None:
    assert {n for n, d in DEFECTS.items() if d.area == AREA_AUTH} == BRIEF_AUTH
    assert {n for n, d in DEFECTS.items() if d.area == AREA_DATA} == BRIEF_DATA
    assert all(d.name == n and len(d.description) > 30 for n, d in DEFECTS.items())


@pytest.mark.parametrize("defect", sorted(PROBES))
def test_defect_flips_its_behaviour(make_client: Any, defect: str) -> None:
    clean, defective = EXPECTED[defect]
    assert PROBES[defect](make_client()) == clean
    assert PROBES[defect](make_client(defects=frozenset({defect}))) == defective


def test_expired_token_accepted_defect(make_client: Any) -> None:
    token = get_token(make_client(token_lifetime=60))
    headers = {"Authorization": f"Bearer {token}"}
    assert make_client(clock_offset=61).get(ACME_PROGRAMS, headers=headers).status_code == 401
    defective = make_client(clock_offset=61, defects=frozenset({"expired-token-accepted"}))
    assert outcome(defective.get(ACME_PROGRAMS, headers=headers)) == AUTHENTICATED


@pytest.mark.parametrize("defect", sorted(BRIEF_AUTH))
def test_defective_sandbox_still_accepts_correct_requests(make_client: Any, defect: str) -> None:
    client = make_client(defects=frozenset({defect}))
    assert outcome(client.get(PROGRAMS, headers={"Authorization": _pn()})) == AUTHENTICATED
    token = get_token(client)
    assert outcome(client.get(ACME_PROGRAMS, headers={"Authorization": f"Bearer {token}"})) == AUTHENTICATED


def test_unknown_defect_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypref_harness", "sandbox", "--defect", "no-such-bug", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no-such-bug" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_defects_prints_one_a_line_name_first() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypref_harness", "sandbox", "--list-defects"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert sorted(names) == sorted(BRIEF_AUTH | BRIEF_DATA)


def test_unknown_user_defect_also_lets_such_a_token_through(make_client: Any) -> None:
    form = {"grant_type": "client_credentials", "scope": "ACME_CORP/Nobody"}
    assert make_client().post("/oauth2/v1/token", data=form, auth=ACME_BASIC).status_code == 400
    defective = make_client(defects=frozenset({"unknown-user-accepted"}))
    token = defective.post("/oauth2/v1/token", data=form, auth=ACME_BASIC).json()["access_token"]
    response = defective.get(ACME_PROGRAMS, headers={"Authorization": f"Bearer {token}"})
    assert outcome(response) == AUTHENTICATED

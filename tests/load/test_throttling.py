"""Throttling in the load suite: a 429 is its own error kind (stats, summary, SLOs) and is honoured."""

from __future__ import annotations

import pytest

from mypref_harness.auth.oauth import TokenSource
from mypref_harness.load import locust_auth
from mypref_harness.load import slo as slo_mod
from mypref_harness.load import stats as st
from mypref_harness.load.locust_auth import (
    MAX_THROTTLE_WAIT,
    SharedBearer,
    TokenUnavailable,
    locust_token_post,
    send,
    token_request_name,
)
from mypref_harness.load.summary import build_summary

from .helpers import FakeClient, entry, our_templates

TOKEN_URL = "http://127.0.0.1:1/oauth2/v1/token"
NAME = "lookup: GET /{clientId}/Profile/{profileId}"


@pytest.fixture
def sleeps(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(locust_auth, "_sleep", waited.append)
    return waited


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"Retry-After": "3"}, 3.0), ({"retry-after": "60"}, MAX_THROTTLE_WAIT), (None, 1.0)],
)
def test_a_429_is_reported_as_throttled_and_its_retry_after_is_waited_out(sleeps, headers, wait):
    client = FakeClient(lambda method, url, h, data: (429, {"Message": "slow down"}, headers))
    sent = send(client, locust_auth.NoAuth(), "GET", "http://t/x", NAME)
    assert sent is not None and (sent.status, sent.ok) == (429, False)
    [response] = client.reported
    assert response.request_meta["name"] == f"throttled: {NAME}"
    assert response.outcome[0] == "failure" and "429" in response.outcome[1]
    assert sleeps == [wait]
    assert len(client.sent) == 1  # not retried: the user goes on with its next task after the wait


def test_other_failures_keep_their_name_and_do_not_wait(sleeps):
    client = FakeClient(lambda method, url, h, data: (503, {"Message": "down"}))
    send(client, locust_auth.NoAuth(), "GET", "http://t/x", NAME)
    assert client.reported[0].request_meta["name"] == NAME
    assert sleeps == []


def test_a_throttled_token_request_is_throttled_and_still_a_token_request():
    client = FakeClient(lambda method, url, h, data: (429, {"Message": "slow down"}, {"Retry-After": "1"}))
    post = locust_token_post(client, token_request_name(TOKEN_URL))
    status, _, headers = post(TOKEN_URL, {"grant_type": "client_credentials"}, {})
    assert status == 429 and headers["Retry-After"] == "1"
    name = client.reported[0].request_meta["name"]
    assert name == "throttled: token: POST /oauth2/v1/token"
    entries = [entry(name, [3], failures=1), entry("token: POST /oauth2/v1/token", [5])]
    assert st.token_requests(entries) == 2
    assert st.throttled(entries).requests == 1


def test_the_shared_bearer_holds_every_user_back_for_the_token_endpoints_retry_after():
    clock = [1000.0]
    answers = [(429, None, {"Retry-After": "30"})]

    def post(url, data, headers):
        return answers.pop(0) if answers else (200, {"access_token": "t", "token_type": "Bearer",
                                                     "expires_in": 300}, {})

    source = TokenSource(TOKEN_URL, "cid", "secret-0123456789", "A/B", post=post, clock=lambda: clock[0],
                         sleep=lambda s: None, max_retry_wait=5)
    bearer = SharedBearer(source, cooldown=0.5, clock=lambda: clock[0])
    with pytest.raises(TokenUnavailable):
        bearer.token()
    clock[0] += 29  # far beyond the bearer's own 0.5 s cool-down, still inside the Retry-After
    with pytest.raises(TokenUnavailable):
        bearer.token()
    assert answers == []  # ... and nothing was sent meanwhile (the 429 was the only request)
    clock[0] += 1
    assert bearer.token() == "t"


def _entries():
    return [
        entry("lookup: GET /a", [10] * 90, failures=1),
        entry(f"throttled: {NAME}", [2] * 10, failures=10),
    ]


def test_429s_are_out_of_the_failure_ratio_and_of_business_latency():
    entries = _entries()
    assert st.business(entries).requests == 90
    assert st.failures_not_throttled(entries) == 1
    slo = slo_mod.parse_slo({"run": {"max_failure_ratio": 0.02, "max_throttled_ratio": 0.05}})
    results = {r.name: r for r in slo_mod.evaluate(slo, entries)}
    assert results["run.max_failure_ratio"].passed and results["run.max_failure_ratio"].actual == 0.01
    assert not results["run.max_throttled_ratio"].passed
    assert results["run.max_throttled_ratio"].actual == pytest.approx(0.1)
    assert "10 of 100 requests throttled" in results["run.max_throttled_ratio"].detail


def test_the_summary_counts_throttled_requests_apart():
    summary = build_summary(entries=_entries(), slo_results=[], integrity=None, timeline=[], processes=[],
                            run={}, passed=False, exit_code=1)
    assert summary["totals"]["throttled"] == 10
    assert summary["totals"]["failures"] == 1
    assert summary["totals"]["fail_ratio"] == pytest.approx(0.01)


def test_the_default_slo_file_bounds_throttling():
    assert slo_mod.load_slo().max_throttled_ratio is not None


# ------------------------------------------------------------------ live (slow)


@pytest.mark.slow
def test_load_against_the_sandboxs_rate_limit_counts_429s_as_throttled(tmp_path):
    import json

    from mypref_harness.config import Target
    from mypref_harness.load import LoadOptions, run_load

    slo = tmp_path / "slo.toml"  # every failure that is not a 429 fails the run; 429s are only counted
    slo.write_text("[run]\nmax_failure_ratio = 0.0\nmax_throttled_ratio = 1.0\n")
    result = run_load(Target(), LoadOptions(
        users=4, duration="5s", think_time="0:0.05", slo_file=slo, report_dir=tmp_path / "reports",
        verify_writes="off",
        sandbox_options={"state_dir": tmp_path / "state", "extra_args": ("--rate-limit", "3/s")},
    ))
    assert result.passed, result.message + "\n" + slo_mod.format_table(result.slo_results)
    assert result.throttled > 0 and result.failures == 0
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    assert summary["totals"]["throttled"] == result.throttled
    assert all(e["name"].startswith("throttled: ") for e in summary["entries"] if e["failures"])


def test_the_write_read_back_waits_out_a_429_instead_of_calling_the_write_unreadable():
    import httpx

    from mypref_harness.config import Target
    from mypref_harness.load.read_back import MAX_READ_BACK_WAIT, profile_fetcher

    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}),
                    httpx.Response(429, headers={"Retry-After": "90"}),
                    httpx.Response(200, json={"ProfileId": 7})])
    seen: list[str] = []

    def handler(request):
        seen.append(request.url.path)
        return next(answers)

    waits: list[float] = []
    target = Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe",
                    api_key="read-back-test-key-0123456789")
    read_profile = our_templates().templates["profile_by_id"]
    fetch = profile_fetcher(target, read_profile, transport=httpx.MockTransport(handler), sleep=waits.append)
    try:
        assert fetch(7) == {"ProfileId": 7}
    finally:
        fetch.close()
    assert seen == ["/Profiles/v4/ACME_CORP/Profile/7"] * 3
    assert waits == [2.0, MAX_READ_BACK_WAIT]

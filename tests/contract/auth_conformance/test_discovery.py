"""The discovery probes: bisection, clock skew, and every fact against an in-memory target with faults
injected at chosen points (a fact comes only from answers that decide it)."""

from __future__ import annotations

import pytest

from mypref_harness.auth.answers import RetryPolicy
from mypref_harness.auth.clock import signing_offset_for
from mypref_harness.auth.pnauth import UserIdEncoding
from mypref_harness.auth.timestamps import format_utc
from mypref_harness.contract.auth_conformance.discovery import (
    FACT_NAMES,
    basic_format_fact,
    bisect_max,
    challenge_summary,
    encoding_fact,
    future_tolerance_fact,
    guarded,
    naive_timestamp_fact,
    run_probes,
    skew_fact,
    window_fact,
)
from mypref_harness.contract.results import ConformanceResult, Fact
from mypref_harness.errors import ExitCode

from .fakes import NOW, FakeApi, probe_for


@pytest.mark.parametrize("limit", [1, 2, 899, 900, 86_399])
def test_bisection_finds_the_last_accepted_value_in_log_calls(limit):
    calls = []

    def accepts(x: int) -> bool:
        calls.append(x)
        return x <= limit

    assert bisect_max(accepts, 1, 172_800) == limit
    assert len(calls) <= 20  # log2(172800) ~ 17.4, plus the two ends


def test_bisection_edges():
    assert bisect_max(lambda x: False, 0, 100) is None
    assert bisect_max(lambda x: True, 0, 100) == 100
    assert bisect_max(lambda x: x == 0, 0, 100) == 0


def test_signing_offset_only_when_the_skew_matters():
    assert signing_offset_for(None) == 0.0
    assert signing_offset_for(0.8) == 0.0  # Date header truncation noise
    assert signing_offset_for(10.0) == pytest.approx(-11.0)  # sign 1 s behind the server
    assert signing_offset_for(-30.0) == 0.0  # behind: signatures just look older, well inside 900 s
    assert signing_offset_for(-120.0) == pytest.approx(119.0)


def test_skew_fact_is_data_with_its_reason_in_the_evidence():
    fact = skew_fact(10.04, -11.0)
    assert (fact.name, fact.value, fact.determined) == ("clock_skew_s", 10.0, True)
    assert "ahead of" in fact.evidence and "-11" in fact.evidence
    lost = skew_fact(None, 0.0)
    assert (lost.value, lost.determined) == (None, False)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


@pytest.mark.parametrize(("real", "expected"), [(300, 300), (290, 297), (330, None)])
def test_measured_token_lifetime(real, expected):
    from mypref_harness.contract.auth_conformance.discovery import measured_token_lifetime

    clock = FakeClock()
    measured = measured_token_lifetime(
        lambda: clock.now < 1000 + real, 300.0, clock, clock.sleep, issued_at=1000.0, grace=20.0
    )
    # polling starts 3 s before the advertised expiry, once a second
    assert measured == expected
    assert clock.slept <= 300 + 20 + 1


# --- probes against an in-memory target, with faults at chosen points ------------------------------


def test_a_healthy_target_gives_the_true_window_and_tolerance():
    probe = probe_for(FakeApi(window=900, future=0))
    window, tolerance = window_fact(probe), future_tolerance_fact(probe)
    # The Verifier rejects an age > window and any age < -tolerance, on the same fixed clock.
    assert (window.name, window.value, window.determined) == ("pnauth_window_s", 900, True)
    assert (tolerance.name, tolerance.value) == ("future_tolerance_s", 0)


def test_a_retried_5xx_inside_the_bisection_still_gives_the_true_window():
    slept: list[float] = []
    # Whole-second backoff: the fake's clock advances by it and timestamps have whole seconds.
    probe = probe_for(FakeApi(window=900, faults={5: 503}), slept=slept, retry=RetryPolicy(backoff_s=1.0))
    assert window_fact(probe).value == 900
    assert slept == [1.0]  # one backoff, then the step was decided by a real answer


@pytest.mark.parametrize(
    ("measure", "edge", "expected"), [(window_fact, -900, 900), (future_tolerance_fact, 1, 0)]
)
def test_a_retry_re_signs_so_the_wait_does_not_shift_the_measured_edge(measure, edge, expected):
    # The step at the very edge answers 429 once; the retry comes 2 s later (Retry-After) on the
    # fake's clock. Re-sending the old header would make it 2 s older and move the edge by 2 s.
    edge_stamp = format_utc(NOW + edge)
    limited: list[str] = []

    def once_at_the_edge(request):
        if f"/{edge_stamp} " in request.headers.get("authorization", "") and not limited:
            limited.append(edge_stamp)
            return 429
        return None

    probe = probe_for(FakeApi(window=900, future=0, fault_when=once_at_the_edge, retry_after="2"))
    assert measure(probe).value == expected
    assert limited == [edge_stamp]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_bisection_step_without_a_deciding_answer_makes_the_window_undetermined(status):
    # Requests 5-7 are the three attempts of one bisection step: no deciding answer for it.
    probe = probe_for(FakeApi(window=900, faults={5: status, 6: status, 7: status}))
    fact = window_fact_guarded(probe)
    assert fact.determined is False and fact.value is None
    assert f"HTTP {status} after 3 attempts" in fact.evidence


def window_fact_guarded(probe):
    return guarded("pnauth_window_s", lambda: window_fact(probe))


def test_retry_after_of_a_429_is_honoured_by_the_probes():
    slept: list[float] = []
    probe = probe_for(FakeApi(future=0, faults={2: 429}, retry_after="2"), slept=slept)
    assert future_tolerance_fact(probe).value == 0
    assert slept == [2.0]


def test_an_answer_that_is_neither_2xx_nor_401_decides_nothing():
    probe = probe_for(FakeApi(fault_when=lambda request: 403))
    fact = run_probes(probe)[0]
    assert (fact.name, fact.determined) == ("naive_timestamp_zone", False)
    assert "HTTP 403 is neither accepted (2xx) nor rejected (401)" in fact.evidence


def test_an_unhealthy_target_leaves_every_fact_undetermined_and_says_so():
    slept: list[float] = []
    probe = probe_for(FakeApi(fault_when=lambda request: 503), oauth=True, slept=slept)
    facts = run_probes(probe)
    assert {f.name for f in facts} == set(FACT_NAMES) - {"clock_skew_s"}
    assert [f.name for f in facts if f.determined] == []
    result = ConformanceResult(target="fake", facts=facts)
    assert result.unhealthy and result.exit_code == ExitCode.UNREACHABLE
    assert len(slept) <= 6  # the breaker stops retrying a dead target after 3 undecided requests


@pytest.mark.parametrize(("zone", "expected"), [("America/New_York", "us_eastern"), ("UTC", "utc")])
def test_naive_timestamp_zone(zone, expected):
    assert naive_timestamp_fact(probe_for(FakeApi(naive_zone=zone))).value == expected


def test_naive_zone_is_undetermined_when_even_an_explicit_utc_timestamp_is_rejected():
    # e.g. the target refuses our UserId encoding: every signature is rejected, which says nothing
    # about how naive timestamps are read ("neither" would be a false drift against a pinned profile)
    fact = naive_timestamp_fact(probe_for(FakeApi(fault_when=lambda request: 401)))
    assert (fact.name, fact.determined) == ("naive_timestamp_zone", False)
    assert "explicit-UTC control" in fact.evidence


@pytest.mark.parametrize("accepts", [True, False])
def test_basic_format_acceptance_is_a_fact(accepts):
    api = FakeApi(basic_format=accepts)
    fact = basic_format_fact(probe_for(api))
    assert (fact.name, fact.value) == ("basic_format_accepted", accepts)
    sent = [r.headers["authorization"] for r in api.log]
    assert "/2026-12-02T04:59:00Z " in sent[0] and "/20261202T045900Z " in sent[1]


@pytest.mark.parametrize(
    ("encodings", "expected"),
    [
        ((UserIdEncoding.PERCENT,), ("percent",)),  # a form decoder reads %20 as a space too
        ((UserIdEncoding.FORM, UserIdEncoding.PERCENT), ("form", "percent")),
    ],
)
def test_userid_encodings_accepted(encodings, expected):
    fact = encoding_fact(probe_for(FakeApi(encodings=encodings), user_id="Morty Smith"))
    assert (fact.name, fact.value) == ("userid_encodings_accepted", expected)


def test_token_facts_and_the_bearer_challenge():
    facts = {f.name: f for f in run_probes(probe_for(FakeApi(expires_in=300, jwt_lifetime=120), oauth=True))}
    assert facts["token_expires_in_s"].value == 300 and facts["token_jwt_lifetime_s"].value == 120
    assert facts["token_lifetime_s"].determined is False  # 300 s is longer than the 15 s we wait
    assert facts["bearer_failure_challenge"].value == "Bearer error=invalid_token"
    assert facts["oauth_wrong_secret_error"].value == "invalid_client"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('PNAUTHINFO3 realm="https://pm.mypreferences.com"', "PNAUTHINFO3"),
        ('Bearer realm="x", error="invalid_token", error_description="old"', "Bearer error=invalid_token"),
        ("Bearer error=invalid_token", "Bearer error=invalid_token"),
        (None, "none"),
        ("  ", "none"),
    ],
)
def test_challenge_summary_drops_the_realm(header, expected):
    assert challenge_summary(header) == expected


def test_fact_text_for_people():
    assert Fact("pnauth_window_s", 899).text == "899 s"
    assert Fact("userid_encodings_accepted", ()).text == "none"
    assert Fact("basic_format_accepted", False).text == "no"
    assert Fact.undetermined("pnauth_window_s", "HTTP 503").text == "undetermined"

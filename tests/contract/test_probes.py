"""Bisection and the clock-skew decisions of the discovery probes."""

from __future__ import annotations

import pytest

from mypref_harness.contract.probes import bisect_max, signing_offset_for, skew_fact


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
    from mypref_harness.contract.probes import measured_token_lifetime

    clock = FakeClock()
    measured = measured_token_lifetime(
        lambda: clock.now < 1000 + real, 300.0, clock, clock.sleep, issued_at=1000.0, grace=20.0
    )
    # polling starts 3 s before the advertised expiry, once a second
    assert measured == expected
    assert clock.slept <= 300 + 20 + 1

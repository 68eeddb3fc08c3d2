"""The optional --rate-limit N/s fault: requests beyond the rate answer 429 with Retry-After and a
{Message} body, on the API and the token endpoint; /health is never limited."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from mypref_harness.commands import sandbox as sandbox_command
from mypref_harness.errors import ConfigError
from mypref_harness.sandbox.faults import TokenBucket
from mypref_harness.sandbox.settings import SandboxSettings, parse_rate

PROGRAMS = "/Profiles/v4/ACME_CORP/Programs"
TOKEN_FORM = {"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_admits_the_rate_and_says_how_long_to_wait() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, clock)
    assert [bucket.take(), bucket.take()] == [0.0, 0.0]  # a burst of one second's worth
    assert bucket.take() == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.take() == 0.0
    clock.now += 10
    assert [bucket.take(), bucket.take(), bucket.take()] == [0.0, 0.0, pytest.approx(0.5)]  # no more saved


def test_a_fractional_rate_admits_one_then_waits() -> None:
    bucket = TokenBucket(0.25, FakeClock())
    assert bucket.take() == 0.0
    assert bucket.take() == pytest.approx(4.0)


@pytest.fixture
def limited(make_auth_client: Callable[..., TestClient]) -> TestClient:
    # One admission per 1000 s: the second request is over the limit however slow the machine is.
    return make_auth_client(rate_limit=0.001)


def assert_429(response: Any, retry_after: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["retry-after"] == retry_after
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"Message"}
    assert "--rate-limit" in body["Message"]


def test_the_api_answers_429_over_the_rate(limited: TestClient) -> None:
    assert limited.get(PROGRAMS).status_code == 401  # admitted (and unauthenticated)
    assert_429(limited.get(PROGRAMS), "1000")


def test_the_token_endpoint_answers_429_over_the_rate(limited: TestClient) -> None:
    assert limited.post("/oauth2/v1/token", data=TOKEN_FORM).status_code == 401
    assert_429(limited.post("/oauth2/v1/token", data=TOKEN_FORM), "1000")


def test_health_is_never_limited(limited: TestClient) -> None:
    assert [limited.get("/health").status_code for _ in range(5)] == [200] * 5


def test_without_the_option_nothing_is_limited(make_auth_client: Callable[..., TestClient]) -> None:
    client = make_auth_client()
    assert {client.get(PROGRAMS).status_code for _ in range(20)} == {401}


@pytest.mark.parametrize(("text", "rate"), [("5/s", 5.0), ("0.5/s", 0.5), ("20", 20.0)])
def test_rate_option_values(text: str, rate: float) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["0/s", "-1/s", "fast", "5/m", "nan/s", "inf/s"])
def test_bad_rate_option_values_are_usage_errors(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_rate(text)


def test_the_command_line_sets_the_settings_field() -> None:
    parser = argparse.ArgumentParser()
    sandbox_command.register(parser.add_subparsers())
    settings = sandbox_command.settings_from_args(parser.parse_args(["sandbox", "--rate-limit", "50/s"]))
    assert settings.rate_limit == 50.0
    assert SandboxSettings.from_json(settings.to_json()).rate_limit == 50.0  # travels to the workers

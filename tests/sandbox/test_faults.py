"""Fault injection: random 503s, latency, and settings validation."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.sandbox.settings import SandboxSettings, parse_latency, parse_window

from .helpers import BASE


def test_error_rate_one_answers_every_api_call_with_503_but_not_health(make_client: Any) -> None:
    client = make_client(error_rate=1.0)
    response = client.get(f"{BASE}/ACME_CORP/Programs")
    assert response.status_code == 503
    assert "Injected fault" in response.json()["Message"]
    assert response.headers["retry-after"] == "1"
    assert client.get("/health").status_code == 200


def test_error_rate_zero_injects_nothing(make_client: Any) -> None:
    client = make_client(error_rate=0.0)
    assert {client.get(f"{BASE}/ACME_CORP/Programs").status_code for _ in range(20)} == {401}


def test_latency_delays_api_calls(make_client: Any) -> None:
    client = make_client(latency_ms=150.0)
    started = time.perf_counter()
    client.get(f"{BASE}/ACME_CORP/Programs")
    assert time.perf_counter() - started >= 0.15


@pytest.mark.parametrize(
    ("text", "expected"), [("50", (50.0, 0.0)), ("50:10", (50.0, 10.0)), ("0.5:0", (0.5, 0.0))]
)
def test_parse_latency(text: str, expected: tuple[float, float]) -> None:
    assert parse_latency(text) == expected


@pytest.mark.parametrize("text", ["", "a", "1:2:3", "5:x"])
def test_parse_latency_rejects_garbage(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_latency(text)


def test_parse_window() -> None:
    assert parse_window("10:20") == (10.0, 20.0)
    with pytest.raises(ConfigError):
        parse_window("10")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"port": 70000},
        {"workers": 0},
        {"error_rate": 1.5},
        {"token_outage": (5.0, 1.0)},
        {"defects": frozenset({"nope"})},
        {"token_lifetime": 0},
        {"max_body_bytes": 10},
    ],
)
def test_invalid_settings_are_config_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        SandboxSettings(**kwargs)


def test_settings_survive_the_trip_to_worker_processes(make_settings: Any) -> None:
    settings = make_settings(defects=frozenset({"sha1-accepted"}), token_outage=(1.0, 2.0), latency_ms=3.0)
    assert SandboxSettings.from_json(settings.to_json()) == settings

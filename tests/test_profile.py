"""The target profile model: the TOML format (load, save, clear errors) and the drift rules."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mypref_harness.basis import Basis
from mypref_harness.errors import ConfigError, ExitCode
from mypref_harness.profile import (
    FACTS,
    Drift,
    ProfileError,
    TargetProfile,
    drift,
    load_profile,
    render_profile,
    save_profile,
)

PINNED = TargetProfile(
    facts={
        "naive_timestamp_zone": "us_eastern",
        "userid_encodings_accepted": ("form", "percent"),
        "pnauth_window_s": 899,
        "future_tolerance_s": 0,
        "basic_format_accepted": False,
        "token_expires_in_s": 3600.0,
        "token_jwt_lifetime_s": 3600.0,
        "token_lifetime_s": None,
        "bearer_failure_challenge": "Bearer error=invalid_token",
        "oauth_wrong_secret_error": "invalid_client",
        "state_conflict_status": 409,
        "create_status": 201,
        "clock_skew_s": 0.2,
    },
    confirmed_routes=("GET /{clientId}/Programs", "POST /{clientId}/Profile"),
    not_found_routes=("GET /{clientId}/Guessed",),
    undecided_routes=("GET /{clientId}/Profile/Name",),
    base_url="http://127.0.0.1:8080/Profiles/v4",
    client_id="ACME_CORP",
    auth="pnauth",
    discovered_at="2026-12-02T05:00:00Z",
    evidence={"pnauth_window_s": "bisection, 19 requests"},
)


def _now(**changes: object) -> TargetProfile:
    return dataclasses.replace(PINNED, facts={**PINNED.facts, **changes})


def test_every_fact_survives_a_save_and_load(tmp_path: Path) -> None:
    path = save_profile(PINNED, tmp_path / "mypref-profile.toml")
    assert load_profile(path) == PINNED


def test_the_file_is_the_documented_format() -> None:
    text = render_profile(PINNED)
    assert "version = 1" in text
    assert 'naive_timestamp_zone = "us_eastern"' in text
    assert 'userid_encodings_accepted = ["form", "percent"]' in text
    assert "pnauth_window_s = 899" in text
    assert "basic_format_accepted = false" in text
    assert 'token_lifetime_s = "undetermined"' in text
    assert "token_expires_in_s = 3600\n" in text
    assert 'confirmed = ["GET /{clientId}/Programs", "POST /{clientId}/Profile"]' in text


def test_every_fact_has_a_line_even_when_undetermined() -> None:
    text = render_profile(TargetProfile())
    for spec in FACTS:
        assert f'{spec.name} = "undetermined"' in text
    assert "[routes]" not in text  # no route check: nothing pinned, nothing to compare


@pytest.mark.parametrize(
    ("changes", "fact", "pinned", "now"),
    [
        ({"pnauth_window_s": 599}, "pnauth_window_s", "899", "599"),
        ({"naive_timestamp_zone": "utc"}, "naive_timestamp_zone", "us_eastern", "utc"),
        ({"userid_encodings_accepted": ("form",)}, "userid_encodings_accepted", "[form, percent]", "[form]"),
        ({"future_tolerance_s": 30}, "future_tolerance_s", "0", "30"),
        ({"basic_format_accepted": True}, "basic_format_accepted", "false", "true"),
        ({"token_expires_in_s": 300.0}, "token_expires_in_s", "3600", "300"),
        ({"state_conflict_status": 400}, "state_conflict_status", "409", "400"),
        ({"create_status": 200}, "create_status", "201", "200"),
        ({"bearer_failure_challenge": "PNAUTHINFO3"}, "bearer_failure_challenge",
         "Bearer error=invalid_token", "PNAUTHINFO3"),
    ],
)
def test_a_changed_fact_is_exactly_one_drift(changes: dict[str, object], fact: str, pinned: str,
                                             now: str) -> None:
    assert drift(PINNED, _now(**changes)) == [
        Drift(fact, pinned, now, next(s.basis for s in FACTS if s.name == fact))
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"pnauth_window_s": 898},  # bisection noise: within 2 s
        {"pnauth_window_s": 901},
        {"token_expires_in_s": 3600.6},
        {"userid_encodings_accepted": ("percent", "form")},  # a set: order is not a change
        {"clock_skew_s": 45.0},  # reported, never drift
        {"token_jwt_lifetime_s": 300.0},  # reported: token_expires_in_s is the lifetime's one drift
        {"token_lifetime_s": 3601.0},  # undetermined when pinned: nothing to compare
    ],
)
def test_no_drift(changes: dict[str, object]) -> None:
    assert drift(PINNED, _now(**changes)) == []


def test_an_undetermined_value_now_is_reported_but_not_a_drift() -> None:
    [reported] = drift(PINNED, _now(pnauth_window_s=None))
    assert (reported.fact, reported.pinned, reported.now, reported.undetermined) == (
        "pnauth_window_s", "899", "undetermined", True,
    )


@pytest.mark.parametrize(
    ("confirmed", "not_found", "expected"),
    [
        (("GET /{clientId}/Programs", "POST /{clientId}/Profile"), (), []),
        (
            ("GET /{clientId}/Programs",),
            ("POST /{clientId}/Profile",),
            [Drift("confirmed_routes", "POST /{clientId}/Profile confirmed",
                   "POST /{clientId}/Profile not found", Basis.DOCUMENTED)],
        ),
        (
            ("GET /{clientId}/Programs",),
            (),
            [Drift("confirmed_routes", "1 route(s) confirmed: POST /{clientId}/Profile",
                   "not exercised in this run", Basis.DOCUMENTED, undetermined=True)],
        ),
    ],
)
def test_route_drift(confirmed: tuple[str, ...], not_found: tuple[str, ...], expected: list[Drift]) -> None:
    now = dataclasses.replace(PINNED, confirmed_routes=confirmed, not_found_routes=not_found)
    assert drift(PINNED, now) == expected


def test_a_pinned_route_answering_only_404_now_is_gone() -> None:
    now = dataclasses.replace(
        PINNED, confirmed_routes=("GET /{clientId}/Programs",), undecided_routes=("POST /{clientId}/Profile",)
    )
    assert drift(PINNED, now) == [
        Drift("confirmed_routes", "POST /{clientId}/Profile confirmed",
              "POST /{clientId}/Profile answers only 404 to positive requests", Basis.DOCUMENTED)
    ]


def test_routes_not_exercised_now_are_one_undetermined_line() -> None:
    pinned = dataclasses.replace(PINNED, confirmed_routes=tuple(f"GET /r{i}" for i in range(5)))
    now = dataclasses.replace(PINNED, confirmed_routes=("GET /r0",), not_found_routes=("GET /r1",))
    gone, unseen = drift(pinned, now)
    assert (gone.now, gone.undetermined) == ("GET /r1 not found", False)
    assert unseen.undetermined and unseen.pinned == "3 route(s) confirmed: GET /r2, GET /r3, GET /r4"


def test_no_route_check_now_is_undetermined_not_drift() -> None:
    [reported] = drift(PINNED, dataclasses.replace(PINNED, confirmed_routes=None))
    assert reported.undetermined and reported.fact == "confirmed_routes"


def test_drift_check_names() -> None:
    [found] = drift(PINNED, _now(create_status=200))
    assert found.check == "profile.drift.create_status"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 2\n", "version must be 1"),
        ("[facts]\n", "version must be 1"),
        ("version = 1\nsecret = 'x'\n", r"unknown key\(s\) secret"),
        ("version = 1\n[facts]\npnauth_windw_s = 900\n", "unknown fact 'pnauth_windw_s'"),
        ("version = 1\n[facts]\npnauth_window_s = 'long'\n", "fact pnauth_window_s must be a number"),
        ("version = 1\n[facts]\npnauth_window_s = true\n", "fact pnauth_window_s must be a number"),
        ("version = 1\n[facts]\nbasic_format_accepted = 1\n", "must be true, false"),
        ("version = 1\n[facts]\nnaive_timestamp_zone = 'mars'\n", "'mars' is not one of utc"),
        ("version = 1\n[facts]\nuserid_encodings_accepted = 'form'\n", "must be a list of strings"),
        ("version = 1\n[facts]\nuserid_encodings_accepted = ['plus']\n", "'plus' is not one of form"),
        ("version = 1\n[routes]\nconfirmed = ['Programs']\n", 'list of "METHOD /path"'),
        ("version = 1\nfacts = 3\n", "facts must be a table"),
        ("version = 1\n[facts\n", "not valid TOML"),
    ],
)
def test_bad_files_are_clear_configuration_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=message) as caught:
        load_profile(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ConfigError) and caught.value.exit_code == ExitCode.USAGE


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="profile file not found"):
        load_profile(tmp_path / "nope.toml")


def test_a_minimal_file_loads_with_everything_undetermined(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("version = 1\n[facts]\npnauth_window_s = 600\n", encoding="utf-8")
    profile = load_profile(path)
    assert profile.value("pnauth_window_s") == 600
    assert profile.value("create_status") is None
    assert profile.confirmed_routes is None

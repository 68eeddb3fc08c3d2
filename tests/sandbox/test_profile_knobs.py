"""The sandbox knobs a target profile sets: the mapping, the settings, the verifier, the statuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest

from mypref_harness.auth.pnauth import PnAuthError, Reason
from mypref_harness.auth.verifier import ClientRecord, Verifier, extended_form, static_lookup
from mypref_harness.commands import sandbox as sandbox_command
from mypref_harness.errors import ConfigError
from mypref_harness.profile import TargetProfile, sandbox_knobs, save_profile
from mypref_harness.sandbox.operations.base import HttpError, Reply, with_target_statuses
from mypref_harness.sandbox.settings import SandboxSettings

NOW = 1_796_184_000.0  # 2026-12-02T04:00:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20261202T035959Z", "2026-12-02T03:59:59Z"),
        ("20261202T03:59:59Z", "2026-12-02T03:59:59Z"),  # basic date, extended time (the issue's)
        ("2026-12-02T035959", "2026-12-02T03:59:59"),
        ("20261202T035959.250-0500", "2026-12-02T03:59:59.250-05:00"),
        ("2026-12-02T03:59:59Z", None),  # already extended
        ("yesterday", None),
        ("2026-13-45T25:61:61Z", None),  # extended already (the parser rejects it)
    ],
)
def test_extended_form(text: str, expected: str | None) -> None:
    assert extended_form(text) == expected


def _header(stamp: str, user: str = "RickSanchez") -> str:
    message = f"SanchezAssociates:{user}:{stamp}".encode()
    key = b"SeemslikearareopportunityMorty!"
    signature = base64.b64encode(hmac.digest(key, message, hashlib.sha256)).decode()
    return f"PNAUTHINFO3-HMAC-SHA256 Credential={user}/{stamp} Signature={signature}"


def _verifier(**kwargs: object) -> Verifier:
    record = ClientRecord(
        "SanchezAssociates", "SeemslikearareopportunityMorty!", frozenset({"RickSanchez", "Morty Smith"})
    )
    return Verifier(static_lookup(record), clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("stamp", ["20261202T035959Z", "20261202T03:59:59Z"])
def test_basic_format_is_rejected_by_default_and_accepted_with_the_knob(stamp: str) -> None:
    with pytest.raises(PnAuthError) as caught:
        _verifier().verify("SanchezAssociates", _header(stamp))
    assert caught.value.reason is Reason.INVALID_TIMESTAMP
    credential = _verifier(accept_basic_format=True).verify("SanchezAssociates", _header(stamp))
    assert credential.user_id == "RickSanchez"


def test_the_knob_still_rejects_what_no_iso_8601_reader_accepts() -> None:
    with pytest.raises(PnAuthError) as caught:
        _verifier(accept_basic_format=True).verify("SanchezAssociates", _header("20261345T256161Z"))
    assert caught.value.reason is Reason.INVALID_TIMESTAMP


def test_settings_validate_the_knobs_and_travel_to_workers() -> None:
    settings = SandboxSettings(
        naive_timezone="UTC",
        user_id_encodings=("form",),
        future_tolerance=30,
        basic_format_timestamps=True,
        conflict_status=400,
        create_status=200,
    )
    assert SandboxSettings.from_json(settings.to_json()) == settings
    for bad in (
        {"user_id_encodings": ("plus",)},
        {"conflict_status": 500},
        {"create_status": 204},
        {"future_tolerance": -1},
        {"naive_timezone": "Mars/Olympus"},
    ):
        with pytest.raises(ConfigError):
            SandboxSettings(**bad)  # type: ignore[arg-type]


PROFILE = TargetProfile(
    facts={
        "naive_timestamp_zone": "utc",
        "userid_encodings_accepted": ("form",),
        "pnauth_window_s": 599,
        "future_tolerance_s": 30,
        "basic_format_accepted": True,
        "token_expires_in_s": 300.0,
        "state_conflict_status": 402,
        "create_status": 200,
        "bearer_failure_challenge": "PNAUTHINFO3",
    }
)


def test_every_fact_with_a_knob_sets_it() -> None:
    knobs, notes = sandbox_knobs(PROFILE)
    assert knobs == {
        "naive_timezone": "UTC",
        "user_id_encodings": ("form",),
        "pnauth_window": 600,  # the measured whole-second age + the second it lies within
        "future_tolerance": 30,
        "basic_format_timestamps": True,
        "token_lifetime": 300,
        "conflict_status": 402,
        "create_status": 200,
    }
    assert notes == ["bearer_failure_challenge = PNAUTHINFO3: the sandbox has no knob for it"]


def test_undetermined_facts_leave_the_defaults() -> None:
    assert sandbox_knobs(TargetProfile()) == ({}, [])
    knobs, _ = sandbox_knobs(TargetProfile(facts={"naive_timestamp_zone": "neither"}))
    assert knobs == {"naive_timezone": None}


def test_sandbox_command_builds_settings_from_a_profile(tmp_path: Path) -> None:
    path = save_profile(PROFILE, tmp_path / "p.toml")
    parser = sandbox_command.argparse.ArgumentParser()
    sandbox_command.register(parser.add_subparsers())
    args = parser.parse_args(["sandbox", "--profile", str(path), "--pnauth-window", "120"])
    settings = sandbox_command.settings_from_args(args)
    assert (settings.naive_timezone, settings.conflict_status, settings.create_status) == ("UTC", 402, 200)
    assert settings.token_lifetime == 300
    assert settings.pnauth_window == 120  # an explicit option wins over the profile
    plain = sandbox_command.settings_from_args(parser.parse_args(["sandbox"]))
    assert (plain.pnauth_window, plain.token_lifetime, plain.conflict_status) == (900, 3600, 409)


class _Settings:
    conflict_status = 400
    create_status = 200


class _Request:
    settings = _Settings()


def test_statuses_follow_the_knobs() -> None:
    def conflict(req: object) -> Reply:
        raise HttpError(409, "test failed")

    with pytest.raises(HttpError) as caught:
        with_target_statuses(conflict)(_Request())  # type: ignore[arg-type]
    assert caught.value.status == 400
    created = with_target_statuses(lambda req: Reply(201, {"ProfileId": 1}))(_Request())  # type: ignore[arg-type]
    assert created.status == 200
    other = with_target_statuses(lambda req: Reply(200, {}))(_Request())  # type: ignore[arg-type]
    assert other.status == 200


def test_statuses_keep_the_defaults_without_knobs() -> None:
    class Plain:
        settings = object()

    with pytest.raises(HttpError) as caught:
        with_target_statuses(lambda req: (_ for _ in ()).throw(HttpError(409, "x")))(Plain())  # type: ignore[arg-type]
    assert caught.value.status == 409
    assert with_target_statuses(lambda req: Reply(201))(Plain()).status == 201  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("encodings", "user", "accepted"),
    [
        (("form", "percent"), "Morty+Smith", True),
        (("form", "percent"), "Morty%20Smith", True),
        (("form",), "Morty+Smith", True),
        (("form",), "Morty%20Smith", False),  # form decoding would read it; a form-only server refuses it
        (("percent",), "Morty%20Smith", True),
        (("percent",), "Morty+Smith", False),
        (("form",), "RickSanchez", True),
    ],
)
def test_one_accepted_encoding_means_exactly_that_encoding(
    encodings: tuple[str, ...], user: str, accepted: bool
) -> None:
    verifier = _verifier(encodings=encodings)
    header = _header("2026-12-02T03:59:59Z", user)
    if accepted:
        assert verifier.verify("SanchezAssociates", header).user_id in ("Morty Smith", "RickSanchez")
    else:
        with pytest.raises(PnAuthError) as caught:
            verifier.verify("SanchezAssociates", header)
        assert caught.value.reason is Reason.UNAUTHENTICATED

"""discover -> pin -> --profile, end to end on the embedded sandbox started with ``--profile``.

A profile with non-default choices (UTC naive timestamps, form encoding only, a 600 s window, 30 s
future tolerance, basic format, 300 s tokens, 402 conflicts, 200 on create) is reproduced by
``discover`` against a sandbox started with it; changing one knob makes the drift name that fact.
"""

from __future__ import annotations

import dataclasses
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mypref_harness import cli
from mypref_harness.profile import Drift, TargetProfile, drift, load_profile, save_profile

pytestmark = pytest.mark.slow

TARGET_LIKE = TargetProfile(
    facts={
        "naive_timestamp_zone": "utc",
        "userid_encodings_accepted": ("form",),
        "pnauth_window_s": 599,
        "future_tolerance_s": 30,
        "basic_format_accepted": True,
        "token_expires_in_s": 300.0,
        "token_jwt_lifetime_s": 300.0,
        "token_lifetime_s": None,  # 300 s is too long to wait for without --slow
        # no knob for these: the sandbox's own answers
        "bearer_failure_challenge": "Bearer error=invalid_token",
        "oauth_wrong_secret_error": "invalid_client",
        "state_conflict_status": 402,
        "create_status": 200,
    }
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [k for k in os.environ if k.startswith("MYPREF_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _discover(workdir: Path, sandbox_profile: TargetProfile, name: str) -> TargetProfile:
    knobs = save_profile(sandbox_profile, workdir / f"{name}-knobs.toml")
    out = workdir / f"{name}-discovered.toml"
    code = cli.main(["discover", "--no-routes", "--sandbox-profile", str(knobs), "-o", str(out)])
    assert code == 0
    return load_profile(out)


def _with(profile: TargetProfile, **changes: object) -> TargetProfile:
    return dataclasses.replace(profile, facts={**profile.facts, **changes})


def test_discover_reproduces_the_profile_the_sandbox_was_started_with(workdir: Path) -> None:
    discovered = _discover(workdir, TARGET_LIKE, "same")
    assert drift(TARGET_LIKE, discovered) == []
    assert discovered.value("naive_timestamp_zone") == "utc"
    assert discovered.value("create_status") == 200


@pytest.mark.parametrize(
    ("fact", "value", "shown"),
    [("pnauth_window_s", 299, "299"), ("userid_encodings_accepted", ("form", "percent"), "[form, percent]")],
)
def test_changing_one_knob_drifts_exactly_that_fact(
    workdir: Path, fact: str, value: object, shown: str
) -> None:
    discovered = _discover(workdir, _with(TARGET_LIKE, **{fact: value}), fact)
    [found] = drift(TARGET_LIKE, discovered)
    assert found == Drift(fact, found.pinned, shown, found.basis)
    assert found.pinned != shown


def test_auth_conformance_reports_drift_as_a_finding(workdir: Path) -> None:
    """The default sandbox against a pinned 600 s window: a documented drift fails the run, in JUnit too."""
    facts = {"pnauth_window_s": 599, "create_status": 201}
    pinned = save_profile(TargetProfile(facts=facts), workdir / "p.toml")
    code = cli.main([
        "auth-conformance", "--no-probes", "--only", "pnauth.accepted.pnauthinfo3-hmac-sha256",
        "--profile", str(pinned), "--report-dir", "auth",
    ])
    assert code == 1
    cases = {c.get("name"): c for c in ET.parse(workdir / "auth" / "junit.xml").iter("testcase")}
    window = cases["pnauth_window_s drifted [profile.drift.pnauth_window_s]"]
    assert "pinned 599, now 899" in window.find("failure").get("message", "")  # type: ignore[union-attr]
    assert window.find("failure") is not None
    assert cases["create_status as pinned [profile.drift.create_status]"].find("failure") is None
    assert "profile.drift.pnauth_window_s" in (workdir / "auth" / "auth-conformance.md").read_text()


def test_a_bad_profile_is_a_usage_error_before_anything_runs(workdir: Path) -> None:
    (workdir / "bad.toml").write_text("version = 7\n", encoding="utf-8")
    assert cli.main(["gate", "--stages", "vectors", "--profile", "bad.toml"]) == 2
    assert not (workdir / "reports" / "vectors").exists()  # no stage ran


def test_gate_takes_the_profile_from_mypref_toml_and_names_the_drift(workdir: Path) -> None:
    save_profile(TargetProfile(facts={"pnauth_window_s": 599, "create_status": 201}), workdir / "p.toml")
    (workdir / "mypref.toml").write_text('profile = "p.toml"\n', encoding="utf-8")
    assert cli.main(["gate", "--stages", "vectors"]) == 1
    summary = (workdir / "reports" / "summary.md").read_text(encoding="utf-8")
    assert "| Target profile drift | FAIL |" in summary
    assert "[profile.drift.pnauth_window_s]: drift of pnauth_window_s: pinned 599, now 899" in summary
    junit = ET.parse(workdir / "reports/profile/junit-profile.xml")
    cases = {c.get("name"): c for c in junit.iter("testcase")}
    assert cases["create_status as pinned [profile.drift.create_status]"].find("failure") is None
    measured = load_profile(workdir / "reports" / "profile" / "measured-profile.toml")
    assert measured.value("pnauth_window_s") == 899

"""Where a profile comes from (option, MYPREF_PROFILE, mypref.toml); usage errors of the commands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mypref_harness import cli
from mypref_harness.config import Target, load_target
from mypref_harness.profile import TargetProfile, save_profile
from mypref_harness.profile_measure import pinned_profile


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [k for k in os.environ if k.startswith("MYPREF_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_profile_key_in_the_toml_file_is_relative_to_the_file(workdir: Path) -> None:
    (workdir / "conf").mkdir()
    (workdir / "conf" / "mypref.toml").write_text('profile = "pinned.toml"\n', encoding="utf-8")
    target = load_target(env={}, toml_path=workdir / "conf" / "mypref.toml")
    assert target.profile == workdir / "conf" / "pinned.toml"


def test_the_environment_wins_over_the_file(workdir: Path) -> None:
    (workdir / "mypref.toml").write_text('profile = "from-file.toml"\n', encoding="utf-8")
    target = load_target(env={"MYPREF_PROFILE": "from-env.toml"}, toml_path=workdir / "mypref.toml")
    assert target.profile == workdir / "from-env.toml"


def test_the_option_wins_over_the_configuration(workdir: Path) -> None:
    save_profile(TargetProfile(facts={"create_status": 200}), workdir / "option.toml")
    save_profile(TargetProfile(facts={"create_status": 201}), workdir / "configured.toml")
    target = Target(profile=workdir / "configured.toml")
    chosen = pinned_profile(workdir / "option.toml", target)
    assert chosen is not None and chosen.value("create_status") == 200
    configured = pinned_profile(None, target)
    assert configured is not None and configured.value("create_status") == 201
    assert pinned_profile(None, Target()) is None


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["discover", "--max-examples", "0"], {}),
        (["discover", "--sandbox-profile", "p.toml"], {"MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4",
                                                       "MYPREF_CLIENT_ID": "ACME_CORP",
                                                       "MYPREF_USER_ID": "John.Doe",
                                                       "MYPREF_API_KEY": "a-key-long-enough"}),
        (["auth-conformance", "--profile", "missing.toml"], {}),
    ],
)
def test_usage_errors_exit_2_before_anything_runs(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(argv) == 2
    assert not (workdir / "mypref-profile.toml").exists()

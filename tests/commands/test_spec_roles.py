"""`spec roles`: what each role resolves to in a spec, and how (the Swashbuckle fixtures of issue 13)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mypref_harness import cli
from mypref_harness.spec.roles import Role

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"


@pytest.fixture(autouse=True)
def no_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("MYPREF_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def roles_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert cli.main(["spec", "roles", "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_role_resolves_by_shape_in_the_swashbuckle_export(capsys: pytest.CaptureFixture[str]) -> None:
    report = roles_json(capsys, "--spec", str(FIXTURES / "swashbuckle-v4.json"))
    assert report["counts"] == {"table": 0, "shape": len(Role), "name": 0, "unresolved": 0}
    create = next(row for row in report["roles"] if row["role"] == "create-profile")
    assert (create["method"], create["path"], create["operationId"]) == (
        "POST",
        "/{ClientId}/Profile",
        "Profile_Create",
    )
    assert report["client_id_params"] == ["ClientId"]


def test_a_renamed_route_is_unresolved_until_the_table_names_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed = str(FIXTURES / "swashbuckle-v4-renamed.json")
    report = roles_json(capsys, "--spec", renamed)
    assert report["counts"]["unresolved"] == 1
    assert [r["role"] for r in report["roles"] if r["how"] == "unresolved"] == ["create-profile"]

    Path("mypref.toml").write_text('[operations]\ncreate-profile = "Profiles_Post"\n', encoding="utf-8")
    report = roles_json(capsys, "--spec", renamed)
    create = next(row for row in report["roles"] if row["role"] == "create-profile")
    assert (create["how"], create["path"]) == ("table", "/{ClientId}/Profiles")


def test_the_table_output_says_how_each_role_resolved(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["spec", "roles", "--spec", str(FIXTURES / "swashbuckle-v4-renamed.json")]) == 0
    out = capsys.readouterr().out
    assert "create-profile" in out and "unresolved" in out
    assert "read-profile" in out and "GET /{ClientId}/Profile/{profileId} (Profile_Get)" in out
    assert out.rstrip().endswith("0 by table, 29 by shape, 0 by name, 1 unresolved")


def test_a_configured_target_needs_no_credentials_to_list_roles(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a configured target without ClientId, UserId or key: spec roles sends nothing
    monkeypatch.setenv("MYPREF_BASE_URL", "https://pmstg.mypreferences.com/Profiles/v4")
    report = roles_json(capsys, "--spec", str(FIXTURES / "swashbuckle-v4.json"))
    assert report["counts"]["shape"] == len(Role)

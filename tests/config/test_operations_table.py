"""mypref.toml's [operations] table and client_id_param (issue 13): loaded, checked, passed on."""

from __future__ import annotations

from pathlib import Path

import pytest

from mypref_harness.config import load_target, target_env
from mypref_harness.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mypref.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_operations_table_and_client_id_param_come_from_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'client_id_param = "AccountId"\n[operations]\ncreate-profile = "Profile_Create"\n'
        'read_profile = "GET /{AccountId}/Profile/{Id}"\n',
    )
    target = load_target({}, path)
    assert target.client_id_param == "AccountId"
    assert target.operations == {
        "create-profile": "Profile_Create",
        "read-profile": "GET /{AccountId}/Profile/{Id}",
    }


def test_the_environment_wins_and_the_subprocesses_get_the_same(tmp_path: Path) -> None:
    path = write(tmp_path, '[operations]\ncreate-profile = "Profile_Create"\n')
    target = load_target({"MYPREF_OPERATIONS": "create-profile=Profiles_Post;programs=Program_GetAll"}, path)
    assert target.operations == {"create-profile": "Profiles_Post", "programs": "Program_GetAll"}
    env = target_env(target)
    assert env["MYPREF_OPERATIONS"] == "create-profile=Profiles_Post;programs=Program_GetAll"
    assert load_target(env).operations == target.operations


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[operations]\nmake-profile = "Profile_Create"\n', "unknown role 'make-profile'"),
        ("[operations]\ncreate-profile = 3\n", "create-profile must name an operation"),
    ],
)
def test_a_bad_operations_table_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_target({}, write(tmp_path, text))
